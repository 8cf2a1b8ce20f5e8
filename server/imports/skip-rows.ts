import type { CellValue, Sheet, SheetRow } from './read-sheet.ts';

/** "Summa", "Totalt", "Total", "Totalt antal: 661", "SUMMA:" — not "Totalbelopp", not a name. */
const TOTAL = /^(summa|totalt|total)(?![a-zåäö])/i;

const cellText = (v: CellValue) => (v === null ? '' : typeof v === 'object' ? v.date : String(v).trim());

/**
 * A trailing row that sums the table: its first filled cell says so, and the row's key column
 * (the employee number, the unit code) is empty or holds that same word.
 */
export function isTotal(row: SheetRow, keys: number[]): boolean {
  const first = row.cells.find((c) => cellText(c) !== '');
  if (first === undefined || !TOTAL.test(cellText(first))) return false;
  return keys.every((k) => {
    const t = cellText(row.cells[k] ?? null);
    return t === '' || TOTAL.test(t);
  });
}

/**
 * The rows that are data: what is not data is not an error. Blank rows inside the table and the
 * total rows Excel users put at its foot are skipped and counted; blank rows past the last filled
 * row (a sheet's formatting run on) are not counted, nor anything above the header.
 */
export function dataRows(sheet: Sheet, keys: number[]): { rows: SheetRow[]; skippedRows: number } {
  let end = sheet.rows.length;
  while (end > 0 && isTotal(sheet.rows[end - 1], keys)) end--;
  const rows = end === sheet.rows.length ? sheet.rows : sheet.rows.slice(0, end);
  // Blank rows are counted up to the last filled row, a total row included.
  const last = sheet.rows.length ? sheet.rows[sheet.rows.length - 1].row : sheet.headerRow;
  let blanks = 0;
  for (const r of sheet.blankRows ?? []) if (r > sheet.headerRow && r < last) blanks++;
  return { rows, skippedRows: blanks + (sheet.rows.length - end) };
}
