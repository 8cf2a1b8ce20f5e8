import * as XLSX from 'xlsx';

// Parses an uploaded xlsx the way the import does (SheetJS, dense, first sheet, every cell turned
// into a row value) and keeps the result alive until the next request, so the driver can read the
// isolate's heap through the inspector while the whole parsed sheet is held.
let held: unknown = null;

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/drop') {
      held = null;
      return new Response('dropped');
    }
    const started = Date.now();
    const bytes = new Uint8Array(await request.arrayBuffer());
    const wb = XLSX.read(bytes, { type: 'array', dense: true, cellNF: true, cellHTML: false, cellFormula: false, sheets: 0 });
    const ws = wb.Sheets[wb.SheetNames[0]];
    const data = (ws['!data'] ?? []) as (XLSX.CellObject | undefined)[][];
    const rows: { row: number; cells: (string | number | boolean | null)[] }[] = [];
    for (let r = 1; r < data.length; r++) {
      const line = data[r];
      if (line) rows.push({ row: r + 1, cells: line.map((c) => (c ? (c.v as string | number | boolean) : null)) });
    }
    held = { wb, rows };
    return Response.json({ bytes: bytes.length, rows: rows.length, ms: Date.now() - started });
  },
};
