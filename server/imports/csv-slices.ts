import { DomainError } from '../domain/errors.ts';
import { windows1252 } from './csv.ts';

/**
 * A CSV upload cut into slices of whole records as it streams in, so each slice can be stored
 * (its length known) and later read on its own. The cut follows the rules `parseCsv` reads by
 * (a quote opens a quoted field only at a field's start; CRLF is one line end), so every record
 * lies in exactly one slice and the row numbers a slice starts at are the ones a reading of the
 * whole file gives. Works on code units: bytes for UTF-8 and Windows-1252 (where a quote,
 * separator or line break byte is never part of another character), byte pairs for UTF-16.
 */
export type CsvEncoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

export interface SliceSink {
  (bytes: Uint8Array, index: number, firstRow: number): Promise<void>;
}

export interface CsvSliced {
  encoding: CsvEncoding;
  /** The first line with something on it, decoded: later slices are read after it. */
  firstLine: string;
  /** Each slice's first row number. */
  sliceRows: number[];
  bytes: number;
}

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const SEPARATORS = [0x3b, 0x2c, 0x09]; // ; , tab — in detectDelimiter's order of preference
const FIRST_LINE_MAX = 1 << 16;

export const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
export const isOle = (b: Uint8Array) => b.length >= 8 && b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0;

export function decodeSlice(bytes: Uint8Array, encoding: CsvEncoding): Promise<string> | string {
  if (encoding === 'windows-1252') return windows1252(bytes);
  if (encoding === 'utf-16be') {
    const swapped = new Uint8Array(bytes.length);
    for (let i = 0; i + 1 < bytes.length; i += 2) [swapped[i], swapped[i + 1]] = [bytes[i + 1], bytes[i]];
    return new TextDecoder('utf-16le').decode(swapped);
  }
  return new TextDecoder(encoding).decode(bytes);
}

export class CsvSlicer {
  private head: Uint8Array = new Uint8Array(0);
  private started = false;
  private unit = 1;
  private bigEndian = false;
  private encoding: CsvEncoding | null = null;
  private utf8 = new TextDecoder('utf-8', { fatal: true });
  private validUtf8 = true;
  private firstLineBytes: Uint8Array | null = null;
  private separator = 0x2c;
  // Scanner state, as parseCsv's.
  private quoted = false;
  private fieldEmpty = true;
  private afterQuote = false;
  private pendingCr = false;
  private carry: number | null = null;
  // The slice being filled.
  private parts: Uint8Array[] = [];
  private size = 0;
  private records = 0;
  private row = 1;
  private sliceStartRow = 1;
  private index = 0;
  private readonly starts: number[] = [];
  private total = 0;

  constructor(
    private readonly sink: SliceSink,
    private readonly sliceRows: number,
    private readonly maxSliceBytes = 16 << 20,
  ) {}

  async write(bytes: Uint8Array): Promise<void> {
    this.total += bytes.length;
    if (!this.started) {
      this.head = concatBytes(this.head, bytes);
      // The sniffing needs the first bytes, the separator the whole first line.
      if (!this.ready(false)) return;
      bytes = this.head;
      this.head = new Uint8Array(0);
    }
    await this.scan(bytes);
  }

  async end(): Promise<CsvSliced> {
    if (!this.started) {
      this.ready(true);
      const rest = this.head;
      this.head = new Uint8Array(0);
      await this.scan(rest);
    }
    if (this.encoding === null) {
      try {
        this.utf8.decode();
      } catch {
        this.validUtf8 = false;
      }
    }
    if (this.size > 0) await this.flush();
    const encoding = this.encoding ?? (this.validUtf8 ? 'utf-8' : 'windows-1252');
    return { encoding, firstLine: this.firstLineBytes ? await decodeSlice(this.firstLineBytes, encoding) : '', sliceRows: this.starts, bytes: this.total };
  }

  /** Sniffs the encoding and finds the first line once enough has come in; false: wait for more. */
  private ready(atEnd: boolean): boolean {
    const b = this.head;
    if (!atEnd && b.length < 8) return false;
    if (b.length === 0) throw new DomainError('unprocessable', 'import.empty');
    if (isZip(b) || isOle(b)) throw new XlsxOnStream();
    let skip = 0;
    if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) [this.encoding, skip] = ['utf-8', 3];
    else if (b[0] === 0xff && b[1] === 0xfe) [this.encoding, skip, this.unit] = ['utf-16le', 2, 2];
    else if (b[0] === 0xfe && b[1] === 0xff) [this.encoding, skip, this.unit, this.bigEndian] = ['utf-16be', 2, 2, true];
    const body = b.subarray(skip);
    const line = this.firstLine(body);
    if (!line && !atEnd && body.length < FIRST_LINE_MAX) return false;
    const text = line ?? body.subarray(0, FIRST_LINE_MAX);
    this.firstLineBytes = text.slice();
    // A text file with NUL or other control characters is not a CSV: random bytes, an image, a PDF.
    const sample = new TextDecoder(this.encoding === 'utf-16be' ? 'utf-16be' : this.encoding ?? 'latin1').decode(body.subarray(0, 4096 * this.unit));
    if (/[\u0000-\u0008\u000e-\u001f]/.test(sample.slice(0, 4096))) throw new DomainError('unprocessable', 'import.notSpreadsheet');
    this.head = body;
    this.started = true;
    return true;
  }

  private at(b: Uint8Array, i: number): number {
    return this.unit === 1 ? b[i] : this.bigEndian ? (b[i] << 8) | b[i + 1] : b[i] | (b[i + 1] << 8);
  }

  /** The first line with something on it (quotes toggling, as detectDelimiter reads), and its separator. */
  private firstLine(b: Uint8Array): Uint8Array | null {
    const u = this.unit;
    let start = 0;
    while (start + u <= b.length && (this.at(b, start) === CR || this.at(b, start) === LF)) start += u;
    const counts = new Map<number, number>(SEPARATORS.map((s) => [s, 0]));
    let quoted = false;
    for (let i = start; i + u <= b.length; i += u) {
      const c = this.at(b, i);
      if (c === QUOTE) quoted = !quoted;
      else if (!quoted && (c === CR || c === LF)) {
        this.pickSeparator(counts);
        return b.subarray(start, i);
      } else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
    }
    this.pickSeparator(counts);
    return null;
  }

  private pickSeparator(counts: Map<number, number>) {
    let most = 0;
    this.separator = 0x2c;
    for (const [s, n] of counts) if (n > most) [this.separator, most] = [s, n];
  }

  private async scan(bytes: Uint8Array): Promise<void> {
    if (this.encoding === null && this.validUtf8) {
      try {
        this.utf8.decode(bytes, { stream: true });
      } catch {
        this.validUtf8 = false;
      }
    }
    const u = this.unit;
    let b = bytes;
    if (u === 2 && this.carry !== null) {
      b = concatBytes(Uint8Array.of(this.carry), bytes);
      this.carry = null;
    }
    let from = 0;
    const whole = b.length - (b.length % u);
    for (let i = 0; i < whole; i += u) {
      const c = this.at(b, i);
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === LF) {
          if (this.records >= this.sliceRows || this.size + i + u - from >= this.maxSliceBytes) {
            this.parts.push(b.subarray(from, i + u));
            this.size += i + u - from;
            from = i + u;
            await this.flush();
          }
          continue;
        }
        if (this.records >= this.sliceRows || this.size + i - from >= this.maxSliceBytes) {
          this.parts.push(b.subarray(from, i));
          this.size += i - from;
          from = i;
          await this.flush();
        }
      }
      if (this.quoted) {
        if (c === QUOTE) {
          // A doubled quote is a quote in the field; a single one closes it.
          this.quoted = false;
          this.afterQuote = true;
        } else this.fieldEmpty = false;
        continue;
      }
      if (this.afterQuote && c === QUOTE) {
        this.afterQuote = false;
        this.quoted = true;
        this.fieldEmpty = false;
        continue;
      }
      this.afterQuote = false;
      if (c === QUOTE && this.fieldEmpty) this.quoted = true;
      else if (c === this.separator) this.fieldEmpty = true;
      else if (c === CR || c === LF) {
        this.fieldEmpty = true;
        this.records++;
        this.row++;
        if (c === CR) this.pendingCr = true;
        else if (this.records >= this.sliceRows || this.size + i + u - from >= this.maxSliceBytes) {
          this.parts.push(b.subarray(from, i + u));
          this.size += i + u - from;
          from = i + u;
          await this.flush();
        }
      } else this.fieldEmpty = false;
    }
    if (whole < b.length) this.carry = b[whole];
    if (from < whole) {
      this.parts.push(b.subarray(from, whole));
      this.size += whole - from;
    }
  }

  private async flush(): Promise<void> {
    const bytes = this.parts.length === 1 ? this.parts[0].slice() : this.parts.reduce(concatBytes, new Uint8Array(0));
    this.starts.push(this.sliceStartRow);
    await this.sink(bytes, this.index++, this.sliceStartRow);
    this.parts = [];
    this.size = 0;
    this.records = 0;
    this.sliceStartRow = this.row;
  }
}

/** Thrown on a zip or OLE file: a workbook, which is read whole and so is refused on this path. */
export class XlsxOnStream extends Error {}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (!a.length) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
