import type { CompiledQuery } from 'kysely';
import type { Db } from './schema.ts';

/**
 * Read connections beside the main one (`read-pool.ts` on Node: a thread each), for work that
 * would otherwise hold the event loop.
 *
 * - `all`: one statement per partition of the persons, side by side. A city-wide count is one long
 *   statement that no single connection can share out; split by person it is as many shorter ones
 *   whose figures add up, because every person falls in exactly one partition.
 * - `batch`: a few short statements on one thread in one message. A request made of several
 *   (my-training: one per requirement) then costs the event loop one round trip instead of their
 *   SQLite time, and the other core runs them.
 *
 * Where no runner is set (D1, the tests' databases) the statements run on `db` as before.
 */
export interface ReadRunner {
  /** How many threads `all` shares out to; 1 when they cannot be used (callers then use `db`). */
  readonly partitions: number;
  /** The rows of each query, each on a thread of its own, in order. */
  all<R>(queries: readonly CompiledQuery[]): Promise<R[][]>;
  /** The rows of each query, all run on one thread in one read transaction, in order. */
  batch<R>(queries: readonly CompiledQuery[]): Promise<R[][]>;
}

const runners = new WeakMap<Db, ReadRunner>();

export function setReadRunner(db: Db, runner: ReadRunner): void {
  runners.set(db, runner);
}

export function readRunnerOf(db: Db): ReadRunner | undefined {
  return runners.get(db);
}

/** The rows of each read-only query: in one `batch` where threads can be used, else one by one on `db`. */
export async function readBatch<R>(db: Db, queries: readonly CompiledQuery<R>[]): Promise<R[][]> {
  // Nothing to read is no reason for a round trip to a thread.
  if (!queries.length) return [];
  const runner = runners.get(db);
  if (runner && runner.partitions > 1) return runner.batch<R>(queries);
  const out: R[][] = [];
  for (const q of queries) out.push((await db.executeQuery(q)).rows);
  return out;
}
