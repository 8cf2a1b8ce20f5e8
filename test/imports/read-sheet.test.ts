import { describe, expect, it } from 'vitest';
import { DomainError } from '../../server/domain/errors.ts';
import { readSheet, xlsBytesLimit } from '../../server/imports/read-sheet.ts';
import { dataRows } from '../../server/imports/skip-rows.ts';
import { fixtures } from '../fixtures/files.ts';

const refused = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e instanceof DomainError ? { kind: e.kind, key: e.key, params: e.params } : e;
  }
  throw new Error('not refused');
};

describe('an Excel 97–2003 file (issue 15)', () => {
  it('is read like an xlsx: date cells as dates, the blank row noted', async () => {
    const sheet = await readSheet(fixtures['units-giltig.xls'], { fileName: 'organisation.xls' });
    expect(sheet.headers).toEqual(['Enhetskod', 'Benämning', 'Överordnad enhet', 'Nivå', 'Giltig fr.o.m.', 'Giltig t.o.m.']);
    expect(sheet.rows).toHaveLength(9);
    expect(sheet.rows[1].row).toBe(3);
    expect(sheet.rows[1].cells.slice(0, 5)).toEqual(['HAV', 'Hägersten-Älvsjö stadsdelsförvaltning', 'STHLM', 'Förvaltning', { date: '2020-01-01' }]);
    expect(sheet.rows[8].cells.slice(0, 6)).toEqual(['SKH-GAMMAL', 'Nedlagd enhet', 'SKH', 'Enhet', { date: '2000-01-01' }, { date: '2019-12-31' }]);
    expect(sheet.blankRows).toEqual([7]);
  });

  it('is bounded in bytes (a 64th of what an xlsx may inflate to) and in rows', async () => {
    const bytes = fixtures['units-giltig.xls'];
    // 5 120 bytes: refused when the bound is 4 096 (256 KB / 64), read when it is 8 192.
    expect(await refused(readSheet(bytes, { limits: { maxRows: 100, maxInflatedBytes: 256 * 1024 } }))).toMatchObject({ kind: 'too_large', key: 'import.xlsTooLarge' });
    expect((await readSheet(bytes, { limits: { maxRows: 100, maxInflatedBytes: 512 * 1024 } })).rows).toHaveLength(9);
    expect(xlsBytesLimit({ maxRows: 1, maxInflatedBytes: 256 * 1024 * 1024 })).toBe(4 * 1024 * 1024);
    // Nine rows and a blank one among them: a bound of 8 is passed, and the file refused rather than cut.
    expect(await refused(readSheet(bytes, { limits: { maxRows: 8, maxInflatedBytes: 256 * 1024 * 1024 } }))).toMatchObject({ kind: 'too_large', key: 'import.tooManyRows' });
    expect((await readSheet(bytes, { limits: { maxRows: 9, maxInflatedBytes: 256 * 1024 * 1024 } })).rows).toHaveLength(9);
  });

  it('refuses an OLE file that holds no workbook', async () => {
    const ole = new Uint8Array(4096);
    ole.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    expect(await refused(readSheet(ole, { fileName: 'x.xls' }))).toMatchObject({ kind: 'unprocessable', key: 'import.notSpreadsheet' });
  });
});

describe('rows that are not data (issue 15)', () => {
  const sheet = (rows: (string | number | null)[][], blankRows: number[] = []) => ({
    headerRow: 1,
    headers: ['Anst.nr', 'Namn', 'Antal'],
    rows: rows.map((cells, i) => ({ row: i + 2, cells })),
    blankRows,
  });

  it('skips trailing total rows and counts blank rows inside the table', () => {
    const s = sheet(
      [
        ['P1', 'Ada', 1],
        ['P2', 'Bo', 1],
        [null, 'Summa', 2],
        ['Totalt antal: 2', null, null],
        ['TOTAL', null, 2],
      ],
      [3, 9, 10],
    );
    // Row 3 is blank inside the table; rows 9 and 10 lie past the last filled row and do not count.
    const { rows, skippedRows } = dataRows({ ...s, rows: s.rows.map((r) => (r.row >= 3 ? { ...r, row: r.row + 1 } : r)) }, [0]);
    expect(rows.map((r) => r.cells[0])).toEqual(['P1', 'P2']);
    expect(skippedRows).toBe(4);
  });

  it('keeps a row that only looks like a total: in the middle, a word that begins so, or with a key', () => {
    const s = sheet([
      ['Summa', null, 3],
      ['P1', 'Totalbelopp', 1],
      ['P2', 'Total Ek', 1],
    ]);
    const { rows, skippedRows } = dataRows(s, [0]);
    expect(rows).toHaveLength(3);
    expect(skippedRows).toBe(0);
  });
});
