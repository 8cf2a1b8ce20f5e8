import * as XLSX from 'xlsx';
import { DomainError } from '../domain/errors.ts';
import { pacer } from '../pace.ts';
import { guardZip } from './zip-guard.ts';
import { csvRecordBatches } from './csv-stream.ts';
import type { SheetSource } from './sheet-rows.ts';

/** A date (and time) the spreadsheet itself marked as one: 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM:SS'. */
export interface SheetDate {
  date: string;
}
export type CellValue = string | number | boolean | SheetDate | null;

export interface SheetRow {
  /** The row number the coordinator sees in Excel (the header is row 1 in a plain export). */
  row: number;
  cells: CellValue[];
}

export interface Sheet {
  headerRow: number;
  headers: string[];
  rows: SheetRow[];
  /** Row numbers of the blank rows below the first non-blank one (skipped, counted in the answer). */
  blankRows?: number[];
}

export interface ReadLimits {
  /** Most data rows taken (a bigger file is a 413). */
  maxRows: number;
  /** Most bytes a spreadsheet's zip may inflate to. */
  maxInflatedBytes: number;
}

export const DEFAULT_LIMITS: ReadLimits = { maxRows: 500_000, maxInflatedBytes: 256 * 1024 * 1024 };

/**
 * An Excel 97–2003 file is no zip: nothing inflates, but SheetJS reads it in one synchronous
 * stretch, ~1.5–2 s and ~40 bytes of memory per byte of file on this machine (a 4.3 MB sheet
 * of 20 000 × 10 cells: 6.5–8 s, 175 MB). Its bytes are therefore bounded tightly, a 64th of
 * what an xlsx may inflate to (4 MB by default: some 15 000 rows of fifteen text columns, a
 * förvaltning's roster many times over); a larger one is refused with a request to save it as
 * .xlsx. Its rows are bounded like any sheet's.
 */
export const xlsBytesLimit = (limits: ReadLimits) => Math.floor(limits.maxInflatedBytes / 64);

export const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
// The old binary .xls (an OLE compound file, BIFF8 inside).
export const isOle = (b: Uint8Array) => b.length >= 8 && b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0;

/** A file named as a workbook, whatever its bytes. */
export const hasWorkbookName = (name: string | undefined) => /\.(xlsx|xlsm|xls|ods)$/i.test(name ?? '');

function tooManyRows(limits: ReadLimits) {
  return new DomainError('too_large', 'import.tooManyRows', { limit: limits.maxRows });
}

const isBlank = (v: CellValue) => v === null || (typeof v === 'string' && v.trim() === '');

/** Bytes → header and rows: xlsx or Excel 97–2003 .xls (first sheet, or `sheetName`) or CSV text. */
export async function readSheet(bytes: Uint8Array, opts: { fileName?: string; sheetName?: string; limits?: ReadLimits } = {}): Promise<Sheet> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  if (bytes.length === 0) throw new DomainError('unprocessable', 'import.empty');
  if (isZip(bytes)) {
    await guardZip(bytes, limits.maxInflatedBytes);
    return readWorkbook(bytes, opts.sheetName, limits);
  }
  if (isOle(bytes)) {
    const max = xlsBytesLimit(limits);
    if (bytes.length > max) throw new DomainError('too_large', 'import.xlsTooLarge', { limit: `${Math.round(max / 1024 / 1024)} MB` });
    return readWorkbook(bytes, opts.sheetName, limits);
  }
  if (hasWorkbookName(opts.fileName)) throw new DomainError('unprocessable', 'import.notSpreadsheet');
  return readCsv(bytes, limits);
}

/**
 * An upload (its first bytes, and a way to read it whole or a chunk at a time) as what a plan
 * reads: a workbook read whole (xlsx within its inflation bound, .xls within its byte bound), or
 * a CSV's records as they are parsed, never held whole and with no bound on its rows.
 */
export async function openSheet(
  file: { size: number; head: Uint8Array; bytes(): Promise<Uint8Array>; chunks(): AsyncIterable<Uint8Array> },
  opts: { fileName?: string; sheetName?: string; limits?: ReadLimits; onBytes?: (n: number) => void } = {},
): Promise<SheetSource> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  if (file.size === 0) throw new DomainError('unprocessable', 'import.empty');
  if (isZip(file.head) || isOle(file.head) || hasWorkbookName(opts.fileName)) {
    if (isOle(file.head) && file.size > xlsBytesLimit(limits)) {
      throw new DomainError('too_large', 'import.xlsTooLarge', { limit: `${Math.round(xlsBytesLimit(limits) / 1024 / 1024)} MB` });
    }
    const bytes = await file.bytes();
    opts.onBytes?.(bytes.length);
    return { kind: 'sheet', sheet: await readSheet(bytes, opts) };
  }
  return { kind: 'csv', records: csvRecordBatches(file.chunks(), { onBytes: opts.onBytes }) };
}

/** A CSV whole, through the same streaming reader as an upload (for callers holding the bytes). */
async function readCsv(bytes: Uint8Array, limits: ReadLimits): Promise<Sheet> {
  let header: SheetRow | null = null;
  const rows: SheetRow[] = [];
  const blankRows: number[] = [];
  async function* chunks() {
    for (let at = 0; at < bytes.length; at += 1 << 20) yield bytes.subarray(at, at + (1 << 20));
  }
  const pause = pacer();
  for await (const batch of csvRecordBatches(chunks())) {
    for (const { fields, row } of batch) {
      if (fields.every((f) => f.trim() === '')) {
        if (header) blank(blankRows, row, limits);
        continue;
      }
      if (!header) {
        header = { row, cells: fields };
        continue;
      }
      if (rows.length >= limits.maxRows) throw tooManyRows(limits);
      rows.push({ row, cells: fields });
    }
    await pause();
  }
  if (!header) throw new DomainError('unprocessable', 'import.empty');
  const h = header as SheetRow;
  return { headerRow: h.row, headers: h.cells.map((c) => String(c ?? '').trim()), rows, blankRows };
}

/** Notes a blank row; a file of little else is refused like one of too many rows. */
function blank(list: number[], row: number, limits: ReadLimits) {
  if (list.length >= limits.maxRows) throw tooManyRows(limits);
  list.push(row);
}

/** An xlsx (already checked for what it inflates to) or a BIFF8 .xls (bounded in bytes). */
async function readWorkbook(bytes: Uint8Array, sheetName: string | undefined, limits: ReadLimits): Promise<Sheet> {
  let wb: XLSX.WorkBook;
  try {
    // sheetRows stops SheetJS one row past the bound, so an oversized sheet is never held whole.
    wb = XLSX.read(bytes, { type: 'array', dense: true, cellNF: true, cellText: false, cellHTML: false, cellFormula: false, sheetRows: limits.maxRows + 2, sheets: sheetName ?? 0 });
  } catch {
    throw new DomainError('unprocessable', 'import.notSpreadsheet');
  }
  const name = sheetName ?? wb.SheetNames[0];
  const ws = name === undefined ? undefined : wb.Sheets[name];
  if (!ws) {
    if (sheetName) throw new DomainError('unprocessable', 'import.noSheet', { sheet: sheetName, sheets: wb.SheetNames.join(', ') });
    throw new DomainError('unprocessable', 'import.notSpreadsheet');
  }
  const date1904 = Boolean(wb.Workbook?.WBProps?.date1904);
  const data = (ws['!data'] ?? []) as (XLSX.CellObject | undefined)[][];
  // SheetJS stopped at the bound: rows past it were never read, so the file is refused whole
  // rather than taken without them (blank rows among the first would otherwise hide the cut).
  const full = ws['!fullref'] ? XLSX.utils.decode_range(ws['!fullref']).e.r : -1;
  if (full >= data.length && data.length >= limits.maxRows + 2) throw tooManyRows(limits);
  let header: SheetRow | null = null;
  const rows: SheetRow[] = [];
  const blankRows: number[] = [];
  const pause = pacer();
  for (let r = 0; r < data.length; r++) {
    const line = data[r];
    if (!line) {
      if (header) blank(blankRows, r + 1, limits);
      continue;
    }
    await pause();
    const cells: CellValue[] = [];
    for (let c = 0; c < line.length; c++) cells.push(cellValue(line[c], date1904));
    if (cells.every(isBlank)) {
      if (header) blank(blankRows, r + 1, limits);
      continue;
    }
    if (!header) {
      header = { row: r + 1, cells };
      continue;
    }
    if (rows.length >= limits.maxRows) throw tooManyRows(limits);
    rows.push({ row: r + 1, cells });
  }
  if (!header) throw new DomainError('unprocessable', 'import.empty');
  const h = header as SheetRow;
  return { headerRow: h.row, headers: h.cells.map((c) => (c === null ? '' : typeof c === 'object' ? c.date : String(c).trim())), rows, blankRows };
}

function cellValue(cell: XLSX.CellObject | undefined, date1904: boolean): CellValue {
  if (!cell || cell.v === undefined || cell.v === null) return null;
  switch (cell.t) {
    case 'n':
      return cell.z && XLSX.SSF.is_date(cell.z) ? { date: serialToLocal(cell.v as number, date1904) } : (cell.v as number);
    case 'b':
      return cell.v as boolean;
    case 'd':
      return { date: dateToLocal(cell.v as Date) };
    case 'e':
      return null;
    default:
      return String(cell.v);
  }
}

function pad(n: number, w = 2) {
  return String(n).padStart(w, '0');
}

/**
 * An Excel serial (days since 1899-12-30, or 1904-01-01) as local date-time text. Excel's
 * serials have no zone: they are the wall-clock time the coordinator typed, Stockholm time.
 */
export function serialToLocal(serial: number, date1904 = false): string {
  let days = Math.floor(serial);
  let seconds = Math.round((serial - days) * 86400);
  if (seconds >= 86400) {
    days += 1;
    seconds -= 86400;
  }
  // Excel counts a 29 February 1900 that never was: serials before it are one day later.
  const base = date1904 ? Date.UTC(1904, 0, 1) : serial < 60 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  const d = new Date(base + days * 86400_000);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (seconds === 0) return date;
  return `${date}T${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
}

function dateToLocal(d: Date): string {
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const s = d.getUTCHours() * 3600 + d.getUTCMinutes() * 60 + d.getUTCSeconds();
  return s === 0 ? date : `${date}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
