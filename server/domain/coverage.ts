import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/schema.ts';
import { addDays } from './calendar.ts';
import { ceilTimes, parseDecimal } from './exact.ts';
import { isEffective, type RequirementSpec } from './requirements.ts';

/**
 * DESIGN.md "Coverage, exactly", as SQL. Every figure (unit totals, child units, the people list,
 * my training, the trend, the export) comes from the one per-person status built here, so no two
 * views can disagree. The number of statements never depends on the number of units or people.
 */

export type PersonStatus = 'completed' | 'started' | 'not_started';

export interface Figures {
  population: number;
  completed: number;
  started: number;
  notStarted: number;
  overdue: number;
  reached: number;
  rate: number | null;
  target: number;
  gap: number;
}

export interface Counts {
  population: number;
  completed: number;
  started: number;
  overdue: number;
}

/** Rule 6: the figures from the four counts, the gap in exact arithmetic. */
export function figures(c: Counts, targetRate: string): Figures {
  const target = parseDecimal(targetRate) ?? { num: 1n, den: 1n };
  return {
    population: c.population,
    completed: c.completed,
    started: c.started,
    notStarted: c.population - c.completed - c.started,
    overdue: c.overdue,
    reached: c.completed + c.started,
    rate: c.population === 0 ? null : c.completed / c.population,
    target: Number(targetRate),
    gap: Math.max(0, ceilTimes(target, c.population) - c.completed),
  };
}

const ZERO: Counts = { population: 0, completed: 0, started: 0, overdue: 0 };

const validAt = (alias: string, d: string) =>
  sql.raw(`${alias}.valid_from <= '${d}' AND (${alias}.valid_to IS NULL OR ${alias}.valid_to >= '${d}')`);

/** Employment-type and title filters of R on employment alias `e`. */
function filters(r: RequirementSpec, e: string): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (r.employmentTypes.length) {
    parts.push(sql`AND ${sql.ref(`${e}.employment_type`)} IN (SELECT employment_type FROM requirement_employment_type WHERE requirement_id = ${r.id})`);
  }
  if (r.titles.length) {
    parts.push(sql`AND lower(${sql.ref(`${e}.title`)}) IN (SELECT lower(title) FROM requirement_title WHERE requirement_id = ${r.id})`);
  }
  return sql.join(parts, sql` `);
}

/**
 * Who is asked about: the persons of a unit's subtree at D (each with the child of the unit they
 * fall under, the "branch"), or one person wherever they work.
 */
export type Subject = { unit: string } | { personId: number };

/**
 * The CTEs that give, per person in R's population at D: status, due date, overdue, the deciding
 * record's time and the expiry of the latest completion. `emp` holds (person, branch, unit).
 */
function statusCtes(r: RequirementSpec, asOf: string, subject: Subject, opts: { best: boolean } = { best: true }): RawBuilder<unknown> {
  // asOf is a validated YYYY-MM-DD; it is inlined where SQLite's planner needs a constant, and
  // keeps the statement well below D1's 100 bound parameters.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new Error('asOf must be YYYY-MM-DD');
  const D = asOf;
  const dNext = addDays(asOf, 1);
  const sub =
    'unit' in subject
      ? sql`sub(code, branch) AS (
          SELECT o.code, NULL FROM org_unit o WHERE o.code = ${subject.unit} AND ${validAt('o', D)}
          UNION
          SELECT c.code, COALESCE(sub.branch, c.code) FROM org_unit c JOIN sub ON c.parent_code = sub.code
          WHERE ${validAt('c', D)}
        ),`
      : sql``;
  const emp =
    'unit' in subject
      ? sql`SELECT e.person_id, sub.branch, e.unit_code FROM employment e JOIN sub ON sub.code = e.unit_code
            WHERE e.start_date <= ${D} AND (e.end_date IS NULL OR e.end_date >= ${D})
              AND e.unit_code IN (SELECT code FROM in_scope) ${filters(r, 'e')}`
      : sql`SELECT e.person_id, NULL, e.unit_code FROM employment e
            WHERE e.person_id = ${subject.personId} AND e.start_date <= ${D} AND (e.end_date IS NULL OR e.end_date >= ${D})
              AND e.unit_code IN (SELECT code FROM in_scope) ${filters(r, 'e')}`;

  // Rule 3: the first day of the unbroken chain of R-matching employments that reaches D is the
  // latest start that no earlier matching employment reaches (ends on or after the day before).
  const grace = r.graceDays;
  const chain =
    grace === null
      ? sql``
      : sql`ever_in_scope(code) AS (
          SELECT unit_code FROM requirement_scope WHERE requirement_id = ${r.id}
          UNION
          SELECT c.code FROM org_unit c JOIN ever_in_scope s ON c.parent_code = s.code
        ),
        chain(person_id, chain_start) AS (
          SELECT e.person_id, MAX(e.start_date) FROM employment e
          WHERE e.person_id IN (SELECT person_id FROM pop) AND e.start_date <= ${D}
            AND e.unit_code IN (SELECT code FROM ever_in_scope) ${filters(r, 'e')}
            AND NOT EXISTS (
              SELECT 1 FROM employment e2
              WHERE e2.person_id = e.person_id AND e2.start_date < e.start_date
                AND (e2.end_date IS NULL OR e2.end_date >= date(e.start_date, '-1 day'))
                AND e2.unit_code IN (SELECT code FROM ever_in_scope) ${filters(r, 'e2')}
            )
          GROUP BY e.person_id
        ),`;
  const graceDue = grace === null ? sql`NULL` : sql`date(ch.chain_start, ${`+${grace} days`})`;
  const fixedDue = r.dueDate === null ? sql`NULL` : sql`${r.dueDate}`;
  const chainJoin = grace === null ? sql`` : sql`LEFT JOIN chain ch ON ch.person_id = f.person_id`;

  // Rule 4: a completion expires on occurred + validity months, the day clamped to the month's
  // end (SQLite's date() would roll 2022-01-31 + 1 month over to 2022-03-03).
  const occ = sql.raw(`substr(l.last_done, 1, 10)`);
  const expiry = sql`CASE
      WHEN l.last_done IS NULL THEN NULL
      WHEN co.validity_months IS NULL THEN '9999-12-31'
      WHEN strftime('%d', date(${occ}, '+' || co.validity_months || ' months')) = strftime('%d', ${occ})
        THEN date(${occ}, '+' || co.validity_months || ' months')
      ELSE date(${occ}, 'start of month', '+' || (co.validity_months + 1) || ' months', '-1 day')
    END`;

  // Which record decides is read only for the people list; counting skips building it per person.
  const best = opts.best
    ? sql`MAX(CASE WHEN pc.expires IS NOT NULL THEN pc.expires || '|' || pc.last_done || '|' || pc.course_id END)`
    : sql`NULL`;

  return sql`WITH RECURSIVE
    ${sub}
    in_scope(code) AS (
      SELECT o.code FROM org_unit o JOIN requirement_scope s ON s.unit_code = o.code
      WHERE s.requirement_id = ${r.id} AND ${validAt('o', D)}
      UNION
      SELECT c.code FROM org_unit c JOIN in_scope ON c.parent_code = in_scope.code WHERE ${validAt('c', D)}
    ),
    emp(person_id, branch, unit_code) AS (${emp}),
    pop(person_id) AS (SELECT DISTINCT person_id FROM emp),
    ${chain}
    last_rec(person_id, course_id, last_done, last_try) AS (
      SELECT c.person_id, c.course_id,
        MAX(CASE WHEN c.status = 'completed' THEN c.occurred_at END),
        MAX(CASE WHEN c.status <> 'completed' THEN c.occurred_at END)
      FROM completion c
      WHERE c.person_id IN (SELECT person_id FROM pop)
        AND c.course_id IN (SELECT course_id FROM requirement_course WHERE requirement_id = ${r.id})
        AND c.occurred_at < ${dNext}
      GROUP BY c.person_id, c.course_id
    ),
    per_course(person_id, course_id, last_done, last_try, expires) AS (
      SELECT l.person_id, l.course_id, l.last_done, l.last_try, ${expiry}
      FROM last_rec l JOIN course co ON co.id = l.course_id
    ),
    f(person_id, expires, best, last_done, last_try) AS (
      SELECT p.person_id, MAX(pc.expires),
        ${best},
        MAX(pc.last_done), MAX(pc.last_try)
      FROM pop p LEFT JOIN per_course pc ON pc.person_id = p.person_id
      GROUP BY p.person_id
    ),
    st(person_id, status, due, expires, best, last_try) AS (
      SELECT f.person_id,
        CASE
          WHEN f.expires > ${D} THEN 'completed'
          WHEN f.last_try IS NOT NULL AND (f.last_done IS NULL OR f.last_try > f.last_done) THEN 'started'
          ELSE 'not_started'
        END,
        CASE
          WHEN ${fixedDue} IS NULL THEN ${graceDue}
          WHEN ${graceDue} IS NULL OR ${graceDue} < ${fixedDue} THEN ${fixedDue}
          ELSE ${graceDue}
        END,
        f.expires, f.best, f.last_try
      FROM f ${chainJoin}
    )`;
}

/** Figures for U and each direct child of U valid at D, in two statements. */
export interface UnitCoverage {
  total: Counts;
  children: Map<string, Counts>;
}

export async function countCoverage(
  db: Db,
  r: RequirementSpec,
  unit: string,
  asOf: string,
  opts: { children: boolean },
): Promise<UnitCoverage> {
  if (!isEffective(r, asOf)) return { total: { ...ZERO }, children: new Map() };
  const ctes = statusCtes(r, asOf, { unit }, { best: false });
  const counts = sql`COUNT(*) AS population,
      COALESCE(SUM(st.status = 'completed'), 0) AS completed,
      COALESCE(SUM(st.status = 'started'), 0) AS started,
      COALESCE(SUM(st.status <> 'completed' AND st.due IS NOT NULL AND st.due < ${asOf}), 0) AS overdue`;
  const q = opts.children
    ? sql<Counts & { branch: string | null }>`${ctes}
        SELECT NULL AS branch, ${counts} FROM st
        UNION ALL
        SELECT b.branch, ${counts}
        FROM (SELECT DISTINCT person_id, branch FROM emp WHERE branch IS NOT NULL) b
        JOIN st ON st.person_id = b.person_id
        GROUP BY b.branch`
    : sql<Counts & { branch: string | null }>`${ctes} SELECT NULL AS branch, ${counts} FROM st`;
  const { rows } = await q.execute(db);
  const children = new Map<string, Counts>();
  let total = { ...ZERO };
  for (const row of rows) {
    const c = { population: row.population, completed: row.completed, started: row.started, overdue: row.overdue };
    if (row.branch === null) total = c;
    else children.set(row.branch, c);
  }
  return { total, children };
}

/**
 * Counts for U and every unit of its subtree valid at D, in one statement. Each employment is
 * joined to the closure (unit, ancestor-within-U's-subtree), and a person counts once per
 * ancestor, so every unit's figures equal what `countCoverage` gives for that unit alone (rule 2:
 * once in U, once in each unit below it where they are employed). Units nobody falls under are
 * absent from the map: their counts are zero.
 */
export async function countSubtree(db: Db, r: RequirementSpec, unit: string, asOf: string): Promise<Map<string, Counts>> {
  const out = new Map<string, Counts>();
  if (!isEffective(r, asOf)) return out;
  const ctes = statusCtes(r, asOf, { unit }, { best: false });
  const { rows } = await sql<Counts & { anc: string }>`${ctes},
    clo(code, anc) AS (
      SELECT code, code FROM sub
      UNION
      SELECT c.code, clo.anc FROM org_unit c JOIN clo ON c.parent_code = clo.code WHERE ${validAt('c', asOf)}
    )
    SELECT b.anc, COUNT(*) AS population,
      COALESCE(SUM(st.status = 'completed'), 0) AS completed,
      COALESCE(SUM(st.status = 'started'), 0) AS started,
      COALESCE(SUM(st.status <> 'completed' AND st.due IS NOT NULL AND st.due < ${asOf}), 0) AS overdue
    FROM (SELECT DISTINCT emp.person_id, clo.anc FROM emp JOIN clo ON clo.code = emp.unit_code) b
    JOIN st ON st.person_id = b.person_id
    GROUP BY b.anc`.execute(db);
  for (const row of rows) {
    out.set(row.anc, { population: row.population, completed: row.completed, started: row.started, overdue: row.overdue });
  }
  return out;
}

export interface PersonCoverage {
  personId: number;
  employeeNumber: string;
  name: string;
  unitCode: string;
  unitName: string;
  status: PersonStatus;
  dueDate: string | null;
  overdue: boolean;
  /** The date of the record that decides the status: the valid completion, or the latest start. */
  occurredAt: string | null;
  /** The last day a completion counts, for courses that expire. */
  validUntil: string | null;
  /** The course whose completion counts, else null. */
  courseId: number | null;
}

/** Every person of R's population at D (in U's subtree, or one person), with their status. */
export async function listPeople(db: Db, r: RequirementSpec, subject: Subject, asOf: string): Promise<PersonCoverage[]> {
  if (!isEffective(r, asOf)) return [];
  const ctes = statusCtes(r, asOf, subject);
  const { rows } = await sql<{
    person_id: number;
    employee_number: string;
    name: string;
    unit_code: string;
    unit_name: string | null;
    status: PersonStatus;
    due: string | null;
    best: string | null;
    last_try: string | null;
  }>`${ctes},
    home(person_id, unit_code) AS (SELECT person_id, MIN(unit_code) FROM emp GROUP BY person_id)
    SELECT st.person_id, p.employee_number, p.name, h.unit_code, o.name AS unit_name,
      st.status, st.due, st.best, st.last_try
    FROM st JOIN person p ON p.id = st.person_id
    JOIN home h ON h.person_id = st.person_id
    LEFT JOIN org_unit o ON o.code = h.unit_code AND ${validAt('o', asOf)}
    ORDER BY p.name, p.employee_number`.execute(db);
  return rows.map((row) => {
    const [expires, lastDone, courseId] = row.best ? row.best.split('|') : [null, null, null];
    const completed = row.status === 'completed';
    return {
      personId: row.person_id,
      employeeNumber: row.employee_number,
      name: row.name,
      unitCode: row.unit_code,
      unitName: row.unit_name ?? row.unit_code,
      status: row.status,
      dueDate: row.due,
      overdue: !completed && row.due !== null && row.due < asOf,
      occurredAt: completed ? lastDone!.slice(0, 10) : row.status === 'started' ? row.last_try!.slice(0, 10) : null,
      validUntil: completed && expires !== '9999-12-31' ? addDays(expires!, -1) : null,
      courseId: completed ? Number(courseId) : null,
    };
  });
}
