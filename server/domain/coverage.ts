import { sql, type CompiledQuery, type RawBuilder } from 'kysely';
import { bind, reusable, template, type Template } from '../db/compiled.ts';
import { readRunnerOf, readBatch } from '../db/read-runner.ts';
import { rowsLater } from '../db/row-source.ts';
import type { Db } from '../db/schema.ts';
import { addDays } from './calendar.ts';
import {
  activeAt,
  chainCtes,
  day,
  dueDate,
  exempted,
  exemptionCte,
  filters,
  genomford,
  overdue,
  probeStatus,
  recordFacts,
  recordsOf,
  statusOf,
  validAt,
  withExemption,
  type Status,
} from './coverage-rule.ts';
import { lastValidDay } from './expiry.ts';
import { ceilTimes, parseDecimal } from './exact.ts';
import { isEffective, type RequirementSpec } from './requirements.ts';

/**
 * The coverage statements, assembled from the rule's parts in `coverage-rule.ts` (each written
 * once): the counts (unit totals, child units, the trend, the export's every unit) from
 * `countCtes`, which asks each person's status by index probes; the people (the people list, my
 * training) from `statusCtes`, which groups their records. Both read the same status, due date
 * and försenad, so no two views can disagree. The number of statements never depends on the
 * number of units or people.
 */

/** Rules 4–5's three, or 'exempt': not berörd on the day by an exemption (rule 2). */
export type PersonStatus = Status;

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
  /** Undantagna: the distinct persons who would be berörda but are exempted (not in `population`). */
  exempt: number;
}

export interface Counts {
  population: number;
  completed: number;
  started: number;
  overdue: number;
  exempt: number;
}

/** docs/coverage-rules.md, rule 6: the figures from the four counts, the gap in exact arithmetic. */
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
    exempt: c.exempt,
  };
}

/** Nobody counted: spread it to start a tally; pass it to `figures` for a unit with no figures. */
export const ZERO: Readonly<Counts> = { population: 0, completed: 0, started: 0, overdue: 0, exempt: 0 };

/**
 * A share of the persons: for the city, whose units hold most employments, the ids from `from` up
 * to (not including) `to`, read in person order from a range of the covering index on person; for
 * a smaller unit, the ids equal to k modulo `of` among its employments read unit by unit (a
 * förvaltning's staff need not be spread evenly over the ids, but their remainders are).
 */
type Part = { byPerson: true; from: number; to: number } | { byPerson: false; k: number; of: number };

function add(into: Counts, c: Counts) {
  into.population += c.population;
  into.completed += c.completed;
  into.started += c.started;
  into.overdue += c.overdue;
  into.exempt += c.exempt;
}

/**
 * Which units below `unit` (valid at D) are in R's scope, decided only for that subtree: the whole
 * of it when the unit or an ancestor is in scope (`covered`), else the scope units inside it and
 * their subtrees (`scope_down`). `sub` is the subtree, each unit with its branch (the child of
 * `unit` it falls under; NULL for `unit` itself).
 */
function unitScope(r: RequirementSpec, D: string, unit: string): RawBuilder<unknown> {
  const valid = (alias: string) => validAt(alias, D);
  return sql`sub(code, branch) AS (
          SELECT o.code, NULL FROM org_unit o WHERE o.code = ${unit} AND ${valid('o')}
          UNION
          SELECT c.code, COALESCE(sub.branch, c.code) FROM org_unit c JOIN sub ON c.parent_code = sub.code
          WHERE ${valid('c')}
        ),
        anc(code) AS (
          SELECT o.code FROM org_unit o WHERE o.code = ${unit} AND ${valid('o')}
          UNION
          SELECT p.code FROM anc JOIN org_unit o ON o.code = anc.code AND ${valid('o')}
          JOIN org_unit p ON p.code = o.parent_code AND ${valid('p')}
        ),
        covered(yes) AS (
          SELECT 1 FROM requirement_scope s WHERE s.requirement_id = ${r.id} AND s.unit_code IN (SELECT code FROM anc) LIMIT 1
        ),
        scope_down(code) AS (
          SELECT s.unit_code FROM requirement_scope s JOIN sub ON sub.code = s.unit_code
          WHERE s.requirement_id = ${r.id} AND NOT EXISTS (SELECT 1 FROM covered)
          UNION
          SELECT c.code FROM org_unit c JOIN scope_down d ON c.parent_code = d.code WHERE ${valid('c')}
        ),`;
}

/** An employment (alias `e`) in R's scope below the unit: see `unitScope`. */
const inUnitScope = (e: string) =>
  sql.raw(`(EXISTS (SELECT 1 FROM covered) OR ${e}.unit_code IN (SELECT code FROM scope_down))`);

/**
 * Who is asked about: the persons of a unit's subtree at D (each with the child of the unit they
 * fall under, the "branch"), or one person wherever they work, with the units of theirs at D that
 * fall under R's scope (`inScope`, a JSON array: see `personCoverage`).
 */
export type Subject = { unit: string; ids?: IdRange } | { personId: number; inScope: string };

/** A page of persons by id, `from` ≤ id < `to` (see `idRanges`). */
export interface IdRange {
  from: number;
  to: number;
}

/**
 * SQLite's unary + on a join column, which keeps the planner from building an automatic index on
 * a CTE of a few rows: for one person that costs ~0.5 ms a statement, ten times the query itself.
 */
const one = (subject: Subject) => ('personId' in subject ? '+' : '');

/**
 * Each unit of a person's employments active at D (`unit_code`), with itself and its ancestors in
 * the tree valid at D (`code`). A requirement reaches the person only through a scope unit among
 * those ancestors. Each step carries the unit's parent along rather than finding the unit again to
 * read it (21 → 15.5 µs a person on the bench's city); UNION, not UNION ALL, so that a loop in bad
 * data ends. D is a parameter here (measured as fast as inlined), so the statement is built once.
 */
const unitsUp = reusable((db: Db, personId: number, D: string) =>
  sql<{ unit_code: string; code: string }>`WITH RECURSIVE up(unit_code, code, parent) AS (
      SELECT o.code, o.code, o.parent_code FROM org_unit o
      WHERE o.code IN (
        SELECT e.unit_code FROM employment e
        WHERE e.person_id = ${personId} AND e.start_date <= ${D} AND (e.end_date IS NULL OR e.end_date >= ${D})
      ) AND o.valid_from <= ${D} AND (o.valid_to IS NULL OR o.valid_to >= ${D})
      UNION
      SELECT up.unit_code, p.code, p.parent_code FROM up
      JOIN org_unit p ON p.code = up.parent AND p.valid_from <= ${D} AND (p.valid_to IS NULL OR p.valid_to >= ${D})
    )
    SELECT unit_code, code FROM up`,
);

/**
 * The CTEs of the people views: per person in R's population at D, status, due date, overdue, the
 * deciding completion (`best`: expiry|time|course of the genomförd record that expires last) and
 * the latest start. The records are joined and grouped (the aggregate feed of
 * `coverage-rule.ts`), since the list wants the deciding record besides the status. `emp` holds
 * (person, branch, unit).
 */
function statusCtes(r: RequirementSpec, D: string, subject: Subject): RawBuilder<unknown> {
  day(D);
  // Which employments are in R's scope is decided only for the units asked about: below a unit,
  // the whole subtree when the unit or an ancestor is in scope, else the scope units inside it and
  // theirs; for one person, by walking up from that person's units. Walking R's whole scope (the
  // whole city for a city-wide requirement) on every question cost more than the answer.
  // A page of ids (`idRanges`) is read from its range of the index on person, not by
  // scanning the subtree's every employment once a page.
  const ids = 'unit' in subject ? subject.ids : undefined;
  const scoped =
    'unit' in subject
      ? sql`${unitScope(r, D, subject.unit)}
        emp(person_id, branch, unit_code) AS MATERIALIZED (
          SELECT e.person_id, sub.branch, e.unit_code FROM ${ids ? sql`employment e CROSS JOIN sub` : sql`employment e JOIN sub`} ON sub.code = e.unit_code
          WHERE ${activeAt(D)} AND ${inUnitScope('e')} ${filters(r, 'e')}
            ${ids ? sql.raw(`AND e.person_id >= ${Math.trunc(ids.from)} AND e.person_id < ${Math.trunc(ids.to)}`) : sql``}
        ),`
      : sql`in_scope(code) AS (SELECT value FROM json_each(${subject.inScope})),
        emp(person_id, branch, unit_code) AS MATERIALIZED (
          SELECT e.person_id, NULL, e.unit_code FROM employment e
          WHERE e.person_id = ${subject.personId} AND ${activeAt(D)}
            AND EXISTS (SELECT 1 FROM in_scope x WHERE +x.code = e.unit_code) ${filters(r, 'e')}
        ),`;
  // For one person every CTE holds a row or none: joining them by scanning beats SQLite building
  // an automatic index and Bloom filter sized for a large table (~0.5 ms each, per statement).
  const plus = one(subject);
  const grace = r.graceDays !== null;
  const facts = recordFacts(D);
  const status = withExemption(
    exempted(sql.raw(`${plus}f.person_id`)),
    statusOf({ done: sql.raw('f.done'), lastDone: sql.raw('f.last_done'), lastTry: sql.raw('f.last_try') }),
  );
  return sql`WITH RECURSIVE
    ${scoped}
    ${exemptionCte(r, D, sql`SELECT person_id FROM emp`)}
    f(person_id, done, best, last_done, last_try) AS MATERIALIZED (
      SELECT p.id, ${facts.done},
        MAX(CASE WHEN ${genomford(D)} THEN COALESCE(c.expires_on, '9999-12-31') || '|' || c.occurred_at || '|' || c.course_id END),
        ${facts.lastDone}, ${facts.lastTry}
      FROM person p LEFT JOIN completion c ON ${recordsOf(r, D, sql.raw('p.id'))}
      WHERE p.id IN (SELECT person_id FROM emp)
      GROUP BY p.id
    ),
    ${grace ? chainCtes(r, D, sql`SELECT person_id FROM f`, plus) : sql``}
    st0(person_id, status, due, best, last_try) AS MATERIALIZED (
      SELECT f.person_id, ${status}, ${dueDate(r, sql.raw('ch.start'))}, f.best, f.last_try
      FROM f ${grace ? sql`LEFT JOIN chain ch ON ${sql.raw(plus)}ch.person_id = f.person_id` : sql``}
    ),
    st(person_id, status, due, overdue, best, last_try) AS (
      SELECT person_id, status, CASE WHEN status = 'exempt' THEN NULL ELSE due END,
        ${overdue(sql.raw('st0.status'), sql.raw('st0.due'), D)}, best, last_try FROM st0
    )`;
}

/**
 * The counts' CTEs for a unit's subtree at D: `st` holds, per person of R's population, the
 * status (the probe feed of `coverage-rule.ts`: index lookups, no grouping of records), the due
 * date where it can make someone overdue, and, with `branches`, the smallest and largest branch
 * they are employed under (equal for almost everyone, so the children's figures need no second
 * pass over the employments). Employments are read unit by unit of the subtree (the covering
 * index on unit and start date), which measured faster even for the whole city than reading them
 * in person order and sparing the GROUP BY its sort; but a share of the city's persons by id
 * range (`part`) is read in person order, from just that range of the index on person.
 */
function countCtes(r: RequirementSpec, D: string, unit: string, branches: boolean, part: Part | null): RawBuilder<unknown> {
  day(D);
  const byPerson = part?.byPerson === true;
  // Only försenad reads the due date, and only of those not genomförd (the only ones it is worked
  // out for here, as `st` may be read twice); the due date is R's due
  // date or later, so when that is D or later nobody is overdue. Otherwise, with grace days, it
  // needs the start of the person's unbroken chain (docs/coverage-rules.md, rule 3), which is no later than the earliest
  // start (a1) of the employments that put them in the population (those reach D). When a1 + grace
  // is already before D, a1 in place of the chain's start gives a due date before D too: the same
  // overdue. The chain itself is found only for the rest (a1 on or after D − grace), recent
  // starters not genomförd, a few hundred in a city.
  const needChain = r.graceDays !== null && (r.dueDate === null || r.dueDate < D);
  const cutoff = needChain ? addDays(D, -r.graceDays!) : null;
  const chain = needChain
    ? sql`late_pop(person_id) AS MATERIALIZED (
          SELECT person_id FROM f WHERE f.status NOT IN ('completed', 'exempt') AND f.a1 >= ${day(cutoff!)}
        ),
        ${chainCtes(r, D, sql`SELECT person_id FROM late_pop`)}`
    : sql``;
  const chainStart = needChain ? sql.raw('COALESCE(ch.start, f.a1)') : sql.raw('f.a1');
  // R's exemptions at D, all of them (a few thousand in the bench's city): looked up per person in
  // a table built once, rather than probed per person.
  return sql`WITH RECURSIVE
    ${unitScope(r, D, unit)}
    ${exemptionCte(r, D)}
    f(person_id, b1, b2, a1, status) AS MATERIALIZED (
      SELECT e.person_id, ${branches ? sql`MIN(s.branch), MAX(s.branch)` : sql`NULL, NULL`}, MIN(e.start_date),
        ${withExemption(exempted(sql.raw('e.person_id')), probeStatus(r, D, sql.raw('e.person_id')))}
      FROM ${branches ? (byPerson ? sql`employment e CROSS JOIN sub s` : sql`sub s CROSS JOIN employment e`) : sql`employment e`}
      WHERE ${branches ? sql`s.code = e.unit_code` : byPerson ? sql`+e.unit_code IN (SELECT code FROM sub)` : sql`e.unit_code IN (SELECT code FROM sub)`} AND ${activeAt(D)} AND ${inUnitScope('e')} ${filters(r, 'e')}
        ${!part ? sql`` : part.byPerson ? sql.raw(`AND e.person_id >= ${part.from} AND e.person_id < ${part.to}`) : sql.raw(`AND e.person_id % ${part.of} = ${part.k}`)}
      GROUP BY e.person_id
    ),
    ${chain}
    st(person_id, b1, b2, status, due) AS (
      SELECT f.person_id, f.b1, f.b2, f.status, CASE WHEN f.status NOT IN ('completed', 'exempt') THEN ${dueDate(r, chainStart)} END
      FROM f ${needChain ? sql`LEFT JOIN chain ch ON ch.person_id = f.person_id` : sql``}
    )`;
}

/** docs/coverage-rules.md, rule 6 — counts over the `st` rows in scope of a SELECT (the exempted are no population). */
const countColumns = (D: string) => sql`COALESCE(SUM(st.status <> 'exempt'), 0) AS population,
      COALESCE(SUM(st.status = 'completed'), 0) AS completed,
      COALESCE(SUM(st.status = 'started'), 0) AS started,
      COALESCE(SUM(${overdue(sql.raw('st.status'), sql.raw('st.due'), D)}), 0) AS overdue,
      COALESCE(SUM(st.status = 'exempt'), 0) AS exempt`;

/** Figures for U and each direct child of U valid at D, in one statement. */
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
  const counts = countColumns(asOf);
  // A person counts once in U and once in each child they are employed under (docs/coverage-rules.md, rule 2). One pass
  // groups everyone by their branch when they have one (b1 = b2, nearly everyone), the rest under
  // NULL: U's total is the sum of those groups. The few under two or more children are expanded
  // from their employments and added to each of theirs.
  type Row = Counts & { part: number; branch: string | null };
  const q = (part: Part | null) => {
    const ctes = countCtes(r, asOf, unit, opts.children, part);
    if (!opts.children) return sql<Row>`${ctes} SELECT 1 AS part, NULL AS branch, ${counts} FROM st`;
    return sql<Row>`${ctes}
      SELECT 1 AS part, CASE WHEN st.b1 = st.b2 THEN st.b1 END AS branch, ${counts} FROM st GROUP BY 2
      UNION ALL
      SELECT 2, st.branch, ${counts}
      FROM (
        SELECT DISTINCT s.branch, st.status, st.due, st.person_id FROM st
        JOIN employment e ON e.person_id = st.person_id
        JOIN sub s ON s.code = e.unit_code
        WHERE st.b1 <> st.b2 AND s.branch IS NOT NULL
          AND ${activeAt(asOf)} AND ${inUnitScope('e')} ${filters(r, 'e')}
      ) st
      GROUP BY st.branch`;
  };
  const rows = await inPartitions(db, unit, asOf, q);
  const children = new Map<string, Counts>();
  const total = { ...ZERO };
  for (const row of rows) {
    if (row.part === 1) add(total, row);
    if (row.branch !== null) add(children.get(row.branch) ?? children.set(row.branch, { ...ZERO }).get(row.branch)!, row);
  }
  return { total, children };
}

/**
 * The rows of a count statement built by `q`, split by person over the read threads where there
 * are some. Every person falls in exactly one partition (a range of ids for the city, an id modulo
 * n for a smaller unit), so the partitions' figures add up to the whole's.
 */
async function inPartitions<Row>(db: Db, unit: string, asOf: string, q: (part: Part | null) => RawBuilder<Row>): Promise<Row[]> {
  const runner = readRunnerOf(db);
  if (!runner || runner.partitions <= 1) return (await q(null).execute(db)).rows;
  const n = runner.partitions;
  const { rows: facts } = await sql<{ top: number | null; root: number | null }>`SELECT (SELECT max(id) FROM person) AS top,
    (SELECT parent_code IS NULL FROM org_unit o WHERE o.code = ${unit} AND ${validAt('o', asOf)}) AS root`.execute(db);
  const end = (facts[0]?.top ?? 0) + 1;
  const parts: Part[] = Array.from({ length: n }, (_, k) =>
    facts[0]?.root === 1
      ? { byPerson: true, from: k === 0 ? 0 : Math.floor((k * end) / n), to: k === n - 1 ? Number.MAX_SAFE_INTEGER : Math.floor(((k + 1) * end) / n) }
      : { byPerson: false, k, of: n },
  );
  return (await runner.all<Row>(parts.map((p) => q(p).compile(db)))).flat();
}

/**
 * Counts for U and every unit of its subtree valid at D (the export's Per enhet), by the same
 * statement as `countCoverage`'s: the same population, statuses and due dates (`countCtes`), only
 * grouped by the closure (unit, ancestor within U's subtree) instead of by branch. A person
 * counts once per ancestor, so every unit's figures equal what `countCoverage` gives for that
 * unit alone (docs/coverage-rules.md, rule 2: once in U, once in each unit below it where they are employed). Units
 * nobody falls under are absent from the map: their counts are zero.
 */
export async function countSubtree(db: Db, r: RequirementSpec, unit: string, asOf: string): Promise<Map<string, Counts>> {
  const out = new Map<string, Counts>();
  if (!isEffective(r, asOf)) return out;
  type Row = Counts & { anc: string };
  const rows = await inPartitions(db, unit, asOf, (part) => sql<Row>`${countCtes(r, asOf, unit, false, part)},
    clo(code, anc) AS (
      SELECT code, code FROM sub
      UNION
      SELECT c.code, clo.anc FROM org_unit c JOIN clo ON c.parent_code = clo.code WHERE ${validAt('c', asOf)}
    )
    SELECT b.anc, ${countColumns(asOf)}
    FROM (
      SELECT DISTINCT e.person_id, clo.anc FROM st
      JOIN employment e ON e.person_id = st.person_id
      JOIN clo ON clo.code = e.unit_code
      WHERE ${activeAt(asOf)} AND ${inUnitScope('e')} ${filters(r, 'e')}
    ) b
    JOIN st ON st.person_id = b.person_id
    GROUP BY b.anc`);
  for (const row of rows) {
    const c = out.get(row.anc) ?? out.set(row.anc, { ...ZERO }).get(row.anc)!;
    add(c, row);
  }
  return out;
}

/**
 * Why the undantagna of U for R at D are exempted: how many per reason, from the same statement
 * as the counts (`countCtes`), so the numbers add up to `exempt` exactly. For the workbook's Metod.
 */
export async function exemptionReasons(db: Db, r: RequirementSpec, unit: string, asOf: string): Promise<{ reason: string; count: number }[]> {
  if (!isEffective(r, asOf)) return [];
  const { rows } = await sql<{ info: string }>`${countCtes(r, asOf, unit, false, null)}
    SELECT ex.info FROM st JOIN ex ON ex.person_id = st.person_id WHERE st.status = 'exempt'`.execute(db);
  const byReason = new Map<string, number>();
  for (const row of rows) {
    const { reason } = exemptionOf(row.info);
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }
  return [...byReason].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));
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
  /** For status 'exempt': the exemption that applies on the day. */
  exemption: { from: string; to: string | null; reason: string } | null;
}

/** What the reminders also read from the people list (`listPeople`). */
export interface PersonContact extends PersonCoverage {
  email: string | null;
  /** Every unit of the employments that put the person in R's population at D. */
  units: string[];
  /** The stored expiry (rule 4) of the completion that makes them genomförd; null if none or never. */
  expiresOn: string | null;
}

/** Every person of R's population at D (in U's subtree, or one person), with their status. */
export async function listPeople(db: Db, r: RequirementSpec, subject: Subject, asOf: string): Promise<PersonContact[]> {
  if (!isEffective(r, asOf)) return [];
  const { rows } = await peopleQuery(r, subject, asOf).execute(db);
  return rows.map(personContact);
}

/**
 * The same people as `listPeople`, made one at a time as the caller iterates, so that a whole
 * city's list is never held at once (the revision's workbook). Read them to the end without
 * awaiting in between (`row-source.ts`).
 */
export async function eachPerson(db: Db, r: RequirementSpec, subject: Subject, asOf: string): Promise<Iterable<PersonContact>> {
  if (!isEffective(r, asOf)) return [];
  const rows = await rowsLater(db, peopleQuery(r, subject, asOf).compile(db));
  return {
    *[Symbol.iterator]() {
      for (const row of rows) yield personContact(row);
    },
  };
}

type ListedRow = {
  person_id: number;
  employee_number: string;
  name: string;
  unit_code: string;
  unit_name: string | null;
  status: PersonStatus;
  due: string | null;
  overdue: 0 | 1;
  best: string | null;
  last_try: string | null;
  info: string | null;
  email: string | null;
  units: string;
};

function peopleQuery(r: RequirementSpec, subject: Subject, asOf: string): RawBuilder<ListedRow> {
  const ctes = statusCtes(r, asOf, subject);
  return sql<ListedRow>`${ctes},
    home(person_id, unit_code, units) AS (SELECT person_id, MIN(unit_code), GROUP_CONCAT(DISTINCT unit_code) FROM emp GROUP BY person_id)
    SELECT st.person_id, p.employee_number, p.name, h.unit_code, o.name AS unit_name,
      st.status, st.due, st.overdue, st.best, st.last_try, ex.info, p.email, h.units
    FROM st JOIN person p ON p.id = ${sql.raw(one(subject))}st.person_id
    LEFT JOIN ex ON ex.person_id = st.person_id
    JOIN home h ON ${sql.raw(one(subject))}h.person_id = ${sql.raw(one(subject))}st.person_id
    LEFT JOIN org_unit o ON o.code = h.unit_code AND ${validAt('o', asOf)}
    ORDER BY p.name, p.employee_number`;
}

function personContact(row: ListedRow): PersonContact {
  const s = personStatus(row);
  return {
    personId: row.person_id,
    employeeNumber: row.employee_number,
    name: row.name,
    unitCode: row.unit_code,
    unitName: row.unit_name ?? row.unit_code,
    status: s.status,
    dueDate: s.dueDate,
    overdue: s.overdue,
    occurredAt: s.occurredAt,
    validUntil: s.validUntil,
    courseId: s.courseId,
    exemption: s.exemption,
    email: row.email,
    units: row.units.split(','),
    expiresOn: s.expiresOn,
  };
}

/** The person ids in ranges of `pageSize`, from 0 past the largest id (the reminders' `berordaPages`). */
export async function* idRanges(db: Db, pageSize = 5000): AsyncGenerator<IdRange> {
  const { rows } = await sql<{ top: number | null }>`SELECT max(id) AS top FROM person`.execute(db);
  const end = (rows[0]?.top ?? 0) + 1;
  for (let from = 0; from < end; from += pageSize) yield { from, to: Math.min(end, from + pageSize) };
}

type StatusRow = { status: PersonStatus; due: string | null; overdue: 0 | 1; best: string | null; last_try: string | null; info: string | null };
type StatusPart = Pick<PersonCoverage, 'status' | 'dueDate' | 'overdue' | 'occurredAt' | 'validUntil' | 'courseId' | 'exemption'>;

/** A person's row of `statusCtes` as the API shows it; every figure in it was decided in SQL. */
function personStatus(row: StatusRow): StatusPart & { expiresOn: string | null } {
  const [expires, lastDone, courseId] = row.best ? row.best.split('|') : [null, null, null];
  const completed = row.status === 'completed';
  // The deciding completion's stored `expires_on` (expiry.ts), read as it is: never worked out again.
  const expiresOn = completed && expires !== '9999-12-31' ? expires! : null;
  return {
    expiresOn,
    status: row.status,
    dueDate: row.due,
    overdue: row.overdue === 1,
    occurredAt: completed ? lastDone!.slice(0, 10) : row.status === 'started' ? row.last_try!.slice(0, 10) : null,
    validUntil: expiresOn === null ? null : lastValidDay(expiresOn),
    courseId: completed ? Number(courseId) : null,
    exemption: row.status === 'exempt' && row.info ? exemptionOf(row.info) : null,
  };
}

/** `exemptionCte`'s 'from|to|reason' (the reason may itself hold a '|'). */
function exemptionOf(info: string): { from: string; to: string | null; reason: string } {
  const [from, to, ...reason] = info.split('|');
  return { from, to: to || null, reason: reason.join('|') };
}

/**
 * Building and compiling the per-person statements with Kysely cost more than SQLite running them
 * (`npm run bench`, me/training), and they depend only on the requirement and the date: each is
 * built once per (requirement, date) with stand-ins for the person and their units in scope, which
 * are then bound in. Only SQL text is kept, never an answer, so it cannot go stale: a changed
 * requirement is read again as a new object, with statements of its own.
 */
const PERSON = -918273645;
const IN_SCOPE = '\u0000stand-in: units in scope\u0000';
// Kept by requirement (read once, see `currentRequirements`: the same object on every request
// until the catalogue changes), then by date, at most 100 dates each.
const personStatements = new WeakMap<RequirementSpec, Map<string, Template>>();
const scopeSets = new WeakMap<RequirementSpec, Set<string>>();

/**
 * One person's status in each of the given requirements effective at D (each by the rules of
 * `listPeople`). Requirements that do not apply to the person are absent from the map. One
 * statement per requirement: a UNION ALL of them all measured four times slower, since SQLite
 * plans CTEs inside subqueries differently (automatic indexes on every one). They go as one batch
 * to a read thread where there is one (`readBatch`): the event loop waits for one answer.
 */
export async function personCoverage(db: Db, specs: RequirementSpec[], personId: number, asOf: string): Promise<Map<string, StatusPart>> {
  const out = new Map<string, StatusPart>();
  const effective = specs.filter((r) => isEffective(r, asOf));
  if (!effective.length) return out;
  // The person's units under each requirement's scope are found once, from one small statement,
  // rather than by each requirement's statement walking up the tree again (~35 µs each). Those
  // whose scope holds none of the person's units or their ancestors cannot reach them and need no
  // statement (most staff are in reach of two or three of the city's requirements). On Node the
  // statements read on a thread (`readBatch`), a moment after this read on the main connection:
  // a request that races a roster import may see the person's units from just before it.
  const up = await unitsUp(db, personId, asOf);
  const reached: RequirementSpec[] = [];
  const queries: CompiledQuery<StatusRow>[] = [];
  for (const r of effective) {
    let scope = scopeSets.get(r);
    if (!scope) scopeSets.set(r, (scope = new Set(r.scope)));
    const inScope = [...new Set(up.filter((u) => scope.has(u.code)).map((u) => u.unit_code))];
    if (!inScope.length) continue;
    let byDate = personStatements.get(r);
    if (!byDate) personStatements.set(r, (byDate = new Map()));
    let stmt = byDate.get(asOf);
    if (!stmt) {
      const compiled = sql`${statusCtes(r, asOf, { personId: PERSON, inScope: IN_SCOPE })}
        SELECT st.status, st.due, st.overdue, st.best, st.last_try, ex.info FROM st LEFT JOIN ex ON ex.person_id = +st.person_id`.compile(db);
      byDate.set(asOf, (stmt = template(compiled, [PERSON, IN_SCOPE])));
      if (byDate.size > 100) byDate.delete(byDate.keys().next().value!);
    }
    reached.push(r);
    queries.push(bind<StatusRow>(stmt, [personId, JSON.stringify(inScope)]));
  }
  const results = await readBatch(db, queries);
  reached.forEach((r, i) => {
    const row = results[i][0];
    if (row) out.set(r.code, personStatus(row));
  });
  return out;
}
