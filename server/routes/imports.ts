import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { authorize } from '../auth/permissions.ts';
import { DomainError } from '../domain/errors.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { dateOrToday, flag, oneOf, optionalText } from '../http/params.ts';
import { query } from '../http/validate.ts';
import { problemFor, STATUS } from '../http/problem.ts';
import type { ImportAnswer, ImportContext, ImportKind, Progress } from '../imports/batch.ts';
import { audit } from '../domain/audit.ts';
import { changeListWorkbook } from '../exports/change-list-workbook.ts';
import { XLSX_TYPE } from './exports.ts';
import { parseMapping, type Mapping } from '../imports/headers.ts';
import { findBatch, listBatches, rejectedRows, rejectedWorkbook, visible } from '../imports/history.ts';
import { reachFor } from '../imports/reach.ts';
import { answerJson } from '../imports/answer-json.ts';
import { importFile as runFileImport, type FileImport, type UploadedFile } from '../imports/run.ts';
import { boundaryOf, fieldText, formParts } from '../http/multipart-stream.ts';
import { byteChunks } from '../imports/csv-stream.ts';
import { memorySpool, type Spool } from '../imports/spool.ts';
import type { RosterMode } from '../imports/roster.ts';
import { streamUpload, takesStream } from '../imports/r2-upload.ts';
import { importProgress, plannedAnswer } from '../imports/queue-import.ts';

/** 403 before a byte of the upload is read, for callers who may not import this kind at all. */
const may = (kind: ImportKind) => async (c: Context<AppEnv>, next: () => Promise<void>) => {
  authorize(c.get('principal'), kind === 'units' ? 'units.write' : 'import.write');
  await next();
};

/**
 * On Workers with R2 and a queue: an upload larger than KK_STREAM_IMPORT_MB is taken into R2 and
 * imported by the queue consumer (202 with the batch id), instead of read whole in this request.
 */
const streamed = (kind: ImportKind) => async (c: Context<AppEnv>, next: () => Promise<void>) => {
  const s = c.get('deps').streamImports;
  if (!s || !takesStream(c.req.raw, s)) return next();
  return streamUpload(c, kind, (c.req as unknown as { valid(t: 'query'): ImportQuery }).valid('query'), s);
};

/** 413 before a byte is read when the declared length is past KK_MAX_UPLOAD_MB (else upload() counts). */
async function limited(c: Context<AppEnv>, next: () => Promise<void>) {
  const max = c.get('deps').config.maxUploadBytes;
  const declared = Number(c.req.header('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
  await next();
}

const tooLarge = (max: number) => new DomainError('too_large', 'body.tooLarge', { limit: `${Math.round(max / 1024 / 1024)} MB` });

/** The request body's chunks, refused with 413 as soon as they pass the bound. */
async function* bounded(body: ReadableStream<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let size = 0;
  for await (const chunk of byteChunks(body)) {
    size += chunk.length;
    if (size > max) throw tooLarge(max);
    yield chunk;
  }
}

/**
 * The multipart body read as it arrives: the `file` part is written to a spool (a temporary file
 * on Node) and hashed on the way, so neither the form nor the file is ever held whole; the
 * `mapping` field may come before or after it.
 */
async function upload(c: Context<AppEnv>, kind: ImportKind, spool: Spool): Promise<{ file: UploadedFile; sha256: string; fileName: string | null; mapping: Mapping }> {
  const boundary = boundaryOf(c.req.header('content-type') ?? '');
  if (!boundary) throw new DomainError('bad_request', 'import.noFile');
  const body = c.req.raw.body;
  if (!body) throw new DomainError('bad_request', 'import.badRequest');
  let fileName: string | null = null;
  let gotFile = false;
  let rawMapping: string | null = null;
  for await (const part of formParts(bounded(body, c.get('deps').config.maxUploadBytes), boundary)) {
    if (part.name === 'file' && part.fileName !== null && !gotFile) {
      gotFile = true;
      fileName = part.fileName || null;
      for await (const chunk of part.body) await spool.write(chunk);
    } else if (part.name === 'mapping' && rawMapping === null) {
      rawMapping = await fieldText(part.body);
    }
    // Other parts are skipped as the next is read.
  }
  if (!gotFile) throw new DomainError('bad_request', 'import.noFile');
  const mapping = parseMapping(kind, rawMapping);
  const done = await spool.finish();
  const file: UploadedFile = { size: done.size, head: done.head, bytes: () => spool.bytes(), chunks: () => spool.chunks() };
  return { file, sha256: done.sha256, fileName, mapping };
}

export const importQuery = z.object({
  asOf: dateOrToday(),
  dryRun: flag(),
  // The sheet to read when a workbook has several; the first when absent.
  sheet: z.string().optional(),
  // The number of employments the dry run said a snapshot ends: required to commit one with
  // rejected rows or more than a tenth of its scope ended (history imports ignore it).
  confirmEnded: z
    .string()
    .optional()
    .refine((v) => !v || /^\d{1,9}$/.test(v.trim()), { message: 'param.invalid', params: { expected: '0, 1, 2, …' } })
    .transform((v) => (v ? Number(v.trim()) : null)),
  // xlsx: a roster dry run's change list as a workbook instead of JSON.
  format: oneOf(['json', 'xlsx'] as const, 'json'),
});
export const rosterImportQuery = importQuery.extend({
  mode: oneOf(['snapshot', 'history'] as const).refine((v) => v !== undefined, { message: 'param.required' }),
  // The unit a snapshot is the complete list for; the file's own units when absent.
  scope: optionalText(255),
});
type ImportQuery = z.output<typeof importQuery> & Partial<Pick<z.output<typeof rosterImportQuery>, 'mode' | 'scope'>>;

async function handle(c: Context<AppEnv>, kind: ImportKind, q: ImportQuery) {
  if (q.format === 'xlsx' && (kind !== 'roster' || !q.dryRun)) throw new DomainError('bad_request', 'import.formatNeedsDryRun');
  const deps = c.get('deps');
  const spool = (deps.spool ?? memorySpool)();
  // Removed when the answer has been sent (it is read while the answer streams), or on an error.
  let handedOver = false;
  try {
    const { file, sha256, fileName, mapping } = await upload(c, kind, spool);
    const answer = await answerImport(c, kind, q, { file, sha256, fileName, mapping }, () => spool.dispose());
    handedOver = true;
    return answer;
  } finally {
    if (!handedOver) await spool.dispose();
  }
}

async function answerImport(
  c: Context<AppEnv>,
  kind: ImportKind,
  q: ImportQuery,
  { file, sha256, fileName, mapping }: { file: UploadedFile; sha256: string; fileName: string | null; mapping: Mapping },
  done: () => Promise<void>,
): Promise<Response> {
  const principal = c.get('principal');
  const { asOf, dryRun, mode, confirmEnded } = q;
  const sheetName = q.sheet || undefined;
  const scope = (kind === 'roster' && q.scope) || undefined;
  const asXlsx = q.format === 'xlsx';
  const deps = c.get('deps');
  const ctx: ImportContext = {
    db: deps.db,
    atomic: deps.atomic,
    actor: principal.employeeNumber,
    lang: c.get('lang'),
    dryRun,
    fileName: fileName?.slice(0, 255) ?? null,
    fileSha256: sha256,
    reach: await reachFor(deps.db, principal, kind === 'units' ? 'units.write' : 'import.write'),
    confirmEnded,
  };
  const job: FileImport = { kind, file, sheetName, mode: mode as RosterMode | undefined, asOf, scope, mapping };
  // The spooled file is dropped once the import has read it (a CSV is read while it is planned).
  const importFile = (x: ImportContext, j: FileImport) => runFileImport(x, j).finally(done);
  if (asXlsx) return changesWorkbook(c, await importFile(ctx, job), { fileName: ctx.fileName, mode: mode ?? null, asOf, scope: scope ?? null });
  const encoder = new TextEncoder();
  if (!(c.req.header('accept') ?? '').includes('application/x-ndjson')) {
    // Sent as it is serialised, with pauses: an answer can list hundreds of thousands of errors.
    const pieces = answerJson(await importFile(ctx, job));
    const json = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await pieces.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
    });
    return new Response(json, { headers: { 'content-type': 'application/json' } });
  }

  // Progress for <kk-import>: one JSON object a line, the answer (or the problem) last.
  const lang = c.get('lang');
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      // A reader that went away does not stop the import: it commits or not on its own terms,
      // and shows in GET /api/imports either way.
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          // the stream was cancelled
        }
      };
      const line = (o: unknown) => send(`${JSON.stringify(o)}\n`);
      let last = '';
      const progress: Progress = (p) => {
        const key = `${p.phase}:${p.done}`;
        if (key !== last) line(p);
        last = key;
      };
      try {
        const result = await importFile({ ...ctx, progress }, job);
        send('{"result":');
        for await (const piece of answerJson(result)) send(piece);
        send('}\n');
      } catch (e) {
        line({ problem: problemOf(e, lang, c) });
      }
      try {
        controller.close();
      } catch {
        // the stream was cancelled
      }
    },
  });
  return new Response(body, { headers: { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' } });
}

/**
 * The dry run's list of who is started, ended, moved and changed, as a workbook to check or pass
 * on. It names people, so it is audited like any export of names.
 */
async function changesWorkbook(c: Context<AppEnv>, answer: ImportAnswer, about: { fileName: string | null; mode: string | null; asOf: string; scope: string | null }) {
  const list = answer.changeList ?? [];
  const bytes = changeListWorkbook(list, c.get('lang'));
  await audit(c.get('deps').db, {
    actor: c.get('principal').employeeNumber,
    kind: 'export.importChanges',
    action: 'export',
    scope: about.scope,
    detail: { kind: answer.kind, fileName: about.fileName, mode: about.mode, asOf: about.asOf, rows: list.length },
  });
  return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
    'content-type': XLSX_TYPE,
    'content-disposition': `attachment; filename="andringar-${about.asOf}.xlsx"`,
    'cache-control': 'no-store',
  });
}

function problemOf(e: unknown, lang: AppEnv['Variables']['lang'], c: Context<AppEnv>) {
  if (e instanceof DomainError) return { ...problemFor(lang, STATUS[e.kind], e.key, e.params, e.extra), instance: c.req.path, requestId: c.get('requestId') };
  console.error(JSON.stringify({ level: 'error', requestId: c.get('requestId'), path: c.req.routePath, error: (e as Error)?.name, message: (e as Error)?.message }));
  return { ...problemFor(lang, 500, 'internal', { requestId: c.get('requestId') ?? '' }), requestId: c.get('requestId') };
}

async function batchFor(c: Context<AppEnv>) {
  const principal = c.get('principal');
  authorize(principal, 'import.read');
  const id = Number(c.req.param('id'));
  const { db } = c.get('deps');
  const batch = Number.isSafeInteger(id) && id > 0 ? await findBatch(db, id) : undefined;
  if (!batch) throw new DomainError('not_found', 'import.unknown', { id: String(c.req.param('id')).slice(0, 20) });
  if (!visible(batch, principal.employeeNumber, await reachFor(db, principal, 'import.read'))) {
    throw new DomainError('forbidden', 'scope.denied', { action: 'se importer', scope: `#${batch.id}` }, { action_en: 'see imports' });
  }
  return batch;
}

/** `{…head, "result": <answer>}`: the object's text with the stored answer's bytes put in as they are read. */
function withResult(head: string, answer: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const reader = answer.getReader();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`${head.slice(0, -1)},"result":`));
        return;
      }
      const next = await reader.read();
      if (next.done) {
        controller.enqueue(encoder.encode('}'));
        controller.close();
      } else controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

const tags = ['imports'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const importDoc = (summary: string) =>
  doc({
    tags,
    summary,
    upload: true,
    description: 'With `Accept: application/x-ndjson` the answer is progress lines (`{phase, done, total}`) and then `{"result": …}` or `{"problem": …}`.',
  });

/** Mounted at /api/imports. */
export const imports = new Hono<AppEnv>()
  .post('/units', importDoc('Import the unit tree (xlsx or csv)'), may('units'), query(importQuery), streamed('units'), limited, (c) => handle(c, 'units', c.req.valid('query')))
  .post('/roster', importDoc('Import a roster: a snapshot of a förvaltning, or a history'), may('roster'), query(rosterImportQuery), streamed('roster'), limited, (c) =>
    handle(c, 'roster', c.req.valid('query')),
  )
  .post('/completions', importDoc('Import completions from the learning portal'), may('completions'), query(importQuery), streamed('completions'), limited, (c) =>
    handle(c, 'completions', c.req.valid('query')),
  )
  .get('/', doc({ tags, summary: 'The imports the caller may see' }), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'import.read');
    const { db } = c.get('deps');
    return c.json({ imports: await listBatches(db, principal.employeeNumber, await reachFor(db, principal, 'import.read')) });
  })
  .get('/:id', doc({ tags, summary: 'One import with its rejected rows' }), async (c) => {
    const batch = await batchFor(c);
    const { db } = c.get('deps');
    // A queued import (Workers): its state, slices and rows done, and its problem if it failed.
    const progress = await importProgress(db, batch.id, c.get('lang'));
    const body = { ...batch, ...(progress ? { progress } : {}), rejected: await rejectedRows(db, batch.id) };
    // A planned dry run (Workers): its answer, as a small upload's dry run gives it, streamed from R2.
    const bucket = c.get('deps').streamImports?.bucket;
    const answer = progress?.state === 'planned' && bucket ? await plannedAnswer(db, bucket, batch.id) : null;
    if (!answer) return c.json(body);
    return new Response(withResult(JSON.stringify(body), answer), { headers: { 'content-type': 'application/json' } });
  })
  .get('/:id/rejected.xlsx', doc({ tags, summary: "An import's rejected rows as a workbook", responses: { 200: { description: 'xlsx', type: XLSX } } }), async (c) => {
    const batch = await batchFor(c);
    const bytes = rejectedWorkbook(await rejectedRows(c.get('deps').db, batch.id));
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': XLSX,
      'content-disposition': `attachment; filename="avvisade-rader-${batch.id}.xlsx"`,
    });
  });
