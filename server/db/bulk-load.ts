import { sql, type CompiledQuery, type Transaction } from 'kysely';
import { RowsInsert } from './rows-insert.ts';
import type { Database } from './schema.ts';

/** Rows an insert must have, at least, for its table's indexes to be set aside while it runs. */
export const BULK_LOAD_ROWS = 10_000;

/** An index or trigger as `sqlite_master` gives it, to be created again from its SQL. */
interface Index {
  name: string;
  sql: string;
}

/**
 * An insert trigger that fires only for rows without an import batch (`sql/0012_reports.sql`'s
 * `employment_changed_insert`), set aside with the indexes while a load's rows all carry one, and
 * put back before any row that does not. Its WHEN is false for every row of an import, but a table
 * with an insert trigger has each insert run with a statement journal, and once the transaction's
 * changed pages outgrow the writer's cache every row paid for it: 200 000 employments after 160 000
 * new people took ~25 µs a row with a 16 MB cache and ~3 µs without the trigger (a one-off script
 * against this schema); in the scale-4 bench city's roster, with four times the city's units,
 * ~13 µs a row with a 24 MB cache and ~3 µs set aside with the writer's own 8 MB.
 */
const BATCH_ONLY_TRIGGER = /^\s*create\s+trigger\s+\S+\s+after\s+insert\s+on\s+\S+\s+when\s+new\.import_batch_id\s+is\s+null\s+begin\b/i;

/** Every row of the statement names its import batch: a batch-only trigger would fire for none. */
const allInBatch = (q: RowsInsert) => {
  const at = q.columns.indexOf('import_batch_id');
  return at >= 0 && q.rows.every((row) => row[at] !== null);
};

/**
 * Large inserts in one SQLite transaction, a table at a time (`RowsInsert.load`): the table's
 * non-unique indexes (and a batch-only insert trigger, above) dropped before its rows and made
 * again after its last one. A rollback puts them back as they were. Call `next` before each
 * statement and `end` after the last.
 *
 * SQLite keeps an index as the rows come; where they come in another order than the index's
 * (employments by person, the index by unit; people by number, the index by e-mail) each row lands
 * on a page of its own, and once the index outgrows the page cache every row reads and rewrites
 * one. Built again from all rows, the index is written in order. The scale-4 roster's write
 * (194 000 employments, timed with temporary timers inside the server over the scale-4 bench city's
 * import phase run alone; the bench's own figure is the roster's rows per second,
 * docs/performance.md): ~6.1 s with the indexes kept as the rows came, ~3.2 s set aside. Until the
 * trigger was set aside too, the writer's cache was raised to 24 MB for the load (the pages the
 * transaction had changed had to fit, or each row paid the statement journal's price); set aside,
 * the employments take ~3 – 3.7 µs a row with the writer's own 8 MB at the city and at scale 4.
 *
 * Unique indexes stay, as their checks must be made row by row. A table is loaded this way only
 * when the insert is at least as large as what it holds already: building an index reads it all.
 */
export function bulkLoads(tx: Transaction<Database>) {
  let aside: { table: string; indexes: Index[]; triggers: Index[] } | null = null;
  // A table's load is judged on its first statement: a load refused (its table larger) would
  // otherwise ask again for every few dozen rows.
  const judged = new Set<string>();
  const putBack = async (triggers: Index[]) => {
    for (const t of triggers.splice(0)) await sql.raw(t.sql).execute(tx);
  };
  const rebuild = async () => {
    for (const i of aside!.indexes) await sql.raw(i.sql).execute(tx);
    await putBack(aside!.triggers);
    aside = null;
  };
  return {
    async next(q: CompiledQuery): Promise<void> {
      const rows = q instanceof RowsInsert ? q : null;
      if (aside && rows?.table !== aside.table) await rebuild();
      // A row without a batch would fire a trigger set aside: it is back before that row goes in.
      if (aside?.triggers.length && !allInBatch(rows!)) await putBack(aside.triggers);
      if (aside || !rows?.load || rows.load < BULK_LOAD_ROWS || judged.has(rows.table)) return;
      judged.add(rows.table);
      const held = await sql<{ n: number | null }>`select max(rowid) as n from ${sql.table(rows.table)}`.execute(tx);
      if ((held.rows[0]?.n ?? 0) > rows.load) return;
      const all = await sql<Index>`select name, sql from sqlite_master where type = 'index' and tbl_name = ${rows.table} and sql is not null`.execute(tx);
      const indexes = all.rows.filter((i) => !/^\s*create\s+unique\b/i.test(i.sql));
      for (const i of indexes) await sql`drop index ${sql.id(i.name)}`.execute(tx);
      const triggers = allInBatch(rows) ? (await sql<Index>`select name, sql from sqlite_master where type = 'trigger' and tbl_name = ${rows.table}`.execute(tx)).rows.filter((t) => BATCH_ONLY_TRIGGER.test(t.sql)) : [];
      for (const t of triggers) await sql`drop trigger ${sql.id(t.name)}`.execute(tx);
      aside = { table: rows.table, indexes, triggers };
    },
    /** After the last statement: the indexes and trigger of a load still set aside made again. */
    async end(): Promise<void> {
      if (aside) await rebuild();
    },
  };
}
