import type { CompiledQuery } from 'kysely';
import type { Db } from './schema.ts';

/**
 * Runs a list of prepared statements all-or-nothing. Writes that must not be half-done (an import
 * batch, a requirement with its relations) are built first as compiled queries, then handed here:
 * on Node they run in one SQLite transaction; on Workers the D1 entry supplies a runner that sends
 * them as D1 batches. Build the statements with `db.insertInto(...).compile()` etc.
 */
export type AtomicRunner = (queries: readonly CompiledQuery[]) => Promise<void>;

export function sqliteAtomic(db: Db): AtomicRunner {
  return async (queries) => {
    await db.transaction().execute(async (tx) => {
      for (const q of queries) await tx.executeQuery(q);
    });
  };
}
