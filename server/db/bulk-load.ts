import { sql, type CompiledQuery, type Transaction } from 'kysely';
import { RowsInsert } from './rows-insert.ts';
import type { Database } from './schema.ts';

/** Rows an insert must have, at least, for its table's indexes to be set aside while it runs. */
export const BULK_LOAD_ROWS = 10_000;

/** The writer's page cache from a transaction's first load to its end, in KiB. */
export const BULK_LOAD_CACHE_KIB = 24 * 1024;

interface Index {
  name: string;
  sql: string;
}

/**
 * Large inserts in one SQLite transaction, a table at a time (`RowsInsert.load`): the table's
 * non-unique indexes dropped before its rows and built again after its last one, and a larger page
 * cache from the first such load to the end of the transaction. A rollback puts the indexes back
 * as they were. Call `next` before each statement, `end` after the last, and `close` in any case.
 *
 * SQLite keeps an index as the rows come; where they come in another order than the index's
 * (employments by person, the index by unit; people by number, the index by e-mail) each row lands
 * on a page of its own, and once the index outgrows the page cache every row reads and rewrites
 * one. Built again from all rows, the index is written in order. The larger cache holds the pages
 * the transaction has changed by then (the new people, their indexes, the employments so far); the
 * writer's 8 MB is sized for short commits (`sqlite.ts`). It is not the employments' foreign key:
 * with it off, or the employments written by person, the write took as long. The scale-4 roster's
 * write (194 000 employments, timed with temporary timers inside the server over the scale-4 bench
 * city's import phase run alone; the bench's own figure is the roster's rows per second,
 * docs/performance.md): ~6.1 s with the indexes kept as the rows came, ~3.2 s set aside; the
 * employments alone ~1.8 s with a 16 MB cache and ~0.65 s with 24 or 32 MB (3.3 µs a row, against
 * the city's ~5 µs: its new people and employments fit in any of them). The cache's pages stay in
 * the server's RSS after the write: in the bench's scale-4 runs the import phase peaked at
 * 350 – 410 MB with 32 MB (the target is 400), 346 – 370 MB with 16 MB and 343 – 389 MB with
 * 24 MB (one run of the import phase alone, without the bench, 399).
 *
 * Unique indexes stay, as their checks must be made row by row. A table is loaded this way only
 * when the insert is at least as large as what it holds already: building an index reads it all.
 */
export function bulkLoads(tx: Transaction<Database>) {
  let cache: number | null = null;
  let aside: { table: string; indexes: Index[] } | null = null;
  // A table's load is judged on its first statement: a load refused (its table larger) would
  // otherwise ask again for every few dozen rows.
  const judged = new Set<string>();
  const rebuild = async () => {
    for (const i of aside!.indexes) await sql.raw(i.sql).execute(tx);
    aside = null;
  };
  return {
    async next(q: CompiledQuery): Promise<void> {
      const rows = q instanceof RowsInsert ? q : null;
      if (aside && rows?.table !== aside.table) await rebuild();
      if (aside || !rows?.load || rows.load < BULK_LOAD_ROWS || judged.has(rows.table)) return;
      judged.add(rows.table);
      const held = await sql<{ n: number | null }>`select max(rowid) as n from ${sql.table(rows.table)}`.execute(tx);
      if ((held.rows[0]?.n ?? 0) > rows.load) return;
      const all = await sql<Index>`select name, sql from sqlite_master where type = 'index' and tbl_name = ${rows.table} and sql is not null`.execute(tx);
      const indexes = all.rows.filter((i) => !/^\s*create\s+unique\b/i.test(i.sql));
      for (const i of indexes) await sql`drop index ${sql.id(i.name)}`.execute(tx);
      aside = { table: rows.table, indexes };
      if (cache === null) {
        cache = Number((await sql<{ cache_size: number }>`pragma cache_size`.execute(tx)).rows[0].cache_size);
        await sql.raw(`pragma cache_size = -${BULK_LOAD_CACHE_KIB}`).execute(tx);
      }
    },
    /** After the last statement: the indexes of a load still set aside built again. */
    async end(): Promise<void> {
      if (aside) await rebuild();
    },
    /** Whether the write succeeded or not: the cache is the connection's, not the transaction's. */
    async close(): Promise<void> {
      if (cache !== null) await sql.raw(`pragma cache_size = ${cache}`).execute(tx);
      cache = null;
    },
  };
}
