import type { CompiledQuery } from 'kysely';
import type { Db } from './schema.ts';

/**
 * Rows of a read-only statement one at a time, for answers too large to hold as one array of
 * objects (the revision's workbook with every person of the city: `npm run bench`).
 *
 * On better-sqlite3 the statement is stepped as the caller iterates; while it is open, its
 * connection reads one snapshot for every statement, the other requests' too. So the rows must be
 * read to the end in one synchronous stretch, never across an `await` or a slow client: callers
 * consume them inside a synchronous writer. Where no source is set (D1, in-memory databases) the
 * rows are fetched at once, as `executeQuery` would.
 */
export type RowSource = <R>(q: CompiledQuery<R>) => Iterable<R>;

const sources = new WeakMap<Db, RowSource>();

export function setRowSource(db: Db, source: RowSource): void {
  sources.set(db, source);
}

/**
 * The rows of `q`, to be iterated later without awaiting in between: nothing is read before the
 * iteration starts (better-sqlite3), or everything now (D1).
 */
export async function rowsLater<R>(db: Db, q: CompiledQuery<R>): Promise<Iterable<R>> {
  const source = sources.get(db);
  if (source) return { [Symbol.iterator]: () => source(q)[Symbol.iterator]() };
  return (await db.executeQuery(q)).rows;
}
