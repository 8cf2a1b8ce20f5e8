import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as XLSX from 'xlsx';
import type { City, CompletionRow, EmploymentRow } from './generate.ts';

/**
 * The generated city as the files HR and the learning portal hand over, with the headers of
 * docs/imports.md: units csv, rosters csv and xlsx, completions csv (semicolon-separated, as
 * Swedish Excel saves them).
 */

const KIND_SV = { stad: 'stad', forvaltning: 'förvaltning', avdelning: 'avdelning', enhet: 'enhet' } as const;
const TYPE_SV = { tillsvidare: 'tillsvidare', visstid: 'visstid', timavlonad: 'timavlönad' } as const;
const STATUS_SV = { completed: 'Genomförd', started: 'Påbörjad', failed: 'Ej godkänd' } as const;

function csvCell(v: string): string {
  return /[;"\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
function csv(header: string[], rows: string[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(';')).join('\r\n') + '\r\n';
}

export interface CityFiles {
  units: string;
  /** Employments active at NOW (one row each): the 48 000-row roster, as CSV. */
  roster: string;
  /** The same roster as xlsx. */
  rosterXlsx: string;
  /** Employments that ended before NOW (CSV). */
  rosterHistory: string;
  completions: string;
  moreCompletions: string;
  rows: { units: number; roster: number; rosterHistory: number; completions: number; moreCompletions: number };
}

export function writeCityFiles(city: City, dir: string, now: string): CityFiles {
  const units = join(dir, 'enheter.csv');
  writeFileSync(
    units,
    csv(
      ['Enhetskod', 'Namn', 'Överordnad', 'Nivå', 'Giltig från', 'Giltig till'],
      city.units.map((u) => [u.code, u.name, u.parent ?? '', KIND_SV[u.kind], u.from, u.to ?? '']),
    ),
  );
  const current = city.employments.filter((e) => e.end === null || e.end >= now);
  const ended = city.employments.filter((e) => e.end !== null && e.end < now);
  const rosterRows = (xs: EmploymentRow[]) =>
    xs.map((e) => {
      const p = city.people[e.person];
      return [p.employeeNumber, p.name, p.email, e.unit, e.title, TYPE_SV[e.type], e.start, e.end ?? '', e.manager ? 'ja' : 'nej'];
    });
  const header = ['Anställningsnummer', 'Namn', 'E-post', 'Enhetskod', 'Befattning', 'Anställningsform', 'Anställd från', 'Anställd till', 'Chef'];
  const xlsx = (file: string, rows: string[][]) => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([header, ...rows]), 'Anställningar');
    writeFileSync(file, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }));
  };
  const roster = join(dir, 'personal.csv');
  const rosterXlsx = join(dir, 'personal.xlsx');
  const rosterHistory = join(dir, 'personal-historik.csv');
  writeFileSync(roster, csv(header, rosterRows(current)));
  writeFileSync(rosterHistory, csv(header, rosterRows(ended)));
  xlsx(rosterXlsx, rosterRows(current));
  const completionCsv = (file: string, xs: CompletionRow[]) =>
    writeFileSync(
      file,
      csv(
        ['Anställningsnummer', 'Kurs', 'Status', 'Datum'],
        xs.map((c) => [city.people[c.person].employeeNumber, c.course, STATUS_SV[c.status], c.date]),
      ),
    );
  const completions = join(dir, 'genomforanden.csv');
  const moreCompletions = join(dir, 'genomforanden-2.csv');
  completionCsv(completions, city.completions);
  completionCsv(moreCompletions, city.moreCompletions);
  return {
    units,
    roster,
    rosterXlsx,
    rosterHistory,
    completions,
    moreCompletions,
    rows: { units: city.units.length, roster: current.length, rosterHistory: ended.length, completions: city.completions.length, moreCompletions: city.moreCompletions.length },
  };
}
