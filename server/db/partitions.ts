import type { CompiledQuery } from 'kysely';
import type { Db } from './schema.ts';

/**
 * Runs one statement per partition of the persons side by side, each on a connection of its own
 * (`read-pool.ts` on Node: a thread per core). A city-wide count is one long statement that no
 * single connection can share out; split by person it is as many shorter ones whose figures add
 * up, because every person falls in exactly one partition. Where no runner is set (D1, the
 * tests' databases) the one whole statement runs as before.
 */
export interface PartitionRunner {
  readonly partitions: number;
  /** The rows of each query, in order. */
  all<R>(queries: readonly CompiledQuery[]): Promise<R[][]>;
}

const runners = new WeakMap<Db, PartitionRunner>();

export function setPartitionRunner(db: Db, runner: PartitionRunner): void {
  runners.set(db, runner);
}

export function partitionRunnerOf(db: Db): PartitionRunner | undefined {
  return runners.get(db);
}
