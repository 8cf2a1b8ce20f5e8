import type { CompiledQuery } from 'kysely';
import type { Db } from './schema.ts';

/**
 * Runs a list of prepared statements all-or-nothing. Writes that must not be half-done (an import
 * batch, a requirement with its relations) are built first as compiled queries, then handed here:
 * on Node they run in one SQLite transaction; on Workers the D1 entry supplies a runner that sends
 * them as D1 batches. Build the statements with `db.insertInto(...).compile()` etc.
 * `onProgress`, when a runner supports it, hears how many statements have run (a long import's
 * progress bar); a runner may ignore it.
 */
export type AtomicRunner = (queries: readonly CompiledQuery[], opts?: AtomicOptions) => Promise<void>;

export interface AtomicOptions {
  onProgress?: (done: number, total: number) => void;
}

const PROGRESS_EVERY = 250;
const YIELD_AFTER_MS = 8;

export function sqliteAtomic(db: Db): AtomicRunner {
  return async (queries, opts = {}) => {
    await db.transaction().execute(async (tx) => {
      let done = 0;
      let since = performance.now();
      for (const q of queries) {
        await tx.executeQuery(q);
        if (++done % PROGRESS_EVERY === 0) opts.onProgress?.(done, queries.length);
        // better-sqlite3 is synchronous: without a turn of the event loop now and then, a long
        // batch would hold every other request (and its own progress lines) until it ends. By
        // time, not by count: 250 wide inserts took ~40 ms, a visible stall for every reader
        // (`npm run bench`, my-training while 300 000 completions commit).
        if (performance.now() - since > YIELD_AFTER_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          since = performance.now();
        }
      }
    });
  };
}
