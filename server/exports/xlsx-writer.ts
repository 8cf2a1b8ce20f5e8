import { Zip, ZipDeflate, strToU8 } from 'fflate';

/**
 * A small SpreadsheetML (xlsx) writer: typed cells in, package bytes out, deflated as it goes.
 *
 * Why not SheetJS's writer: for the city with names (~50 000 rows) it took 1.4–3 s and 300–500 MB
 * of RSS on its own, writes no frozen panes (so the package had to be inflated and deflated again),
 * and its own deflate makes files three times larger than fflate's. Here every cell's type is
 * stated by the caller — text is always a string cell, never a formula, whatever it begins with —
 * and the sheets go through the deflater in slices of rows as their XML is made. A sheet's rows can
 * themselves be made as they are written (any iterable but an array): the city's Personer sheet then never
 * exists at once, as cells or as XML, and memory stays near the compressed file's size (`npm run
 * bench`, the export's peak RSS). Text goes to a shared-string table (a name is stored once, as
 * text). SheetJS still reads these files back in the tests.
 */

export type CellFormat = 'percent' | 'date' | 'dateTime';
export type Cell =
  | { t: 's'; v: string; bold?: boolean; wrap?: boolean }
  | { t: 'n'; v: number; z?: CellFormat }
  | undefined;

export interface SheetSpec {
  name: string;
  /**
   * The rows: an array, or any other iterable, whose rows are then made as they are written (from
   * a statement read row by row, `row-source.ts`) so that a large sheet never exists in memory at
   * once. A streamed sheet has no `<dimension>` (an optional hint, and its last row is not known
   * before it is written: readers take the cells' extent); its filter range is written after it.
   */
  rows: Cell[][] | Iterable<Cell[]>;
  /** Column widths in characters; left out, measured from the text (a sample of a large sheet). */
  widths?: number[];
  /** Freeze the first row and put a filter on the table. */
  table: boolean;
}

// '0.0 %' (with the Swedish space) is valid in Excel, but SheetJS's formatter rejects it, so tools
// built on SheetJS would show such cells without text; Excel shows 0.0% with the locale's comma.
export const FORMAT_CODES: Record<CellFormat, string> = {
  percent: '0.0%',
  date: 'yyyy-mm-dd',
  dateTime: 'yyyy-mm-dd hh:mm',
};

// Style ids into cellXfs below.
const STYLE = { percent: 1, date: 2, dateTime: 3, bold: 4, wrap: 5 } as const;

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

const STYLES =
  `${HEAD}<styleSheet xmlns="${NS}">` +
  `<numFmts count="3"><numFmt numFmtId="164" formatCode="${FORMAT_CODES.percent}"/><numFmt numFmtId="165" formatCode="${FORMAT_CODES.date}"/><numFmt numFmtId="166" formatCode="${FORMAT_CODES.dateTime}"/></numFmts>` +
  '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="6">' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>' +
  '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>';

/** Column letters: 0 → A, 26 → AA. */
export function columnName(c: number): string {
  let s = '';
  for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

// XML 1.0 forbids most control characters; Excel spells them _xHHHH_, and so a literal "_xHHHH_"
// in the text must have its underscore spelled that way too to survive. A carriage return is a
// character reference, since a literal one would be read back as a line feed.
const NEEDS_ESCAPE = /[&<>"\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|_x[0-9a-fA-F]{4}_/;
const ESCAPES = /[&<>"\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|_(?=x[0-9a-fA-F]{4}_)/g;
const hex4 = (ch: string) => `_x${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`;
function escapeText(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(ESCAPES, (ch) => {
    switch (ch) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case '\r':
        return '&#13;';
      case '_':
        return '_x005F_';
      default:
        return hex4(ch);
    }
  });
}
const escapeAttr = (s: string) => escapeText(s).replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');

/** The workbook's shared strings: repeated text (statuses, codes, unit names) is stored once. */
class SharedStrings {
  readonly list: string[] = [];
  uses = 0;
  private readonly index = new Map<string, number>();
  id(s: string): number {
    this.uses++;
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

const needsPreserve = (s: string) => /^\s|\s$|[\t\n\r]/.test(s);

function* sharedStringsXml(sst: SharedStrings): Generator<string> {
  yield `${HEAD}<sst xmlns="${NS}" count="${sst.uses}" uniqueCount="${sst.list.length}">`;
  let part = '';
  for (let i = 0; i < sst.list.length; i++) {
    const s = sst.list[i];
    part += needsPreserve(s) ? `<si><t xml:space="preserve">${escapeText(s)}</t></si>` : `<si><t>${escapeText(s)}</t></si>`;
    if (i % 5000 === 4999) {
      yield part;
      part = '';
    }
  }
  yield `${part}</sst>`;
}

/** A cell; its reference is written only after a gap (a cell without one follows the previous). */
function cellXml(cell: Cell, ref: string | null, sst: SharedStrings): string {
  if (!cell) return '';
  const r = ref === null ? '' : ` r="${ref}"`;
  if (cell.t === 'n') {
    const s = cell.z ? ` s="${STYLE[cell.z]}"` : '';
    return `<c${r}${s}><v>${cell.v}</v></c>`;
  }
  const s = cell.bold ? ` s="${STYLE.bold}"` : cell.wrap ? ` s="${STYLE.wrap}"` : '';
  return `<c${r}${s} t="s"><v>${sst.id(cell.v)}</v></c>`;
}

const present = (cell: Cell) => cell !== undefined && (cell.t === 's' || Number.isFinite(cell.v));

const SAMPLE_ROWS = 2000;

/** Column widths from the longest text in each column; prose (not a table) wraps at 100. */
function measuredWidths(rows: readonly Cell[][], table: boolean): number[] {
  const out: number[] = [];
  const step = rows.length > SAMPLE_ROWS ? Math.ceil(rows.length / SAMPLE_ROWS) : 1;
  for (let i = 0; i < rows.length; i += i === 0 ? 1 : step) {
    const row = rows[i];
    for (let c = 0; c < row.length; c++) {
      const cell = row[c];
      if (!cell) continue;
      const len = cell.t === 's' ? cell.v.length : cell.z === 'date' ? 10 : cell.z === 'dateTime' ? 16 : cell.z === 'percent' ? 7 : String(cell.v).length;
      out[c] = Math.max(out[c] ?? 0, Math.min(len + (table && i === 0 ? 4 : 2), table ? 50 : 100));
    }
  }
  return Array.from(out, (w) => Math.max(w ?? 8, 8));
}

/** A sheet ready to write: its extent and widths known, its rows still to come for a stream. */
interface OpenSheet {
  spec: SheetSpec;
  cols: number;
  /** How many rows: known beforehand for an array, once written for a stream. */
  count: number | null;
  widths: number[];
  rows: Iterable<Cell[]>;
  /** Ends a stream's iteration (and so its statement) if the writing stopped short. */
  close(): void;
}

const longest = (rows: readonly Cell[][]) => rows.reduce((n, row) => Math.max(n, row.length), 1);

function open(spec: SheetSpec): OpenSheet {
  if (Array.isArray(spec.rows)) {
    const rows = spec.rows;
    return { spec, cols: longest(rows), count: rows.length, widths: spec.widths ?? measuredWidths(rows, spec.table), rows, close() {} };
  }
  // A stream's extent and widths come from its first rows (a list sorted by name samples well).
  const it = spec.rows[Symbol.iterator]();
  const head: Cell[][] = [];
  let ended = false;
  while (!ended && head.length < SAMPLE_ROWS) {
    const r = it.next();
    if (r.done) ended = true;
    else head.push(r.value);
  }
  return {
    spec,
    cols: longest(head),
    count: null,
    widths: spec.widths ?? measuredWidths(head, spec.table),
    rows: (function* () {
      yield* head.splice(0);
      while (!ended) {
        const r = it.next();
        if (r.done) ended = true;
        else yield r.value;
      }
    })(),
    close() {
      if (!ended) it.return?.();
      ended = true;
    },
  };
}

const lastRow = (s: OpenSheet) => Math.max(s.count ?? 0, 1);
const filterRef = (s: OpenSheet) => `A1:${columnName(s.cols - 1)}${Math.max(lastRow(s), 2)}`;

const SLICE_ROWS = 2000;
// Deflate dominates the time; level 4 is near level 6's size at a fraction of its time.
const LEVEL = 4;

function* sheetXml(sheet: OpenSheet, sst: SharedStrings): Generator<string> {
  const { cols, spec } = sheet;
  const pane = spec.table
    ? '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
    : '';
  const widths = sheet.widths
    .map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${Math.round(w * 100) / 100}" customWidth="1"/>`)
    .join('');
  const dimension = sheet.count === null ? '' : `<dimension ref="A1:${columnName(cols - 1)}${lastRow(sheet)}"/>`;
  yield `${HEAD}<worksheet xmlns="${NS}" xmlns:r="${NS_R}">${dimension}` +
    `<sheetViews><sheetView workbookViewId="0">${pane}</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>` +
    (widths ? `<cols>${widths}</cols>` : '') +
    '<sheetData>';
  const letters = Array.from({ length: cols }, (_, c) => columnName(c));
  let part = '';
  let n = 0;
  for (const row of sheet.rows) {
    n++;
    if (row.length > cols) throw new Error(`sheet ${spec.name}: row ${n} has ${row.length} cells, the first rows at most ${cols}`);
    part += `<row r="${n}">`;
    let gap = false;
    for (let c = 0; c < row.length; c++) {
      const cell = row[c];
      if (!present(cell)) {
        gap = true;
        continue;
      }
      part += cellXml(cell, gap ? letters[c] + n : null, sst);
      gap = false;
    }
    part += '</row>';
    if (n % SLICE_ROWS === 0) {
      yield part;
      part = '';
    }
  }
  sheet.count = n;
  yield `${part}</sheetData>${spec.table ? `<autoFilter ref="${filterRef(sheet)}"/>` : ''}</worksheet>`;
}

function workbookXml(sheets: OpenSheet[]): string {
  const list = sheets.map((s, i) => `<sheet name="${escapeAttr(s.spec.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('');
  const names = sheets
    .map((s, i) => {
      if (!s.spec.table) return '';
      const [a, b] = filterRef(s).split(':');
      const abs = (ref: string) => ref.replace(/^([A-Z]+)(\d+)$/, '$$$1$$$2');
      return `<definedName name="_xlnm._FilterDatabase" localSheetId="${i}" hidden="1">'${escapeText(s.spec.name.replace(/'/g, "''"))}'!${abs(a)}:${abs(b)}</definedName>`;
    })
    .join('');
  return `${HEAD}<workbook xmlns="${NS}" xmlns:r="${NS_R}"><bookViews><workbookView/></bookViews><sheets>${list}</sheets>` +
    (names ? `<definedNames>${names}</definedNames>` : '') +
    '</workbook>';
}

function workbookRels(count: number): string {
  const rels = Array.from({ length: count },
    (_, i) => `<Relationship Id="rId${i + 1}" Type="${NS_R}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
  );
  rels.push(`<Relationship Id="rId${count + 1}" Type="${NS_R}/styles" Target="styles.xml"/>`);
  rels.push(`<Relationship Id="rId${count + 2}" Type="${NS_R}/sharedStrings" Target="sharedStrings.xml"/>`);
  return `${HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels.join('')}</Relationships>`;
}

function contentTypes(count: number, props: boolean): string {
  const ct = 'application/vnd.openxmlformats-officedocument';
  return `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    `<Override PartName="/xl/workbook.xml" ContentType="${ct}.spreadsheetml.sheet.main+xml"/>` +
    Array.from({ length: count }, (_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="${ct}.spreadsheetml.worksheet+xml"/>`).join('') +
    `<Override PartName="/xl/styles.xml" ContentType="${ct}.spreadsheetml.styles+xml"/>` +
    `<Override PartName="/xl/sharedStrings.xml" ContentType="${ct}.spreadsheetml.sharedStrings+xml"/>` +
    (props ? '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' : '') +
    '</Types>';
}

function rootRels(props: boolean): string {
  return `${HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
    `<Relationship Id="rId1" Type="${NS_R}/officeDocument" Target="xl/workbook.xml"/>` +
    (props ? '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>' : '') +
    '</Relationships>';
}

function coreProps(title: string, created: string): string {
  return `${HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
    `<dc:title>${escapeText(title)}</dc:title><dc:creator>Kompetenskoll</dc:creator>` +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${escapeText(created.replace(/\.\d+Z$/, 'Z'))}</dcterms:created></cp:coreProperties>`;
}

/**
 * The xlsx package for the sheets, in order, as the deflater hands it out: chunks, never joined
 * (a response streams them). Every row, a stream's too, is read within this one synchronous call.
 */
export function writeXlsxChunks(specs: SheetSpec[], props?: { title: string; created: string }): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failure = err;
    else chunks.push(chunk);
  });
  const file = (path: string, parts: Iterable<string>) => {
    const entry = new ZipDeflate(path, { level: LEVEL });
    zip.add(entry);
    for (const part of parts) entry.push(strToU8(part));
    entry.push(new Uint8Array(0), true);
  };
  const sheets: OpenSheet[] = [];
  try {
    for (const spec of specs) sheets.push(open(spec));
    file('[Content_Types].xml', [contentTypes(sheets.length, !!props)]);
    file('_rels/.rels', [rootRels(!!props)]);
    if (props) file('docProps/core.xml', [coreProps(props.title, props.created)]);
    file('xl/_rels/workbook.xml.rels', [workbookRels(sheets.length)]);
    file('xl/styles.xml', [STYLES]);
    const sst = new SharedStrings();
    sheets.forEach((s, i) => file(`xl/worksheets/sheet${i + 1}.xml`, sheetXml(s, sst)));
    // After the sheets: a streamed sheet's filter range is known once it is written. (The parts
    // of a package are found through its relationships, in whatever order they lie.)
    file('xl/workbook.xml', [workbookXml(sheets)]);
    file('xl/sharedStrings.xml', sharedStringsXml(sst));
    zip.end();
  } finally {
    for (const s of sheets) s.close();
  }
  if (failure) throw failure;
  return chunks;
}

/** The xlsx package for the sheets, in order, as one array of bytes. */
export function writeXlsx(specs: SheetSpec[], props?: { title: string; created: string }): Uint8Array {
  const chunks = writeXlsxChunks(specs, props);
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Chunks as a response body (web streams: Node and Workers alike), handed out as the client reads. */
export function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) {
        controller.enqueue(chunks[i]);
        // Let go of what was handed out.
        chunks[i++] = EMPTY;
      } else {
        controller.close();
      }
    },
  });
}
const EMPTY = new Uint8Array(0);
