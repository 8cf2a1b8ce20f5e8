import type { Db } from '../db/schema.ts';
import { coverageTrend } from './coverage-report.ts';
import { countCoverage, figures, ZERO, type Figures } from './coverage.ts';
import type { RequirementSpec } from './requirements.ts';
import { childrenAt, unitAt } from './units.ts';

/**
 * A report's figures for one requirement, from the coverage engine as GET /api/coverage and
 * GET /api/coverage/trend give them: the unit's total and its children on the report's date, and
 * the tertial points before it. Used when a report is published and again for its "now".
 */
export interface FigureSet {
  requirement: { code: string; title: string; titleEn: string | null; target: number };
  total: Figures;
  children: ({ unit: { code: string; name: string } } & Figures)[];
  trend: ({ asOf: string } & Figures)[];
}

/**
 * Where a report's trend begins: the first day of the year before the report's date, or the day the
 * requirement took effect if that is later (DESIGN.md "Reports that stand").
 */
export function trendStart(r: Pick<RequirementSpec, 'effectiveFrom'>, asOf: string): string {
  const start = `${Number(asOf.slice(0, 4)) - 1}-01-01`;
  return r.effectiveFrom > start ? r.effectiveFrom : start;
}

export async function figureSet(db: Db, unitCode: string, r: RequirementSpec, asOf: string): Promise<FigureSet> {
  const requirement = { code: r.code, title: r.title, titleEn: r.titleEn, target: Number(r.targetRate) };
  // A unit re-registered since (no longer valid on the date) has no figures now: zeros, not a 404,
  // so that the report still opens and shows what it said.
  if (!(await unitAt(db, unitCode, asOf))) return { requirement, total: figures(ZERO, r.targetRate), children: [], trend: [] };
  const [kids, counts] = await Promise.all([childrenAt(db, unitCode, asOf), countCoverage(db, r, unitCode, asOf, { children: true })]);
  const from = trendStart(r, asOf);
  const trend = from <= asOf ? (await coverageTrend(db, unitCode, r.code, from, asOf, 'tertial')).points : [];
  return {
    requirement,
    total: figures(counts.total, r.targetRate),
    children: kids.map((k) => ({ unit: { code: k.code, name: k.name }, ...figures(counts.children.get(k.code) ?? ZERO, r.targetRate) })),
    trend,
  };
}
