import { ownString } from './own-string.ts';
import { DomainError } from '../domain/errors.ts';
import type { CellValue, Sheet } from './read-sheet.ts';

/** Lower case, accents and everything but letters and digits dropped: "Anst.nr" → "anstnr", "Nivå" → "niva". */
export function fold(s: string): string {
  let f = folds.get(s);
  if (f === undefined) {
    f = s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]/g, '');
    if (folds.size >= FOLDS_KEPT) folds.clear();
    folds.set(ownString(s), f);
  }
  return f;
}
// A file's statuses, employment forms and yes/no cells are a handful of values over every row:
// folded once each (normalising and two expressions a row were ~5 % of a completions import).
const folds = new Map<string, string>();
const FOLDS_KEPT = 4096;

export interface FieldSpec {
  /** Synonyms, Swedish and English, as written in files (folded when matched). */
  names: readonly string[];
}

export type Columns<F extends string> = Record<F, FieldSpec>;

/** The header each field was found under: its column index and the header as written. */
export type HeaderMap<F extends string> = Partial<Record<F, { index: number; header: string }>>;

/** A coordinator's own column choices for one upload: header as written → field key ('' or null: not read). */
export type Mapping = Record<string, string | null>;

export function mapHeaders<F extends string>(headers: string[], columns: Columns<F>, mapping: Mapping = {}): HeaderMap<F> {
  const byName = new Map<string, F>();
  for (const field of Object.keys(columns) as F[]) for (const n of columns[field].names) byName.set(fold(n), field);
  const out: HeaderMap<F> = {};
  // The coordinator's choice first: as written, else folded as the synonyms are.
  const chosen = new Map<string, string | null>();
  for (const [header, field] of Object.entries(mapping)) chosen.set(header.trim(), field || null);
  const folded = new Map<string, string | null>();
  for (const [header, field] of chosen) if (!folded.has(fold(header))) folded.set(fold(header), field);
  const pick = (header: string): { field: F | null } | undefined => {
    const h = header.trim();
    if (h === '') return undefined;
    if (chosen.has(h)) return { field: chosen.get(h) as F | null };
    if (folded.has(fold(h))) return { field: folded.get(fold(h)) as F | null };
    return undefined;
  };
  const mapped = new Set<number>();
  headers.forEach((header, index) => {
    const c = pick(header);
    if (!c) return;
    mapped.add(index);
    if (c.field && !out[c.field]) out[c.field] = { index, header };
  });
  headers.forEach((header, index) => {
    if (mapped.has(index)) return;
    const field = byName.get(fold(header));
    // The first column of a name wins; a repeated one is ignored like any extra column.
    if (field && !out[field]) out[field] = { index, header };
  });
  return out;
}

/** The headers no field took (as written), and the fields no header took. */
export function unused<F extends string>(headers: string[], map: HeaderMap<F>, columns: Columns<F>): { ignoredColumns: string[]; unmappedFields: F[] } {
  const taken = new Set(Object.values(map).map((at) => (at as { index: number }).index));
  return {
    ignoredColumns: headers.filter((h, i) => h.trim() !== '' && !taken.has(i)),
    unmappedFields: (Object.keys(columns) as F[]).filter((f) => !map[f]),
  };
}

/**
 * 400 when a mapping is not an object of header → field key of this kind. Checked before the
 * file is read: a mapping naming a field the kind has not is a mistake in the request, not the file.
 */
export function parseMapping(kind: 'units' | 'roster' | 'completions', raw: string | null): Mapping {
  if (raw === null || raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new DomainError('bad_request', 'import.badMapping');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new DomainError('bad_request', 'import.badMapping');
  const fields = Object.keys(COLUMNS_OF[kind]);
  const out: Mapping = {};
  for (const [header, field] of Object.entries(value as Record<string, unknown>)) {
    if (field !== null && typeof field !== 'string') throw new DomainError('bad_request', 'import.badMapping');
    if (field && !fields.includes(field)) {
      throw new DomainError('bad_request', 'import.unknownMappingField', { field: field.slice(0, 40), kind, fields: fields.join(', ') }, { fields });
    }
    out[header.slice(0, 200)] = field || null;
  }
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
    // What the dry run would have listed, so <kk-import> can offer a column for a missing field.
    { missing: missingLabels, expected, found: headers.filter((h) => h !== ''), ...unused(headers, found, columns) },
  );
}

// The names files use. Swedish first as in HR's exports, then English; matching folds case and accents.
export const UNIT_COLUMNS = {
  code: { names: ['Enhetskod', 'code', 'Kod', 'unitCode', 'Organisationskod'] },
  name: { names: ['Namn', 'name', 'Enhetsnamn', 'unitName', 'Benämning'] },
  parentCode: { names: ['Överordnad', 'parentCode', 'Överordnad enhet', 'Överordnad kod', 'Överordnad enhetskod', 'parent'] },
  kind: { names: ['Nivå', 'kind', 'Typ', 'level', 'type'] },
  // Fr.o.m./T.o.m. fold to "from"/"tom", so "Giltig fr.o.m." is "giltigfrom".
  validFrom: { names: ['Giltig från', 'validFrom', 'Från', 'from', 'Startdatum', 'startDate', 'Giltig fr.o.m.', 'Fr.o.m.', 'Giltig från och med', 'Från och med', 'validFromDate'] },
  validTo: { names: ['Giltig till', 'validTo', 'Till', 'to', 'Slutdatum', 'endDate', 'Giltig t.o.m.', 'T.o.m.', 'Giltig till och med', 'Till och med', 'validToDate'] },
} as const satisfies Columns<string>;
export type UnitField = keyof typeof UNIT_COLUMNS;

export const ROSTER_COLUMNS = {
  employeeNumber: {
    names: ['Anställningsnummer', 'employeeNumber', 'Anst.nr', 'Anstnr', 'Anställningsnr', 'Anst nr', 'employeeNo', 'employeeId', 'Användar-ID', 'Användarnamn', 'Användar id', 'userId', 'username'],
  },
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
  // "Fr.o.m.", "Fr o m" and "From" all fold to "from"; "T.o.m.", "T o m" and "Tom" to "tom".
  startDate: { names: ['Anställd från', 'startDate', 'Startdatum', 'Från', 'from', 'Anställningsdatum', 'Fr.o.m.', 'Från och med', 'Anställd fr.o.m.', 'Giltig fr.o.m.', 'Giltig från'] },
  endDate: { names: ['Anställd till', 'endDate', 'Slutdatum', 'Till', 'to', 'T.o.m.', 'Till och med', 'Anställd t.o.m.', 'Giltig t.o.m.', 'Giltig till'] },
  manager: { names: ['Chef', 'manager', 'isManager', 'Är chef'] },
} as const satisfies Columns<string>;
export type RosterField = keyof typeof ROSTER_COLUMNS;

export const COMPLETION_COLUMNS = {
  employeeNumber: ROSTER_COLUMNS.employeeNumber,
  email: ROSTER_COLUMNS.email,
  course: { names: ['Kurs', 'course', 'Kurskod', 'courseCode', 'Kursnamn', 'courseName', 'Utbildning'] },
  status: { names: ['Status', 'status', 'Resultat', 'result'] },
  date: {
    names: ['Datum', 'completedAt', 'date', 'Genomförd datum', 'Slutförd', 'Tidpunkt', 'occurredAt', 'completionDate', 'Slutförandedatum', 'Avslutad', 'Genomförandedatum', 'Slutfört datum'],
  },
} as const satisfies Columns<string>;
export type CompletionField = keyof typeof COMPLETION_COLUMNS;

const COLUMNS_OF = { units: UNIT_COLUMNS, roster: ROSTER_COLUMNS, completions: COMPLETION_COLUMNS } as const;

/**
 * The header row: the first non-empty row, unless it names fewer than two known columns and one
 * of the next few does (an export with a title line or two above its table).
 */
export function locateHeader<F extends string>(sheet: Sheet, columns: Columns<F>, mapping: Mapping = {}): Sheet {
  const known = (cells: string[]) => Object.keys(mapHeaders(cells, columns, mapping)).length;
  if (known(sheet.headers) >= 2) return sheet;
  const asText = (cells: CellValue[]) => cells.map((c) => (c === null ? '' : typeof c === 'object' ? c.date : String(c).trim()));
  for (let i = 0; i < Math.min(9, sheet.rows.length); i++) {
    const cells = asText(sheet.rows[i].cells);
    if (known(cells) >= 2) return { ...sheet, headerRow: sheet.rows[i].row, headers: cells, rows: sheet.rows.slice(i + 1) };
  }
  return sheet;
}
