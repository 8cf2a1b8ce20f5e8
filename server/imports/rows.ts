import type { HeaderMap } from './headers.ts';
import type { CellValue, Sheet, SheetRow } from './read-sheet.ts';
import type { Rejection } from './batch.ts';
import type { MessageKey } from '../i18n/messages.ts';

/**
 * One data row seen through the header map: a field's cell, the header it came under (for the
 * error's column) and the row's values in the columns we read. Columns we do not read (a
 * personnummer among them) are never copied anywhere, not even into a rejected row.
 */
export class RowView<F extends string> {
  constructor(
    readonly map: HeaderMap<F>,
    readonly row: SheetRow,
  ) {}

  get number(): number {
    return this.row.row;
  }

  cell(field: F): CellValue {
    const at = this.map[field];
    return at ? (this.row.cells[at.index] ?? null) : null;
  }

  column(field: F): string | null {
    return this.map[field]?.header ?? null;
  }

  values(): Record<string, string | number | boolean | null> {
    const out: Record<string, string | number | boolean | null> = {};
    for (const at of Object.values(this.map) as { index: number; header: string }[]) {
      const v = this.row.cells[at.index] ?? null;
      out[at.header] = v !== null && typeof v === 'object' ? v.date : v;
    }
    return out;
  }

  reject(field: F | null, key: MessageKey, params: Record<string, string | number> = {}): Rejection {
    return { row: this.number, column: field ? this.column(field) : null, key, params, values: this.values() };
  }
}

export function views<F extends string>(sheet: Sheet, map: HeaderMap<F>): RowView<F>[] {
  return sheet.rows.map((r) => new RowView(map, r));
}

/** A cell's text for an error message, cut short. */
export function shown(v: CellValue): string {
  const s = v === null ? '' : typeof v === 'object' ? v.date : String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
