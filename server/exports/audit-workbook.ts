import type { AuditFilter, AuditView } from '../domain/audit.ts';
import { stockholmDateTime } from '../domain/calendar.ts';
import { writeXlsx, type Cell } from './xlsx-writer.ts';

// Every cell is written as text: an actor, scope or detail starting with = + - @ must never
// become a formula in the auditor's Excel (xlsx-writer writes text only as string cells).
const text = (v: string | null | undefined): Cell => ({ t: 's', v: v ?? '' });

/** The audit log as a workbook: one sheet of entries and one naming the filter and who took it. */
export function auditWorkbook(entries: AuditView[], f: AuditFilter, by: string, generatedAt: string): Uint8Array {
  const header = ['Tidpunkt (svensk tid)', 'Tidpunkt (UTC)', 'Utförd av', 'Typ', 'Åtgärd', 'Omfattning', 'Detaljer'];
  const rows = entries.map((e) => [stockholmDateTime(new Date(e.at)).replace('T', ' '), e.at, e.actor, e.kind, e.action, e.scope, e.detail === null ? '' : JSON.stringify(e.detail)]);
  const about = [
    ['Granskningslogg', 'Kompetenskoll'],
    ['Från', f.from ?? ''],
    ['Till', f.to ?? ''],
    ['Utförd av (filter)', f.actor ?? ''],
    ['Typ (filter)', f.kind ?? ''],
    ['Antal poster', String(entries.length)],
    ['Skapad', generatedAt],
    ['Skapad av', by],
  ];
  return writeXlsx([
    { name: 'Logg', rows: [header.map((h) => ({ t: 's' as const, v: h, bold: true })), ...rows.map((r) => r.map(text))], widths: [20, 26, 14, 16, 12, 24, 80], table: true },
    { name: 'Urval', rows: about.map((r) => r.map(text)), widths: [20, 30], table: false },
  ]);
}
