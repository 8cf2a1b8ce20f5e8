import { strFromU8, unzipSync } from 'fflate';
import * as XLSX from 'xlsx';
import { describe, expect, it } from 'vitest';
import { streamOf, writeXlsx, writeXlsxChunks, type Cell, type SheetSpec } from '../../server/exports/xlsx-writer.ts';

// A sheet's rows made as they are written (any iterable but an array) must give the workbook the
// same rows as an array would: the revision's Personer sheet is written that way so that the
// city's list never exists in memory at once.

const header: Cell[] = ['Nr', 'Namn', 'Datum', 'Andel'].map((v) => ({ t: 's', v, bold: true }));
const row = (i: number): Cell[] => [
  { t: 's', v: `E${i}` },
  { t: 's', v: i % 7 === 0 ? `=HYPERLINK("x${i}")` : `Namn ${i}` },
  i % 3 === 0 ? undefined : { t: 'n', v: 45000 + i, z: 'date' },
  { t: 'n', v: (i % 100) / 100, z: 'percent' },
];
const table = (n: number): Cell[][] => [header, ...Array.from({ length: n }, (_, i) => row(i + 1))];

/** Rows one at a time, recording how far the writer has read and whether it let go early. */
function streamed(rows: Cell[][]) {
  const seen = { read: 0, returned: false };
  const each: Iterable<Cell[]> = {
    [Symbol.iterator]() {
      let i = 0;
      return {
        next: () => (i < rows.length ? (seen.read++, { done: false, value: rows[i++] }) : { done: true, value: undefined }),
        return: () => ((seen.returned = true), { done: true, value: undefined }),
      };
    },
  };
  return { spec: each, seen };
}

const files = (bytes: Uint8Array) => Object.fromEntries(Object.entries(unzipSync(bytes)).map(([k, v]) => [k, strFromU8(v)]));

describe('a sheet written from a stream of rows', () => {
  it('gives the same package as the same rows in an array, but for the dimension it cannot know beforehand', () => {
    const rows = table(300);
    const props = { title: 'T', created: '2026-12-05T22:00:00.000Z' };
    const asArray = files(writeXlsx([{ name: 'Personer', rows, table: true }, { name: 'Metod', rows: [[{ t: 's', v: 'x' }]], table: false }], props));
    const { spec, seen } = streamed(rows);
    const asStream = files(writeXlsx([{ name: 'Personer', rows: spec, table: true }, { name: 'Metod', rows: [[{ t: 's', v: 'x' }]], table: false }], props));
    expect(seen.read).toBe(301);
    expect(Object.keys(asStream).sort()).toEqual(Object.keys(asArray).sort());
    for (const path of Object.keys(asArray)) {
      if (path === 'xl/worksheets/sheet1.xml') continue;
      expect(asStream[path], path).toBe(asArray[path]);
    }
    expect(asArray['xl/worksheets/sheet1.xml']).toContain('<dimension ref="A1:D301"/>');
    expect(asStream['xl/worksheets/sheet1.xml']).toBe(asArray['xl/worksheets/sheet1.xml'].replace('<dimension ref="A1:D301"/>', ''));
  });

  it('reads back every row of a large sheet, with its dimension, filter, frozen header and text kept as text', () => {
    const rows = table(5000);
    const { spec } = streamed(rows);
    const chunks = writeXlsxChunks([{ name: 'Personer', rows: spec, table: true }]);
    expect(chunks.length).toBeGreaterThan(1);
    const bytes = Buffer.concat(chunks);
    const wb = XLSX.read(bytes, { cellNF: true, cellDates: false });
    const ws = wb.Sheets['Personer'];
    expect(ws['!ref']).toBe('A1:D5001');
    expect(ws['!autofilter']).toEqual({ ref: 'A1:D5001' });
    const back = XLSX.utils.sheet_to_json<unknown[]>(ws, { header: 1, defval: null, raw: true });
    expect(back).toHaveLength(5001);
    expect(back[4999].slice(0, 2)).toEqual(['E4999', 'Namn 4999']);
    expect(ws['C5000']).toMatchObject({ t: 'n', v: 49999, z: 'yyyy-mm-dd' });
    expect(ws['D5000']).toMatchObject({ t: 'n', v: 0.99, z: '0.0%' });
    expect(back[3000]).toEqual(['E3000', 'Namn 3000', null, 0]);
    expect(ws['B4901']).toMatchObject({ t: 's', v: '=HYPERLINK("x4900")' });
    expect(ws['B4901'].f).toBeUndefined();
    expect(ws['D5001']).toMatchObject({ t: 'n', v: 0, z: '0.0%' });
    const xml = files(bytes);
    expect(xml['xl/worksheets/sheet1.xml']).not.toContain('<dimension');
    expect(xml['xl/worksheets/sheet1.xml']).toContain('<autoFilter ref="A1:D5001"/>');
    expect(xml['xl/worksheets/sheet1.xml']).toContain('state="frozen"');
    expect(xml['xl/workbook.xml']).toContain("'Personer'!$A$1:$D$5001");
    // Widths from the first rows: the header's length at least.
    const cols = [...xml['xl/worksheets/sheet1.xml'].matchAll(/<col [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(cols).toHaveLength(4);
    cols.forEach((w) => expect(w).toBeGreaterThanOrEqual(8));
  });

  it('refuses a row longer than the first rows said, and lets go of the stream', () => {
    // The writing stops half way: the stream is told so (a statement read row by row is closed,
    // not left open).
    const rows = table(4000);
    rows[3000] = [...rows[3000], { t: 's', v: 'extra' }];
    const long = streamed(rows);
    expect(() => writeXlsxChunks([{ name: 'Personer', rows: long.spec, table: true }])).toThrow(/row 3001 has 5 cells/);
    expect(long.seen.read).toBeLessThan(4001);
    expect(long.seen.returned).toBe(true);
  });

  it('closes a stream it had begun when a later sheet fails before the first is written', () => {
    const first = streamed(table(3000));
    const failing: Iterable<Cell[]> = {
      [Symbol.iterator]() {
        throw new Error('the second statement failed');
      },
    };
    const bad: SheetSpec = { name: 'Fel', rows: failing, table: true };
    expect(() => writeXlsxChunks([{ name: 'Personer', rows: first.spec, table: true }, bad])).toThrow(/second statement failed/);
    expect(first.seen.read).toBe(2000);
    expect(first.seen.returned).toBe(true);
  });

  it('hands the chunks out as a web stream, in order', async () => {
    const chunks = writeXlsxChunks([{ name: 'A', rows: table(10), table: true }]);
    const whole = Buffer.concat(chunks);
    const read = Buffer.from(await new Response(streamOf(chunks)).arrayBuffer());
    expect(read.equals(whole)).toBe(true);
  });
});
