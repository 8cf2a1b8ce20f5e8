import { describe, expect, it } from 'vitest';
import { writeXlsx } from '../../server/exports/xlsx-writer.ts';
import { guardZip, zipEntries } from '../../server/imports/zip-guard.ts';

// The guard reads the zip's central directory once, itself, zip64 sizes included (no second pass
// through fflate's reader): these zips are built by hand, byte by byte, as APPNOTE 4.3 lays them out.

const enc = new TextEncoder();

/** A zip of one stored entry; with `zip64`, its central record's sizes are 0xFFFFFFFF and the real ones in the zip64 extra field. */
function storedZip(data: Uint8Array, opts: { zip64?: { declared: number } } = {}): Uint8Array {
  const name = enc.encode('xl/worksheets/sheet1.xml');
  const local = new Uint8Array(30 + name.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(4, 20, true);
  lv.setUint32(18, data.length, true);
  lv.setUint32(22, data.length, true);
  lv.setUint16(26, name.length, true);
  local.set(name, 30);
  const extra = opts.zip64 ? new Uint8Array(4 + 16) : new Uint8Array(0);
  if (opts.zip64) {
    const xv = new DataView(extra.buffer);
    xv.setUint16(0, 0x0001, true);
    xv.setUint16(2, 16, true);
    xv.setBigUint64(4, BigInt(opts.zip64.declared), true);
    xv.setBigUint64(12, BigInt(data.length), true);
  }
  const central = new Uint8Array(46 + name.length + extra.length);
  const cv = new DataView(central.buffer);
  cv.setUint32(0, 0x02014b50, true);
  cv.setUint16(4, 45, true);
  cv.setUint16(6, 45, true);
  cv.setUint32(20, opts.zip64 ? 0xffffffff : data.length, true);
  cv.setUint32(24, opts.zip64 ? 0xffffffff : data.length, true);
  cv.setUint16(28, name.length, true);
  cv.setUint16(30, extra.length, true);
  cv.setUint32(42, 0, true);
  central.set(name, 46);
  central.set(extra, 46 + name.length);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, 1, true);
  ev.setUint16(10, 1, true);
  ev.setUint32(12, central.length, true);
  ev.setUint32(16, local.length + data.length, true);
  const out = new Uint8Array(local.length + data.length + central.length + end.length);
  out.set(local, 0);
  out.set(data, local.length);
  out.set(central, local.length + data.length);
  out.set(end, local.length + data.length + central.length);
  return out;
}

const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: { key?: string }) => e.key);

describe('zip guard', () => {
  it('lists what the directory names, as our own writer writes it', () => {
    const bytes = writeXlsx([{ name: 'Blad1', rows: [[{ t: 's', v: 'hej' }]], widths: [10], table: false }]);
    const names = zipEntries(bytes).map((e) => e.name);
    expect(names).toEqual(['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/worksheets/sheet1.xml', 'xl/workbook.xml', 'xl/sharedStrings.xml']);
  });

  it('takes the sizes from the zip64 extra field', async () => {
    const data = enc.encode('<worksheet/>');
    const honest = storedZip(data, { zip64: { declared: data.length } });
    expect(zipEntries(honest)).toEqual([{ name: 'xl/worksheets/sheet1.xml', method: 0, compressedSize: data.length, declaredSize: data.length, localOffset: 0 }]);
    expect(await code(guardZip(honest, 1000))).toBe('ok');
    expect(await code(guardZip(storedZip(data), 1000))).toBe('ok');
  });

  it('refuses a zip64 entry declaring 5 GB before inflating anything (413)', async () => {
    const data = enc.encode('<worksheet/>');
    expect(await code(guardZip(storedZip(data, { zip64: { declared: 5 * 2 ** 30 } }), 50 * 2 ** 20))).toBe('import.inflatesTooMuch');
  });

  it('refuses a zip64 marker without its extra field as not a spreadsheet (422)', async () => {
    const bytes = storedZip(enc.encode('<worksheet/>'));
    // Mark the declared size as zip64 in the central record, with no extra field to hold it.
    const central = bytes.length - 22 - (46 + 'xl/worksheets/sheet1.xml'.length);
    new DataView(bytes.buffer).setUint32(central + 24, 0xffffffff, true);
    expect(await code(guardZip(bytes, 1000))).toBe('import.notSpreadsheet');
  });
});
