import type { Db, OrgUnit, UnitKind } from '../db/schema.ts';
import { coverageTrend, placesLater, requireRequirement, requireUnitAt, type PersonPlace, type PlaceFinder } from '../domain/coverage-report.ts';
import { countSubtree, eachPerson, exemptionReasons, figures, type Counts, type Figures, type PersonCoverage } from '../domain/coverage.ts';
import { countsAgree, tallyPerson } from '../domain/people-tally.ts';
import { isEffective, loadRequirements, requirementView, type RequirementSpec } from '../domain/requirements.ts';
import { reportsForUnits, type ReportSummary } from '../domain/reports.ts';
import { subtreeAt } from '../domain/units.ts';

/**
 * Everything the revision's workbook shows, gathered from the coverage engine: no figure is
 * computed here, only picked from what the engine answers for the same unit, requirement and date.
 */

export interface ExportUnit {
  code: string;
  name: string;
  kind: UnitKind;
  parentCode: string | null;
  /** Levels below the asked unit (0 for the asked unit). */
  depth: number;
}

/** A requirement as the API shows it (Metod lists it with its source, responsible and follow-up). */
export type ExportRequirement = ReturnType<typeof requirementView>;

export type ImportKind = 'units' | 'roster' | 'completions' | 'xapi' | 'manual';
export const IMPORT_KINDS: readonly ImportKind[] = ['units', 'roster', 'completions', 'xapi', 'manual'];

export interface CoverageExport {
  asOf: string;
  unit: ExportUnit;
  requirements: ExportRequirement[];
  /** The förvaltningar the summary has a row for (the asked unit when it is one or below one). */
  summaryUnits: ExportUnit[];
  /** The whole tree below the asked unit, depth first, siblings by name. */
  tree: ExportUnit[];
  /** Figures per requirement code, then per unit code; every unit of `tree` is present. */
  figures: Map<string, Map<string, Figures>>;
  trend: { requirement: string; asOf: string; figures: Figures }[];
  /**
   * Only when names were asked for (and allowed): every person of each requirement's list, made
   * one at a time as the workbook is written (read them to the end without awaiting in between,
   * `row-source.ts`); `count` is how many have been made so far (all, once written).
   */
  people: (Iterable<{ requirement: string; person: PersonCoverage; place: PersonPlace }> & {
    readonly count: number;
    /** What the rows made so far add up to, per requirement (`peopleAgree`). */
    readonly tally: ReadonlyMap<string, Counts>;
  }) | null;
  /** Why the asked unit's undantagna are exempted: per requirement, how many per reason. */
  exemptions: { requirement: string; reason: string; count: number }[];
  /** The last committed import of each kind, an instant (ISO), or null when there was none. */
  lastImports: Record<ImportKind, string | null>;
  generatedAt: string;
  generatedBy: string;
  /** The reports published for the asked unit or a unit below it (Metod lists them; issue 20). */
  reports?: ReportSummary[];
}

export interface ExportQuery {
  unit: string;
  asOf: string;
  requirement?: string;
  people: boolean;
  actor: string;
  now?: Date;
}

const ZERO = { population: 0, completed: 0, started: 0, overdue: 0, exempt: 0 };

const toUnit = (u: OrgUnit & { depth: number }): ExportUnit => ({
  code: u.code,
  name: u.name,
  kind: u.kind,
  parentCode: u.parent_code,
  depth: u.depth,
});

/** Depth-first order with siblings by name (as the coverage API lists children). */
export function depthFirst(units: ExportUnit[], root: string): ExportUnit[] {
  const kids = new Map<string, ExportUnit[]>();
  for (const u of units) {
    if (u.code === root || u.parentCode === null) continue;
    const list = kids.get(u.parentCode) ?? [];
    list.push(u);
    kids.set(u.parentCode, list);
  }
  const byName = (a: ExportUnit, b: ExportUnit) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.code < b.code ? -1 : 1);
  const out: ExportUnit[] = [];
  const seen = new Set<string>();
  const stack: ExportUnit[] = [units.find((u) => u.code === root)!];
  while (stack.length) {
    const u = stack.pop()!;
    if (seen.has(u.code)) continue;
    seen.add(u.code);
    out.push(u);
    const children = (kids.get(u.code) ?? []).slice().sort(byName);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return out;
}

/** The trend's window, as GET /api/coverage/trend takes it when `from` is left out. */
export function trendFrom(asOf: string): string {
  return `${Number(asOf.slice(0, 4)) - 3}${asOf.slice(4)}`;
}

export async function lastImports(db: Db): Promise<Record<ImportKind, string | null>> {
  const rows = await db
    .selectFrom('import_batch')
    .select((eb) => ['kind', eb.fn.max(eb.fn.coalesce('finished_at', 'started_at')).as('at')])
    .where('status', '=', 'committed')
    .groupBy('kind')
    .execute();
  const out = Object.fromEntries(IMPORT_KINDS.map((k) => [k, null])) as Record<ImportKind, string | null>;
  for (const row of rows) out[row.kind] = row.at;
  return out;
}

/**
 * Whether the written Personer rows add up to the asked unit's figures in the summary sheets. They
 * are read by different statements at different moments (the figures first, the rows as the sheet
 * is written: `row-source.ts`), so a write landing in between would make the two sheets of one
 * workbook disagree; the route then gathers and writes it again. True when no rows were asked for.
 */
export function peopleAgree(d: CoverageExport): boolean {
  if (!d.people) return true;
  for (const r of d.requirements) {
    const f = d.figures.get(r.code)?.get(d.unit.code);
    const t = d.people.tally.get(r.code) ?? ZERO;
    if (!f || !countsAgree(f, t)) return false;
  }
  return true;
}

export async function gatherCoverageExport(db: Db, q: ExportQuery): Promise<CoverageExport> {
  const unit = await requireUnitAt(db, q.unit, q.asOf);
  const specs = q.requirement
    ? [await requireRequirement(db, q.requirement)]
    : (await loadRequirements(db)).filter((r) => isEffective(r, q.asOf));

  const tree = depthFirst((await subtreeAt(db, unit.code, q.asOf)).map(toUnit), unit.code);
  const root = tree[0];
  const summaryUnits = root.kind === 'stad' ? tree.filter((u) => u.kind === 'forvaltning') : [root];

  const byRequirement = new Map<string, Map<string, Figures>>();
  for (const r of specs) {
    const counts = await countSubtree(db, r, unit.code, q.asOf);
    byRequirement.set(r.code, new Map(tree.map((u) => [u.code, figures(counts.get(u.code) ?? ZERO, r.targetRate)])));
  }

  const exemptions: CoverageExport['exemptions'] = [];
  for (const r of specs) {
    if (!byRequirement.get(r.code)!.get(unit.code)!.exempt) continue;
    for (const x of await exemptionReasons(db, r, unit.code, q.asOf)) exemptions.push({ requirement: r.code, ...x });
  }

  const trend: CoverageExport['trend'] = [];
  for (const r of specs) {
    const t = await coverageTrend(db, unit.code, r.code, trendFrom(q.asOf), q.asOf, 'tertial');
    for (const { asOf, ...f } of t.points) trend.push({ requirement: r.code, asOf, figures: f });
  }

  let people: CoverageExport['people'] = null;
  if (q.people) {
    // The city's list is ~40 000 people per requirement: as objects, and again as cells, it was
    // most of the export's peak RSS (`npm run bench`). So each list is a statement read as the
    // Personer sheet is written.
    const parts: { requirement: string; persons: Iterable<PersonCoverage>; places: () => PlaceFinder }[] = [];
    for (const r of specs) {
      if (!isEffective(r, q.asOf)) continue;
      parts.push({ requirement: r.code, persons: await eachPerson(db, r, { unit: unit.code }, q.asOf), places: await placesLater(db, r, unit.code, q.asOf) });
    }
    let count = 0;
    const tally = new Map<string, Counts>();
    people = {
      get count() {
        return count;
      },
      tally,
      *[Symbol.iterator]() {
        for (const { requirement, persons, places } of parts) {
          let place: PlaceFinder | undefined;
          const t = { ...ZERO };
          tally.set(requirement, t);
          for (const person of persons) {
            place ??= places();
            count++;
            tallyPerson(t, person);
            yield { requirement, person, place: place(person) };
          }
        }
      },
    };
  }

  return {
    asOf: q.asOf,
    unit: root,
    requirements: specs.map(requirementView),
    summaryUnits,
    tree,
    figures: byRequirement,
    trend,
    people,
    exemptions,
    lastImports: await lastImports(db),
    reports: await reportsForUnits(db, new Set(tree.map((u) => u.code))),
    generatedAt: (q.now ?? new Date()).toISOString(),
    generatedBy: q.actor,
  };
}
