import { sql, type CompiledQuery } from 'kysely';
import { z } from 'zod';
import type { AtomicRunner } from '../db/atomic.ts';
import type { Db, FrozenFigures, ReportPersonTable } from '../db/schema.ts';
import { isIsoDate } from './calendar.ts';
import { currentRequirements } from './coverage-report.ts';
import { figures as figuresOf, listPeople, ZERO, type Counts, type Figures } from './coverage.ts';
import { DomainError } from './errors.ts';
import { countsAgree, tallyPerson } from './people-tally.ts';
import { figureSet, type FigureSet } from './report-figures.ts';
import { isEffective, type RequirementSpec } from './requirements.ts';
import { ancestorsOfAll, unitAt } from './units.ts';

/**
 * Reports that stand (DESIGN.md "Reports that stand"): a published report keeps its figures, its
 * tertial trend and each counted person's status as they were when it was published. Nothing
 * here changes or deletes a report once written.
 */

const isoDate = z.string().refine(isIsoDate, 'a date YYYY-MM-DD');

export const reportInput = z.strictObject({
  title: z.string().trim().min(1).max(200),
  unit: z.string().trim().min(1).max(64),
  requirements: z.array(z.string().trim().min(1).max(64)).min(1).max(20),
  asOf: isoDate,
  analysis: z.string().trim().max(20_000).nullish(),
});
export type ReportInput = z.infer<typeof reportInput>;

export interface ReportView {
  id: number;
  title: string;
  unit: { code: string; name: string };
  requirements: { code: string; title: string; titleEn: string | null }[];
  asOf: string;
  analysis: string | null;
  publishedAt: string;
  publishedBy: { employeeNumber: string; name: string | null };
  figures: FigureSet[];
}

export interface ReportSummary {
  id: number;
  title: string;
  unit: { code: string; name: string };
  asOf: string;
  requirements: string[];
  publishedAt: string;
  publishedBy: { employeeNumber: string; name: string | null };
}

/** A frozen person row as the changes compare it. */
export type FrozenPerson = Omit<ReportPersonTable, 'report_id'>;

/** The requirements a report names, checked: each known, named once, and in force on the date. */
export async function reportRequirements(db: Db, codes: readonly string[], asOf: string): Promise<RequirementSpec[]> {
  const all = await currentRequirements(db);
  const seen = new Set<string>();
  return codes.map((code) => {
    if (seen.has(code)) throw new DomainError('unprocessable', 'report.duplicateRequirement', { code });
    seen.add(code);
    const r = all.find((x) => x.code === code);
    if (!r) throw new DomainError('unprocessable', 'requirement.unknown', { code });
    if (!isEffective(r, asOf)) throw new DomainError('unprocessable', 'report.notEffective', { code, asOf, from: r.effectiveFrom, to: r.effectiveTo ?? '…' });
    return r;
  });
}

const FIGURE_COLUMNS = ['population', 'completed', 'started', 'not_started', 'overdue', 'reached', 'rate', 'target', 'gap', 'exempt'] as const;
const frozen = (f: Figures): unknown[] => [f.population, f.completed, f.started, f.notStarted, f.overdue, f.reached, f.rate, f.target, f.gap, f.exempt];
const thawed = (row: FrozenFigures): Figures => ({
  population: row.population,
  completed: row.completed,
  started: row.started,
  notStarted: row.not_started,
  overdue: row.overdue,
  reached: row.reached,
  rate: row.rate,
  target: row.target,
  gap: row.gap,
  exempt: row.exempt,
});

/** Rows per insert: each statement binds two values (the report's key and the rows as JSON), so D1's limits hold at any size. */
const ROWS_PER_STATEMENT = 400;

/**
 * Inserts rows of the report written under `uid`, many per statement: the rows go as one JSON
 * array bound once (a D1 statement binds at most 100 values), and each finds its report by the
 * key, since nothing is returned between the statements of one all-or-nothing write.
 */
function insertRows(db: Db, table: string, columns: readonly string[], rows: unknown[][], uid: string, per = ROWS_PER_STATEMENT): CompiledQuery[] {
  const out: CompiledQuery[] = [];
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    const values = columns.map((_, k) => sql.raw(`json_extract(j.value, '$[${k}]')`));
    out.push(
      sql`INSERT INTO ${sql.table(table)} (report_id, ${sql.join(columns.map((c) => sql.ref(c)))})
        SELECT (SELECT id FROM report WHERE uid = ${uid}), ${sql.join(values)} FROM json_each(${JSON.stringify(chunk)}) AS j ORDER BY j.key`.compile(db),
    );
  }
  return out;
}

/** How many times the figures and people are read before publishing gives up (as the export writes again). */
export const PUBLISH_ATTEMPTS = 3;

/** What a report freezes, read from the coverage engine: the figures, then each counted person. */
interface Reading {
  sets: FigureSet[];
  people: unknown[][];
  /** Per requirement, what its people add up to (`people-tally.ts`). */
  tally: Map<string, Counts>;
}

async function readFrozen(db: Db, unitCode: string, specs: readonly RequirementSpec[], asOf: string, betweenReads?: () => Promise<void>): Promise<Reading> {
  const sets: FigureSet[] = [];
  for (const r of specs) sets.push(await figureSet(db, unitCode, r, asOf));
  await betweenReads?.();
  const people: unknown[][] = [];
  const tally = new Map<string, Counts>();
  for (const r of specs) {
    const t = { ...ZERO };
    tally.set(r.code, t);
    for (const p of await listPeople(db, r, { unit: unitCode }, asOf)) {
      tallyPerson(t, p);
      people.push([r.code, p.personId, p.employeeNumber, p.name, p.unitCode, p.unitName, p.status, p.dueDate, p.overdue ? 1 : 0, p.occurredAt]);
    }
  }
  return { sets, people, tally };
}

/** Whether each requirement's people add up to its frozen total (the unit's figure row). */
const agrees = (x: Reading): boolean => x.sets.every((s) => countsAgree(s.total, x.tally.get(s.requirement.code) ?? ZERO));

/**
 * Publishes a report: the figures and the people list of each requirement on the date, from the
 * coverage engine, written with the report and its audit entry all-or-nothing. The caller has
 * checked the right to publish for the unit; this checks the rest.
 *
 * The figures and the people are read by separate statements (no read snapshot spans them on D1,
 * nor across Node's read threads), so a write landing in between (an import committing, a record
 * by hand) could freeze people who do not add up to the figures beside them. Each requirement's
 * people are tallied as they are read and compared with its total; on a difference all is read
 * again, at most PUBLISH_ATTEMPTS times, and then refused (409 `report.figuresChanged`) rather
 * than published disagreeing. Nothing is written before they agree.
 */
export async function publishReport(
  deps: { db: Db; atomic: AtomicRunner },
  input: ReportInput,
  actor: string,
  today: string,
  {
    rowsPerStatement = ROWS_PER_STATEMENT,
    betweenReads,
  }: {
    /** Rows per insert statement; a test makes it small to pass one D1 batch with a small world. */
    rowsPerStatement?: number;
    /** Run between the figures and the people of each attempt: a test makes a real write land there. */
    betweenReads?: () => Promise<void>;
  } = {},
): Promise<ReportView> {
  const { db } = deps;
  if (input.asOf > today) throw new DomainError('unprocessable', 'report.future', { asOf: input.asOf, today });
  const unit = await unitAt(db, input.unit, input.asOf);
  if (!unit) throw new DomainError('unprocessable', 'report.unknownUnit', { code: input.unit, date: input.asOf });
  const specs = await reportRequirements(db, input.requirements, input.asOf);

  let reading: Reading | undefined;
  for (let attempt = 1; attempt <= PUBLISH_ATTEMPTS && !reading; attempt++) {
    const x = await readFrozen(db, unit.code, specs, input.asOf, betweenReads);
    if (agrees(x)) reading = x;
  }
  if (!reading) throw new DomainError('conflict', 'report.figuresChanged', { attempts: PUBLISH_ATTEMPTS });
  const { sets, people } = reading;

  const uid = crypto.randomUUID();
  const now = new Date().toISOString();
  const analysis = input.analysis ? input.analysis : null;
  const statements: CompiledQuery[] = [
    db
      .insertInto('report')
      .values({ uid, title: input.title, unit_code: unit.code, unit_name: unit.name, as_of: input.asOf, analysis, published_at: now, published_by: actor })
      .compile(),
    ...insertRows(db, 'report_requirement', ['position', 'code', 'title', 'title_en', 'target_rate'], specs.map((r, i) => [i, r.code, r.title, r.titleEn, r.targetRate]), uid, rowsPerStatement),
    ...insertRows(
      db,
      'report_figure',
      ['requirement_code', 'position', 'unit_code', 'unit_name', ...FIGURE_COLUMNS],
      sets.flatMap((s) => [
        [s.requirement.code, 0, unit.code, unit.name, ...frozen(s.total)],
        ...s.children.map(({ unit: u, ...f }, i) => [s.requirement.code, i + 1, u.code, u.name, ...frozen(f)]),
      ]),
      uid,
      rowsPerStatement,
    ),
    ...insertRows(db, 'report_trend', ['requirement_code', 'as_of', ...FIGURE_COLUMNS], sets.flatMap((s) => s.trend.map(({ asOf, ...f }) => [s.requirement.code, asOf, ...frozen(f)])), uid, rowsPerStatement),
    ...insertRows(db, 'report_person', ['requirement_code', 'person_id', 'employee_number', 'name', 'unit_code', 'unit_name', 'status', 'due_date', 'overdue', 'occurred_at'], people, uid, rowsPerStatement),
  ];
  // The log names the report (by its id, found by the key as the other rows do) and how many
  // people it froze, never who.
  const detail = JSON.stringify({ title: input.title, asOf: input.asOf, requirements: specs.map((r) => r.code), people: people.length });
  statements.push(
    sql`INSERT INTO audit_log (at, actor, kind, action, scope, detail_json)
      VALUES (${now}, ${actor}, 'report', 'publish', ${unit.code}, json_set(${detail}, '$.report', (SELECT id FROM report WHERE uid = ${uid})))`.compile(db),
  );
  // A city-wide report of several requirements can pass one D1 batch (500 statements): should a
  // later batch fail, these take the earlier ones back (Node needs none: one transaction).
  const ofReport = sql`report_id = (SELECT id FROM report WHERE uid = ${uid})`;
  const undo = [
    ...(['report_person', 'report_trend', 'report_figure', 'report_requirement'] as const).map((t) => sql`DELETE FROM ${sql.table(t)} WHERE ${ofReport}`.compile(db)),
    db.deleteFrom('report').where('uid', '=', uid).compile(),
  ];
  await deps.atomic(statements, { undo });
  const { id } = await db.selectFrom('report').select('id').where('uid', '=', uid).executeTakeFirstOrThrow();
  return (await readReport(db, id))!;
}

type ReportRow = { id: number; title: string; unit_code: string; unit_name: string; as_of: string; analysis: string | null; published_at: string; published_by: string; publisher_name: string | null };

const reportRows = (db: Db) =>
  db
    .selectFrom('report as r')
    // The publisher's name as the person register has it (anonymised with them by retention).
    .leftJoin('person as p', 'p.employee_number', 'r.published_by')
    .select(['r.id', 'r.title', 'r.unit_code', 'r.unit_name', 'r.as_of', 'r.analysis', 'r.published_at', 'r.published_by', 'p.name as publisher_name']);

/** A report's row without its figures (for scope checks), or undefined. */
export async function reportRow(db: Db, id: number): Promise<ReportRow | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  return reportRows(db).where('r.id', '=', id).executeTakeFirst();
}

export async function requireReportRow(db: Db, id: number): Promise<ReportRow> {
  const row = await reportRow(db, id);
  if (!row) throw new DomainError('not_found', 'report.unknown', { id: String(id) });
  return row;
}

/** A report as it was published, or undefined. */
export async function readReport(db: Db, id: number): Promise<ReportView | undefined> {
  const row = await reportRow(db, id);
  if (!row) return undefined;
  const [requirements, figureRows, trendRows] = await Promise.all([
    db.selectFrom('report_requirement').selectAll().where('report_id', '=', id).orderBy('position').execute(),
    db.selectFrom('report_figure').selectAll().where('report_id', '=', id).orderBy('requirement_code').orderBy('position').execute(),
    db.selectFrom('report_trend').selectAll().where('report_id', '=', id).orderBy('requirement_code').orderBy('as_of').execute(),
  ]);
  return {
    id: row.id,
    title: row.title,
    unit: { code: row.unit_code, name: row.unit_name },
    requirements: requirements.map((r) => ({ code: r.code, title: r.title, titleEn: r.title_en })),
    asOf: row.as_of,
    analysis: row.analysis,
    publishedAt: row.published_at,
    publishedBy: { employeeNumber: row.published_by, name: row.publisher_name },
    figures: requirements.map((r) => {
      const mine = figureRows.filter((f) => f.requirement_code === r.code);
      const total = mine.find((f) => f.position === 0);
      return {
        requirement: { code: r.code, title: r.title, titleEn: r.title_en, target: Number(r.target_rate) },
        total: total ? thawed(total) : figuresOf(ZERO, r.target_rate),
        children: mine.filter((f) => f.position > 0).map((f) => ({ unit: { code: f.unit_code, name: f.unit_name }, ...thawed(f) })),
        trend: trendRows.filter((t) => t.requirement_code === r.code).map((t) => ({ asOf: t.as_of, ...thawed(t) })),
      };
    }),
  };
}

/** The people a report froze for one requirement, or for all of them (in one read) when none is named. */
export async function frozenPeople(db: Db, id: number, requirement?: string): Promise<FrozenPerson[]> {
  let q = db
    .selectFrom('report_person')
    .select(['requirement_code', 'person_id', 'employee_number', 'name', 'unit_code', 'unit_name', 'status', 'due_date', 'overdue', 'occurred_at'])
    .where('report_id', '=', id);
  if (requirement !== undefined) q = q.where('requirement_code', '=', requirement);
  return q.orderBy('name').orderBy('employee_number').execute();
}

/**
 * Every report whose unit lies within one of `units` (in the tree of the report's date, or
 * today's), newest first; every report with `units` null. Reports are few (a handful a year per
 * förvaltning): read all, then walk their units' paths once per date.
 */
export async function reportsWithin(db: Db, units: readonly string[] | null, today: string): Promise<ReportSummary[]> {
  const rows = await reportRows(db).orderBy('r.published_at', 'desc').orderBy('r.id', 'desc').execute();
  let kept = rows;
  if (units !== null) {
    const dates = [...new Set([...rows.map((r) => r.as_of), today])];
    const paths = new Map<string, Map<string, Set<string>>>();
    for (const d of dates) paths.set(d, await ancestorsOfAll(db, [...new Set(rows.map((r) => r.unit_code))], d));
    const under = (code: string, d: string) => [...(paths.get(d)?.get(code) ?? [])].some((a) => units.includes(a));
    kept = rows.filter((r) => under(r.unit_code, r.as_of) || under(r.unit_code, today));
  }
  return summaries(db, kept);
}

async function summaries(db: Db, kept: ReportRow[]): Promise<ReportSummary[]> {
  const reqs = await requirementCodesOf(db, kept.map((r) => r.id));
  return kept.map((r) => ({
    id: r.id,
    title: r.title,
    unit: { code: r.unit_code, name: r.unit_name },
    asOf: r.as_of,
    requirements: reqs.get(r.id) ?? [],
    publishedAt: r.published_at,
    publishedBy: { employeeNumber: r.published_by, name: r.publisher_name },
  }));
}

/** The requirement codes of each report, in the report's order (ids bound as one JSON array). */
async function requirementCodesOf(db: Db, ids: readonly number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (!ids.length) return out;
  const { rows } = await sql<{ report_id: number; code: string }>`SELECT report_id, code FROM report_requirement
    WHERE report_id IN (SELECT value FROM json_each(${JSON.stringify(ids)})) ORDER BY report_id, position`.execute(db);
  for (const r of rows) (out.get(r.report_id) ?? out.set(r.report_id, []).get(r.report_id)!).push(r.code);
  return out;
}

/** The reports published for a unit or below it (the revision workbook's Metod), newest first. */
export async function reportsForUnits(db: Db, codes: ReadonlySet<string>): Promise<ReportSummary[]> {
  const rows = await reportRows(db).orderBy('r.published_at', 'desc').orderBy('r.id', 'desc').execute();
  return summaries(db, rows.filter((r) => codes.has(r.unit_code)));
}
