import { sql } from 'kysely';
import type { Db } from '../db/schema.ts';

/**
 * Finding people to record or exempt, by name or employee number, among those the caller may act
 * on: employed on the day asked about (or today) in a unit under one the caller holds the role
 * for, or anyone for a reach over the whole city. A short list, never the whole register.
 */

export interface FoundPerson {
  employeeNumber: string;
  name: string;
  unit: { code: string; name: string };
}

export const SEARCH_LIMIT = 20;

/** SQLite's lower() folds ASCII only: Swedish capitals are folded by hand. */
const folded = sql.raw(`replace(replace(replace(replace(lower(p.name), 'Å', 'å'), 'Ä', 'ä'), 'Ö', 'ö'), 'É', 'é')`);

const likeEscaped = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

async function searchOn(db: Db, reach: { all: boolean; units: string[] }, q: string, date: string): Promise<FoundPerson[]> {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 4);
  if (!words.length || (!reach.all && !reach.units.length)) return [];
  const byName = sql.join(
    words.map((w) => sql`${folded} LIKE ${`%${likeEscaped(w)}%`} ESCAPE '\\'`),
    sql` AND `,
  );
  const down = reach.all
    ? sql``
    : sql`WITH RECURSIVE down(code) AS (
        SELECT column1 FROM (VALUES ${sql.join(reach.units.map((u) => sql`(${u})`))})
        UNION
        SELECT c.code FROM org_unit c JOIN down ON c.parent_code = down.code
        WHERE c.valid_from <= ${date} AND (c.valid_to IS NULL OR c.valid_to >= ${date})
      )`;
  const { rows } = await sql<{ employee_number: string; name: string; unit_code: string; unit_name: string | null }>`${down}
    SELECT p.employee_number, p.name, m.unit_code, o.name AS unit_name
    FROM (
      SELECT e.person_id, MIN(e.unit_code) AS unit_code FROM employment e
      JOIN person p ON p.id = e.person_id
      WHERE p.anonymised_at IS NULL AND e.start_date <= ${date} AND (e.end_date IS NULL OR e.end_date >= ${date})
        ${reach.all ? sql`` : sql`AND e.unit_code IN (SELECT code FROM down)`}
        AND ((${byName}) OR p.employee_number LIKE ${`${likeEscaped(q.trim())}%`} ESCAPE '\\')
      GROUP BY e.person_id
    ) m
    JOIN person p ON p.id = m.person_id
    LEFT JOIN org_unit o ON o.code = m.unit_code AND o.valid_from <= ${date} AND (o.valid_to IS NULL OR o.valid_to >= ${date})
    ORDER BY p.name, p.employee_number
    LIMIT ${SEARCH_LIMIT}`.execute(db);
  return rows.map((r) => ({ employeeNumber: r.employee_number, name: r.name, unit: { code: r.unit_code, name: r.unit_name ?? r.unit_code } }));
}

/** People matching every word of `q` in their name, or whose employee number starts with `q`. */
export async function searchPeople(db: Db, reach: { all: boolean; units: string[] }, q: string, dates: string[]): Promise<FoundPerson[]> {
  const seen = new Map<string, FoundPerson>();
  for (const date of [...new Set(dates)]) {
    for (const p of await searchOn(db, reach, q, date)) if (!seen.has(p.employeeNumber)) seen.set(p.employeeNumber, p);
  }
  return [...seen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.employeeNumber < b.employeeNumber ? -1 : 1)).slice(0, SEARCH_LIMIT);
}
