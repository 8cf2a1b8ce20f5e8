import type { CompiledQuery } from 'kysely';
import type { D1Database, D1PreparedStatement } from '@cloudflare/workers-types';
import { pacer } from '../pace.ts';
import { bulkLoads } from './bulk-load.ts';
import { MAX_BOUND_PARAMS } from './chunks.ts';
import type { Db } from './schema.ts';

export interface AtomicOptions {
  /**
   * Statements that take back what `queries` wrote (typically `DELETE … WHERE import_batch_id = ?`
   * and restoring rows the write changed). Node never needs them (one transaction). On D1 they run
   * only when a write too large for one D1 batch fails after an earlier batch was committed.
   */
  undo?: readonly CompiledQuery[];
  /** How many statements have run (a long import's progress); a runner may call it sparsely. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs a list of prepared statements all-or-nothing. Writes that must not be half-done (an import
 * batch, a requirement with its relations) are built first as compiled queries, then handed here:
 * on Node they run in one SQLite transaction; on Workers as D1 batches (each batch is one
 * transaction). Build the statements with `db.insertInto(...).compile()` etc.; later statements
 * find rows written by earlier ones with subqueries (e.g. a requirement's id by its code), since
 * nothing is returned between them.
 */
export type AtomicRunner = (queries: readonly CompiledQuery[], opts?: AtomicOptions) => Promise<void>;

const PROGRESS_EVERY = 250;

/**
 * Statements built as they are run (an import's bulk inserts: the SQL of a million rows built up
 * front would be held whole until the commit), with their count known beforehand for progress.
 */
export interface LazyStatements {
  readonly length: number;
  [Symbol.asyncIterator](): AsyncIterator<CompiledQuery>;
}
export type Statements = readonly CompiledQuery[] | LazyStatements;

/** A runner that can take statements as they are built (Node's; D1's takes a list). */
type Streaming = { streaming?: (queries: Statements, opts?: AtomicOptions) => Promise<void> };

/** Several statement lists as one, each built when the write reaches it. */
export function concatStatements(...parts: Statements[]): LazyStatements {
  return {
    length: parts.reduce((n, p) => n + p.length, 0),
    async *[Symbol.asyncIterator]() {
      for (const p of parts) yield* p as AsyncIterable<CompiledQuery>;
    },
  };
}

export async function materialize(queries: Statements): Promise<readonly CompiledQuery[]> {
  if (Array.isArray(queries)) return queries as readonly CompiledQuery[];
  const out: CompiledQuery[] = [];
  for await (const q of queries as LazyStatements) out.push(q);
  return out;
}

/** Runs statements all-or-nothing: as they are built where the runner can, else listed first. */
export async function runAtomic(atomic: AtomicRunner, queries: Statements, opts?: AtomicOptions): Promise<void> {
  const streaming = (atomic as AtomicRunner & Streaming).streaming;
  if (streaming) return streaming(queries, opts);
  return atomic(await materialize(queries), opts);
}

export function sqliteAtomic(db: Db): AtomicRunner {
  const run = async (queries: Statements, { onProgress }: AtomicOptions = {}) => {
    if (!queries.length) return;
    await db.transaction().execute(async (tx) => {
      let done = 0;
      // better-sqlite3 is synchronous: without a turn of the event loop now and then, a long
      // batch would hold every other request (and its own progress lines) until it ends. By
      // time, not by count: 250 wide inserts took ~40 ms, a visible stall for every reader
      // (`npm run bench`, my-training while 300 000 completions commit).
      const pause = pacer();
      // Large inserts with their tables' indexes set aside (`bulk-load.ts`).
      const loads = bulkLoads(tx);
      for await (const q of queries as AsyncIterable<CompiledQuery>) {
        await loads.next(q);
        await tx.executeQuery(q);
        if (++done % PROGRESS_EVERY === 0) onProgress?.(done, queries.length);
        await pause();
      }
      await loads.end();
    });
  };
  const runner: AtomicRunner & Streaming = (queries, opts) => run(queries, opts);
  runner.streaming = run;
  return runner;
}

/** D1's documented limits (developers.cloudflare.com/d1/platform/limits). */
export const D1_MAX_STATEMENT_BYTES = 100_000;
/**
 * Statements per D1 batch. D1 documents no count limit for a batch, but a batch must finish within
 * the 30 s query limit; 500 small inserts (≤ 100 values each, i.e. ≤ 50 000 values) run in well
 * under a second. Everything that fits in one batch is one transaction.
 */
export const D1_BATCH_STATEMENTS = 500;

export class AtomicWriteError extends Error {
  constructor(
    message: string,
    override readonly cause: unknown,
    /** The undo statements themselves failed: rows of the failed write may remain. */
    readonly undoFailed: unknown = null,
  ) {
    super(message);
  }
}

function checkLimits(q: CompiledQuery) {
  if (q.parameters.length > MAX_BOUND_PARAMS) {
    throw new Error(`A statement binds ${q.parameters.length} parameters; D1 allows ${MAX_BOUND_PARAMS} (chunk it).`);
  }
  if (new TextEncoder().encode(q.sql).length > D1_MAX_STATEMENT_BYTES) {
    throw new Error(`A statement is longer than D1's ${D1_MAX_STATEMENT_BYTES} bytes.`);
  }
}

export function batches<T>(items: readonly T[], size = D1_BATCH_STATEMENTS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * D1: one `batch()` per up to D1_BATCH_STATEMENTS statements. A write that fits in one batch is
 * a real transaction. A larger one runs batch after batch; when batch k > 0 fails, batches 0…k-1
 * are already committed, so the caller's undo statements are run to take them back before the
 * error is rethrown. Between batches other requests can see the partial write (no isolation).
 */
export function d1Atomic(d1: D1Database, opts: { onStatement?: (sql: string) => void } = {}): AtomicRunner {
  const prepare = (q: CompiledQuery): D1PreparedStatement => {
    opts.onStatement?.(q.sql);
    return d1.prepare(q.sql).bind(...(q.parameters as unknown[]));
  };
  return async (queries, { undo = [], onProgress } = {}) => {
    queries.forEach(checkLimits);
    undo.forEach(checkLimits);
    const parts = batches(queries);
    for (let i = 0; i < parts.length; i++) {
      try {
        await d1.batch(parts[i].map(prepare));
        onProgress?.(Math.min((i + 1) * D1_BATCH_STATEMENTS, queries.length), queries.length);
      } catch (e) {
        if (i === 0 || !undo.length) throw e;
        try {
          for (const part of batches(undo)) await d1.batch(part.map(prepare));
        } catch (undoError) {
          throw new AtomicWriteError('A write failed after its first D1 batch and could not be undone.', e, undoError);
        }
        throw e;
      }
    }
  };
}
