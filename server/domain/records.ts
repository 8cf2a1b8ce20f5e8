import type { Insertable } from 'kysely';
import { chunkRows } from '../db/chunks.ts';
import type { CompletionTable, Db, EmploymentTable, OrgUnitTable, PersonTable } from '../db/schema.ts';
import { expiresOn } from './expiry.ts';

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

/** Completions, each with its expiry (`expiresOn`) from its course's validity as it is now. */
export async function insertCompletions(db: Db, rows: Omit<Insertable<CompletionTable>, 'expires_on'>[]): Promise<void> {
  const validity = await courseValidity(db);
  const full = rows.map((r) => ({ ...r, expires_on: expiresOn(r.status, r.occurred_at, validity.get(r.course_id) ?? null) }));
  for (const chunk of chunkRows(full)) await db.insertInto('completion').values(chunk).execute();
}

/** Each course's `validity_months` by id (a few dozen courses at most). */
export async function courseValidity(db: Db): Promise<Map<number, number | null>> {
  const courses = await db.selectFrom('course').select(['id', 'validity_months']).execute();
  return new Map(courses.map((c) => [c.id, c.validity_months]));
}
