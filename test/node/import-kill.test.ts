import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';

// A real server process killed outright in the middle of committing a large import: the
// database must hold none of that batch and be intact.

const root = new URL('../../', import.meta.url).pathname;
let child: ChildProcess | undefined;
let dir: string | undefined;

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForHealth(base: string) {
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${base}/api/health`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

it('leaves no partial batch and an intact database when killed mid-commit', async () => {
  dir = mkdtempSync(join(tmpdir(), 'kk-kill-'));
  const db = join(dir, 'kk.db');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // `node --import tsx` rather than the tsx wrapper: the wrapper runs the server in a child
  // process of its own, which a SIGKILL to the wrapper would leave running.
  child = spawn(process.execPath, ['--import', 'tsx', 'server/node.ts'], {
    cwd: root,
    env: { ...process.env, KK_AUTH: 'dev', KK_DEMO: '0', KK_DB: db, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
  await waitForHealth(base);
  const { token } = await (
    await fetch(`${base}/api/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ employeeNumber: 'ADMIN', roles: [{ role: 'admin' }] }) })
  ).json();
  const auth = { authorization: `Bearer ${token}` };

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
  await exited;
  expect(child.signalCode).toBe('SIGKILL');
  expect(killedAt).toBeDefined();
  expect(killedAt!.done).toBeLessThan(killedAt!.total);

  const sqlite = new BetterSqlite3(db);
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
