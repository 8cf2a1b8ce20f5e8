import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../../server/db/migrate.ts';
import { openSqlite } from '../../server/db/sqlite.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempFile = () => {
  const d = mkdtempSync(join(tmpdir(), 'kk-mig-'));
  dirs.push(d);
  return join(d, 'kk.db');
};

describe('migrations', () => {
  it('applies every file of sql/ once and records it in d1_migrations as wrangler does', async () => {
    const file = tempFile();
    const files = readdirSync('sql').filter((f) => f.endsWith('.sql')).sort();
    const h = openSqlite(file);
    await h.close();
    const db = new BetterSqlite3(file);
    const names = (db.prepare('SELECT name FROM d1_migrations ORDER BY id').all() as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(files.map((f) => f.replace(/\.sql$/, '')));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    // A second run applies nothing.
    expect(migrate(db)).toEqual([]);
    db.close();
  });

  it('applies only what is new, in order, and leaves a failing migration unrecorded', () => {
    const db = new BetterSqlite3(tempFile());
    const first = readMigrations();
    expect(migrate(db, first)).toEqual(first.map((m) => m.name));
    const extra = [...first, { name: '9998_ok', sql: 'CREATE TABLE t1 (x INTEGER);' }, { name: '9999_bad', sql: 'CREATE TABLE t2 (x INTEGER); SELECT * FROM nope;' }];
    expect(() => migrate(db, extra)).toThrow(/nope/);
    const names = (db.prepare('SELECT name FROM d1_migrations').all() as { name: string }[]).map((r) => r.name);
    expect(names).toContain('9998_ok');
    expect(names).not.toContain('9999_bad');
    // The failed file's statements were rolled back with it.
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 't2'").get()).toEqual({ n: 0 });
    db.close();
  });
});
