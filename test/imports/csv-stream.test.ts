import { describe, expect, it } from 'vitest';
import { CsvParser, csvRecords, decodeChunks, SNIFF_BYTES, type CsvRecord, type TextEncodingName } from '../../server/imports/csv-stream.ts';
import { DomainError } from '../../server/domain/errors.ts';
import { pieces } from '../support/bytes.ts';


async function all(source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>, onEncoding?: (e: TextEncodingName) => void): Promise<[number, string[]][]> {
  const out: [number, string[]][] = [];
  for await (const r of csvRecords(source, { onEncoding })) out.push([r.row, r.fields]);
  return out;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const cp1252 = (s: string) =>
  Uint8Array.from([...s], (ch) => {
    const map: Record<string, number> = { '€': 0x80, '”': 0x94, '–': 0x96 };
    const c = map[ch] ?? ch.charCodeAt(0);
    if (c > 0xff) throw new Error(`not in the test's table: ${ch}`);
    return c;
  });

// Quoted separators, doubled quotes, a line break inside quotes, CRLF, LF and a lone CR, a blank
// line, a quote inside an unquoted field, and no line break after the last record.
const TRICKY = 'Namn;Kurs;Not\r\n"Åsa ""Åsen"" Öberg";VBE;"rad ett\r\nrad två"\n\nBo;"A;B";x"y\rSist;K;€';
const TRICKY_RECORDS: [number, string[]][] = [
  [1, ['Namn', 'Kurs', 'Not']],
  [2, ['Åsa "Åsen" Öberg', 'VBE', 'rad ett\r\nrad två']],
  [3, ['']],
  [4, ['Bo', 'A;B', 'x"y']],
  [5, ['Sist', 'K', '€']],
];

describe('csvRecords: records as the bytes arrive', () => {
  it('gives the same records however the bytes are cut', async () => {
    const bytes = utf8(TRICKY);
    for (const sizes of [[1], [2], [3], [5, 1], [7, 2, 1], [bytes.length]]) {
      expect(await all(pieces(bytes, sizes)), `chunks of ${sizes}`).toEqual(TRICKY_RECORDS);
    }
  });

  it('reads every cut of a CRLF file the same (a CR at a chunk end waits for its LF)', async () => {
    const text = 'a,b\r\n1,2\r\n3,"x\r\n""y"""\r\n';
    const want = [
      [1, ['a', 'b']],
      [2, ['1', '2']],
      [3, ['3', 'x\r\n"y"']],
    ];
    const bytes = utf8(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      async function* two() {
        yield bytes.slice(0, cut);
        yield bytes.slice(cut);
      }
      expect(await all(two()), `cut at ${cut}`).toEqual(want);
    }
  });

  it('tells the separator from the first line with something on it, even when that line is cut', async () => {
    expect(await all(pieces(utf8('\r\n\nx\ty\t"a,b;c"\n1\t2\t3\n'), [2]))).toEqual([
      [1, ['']],
      [2, ['']],
      [3, ['x', 'y', 'a,b;c']],
      [4, ['1', '2', '3']],
    ]);
    expect(await all(pieces(utf8('a,b;c,d\n1,2;3,4'), [3]))).toEqual([
      [1, ['a', 'b;c', 'd']],
      [2, ['1', '2;3', '4']],
    ]);
    // A single line with no separator: one field.
    expect(await all(pieces(utf8('bara en rad'), [4]))).toEqual([[1, ['bara en rad']]]);
  });

  it('takes a web ReadableStream and cancels it when the reader stops early', async () => {
    let cancelled = false;
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(utf8(`r${pulled};x\n`));
      },
      cancel() {
        cancelled = true;
      },
    });
    const seen: CsvRecord[] = [];
    for await (const r of csvRecords(stream)) {
      seen.push(r);
      if (r.row === 3) break;
    }
    expect(seen.map((r) => r.fields[0])).toEqual(['r1', 'r2', 'r3']);
    expect(cancelled).toBe(true);
  });

  it('gives the first records before the source has given its last chunk', async () => {
    // ASCII: at once. With a non-ASCII byte in row 1: once the 64 KiB that judge the encoding are in.
    for (const status of ['Completed', 'Genomförd']) {
      let given = 0;
      async function* slow() {
        for (let i = 0; i < 5000; i++) {
          given++;
          yield utf8(`${10000 + i};${status};2024-01-0${(i % 9) + 1}\n`);
        }
      }
      let givenAtFirst = -1;
      let count = 0;
      for await (const r of csvRecords(slow())) {
        if (givenAtFirst < 0) givenAtFirst = given;
        count++;
        expect(r.row).toBe(count);
        expect(r.fields[1]).toBe(status);
      }
      expect(count).toBe(5000);
      const rowBytes = utf8(`10000;${status};2024-01-01\n`).length;
      expect(givenAtFirst, status).toBeLessThanOrEqual(status === 'Completed' ? 2 : Math.ceil(SNIFF_BYTES / rowBytes) + 2);
    }
  });
});

describe('csvRecords: encodings', () => {
  const text = 'Namn;Kurs\nÅsa Öberg;Brandskydd – grund €\n';
  const want = [
    [1, ['Namn', 'Kurs']],
    [2, ['Åsa Öberg', 'Brandskydd – grund €']],
  ];

  it('reads UTF-8 with and without a byte-order mark, cut inside a character', async () => {
    let enc: string | undefined;
    expect(await all(pieces(utf8(text), [1]), (e) => (enc = e))).toEqual(want);
    expect(enc).toBe('utf-8');
    expect(await all(pieces(Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8(text)]), [2]), (e) => (enc = e))).toEqual(want);
    expect(enc).toBe('utf-8');
  });

  it('reads Windows-1252 (a Swedish Excel CSV), a byte at a time', async () => {
    let enc: string | undefined;
    expect(await all(pieces(cp1252(text), [1]), (e) => (enc = e))).toEqual(want);
    expect(enc).toBe('windows-1252');
  });

  it('reads UTF-16 with either mark, chunks of odd length', async () => {
    const le: number[] = [0xff, 0xfe];
    const be: number[] = [0xfe, 0xff];
    for (let k = 0; k < text.length; k++) {
      const u = text.charCodeAt(k);
      le.push(u & 0xff, u >> 8);
      be.push(u >> 8, u & 0xff);
    }
    expect(await all(pieces(Uint8Array.from(le), [3]))).toEqual(want);
    expect(await all(pieces(Uint8Array.from(be), [3, 1]))).toEqual(want);
  });

  it('takes Windows-1252 when the first non-ASCII byte comes late and is not UTF-8', async () => {
    // 200 000 ASCII bytes (more than the sniffing window), then Ö in Windows-1252.
    const bytes = Uint8Array.from([...utf8(`${'a'.repeat(199_999)}\n`), 0xd6, 0x6b, 0x0a]);
    const records = await all(pieces(bytes, [65_536]));
    expect(records.length).toBe(2);
    expect(records[1]).toEqual([2, ['Ök']]);
  });

  it('takes the whole file as Windows-1252 when the window after its first non-ASCII byte is not UTF-8', async () => {
    // é as UTF-8 (C3 A9) would be "Ã©" in Windows-1252; the lone E5 (å) a few rows on decides.
    const bytes = Uint8Array.from([...utf8('x\n'), 0xc3, 0xa9, 0x0a, 0x62, 0xe5, 0x0a]);
    expect(await all(pieces(bytes, [1]))).toEqual([
      [1, ['x']],
      [2, ['Ã©']],
      [3, ['bå']],
    ]);
  });

  it('refuses a file judged UTF-8 that holds a byte that is not, naming the row', async () => {
    // Valid UTF-8 "å" near the start, then more than the sniffing window of ASCII rows, then a
    // Windows-1252 "ö" (F6) in row 5003.
    const rows = ['Namn', 'Åsa'];
    while (rows.join('\n').length < SNIFF_BYTES * 2) rows.push(`rad ${rows.length + 1} ${'x'.repeat(20)}`);
    expect(rows.length).toBeLessThan(5002);
    const head = utf8(`${rows.join('\n')}\n`);
    const bytes = Uint8Array.from([...head, ...utf8('Bo B'), 0xf6, ...utf8('rk\nsist\n')]);
    const badRow = rows.length + 1;
    for (const sizes of [[4096], [1000, 7], [bytes.length]]) {
      const seen: number[] = [];
      const err = await (async () => {
        try {
          for await (const r of csvRecords(pieces(bytes, sizes))) seen.push(r.row);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).key).toBe('import.badEncoding');
      expect((err as DomainError).params).toEqual({ row: badRow });
      // Every row before the bad one was given first.
      expect(seen.length).toBe(badRow - 1);
    }
  });

  it('a character cut across chunks right before a bad byte still names the right row', async () => {
    // "å" (C3 A5) cut between chunks, then on the next line a lone 0xFF.
    // Row 1 "å", then K rows "ok" (past the sniffing window), row K + 2 "aå", row K + 3 the bad byte.
    const K = Math.ceil(SNIFF_BYTES / 3) + 10;
    const head = utf8(`å\n${'ok\n'.repeat(K)}`);
    const bytes = Uint8Array.from([...head, 0x61, 0xc3, 0xa5, 0x0a, 0xff, 0x0a]);
    const cut = head.length + 2; // after "a" and C3
    async function* two() {
      yield bytes.slice(0, cut);
      yield bytes.slice(cut);
    }
    await expect(all(two())).rejects.toMatchObject({ key: 'import.badEncoding', params: { row: K + 3 } });
  });

  it('refuses text with control characters near its start (random bytes, an image)', async () => {
    await expect(all(pieces(Uint8Array.from([0x41, 0x00, 0x42, 0x0a]), [1]))).rejects.toMatchObject({ key: 'import.notSpreadsheet' });
    await expect(all(pieces(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), [8]))).rejects.toMatchObject({ key: 'import.notSpreadsheet' });
  });

  it('decodeChunks gives text of the whole, a chunk at a time', async () => {
    const parts: string[] = [];
    for await (const t of decodeChunks(pieces(cp1252(text), [5]))) parts.push(t);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join('')).toBe(text);
  });
});

describe('CsvParser', () => {
  it('emits a record only once it is whole', () => {
    const p = new CsvParser();
    const out: CsvRecord[] = [];
    p.push('a;b\n1;"x', out);
    expect(out).toEqual([{ row: 1, fields: ['a', 'b'] }]);
    expect(p.separator).toBe(';');
    p.push('\ny";2\r', out);
    expect(out.length).toBe(1);
    p.push('\n', out);
    expect(out[1]).toEqual({ row: 2, fields: ['1', 'x\ny', '2'] });
    p.end(out);
    expect(out.length).toBe(2);
  });
});
