/// <reference types="@cloudflare/vitest-pool-workers/types" />
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import type { D1Database } from '@cloudflare/workers-types';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { readConfig } from '../../server/config.ts';
import { devTokens } from '../../server/auth/tokens.ts';
import { streamImportsFrom, type ImportBucket, type ImportMessage } from '../../server/imports/r2-upload.ts';
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

  it('an xlsx is refused with 413 naming the ceiling, and a dry run with 422; nothing is stored', async () => {
    const big = xlsxFile([['Anställningsnummer', 'Kurs', 'Status', 'Datum'], ...Array.from({ length: 50 }, (_, i) => [`P${i}`, 'VBE', 'Genomförd', '2021-01-01'])]);
    const res = await post('/api/imports/completions', big, 'lms.csv');
    expect(res.status).toBe(413);
    const problem = await res.json() as any;
    expect(problem.code).toBe('import.xlsxTooLargeHere');
    expect(problem.detail).toContain('ca 40 000 rader, 4 MB');
    expect(problem.detail).toContain('CSV');
    const dry = await post('/api/imports/completions?dryRun=true', LMS, 'lms.csv');
    expect(dry.status).toBe(422);
    expect((await dry.json() as any).code).toBe('import.streamDryRun');
    expect(sent).toEqual([]);
    expect(await h.db.selectFrom('import_batch').select('id').execute()).toEqual([]);
    expect((await bindings.IMPORTS.get('imports/')) ?? null).toBeNull();
  });
});

async function job(id: number) {
  return (await sql<{ object_prefix: string }>`select object_prefix from import_job where batch_id = ${id}`.execute(h.db)).rows[0];
}
