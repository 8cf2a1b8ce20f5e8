import * as XLSX from 'xlsx';
import type { AuditFilter, AuditView } from '../domain/audit.ts';
import { stockholmDateTime } from '../domain/calendar.ts';

// Every cell is written as text ('s'): an actor, scope or detail starting with = + - @ must never
// become a formula in the auditor's Excel.
const text = (v: string | null | undefined): XLSX.CellObject => ({ t: 's', v: v ?? '' });

/** The audit log as a workbook: one sheet of entries and one naming the filter and who took it. */
export function auditWorkbook(entries: AuditView[], f: AuditFilter, by: string, generatedAt: string): Uint8Array {
  const header = ['Tidpunkt (svensk tid)', 'Tidpunkt (UTC)', 'Utförd av', 'Typ', 'Åtgärd', 'Omfattning', 'Detaljer'];
  const rows = entries.map((e) => [stockholmDateTime(new Date(e.at)).replace('T', ' '), e.at, e.actor, e.kind, e.action, e.scope, e.detail === null ? '' : JSON.stringify(e.detail)]);
  const log = sheet([header, ...rows]);
  log['!autofilter'] = { ref: XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: rows.length, c: header.length - 1 } }) };
  log['!cols'] = [{ wch: 20 }, { wch: 26 }, { wch: 14 }, { wch: 16 }, { wch: 12 }, { wch: 24 }, { wch: 80 }];
  const about = sheet([
    ['Granskningslogg', 'Kompetenskoll'],
    ['Från', f.from ?? ''],
    ['Till', f.to ?? ''],
    ['Utförd av (filter)', f.actor ?? ''],
    ['Typ (filter)', f.kind ?? ''],
    ['Antal poster', String(entries.length)],
    ['Skapad', generatedAt],
    ['Skapad av', by],
  ]);
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, log, 'Logg');
  XLSX.utils.book_append_sheet(wb, about, 'Urval');
  return new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx', compression: true }) as ArrayBuffer);
}

function sheet(rows: (string | null)[][]): XLSX.WorkSheet {
  const ws: XLSX.WorkSheet = {};
  rows.forEach((row, r) => row.forEach((v, c) => (ws[XLSX.utils.encode_cell({ r, c })] = text(v))));
  const cols = Math.max(1, ...rows.map((r) => r.length));
  ws['!ref'] = XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: Math.max(0, rows.length - 1), c: cols - 1 } });
  return ws;
}
