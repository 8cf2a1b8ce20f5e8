import { describe, expect, it } from 'vitest';
import { boundaryOf, formParts, indexOfBytes } from '../../server/http/multipart-stream.ts';
import { pieces } from '../support/bytes.ts';

/** A form as fetch encodes it: its bytes and the boundary of its Content-Type. */
async function encoded(form: FormData): Promise<{ bytes: Uint8Array; boundary: string }> {
  const req = new Request('http://x/', { method: 'POST', body: form });
  const boundary = boundaryOf(req.headers.get('content-type')!);
  if (!boundary) throw new Error('no boundary');
  return { bytes: new Uint8Array(await req.arrayBuffer()), boundary };
}


async function read(source: AsyncIterable<Uint8Array>, boundary: string) {
  const out: { name: string | null; fileName: string | null; contentType: string | null; text: string; bytes: number[] }[] = [];
  for await (const part of formParts(source, boundary)) {
    const got: number[] = [];
    for await (const c of part.body) got.push(...c);
    out.push({ name: part.name, fileName: part.fileName, contentType: part.contentType, text: new TextDecoder().decode(Uint8Array.from(got)), bytes: got });
  }
  return out;
}

const bytesOf = (s: string) => new TextEncoder().encode(s);

describe('formParts: a multipart body part by part', () => {
  it('reads a file and a field however the body is cut, a boundary split across chunks included', async () => {
    // The file's own bytes hold CRLF, "--" and the start of the boundary's prefix.
    const file = 'Anställningsnummer;Kurs\r\n--\r\n-1001;VBE\r\n\r\n--x';
    const form = new FormData();
    form.append('file', new Blob([file], { type: 'text/csv' }), 'genomförda.csv');
    form.append('mapping', '{"Vem":"employeeNumber"}');
    const { bytes, boundary } = await encoded(form);
    const want = [
      { name: 'file', fileName: 'genomförda.csv', contentType: 'text/csv', text: file },
      { name: 'mapping', fileName: null, contentType: null, text: '{"Vem":"employeeNumber"}' },
    ];
    for (const sizes of [[1], [2], [3], [7, 1], [boundary.length + 3], [bytes.length]]) {
      const parts = await read(pieces(bytes, sizes), boundary);
      expect(parts.map(({ bytes: _, ...p }) => p), `chunks of ${sizes}`).toEqual(want);
    }
    // Every single cut of the body in two.
    for (let cut = 0; cut <= bytes.length; cut++) {
      async function* two() {
        yield bytes.slice(0, cut);
        yield bytes.slice(cut);
      }
      expect((await read(two(), boundary)).map((p) => p.text), `cut at ${cut}`).toEqual([file, '{"Vem":"employeeNumber"}']);
    }
  });

  it('passes binary content through byte for byte, and an empty file as empty', async () => {
    const binary = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256);
    const form = new FormData();
    form.append('empty', new Blob([]), 'tom.csv');
    form.append('file', new Blob([binary]), 'bok.xlsx');
    const { bytes, boundary } = await encoded(form);
    const parts = await read(pieces(bytes, [4096, 13]), boundary);
    expect(parts.map((p) => [p.name, p.fileName, p.bytes.length])).toEqual([
      ['empty', 'tom.csv', 0],
      ['file', 'bok.xlsx', 70_000],
    ]);
    expect(Uint8Array.from(parts[1].bytes)).toEqual(binary);
  });

  it('gives a part before the rest of the body has arrived', async () => {
    const form = new FormData();
    form.append('file', new Blob(['x'.repeat(200_000)]), 'stor.csv');
    const { bytes, boundary } = await encoded(form);
    let given = 0;
    async function* counted() {
      for await (const c of pieces(bytes, [1000])) {
        given++;
        yield c;
      }
    }
    for await (const part of formParts(counted(), boundary)) {
      let firstAt = -1;
      let total = 0;
      for await (const c of part.body) {
        if (firstAt < 0) firstAt = given;
        total += c.length;
      }
      expect(total).toBe(200_000);
      expect(firstAt).toBeLessThan(3);
    }
  });

  it('skips what a reader left of a part and goes on to the next', async () => {
    const form = new FormData();
    form.append('file', new Blob(['a'.repeat(50_000)]), 'f.csv');
    form.append('mapping', '{}');
    const { bytes, boundary } = await encoded(form);
    const names: string[] = [];
    for await (const part of formParts(pieces(bytes, [999]), boundary)) {
      names.push(part.name!);
      if (part.name === 'file') {
        for await (const _ of part.body) break;
      } else {
        let t = '';
        for await (const c of part.body) t += new TextDecoder().decode(c);
        expect(t).toBe('{}');
      }
    }
    expect(names).toEqual(['file', 'mapping']);
  });

  it('refuses a body without its boundary, one cut off, and headers past the bound (400)', async () => {
    const form = new FormData();
    form.append('file', new Blob(['abc']), 'f.csv');
    const { bytes, boundary } = await encoded(form);
    await expect(read(pieces(bytes, [5]), 'another-boundary')).rejects.toMatchObject({ kind: 'bad_request', key: 'import.badRequest' });
    await expect(read(pieces(bytes.slice(0, bytes.length - 10), [5]), boundary)).rejects.toMatchObject({ kind: 'bad_request', key: 'import.badRequest' });
    const huge = bytesOf(`--${boundary}\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\nabc\r\n--${boundary}--\r\n`);
    await expect(read(pieces(huge, [1024]), boundary)).rejects.toMatchObject({ kind: 'bad_request' });
  });

  it('takes a hand-written body with a preamble, quoted names and no trailing CRLF', async () => {
    const body = bytesOf('ignored preamble\r\n--B\r\nContent-Disposition: form-data; name="file"; filename="a \\"b\\".csv"\r\n\r\nx;y\r\n--B\r\nContent-Disposition: form-data; name=mapping\r\n\r\n{}\r\n--B--');
    const parts = await read(pieces(body, [3]), 'B');
    expect(parts.map((p) => [p.name, p.fileName, p.text])).toEqual([
      ['file', 'a "b".csv', 'x;y'],
      ['mapping', null, '{}'],
    ]);
  });
});

describe('boundaryOf and indexOfBytes', () => {
  it('reads the boundary of a form-data type only', () => {
    expect(boundaryOf('multipart/form-data; boundary=----abc')).toBe('----abc');
    expect(boundaryOf('Multipart/Form-Data; charset=utf-8; boundary="a b"')).toBe('a b');
    expect(boundaryOf('multipart/mixed; boundary=x')).toBeNull();
    expect(boundaryOf('multipart/form-data')).toBeNull();
  });
  it('finds a byte sequence', () => {
    const hay = bytesOf('\r\r\n-\r\n--B\r\n--B');
    expect(indexOfBytes(hay, bytesOf('\r\n--B'))).toBe(4);
    expect(indexOfBytes(hay, bytesOf('\r\n--B'), 5)).toBe(9);
    expect(indexOfBytes(hay, bytesOf('\r\n--C'))).toBe(-1);
  });
});
