/// <reference types="@cloudflare/vitest-pool-workers/types" />
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import type { D1Database } from '@cloudflare/workers-types';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { readConfig } from '../../server/config.ts';
import { devTokens } from '../../server/auth/tokens.ts';
import { streamImportsFrom, type ImportBucket, type ImportMessage } from '../../server/imports/r2-upload.ts';
import { DRY_RUN_KEEP_DAYS, expireDryRuns } from '../../server/imports/queue-import.ts';
import worker from '../../server/worker.ts';
import { course, load, requirement } from '../support/fixtures.ts';
import { adminHarness } from '../support/admin-harness.ts';
import type { Harness } from '../support/harness.ts';
import { TEST_DEV_SECRET } from '../support/harness-types.ts';
import { csvFile, xlsxFile } from '../support/sheets.ts';

// Large imports on Workers (docs/workers.md "Large imports on Workers"): an upload over
// KK_STREAM_IMPORT_MB goes to R2 in slices and a Queue consumer imports them. Here the threshold
// is lowered to 100 bytes and a slice is 3 records, so a 9-line file is three queue messages.
// The queue's transport is this test's list (each message handed to the Worker's real queue()
// handler, retried as the queue would); R2 and D1 are workerd's local ones.

const bindings = env as unknown as { DB: D1Database; IMPORTS: ImportBucket };
const QUEUE = 'kompetenskoll-imports';

let h: Harness;
let admin: string;
let sent: ImportMessage[];
let vars: Record<string, unknown>;
let app: ReturnType<typeof createApp>;
/** The Worker's vars among its bindings, as server/worker.ts reads them. */
const settingsOf = (v: Record<string, unknown>) => Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));

beforeEach(async () => {
  ({ h, admin } = await adminHarness());
  sent = [];
  vars = {
    DB: bindings.DB,
    IMPORTS: bindings.IMPORTS,
    IMPORT_QUEUE: { send: async (m: ImportMessage) => void sent.push(m) },
    KK_AUTH: 'dev',
    KK_MAX_UPLOAD_MB: '4',
    KK_STREAM_IMPORT_MB: String(100 / 1024 / 1024),
    KK_IMPORT_SLICE_ROWS: '3',
  };
  const dev = devTokens(TEST_DEV_SECRET);
  app = createApp({ db: h.db, atomic: h.atomic, config: h.config, auth: dev, devTokens: dev, streamImports: streamImportsFrom(vars, readConfig(settingsOf(vars))) });
  await load(h.db, {
    units: [
      ['CITY', 'Staden', null, 'stad'],
      ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
      ['F1-A', 'Enhet A', 'F1', 'enhet'],
    ],
    people: [
      ['P1', 'Ada Andersson'],
      ['P2', 'Bo Berg'],
      ['P3', 'Cia Ek'],
      ['P4', 'Dan Falk'],
      ['P5', 'Eva Gran'],
    ],
    employments: ['P1', 'P2', 'P3', 'P4', 'P5'].map((p) => ({ p, unit: 'F1-A', from: '2020-01-01' })),
    courses: [course('VBE')],
    requirements: [requirement({ code: 'R', courses: ['VBE'], scope: ['CITY'] })],
  });
});
afterEach(() => h.close());

/** A multipart body with its length known, as a browser sends a form. */
async function post(path: string, bytes: Uint8Array, fileName: string) {
  const form = new FormData();
  form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), fileName);
  const body = new Response(form);
  const type = body.headers.get('content-type')!;
  const raw = new Uint8Array(await body.arrayBuffer());
  return app.request(path, { method: 'POST', body: raw, headers: { authorization: `Bearer ${admin}`, 'content-type': type, 'content-length': String(raw.length) } });
}

/** One queued message through the Worker's queue() handler; a retried one goes back with one more attempt. */
async function deliverOne(): Promise<void> {
  const { body, attempts } = queue.shift()!;
  const batch = createMessageBatch<ImportMessage>(QUEUE, [{ id: `m${Math.random()}`, timestamp: new Date(), attempts, body }]);
  const ctx = createExecutionContext();
  await worker.queue(batch as never, vars as never);
  const result = await getQueueResult(batch, ctx);
  if (result.retryMessages.length) queue.unshift({ body, attempts: attempts + 1 });
  for (const m of sent.splice(0)) queue.push({ body: m, attempts: 1 });
}
let queue: { body: ImportMessage; attempts: number }[] = [];
function takeSent() {
  queue = sent.splice(0).map((body) => ({ body, attempts: 1 }));
}

const figures = (asOf: string) => h.json(`/api/coverage?unit=CITY&requirement=R&asOf=${asOf}`, admin).then((a: any) => a.total);
const completions = () => h.db.selectFrom('completion').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n));

// Rows as a spreadsheet program numbers them: 1 the header, 5 blank. Row 6 names nobody; row 7
// repeats row 2 from another slice. Slices: rows 1–3, 4–6, 7–9.
const LMS = csvFile([
  ['Anställningsnummer', 'Kurs', 'Status', 'Datum'],
  ['P1', 'VBE', 'Genomförd', '2021-03-01'],
  ['P2', 'VBE', 'Påbörjad', '2021-04-01'],
  ['P3', 'VBE', 'Genomförd', '2021-05-01'],
  [null, null, null, null],
  ['P9', 'VBE', 'Genomförd', '2021-05-01'],
  ['P1', 'VBE', 'Genomförd', '2021-03-01'],
  ['P4', 'VBE', 'Påbörjad', '2021-06-01'],
  ['P2', 'VBE', 'Genomförd', '2021-07-01'],
]);

describe('a completions CSV over KK_STREAM_IMPORT_MB', () => {
  it('answers 202, imports slice by slice with progress, and shows nothing until the last slice commits', async () => {
    const before = await figures('2021-12-31');
    expect(before).toMatchObject({ population: 5, completed: 0, started: 0, notStarted: 5 });
    const res = await post('/api/imports/completions', LMS, 'lms.csv');
    expect(res.status).toBe(202);
    const accepted = await res.json() as any;
    expect(accepted).toMatchObject({ state: 'queued', kind: 'completions', slices: 3, fileBytes: LMS.length });
    const id = accepted.batchId;
    expect(res.headers.get('location')).toBe(`/api/imports/${id}`);
    const progress = async () => (await h.json(`/api/imports/${id}`, admin)).progress;
    expect(await progress()).toMatchObject({ state: 'queued', slicesDone: 0, slices: 3, rowsDone: 0 });

    takeSent();
    expect(queue.map((m) => m.body)).toEqual([{ batchId: id, slice: 0 }]);
    await deliverOne();
    // Rows 2 and 3 read and staged; nothing visible yet.
    expect(await progress()).toMatchObject({ state: 'running', slicesDone: 1, rowsDone: 2, rowsRejected: 0 });
    expect(await completions()).toBe(0);
    await deliverOne();
    // Rows 4 and 6 (row 5 is blank): row 6 rejected.
    expect(await progress()).toMatchObject({ state: 'running', slicesDone: 2, rowsDone: 4, rowsRejected: 1 });
    expect(await figures('2021-12-31')).toEqual(before);
    await deliverOne();
    // Every slice staged (row 7 kept out by its key, row 8 and 9 in); the commit is the next message.
    expect(await progress()).toMatchObject({ state: 'running', slicesDone: 3, rowsDone: 7, rowsRejected: 1 });
    expect(await completions()).toBe(0);
    expect((await sql<{ n: number }>`select count(*) as n from import_stage_completion`.execute(h.db)).rows[0].n).toBe(5);
    expect(queue.map((m) => m.body)).toEqual([{ batchId: id, slice: 3 }]);
    await deliverOne();
    expect(queue).toEqual([]);

    const batch = await h.json(`/api/imports/${id}`, admin);
    expect(batch).toMatchObject({ status: 'committed', kind: 'completions', fileName: 'lms.csv', rowsTotal: 7, rowsAccepted: 6, rowsRejected: 1, changes: { added: 5 } });
    expect(batch.progress).toMatchObject({ state: 'committed', slicesDone: 3, rowsDone: 7, rowsRejected: 1, skippedRows: 1, problem: null });
    expect(batch.rejected.map((r: any) => [r.row, r.column])).toEqual([[6, 'Anställningsnummer']]);
    // P1's record once (rows 2 and 7), from row 2.
    const p1 = await h.db.selectFrom('completion as c').innerJoin('person as p', 'p.id', 'c.person_id').select(['c.source_ref', 'c.import_batch_id']).where('p.employee_number', '=', 'P1').execute();
    expect(p1).toEqual([{ source_ref: 'row 2', import_batch_id: id }]);
    expect(await completions()).toBe(5);
    // 2021-12-31: P1, P2 (completed 07-01), P3 completed; P4 started; P5 nothing.
    expect(await figures('2021-12-31')).toMatchObject({ population: 5, completed: 3, started: 1, notStarted: 1 });
    // 2021-04-30: P1 completed, P2 started.
    expect(await figures('2021-04-30')).toMatchObject({ population: 5, completed: 1, started: 1, notStarted: 3 });
    const audit = await h.db.selectFrom('audit_log').select(['kind', 'action', 'detail_json']).where('kind', '=', 'import').execute();
    expect(audit.map((a) => [a.action, JSON.parse(a.detail_json!).changes, JSON.parse(a.detail_json!).batchId])).toEqual([['completions', { added: 5 }, id]]);
    // The slices are gone from R2, the staged rows from their table.
    expect(await bindings.IMPORTS.get(`${(await job(id)).object_prefix}0`)).toBeNull();
    expect((await sql<{ n: number }>`select count(*) as n from import_stage_completion`.execute(h.db)).rows[0].n).toBe(0);
  });

  it('reads a total-looking row that ends a middle slice as data, as a reading of the whole file does', async () => {
    // Slices: rows 1–3, 4–6, 7–9. Row 5 looks like a total ("Summa" where the employee number goes)
    // and ends slice 2's rows (row 6 is blank), but rows 7 and 8 follow it: in the whole file it is
    // data, and names nobody. Row 9 is the file's foot total: skipped.
    const file = csvFile([
      ['Anställningsnummer', 'Kurs', 'Status', 'Datum'],
      ['P1', 'VBE', 'Genomförd', '2021-03-01'],
      ['P2', 'VBE', 'Påbörjad', '2021-04-01'],
      ['P3', 'VBE', 'Genomförd', '2021-05-01'],
      ['Summa', 'VBE', 'Genomförd', '2021-05-01'],
      [null, null, null, null],
      ['P4', 'VBE', 'Påbörjad', '2021-06-01'],
      ['P5', 'VBE', 'Genomförd', '2021-07-01'],
      ['Summa', null, null, '5'],
    ]);
    const whole = (await (await postTo(wholeFileApp(), '/api/imports/completions?dryRun=true', file, 'lms.csv')).json()) as any;
    // Rows 2–5, 7, 8: six; row 5 rejected; row 6 (blank) and row 9 (the foot total) skipped.
    expect(whole).toMatchObject({ rowsTotal: 6, rowsAccepted: 5, rowsRejected: 1, skippedRows: 2, changes: { added: 5 } });
    expect(whole.errors.map((e: any) => [e.row, e.column])).toEqual([[5, 'Anställningsnummer']]);
    const id = ((await (await post('/api/imports/completions', file, 'lms.csv')).json()) as any).batchId;
    takeSent();
    while (queue.length) await deliverOne();
    const batch = (await read(`/api/imports/${id}`)).body;
    expect(batch).toMatchObject({ status: 'committed', rowsTotal: 6, rowsAccepted: 5, rowsRejected: 1, changes: { added: 5 } });
    expect(batch.progress).toMatchObject({ state: 'committed', slicesDone: 3, rowsDone: 6, rowsRejected: 1, skippedRows: 2 });
    expect(batch.rejected.map((r: any) => [r.row, r.column])).toEqual([[5, 'Anställningsnummer']]);
    expect(await completions()).toBe(5);
  });

  it('leaves nothing when a row of its last slice cannot be written: no records, no rejected rows, the figures as before', async () => {
    // The database refuses row 9's record (in the last slice) every time it is tried.
    await sql`CREATE TRIGGER refuse_row BEFORE INSERT ON import_stage_completion WHEN NEW.source_ref = 'row 9' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`.execute(h.db);
    const before = await figures('2021-12-31');
    const res = await post('/api/imports/completions', LMS, 'lms.csv');
    expect(res.status).toBe(202);
    const id = ((await res.json()) as any).batchId;
    takeSent();
    let deliveries = 0;
    while (queue.length) {
      await deliverOne();
      deliveries++;
    }
    // Slices 0 and 1 once each; slice 2 three times (two retries), then the import is given up.
    expect(deliveries).toBe(5);
    const batch = await h.json(`/api/imports/${id}`, admin);
    expect(batch.status).toBe('failed');
    expect(batch.finishedAt).not.toBeNull();
    expect(batch.progress).toMatchObject({ state: 'failed', slicesDone: 2 });
    expect(batch.progress.problem).toMatchObject({ status: 500, code: 'import.streamFailed' });
    expect(batch.progress.problem.detail).toContain('Inget av filen har sparats');
    expect(batch.rejected).toEqual([]);
    expect(await completions()).toBe(0);
    expect((await sql<{ n: number }>`select count(*) as n from import_stage_completion`.execute(h.db)).rows[0].n).toBe(0);
    expect(await figures('2021-12-31')).toEqual(before);
    expect(await h.db.selectFrom('audit_log').select('id').where('kind', '=', 'import').execute()).toEqual([]);
  });

  it('leaves nothing when the commit itself is refused', async () => {
    await sql`CREATE TRIGGER refuse_commit BEFORE UPDATE OF status ON import_batch WHEN NEW.status = 'committed' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`.execute(h.db);
    const before = await figures('2021-12-31');
    const id = (await (await post('/api/imports/completions', LMS, 'lms.csv')).json() as any).batchId;
    takeSent();
    while (queue.length) await deliverOne();
    const batch = await h.json(`/api/imports/${id}`, admin);
    expect(batch).toMatchObject({ status: 'failed', progress: { state: 'failed', slicesDone: 3, problem: { code: 'import.streamFailed' } } });
    expect(batch.rejected).toEqual([]);
    expect((await sql<{ n: number }>`select count(*) as n from import_stage_completion`.execute(h.db)).rows[0].n).toBe(0);
    expect(await completions()).toBe(0);
    expect(await figures('2021-12-31')).toEqual(before);
  });

  it('a file without the needed columns fails at its first slice with the 422 problem a coordinator acts on', async () => {
    const bad = csvFile([['Namn', 'Kurs', 'Betyg'], ...Array.from({ length: 8 }, (_, i) => [`P${i}`, 'VBE', 'ja'])]);
    const id = (await (await post('/api/imports/completions', bad, 'lms.csv')).json() as any).batchId;
    takeSent();
    while (queue.length) await deliverOne();
    const batch = await h.json(`/api/imports/${id}`, admin);
    expect(batch.progress).toMatchObject({ state: 'failed', slicesDone: 0, problem: { status: 422, code: 'import.columns', missing: ['Anställningsnummer/employeeNumber | E-post/email', 'Status/status', 'Datum/completedAt'] } });
  });
});

describe('other uploads over KK_STREAM_IMPORT_MB', () => {
  it('a roster CSV is read slice by slice and imported whole under the batch id it was given', async () => {
    const roster = csvFile([
      ['Anställningsnummer', 'Namn', 'Enhetskod', 'Anställd från'],
      ['P6', 'Fia Holm', 'F1-A', '2021-01-01'],
      ['P7', 'Gun Is', 'F1-A', '2021-02-01'],
      ['P8', 'Hans Jarl', 'F1-A', '2021-03-01'],
      ['P9', 'Ida Kvist', 'NOPE', '2021-03-01'],
    ]);
    const res = await post('/api/imports/roster?mode=history', roster, 'personal.csv');
    expect(res.status).toBe(202);
    const id = ((await res.json()) as any).batchId;
    takeSent();
    while (queue.length) await deliverOne();
    const batch = await h.json(`/api/imports/${id}`, admin);
    expect(batch).toMatchObject({ id, status: 'committed', kind: 'roster', mode: 'history', rowsTotal: 4, rowsAccepted: 3, rowsRejected: 1, changes: { started: 3, peopleAdded: 3 } });
    expect(batch.progress).toMatchObject({ state: 'committed', slicesDone: 2, slices: 2 });
    expect(batch.rejected.map((r: any) => [r.row, r.column])).toEqual([[5, 'Enhetskod']]);
    // 2021-12-31: eight employed, nobody has the course.
    expect(await figures('2021-12-31')).toMatchObject({ population: 8, completed: 0, notStarted: 8 });
  });

  it('a snapshot that needs confirmEnded fails with the 409 naming the number, and commits when it is given', async () => {
    // P1 and P2 stay; P3, P4 and P5 end the day before 2024-06-01: 3 of 5, more than a tenth.
    const snapshot = csvFile([
      ['Anställningsnummer', 'Namn', 'Enhetskod'],
      ['P1', 'Ada Andersson', 'F1-A'],
      ['P2', 'Bo Berg', 'F1-A'],
    ]);
    const path = '/api/imports/roster?mode=snapshot&asOf=2024-06-01&scope=F1';
    const first = (await (await post(path, snapshot, 'personal.csv')).json()) as any;
    takeSent();
    while (queue.length) await deliverOne();
    const refused = await h.json(`/api/imports/${first.batchId}`, admin);
    expect(refused).toMatchObject({ status: 'failed', progress: { state: 'failed', problem: { status: 409, code: 'import.confirmEnded', ended: 3 } } });
    expect(await figures('2024-06-01')).toMatchObject({ population: 5 });
    const again = await post(`${path}&confirmEnded=3`, snapshot, 'personal.csv');
    expect(again.status).toBe(202);
    const second = (await again.json()) as any;
    expect(second.batchId).toBe(first.batchId + 1);
    takeSent();
    while (queue.length) await deliverOne();
    expect(await h.json(`/api/imports/${second.batchId}`, admin)).toMatchObject({ status: 'committed', changes: { ended: 3 }, progress: { state: 'committed' } });
    expect(await figures('2024-06-01')).toMatchObject({ population: 2 });
    expect(await figures('2024-05-31')).toMatchObject({ population: 5 });
  });

  it('an xlsx is refused with 413 naming the ceiling, and a change-list workbook with 422; nothing is stored', async () => {
    const big = xlsxFile([['Anställningsnummer', 'Kurs', 'Status', 'Datum'], ...Array.from({ length: 50 }, (_, i) => [`P${i}`, 'VBE', 'Genomförd', '2021-01-01'])]);
    const res = await post('/api/imports/completions', big, 'lms.csv');
    expect(res.status).toBe(413);
    const problem = await res.json() as any;
    expect(problem.code).toBe('import.xlsxTooLargeHere');
    expect(problem.detail).toContain('ca 40 000 rader, 4 MB');
    expect(problem.detail).toContain('CSV');
    const workbook = await post('/api/imports/roster?mode=history&dryRun=true&format=xlsx', LMS, 'lms.csv');
    expect(workbook.status).toBe(422);
    const refused = (await workbook.json()) as any;
    expect(refused.code).toBe('import.streamXlsx');
    expect(refused.detail).toContain('GET /api/imports/:id');
    expect(sent).toEqual([]);
    expect(await h.db.selectFrom('import_batch').select('id').execute()).toEqual([]);
    expect((await bindings.IMPORTS.get('imports/')) ?? null).toBeNull();
  });
});

/** The same app without R2 and the queue: every upload read whole in its request, as on Node. */
function wholeFileApp() {
  const dev = devTokens(TEST_DEV_SECRET);
  return createApp({ db: h.db, atomic: h.atomic, config: { ...h.config, maxUploadBytes: 4 * 1024 * 1024 }, auth: dev, devTokens: dev });
}

async function postTo(target: ReturnType<typeof createApp>, path: string, bytes: Uint8Array, fileName: string) {
  const form = new FormData();
  form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), fileName);
  return target.request(path, { method: 'POST', body: form, headers: { authorization: `Bearer ${admin}` } });
}

/** GET through the app with the bucket bound (a planned dry run's answer is read from R2). */
const read = async (path: string) => {
  const res = await app.request(path, { headers: { authorization: `Bearer ${admin}` } });
  return { status: res.status, body: (await res.json()) as any };
};

const count = async (table: 'employment' | 'import_rejected_row' | 'completion' | 'import_stage_completion' | 'person') =>
  Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(h.db)).rows[0].n);

// Rows as a spreadsheet program numbers them: 1 the header; 2–7 six employments, row 6 in a unit
// that does not exist. Slices of three records: rows 1–3, 4–6, 7.
const SNAPSHOT = csvFile([
  ['Anställningsnummer', 'Namn', 'Enhetskod'],
  ['P1', 'Ada Andersson', 'F1-A'],
  ['P2', 'Bo Berg', 'F1-A'],
  ['P6', 'Fia Holm', 'F1-A'],
  ['P7', 'Gun Is', 'F1-A'],
  ['P8', 'Hans Jarl', 'NOPE'],
  ['P9', 'Ida Kvist', 'F1-A'],
]);
const SNAPSHOT_PATH = '/api/imports/roster?mode=snapshot&asOf=2024-06-01&scope=F1';

describe('a dry run over KK_STREAM_IMPORT_MB', () => {
  it("answers 202, plans the whole file, writes nothing, and GET /api/imports/:id gives a small upload's dry-run answer", async () => {
    const before = { employments: await count('employment'), people: await count('person') };
    const res = await post(`${SNAPSHOT_PATH}&dryRun=true`, SNAPSHOT, 'personal.csv');
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as any;
    expect(accepted).toMatchObject({ state: 'queued', kind: 'roster', dryRun: true, slices: 3 });
    const id = accepted.batchId;
    expect((await read(`/api/imports/${id}`)).body).toMatchObject({ id, status: 'dryRun', progress: { state: 'queued', slicesDone: 0, slices: 3 } });
    expect((await read(`/api/imports/${id}`)).body.result).toBeUndefined();
    takeSent();
    expect(queue.map((m) => m.body)).toEqual([{ batchId: id, slice: 0 }]);
    // The progress as the consumer first fetches the last slice from R2 (a roster's plan may read
    // the file twice): two slices (six records) read.
    const seen: unknown[] = [];
    const r2 = bindings.IMPORTS;
    vars.IMPORTS = {
      put: r2.put.bind(r2),
      delete: r2.delete.bind(r2),
      get: async (key: string) => {
        if (key.endsWith('/2') && !seen.length) seen.push((await read(`/api/imports/${id}`)).body.progress);
        return r2.get(key);
      },
    } satisfies ImportBucket;
    await deliverOne();
    vars.IMPORTS = r2;
    expect(queue).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ state: 'running', slicesDone: 2, slices: 3, rowsDone: 6 });

    const { status, body } = await read(`/api/imports/${id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id, status: 'dryRun', kind: 'roster', rowsTotal: 6, rowsAccepted: 5, rowsRejected: 1, rejected: [] });
    expect(body.progress).toMatchObject({ state: 'planned', slicesDone: 3, slices: 3, rowsDone: 6, rowsRejected: 1, problem: null });
    const r = body.result;
    // Six rows, P8's refused (its unit is unknown); P6, P7, P9 start on the snapshot's date; P3,
    // P4 and P5, not in the file, end the day before; P1 and P2 are as held.
    expect(r).toMatchObject({ batchId: null, dryRun: true, kind: 'roster', rowsTotal: 6, rowsAccepted: 5, rowsRejected: 1, skippedRows: 0 });
    expect(r.errors.map((e: any) => [e.row, e.column])).toEqual([[6, 'Enhetskod']]);
    expect(r.changes).toMatchObject({ started: 3, ended: 3, moved: 0 });
    const byChange = (c: string) => r.changeList.filter((x: any) => x.change === c).map((x: any) => x.employeeNumber).sort();
    expect(r.changeList).toHaveLength(6);
    expect(byChange('started')).toEqual(['P6', 'P7', 'P9']);
    expect(byChange('ended')).toEqual(['P3', 'P4', 'P5']);
    expect(r.changeList.find((x: any) => x.employeeNumber === 'P3')).toMatchObject({ name: 'Cia Ek', from: { code: 'F1-A' }, to: null, endDate: '2024-05-31' });
    expect(r.changeList.find((x: any) => x.employeeNumber === 'P9')).toMatchObject({ name: 'Ida Kvist', from: null, to: { code: 'F1-A' }, startDate: '2024-06-01' });
    // A rejected row and 3 of 5 ended: committing needs confirmEnded=3.
    expect(r.safety).toEqual({ blocked: false, confirmEnded: 3, reasons: ['rejectedRows', 'manyEnded'], activeInScope: 5 });

    // The very answer a small upload's dry run of the same file gives.
    const small = await postTo(wholeFileApp(), `${SNAPSHOT_PATH}&dryRun=true`, SNAPSHOT, 'personal.csv');
    expect(small.status).toBe(200);
    expect(r).toEqual(await small.json());

    // Nothing written: no employment, person or rejected row; no import in the list; no audit entry; the slices gone.
    expect(await count('employment')).toBe(before.employments);
    expect(await count('person')).toBe(before.people);
    expect(await count('import_rejected_row')).toBe(0);
    expect((await read('/api/imports')).body.imports).toEqual([]);
    expect(await h.db.selectFrom('audit_log').select('id').where('kind', '=', 'import').execute()).toEqual([]);
    expect(await figures('2024-06-01')).toMatchObject({ population: 5 });
    const prefix = (await job(id)).object_prefix;
    expect(await bindings.IMPORTS.get(`${prefix}0`)).toBeNull();
    expect(await bindings.IMPORTS.get(`${prefix}answer`)).not.toBeNull();

    // The real upload of the same file with the dry run's figure commits.
    const real = await post(`${SNAPSHOT_PATH}&confirmEnded=${r.safety.confirmEnded}`, SNAPSHOT, 'personal.csv');
    expect(real.status).toBe(202);
    const realId = ((await real.json()) as any).batchId;
    expect(realId).toBe(id + 1);
    takeSent();
    while (queue.length) await deliverOne();
    expect((await read(`/api/imports/${realId}`)).body).toMatchObject({ status: 'committed', rowsRejected: 1, changes: { started: 3, ended: 3 }, progress: { state: 'committed' } });
    expect((await read('/api/imports')).body.imports.map((b: any) => [b.id, b.status])).toEqual([[realId, 'committed']]);
    // P1, P2, P6, P7, P9 on 2024-06-01; the five of before on 2024-05-31.
    expect(await figures('2024-06-01')).toMatchObject({ population: 5 });
    expect(await figures('2024-05-31')).toMatchObject({ population: 5 });
    expect(await count('employment')).toBe(before.employments + 3);
  });

  it('a completions dry run answers what the whole file would do, with nothing staged or written', async () => {
    const id = ((await (await post('/api/imports/completions?dryRun=true', LMS, 'lms.csv')).json()) as any).batchId;
    takeSent();
    while (queue.length) await deliverOne();
    const { body } = await read(`/api/imports/${id}`);
    expect(body.progress).toMatchObject({ state: 'planned', slicesDone: 3, rowsDone: 7, rowsRejected: 1, skippedRows: 1 });
    // Seven rows (5 is blank): row 6 names nobody; row 7 repeats row 2, so five records would be added.
    expect(body.result).toMatchObject({ dryRun: true, rowsTotal: 7, rowsAccepted: 6, rowsRejected: 1, skippedRows: 1, changes: { added: 5 } });
    expect(body.result.errors.map((e: any) => [e.row, e.column])).toEqual([[6, 'Anställningsnummer']]);
    const small = await postTo(wholeFileApp(), '/api/imports/completions?dryRun=true', LMS, 'lms.csv');
    expect(body.result).toEqual(await small.json());
    expect(await count('completion')).toBe(0);
    expect(await count('import_stage_completion')).toBe(0);
    expect(await count('import_rejected_row')).toBe(0);
  });

  it("a file the dry run cannot read fails with the 422 a small upload's dry run gives, and has no result", async () => {
    const bad = csvFile([['Namn', 'Avdelning'], ...Array.from({ length: 8 }, (_, i) => [`Person ${i}`, 'A'])]);
    const id = ((await (await post('/api/imports/roster?mode=history&dryRun=true', bad, 'personal.csv')).json()) as any).batchId;
    takeSent();
    while (queue.length) await deliverOne();
    const { body } = await read(`/api/imports/${id}`);
    const small = (await (await postTo(wholeFileApp(), '/api/imports/roster?mode=history&dryRun=true', bad, 'personal.csv')).json()) as any;
    expect(small).toMatchObject({ status: 422, code: 'import.columns' });
    expect(body).toMatchObject({ status: 'dryRun', progress: { state: 'failed', problem: { status: 422, code: 'import.columns', missing: small.missing } } });
    expect(body.result).toBeUndefined();
    expect((await read('/api/imports')).body.imports).toEqual([]);
  });

  it('is deleted with its answer DRY_RUN_KEEP_DAYS after it, and nothing else is', async () => {
    const dry = ((await (await post(`${SNAPSHOT_PATH}&dryRun=true`, SNAPSHOT, 'personal.csv')).json()) as any).batchId;
    const real = ((await (await post('/api/imports/completions', LMS, 'lms.csv')).json()) as any).batchId;
    takeSent();
    while (queue.length) await deliverOne();
    const prefix = (await job(dry)).object_prefix;
    expect(await bindings.IMPORTS.get(`${prefix}answer`)).not.toBeNull();
    const deps = { db: h.db, atomic: h.atomic, bucket: bindings.IMPORTS };
    // Six days on: kept.
    expect(await expireDryRuns(deps, new Date(Date.now() + 6 * 86_400_000))).toBe(0);
    expect((await read(`/api/imports/${dry}`)).body.result.rowsTotal).toBe(6);
    expect(DRY_RUN_KEEP_DAYS).toBe(7);
    // Eight days on: the answer, the job and the batch row gone; the real import as it was.
    expect(await expireDryRuns(deps, new Date(Date.now() + 8 * 86_400_000))).toBe(1);
    expect(await bindings.IMPORTS.get(`${prefix}answer`)).toBeNull();
    expect((await read(`/api/imports/${dry}`)).status).toBe(404);
    expect(await job(dry)).toBeUndefined();
    expect((await read(`/api/imports/${real}`)).body).toMatchObject({ status: 'committed', progress: { state: 'committed' } });
    expect(await completions()).toBe(5);
  });
});

async function job(id: number) {
  return (await sql<{ object_prefix: string }>`select object_prefix from import_job where batch_id = ${id}`.execute(h.db)).rows[0];
}
