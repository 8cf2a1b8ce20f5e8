import { isIsoDate, stockholmDateTime } from '../domain/calendar.ts';
import type { EmploymentType, RecordStatus, UnitKind } from '../db/schema.ts';
import { fold } from './headers.ts';
import { serialToLocal, type CellValue } from './read-sheet.ts';

/**
 * Cell values → domain values. Each returns undefined for "cannot read this", null for an empty
 * cell, so the callers can tell a missing value from a bad one.
 */

export function text(v: CellValue): string | null {
  if (v === null) return null;
  if (typeof v === 'object') return v.date;
  // Numbers come from xlsx cells: an employee number typed as 123456 is "123456", never "123456.0".
  const s = String(v);
  const t = s.trim();
  return t === '' ? null : t;
}

const MONTHS: Record<string, number> = {
  jan: 1, januari: 1, january: 1, feb: 2, februari: 2, february: 2, mar: 3, mars: 3, march: 3, apr: 4, april: 4,
  maj: 5, may: 5, jun: 6, juni: 6, june: 6, jul: 7, juli: 7, july: 7, aug: 8, augusti: 8, august: 8,
  sep: 9, sept: 9, september: 9, okt: 10, oct: 10, oktober: 10, october: 10, nov: 11, november: 11, dec: 12, december: 12,
};

// The calendar part, each way HR and LMS systems write it; a time of day may follow.
const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?=$|[T ])/;
const YMD_SLASH = /^(\d{4})\/(\d{1,2})\/(\d{1,2})(?=$| )/;
// Swedish day-first: 5/1/2024, 05.01.2024, 5-1-2024.
const DMY = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?=$| )/;
// 5 jan 2024, 5 januari 2024, 5 jan. 2024, 5-jan-2024.
const D_MONTH_Y = /^(\d{1,2})[ -]([a-zåäö]+)\.?[ -](\d{4})(?=$| )/i;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const TIME = /^[T ](\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:[.,]\d+)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

type Parsed = { ok: string } | { nonexistent: true } | undefined;

function pad(n: number | string) {
  return String(n).padStart(2, '0');
}

/** Year, month and day as read, checked against the calendar (2024-02-30 is no date). */
function calendar(y: number, m: number, d: number): { ok: string } | { nonexistent: true } {
  const iso = `${String(y).padStart(4, '0')}-${pad(m)}-${pad(d)}`;
  return isIsoDate(iso) ? { ok: iso } : { nonexistent: true };
}

function parseText(s: string): Parsed {
  let m: RegExpExecArray | null;
  let day: { ok: string } | { nonexistent: true } | undefined;
  let rest = '';
  if ((m = COMPACT.exec(s))) return calendar(+m[1], +m[2], +m[3]);
  if ((m = ISO.exec(s)) || (m = YMD_SLASH.exec(s))) {
    day = calendar(+m[1], +m[2], +m[3]);
    rest = s.slice(m[0].length);
  } else if ((m = DMY.exec(s))) {
    day = calendar(+m[4], +m[3], +m[1]);
    rest = s.slice(m[0].length);
  } else if ((m = D_MONTH_Y.exec(s))) {
    const month = MONTHS[m[2].toLowerCase()];
    if (!month) return undefined;
    day = calendar(+m[3], month, +m[1]);
    rest = s.slice(m[0].length);
  } else {
    return undefined;
  }
  if (rest === '') return day;
  const t = TIME.exec(rest);
  if (!t) return undefined;
  if ('nonexistent' in day) return day;
  const [h, min, sec] = [+t[1], +t[2], +(t[3] ?? 0)];
  if (h > 23 || min > 59 || sec > 59) return undefined;
  if (t[4]) {
    // An instant with a zone: shown as the Stockholm wall clock it was.
    const z = t[4];
    const zone = z.toUpperCase() === 'Z' ? 'Z' : z.length === 3 ? `${z}:00` : z.includes(':') ? z : `${z.slice(0, 3)}:${z.slice(3)}`;
    const instant = new Date(`${day.ok}T${pad(h)}:${pad(min)}:${pad(sec)}${zone}`);
    if (Number.isNaN(instant.getTime())) return undefined;
    return { ok: trimMidnight(stockholmDateTime(instant)) };
  }
  return { ok: trimMidnight(`${day.ok}T${pad(h)}:${pad(min)}:${pad(sec)}`) };
}

function parse(v: CellValue): Parsed | null {
  if (v === null) return null;
  if (typeof v === 'object') return { ok: v.date };
  if (typeof v === 'number') return serialParsed(v);
  if (typeof v === 'boolean') return undefined;
  const s = v.trim();
  if (s === '') return null;
  // A date column formatted as General in Excel and saved as CSV: the bare serial.
  if (/^\d{5}(?:[.,]\d+)?$/.test(s)) return serialParsed(Number(s.replace(',', '.')));
  return parseText(s);
}

function serialParsed(n: number): Parsed {
  const d = serial(n);
  return d === undefined ? undefined : { ok: d };
}

/**
 * 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM:SS' in Stockholm local time (the form completion.occurred_at
 * takes), from ISO with or without leading zeros, Swedish day-first (5/1/2024, 05.01.2024),
 * 5 jan 2024, 20240105, Excel date cells and serials.
 */
export function dateTime(v: CellValue): string | null | undefined {
  const p = parse(v);
  if (p === null) return null;
  return p && 'ok' in p ? p.ok : undefined;
}

/** Why a cell that is not empty is no date: it names a day the calendar lacks, or it cannot be read. */
export function dateProblem(v: CellValue): 'import.noSuchDate' | 'import.badDate' {
  const p = parse(v);
  return p && 'nonexistent' in p ? 'import.noSuchDate' : 'import.badDate';
}

function trimMidnight(s: string): string {
  return s.endsWith('T00:00:00') ? s.slice(0, 10) : s;
}

/** A calendar date only (employment and unit dates): a time of day, if any, is dropped. */
export function date(v: CellValue): string | null | undefined {
  const d = dateTime(v);
  return d ? d.slice(0, 10) : d;
}

function serial(n: number): string | undefined {
  // Excel serials from 1 (1900-01-01) to 2958465 (9999-12-31); anything else is not a date.
  return n >= 1 && n < 2958466 ? serialToLocal(n) : undefined;
}

const YES = new Set(['ja', 'j', 'yes', 'y', 'true', 'sant', '1', 'x']);
const NO = new Set(['nej', 'n', 'no', 'false', 'falskt', '0']);

export function yesNo(v: CellValue): boolean | null | undefined {
  if (v === null) return null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v === 'object') return undefined;
  const f = fold(v);
  if (f === '') return null;
  return YES.has(f) ? true : NO.has(f) ? false : undefined;
}

function lookup<T>(table: Record<string, T>, v: CellValue): T | null | undefined {
  const t = text(v);
  if (t === null) return null;
  return table[fold(t)];
}

const KINDS: Record<string, UnitKind> = {
  stad: 'stad', city: 'stad', kommun: 'stad',
  forvaltning: 'forvaltning', administration: 'forvaltning', bolag: 'forvaltning',
  avdelning: 'avdelning', department: 'avdelning',
  enhet: 'enhet', unit: 'enhet', sektion: 'enhet', grupp: 'enhet',
};
export const unitKind = (v: CellValue) => lookup(KINDS, v);

// The forms of the Employment Protection Act (LAS) as HR systems name them, folded.
const TYPES: Record<string, EmploymentType> = {
  tillsvidare: 'tillsvidare', tillsvidareanstallning: 'tillsvidare', tillsvidareanstalld: 'tillsvidare', permanent: 'tillsvidare', tv: 'tillsvidare',
  visstid: 'visstid', visstidsanstallning: 'visstid', visstidsanstalld: 'visstid', fixedterm: 'visstid', temporary: 'visstid',
  allmanvisstidsanstallning: 'visstid', allmanvisstid: 'visstid', alva: 'visstid', sarskildvisstidsanstallning: 'visstid', sarskildvisstid: 'visstid', sava: 'visstid',
  vikariat: 'visstid', vikarie: 'visstid', vikarieanstallning: 'visstid', provanstallning: 'visstid', provanstalld: 'visstid',
  sasongsanstallning: 'visstid', sasongsanstalld: 'visstid', sasong: 'visstid', tidsbegransad: 'visstid', tidsbegransadanstallning: 'visstid',
  timavlonad: 'timavlonad', timanstalld: 'timavlonad', timanstallning: 'timavlonad', hourly: 'timavlonad', timavlonade: 'timavlonad',
  behovsanstalld: 'timavlonad', behovsanstallning: 'timavlonad', intermittent: 'timavlonad', intermittentanstallning: 'timavlonad', intermittentanstalld: 'timavlonad',
};
/** "Allmän visstidsanställning (ALVA)": the words, else the abbreviation in brackets. */
export function employmentType(v: CellValue): EmploymentType | null | undefined {
  const t = text(v);
  if (t === null) return null;
  const bare = t.replace(/\([^)]*\)/g, ' ');
  const inBrackets = /\(([^)]*)\)/.exec(t)?.[1] ?? '';
  return TYPES[fold(t)] ?? TYPES[fold(bare)] ?? TYPES[fold(inBrackets)];
}

/** "Ej påbörjad" is a status an LMS lists, not a record: such a row is taken and records nothing. */
export const NOT_STARTED = 'not_started' as const;
const STATUSES: Record<string, RecordStatus | typeof NOT_STARTED> = {
  ejpaborjad: NOT_STARTED, notstarted: NOT_STARTED, ejstartad: NOT_STARTED, notattempted: NOT_STARTED,
  genomford: 'completed', completed: 'completed', complete: 'completed', passed: 'completed', godkand: 'completed', klar: 'completed', slutford: 'completed',
  paborjad: 'started', started: 'started', inprogress: 'started', pagaende: 'started', attempted: 'started', incomplete: 'started',
  ejgodkand: 'failed', failed: 'failed', underkand: 'failed', fail: 'failed',
};
export const recordStatus = (v: CellValue) => lookup(STATUSES, v);

export function email(v: CellValue): string | null | undefined {
  const t = text(v);
  if (t === null) return null;
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(t) ? t : undefined;
}
