import { sql, type RawBuilder } from 'kysely';
import { reusable } from '../db/compiled.ts';
import { rowsLater } from '../db/row-source.ts';
import type { Db, EmploymentType } from '../db/schema.ts';
import { periodEnds, type Interval } from './calendar.ts';
import { activeAt, filters, validAt } from './coverage-rule.ts';
import { countCoverage, figures, listPeople, personCoverage, type Figures, type PersonCoverage } from './coverage.ts';
import { DomainError } from './errors.ts';
import { isEffective, loadRequirements, type RequirementSpec } from './requirements.ts';
import { childrenAt, orgPath, treeAt, unitAt, unitExistsEver, type UnitNode } from './units.ts';

/** The answers of the coverage API, assembled from the engine; 404s for what is not there. */

export async function requireRequirement(db: Db, code: string): Promise<RequirementSpec> {
  // From the requirements this process has read, while the catalog counter says they are current.
  const r = (await currentRequirements(db)).find((x) => x.code === code);
  if (!r) throw new DomainError('not_found', 'requirement.unknown', { code });
  return r;
}

/** The unit version valid at `date`; 404 naming when it was valid if the code exists at other times. */
export async function requireUnitAt(db: Db, code: string, date: string) {
  const unit = await unitAt(db, code, date);
  if (unit) return unit;
  if (!(await unitExistsEver(db, code))) throw new DomainError('not_found', 'unit.unknown', { code });
  const versions = await db
    .selectFrom('org_unit')
    .select(['valid_from', 'valid_to'])
    .where('code', '=', code)
    .orderBy('valid_from')
    .execute();
  throw new DomainError('not_found', 'unit.notValid', {
    code,
    date,
    from: versions[0].valid_from,
    to: versions[versions.length - 1].valid_to ?? '',
  });
}

export interface CoverageAnswer {
  asOf: string;
  unit: { code: string; name: string };
  requirement: { code: string };
  total: Figures;
  children: ({ unit: { code: string; name: string } } & Figures)[];
}

export async function coverage(db: Db, unitCode: string, requirementCode: string, asOf: string): Promise<CoverageAnswer> {
  const r = await requireRequirement(db, requirementCode);
  const unit = await requireUnitAt(db, unitCode, asOf);
  const [kids, counts] = await Promise.all([
    childrenAt(db, unit.code, asOf),
    countCoverage(db, r, unit.code, asOf, { children: true }),
  ]);
  const none = { population: 0, completed: 0, started: 0, overdue: 0, exempt: 0 };
  return {
    asOf,
    unit: { code: unit.code, name: unit.name },
    requirement: { code: r.code },
    total: figures(counts.total, r.targetRate),
    children: kids.map((k) => ({
      unit: { code: k.code, name: k.name },
      ...figures(counts.children.get(k.code) ?? none, r.targetRate),
    })),
  };
}

export interface PersonAnswer {
  employeeNumber: string;
  name: string;
  unit: { code: string; name: string };
  /** The förvaltning and avdelning the person's unit lies in (null where the path has none). */
  forvaltning: string | null;
  avdelning: string | null;
  /** Why the person is in scope: the employment form and title of the employment that counts. */
  employmentType: EmploymentType | null;
  title: string | null;
  status: PersonCoverage['status'];
  dueDate: string | null;
  overdue: boolean;
  occurredAt: string | null;
  /** Only with status=exempt: the exemption that applies on the day, and why. */
  exemption?: { from: string; to: string | null; reason: string };
}

/**
 * A people filter: a status, `overdue` (not genomförd and past the due date, rule 5) or
 * `not_completed` (påbörjad or ej påbörjad: the list a manager follows up).
 */
export type PeopleFilter = PersonCoverage['status'] | 'overdue' | 'not_completed';
export const PEOPLE_FILTERS: readonly PeopleFilter[] = ['completed', 'started', 'not_started', 'exempt', 'overdue', 'not_completed'];

export function matchesFilter(p: { status: PersonCoverage['status']; overdue: boolean }, filter?: PeopleFilter): boolean {
  if (filter === 'exempt') return p.status === 'exempt';
  if (p.status === 'exempt') return false;
  if (!filter) return true;
  if (filter === 'overdue') return p.overdue;
  if (filter === 'not_completed') return p.status !== 'completed';
  return p.status === filter;
}

export interface PersonPlace {
  forvaltning: string | null;
  avdelning: string | null;
  employmentType: EmploymentType | null;
  title: string | null;
}

/**
 * Where each listed person sits and why the requirement reaches them: the förvaltning and
 * avdelning above the unit the list names for them, and the employment form and title of their
 * employment active at D in that unit (one matching R's filters where they hold several).
 */
export async function placesOf(db: Db, r: RequirementSpec, people: readonly PersonCoverage[], unitCode: string, asOf: string): Promise<Map<number, PersonPlace>> {
  const out = new Map<number, PersonPlace>();
  if (!people.length) return out;
  const [tree, { rows }] = await Promise.all([pathTree(db, unitCode, asOf), subtreeEmployments(r, unitCode, asOf).execute(db)]);
  // Every listed unit lies in the subtree; should one not (it cannot, by listPeople), the whole
  // tree at D answers as before.
  const paths = people.every((p) => tree.has(p.unitCode)) ? tree : await treeAt(db, asOf);
  const place = placeFinder(rows, paths);
  for (const p of people) out.set(p.personId, place(p));
  return out;
}

/**
 * `placesOf` for people made one at a time (`eachPerson`, the revision's workbook): the finder is
 * made when called, from the subtree's employments read then, so call it where the people are
 * iterated (`row-source.ts`: without awaiting in between).
 */
export async function placesLater(db: Db, r: RequirementSpec, unitCode: string, asOf: string): Promise<() => PlaceFinder> {
  const [tree, rows] = await Promise.all([pathTree(db, unitCode, asOf), rowsLater(db, subtreeEmployments(r, unitCode, asOf).compile(db))]);
  return () => placeFinder(rows, tree);
}

export type PlaceFinder = (p: Pick<PersonCoverage, 'personId' | 'unitCode'>) => PersonPlace;
type EmploymentRow = { person_id: number; unit_code: string; employment_type: EmploymentType | null; title: string | null; fits: 0 | 1 };

/**
 * The employments active at D in the unit's subtree, in one statement however many people and
 * units there are (a list of person ids would need one statement per 90 on D1). `fits`: R's
 * filters, as the count reads them (coverage-rule.ts, rule 2). CROSS JOIN keeps SQLite reading the
 * subtree's employments by unit: left to itself it scanned every employment of the city in id
 * order, to spare the ORDER BY its sort (`npm run bench`, people list: ~7 ms of the request; this,
 * ~0.7 ms).
 */
function subtreeEmployments(r: RequirementSpec, unitCode: string, asOf: string): RawBuilder<EmploymentRow> {
  return sql<EmploymentRow>`
    WITH RECURSIVE down(code, depth) AS (
      SELECT o.code, 0 FROM org_unit o WHERE o.code = ${unitCode} AND ${validAt('o', asOf)}
      UNION
      SELECT c.code, down.depth + 1 FROM org_unit c JOIN down ON c.parent_code = down.code
      WHERE ${validAt('c', asOf)} AND down.depth < 64
    )
    SELECT e.person_id, e.unit_code, e.employment_type, e.title, CASE WHEN 1 = 1 ${filters(r, 'e')} THEN 1 ELSE 0 END AS fits
    FROM down CROSS JOIN employment e ON e.unit_code = down.code
    WHERE ${activeAt(asOf)}
    ORDER BY e.id`;
}

/**
 * A person's place: the path above the unit the list names for them, and of their employments in
 * that unit (in id order) the first that matches R's filters, else the first.
 */
function placeFinder(rows: Iterable<EmploymentRow>, paths: Map<string, UnitNode>): PlaceFinder {
  // Almost everyone holds one employment: kept as the row itself, a list only for the few.
  const byPerson = new Map<number, EmploymentRow | EmploymentRow[]>();
  for (const e of rows) {
    const had = byPerson.get(e.person_id);
    if (had === undefined) byPerson.set(e.person_id, e);
    else if (Array.isArray(had)) had.push(e);
    else byPerson.set(e.person_id, [had, e]);
  }
  return (p) => {
    const had = byPerson.get(p.personId);
    let kept: EmploymentRow | undefined;
    for (const e of had === undefined ? [] : Array.isArray(had) ? had : [had]) {
      if (e.unit_code === p.unitCode && (!kept || (!kept.fits && e.fits))) kept = e;
    }
    const path = orgPath(paths, p.unitCode);
    return { forvaltning: path.forvaltning, avdelning: path.avdelning, employmentType: kept?.employment_type ?? null, title: kept?.title ?? null };
  };
}

/**
 * The part of the tree at D that the paths of the units below `unitCode` pass through: its
 * subtree and the units above it. Reading the whole city's tree (3 000 units) for a list of
 * a few hundred people took ~5 ms of the people list (`npm run bench`).
 */
async function pathTree(db: Db, unitCode: string, asOf: string): Promise<Map<string, UnitNode>> {
  const { rows } = await sql<{ code: string; name: string; kind: UnitNode['kind']; parent_code: string | null }>`
    WITH RECURSIVE down(code, depth) AS (
      SELECT o.code, 0 FROM org_unit o WHERE o.code = ${unitCode} AND ${validAt('o', asOf)}
      UNION
      SELECT c.code, down.depth + 1 FROM org_unit c JOIN down ON c.parent_code = down.code
      WHERE ${validAt('c', asOf)} AND down.depth < 64
    ),
    up(code, depth) AS (
      SELECT o.parent_code, 1 FROM org_unit o WHERE o.code = ${unitCode} AND ${validAt('o', asOf)} AND o.parent_code IS NOT NULL
      UNION
      SELECT o.parent_code, up.depth + 1 FROM up JOIN org_unit o ON o.code = up.code
      WHERE ${validAt('o', asOf)} AND o.parent_code IS NOT NULL AND up.depth < 64
    )
    SELECT o.code, o.name, o.kind, o.parent_code FROM org_unit o
    WHERE o.code IN (SELECT code FROM down UNION SELECT code FROM up) AND ${validAt('o', asOf)}
    ORDER BY o.id`.execute(db);
  return new Map(rows.map((u) => [u.code, { code: u.code, name: u.name, kind: u.kind, parent: u.parent_code }]));
}

export async function coveragePeople(
  db: Db,
  unitCode: string,
  requirementCode: string,
  asOf: string,
  filter?: PeopleFilter,
): Promise<{ people: PersonAnswer[] }> {
  const r = await requireRequirement(db, requirementCode);
  const unit = await requireUnitAt(db, unitCode, asOf);
  const people = (await listPeople(db, r, { unit: unit.code }, asOf)).filter((p) => matchesFilter(p, filter));
  const places = await placesOf(db, r, people, unit.code, asOf);
  return {
    people: people.map((p) => ({
      employeeNumber: p.employeeNumber,
      name: p.name,
      unit: { code: p.unitCode, name: p.unitName },
      ...places.get(p.personId)!,
      status: p.status,
      dueDate: p.dueDate,
      overdue: p.overdue,
      occurredAt: p.occurredAt,
      ...(p.exemption ? { exemption: p.exemption } : {}),
    })),
  };
}

export const MAX_TREND_POINTS = 120;

/**
 * The unit's figures at each period end from `from` to `to`. A point where the unit did not
 * exist (before it was formed, after a merger) or the requirement was not in force is left out
 * rather than reported as zero.
 */
export async function coverageTrend(
  db: Db,
  unitCode: string,
  requirementCode: string,
  from: string,
  to: string,
  interval: Interval,
): Promise<{ unit: { code: string }; requirement: { code: string }; interval: Interval; points: ({ asOf: string } & Figures)[] }> {
  const r = await requireRequirement(db, requirementCode);
  if (!(await unitExistsEver(db, unitCode))) throw new DomainError('not_found', 'unit.unknown', { code: unitCode });
  if (from > to) throw new DomainError('bad_request', 'trend.fromAfterTo', { from, to });
  const ends = periodEnds(from, to, interval);
  if (ends.length > MAX_TREND_POINTS) throw new DomainError('bad_request', 'trend.tooLong', { n: ends.length, max: MAX_TREND_POINTS });
  const points: ({ asOf: string } & Figures)[] = [];
  for (const asOf of ends) {
    // Before the requirement took effect (or after it ended) nobody was required to: no point.
    if (!isEffective(r, asOf)) continue;
    if (!(await unitAt(db, unitCode, asOf))) continue;
    const c = await countCoverage(db, r, unitCode, asOf, { children: false });
    points.push({ asOf, ...figures(c.total, r.targetRate) });
  }
  return { unit: { code: unitCode }, requirement: { code: r.code }, interval, points };
}

export interface MyRequirement {
  requirement: { code: string; title: string };
  course: { code: string; title: string; url: string | null };
  status: PersonCoverage['status'];
  dueDate: string | null;
  overdue: boolean;
  occurredAt: string | null;
  validUntil: string | null;
  /** With status 'exempt': the exemption that applies on the day, and why. */
  exemption?: { from: string; to: string | null; reason: string };
}

/**
 * Every requirement, as last read by this process, while the catalog counter (sql/0006_perf.sql:
 * moved on by triggers at every change to courses or requirements) says it is unchanged. Kept per
 * database handle; the counter is read before the requirements, so a change in between makes the
 * next call read them again, never keeps an old answer.
 */
const catalogs = new WeakMap<Db, { n: number; specs: RequirementSpec[] }>();
const catalogCounter = reusable((db: Db) => db.selectFrom('catalog_version').select('n').where('id', '=', 1));
const personByNumber = reusable((db: Db, employeeNumber: string) => db.selectFrom('person').select(['id', 'name']).where('employee_number', '=', employeeNumber));
export async function currentRequirements(db: Db): Promise<RequirementSpec[]> {
  const [row] = await catalogCounter(db);
  const kept = catalogs.get(db);
  if (row && kept && kept.n === row.n) return kept.specs;
  const specs = await loadRequirements(db);
  if (row) catalogs.set(db, { n: row.n, specs });
  return specs;
}

/** The requirements that apply to one person at D, with their status in each. */
export async function myTraining(
  db: Db,
  personId: number,
  asOf: string,
  lang: 'sv' | 'en',
): Promise<MyRequirement[]> {
  // personCoverage leaves out what is not effective at D or does not reach the person.
  const requirements = await currentRequirements(db);
  const statuses = await personCoverage(db, requirements, personId, asOf);
  const out: MyRequirement[] = [];
  for (const r of requirements) {
    const p = statuses.get(r.code);
    if (!p) continue;
    const course = r.courses.find((c) => c.id === p.courseId) ?? r.courses[0];
    out.push({
      requirement: { code: r.code, title: (lang === 'en' && r.titleEn) || r.title },
      course: { code: course.code, title: (lang === 'en' && course.titleEn) || course.titleSv, url: course.url },
      status: p.status,
      dueDate: p.dueDate,
      overdue: p.overdue,
      occurredAt: p.occurredAt,
      validUntil: p.validUntil,
      ...(p.exemption ? { exemption: p.exemption } : {}),
    });
  }
  return out;
}

/** GET /api/me/training: the caller by employee number, with what is required of them at D. */
export async function myTrainingOf(db: Db, employeeNumber: string, asOf: string, lang: 'sv' | 'en') {
  const [person] = await personByNumber(db, employeeNumber);
  // Someone signed in but on no roster (a bootstrap admin) is required to take nothing.
  const requirements = person ? await myTraining(db, person.id, asOf, lang) : [];
  return { asOf, person: { employeeNumber, name: person?.name ?? null }, requirements };
}
