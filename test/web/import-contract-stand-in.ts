/**
 * STAND-IN for the import answers of issue 15 — replace with the real server after i15-server
 * merges. The real server in this branch does not yet answer with `ignoredColumns`,
 * `unmappedFields`, `skippedRows`, `changeList`, `safety`, nor take `mapping`, `confirmEnded` or
 * `format=xlsx`; this small real HTTP server does, by the fixed contract, so that <kk-import> can
 * be driven through a real browser, XHR, multipart and ndjson now. kk-import.test.ts holds the
 * same flows against the real server ("against the real server (issue 15)"), which run once the
 * server carries the fields; after the merge the stand-in block there can be deleted with this file.
 *
 * It serves the page and the bundle by passing GETs through to the world's real server, so the
 * element and the stand-in share an origin (the app's CSP allows only 'self').
 *
 * Its rules, small enough to work figures out by hand: the förvaltning HAV has `staff` people
 * (employee numbers 300001…) employed in HAV-A "Enhet A" since 2020-01-01. A snapshot file's
 * accepted rows are compared with them: a number not on staff starts, a unit other than HAV-A
 * moves, an end date changes, and everyone on staff missing from the accepted rows ends.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import * as XLSX from 'xlsx';
import type { World } from './support.ts';

export interface Seen {
  kind: string;
  query: Record<string, string>;
  mapping: Record<string, string> | null;
  ndjson: boolean;
}

export interface StandIn {
  base: string;
  /** Every import request, in order. */
  seen: Seen[];
  /** People on staff in HAV; a test may change it between a dry run and a commit (someone else's import). */
  staff: number;
  close(): Promise<void>;
}

const UNITS: Record<string, string> = { 'HAV-A': 'Enhet A', 'HAV-B': 'Enhet B' };
/** The headers the stand-in knows, as the real server's synonyms would. */
const KNOWN: Record<string, string> = { anställningsnummer: 'employeeNumber', namn: 'name', enhetskod: 'unitCode', 'fr.o.m.': 'startDate', 't.o.m.': 'endDate' };
const ROSTER_FIELDS = ['employeeNumber', 'name', 'firstName', 'lastName', 'email', 'forvaltning', 'avdelning', 'enhet', 'unitCode', 'title', 'employmentType', 'startDate', 'endDate', 'manager'];
const ISO = /^\d{4}-\d{2}-\d{2}$/;
const staffNumber = (i: number) => String(300001 + i);

function answer(staff: number, query: Record<string, string>, mapping: Record<string, string>, csv: string) {
  const [head, ...lines] = csv.split(/\r?\n/);
  const headers = head.split(';');
  const fieldOf = headers.map((h) => mapping[h] ?? KNOWN[h.toLowerCase()] ?? null);
  const ignoredColumns = headers.filter((_, i) => !fieldOf[i]);
  const unmappedFields = ROSTER_FIELDS.filter((f) => !fieldOf.includes(f));
  const errors: { row: number; column: string | null; message: string }[] = [];
  const accepted: Record<string, string>[] = [];
  let skippedRows = 0;
  let rowsRejected = 0;
  lines.forEach((line, i) => {
    const cells = line.split(';');
    if (cells.every((c) => !c.trim()) || /^(summa|totalt|total)$/i.test(cells[0].trim())) return void skippedRows++;
    const row: Record<string, string> = {};
    cells.forEach((c, j) => fieldOf[j] && (row[fieldOf[j]!] = c.trim()));
    const column = (f: string) => headers[fieldOf.indexOf(f)] ?? null;
    const before = errors.length;
    if (!/^\d{6}$/.test(row.employeeNumber ?? '')) errors.push({ row: i + 2, column: column('employeeNumber'), message: 'Anställningsnumret ska vara sex siffror.' });
    if (!(row.unitCode in UNITS)) errors.push({ row: i + 2, column: column('unitCode'), message: `Enheten ${row.unitCode} finns inte i HAV.` });
    for (const f of ['startDate', 'endDate']) if (row[f] && !ISO.test(row[f])) errors.push({ row: i + 2, column: column(f), message: `Datumet ${row[f]} går inte att läsa.` });
    if (errors.length > before) rowsRejected++;
    else accepted.push(row);
  });
  const onStaff = new Set(Array.from({ length: staff }, (_, i) => staffNumber(i)));
  const unit = (code: string) => ({ code, name: UNITS[code] });
  const changeList: object[] = [];
  for (const r of accepted) {
    const person = { employeeNumber: r.employeeNumber, name: r.name ?? null };
    if (!onStaff.has(r.employeeNumber)) changeList.push({ change: 'started', ...person, from: null, to: unit(r.unitCode), startDate: r.startDate ?? query.asOf ?? null, endDate: r.endDate ?? null });
    else if (r.unitCode !== 'HAV-A') changeList.push({ change: 'moved', ...person, from: unit('HAV-A'), to: unit(r.unitCode), startDate: query.asOf ?? null, endDate: r.endDate ?? null });
    else if (r.endDate) changeList.push({ change: 'changed', ...person, from: unit('HAV-A'), to: unit('HAV-A'), startDate: '2020-01-01', endDate: r.endDate });
  }
  const inFile = new Set(accepted.map((r) => r.employeeNumber));
  for (const n of onStaff) if (!inFile.has(n)) changeList.push({ change: 'ended', employeeNumber: n, name: `Person ${n}`, from: unit('HAV-A'), to: null, startDate: '2020-01-01', endDate: query.asOf ?? null });
  const count = (c: string) => changeList.filter((x) => (x as { change: string }).change === c).length;
  const ended = count('ended');
  const reasons = [
    ...(accepted.length ? [] : ['noAcceptedRows']),
    ...(rowsRejected ? ['rejectedRows'] : []),
    ...(ended > staff / 10 ? ['manyEnded'] : []),
  ];
  const blocked = accepted.length === 0;
  const snapshot = query.mode === 'snapshot';
  return {
    batchId: query.dryRun === 'true' ? null : 77,
    rowsTotal: lines.length,
    rowsAccepted: accepted.length,
    rowsRejected,
    skippedRows,
    ignoredColumns,
    unmappedFields,
    changes: { started: count('started'), ended, moved: count('moved'), updated: count('changed'), peopleAdded: count('started'), peopleUpdated: 0 },
    changeList,
    safety: snapshot ? { blocked, confirmEnded: !blocked && reasons.length ? ended : null, reasons, activeInScope: staff } : null,
    errors,
  };
}

export async function contractStandIn(w: World): Promise<StandIn> {
  const app = new Hono();
  const standIn: StandIn = { base: '', seen: [], staff: 700, close: async () => {} };
  app.post('/api/imports/:kind', async (c) => {
    const form = await c.req.formData();
    const file = form.get('file') as File;
    const mapping = form.get('mapping');
    const query = c.req.query();
    const ndjson = (c.req.header('accept') ?? '').includes('application/x-ndjson');
    standIn.seen.push({ kind: c.req.param('kind'), query, mapping: typeof mapping === 'string' ? JSON.parse(mapping) : null, ndjson });
    const a = answer(standIn.staff, query, typeof mapping === 'string' ? JSON.parse(mapping) : {}, await file.text());
    if (query.format === 'xlsx') {
      const sheet = XLSX.utils.json_to_sheet(
        (a.changeList as { change: string; employeeNumber: string; name: string; from: { code: string } | null; to: { code: string } | null }[]).map((x) => ({
          Ändring: x.change, Anställningsnummer: x.employeeNumber, Namn: x.name, Från: x.from?.code ?? '', Till: x.to?.code ?? '',
        })),
      );
      const book = XLSX.utils.book_new();
      XLSX.utils.book_append_sheet(book, sheet, 'Ändringar');
      return c.body(XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }), 200, {
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'content-disposition': 'attachment; filename="andringar.xlsx"',
      });
    }
    let problem: object | null = null;
    if (query.dryRun !== 'true' && a.safety?.blocked) problem = { status: 422, title: 'Filen kan inte genomföras', detail: 'Ingen rad i filen godkändes; inget har sparats.' };
    else if (query.dryRun !== 'true' && a.safety?.confirmEnded != null && query.confirmEnded !== String(a.safety.confirmEnded)) {
      problem = { status: 409, title: 'Bekräfta avslutade anställningar', detail: `Importen avslutar ${a.safety.confirmEnded} anställningar; skicka confirmEnded=${a.safety.confirmEnded}.`, ended: a.safety.confirmEnded };
    }
    if (!ndjson) return problem ? c.json(problem, (problem as { status: 409 | 422 }).status) : c.json(a);
    const lines = [JSON.stringify({ phase: 'validate', done: a.rowsTotal, total: a.rowsTotal }), JSON.stringify(problem ? { problem } : { result: a })];
    return c.body(`${lines.join('\n')}\n`, 200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
  });
  // The page, the bundle and axe from the real world's server.
  app.get('/*', async (c) => {
    const r = await fetch(`${w.base}${c.req.path}`);
    return c.body(await r.arrayBuffer(), r.status as 200, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream' });
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  standIn.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return standIn;
}
