import { DomainError } from '../domain/errors.ts';
import { concatBytes } from '../http/bytes.ts';

/**
 * CSV read as its bytes arrive, in memory bounded by the longest record (not the file): for an
 * upload streamed from the request, or a file read back from storage a piece at a time.
 *
 *   for await (const { fields, row } of csvRecords(request.body)) …
 *
 * - **Encoding**: a byte-order mark decides (UTF-8, UTF-16 LE or BE). Without one the file is
 *   taken as ASCII until its first byte ≥ 0x80; the 64 KiB from there on (or the rest of the file,
 *   if shorter) then decide: valid UTF-8 → UTF-8, else Windows-1252 (what a Swedish Excel saves as
 *   "CSV (semikolonavgränsad)"), where every byte is a character. A file judged UTF-8 that later
 *   holds a byte that is not is refused (422 `import.badEncoding`, naming the row) rather than
 *   read half in one encoding and half in another: it was saved wrongly, or pasted together.
 * - **Separator**: the most frequent of `;`, `,` and tab outside quotes on the first line with
 *   something on it (a comma when none occurs).
 * - **Fields**: quoted fields may hold separators, doubled quotes and line breaks; lines end with
 *   CRLF, LF or CR. `row` is the record's number as a spreadsheet program shows it (the first
 *   record is 1; a line break inside quotes does not count), blank lines included.
 * - A text with NUL or other control characters in its first 4 096 characters is no CSV (random
 *   bytes, an image, a PDF): 422 `import.notSpreadsheet`.
 */
export interface CsvRecord {
  fields: string[];
  row: number;
}

export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface CsvStreamOptions {
  /** Called with each chunk's byte count as it is taken from the source (for progress). */
  onBytes?: (n: number) => void;
  /** Called once the encoding is settled (ASCII-only files report utf-8 at their end). */
  onEncoding?: (e: TextEncodingName) => void;
}

/** Bytes from the first non-ASCII byte on that decide between UTF-8 and Windows-1252. */
export const SNIFF_BYTES = 64 * 1024;

/** A byte sequence that is not UTF-8 in a file judged to be UTF-8. */
export class NotUtf8Error extends Error {
  constructor() {
    super('not UTF-8');
  }
}

/** The source's chunks, empty ones dropped; a reader left early cancels the stream. */
export async function* byteChunks(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (typeof (source as ReadableStream<Uint8Array>).getReader !== 'function') {
    for await (const c of source as AsyncIterable<Uint8Array>) if (c.length) yield c;
    return;
  }
  const reader = (source as ReadableStream<Uint8Array>).getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      if (next.value.length) yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

// Windows-1252 is Latin-1 but for 0x80–0x9F; decoded by table, as not every runtime's TextDecoder knows it.
const CP1252_80 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const CP1252 = new Uint16Array(256);
for (let b = 0; b < 256; b++) CP1252[b] = b >= 0x80 && b < 0xa0 ? CP1252_80.charCodeAt(b - 0x80) : b;

function windows1252(bytes: Uint8Array): string {
  const parts: string[] = [];
  const units = new Uint16Array(Math.min(bytes.length, 8192));
  for (let at = 0; at < bytes.length; at += units.length) {
    const n = Math.min(units.length, bytes.length - at);
    for (let i = 0; i < n; i++) units[i] = CP1252[bytes[at + i]];
    parts.push(String.fromCharCode.apply(null, n === units.length ? (units as unknown as number[]) : (units.subarray(0, n) as unknown as number[])));
  }
  return parts.join('');
}

function firstNonAscii(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return i;
  return -1;
}

function isUtf8(bytes: Uint8Array, final: boolean): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: !final });
    return true;
  } catch {
    return false;
  }
}

/**
 * A UTF-8 decoder that, on a bad sequence, gives the text before it (so the caller can say in
 * which row it is) and then throws NotUtf8Error.
 */
class Utf8Text {
  private decoder = new TextDecoder('utf-8', { fatal: true });
  // The bytes of a character cut by the last chunk's end, which the decoder holds: an error in
  // the next chunk is looked for with them in front.
  private tail: Uint8Array = new Uint8Array(0);

  decode(bytes: Uint8Array, final: boolean, emit: (text: string) => void): void {
    let text: string;
    try {
      text = this.decoder.decode(bytes, { stream: !final });
    } catch {
      // The longest prefix that still decodes ends where the bad sequence starts.
      const all = concatBytes(this.tail, bytes);
      let lo = 0;
      let hi = all.length;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (isUtf8(all.subarray(0, mid), false)) lo = mid;
        else hi = mid - 1;
      }
      emit(new TextDecoder('utf-8').decode(all.subarray(0, lo), { stream: true }));
      throw new NotUtf8Error();
    }
    this.tail = incompleteTail(bytes.length >= 4 ? bytes : concatBytes(this.tail, bytes));
    if (text) emit(text);
  }
}

/** The last bytes of a UTF-8 text that begin a character not yet whole. */
function incompleteTail(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back];
    if (b < 0x80) return new Uint8Array(0);
    if (b >= 0xc0) {
      const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return len > back ? bytes.slice(bytes.length - back) : new Uint8Array(0);
    }
  }
  return new Uint8Array(0);
}

/**
 * The source as text, a chunk at a time (see the module's comment for how the encoding is
 * chosen). Throws NotUtf8Error after the text before a bad byte in a file judged UTF-8.
 */
export async function* decodeChunks(source: ByteSource, opts: CsvStreamOptions = {}): AsyncGenerator<string> {
  let head: Uint8Array = new Uint8Array(0);
  let mode: 'start' | 'ascii' | 'sniff' | TextEncodingName = 'start';
  let utf8: Utf8Text | null = null;
  let utf16: TextDecoder | null = null;
  // UTF-16 BE: a byte left over from a chunk of odd length, swapped with the next chunk's first.
  let odd: number | null = null;
  const out: string[] = [];
  const emit = (t: string) => void out.push(t);
  const settle = (e: TextEncodingName) => {
    mode = e;
    opts.onEncoding?.(e);
  };

  const take = (bytes: Uint8Array, final: boolean): void => {
    if (mode === 'start') {
      head = concatBytes(head, bytes);
      if (head.length < 3 && !final) return;
      bytes = head;
      head = new Uint8Array(0);
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
        settle('utf-8');
        utf8 = new Utf8Text();
        bytes = bytes.subarray(3);
      } else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
        settle('utf-16le');
        utf16 = new TextDecoder('utf-16le');
        bytes = bytes.subarray(2);
      } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
        settle('utf-16be');
        utf16 = new TextDecoder('utf-16le');
        bytes = bytes.subarray(2);
      } else mode = 'ascii';
    }
    if (mode === 'ascii') {
      const at = firstNonAscii(bytes);
      if (at < 0) {
        if (bytes.length) emit(latin(bytes));
        if (final) settle('utf-8');
        return;
      }
      if (at > 0) emit(latin(bytes.subarray(0, at)));
      mode = 'sniff';
      bytes = bytes.subarray(at);
    }
    if (mode === 'sniff') {
      head = concatBytes(head, bytes);
      if (head.length < SNIFF_BYTES && !final) return;
      bytes = head;
      head = new Uint8Array(0);
      if (isUtf8(bytes.subarray(0, SNIFF_BYTES), final && bytes.length <= SNIFF_BYTES)) {
        settle('utf-8');
        utf8 = new Utf8Text();
      } else settle('windows-1252');
    }
    switch (mode) {
      case 'utf-8':
        utf8!.decode(bytes, final, emit);
        return;
      case 'windows-1252':
        if (bytes.length) emit(windows1252(bytes));
        return;
      case 'utf-16le':
        if (bytes.length || final) emit(utf16!.decode(bytes, { stream: !final }));
        return;
      case 'utf-16be': {
        const whole = odd === null ? bytes : concatBytes(Uint8Array.of(odd), bytes);
        const even = whole.length & ~1;
        odd = even < whole.length ? whole[even] : null;
        const swapped = new Uint8Array(even);
        for (let i = 0; i < even; i += 2) {
          swapped[i] = whole[i + 1];
          swapped[i + 1] = whole[i];
        }
        emit(utf16!.decode(swapped, { stream: !final }));
        return;
      }
    }
  };

  for await (const chunk of byteChunks(source)) {
    opts.onBytes?.(chunk.length);
    try {
      take(chunk, false);
    } finally {
      // The text before a bad byte goes out before the error does.
      for (const t of out.splice(0)) if (t) yield t;
    }
  }
  try {
    take(new Uint8Array(0), true);
  } finally {
    for (const t of out.splice(0)) if (t) yield t;
  }
}

// ASCII bytes as text (equal in UTF-8 and Windows-1252).
const asciiDecoder = new TextDecoder('utf-8');
const latin = (bytes: Uint8Array) => asciiDecoder.decode(bytes);

/** The separator of a header line: the most frequent of ; , and tab outside quotes (a comma if none). */
function delimiterOf(line: string): string {
  const counts = new Map<string, number>([[';', 0], [',', 0], ['\t', 0]]);
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  let most = 0;
  for (const [d, n] of counts) if (n > most) [best, most] = [d, n];
  return best;
}

/**
 * The end of the first line with something on it (outside quotes), or -1 while it has not ended:
 * its separator can be told only once it is whole.
 */
function firstLineEnd(text: string): { start: number; end: number } | null {
  const start = text.search(/[^\r\n]/);
  if (start < 0) return null;
  let quoted = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) return { start, end: i };
  }
  return null;
}

/**
 * A push parser: text in, whole records out, however the text is cut. A quote or a carriage
 * return at the very end of a piece waits for the next piece (is it `""`, is it CRLF?).
 */
export class CsvParser {
  private delimiter: string | null = null;
  private special: RegExp | null = null;
  private rest = '';
  private fields: string[] = [];
  private field = '';
  private quoted = false;
  private row = 1;
  private checked = 0;

  /** The separator, once the header line has been seen. */
  get separator(): string | null {
    return this.delimiter;
  }

  push(text: string, out: CsvRecord[]): void {
    this.parse(text, false, out);
  }

  end(out: CsvRecord[]): void {
    this.parse('', true, out);
    if (this.field !== '' || this.fields.length) this.endRecord(out);
  }

  private endRecord(out: CsvRecord[]) {
    this.fields.push(this.field);
    this.field = '';
    out.push({ fields: this.fields, row: this.row });
    this.fields = [];
    this.row++;
  }

  private parse(piece: string, final: boolean, out: CsvRecord[]) {
    if (this.checked < 4096 && piece) {
      // A text with NUL or other control characters near its start is no CSV.
      if (/[\u0000-\u0008\u000e-\u001f]/.test(piece.slice(0, 4096 - this.checked))) throw new DomainError('unprocessable', 'import.notSpreadsheet');
      this.checked += Math.min(piece.length, 4096 - this.checked);
    }
    const text = this.rest ? this.rest + piece : piece;
    this.rest = '';
    if (this.delimiter === null) {
      const line = firstLineEnd(text);
      if (!line && !final) {
        this.rest = text;
        return;
      }
      const start = line?.start ?? Math.max(0, text.search(/[^\r\n]/));
      this.delimiter = delimiterOf(text.slice(start, line ? line.end : text.length));
      this.special = new RegExp(`[${this.delimiter === '\t' ? '\\t' : this.delimiter}"\\r\\n]`, 'g');
    }
    const delimiter = this.delimiter;
    const special = this.special!;
    const n = text.length;
    let i = 0;
    while (i < n) {
      const ch = text[i];
      if (this.quoted) {
        if (ch === '"') {
          if (i + 1 === n && !final) break;
          if (text[i + 1] === '"') {
            this.field += '"';
            i += 2;
            continue;
          }
          this.quoted = false;
          i++;
          continue;
        }
        // The run up to the next quote in one slice: fields can be long.
        const next = text.indexOf('"', i);
        const stop = next < 0 ? n : next;
        this.field += text.slice(i, stop);
        i = stop;
        continue;
      }
      if (ch === '"' && this.field === '') {
        this.quoted = true;
        i++;
      } else if (ch === delimiter) {
        this.fields.push(this.field);
        this.field = '';
        i++;
      } else if (ch === '\r' || ch === '\n') {
        if (ch === '\r' && i + 1 === n && !final) break;
        this.endRecord(out);
        i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      } else {
        special.lastIndex = i + 1;
        const m = special.exec(text);
        const stop = m ? m.index : n;
        this.field += text.slice(i, stop);
        i = stop;
      }
    }
    if (i < n) this.rest = text.slice(i);
  }

  /** The number the next record will have. */
  get nextRow(): number {
    return this.row;
  }
}

/**
 * The records of a CSV byte stream, a chunk's worth at a time (cheaper to iterate than one
 * record at a time). Errors are DomainErrors a coordinator can act on.
 */
export async function* csvRecordBatches(source: ByteSource, opts: CsvStreamOptions = {}): AsyncGenerator<CsvRecord[]> {
  const parser = new CsvParser();
  let out: CsvRecord[] = [];
  try {
    for await (const text of decodeChunks(source, opts)) {
      parser.push(text, out);
      if (out.length) {
        yield out;
        out = [];
      }
    }
  } catch (e) {
    if (!(e instanceof NotUtf8Error)) throw e;
    // The records before the bad byte were whole; the one it is in was being read.
    if (out.length) yield out;
    throw new DomainError('unprocessable', 'import.badEncoding', { row: parser.nextRow });
  }
  parser.end(out);
  if (out.length) yield out;
}

/** The records of a CSV byte stream, one at a time. */
export async function* csvRecords(source: ByteSource, opts: CsvStreamOptions = {}): AsyncGenerator<CsvRecord> {
  for await (const batch of csvRecordBatches(source, opts)) yield* batch;
}
