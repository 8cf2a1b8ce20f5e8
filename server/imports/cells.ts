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

const TIME_RE = /^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function pad(n: number | string) {
  return String(n).padStart(2, '0');
}

/** 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM:SS' in Stockholm local time (the form completion.occurred_at takes). */
export function dateTime(v: CellValue): string | null | undefined {
  if (v === null) return null;
  if (typeof v === 'object') return v.date;
  if (typeof v === 'number') return serial(v);
  if (typeof v === 'boolean') return undefined;
  const s = v.trim();
  if (s === '') return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return isIsoDate(s) ? s : undefined;
  if (/^\d{8}$/.test(s)) {
    const d = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}`;
    return isIsoDate(d) ? d : undefined;
  }
  const m = TIME_RE.exec(s);
  if (!m || !isIsoDate(m[1])) return undefined;
  const [h, min, sec] = [+m[2], +m[3], +(m[4] ?? 0)];
  if (h > 23 || min > 59 || sec > 59) return undefined;
  if (m[5]) {
    // An instant with a zone: shown as the Stockholm wall clock it was.
    const zone = m[5].toUpperCase() === 'Z' ? 'Z' : m[5].length === 3 ? `${m[5]}:00` : m[5].includes(':') ? m[5] : `${m[5].slice(0, 3)}:${m[5].slice(3)}`;
    const instant = new Date(`${m[1]}T${pad(h)}:${pad(min)}:${pad(sec)}${zone}`);
    if (Number.isNaN(instant.getTime())) return undefined;
    return trimMidnight(stockholmDateTime(instant));
  }
  return trimMidnight(`${m[1]}T${pad(h)}:${pad(min)}:${pad(sec)}`);
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

const TYPES: Record<string, EmploymentType> = {
  tillsvidare: 'tillsvidare', tillsvidareanstallning: 'tillsvidare', tillsvidareanstalld: 'tillsvidare', permanent: 'tillsvidare', tv: 'tillsvidare',
  visstid: 'visstid', visstidsanstallning: 'visstid', visstidsanstalld: 'visstid', fixedterm: 'visstid', temporary: 'visstid', vikariat: 'visstid', provanstallning: 'visstid',
  timavlonad: 'timavlonad', timanstalld: 'timavlonad', timanstallning: 'timavlonad', hourly: 'timavlonad', timavlonade: 'timavlonad',
};
export const employmentType = (v: CellValue) => lookup(TYPES, v);

const STATUSES: Record<string, RecordStatus> = {
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
