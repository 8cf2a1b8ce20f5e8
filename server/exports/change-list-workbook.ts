import type { Lang } from '../i18n/messages.ts';
import type { ChangeEntry } from '../imports/batch.ts';
import { writeXlsx, type Cell } from './xlsx-writer.ts';

const HEADINGS = ['Ändring', 'Anställningsnummer', 'Namn', 'Från enhet', 'Till enhet', 'Från och med', 'Till och med'];
const WORDS: Record<Lang, Record<ChangeEntry['change'], string>> = {
  sv: { started: 'Börjar', ended: 'Avslutas', moved: 'Flyttar', changed: 'Ändras' },
  en: { started: 'Starts', ended: 'Ends', moved: 'Moves', changed: 'Changes' },
};

const text = (v: string): Cell => ({ t: 's', v });
const unit = (u: ChangeEntry['from']): Cell => (u ? text(u.name === u.code ? u.code : `${u.name} (${u.code})`) : undefined);
// A date cell (an Excel serial, days since 1899-12-30), so the list sorts and filters by date.
const day = (d: string | null): Cell =>
  d ? { t: 'n', v: (Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10)) - Date.UTC(1899, 11, 30)) / 86_400_000, z: 'date' } : undefined;

/**
 * A roster dry run's changes, one row a person and change, as the sheet "Ändringar": what a
 * coordinator checks, or hands to HR, before committing. Every name and code is a text cell.
 */
export function changeListWorkbook(list: ChangeEntry[], lang: Lang): Uint8Array {
  const rows: Cell[][] = [
    HEADINGS.map((h) => ({ t: 's', v: h, bold: true })),
    ...list.map((e) => [text(WORDS[lang][e.change]), text(e.employeeNumber), text(e.name), unit(e.from), unit(e.to), day(e.startDate), day(e.endDate)]),
  ];
  return writeXlsx([{ name: 'Ändringar', rows, widths: [12, 20, 30, 36, 36, 14, 14], table: true }]);
}
