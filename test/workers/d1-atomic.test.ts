/// <reference types="@cloudflare/vitest-pool-workers/types" />
import { env, reset } from 'cloudflare:test';
import type { D1Database } from '@cloudflare/workers-types';
import { CompiledQuery } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { AtomicWriteError, D1_BATCH_STATEMENTS, d1Atomic } from '../../server/db/atomic.ts';

// What d1Atomic promises, on the local D1 itself (workerd only): one batch is a transaction; a
// longer list runs batch after batch, and only a failure after the first batch runs the undo.

const DB = (env as unknown as { DB: D1Database }).DB;
const q = (sql: string, ...params: unknown[]) => CompiledQuery.raw(sql, params);
const insert = (i: number, v = 'ok') => q('INSERT INTO t (id, v) VALUES (?, ?)', i, v);
const rows = async () => ((await DB.prepare('SELECT count(*) AS n FROM t').first<{ n: number }>())?.n ?? 0);
const seen = async () => (await DB.prepare('SELECT n FROM undo_saw ORDER BY rowid').all<{ n: number }>()).results.map((r) => r.n);

beforeEach(async () => {
  await reset();
  await DB.batch([
    DB.prepare("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL CHECK (v <> 'bad'))"),
    DB.prepare('CREATE TABLE undo_saw (n INTEGER NOT NULL)'),
  ]);
});

// The undo first notes how many rows it found, so the test knows what had been committed when it ran.
const undo = [q('INSERT INTO undo_saw (n) SELECT count(*) FROM t'), q('DELETE FROM t')];
const list = (n: number, badAt = -1) => Array.from({ length: n }, (_, i) => insert(i + 1, i === badAt ? 'bad' : 'ok'));

describe('d1Atomic', () => {
  it('runs a list that fits in one batch as one transaction, without the undo', async () => {
    const atomic = d1Atomic(DB);
    await expect(atomic(list(D1_BATCH_STATEMENTS, D1_BATCH_STATEMENTS - 1), { undo })).rejects.toThrow(/CHECK constraint/);
    expect(await rows()).toBe(0);
    expect(await seen()).toEqual([]);
  });

  it('undoes the batches already committed when a later one fails, and rethrows the failure', async () => {
    const atomic = d1Atomic(DB);
    const n = 2 * D1_BATCH_STATEMENTS + 10;
    // Fails in the third batch: the first two (1 000 rows) were committed when the undo ran.
    await expect(atomic(list(n, n - 1), { undo })).rejects.toThrow(/CHECK constraint/);
    expect(await seen()).toEqual([2 * D1_BATCH_STATEMENTS]);
    expect(await rows()).toBe(0);
  });

  it('leaves a failure in the first batch to D1 alone: nothing was committed, no undo runs', async () => {
    const atomic = d1Atomic(DB);
    await expect(atomic(list(D1_BATCH_STATEMENTS + 10, 3), { undo })).rejects.toThrow(/CHECK constraint/);
    expect(await seen()).toEqual([]);
    expect(await rows()).toBe(0);
  });

  it('says so when the undo itself fails, and what was committed stays for the caller to find', async () => {
    const atomic = d1Atomic(DB);
    const broken = [q('DELETE FROM no_such_table')];
    const err = await atomic(list(D1_BATCH_STATEMENTS + 10, D1_BATCH_STATEMENTS + 5), { undo: broken }).catch((e) => e);
    expect(err).toBeInstanceOf(AtomicWriteError);
    expect(String((err as AtomicWriteError).cause)).toMatch(/CHECK constraint/);
    expect(String((err as AtomicWriteError).undoFailed)).toMatch(/no such table/);
    expect(await rows()).toBe(D1_BATCH_STATEMENTS);
  });

  it('refuses a statement past D1 limits before sending anything, wherever it is in the list', async () => {
    const atomic = d1Atomic(DB);
    const tooMany = q(`SELECT ${Array.from({ length: 101 }, () => '?').join(', ')}`, ...Array.from({ length: 101 }, (_, i) => i));
    await expect(atomic([...list(D1_BATCH_STATEMENTS + 10), tooMany])).rejects.toThrow(/101 parameters/);
    await expect(atomic(list(3), { undo: [tooMany] })).rejects.toThrow(/101 parameters/);
    expect(await rows()).toBe(0);
  });

  it('reports progress once a batch', async () => {
    const atomic = d1Atomic(DB);
    const calls: [number, number][] = [];
    const n = D1_BATCH_STATEMENTS + 10;
    await atomic(list(n), { onProgress: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([[D1_BATCH_STATEMENTS, n], [n, n]]);
    expect(await rows()).toBe(n);
  });
});
