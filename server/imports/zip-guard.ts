import { DomainError } from '../domain/errors.ts';

/**
 * A spreadsheet is a zip, and a zip can inflate a thousandfold. Before SheetJS sees the bytes, the
 * central directory is read once, here (zip64 sizes included), and its declared sizes are summed
 * (cheap, nothing inflated); then every entry it names is actually inflated with a running count
 * and abandoned the moment the count passes the bound: declared sizes can lie, the inflater cannot.
 */

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  declaredSize: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_EXTRA = 0x0001;
const FULL = 0xffffffff;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function bad(): DomainError {
  return new DomainError('unprocessable', 'import.notSpreadsheet');
}

/** The entries named by the zip's central directory; a 422 when there is none to read. */
export function zipEntries(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end record sits in the last 22 bytes plus a comment of at most 65 535.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad();
  const count = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  if (count === 0xffff || p === 0xffffffff) throw new DomainError('too_large', 'import.inflatesTooMuch', { limit: '4 GB' });
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL) throw bad();
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    const entry: ZipEntry = {
      method: view.getUint16(p + 10, true),
      compressedSize: view.getUint32(p + 20, true),
      declaredSize: view.getUint32(p + 24, true),
      localOffset: view.getUint32(p + 42, true),
      name: new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLength)),
    };
    if (entry.declaredSize === FULL || entry.compressedSize === FULL || entry.localOffset === FULL) zip64Sizes(view, p + 46 + nameLength, extraLength, entry);
    entries.push(entry);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * A field that did not fit in 32 bits is 0xFFFFFFFF and comes from the zip64 extra field instead,
 * 8 bytes each, in the order uncompressed size, compressed size, local header offset, and only
 * those that overflowed (APPNOTE 4.5.3).
 */
function zip64Sizes(view: DataView, at: number, length: number, e: ZipEntry): void {
  const end = at + length;
  while (at + 4 <= end) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (id === ZIP64_EXTRA) {
      let q = at + 4;
      const next = () => {
        if (q + 8 > at + 4 + size || q + 8 > view.byteLength) throw bad();
        const v = Number(view.getBigUint64(q, true));
        q += 8;
        return v;
      };
      if (e.declaredSize === FULL) e.declaredSize = next();
      if (e.compressedSize === FULL) e.compressedSize = next();
      if (e.localOffset === FULL) e.localOffset = next();
      return;
    }
    at += 4 + size;
  }
  throw bad();
}

const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

/** Throws 413 when the zip would inflate past `limit` bytes in all, by declaration or in fact. */
export async function guardZip(bytes: Uint8Array, limit: number): Promise<void> {
  const entries = zipEntries(bytes);
  const over = () => new DomainError('too_large', 'import.inflatesTooMuch', { limit: mb(limit) });
  let declared = 0;
  for (const e of entries) declared += e.declaredSize;
  if (declared > limit) throw over();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let inflated = 0;
  for (const e of entries) {
    const at = e.localOffset;
    if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL) throw bad();
    const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    const end = start + e.compressedSize;
    if (end > bytes.length) throw bad();
    if (e.method === 0) inflated += e.compressedSize;
    else if (e.method === 8) inflated = await countInflated(bytes.subarray(start, end), inflated, limit);
    else throw bad();
    if (inflated > limit) throw over();
  }
}

/**
 * Inflates raw deflate data only to count it, stopping as soon as the running total passes the
 * limit. The platform's DecompressionStream (Node and Workers alike) runs natively and hands
 * back control between chunks, so other requests are answered meanwhile.
 */
async function countInflated(data: Uint8Array, before: number, limit: number): Promise<number> {
  const stream = new DecompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  writer.write(data as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  let total = before;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return total;
      total += value.length;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        return total;
      }
    }
  } catch {
    throw bad();
  }
}
