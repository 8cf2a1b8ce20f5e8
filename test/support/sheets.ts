import * as XLSX from 'xlsx';
import type { Harness } from './harness.ts';

/** Files as tests write them: xlsx through SheetJS (dates as real date cells), CSV as text. */
export function xlsxFile(rows: unknown[][], sheetName = 'Blad1'): Uint8Array {
  const ws = XLSX.utils.aoa_to_sheet(rows, { cellDates: true, dateNF: 'yyyy-mm-dd' });
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, sheetName);
  return new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer);
}

export function csvFile(rows: (string | number | null)[][], sep = ';'): Uint8Array {
  const cell = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return /[";,\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return new TextEncoder().encode(rows.map((r) => r.map(cell).join(sep)).join('\r\n') + '\r\n');
}

/** A UTC-midnight Date, which SheetJS writes as that calendar day. */
export const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

export async function upload(
  h: Harness,
  path: string,
  token: string,
  bytes: Uint8Array | Blob,
  fileName: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  form.append('file', bytes instanceof Blob ? bytes : new Blob([bytes as Uint8Array<ArrayBuffer>]), fileName);
  return h.request(path, { method: 'POST', body: form, token, headers });
}

/** Posts and expects 200 with the JSON answer. */
export async function imported(h: Harness, path: string, token: string, bytes: Uint8Array, fileName: string): Promise<any> {
  const res = await upload(h, path, token, bytes, fileName);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

export async function count(h: Harness, table: 'person' | 'employment' | 'completion' | 'org_unit' | 'import_batch' | 'import_rejected_row' | 'audit_log'): Promise<number> {
  const r = await h.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
