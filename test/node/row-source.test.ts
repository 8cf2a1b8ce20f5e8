import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { rowsLater } from '../../server/db/row-source.ts';
import { openSqlite, type SqliteHandle } from '../../server/db/sqlite.ts';

// Rows read one at a time from the reader (the revision's workbook, Personer). While such a
// statement is open, its connection reads one snapshot, so it must start only when iterated and
// end when the loop ends, however it ends.

let dir: string;
let h: SqliteHandle;
const statements: string[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kk-row-source-'));
  h = openSqlite(join(dir, 'kk.db'), { onQuery: (s) => statements.push(s) });
  h.sqlite.exec('CREATE TABLE t (n INTEGER)');
  h.sqlite.prepare('INSERT INTO t (n) VALUES (1), (2), (3)').run();
});
afterEach(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

const all = sql<{ n: number }>`SELECT n FROM t ORDER BY n`;
const add = (n: number) => sql`INSERT INTO t (n) VALUES (${n})`.execute(h.db);
const read = async () => (await all.execute(h.db)).rows.map((r) => r.n);

it('reads nothing before the rows are iterated, and each iteration reads afresh', async () => {
  statements.length = 0;
  const rows = await rowsLater(h.db, all.compile(h.db));
  await add(4);
  expect([...rows].map((r) => r.n)).toEqual([1, 2, 3, 4]);
  await add(5);
  expect([...rows].map((r) => r.n)).toEqual([1, 2, 3, 4, 5]);
  // Logged as the statements Kysely runs are.
  expect(statements.filter((s) => s.startsWith('SELECT n FROM t'))).toHaveLength(2);
});

it('ends the statement when the loop stops early, so the reader sees later writes', async () => {
  const rows = await rowsLater(h.db, all.compile(h.db));
  for (const r of rows) {
    expect(r.n).toBe(1);
    break;
  }
  await add(4);
  expect(await read()).toEqual([1, 2, 3, 4]);
});

it('(why) a statement left open holds the reader on the snapshot it began with', async () => {
  const it = (await rowsLater(h.db, all.compile(h.db)))[Symbol.iterator]();
  expect(it.next().value).toEqual({ n: 1 });
  await add(4);
  expect(await read()).toEqual([1, 2, 3]);
  it.return?.();
  expect(await read()).toEqual([1, 2, 3, 4]);
});
