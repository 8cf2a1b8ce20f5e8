import type { Insertable } from 'kysely';
import { chunkRows } from '../db/chunks.ts';
import type { CompletionTable, Db, EmploymentTable, OrgUnitTable, PersonTable } from '../db/schema.ts';

/**
 * Plain inserts of the register's records, chunked within D1's parameter limit. Imports, the
 * demo city and the tests' fixtures all write through these.
 */

export async function insertUnits(db: Db, rows: Insertable<OrgUnitTable>[]): Promise<void> {
  for (const chunk of chunkRows(rows)) await db.insertInto('org_unit').values(chunk).execute();
}

/** Inserts people and returns their ids by employee number. */
export async function insertPeople(db: Db, rows: Insertable<PersonTable>[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const chunk of chunkRows(rows)) {
    const inserted = await db.insertInto('person').values(chunk).returning(['id', 'employee_number']).execute();
    for (const p of inserted) ids.set(p.employee_number, p.id);
  }
  return ids;
}

export async function insertEmployments(db: Db, rows: Insertable<EmploymentTable>[]): Promise<void> {
  for (const chunk of chunkRows(rows)) await db.insertInto('employment').values(chunk).execute();
}

export async function insertCompletions(db: Db, rows: Insertable<CompletionTable>[]): Promise<void> {
  for (const chunk of chunkRows(rows)) await db.insertInto('completion').values(chunk).execute();
}
