import { pacer } from '../pace.ts';

/**
 * CSV as Excel and HR systems save it: UTF-8 with or without a byte-order mark, or Windows-1252
 * (a Swedish Excel's "CSV (semikolonavgränsad)"), UTF-16 with a mark (Excel's "Unicode text");
 * comma, semicolon or tab between fields; quotes doubled inside quoted fields.
 */
export async function decodeText(bytes: Uint8Array): Promise<string> {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decodeSliced('utf-8', bytes.subarray(3), false);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeSliced('utf-16le', bytes.subarray(2), false);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const pause = pacer();
    const swapped = new Uint8Array(bytes.length - 2);
    for (let start = 2; start < bytes.length; start += SLICE_BYTES) {
      const end = Math.min(bytes.length, start + SLICE_BYTES);
      for (let i = start; i < end && i + 1 < bytes.length; i += 2) [swapped[i - 2], swapped[i - 1]] = [bytes[i + 1], bytes[i]];
      await pause();
    }
    return decodeSliced('utf-16le', swapped, false);
  }
  try {
    return await decodeSliced('utf-8', bytes, true);
  } catch {
    // Not valid UTF-8: a Windows-1252 file, where every byte is a character.
    return windows1252(bytes);
  }
}

/**
 * Bytes taken at a time between pauses (an even number: UTF-16 pairs never straddle a slice).
 * Decoding a 10 MB file in one call holds every other request for ~80 ms.
 */
const SLICE_BYTES = 1 << 20;

async function decodeSliced(encoding: 'utf-8' | 'utf-16le', bytes: Uint8Array, fatal: boolean): Promise<string> {
  // A streaming decoder keeps a character cut by a slice's end for the next slice, and (fatal)
  // throws on a bad sequence wherever it is, as one call over the whole would.
  const decoder = new TextDecoder(encoding, { fatal });
  const pause = pacer();
  const parts: string[] = [];
  for (let at = 0; at < bytes.length; at += SLICE_BYTES) {
    parts.push(decoder.decode(bytes.subarray(at, at + SLICE_BYTES), { stream: true }));
    await pause();
  }
  parts.push(decoder.decode());
  return parts.join('');
}

// Windows-1252 is Latin-1 but for 0x80–0x9F; decoded here, as not every runtime's TextDecoder knows it.
const CP1252_80 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

export async function windows1252(bytes: Uint8Array): Promise<string> {
  const pause = pacer();
  const parts: string[] = [];
  for (let start = 0; start < bytes.length; start += 8192) {
    const end = Math.min(bytes.length, start + 8192);
    let chunk = '';
    for (let i = start; i < end; i++) {
      const b = bytes[i];
      chunk += b >= 0x80 && b < 0xa0 ? CP1252_80[b - 0x80] : String.fromCharCode(b);
    }
    parts.push(chunk);
    await pause();
  }
  return parts.join('');
}

/** The separator of the header line: the most frequent of ; , and tab outside quotes. */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([[';', 0], [',', 0], ['\t', 0]]);
  let quoted = false;
  // The header is the first line with something on it.
  const start = text.search(/[^\r\n]/);
  for (let i = Math.max(0, start); i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  let most = 0;
  for (const [d, n] of counts) if (n > most) [best, most] = [d, n];
  return best;
}

/** Records between asking the pacer whether it is time to let other requests run. */
const RECORDS_PER_CHECK = 256;

/**
 * Records with their line numbers as a spreadsheet program would show them (the first record is
 * row 1). `onRecord` may throw to stop early (the row bound). Pauses every 8 ms or so: 300 000
 * records take ~0.6 s, which in one stretch would hold every other request that long.
 */
export async function parseCsv(text: string, onRecord: (fields: string[], row: number) => void): Promise<void> {
  const delimiter = detectDelimiter(text);
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let row = 1;
  let i = 0;
  const n = text.length;
  const pause = pacer();
  const endRecord = () => {
    fields.push(field);
    field = '';
    onRecord(fields, row);
    fields = [];
    row++;
  };
  // The next character that ends a plain run: the separator, a quote or a line break.
  const special = new RegExp(`[${delimiter === '\t' ? '\\t' : delimiter}"\\r\\n]`, 'g');
  while (i < n) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      // Take the run up to the next quote in one slice: fields can be long.
      const next = text.indexOf('"', i);
      const stop = next < 0 ? n : next;
      field += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      i++;
    } else if (ch === delimiter) {
      fields.push(field);
      field = '';
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      if (row % RECORDS_PER_CHECK === 0) await pause();
    } else {
      special.lastIndex = i + 1;
      const m = special.exec(text);
      const stop = m ? m.index : n;
      field += text.slice(i, stop);
      i = stop;
    }
  }
  if (field !== '' || fields.length) endRecord();
}
