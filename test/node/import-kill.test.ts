import BetterSqlite3 from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { startServer, type ServerProcess } from './server-process.ts';

// A real server process killed outright in the middle of committing a large import: the
// database must hold none of that batch and be intact.

let server: ServerProcess | undefined;
afterEach(() => server?.stop());

it('leaves no partial batch and an intact database when killed mid-commit', async () => {
  server = await startServer();
  const { base, child } = server;
  const auth = { authorization: `Bearer ${await server.token()}` };

  const units = new FormData();
  units.append('file', new Blob(['Enhetskod;Namn;Överordnad;Nivå\nCITY;Staden;;stad\nF1;Förvaltning;CITY;förvaltning\nF1-A;Enhet A;F1;enhet\n']), 'units.csv');
  expect((await fetch(`${base}/api/imports/units`, { method: 'POST', headers: auth, body: units })).status).toBe(200);

  // 60 000 new people and employments: thousands of statements in one transaction.
  const lines = ['Anställningsnummer;Namn;E-post;Enhetskod;Anställd från;Befattning'];
  for (let i = 0; i < 60_000; i++) lines.push(`E${100000 + i};Person ${i};p${i}@stad.se;F1-A;2020-01-01;Handläggare`);
  const roster = new FormData();
  roster.append('file', new Blob([lines.join('\n')]), 'roster.csv');
  const res = await fetch(`${base}/api/imports/roster?mode=history`, { method: 'POST', headers: { ...auth, accept: 'application/x-ndjson' }, body: roster });
  expect(res.status).toBe(200);

  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  let killedAt: { done: number; total: number } | undefined;
  read: for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      if (line.phase === 'write' && line.done > 0) {
        child.kill('SIGKILL');
        killedAt = line;
        break read;
      }
      expect(line.result).toBeUndefined();
    }
  }
  await reader.cancel().catch(() => {});
  await server.exited;
  expect(child.signalCode).toBe('SIGKILL');
  expect(killedAt).toBeDefined();
  expect(killedAt!.done).toBeLessThan(killedAt!.total);

  const sqlite = new BetterSqlite3(server.dbFile);
  try {
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    const n = (sql: string) => (sqlite.prepare(sql).get() as { n: number }).n;
    expect(n("SELECT count(*) AS n FROM import_batch WHERE kind = 'roster'")).toBe(0);
    expect(n('SELECT count(*) AS n FROM person')).toBe(0);
    expect(n('SELECT count(*) AS n FROM employment')).toBe(0);
    expect(n("SELECT count(*) AS n FROM audit_log WHERE action = 'roster'")).toBe(0);
    // What was committed before is all there.
    expect(n('SELECT count(*) AS n FROM import_batch')).toBe(1);
    expect(n('SELECT count(*) AS n FROM org_unit')).toBe(3);
  } finally {
    sqlite.close();
  }
});
