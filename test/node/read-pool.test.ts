import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ReadPool } from '../../server/db/read-pool.ts';

// The pool sends a statement's text to a thread once and then only its key, and tells a thread
// to forget them all past 200. These pin that the answers stay right across that.

let dir: string;
let pool: ReadPool;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kk-read-pool-'));
  const db = new BetterSqlite3(join(dir, 'kk.db'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (n INTEGER)');
  db.prepare('INSERT INTO t (n) VALUES (?), (?), (?)').run(1, 2, 3);
  db.close();
  pool = new ReadPool(join(dir, 'kk.db'), 2);
});
afterEach(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

const q = (sql: string, ...parameters: unknown[]) => CompiledQuery.raw(sql, parameters);

it('answers each query of a batch in order, with parameters bound afresh each time', async () => {
  const sum = 'SELECT sum(n) AS s FROM t WHERE n >= ?';
  expect(await pool.batch([q(sum, 2), q('SELECT count(*) AS c FROM t'), q(sum, 3)])).toEqual([[{ s: 5 }], [{ c: 3 }], [{ s: 3 }]]);
  // The same text again (now sent by key only), on both threads.
  expect(await pool.batch([q(sum, 1)])).toEqual([[{ s: 6 }]]);
  expect(await pool.batch([q(sum, 1)])).toEqual([[{ s: 6 }]]);
});

it('keeps answering right after a thread is told to forget its statements', async () => {
  // 450 distinct texts, shared out between two threads, pass the 200 each keeps; each answer names its own k.
  for (let k = 0; k < 450; k++) {
    const [[row]] = await pool.batch<{ k: number; s: number }>([q(`SELECT ${k} AS k, sum(n) * ? AS s FROM t`, k)]);
    expect(row).toEqual({ k, s: 6 * k });
  }
  // Texts sent before the forgetting are sent again, not looked up by a key the thread dropped.
  expect(await pool.batch([q('SELECT 0 AS k, sum(n) * ? AS s FROM t', 2)])).toEqual([[{ k: 0, s: 12 }]]);
});

it('gives the error of a bad statement every time, not a missing key the second time', async () => {
  for (let i = 0; i < 4; i++) await expect(pool.batch([q('SELECT nope FROM t')])).rejects.toThrow(/no such column: nope/);
  expect(pool.partitions).toBe(2);
});

it('sends a batch past a thread busy with a long count share, not behind it', async () => {
  // A share that takes a while on its thread (counting to three million in SQL).
  let longDone = false;
  const long = pool
    .all([q('WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?) SELECT count(*) AS n FROM c', 3_000_000)])
    .then((rows) => {
      longDone = true;
      return rows;
    });
  // Two batches one after the other: both are answered by the free thread while the share runs.
  for (let i = 0; i < 2; i++) {
    expect(await pool.batch([q('SELECT count(*) AS c FROM t')])).toEqual([[{ c: 3 }]]);
    expect(longDone).toBe(false);
  }
  expect(await long).toEqual([[{ n: 3_000_000 }]]);
});
