import { Deflate } from 'fflate';

/**
 * An xlsx-shaped zip whose xl/worksheets/sheet1.xml inflates to `megabytes` MB of "0", built in
 * about a megabyte and a fraction of a second: one megabyte of zeros deflated after a sync flush
 * compresses to the same bytes every time, so the stream is those bytes repeated.
 * `lie` writes a small uncompressed size into the zip's directories, as a hostile file would.
 */
export function zipBomb(megabytes: number, opts: { lie?: boolean } = {}): Uint8Array {
  const outs: Uint8Array[] = [];
  const d = new Deflate({ level: 9 }, (chunk) => outs.push(chunk.slice()));
  const zeros = new Uint8Array(1 << 20).fill(0x30);
  const segment = () => {
    outs.length = 0;
    d.push(zeros);
    d.flush(true);
    return concat(outs);
  };
  const first = segment();
  const second = segment();
  const steady = segment();
  outs.length = 0;
  d.push(new Uint8Array(0), true);
  const tail = concat(outs);
  const data = concat([first, second, ...Array<Uint8Array>(Math.max(0, megabytes - 3)).fill(steady), steady, tail]);
  const size = opts.lie ? 1000 : megabytes * (1 << 20);
  return zip([
    { name: '[Content_Types].xml', data: new TextEncoder().encode('<?xml version="1.0"?><Types/>'), method: 0, size: 29 },
    { name: 'xl/worksheets/sheet1.xml', data, method: 8, size },
  ]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function zip(entries: { name: string; data: Uint8Array; method: number; size: number }[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = new TextEncoder().encode(e.name);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, e.method, true);
    lv.setUint32(18, e.data.length, true);
    lv.setUint32(22, e.size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, e.method, true);
    cv.setUint32(20, e.data.length, true);
    cv.setUint32(24, e.size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, e.data);
    centrals.push(central);
    offset += local.length + e.data.length;
  }
  const dir = concat(centrals);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, dir.length, true);
  ev.setUint32(16, offset, true);
  return concat([...locals, dir, end]);
}
