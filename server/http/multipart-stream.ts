import { DomainError } from '../domain/errors.ts';
import { byteChunks, type ByteSource } from '../imports/csv-stream.ts';
import { concatBytes } from './bytes.ts';

/**
 * A multipart/form-data body read part by part as it arrives, each part's content a stream of
 * its own: an upload is never held whole (Hono's parseBody and Request.formData() both hold
 * it). Written here because the maintained parsers on npm (@remix-run/multipart-parser and its
 * predecessor @mjackson/multipart-parser) hand out each part's content buffered whole.
 *
 * A part's `body` must be read before the next part is asked for; what is left of it is skipped
 * when the next one is. A body that is not well-formed (no opening boundary, cut off before its
 * closing one, part headers past 16 KiB) is a 400 `import.badRequest`.
 */
export interface FormPart {
  /** The form field's name (Content-Disposition `name`). */
  name: string | null;
  /** The uploaded file's name, when the part is a file. */
  fileName: string | null;
  contentType: string | null;
  body: AsyncGenerator<Uint8Array>;
}

const MAX_HEADER_BYTES = 16 * 1024;

/** The boundary a multipart Content-Type names, or null. */
export function boundaryOf(contentType: string): string | null {
  if (!/^multipart\/form-data\s*(;|$)/i.test(contentType.trim())) return null;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

const bad = () => new DomainError('bad_request', 'import.badRequest');

/** Where `needle` starts in `hay` at or after `from`, or -1. */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  const last = hay.length - needle.length;
  for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

/** name="…" or filename="…" in a Content-Disposition header (quoted or bare; %22 and \" unescaped). */
function dispositionParam(header: string, param: string): string | null {
  const m = new RegExp(`;\\s*${param}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i').exec(header);
  if (!m) return null;
  const v = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
  return v.replace(/%22/g, '"');
}

/** The parts of a multipart body, in order. */
export async function* formParts(source: ByteSource, boundary: string): AsyncGenerator<FormPart> {
  const encoder = new TextEncoder();
  // Every delimiter is CRLF "--" boundary; the first may open the body without the CRLF, so the
  // body is read as if one stood before it.
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  const headerEnd = encoder.encode('\r\n\r\n');
  const chunks = byteChunks(source)[Symbol.asyncIterator]();
  let buf: Uint8Array = encoder.encode('\r\n');
  let ended = false;
  const more = async (): Promise<boolean> => {
    if (ended) return false;
    const next = await chunks.next();
    if (next.done) {
      ended = true;
      return false;
    }
    buf = concatBytes(buf, next.value);
    return true;
  };
  try {
    // The preamble (anything before the first delimiter) is skipped.
    for (;;) {
      const at = indexOfBytes(buf, delimiter);
      if (at >= 0) {
        buf = buf.subarray(at + delimiter.length);
        break;
      }
      buf = buf.subarray(Math.max(0, buf.length - delimiter.length + 1));
      if (!(await more())) throw bad();
    }
    for (;;) {
      // After a delimiter: "--" closes the body, else (optional spaces and) CRLF, then headers.
      while (buf.length < 2) if (!(await more())) throw bad();
      if (buf[0] === 0x2d && buf[1] === 0x2d) return;
      let headersAt = 0;
      for (;;) {
        const crlf = indexOfBytes(buf, headerEnd.subarray(0, 2));
        if (crlf >= 0) {
          headersAt = crlf + 2;
          break;
        }
        if (buf.length > 256 || !(await more())) throw bad();
      }
      // Empty headers: CRLF straight after the delimiter's line; else up to the blank line.
      let headers = '';
      for (;;) {
        if (buf.length >= headersAt + 2 && buf[headersAt] === 0x0d && buf[headersAt + 1] === 0x0a) {
          buf = buf.subarray(headersAt + 2);
          break;
        }
        const end = indexOfBytes(buf, headerEnd, headersAt);
        if (end >= 0) {
          headers = new TextDecoder().decode(buf.subarray(headersAt, end));
          buf = buf.subarray(end + 4);
          break;
        }
        if (buf.length - headersAt > MAX_HEADER_BYTES || !(await more())) throw bad();
      }
      const fields = new Map<string, string>();
      for (const line of headers.split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      const disposition = fields.get('content-disposition') ?? '';
      let finished = false;
      async function* body(): AsyncGenerator<Uint8Array> {
        for (;;) {
          const at = indexOfBytes(buf, delimiter);
          if (at >= 0) {
            const piece = buf.subarray(0, at);
            buf = buf.subarray(at + delimiter.length);
            finished = true;
            if (piece.length) yield piece;
            return;
          }
          // All but what could be the start of a delimiter cut by the chunk's end.
          const safe = buf.length - delimiter.length + 1;
          if (safe > 0) {
            const piece = buf.subarray(0, safe);
            buf = buf.subarray(safe);
            yield piece;
          }
          if (!(await more())) throw bad();
        }
      }
      const part: FormPart = {
        name: dispositionParam(disposition, 'name'),
        fileName: dispositionParam(disposition, 'filename'),
        contentType: fields.get('content-type') ?? null,
        body: body(),
      };
      yield part;
      // What the reader left of the part is skipped.
      if (!finished) for await (const _ of body()) void _;
    }
  } finally {
    await chunks.return?.(undefined);
  }
}

/** The most a form field beside a file (the column mapping) may hold. */
const MAX_FIELD_BYTES = 256 * 1024;

/** A form field's content as text, refused (400) past MAX_FIELD_BYTES. */
export async function fieldText(body: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for await (const c of body) {
    size += c.length;
    if (size > MAX_FIELD_BYTES) throw bad();
    text += decoder.decode(c, { stream: true });
  }
  return text + decoder.decode();
}
