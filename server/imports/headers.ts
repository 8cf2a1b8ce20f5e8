import { DomainError } from '../domain/errors.ts';
import type { CellValue, Sheet } from './read-sheet.ts';

/** Lower case, accents and everything but letters and digits dropped: "Anst.nr" → "anstnr", "Nivå" → "niva". */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

export interface FieldSpec {
  /** Synonyms, Swedish and English, as written in files (folded when matched). */
  names: readonly string[];
}

export type Columns<F extends string> = Record<F, FieldSpec>;

/** The header each field was found under: its column index and the header as written. */
export type HeaderMap<F extends string> = Partial<Record<F, { index: number; header: string }>>;

export function mapHeaders<F extends string>(headers: string[], columns: Columns<F>): HeaderMap<F> {
  const byName = new Map<string, F>();
  for (const field of Object.keys(columns) as F[]) for (const n of columns[field].names) byName.set(fold(n), field);
  const out: HeaderMap<F> = {};
  headers.forEach((header, index) => {
    const field = byName.get(fold(header));
    // The first column of a name wins; a repeated one is ignored like any extra column.
    if (field && !out[field]) out[field] = { index, header };
  });
  return out;
}

/**
 * 422 naming what is missing and listing what the file kind expects, when none of the accepted
 * alternatives of a required column is present. `required` lists alternatives: each inner list
 * is satisfied by any one of its fields (["unitCode","enhet"] = a code or a name path).
 */
export function requireColumns<F extends string>(
  kind: string,
  found: HeaderMap<F>,
  headers: string[],
  columns: Columns<F>,
  required: F[][],
): void {
  const missing = required.filter((alts) => !alts.some((f) => found[f]));
  if (!missing.length) return;
  const label = (f: F) => columns[f].names.slice(0, 1).concat(columns[f].names.filter((n) => /^[a-z]/.test(n)).slice(0, 1)).join('/');
  const expected = Object.keys(columns).map((f) => label(f as F));
  const missingLabels = missing.map((alts) => alts.map(label).join(' | '));
  throw new DomainError(
    'unprocessable',
    'import.columns',
    { kind, missing: missingLabels.join(', '), expected: expected.join(' · ') },
    { missing: missingLabels, expected, found: headers.filter((h) => h !== '') },
  );
}

// The names files use. Swedish first as in HR's exports, then English; matching folds case and accents.
export const UNIT_COLUMNS = {
  code: { names: ['Enhetskod', 'code', 'Kod', 'unitCode', 'Organisationskod'] },
  name: { names: ['Namn', 'name', 'Enhetsnamn', 'unitName', 'Benämning'] },
  parentCode: { names: ['Överordnad', 'parentCode', 'Överordnad enhet', 'Överordnad kod', 'Överordnad enhetskod', 'parent'] },
  kind: { names: ['Nivå', 'kind', 'Typ', 'level', 'type'] },
  validFrom: { names: ['Giltig från', 'validFrom', 'Från', 'from', 'Startdatum', 'startDate'] },
  validTo: { names: ['Giltig till', 'validTo', 'Till', 'to', 'Slutdatum', 'endDate'] },
} as const satisfies Columns<string>;
export type UnitField = keyof typeof UNIT_COLUMNS;

export const ROSTER_COLUMNS = {
  employeeNumber: { names: ['Anställningsnummer', 'employeeNumber', 'Anst.nr', 'Anstnr', 'Anställningsnr', 'Anst nr', 'employeeNo', 'employeeId'] },
  name: { names: ['Namn', 'name', 'Fullständigt namn', 'fullName'] },
  firstName: { names: ['Förnamn', 'firstName', 'givenName'] },
  lastName: { names: ['Efternamn', 'lastName', 'surname', 'familyName'] },
  email: { names: ['E-post', 'email', 'E-postadress', 'Epost', 'Mejl', 'Mail', 'e-mail', 'emailAddress'] },
  forvaltning: { names: ['Förvaltning', 'administration'] },
  avdelning: { names: ['Avdelning', 'department'] },
  enhet: { names: ['Enhet', 'unit', 'unitName'] },
  unitCode: { names: ['Enhetskod', 'unitCode', 'Kod', 'code'] },
  title: { names: ['Befattning', 'title', 'jobTitle', 'Yrke'] },
  employmentType: { names: ['Anställningsform', 'employmentType', 'Anst.form'] },
  startDate: { names: ['Anställd från', 'startDate', 'Startdatum', 'Från', 'from', 'Anställningsdatum'] },
  endDate: { names: ['Anställd till', 'endDate', 'Slutdatum', 'Till', 'to'] },
  manager: { names: ['Chef', 'manager', 'isManager', 'Är chef'] },
} as const satisfies Columns<string>;
export type RosterField = keyof typeof ROSTER_COLUMNS;

export const COMPLETION_COLUMNS = {
  employeeNumber: ROSTER_COLUMNS.employeeNumber,
  email: ROSTER_COLUMNS.email,
  course: { names: ['Kurs', 'course', 'Kurskod', 'courseCode', 'Kursnamn', 'courseName', 'Utbildning'] },
  status: { names: ['Status', 'status', 'Resultat', 'result'] },
  date: { names: ['Datum', 'completedAt', 'date', 'Genomförd datum', 'Slutförd', 'Tidpunkt', 'occurredAt', 'completionDate'] },
} as const satisfies Columns<string>;
export type CompletionField = keyof typeof COMPLETION_COLUMNS;

/**
 * The header row: the first non-empty row, unless it names fewer than two known columns and one
 * of the next few does (an export with a title line or two above its table).
 */
export function locateHeader<F extends string>(sheet: Sheet, columns: Columns<F>): Sheet {
  const known = (cells: string[]) => Object.keys(mapHeaders(cells, columns)).length;
  if (known(sheet.headers) >= 2) return sheet;
  const asText = (cells: CellValue[]) => cells.map((c) => (c === null ? '' : typeof c === 'object' ? c.date : String(c).trim()));
  for (let i = 0; i < Math.min(9, sheet.rows.length); i++) {
    const cells = asText(sheet.rows[i].cells);
    if (known(cells) >= 2) return { headerRow: sheet.rows[i].row, headers: cells, rows: sheet.rows.slice(i + 1) };
  }
  return sheet;
}
