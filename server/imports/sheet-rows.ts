import { DomainError } from '../domain/errors.ts';
import type { CsvRecord } from './csv-stream.ts';
import { mapHeaders, locateHeader, type Columns, type HeaderMap, type Mapping } from './headers.ts';
import type { CellValue, Sheet, SheetRow } from './read-sheet.ts';
import { dataRows, isTotal } from './skip-rows.ts';

/**
 * What an import plan reads: a workbook read whole, or a CSV's records as they are parsed (the
 * file is never held whole, nor its rows: a plan keeps only what it needs of each).
 */
export type SheetSource = { kind: 'sheet'; sheet: Sheet } | { kind: 'csv'; records: AsyncIterable<CsvRecord[]> };

/** A source's header, located and mapped, and its data rows a batch at a time. */
export interface SheetRows<F extends string> {
  headerRow: number;
  headers: string[];
  map: HeaderMap<F>;
  /** The data rows in order: blank rows and trailing total rows left out. Read once. */
  batches: AsyncIterable<SheetRow[]>;
  /** Blank and trailing total rows skipped (complete once `batches` is read). */
  skippedRows(): number;
}

const BATCH = 1000;
const isBlank = (cells: CellValue[]) => cells.every((c) => c === null || (typeof c === 'string' && c.trim() === ''));
const asText = (cells: CellValue[]) => cells.map((c) => (c === null ? '' : typeof c === 'object' ? c.date : String(c).trim()));

/**
 * Opens a source for a kind's columns. `keys` names the key fields whose columns tell a total
 * row ("Summa") from data (see skip-rows.ts). The same rows, headers and skipped count for a
 * workbook and for the same table as CSV.
 */
export async function openRows<F extends string>(source: SheetSource, columns: Columns<F>, mapping: Mapping, keys: NoInfer<F>[]): Promise<SheetRows<F>> {
  if (source.kind === 'sheet') {
    const sheet = locateHeader(source.sheet, columns, mapping);
    const map = mapHeaders(sheet.headers, columns, mapping);
    const { rows, skippedRows } = dataRows(sheet, keyIndexes(map, keys));
    return {
      headerRow: sheet.headerRow,
      headers: sheet.headers,
      map,
      batches: (async function* () {
        for (let i = 0; i < rows.length; i += BATCH) yield rows.slice(i, i + BATCH);
      })(),
      skippedRows: () => skippedRows,
    };
  }
  return openCsv(source.records, columns, mapping, keys);
}

/** Where the key fields' columns are: what tells a total row from data (skip-rows.ts). */
export function keyIndexes<F extends string>(map: HeaderMap<F>, keys: F[]): number[] {
  return keys.map((k) => map[k]?.index).filter((i): i is number => i !== undefined);
}

/** Every data row of a source in one array (for plans that must see the whole file at once). */
export async function allRows<F extends string>(rows: SheetRows<F>): Promise<SheetRow[]> {
  const out: SheetRow[] = [];
  for await (const batch of rows.batches) for (const r of batch) out.push(r);
  return out;
}

async function openCsv<F extends string>(records: AsyncIterable<CsvRecord[]>, columns: Columns<F>, mapping: Mapping, keys: NoInfer<F>[]): Promise<SheetRows<F>> {
  const it = records[Symbol.asyncIterator]();
  // The first non-blank record, and up to nine non-blank ones after it (with the blank rows among
  // them): the header is the first, unless it names fewer than two known columns and one of those does.
  const known = (cells: string[]) => Object.keys(mapHeaders(cells, columns, mapping)).length;
  let first: SheetRow | null = null;
  const ahead: SheetRow[] = [];
  const blanksAhead: number[] = [];
  let pending: CsvRecord[] = [];
  let ended = false;
  const next = async (): Promise<CsvRecord | null> => {
    while (!pending.length) {
      if (ended) return null;
      const n = await it.next();
      if (n.done) {
        ended = true;
        return null;
      }
      pending = n.value;
    }
    // Reversed once per batch would be cheaper; batches are a chunk's records, a few hundred.
    return pending.shift()!;
  };
  for (;;) {
    const r = await next();
    if (!r) break;
    if (isBlank(r.fields)) {
      if (first) blanksAhead.push(r.row);
      continue;
    }
    if (!first) {
      first = { row: r.row, cells: r.fields };
      if (known(asText(r.fields)) >= 2) break;
      continue;
    }
    ahead.push({ row: r.row, cells: r.fields });
    if (ahead.length >= 9) break;
  }
  if (!first) throw new DomainError('unprocessable', 'import.empty');
  let header = first;
  let rest = ahead;
  if (known(asText(first.cells)) < 2) {
    const at = ahead.findIndex((r) => known(asText(r.cells)) >= 2);
    if (at >= 0) {
      header = ahead[at];
      rest = ahead.slice(at + 1);
    }
  }
  const headers = asText(header.cells);
  const map = mapHeaders(headers, columns, mapping);
  const keyAt = keyIndexes(map, keys);
  // Blank rows count once a filled row follows them; total rows are skipped only at the foot.
  const lastAhead = rest.length ? rest[rest.length - 1].row : header.row;
  let skipped = blanksAhead.filter((r) => r > header.row && r < lastAhead).length;
  let blanks = 0;
  let totals: SheetRow[] = [];
  async function* batches(): AsyncGenerator<SheetRow[]> {
    let out: SheetRow[] = [];
    const take = (row: SheetRow) => {
      skipped += blanks;
      blanks = 0;
      if (isTotal(row, keyAt)) {
        totals.push(row);
        return;
      }
      if (totals.length) {
        for (const t of totals) out.push(t);
        totals = [];
      }
      out.push(row);
    };
    for (const r of rest) take(r);
    blanks = blanksAhead.filter((r) => r > lastAhead).length;
    for (;;) {
      if (!pending.length) {
        if (out.length) {
          yield out;
          out = [];
        }
        if (ended) break;
        const n = await it.next();
        if (n.done) {
          ended = true;
          break;
        }
        pending = n.value;
      }
      for (const r of pending) {
        if (isBlank(r.fields)) blanks++;
        else take({ row: r.row, cells: r.fields });
      }
      pending = [];
      if (out.length >= BATCH) {
        yield out;
        out = [];
      }
    }
    skipped += totals.length;
    totals = [];
  }
  return { headerRow: header.row, headers, map, batches: batches(), skippedRows: () => skipped };
}
