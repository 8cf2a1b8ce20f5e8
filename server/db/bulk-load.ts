import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** Rows an insert must have, at least, for its table's indexes to be set aside while it runs. */
export const BULK_LOAD_ROWS = 10_000;

/**
 * A table's non-unique indexes dropped for a large insert and built again after it, inside the
 * same transaction (SQLite only; a rollback puts them back as they were). SQLite keeps an index
 * as the rows come; where they come in another order than the index's (employments by person, the
 * index by unit) each row lands on a page of its own, and once the index outgrows the page cache
 * every row reads and rewrites one. Built again from all rows, the index is written in order:
 * `npm run bench -- --scale 4`, 194 000 employments: ~1.9 s kept as they came against ~0.9 s
 * dropped and built again; the same at the city's 48 000.
 * Unique indexes stay, as their checks must be made row by row. Only when the insert is at least
 * as large as what the table holds already: building an index reads the whole table.
 */
export async function setIndexesAside(tx: Transaction<Database>, table: string, rows: number): Promise<(() => Promise<void>) | null> {
  if (rows < BULK_LOAD_ROWS) return null;
  const held = await sql<{ n: number | null }>`select max(rowid) as n from ${sql.table(table)}`.execute(tx);
  if ((held.rows[0]?.n ?? 0) > rows) return null;
  const indexes = await sql<{ name: string; sql: string }>`select name, sql from sqlite_master where type = 'index' and tbl_name = ${table} and sql is not null`.execute(tx);
  const aside = indexes.rows.filter((i) => !/^\s*create\s+unique\b/i.test(i.sql));
  if (!aside.length) return null;
  for (const i of aside) await sql`drop index ${sql.id(i.name)}`.execute(tx);
  return async () => {
    for (const i of aside) await sql.raw(i.sql).execute(tx);
  };
}
