import BetterSqlite3 from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { startServer, type ServerProcess } from './server-process.ts';

// A real server process killed outright in the middle of committing a large import: the
// database must hold none of that batch and be intact, also once a server has started on it again.

let server: ServerProcess | undefined;
let again: ServerProcess | undefined;
afterEach(() => {
  again?.stop();
  server?.stop();
});

/** The process state letter from /proc (R running, S sleeping, T stopped, …). */
const stateOf = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];

async function until(what: string, ok: () => boolean, ms = 5_000) {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * Whether another connection holds the database's write lock right now: BEGIN IMMEDIATE with no
 * busy wait takes it or fails with SQLITE_BUSY. No one else writes in this test, so a held lock is
 * the import's transaction, open and not yet committed.
 */
function writeLockHeld(file: string): boolean {
  const probe = new BetterSqlite3(file, { timeout: 0 });
  try {
    probe.exec('BEGIN IMMEDIATE');
    probe.exec('ROLLBACK');
    return false;
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw e;
  } finally {
    probe.close();
  }
}

// Two server starts and a 60 000-row import on a shared two-core machine: more than the default 30 s.
it('leaves no partial batch and an intact database when killed mid-commit', { timeout: 120_000 }, async () => {
  server = await startServer();
  const { base, child } = server;
  const auth = { authorization: `Bearer ${await server.token()}` };

  const units = new FormData();
  units.append('file', new Blob(['Enhetskod;Namn;Överordnad;Nivå\nCITY;Staden;;stad\nF1;Förvaltning;CITY;förvaltning\nF1-A;Enhet A;F1;enhet\n']), 'units.csv');
  expect((await fetch(`${base}/api/imports/units`, { method: 'POST', headers: auth, body: units })).status).toBe(200);
  // The probe says no while nothing is being written (so its yes below means something).
  expect(writeLockHeld(server.dbFile)).toBe(false);

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
  let lockHeld = false;
  let seenByOthers = -1;
  read: for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      if (line.phase === 'write' && line.done > 0) {
        // Freeze the server where it is, prove from outside that its write transaction is open
        // (it holds SQLite's write lock; a reader sees none of the batch), and kill it frozen:
        // nothing runs between the proof and the kill, so the kill lands inside the commit.
        child.kill('SIGSTOP');
        await until('the server to stop', () => stateOf(child.pid!) === 'T');
        lockHeld = writeLockHeld(server.dbFile);
        const peek = new BetterSqlite3(server.dbFile, { readonly: true });
        seenByOthers = (peek.prepare("SELECT count(*) AS n FROM import_batch WHERE kind = 'roster'").get() as { n: number }).n;
        peek.close();
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
  expect(lockHeld).toBe(true);
  expect(seenByOthers).toBe(0);

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

  // A server started again on the file recovers it (the write-ahead log without its commit is
  // dropped) and knows only the units import.
  again = await startServer({ KK_DB: server.dbFile });
  const headers = { authorization: `Bearer ${await again.token()}` };
  const imports = (await (await fetch(`${again.base}/api/imports`, { headers })).json()) as { imports: { kind: string }[] };
  expect(imports.imports.map((i) => i.kind)).toEqual(['units']);
});
