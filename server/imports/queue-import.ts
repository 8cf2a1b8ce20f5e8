import { CompiledQuery, type Selectable } from 'kysely';
import { materialize, type AtomicRunner } from '../db/atomic.ts';
import type { Db, ImportJobTable } from '../db/schema.ts';
import { DomainError } from '../domain/errors.ts';
import { problemFor, STATUS, type Problem } from '../http/problem.ts';
import type { Lang, MessageKey } from '../i18n/messages.ts';
import { answerJson } from './answer-json.ts';
import { bulkInsert, errorsOf, rejectedRow, REJECTED_COLUMNS, runImport, type ImportAnswer, type ImportContext, type ImportKind } from './batch.ts';
import { COMPLETION_KEYS, planCompletions } from './completions.ts';
import { COMPLETION_COLUMNS, locateHeader, mapHeaders } from './headers.ts';
import { isTotal } from './skip-rows.ts';
import { reachFor } from './reach.ts';
import type { CsvRecord } from './csv-stream.ts';
import type { Sheet, SheetRow } from './read-sheet.ts';
import { keyIndexes, type SheetSource } from './sheet-rows.ts';
import type { ImportBucket, ImportMessage, JobParams, StreamImports } from './r2-upload.ts';
import { planRoster } from './roster.ts';
import { planUnits } from './units.ts';

/**
 * The Queue consumer of a large import on Workers (r2-upload.ts stored its slices in R2).
 *
 * Completions, one slice per message: the slice is planned as a file of its own (people, courses,
 * reach, what is held) and its records go to `import_stage_completion`, which nothing else reads;
 * its rejected rows go to `import_rejected_row` under the batch. A last message moves the staged
 * records into `completion` in one D1 batch (one transaction) with the batch row's commit and the
 * audit entry: the file's records appear all at once, or not at all.
 *
 * Units and rosters are planned as a whole (a snapshot ends whoever the whole file does not name),
 * so one message reads every slice and runs the ordinary import under the reserved batch id.
 *
 * A dry run of any kind is that one message too (the whole file planned as on Node, so its figures
 * and a snapshot's confirmEnded are the ones a real import of the file meets): nothing of it is
 * written; its answer goes to R2 beside the slices (`<object_prefix>answer`), the job becomes
 * `planned`, and GET /api/imports/:id streams the answer back. DRY_RUN_KEEP_DAYS later the
 * answer, the job and the dry run's batch row are deleted (expireDryRuns, from the Cron Trigger).
 *
 * A failure (a bad file, a write refused, the last retry spent) deletes every staged record and
 * rejected row of the batch, and leaves the batch row `failed` with its problem on the job.
 */

export interface JobDeps {
  db: Db;
  atomic: AtomicRunner;
  streamImports: StreamImports;
}

/** Attempts a message gets (wrangler.toml `max_retries` + 1) before the import is given up. */
export const MAX_ATTEMPTS = 3;

type JobRow = Selectable<ImportJobTable>;

/** The header as the first slice found it, for the later slices. */
interface HeaderState {
  headerRow: number;
  headers: string[];
  /** Blank rows after the last data row so far: counted as skipped once a data row follows. */
  pendingBlanks: number;
  /**
   * The records at the foot of the last slice from its first total-looking row on (as stored in
   * R2): data if a row that is not a total follows in the file, so planned with the next slice.
   */
  carry?: StoredRecord[];
}

/** A CSV record as a slice stores it: `[row, field, …]`. */
type StoredRecord = [number, ...string[]];

interface StoredProblem {
  status: number;
  key: MessageKey;
  params: Record<string, string | number>;
  extra?: Record<string, unknown>;
}

async function loadJob(db: Db, batchId: number): Promise<JobRow | undefined> {
  const r = await CompiledQuery.raw('select * from import_job where batch_id = ?', [batchId]);
  return (await db.executeQuery<JobRow>(r)).rows[0];
}

const raw = (sqlText: string, params: readonly unknown[]) => CompiledQuery.raw(sqlText, [...params]);

/** One queue message: the next slice of a job, or (for units and rosters) the whole file. */
export async function runImportMessage(deps: JobDeps, m: ImportMessage, attempt = 1): Promise<void> {
  const job = await loadJob(deps.db, m.batchId);
  // Done already, or a message delivered twice: its slice was taken. (Units and rosters have one
  // message, slice 0, read again from the start when retried.)
  if (!job || job.state === 'committed' || job.state === 'failed' || job.state === 'planned') return;
  const sliced = job.kind === 'completions' && !params(job).dryRun;
  if (m.slice !== (sliced ? job.next_slice : 0)) return;
  try {
    await deps.db.executeQuery(raw(`update import_job set state = 'running', updated_at = ? where batch_id = ?`, [new Date().toISOString(), job.batch_id]));
    // Completions: a message per slice, then one more (slice = slices) that commits.
    if (sliced) await (job.next_slice < job.slices ? completionsSlice(deps, job) : commitCompletions(deps, job, params(job)));
    else await wholeFile(deps, job);
  } catch (e) {
    // A file's own fault fails at once; anything else (a D1 hiccup) is retried by the queue first.
    if (!(e instanceof DomainError) && attempt < MAX_ATTEMPTS) throw e;
    await fail(deps, job, e);
  }
}

function params(job: JobRow): JobParams {
  return JSON.parse(job.params_json) as JobParams;
}

async function contextFor(deps: JobDeps, job: JobRow, p: JobParams): Promise<ImportContext> {
  return {
    db: deps.db,
    atomic: deps.atomic,
    actor: p.actor,
    lang: p.lang,
    dryRun: p.dryRun === true,
    fileName: p.fileName,
    fileSha256: p.fileSha256,
    // The uploader's reach, from the roles they held when they uploaded.
    reach: await reachFor(deps.db, { employeeNumber: p.actor, roles: p.roles }, job.kind === 'units' ? 'units.write' : 'import.write'),
    confirmEnded: p.confirmEnded,
  };
}

/** A slice's CSV records, stored as JSON `[[row, field, …], …]` by r2-upload.ts. */
async function sliceRecords(deps: JobDeps, job: JobRow, index: number): Promise<CsvRecord[]> {
  const object = await deps.streamImports.bucket.get(job.object_prefix + index);
  if (!object) throw new Error(`import ${job.batch_id}: slice ${index} is missing from R2`);
  const stored = JSON.parse(new TextDecoder().decode(await object.arrayBuffer())) as StoredRecord[];
  return stored.map(([row, ...fields]) => ({ row, fields }));
}

/** Records as sheet rows, blank ones apart. */
function readSlice(stored: CsvRecord[]): { records: SheetRow[]; blanks: number[] } {
  const records: SheetRow[] = [];
  const blanks: number[] = [];
  for (const { row, fields } of stored) {
    if (fields.every((f) => f.trim() === '')) blanks.push(row);
    else records.push({ row, cells: fields });
  }
  return { records, blanks };
}

/** The first slice's rows as a sheet: the first non-blank record is the header, as readSheet takes it. */
function firstSheet(records: SheetRow[], blanks: number[]): Sheet {
  const [header, ...rows] = records;
  if (!header) throw new DomainError('unprocessable', 'import.empty');
  return { headerRow: header.row, headers: header.cells.map((c) => String(c ?? '').trim()), rows, blankRows: blanks.filter((b) => b > header.row) };
}

const COMPLETION_HEAD = 'insert into "completion" (';
const STAGE_HEAD = 'insert or ignore into "import_stage_completion" (';
const STAGED_COLUMNS = 'person_id, course_id, status, occurred_at, source, source_ref, recorded_by, recorded_at, import_batch_id, expires_on';

/**
 * The slice's records go to the staging table with the same columns; the staging table's unique
 * key keeps the first row naming a record when two slices name it (slices run in order).
 */
function staged(q: CompiledQuery): CompiledQuery {
  if (!q.sql.startsWith(COMPLETION_HEAD)) throw new Error('a completions plan wrote something other than completion rows');
  return CompiledQuery.raw(STAGE_HEAD + q.sql.slice(COMPLETION_HEAD.length), [...q.parameters]);
}

async function completionsSlice(deps: JobDeps, job: JobRow): Promise<void> {
  const p = params(job);
  const index = job.next_slice;
  const starts = JSON.parse(job.slice_rows_json) as number[];
  const before = index === 0 ? null : (JSON.parse(job.header_json!) as HeaderState);
  const carried = (before?.carry ?? []).map(([row, ...fields]) => ({ row, fields }));
  const stored = [...carried, ...(await sliceRecords(deps, job, index))];
  const { records, blanks } = readSlice(stored);
  let header: HeaderState;
  let sheet: Sheet;
  if (index === 0) {
    // Title lines above the table: the header is found in the first slice, as for a whole file.
    const located = locateHeader(firstSheet(records, blanks), COMPLETION_COLUMNS, p.mapping);
    header = { headerRow: located.headerRow, headers: located.headers, pendingBlanks: 0 };
    sheet = located;
  } else {
    header = { ...before!, carry: [] };
    sheet = { headerRow: header.headerRow, headers: header.headers, rows: records, blankRows: blanks };
  }
  // Total rows are skipped only at the file's foot (skip-rows.ts): those that end a slice before
  // the last, with the blank rows after them, wait for the next slice, which reads them as data
  // if a row that is not a total follows, or as the foot if none does.
  if (index + 1 < job.slices) {
    const keys = keyIndexes(mapHeaders(sheet.headers, COMPLETION_COLUMNS, p.mapping), COMPLETION_KEYS);
    let end = sheet.rows.length;
    while (end > 0 && isTotal(sheet.rows[end - 1], keys)) end--;
    if (end < sheet.rows.length) {
      const cut = sheet.rows[end].row;
      header.carry = stored.filter((r) => r.row >= cut).map((r) => [r.row, ...r.fields] as StoredRecord);
      sheet = { ...sheet, rows: sheet.rows.slice(0, end), blankRows: (sheet.blankRows ?? []).filter((b) => b < cut) };
    }
  }
  const ctx = await contextFor(deps, job, p);
  const plan = await planCompletions(ctx, { kind: 'sheet', sheet }, p.mapping);
  // Blank rows between slices: dataRows counts a slice's blanks up to its last row only.
  const last = sheet.rows.length ? sheet.rows[sheet.rows.length - 1].row : 0;
  const trailing = (sheet.blankRows ?? []).filter((b) => b > Math.max(last, sheet.headerRow)).length;
  const skipped = plan.skippedRows + (sheet.rows.length ? header.pendingBlanks : 0);
  header.pendingBlanks = (sheet.rows.length ? 0 : header.pendingBlanks) + trailing;

  const batchId = job.batch_id;
  const errors = await errorsOf(plan.rejections, p.lang);
  const rejectedRows = plan.rejections.map((r, k) => rejectedRow(batchId, r, errors[k]));
  const rowsRejected = new Set(plan.rejections.map((r) => r.row)).size;
  // Rows carried from the last slice were not written by it: this slice's from its first carried row.
  const from = carried.length ? carried[0].row : starts[index];
  const to = index + 1 < starts.length ? starts[index + 1] : Number.MAX_SAFE_INTEGER;
  await deps.atomic([
    // A slice retried after part of it was written: its rejected rows once, its records by their key.
    raw('delete from import_rejected_row where batch_id = ? and row_number >= ? and row_number < ?', [batchId, from, to]),
    ...(await materialize(await plan.statements(batchId))).map(staged),
    ...bulkInsert('import_rejected_row', REJECTED_COLUMNS, rejectedRows),
    raw(
      `update import_job set next_slice = ?, rows_done = rows_done + ?, rows_rejected = rows_rejected + ?, skipped_rows = skipped_rows + ?, header_json = ?, updated_at = ?
       where batch_id = ? and next_slice = ?`,
      [index + 1, plan.rowsTotal, rowsRejected, skipped, JSON.stringify(header), new Date().toISOString(), batchId, index],
    ),
  ]);
  await deps.streamImports.enqueue({ batchId, slice: index + 1 });
}

/** The staged records into `completion`, the batch committed and audited: one D1 batch, one transaction. */
async function commitCompletions(deps: JobDeps, job: JobRow, p: JobParams): Promise<void> {
  const id = job.batch_id;
  const now = new Date().toISOString();
  const added = `(select count(*) from completion where import_batch_id = ${Number(id)})`;
  const detail = {
    batchId: id,
    fileName: p.fileName,
    mode: null,
    asOf: null,
    rowsTotal: job.rows_done,
    rowsAccepted: job.rows_done - job.rows_rejected,
    rowsRejected: job.rows_rejected,
    skippedRows: job.skipped_rows,
    changes: { added: 0 },
  };
  await deps.atomic([
    // Records held by now (another import meanwhile) are not written twice, as a whole-file import would not.
    raw(
      `insert into completion (${STAGED_COLUMNS})
       select ${STAGED_COLUMNS} from import_stage_completion s
       where s.import_batch_id = ? and not exists (
         select 1 from completion c where c.person_id = s.person_id and c.course_id = s.course_id and c.occurred_at = s.occurred_at and c.status = s.status)
       order by s.id`,
      [id],
    ),
    raw(`insert into audit_log (at, actor, kind, action, scope, detail_json) values (?, ?, 'import', 'completions', null, json_set(?, '$.changes.added', ${added}))`, [
      now,
      p.actor,
      JSON.stringify(detail),
    ]),
    raw(
      `update import_batch set status = 'committed', finished_at = ?, rows_total = ?, rows_accepted = ?, rows_rejected = ?,
         changes_json = json_object('added', ${added}, 'scope', json('[]'))
       where id = ? and status = 'failed'`,
      [now, job.rows_done, job.rows_done - job.rows_rejected, job.rows_rejected, id],
    ),
    raw('delete from import_stage_completion where import_batch_id = ?', [id]),
    raw(`update import_job set state = 'committed', updated_at = ? where batch_id = ?`, [now, id]),
  ]);
  await dropObjects(deps, job);
}

/** Units, rosters and dry runs: every slice read into one sheet, then the ordinary import under the reserved id. */
async function wholeFile(deps: JobDeps, job: JobRow): Promise<void> {
  const p = params(job);
  // A retry after the import committed but before the job said so: not written twice.
  const batch = await deps.db.selectFrom('import_batch').select(['status', 'rows_total', 'rows_rejected']).where('id', '=', job.batch_id).executeTakeFirst();
  if (batch?.status === 'committed') {
    await deps.db.executeQuery(raw(`update import_job set state = 'committed', updated_at = ? where batch_id = ?`, [new Date().toISOString(), job.batch_id]));
    return dropObjects(deps, job);
  }
  const ctx: ImportContext = { ...(await contextFor(deps, job, p)), reservedBatchId: job.batch_id };
  // The slices' records in order, as the CSV reader gave them at upload: the planner reads them as
  // it reads a CSV on Node (header, blank and total rows alike). Read again if the plan is retried,
  // and by a roster's plan a second time (`again`: its progress not shown twice).
  const source = (again = false): SheetSource => ({
    kind: 'csv',
    records: (async function* () {
      let read = 0;
      for (let i = 0; i < job.slices; i++) {
        const records = await sliceRecords(deps, job, i);
        read += records.length;
        yield records;
        if (!again) await deps.db.executeQuery(raw('update import_job set next_slice = ?, rows_done = ?, updated_at = ? where batch_id = ?', [i + 1, read, new Date().toISOString(), job.batch_id]));
      }
    })(),
  });
  const answer = await runImport(ctx, () =>
    job.kind === 'completions'
      ? planCompletions(ctx, source(), p.mapping)
      : job.kind === 'units'
        ? planUnits(ctx, source(), p.mapping)
        : planRoster(ctx, source, p.mode ?? 'history', p.asOf, p.scope ?? undefined, p.mapping),
  );
  if (ctx.dryRun) return keepAnswer(deps, job, answer);
  await deps.db.executeQuery(
    raw(`update import_job set state = 'committed', rows_done = ?, rows_rejected = ?, skipped_rows = ?, updated_at = ? where batch_id = ?`, [
      answer.rowsTotal,
      answer.rowsRejected,
      answer.skippedRows,
      new Date().toISOString(),
      job.batch_id,
    ]),
  );
  await dropObjects(deps, job);
}

/** Days a dry run's answer is kept for its uploader to read: then it, its job and its batch row go. */
export const DRY_RUN_KEEP_DAYS = 7;

const answerKey = (job: Pick<JobRow, 'object_prefix'>) => `${job.object_prefix}answer`;

/**
 * A dry run's answer into R2 (a city roster's change list is tens of thousands of entries: not a
 * D1 row), then the job `planned` and the batch row given its figures, still `failed` and
 * `dry_run`: it never commits. A retry after the put writes the same answer again.
 */
async function keepAnswer(deps: JobDeps, job: JobRow, answer: ImportAnswer): Promise<void> {
  const encoder = new TextEncoder();
  const pieces: Uint8Array[] = [];
  let size = 0;
  for await (const piece of answerJson(answer)) {
    pieces.push(encoder.encode(piece));
    size += pieces[pieces.length - 1].length;
  }
  // One buffer of known length: R2's put takes a stream only with its length known.
  const bytes = new Uint8Array(size);
  for (let at = 0, i = 0; i < pieces.length; at += pieces[i].length, i++) bytes.set(pieces[i], at);
  pieces.length = 0;
  await deps.streamImports.bucket.put(answerKey(job), bytes);
  const now = new Date().toISOString();
  const counts = Object.fromEntries(Object.entries(answer.changes).filter(([, n]) => typeof n === 'number'));
  await deps.atomic([
    raw(
      `update import_batch set finished_at = ?, rows_total = ?, rows_accepted = ?, rows_rejected = ?, changes_json = ? where id = ? and dry_run = 1 and status = 'failed'`,
      [now, answer.rowsTotal, answer.rowsAccepted, answer.rowsRejected, JSON.stringify({ ...counts, scope: [] }), job.batch_id],
    ),
    raw(`update import_job set state = 'planned', rows_done = ?, rows_rejected = ?, skipped_rows = ?, updated_at = ? where batch_id = ?`, [
      answer.rowsTotal,
      answer.rowsRejected,
      answer.skippedRows,
      now,
      job.batch_id,
    ]),
  ]);
  await dropObjects(deps, job);
}

/** A planned dry run's answer as JSON text, streamed from R2; null when there is none (not planned, or gone). */
export async function plannedAnswer(db: Db, bucket: ImportBucket, batchId: number): Promise<ReadableStream<Uint8Array> | null> {
  const job = await loadJob(db, batchId).catch(() => undefined);
  if (job?.state !== 'planned') return null;
  return (await bucket.get(answerKey(job)))?.body ?? null;
}

/**
 * Dry runs older than DRY_RUN_KEEP_DAYS (by their job's last change), whatever became of them:
 * their objects in R2 (the answer, slices a stalled job left), then their job and batch rows. On
 * Node a dry run leaves nothing behind; here it is read later, so it stays that long and no longer.
 */
export async function expireDryRuns(deps: Pick<JobDeps, 'db' | 'atomic'> & { bucket: ImportBucket }, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - DRY_RUN_KEEP_DAYS * 86_400_000).toISOString();
  const old = await deps.db.executeQuery<Pick<JobRow, 'batch_id' | 'object_prefix' | 'slices'>>(
    raw(
      `select j.batch_id, j.object_prefix, j.slices from import_job j join import_batch b on b.id = j.batch_id
       where b.dry_run = 1 and j.updated_at < ? order by j.batch_id limit 100`,
      [cutoff],
    ),
  );
  for (const job of old.rows) {
    await deps.bucket.delete([answerKey(job), ...Array.from({ length: job.slices }, (_, i) => job.object_prefix + i)]);
    await deps.atomic([raw('delete from import_job where batch_id = ?', [job.batch_id]), raw('delete from import_batch where id = ? and dry_run = 1', [job.batch_id])]);
  }
  return old.rows.length;
}

/** Nothing of the file stays: staged records, rejected rows; the batch row stays `failed`, finished. */
async function fail(deps: JobDeps, job: JobRow, e: unknown): Promise<void> {
  const problem: StoredProblem =
    e instanceof DomainError
      ? { status: STATUS[e.kind], key: e.key as MessageKey, params: e.params ?? {}, extra: e.extra }
      : { status: 500, key: 'import.streamFailed', params: { reason: String((e as Error)?.message ?? e).slice(0, 200) } };
  if (!(e instanceof DomainError)) console.error(JSON.stringify({ level: 'error', batchId: job.batch_id, error: (e as Error)?.name, message: (e as Error)?.message }));
  const now = new Date().toISOString();
  const id = job.batch_id;
  await deps.atomic([
    raw('delete from import_stage_completion where import_batch_id = ?', [id]),
    raw('delete from import_rejected_row where batch_id = ?', [id]),
    raw(`update import_batch set finished_at = ?, rows_total = 0, rows_accepted = 0, rows_rejected = 0 where id = ? and status = 'failed'`, [now, id]),
    raw(`update import_job set state = 'failed', problem_json = ?, updated_at = ? where batch_id = ?`, [JSON.stringify(problem), now, id]),
  ]);
  await dropObjects(deps, job);
}

async function dropObjects(deps: JobDeps, job: JobRow): Promise<void> {
  const keys = Array.from({ length: job.slices }, (_, i) => job.object_prefix + i);
  await deps.streamImports.bucket.delete(keys).catch(() => undefined);
}

export interface JobProgress {
  state: JobRow['state'];
  /** Slices read (completions: imported) of all. */
  slicesDone: number;
  slices: number;
  rowsDone: number;
  rowsRejected: number;
  skippedRows: number;
  fileBytes: number;
  updatedAt: string;
  problem: Problem | null;
}

/** A queued import's progress for GET /api/imports/:id; null for an import that was not queued. */
export async function importProgress(db: Db, batchId: number, lang: Lang): Promise<JobProgress | null> {
  let job: JobRow | undefined;
  try {
    job = await loadJob(db, batchId);
  } catch {
    // A database without the table (the migration not yet applied) has no queued imports.
    return null;
  }
  if (!job) return null;
  const stored = job.problem_json ? (JSON.parse(job.problem_json) as StoredProblem) : null;
  return {
    state: job.state,
    slicesDone: job.next_slice,
    slices: job.slices,
    rowsDone: job.rows_done,
    rowsRejected: job.rows_rejected,
    skippedRows: job.skipped_rows,
    fileBytes: job.file_bytes,
    updatedAt: job.updated_at,
    problem: stored ? problemFor(lang, stored.status, stored.key, stored.params, stored.extra) : null,
  };
}
