import * as XLSX from 'xlsx';
import { unzipSync, strFromU8 } from 'fflate';
import { course, requirement, type Fixture } from './fixtures.ts';

/**
 * A small city for the export tests. Figures at 2024-04-25, worked out by hand (docs/coverage-rules.md):
 *
 * R1 (course C1, scope CITY, due 30 days after start, target 0.7)
 *   P1 =HYPERLINK… F1-A-1 + F1-A-2  completed 2023-05-01
 *   P2 +cmd        F1-A-2           started 2024-01-10, due 2020-01-31 → overdue
 *   P3 -1          F1-B             nothing, due 2020-01-31 → overdue
 *   P4 @SUM(A1)    F2-C             completed 2024-02-01
 *   P5 Eva Ek      F2-C from 2024-03-01, nothing, due 2024-03-31 → overdue
 *   P6 \tTabb      F1-B             completed 2021-01-10
 *   P7 \rRetur     F1-B from 2024-04-10, nothing, due 2024-05-10 → not yet overdue
 * R2 (course C2, scope F2, fixed due 2023-12-31, target 1, effective from 2022-01-01)
 *   P4 started C2 2023-06-01 (overdue), P5 nothing (overdue)
 * P8 worked in OLD (a förvaltning until 2019-12-31) and nowhere since: in no 2024 figure.
 * R3 ended 2019-12-31: not effective on the date, so not in an export without `requirement`.
 */
export const ASOF = '2024-04-25';

export const INJECTED = ['=HYPERLINK("http://x","y")', '+cmd', '-1', '@SUM(A1)', '\tTabb', '\rRetur'];

export const WORLD: Fixture = {
  units: [
    ['CITY', 'Staden', null, 'stad'],
    ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
    ['F1-A', 'Avdelning A', 'F1', 'avdelning'],
    ['F1-A-1', 'Enhet A1', 'F1-A', 'enhet'],
    ['F1-A-2', 'Enhet A2', 'F1-A', 'enhet'],
    ['F1-B', 'Avdelning B', 'F1', 'avdelning'],
    ['F2', 'Förvaltning två', 'CITY', 'forvaltning'],
    ['F2-C', 'Avdelning C', 'F2', 'avdelning'],
    ['OLD', 'Gamla förvaltningen', 'CITY', 'forvaltning', '2000-01-01', '2019-12-31'],
  ],
  people: [
    ['P1', INJECTED[0]],
    ['P2', INJECTED[1]],
    ['P3', INJECTED[2]],
    ['P4', INJECTED[3]],
    ['P5', 'Eva Ek'],
    ['P6', INJECTED[4]],
    ['P7', INJECTED[5]],
    ['P8', 'Olle Gammal'],
  ],
  employments: [
    { p: 'P1', unit: 'F1-A-1', from: '2020-01-01' },
    { p: 'P1', unit: 'F1-A-2', from: '2020-01-01' },
    { p: 'P2', unit: 'F1-A-2', from: '2020-01-01' },
    { p: 'P3', unit: 'F1-B', from: '2020-01-01' },
    { p: 'P4', unit: 'F2-C', from: '2020-01-01' },
    { p: 'P5', unit: 'F2-C', from: '2024-03-01' },
    { p: 'P6', unit: 'F1-B', from: '2020-01-01' },
    { p: 'P7', unit: 'F1-B', from: '2024-04-10' },
    // Worked only in a förvaltning that was merged away at the end of 2019.
    { p: 'P8', unit: 'OLD', from: '2015-01-01', to: '2019-12-31' },
  ],
  courses: [course('C1'), course('C2'), course('C3')],
  requirements: [
    requirement({
      code: 'R1',
      title: 'Grundutbildning VBE',
      courses: ['C1'],
      scope: ['CITY'],
      graceDays: 30,
      targetRate: 0.7,
      source: 'Stadsrevisionen rek. 1, dnr 3.1.3-91/2019',
      responsible: 'Avdelningschefer',
      followUp: 'T2 2024',
    }),
    requirement({ code: 'R2', title: 'Fördjupning', courses: ['C2'], scope: ['F2'], effectiveFrom: '2022-01-01', dueDate: '2023-12-31', source: 'Handlingsplan F2 2022' }),
    requirement({ code: 'R3', courses: ['C3'], scope: ['CITY'], effectiveTo: '2019-12-31' }),
  ],
  completions: [
    { p: 'P1', course: 'C1', status: 'completed', at: '2023-05-01' },
    { p: 'P2', course: 'C1', status: 'started', at: '2024-01-10' },
    { p: 'P4', course: 'C1', status: 'completed', at: '2024-02-01T10:15:00' },
    { p: 'P6', course: 'C1', status: 'completed', at: '2021-01-10' },
    { p: 'P4', course: 'C2', status: 'started', at: '2023-06-01' },
  ],
};

export interface ReadBack {
  wb: XLSX.WorkBook;
  /** The package's files, to look at what SheetJS does not read back (panes, formulas). */
  files: Record<string, string>;
}

export async function readWorkbook(res: Response): Promise<ReadBack> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const wb = XLSX.read(bytes, { type: 'array', cellNF: true });
  const raw = unzipSync(bytes);
  const files = Object.fromEntries(Object.entries(raw).filter(([k]) => k.endsWith('.xml')).map(([k, v]) => [k, strFromU8(v)]));
  return { wb, files };
}

/** A sheet's rows as the stored values (numbers, strings; dates as serials; empty cells null). */
export function rows(ws: XLSX.WorkSheet): unknown[][] {
  const range = XLSX.utils.decode_range(ws['!ref'] ?? 'A1:A1');
  const out: unknown[][] = [];
  for (let r = range.s.r; r <= range.e.r; r++) {
    const row: unknown[] = [];
    for (let c = range.s.c; c <= range.e.c; c++) {
      const cell = ws['!data'] ? ws['!data'][r]?.[c] : ws[XLSX.utils.encode_cell({ r, c })];
      row.push(cell?.v ?? null);
    }
    out.push(row);
  }
  return out;
}

/** An Excel date serial as 'YYYY-MM-DD'. */
export function isoOf(serial: unknown): string | null {
  if (serial === null) return null;
  return new Date(Date.UTC(1899, 11, 30) + Math.round((serial as number) * 86_400_000)).toISOString().slice(0, 10);
}

export const FIGURES = ['population', 'completed', 'started', 'notStarted', 'overdue', 'rate', 'target', 'gap'] as const;

/** The eight figure cells of a row (from column `from`) as the API's field names. */
export function figuresAt(row: unknown[], from: number): Record<(typeof FIGURES)[number], unknown> {
  return Object.fromEntries(FIGURES.map((k, i) => [k, row[from + i]])) as Record<(typeof FIGURES)[number], unknown>;
}
