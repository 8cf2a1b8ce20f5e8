import { sql } from 'kysely';
import type { Db } from '../db/schema.ts';
import { currentRequirements } from './coverage-report.ts';
import { listPeople, type PersonStatus } from './coverage.ts';
import { figureSet, type FigureSet } from './report-figures.ts';
import { frozenPeople, type FrozenPerson, type ReportView } from './reports.ts';

/**
 * What differs between a published report and the same question asked today (docs/reports.md):
 * each person whose standing (status, due date, försenad) on the report's date is not what the
 * report froze, with the reason found in what was written after the report was published.
 */

export type ChangeReason = 'late_record' | 'annulled' | 'exemption' | 'roster' | 'requirement';
/** In the order they are tried (see `reasonFor`). */
export const CHANGE_REASONS: readonly ChangeReason[] = ['exemption', 'annulled', 'late_record', 'roster', 'requirement'];

export interface Standing {
  status: PersonStatus;
  dueDate: string | null;
  overdue: boolean;
}

export interface ReportChange {
  employeeNumber: string;
  name: string;
  unit: { code: string; name: string };
  requirement: string;
  reported: Standing | null;
  now: Standing | null;
  reason: ChangeReason;
}

const same = (a: Standing | null, b: Standing | null) => a !== null && b !== null && a.status === b.status && a.dueDate === b.dueDate && a.overdue === b.overdue;

/** The evidence written at or after `since` for the given people and one requirement. */
interface Evidence {
  annulled: Set<number>;
  lateRecord: Set<number>;
  exemption: Set<number>;
  roster: Set<number>;
  /** The organisation register was imported (the tree can move anyone in or out). */
  units: boolean;
  /** The requirement, or one of its courses, was edited. */
  requirement: boolean;
}

async function evidence(db: Db, requirement: { id: number; code: string; courseIds: number[] }, people: number[], asOf: string, since: string): Promise<Evidence> {
  const ids = JSON.stringify(people);
  const courses = JSON.stringify(requirement.courseIds);
  const inPeople = sql`person_id IN (SELECT value FROM json_each(${ids}))`;
  const records = sql`${inPeople} AND course_id IN (SELECT value FROM json_each(${courses})) AND substr(occurred_at, 1, 10) <= ${asOf}`;
  const ofRows = (rows: { person_id: number }[]) => new Set(rows.map((r) => r.person_id));
  const [annulled, late, exemption, roster, units, edited] = await Promise.all([
    sql<{ person_id: number }>`SELECT DISTINCT person_id FROM completion WHERE ${records} AND annulled_at >= ${since}`.execute(db),
    sql<{ person_id: number }>`SELECT DISTINCT person_id FROM completion WHERE ${records} AND recorded_at >= ${since}`.execute(db),
    sql<{ person_id: number }>`SELECT DISTINCT person_id FROM exemption WHERE ${inPeople} AND requirement_id = ${requirement.id}
      AND from_date <= ${asOf} AND (created_at >= ${since} OR ended_at >= ${since})`.execute(db),
    // Rows an import inserted name their batch; everything else on employment is stamped by
    // triggers in employment_changed (sql/0012).
    sql<{ person_id: number }>`SELECT person_id FROM employment_changed WHERE ${inPeople} AND at >= ${since}
      UNION
      SELECT e.person_id FROM employment e JOIN import_batch b ON b.id = e.import_batch_id
      WHERE e.person_id IN (SELECT value FROM json_each(${ids})) AND (b.started_at >= ${since} OR b.finished_at >= ${since})`.execute(db),
    sql<{ n: number }>`SELECT count(*) AS n FROM import_batch WHERE kind = 'units' AND status = 'committed' AND started_at >= ${since}`.execute(db),
    sql<{ n: number }>`SELECT (SELECT count(*) FROM requirement WHERE code = ${requirement.code} AND updated_at >= ${since})
      + (SELECT count(*) FROM course WHERE id IN (SELECT value FROM json_each(${courses})) AND updated_at >= ${since}) AS n`.execute(db),
  ]);
  return {
    annulled: ofRows(annulled.rows),
    lateRecord: ofRows(late.rows),
    exemption: ofRows(exemption.rows),
    roster: ofRows(roster.rows),
    units: Number(units.rows[0]?.n ?? 0) > 0,
    requirement: Number(edited.rows[0]?.n ?? 0) > 0,
  };
}

/**
 * The reason for one person's difference (docs/reports.md, "Reasons and their precedence"). Only a
 * cause that can make this kind of difference is considered, in this order:
 * 1. `exemption`: an exemption from the requirement, beginning on or before the date, made or
 *    ended after publishing, when the person is undantagen in the report or now;
 * 2. `annulled`: a record of the requirement's courses dated on or before the date, annulled after
 *    publishing, when the status differs;
 * 3. `late_record`: such a record recorded after publishing, when the status differs;
 * 4. `roster`: the person's employments (or the organisation) changed after publishing, when they
 *    entered or left the list or their due date moved;
 * 5. `requirement`: the requirement or one of its courses was edited after publishing.
 * With no evidence at all: `roster` when the person entered or left the list, else `requirement`.
 */
export function reasonFor(personId: number, reported: Standing | null, now: Standing | null, e: Evidence): ChangeReason {
  const presence = reported === null || now === null;
  const status = !presence && reported.status !== now.status;
  const exemptSide = status && (reported.status === 'exempt' || now.status === 'exempt');
  const due = !presence && reported.dueDate !== now.dueDate;
  if (exemptSide && e.exemption.has(personId)) return 'exemption';
  if (status && e.annulled.has(personId)) return 'annulled';
  if (status && e.lateRecord.has(personId)) return 'late_record';
  if ((presence || due) && (e.roster.has(personId) || e.units)) return 'roster';
  if (e.requirement) return 'requirement';
  return presence ? 'roster' : 'requirement';
}

const standingOf = (p: FrozenPerson): Standing => ({ status: p.status, dueDate: p.due_date, overdue: p.overdue === 1 });

/** Today's figures for the report's unit, requirements and date, and the people whose standing differs. */
export async function reportNow(db: Db, report: ReportView): Promise<{ now: { figures: FigureSet[] }; changes: ReportChange[] }> {
  // The frozen people of every requirement in one read, not one per requirement.
  const [specs, frozen] = await Promise.all([currentRequirements(db), frozenPeople(db, report.id)]);
  const figures: FigureSet[] = [];
  const changes: ReportChange[] = [];
  for (const { code } of report.requirements) {
    const r = specs.find((x) => x.code === code);
    const before = frozen.filter((p) => p.requirement_code === code);
    // A requirement is never deleted; should one be missing, nobody is counted for it now.
    if (r) figures.push(await figureSet(db, report.unit.code, r, report.asOf));
    const current = r ? await listPeople(db, r, { unit: report.unit.code }, report.asOf) : [];
    const nowById = new Map(current.map((p) => [p.personId, p]));
    const beforeById = new Map(before.map((p) => [p.person_id, p]));
    const differing: { id: number; reported: Standing | null; now: Standing | null; who: { employeeNumber: string; name: string; unit: { code: string; name: string } } }[] = [];
    for (const id of new Set([...beforeById.keys(), ...nowById.keys()])) {
      const b = beforeById.get(id);
      const n = nowById.get(id);
      const reported = b ? standingOf(b) : null;
      const now = n ? { status: n.status, dueDate: n.dueDate, overdue: n.overdue } : null;
      if (same(reported, now)) continue;
      const who = n
        ? { employeeNumber: n.employeeNumber, name: n.name, unit: { code: n.unitCode, name: n.unitName } }
        : { employeeNumber: b!.employee_number, name: b!.name, unit: { code: b!.unit_code, name: b!.unit_name } };
      differing.push({ id, reported, now, who });
    }
    if (!differing.length) continue;
    const e = await evidence(db, { id: r?.id ?? -1, code, courseIds: r?.courses.map((c) => c.id) ?? [] }, differing.map((d) => d.id), report.asOf, report.publishedAt);
    differing.sort((a, b) => (a.who.name < b.who.name ? -1 : a.who.name > b.who.name ? 1 : a.who.employeeNumber < b.who.employeeNumber ? -1 : 1));
    for (const d of differing) changes.push({ ...d.who, requirement: code, reported: d.reported, now: d.now, reason: reasonFor(d.id, d.reported, d.now, e) });
  }
  return { now: { figures }, changes };
}
