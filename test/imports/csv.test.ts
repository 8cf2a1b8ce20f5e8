import { describe, expect, it } from 'vitest';
import { decodeText, parseCsv } from '../../server/imports/csv.ts';

// decodeText takes bytes 1 MiB (1 048 576) at a time; parseCsv asks to pause every 256 records.
const MIB = 1 << 20;

describe('decodeText a slice at a time', () => {
  it('keeps a character that a slice boundary cuts in two', async () => {
    // UTF-8 without a mark: 'a' then 'å' (C3 A5) 600 000 times. Byte 1 048 576 is the second byte of
    // the 524 288th 'å' (bytes 1 + 2k and 2 + 2k are one 'å'), so the first slice ends inside it.
    const text = `a${'å'.repeat(600_000)}`;
    const bytes = new TextEncoder().encode(text);
    expect(bytes.length).toBe(1_200_001);
    expect([bytes[MIB - 1], bytes[MIB]]).toEqual([0xc3, 0xa5]);
    expect(await decodeText(bytes)).toBe(text);
    // With a byte-order mark: the same text, the mark dropped.
    expect(await decodeText(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]))).toBe(text);
  });

  it('reads UTF-16 with either mark across slices, a surrogate pair on the boundary', async () => {
    // 😀 (D83D DE00) 300 000 times. In the little-endian file code unit k sits at byte 2 + 2k (after
    // the mark), so byte 1 048 576 starts unit 524 287: the first slice ends between the halves of
    // the 262 144th pair. The big-endian file is swapped into the same order first.
    const text = '😀'.repeat(300_000);
    const le = new Uint8Array(2 + text.length * 2);
    const be = new Uint8Array(2 + text.length * 2);
    le.set([0xff, 0xfe]);
    be.set([0xfe, 0xff]);
    for (let k = 0; k < text.length; k++) {
      const u = text.charCodeAt(k);
      le.set([u & 0xff, u >> 8], 2 + 2 * k);
      be.set([u >> 8, u & 0xff], 2 + 2 * k);
    }
    expect(text.charCodeAt(524_287)).toBe(0xde00);
    expect(await decodeText(le)).toBe(text);
    expect(await decodeText(be)).toBe(text);
  });

  it('takes a file as Windows-1252 when a byte past the first slice is not UTF-8', async () => {
    // 1 100 000 ASCII bytes, then 0xD6 ('Ö' in Windows-1252, a lone lead byte in UTF-8) and 'k'.
    const bytes = new Uint8Array(1_100_002).fill(0x61);
    bytes[1_100_000] = 0xd6;
    bytes[1_100_001] = 0x6b;
    const text = await decodeText(bytes);
    expect(text.length).toBe(1_100_002);
    expect(text.slice(-3)).toBe('aÖk');
  });
});

describe('parseCsv', () => {
  it('gives the same records and row numbers, quoted line breaks and quotes included', async () => {
    const lines = ['Kurs;Namn'];
    for (let i = 1; i <= 1000; i++) lines.push(i === 300 ? `K300;"två\r\nrader och ""citat"""` : `K${i};N${i}`);
    const records: [number, string[]][] = [];
    await parseCsv(`${lines.join('\r\n')}\r\n`, (fields, row) => void records.push([row, fields]));
    expect(records.length).toBe(1001);
    expect(records[0]).toEqual([1, ['Kurs', 'Namn']]);
    expect(records[300]).toEqual([301, ['K300', 'två\r\nrader och "citat"']]);
    expect(records[1000]).toEqual([1001, ['K1000', 'N1000']]);
    expect(records.every(([row], i) => row === i + 1)).toBe(true);
  });

  it('lets other work run while a long file is parsed, not only after it', async () => {
    // 200 000 records take a good part of a second to parse: in one stretch, a timer set before
    // the parse could only fire after the last record.
    const total = 200_000;
    const text = Array.from({ length: total }, (_, i) => `${100000 + i};VBE;Genomförd;2020-01-01`).join('\n');
    let seen = 0;
    let seenWhenTimerFired = -1;
    const timer = setTimeout(() => (seenWhenTimerFired = seen), 0);
    await parseCsv(text, () => void seen++);
    clearTimeout(timer);
    expect(seen).toBe(total);
    expect(seenWhenTimerFired).toBeGreaterThan(0);
    expect(seenWhenTimerFired).toBeLessThan(total);
  });

  it('stops at the first error its caller throws (the row bound)', async () => {
    const text = Array.from({ length: 5000 }, (_, i) => `r${i}`).join('\n');
    let seen = 0;
    await expect(
      parseCsv(text, (_, row) => {
        seen++;
        if (row === 4000) throw new Error('bound');
      }),
    ).rejects.toThrow('bound');
    expect(seen).toBe(4000);
  });
});
