import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { authorize } from '../auth/permissions.ts';
import { DomainError } from '../domain/errors.ts';
import type { AppEnv } from '../http/env.ts';
import { dateParam, enumParam } from '../http/params.ts';
import { problemFor, STATUS } from '../http/problem.ts';
import type { ImportAnswer, ImportContext, ImportKind, Progress } from '../imports/batch.ts';
import { audit } from '../domain/audit.ts';
import { changeListWorkbook, XLSX_TYPE } from '../exports/change-list-workbook.ts';
import { parseMapping, type Mapping } from '../imports/headers.ts';
import { findBatch, listBatches, rejectedRows, rejectedWorkbook, visible } from '../imports/history.ts';
import { reachFor } from '../imports/reach.ts';
import { answerJson } from '../imports/answer-json.ts';
import { yieldNow } from '../pace.ts';
import { importFile } from '../imports/run.ts';
import type { RosterMode } from '../imports/roster.ts';

/** 403 before a byte of the upload is read, for callers who may not import this kind at all. */
const may = (kind: ImportKind) => async (c: Context<AppEnv>, next: () => Promise<void>) => {
  authorize(c.get('principal'), kind === 'units' ? 'units.write' : 'import.write');
  await next();
};

/** Refuses a body past KK_MAX_UPLOAD_MB while it streams in, before anything is parsed. */
async function limited(c: Context<AppEnv>, next: () => Promise<void>) {
  const max = c.get('deps').config.maxUploadBytes;
  return bodyLimit({
    maxSize: max,
    onError: () => {
      throw new DomainError('too_large', 'body.tooLarge', { limit: `${Math.round(max / 1024 / 1024)} MB` });
    },
  })(c, next);
}

async function upload(c: Context<AppEnv>, kind: ImportKind): Promise<{ bytes: Uint8Array; fileName: string | null; mapping: Mapping }> {
  const type = c.req.header('content-type') ?? '';
  if (!/^multipart\/form-data/i.test(type)) throw new DomainError('bad_request', 'import.noFile');
  let form: FormData;
  try {
    form = await c.req.raw.formData();
  } catch (e) {
    if (e instanceof DomainError) throw e;
    throw new DomainError('bad_request', 'import.badRequest');
  }
  const file = form.get('file');
  if (file === null || typeof file === 'string') throw new DomainError('bad_request', 'import.noFile');
  const rawMapping = form.get('mapping');
  const mapping = parseMapping(kind, typeof rawMapping === 'string' ? rawMapping : rawMapping === null ? null : await rawMapping.text());
  // A turn for other requests between parsing the body and copying the file out of it: for a
  // 10 MB file the two together held the server ~50–60 ms.
  await yieldNow();
  return { bytes: new Uint8Array(await file.arrayBuffer()), fileName: (file as File).name || null, mapping };
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function flag(c: Context<AppEnv>, name: string): boolean {
  return enumParam(c, name, ['true', 'false', '1', '0'] as const, 'false') === 'true' || c.req.query(name) === '1';
}

async function handle(c: Context<AppEnv>, kind: ImportKind) {
  const principal = c.get('principal');
  const mode = kind === 'roster' ? enumParam(c, 'mode', ['snapshot', 'history'] as const) : undefined;
  if (kind === 'roster' && !mode) throw new DomainError('bad_request', 'param.required', { name: 'mode' });
  const asOf = dateParam(c, 'asOf');
  const dryRun = flag(c, 'dryRun');
  const sheetName = c.req.query('sheet') || undefined;
  const scope = (kind === 'roster' && c.req.query('scope')?.trim()) || undefined;
  const confirmEnded = countParam(c, 'confirmEnded');
  const asXlsx = enumParam(c, 'format', ['json', 'xlsx'] as const, 'json') === 'xlsx';
  if (asXlsx && (kind !== 'roster' || !dryRun)) throw new DomainError('bad_request', 'import.formatNeedsDryRun');
  const { bytes, fileName, mapping } = await upload(c, kind);
  const deps = c.get('deps');
  const ctx: ImportContext = {
    db: deps.db,
    atomic: deps.atomic,
    actor: principal.employeeNumber,
    lang: c.get('lang'),
    dryRun,
    fileName: fileName?.slice(0, 255) ?? null,
    fileSha256: await sha256(bytes),
    reach: await reachFor(deps.db, principal, kind === 'units' ? 'units.write' : 'import.write'),
    confirmEnded,
  };
  const job = { kind, bytes, sheetName, mode: mode as RosterMode | undefined, asOf, scope, mapping };
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

/** A non-negative whole number query parameter, or null when absent. */
function countParam(c: Context<AppEnv>, name: string): number | null {
  const v = c.req.query(name);
  if (v === undefined || v === '') return null;
  if (!/^\d{1,9}$/.test(v.trim())) throw new DomainError('bad_request', 'param.invalid', { name, value: v.slice(0, 40), expected: '0, 1, 2, …' });
  return Number(v.trim());
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

export const imports = new Hono<AppEnv>()
  .post('/api/imports/units', may('units'), limited, (c) => handle(c, 'units'))
  .post('/api/imports/roster', may('roster'), limited, (c) => handle(c, 'roster'))
  .post('/api/imports/completions', may('completions'), limited, (c) => handle(c, 'completions'))
  .get('/api/imports', async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'import.read');
    const { db } = c.get('deps');
    return c.json({ imports: await listBatches(db, principal.employeeNumber, await reachFor(db, principal, 'import.read')) });
  })
  .get('/api/imports/:id', async (c) => {
    const batch = await batchFor(c);
    return c.json({ ...batch, rejected: await rejectedRows(c.get('deps').db, batch.id) });
  })
  .get('/api/imports/:id/rejected.xlsx', async (c) => {
    const batch = await batchFor(c);
    const bytes = rejectedWorkbook(await rejectedRows(c.get('deps').db, batch.id));
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-disposition': `attachment; filename="avvisade-rader-${batch.id}.xlsx"`,
    });
  });
