import { stockholmDateTime } from '../domain/calendar.ts';
import type { Figures } from '../domain/coverage.ts';
import type { Cell } from './xlsx-writer.ts';

/**
 * The typed cells the workbooks write (the revision's and a report's). Every value gets an explicit
 * type, so nothing a roster carries (a name like `=HYPERLINK(…)`) is ever taken for a formula, and
 * dates are serials with a date format, as Excel's filters expect.
 */

/** Excel's longest text in one cell. */
const MAX_TEXT = 32_767;
export const text = (v: string | null | undefined): Cell =>
  v === null || v === undefined ? undefined : { t: 's', v: v.length > MAX_TEXT ? v.slice(0, MAX_TEXT) : v };
export const bold = (v: string): Cell => ({ t: 's', v, bold: true });
/** A table's heading row (frozen and filterable by the writer). */
export const headerRow = (headings: readonly string[]): Cell[] => headings.map((h) => bold(h));
export const num = (v: number): Cell => ({ t: 'n', v });
export const pct = (v: number | null): Cell => (v === null ? undefined : { t: 'n', v, z: 'percent' });

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);
/** A calendar date 'YYYY-MM-DD' (or a local 'YYYY-MM-DDTHH:MM:SS') as an Excel serial. */
function serial(local: string): number {
  const [y, m, d] = [+local.slice(0, 4), +local.slice(5, 7), +local.slice(8, 10)];
  const [hh, mm, ss] = local.length > 10 ? [+local.slice(11, 13), +local.slice(14, 16), +local.slice(17, 19)] : [0, 0, 0];
  return (Date.UTC(y, m - 1, d, hh, mm, ss) - EXCEL_EPOCH) / 86_400_000;
}
export const date = (v: string | null): Cell => (v === null ? undefined : { t: 'n', v: serial(v), z: 'date' });
/** An instant, written as the Stockholm wall-clock time it was. */
export const instant = (iso: string): Cell => ({ t: 'n', v: serial(stockholmDateTime(new Date(iso))), z: 'dateTime' });

/** One row's figures in FIGURE_HEADINGS' order. */
export function figureCells(f: Figures): Cell[] {
  return [num(f.population), num(f.completed), num(f.started), num(f.notStarted), num(f.overdue), pct(f.rate), pct(f.target), num(f.gap), num(f.exempt)];
}
