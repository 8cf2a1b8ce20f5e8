import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../server/db/sqlite.ts';
import { load } from '../support/fixtures.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const TSX = join(ROOT, 'node_modules/.bin/tsx');

function run(cmd: string, args: string[], env: Record<string, string>) {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const done = new Promise<{ code: number | null; out: string }>((r) => child.on('exit', (code) => r({ code, out })));
  return { child, done, output: () => out };
}

let dir: string;
let db: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kk-ops-'));
  db = join(dir, 'live.db');
  const h = openSqlite(db);
  await load(h.db, { units: [['CITY', 'Staden', null, 'stad']], people: [['P1', 'Ada', 'ada@example.se']], employments: [{ p: 'P1', unit: 'CITY', from: '2000-01-01', to: '2010-12-31' }] });
  await h.close();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// A second process writing pairs of rows, each pair in one transaction, as fast as it can.
const WRITER = `
const D = require('better-sqlite3');
const db = new D(process.env.KK_DB);
db.pragma('busy_timeout = 5000');
const ins = db.prepare("INSERT INTO audit_log (at, actor, kind, action, scope) VALUES (?, 'LOAD', 'load', ?, ?)");
const pair = db.transaction((n) => { ins.run(new Date().toISOString(), 'a', String(n)); ins.run(new Date().toISOString(), 'b', String(n)); });
let n = 0;
const until = Date.now() + Number(process.env.SECONDS) * 1000;
while (Date.now() < until) { pair(++n); if (n === 200) console.log('writing'); }
console.log('pairs ' + n);
`;

describe('npm run backup', () => {
  it('takes a consistent copy while another process writes, which opens and passes integrity_check', async () => {
    const writer = run(process.execPath, ['-e', WRITER], { KK_DB: db, SECONDS: '30' });
    for (let i = 0; i < 200 && !writer.output().includes('writing'); i++) await new Promise((r) => setTimeout(r, 25));
    const target = join(dir, 'backup.db');
    const backup = await run('npm', ['run', '--silent', 'backup', '--', target], { KK_DB: db }).done;
    expect(backup.code, backup.out).toBe(0);
    // The writer was still at it when the copy finished.
    expect(writer.child.exitCode).toBeNull();
    const log = JSON.parse(backup.out.trim().split('\n').pop()!);
    expect(log).toMatchObject({ job: 'backup', integrity: 'ok' });

    const copy = new BetterSqlite3(target, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = copy.prepare("SELECT scope, count(*) AS n FROM audit_log WHERE kind = 'load' GROUP BY scope").all() as { scope: string; n: number }[];
      expect(rows.length).toBeGreaterThan(0);
      // A snapshot: every pair whole, none half-copied.
      expect(rows.every((r) => r.n === 2)).toBe(true);
      expect(copy.prepare('SELECT name FROM person').all()).toEqual([{ name: 'Ada' }]);
    } finally {
      copy.close();
    }
    writer.child.kill();
    await writer.done;
  });

  it('says how to call it and refuses to overwrite the database', async () => {
    expect((await run(TSX, ['server/ops/backup.ts'], { KK_DB: db }).done).code).toBe(2);
    const self = await run(TSX, ['server/ops/backup.ts', db], { KK_DB: db }).done;
    expect(self.code).toBe(1);
    expect((await run(TSX, ['server/ops/backup.ts', join(dir, 'x.db')], { KK_DB: join(dir, 'missing.db') }).done).code).toBe(1);
  });
});

describe('npm run retention', () => {
  it('anonymises people gone longer than KK_RETENTION_YEARS, logging only counts', async () => {
    const r = await run('npm', ['run', '--silent', 'retention'], { KK_DB: db, KK_RETENTION_YEARS: '5' }).done;
    expect(r.code, r.out).toBe(0);
    expect(JSON.parse(r.out.trim().split('\n').pop()!)).toMatchObject({ job: 'retention', years: 5, anonymised: 1 });
    expect(r.out).not.toContain('P1');
    expect(r.out).not.toContain('Ada');
    const check = new BetterSqlite3(db, { readonly: true });
    try {
      expect(check.prepare('SELECT employee_number, name, email FROM person').all()).toEqual([{ employee_number: 'ANON-1', name: 'Anonymiserad', email: null }]);
    } finally {
      check.close();
    }
  });
});
