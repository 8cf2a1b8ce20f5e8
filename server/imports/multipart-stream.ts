import { DomainError } from '../domain/errors.ts';

/**
 * A multipart/form-data body read as it arrives, for uploads too large to hold (Workers'
 * `formData()` reads the whole body into memory first). The file part is handed on in pieces as
 * they come; the other parts (the column mapping) are small and are collected as text.
 */
export interface MultipartHandlers {
  /** A part without a filename, as text (at most `maxFieldBytes`). */
  field(name: string, value: string): void;
  /** A part with a filename begins; return the sink for its bytes, or null to skip the part. */
  file(name: string, fileName: string): { write(bytes: Uint8Array): Promise<void>; end(): Promise<void> } | null;
}

const enc = new TextEncoder();
const CRLF2 = enc.encode('\r\n\r\n');

export function boundaryOf(contentType: string): string {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!/^multipart\/form-data/i.test(contentType) || !m) throw new DomainError('bad_request', 'import.noFile');
  return m[1] ?? m[2];
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  for (let i = hay.indexOf(first, from); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (!a.length) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Reads the body to its end, calling the handlers part by part. A malformed body is a 400. */
export async function readMultipart(body: ReadableStream<Uint8Array> | null, contentType: string, on: MultipartHandlers, maxFieldBytes = 1 << 20): Promise<void> {
  if (!body) throw new DomainError('bad_request', 'import.noFile');
  // Every delimiter but the first is preceded by CRLF; the body is read as if it began with one.
  const delimiter = enc.encode(`\r\n--${boundaryOf(contentType)}`);
  let buf: Uint8Array = enc.encode('\r\n');
  let state: 'preamble' | 'afterDelimiter' | 'headers' | 'part' | 'done' = 'preamble';
  let sink: ReturnType<MultipartHandlers['file']> = null;
  let field: { name: string; parts: Uint8Array[]; size: number } | null = null;
  const reader = body.getReader();
  let ended = false;
  const emit = async (bytes: Uint8Array) => {
    if (!bytes.length) return;
    if (sink) await sink.write(bytes);
    else if (field) {
      field.size += bytes.length;
      if (field.size > maxFieldBytes) throw new DomainError('bad_request', 'import.badRequest');
      field.parts.push(bytes.slice());
    }
  };
  for (;;) {
    let progressed = true;
    while (progressed && state !== 'done') {
      progressed = false;
      if (state === 'preamble' || state === 'part') {
        const at = indexOf(buf, delimiter, 0);
        if (at < 0) {
          // Keep what could be the start of a delimiter cut by the end of this piece.
          const keep = Math.min(buf.length, delimiter.length - 1);
          if (state === 'part') await emit(buf.subarray(0, buf.length - keep));
          buf = buf.slice(buf.length - keep);
          break;
        }
        if (state === 'part') {
          await emit(buf.subarray(0, at));
          if (sink) await sink.end();
          if (field) on.field(field.name, new TextDecoder().decode(field.parts.reduce(concat, new Uint8Array(0))));
          sink = null;
          field = null;
        }
        buf = buf.subarray(at + delimiter.length);
        state = 'afterDelimiter';
        progressed = true;
      } else if (state === 'afterDelimiter') {
        if (buf.length < 2) break;
        if (buf[0] === 0x2d && buf[1] === 0x2d) state = 'done';
        else {
          // Transport padding may follow the delimiter before its CRLF.
          const eol = indexOf(buf, enc.encode('\r\n'), 0);
          if (eol < 0) break;
          buf = buf.subarray(eol + 2);
          state = 'headers';
        }
        progressed = true;
      } else if (state === 'headers') {
        const end = indexOf(buf, CRLF2, 0);
        if (end < 0) {
          if (buf.length > 16384) throw new DomainError('bad_request', 'import.badRequest');
          break;
        }
        const headers = new TextDecoder().decode(buf.subarray(0, end));
        buf = buf.subarray(end + 4);
        const disposition = /^content-disposition:(.*)$/im.exec(headers)?.[1] ?? '';
        const name = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '';
        const fileName = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
        if (fileName !== undefined) sink = on.file(name, fileName);
        else field = { name, parts: [], size: 0 };
        state = 'part';
        progressed = true;
      }
    }
    if (state === 'done' || ended) break;
    const next = await reader.read();
    if (next.done) ended = true;
    else buf = concat(buf, next.value);
  }
  if (state !== 'done') throw new DomainError('bad_request', 'import.badRequest');
  // The epilogue, if any, is read and dropped: the request must be consumed to its end.
  while (!ended) if ((await reader.read()).done) ended = true;
}
