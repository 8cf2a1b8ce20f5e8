import { CompiledQuery } from 'kysely';
import type { Context } from 'hono';
import { DomainError } from '../domain/errors.ts';
import type { AppEnv } from '../http/env.ts';
import type { ImportKind } from './batch.ts';
import { CsvSlicer, XlsxOnStream, type CsvSliced } from './csv-slices.ts';
import { parseMapping } from './headers.ts';
import { readMultipart, boundaryOf } from './multipart-stream.ts';

/**
 * Imports too large for one Worker request's memory (docs/workers.md, "Large imports on
 * Workers"): the upload is read as it arrives, cut into slices of whole CSV records, each stored
 * in R2 as its own object (its length then known, so a plain `put`), and a Queue consumer
 * (queue-import.ts) imports the slices one message at a time. The request answers 202 with the
 * batch id; GET /api/imports/:id shows the progress.
 */

/** What of R2 this needs (an R2Bucket binding has it). */
export interface ImportBucket {
  put(key: string, value: Uint8Array): Promise<unknown>;
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
  delete(keys: string | string[]): Promise<void>;
}

export interface ImportMessage {
  batchId: number;
  slice: number;
}

export interface StreamImports {
  bucket: ImportBucket;
  /** Sends a message to the import queue (a Queue producer binding's `send`). */
  enqueue(message: ImportMessage): Promise<void>;
  /** Uploads larger than this (their Content-Length) take this path: KK_STREAM_IMPORT_MB. */
  thresholdBytes: number;
  /** The most this path takes: KK_STREAM_MAX_MB (Workers take at most 100 MB a request on Free and Pro). */
  maxBytes: number;
  /** CSV records per slice, i.e. per queue message: KK_IMPORT_SLICE_ROWS. */
  sliceRows: number;
  /** The upload bound of the ordinary path (KK_MAX_UPLOAD_MB): what a workbook may be here. */
  workbookBytes: number;
}

const MB = 1024 * 1024;
const mb = (bytes: number) => `${+(bytes / MB).toFixed(bytes < MB ? 3 : 1)} MB`;

function positive(v: unknown, fallback: number): number {
  const n = typeof v === 'string' && v.trim() ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * The stream path when the Worker has its R2 bucket (IMPORTS) and queue (IMPORT_QUEUE) bound,
 * else undefined (the ordinary path and its 413 then hold alone).
 */
export function streamImportsFrom(env: Record<string, unknown>): StreamImports | undefined {
  const bucket = env.IMPORTS as ImportBucket | undefined;
  const queue = env.IMPORT_QUEUE as { send(body: unknown): Promise<unknown> } | undefined;
  if (!bucket || !queue) return undefined;
  const upload = positive(env.KK_MAX_UPLOAD_MB, 50);
  return {
    bucket,
    enqueue: async (m) => void (await queue.send(m)),
    thresholdBytes: positive(env.KK_STREAM_IMPORT_MB, upload) * MB,
    maxBytes: positive(env.KK_STREAM_MAX_MB, 100) * MB,
    sliceRows: Math.floor(positive(env.KK_IMPORT_SLICE_ROWS, 20_000)),
    workbookBytes: upload * MB,
  };
}

/** Whether this upload goes the stream path: a declared length over the threshold. */
export function takesStream(req: Request, s: StreamImports): boolean {
  const length = Number(req.headers.get('content-length') ?? NaN);
  return Number.isFinite(length) && length > s.thresholdBytes;
}

export interface StreamQuery {
  asOf: string;
  dryRun: boolean;
  format: 'json' | 'xlsx';
  confirmEnded: number | null;
  mode?: 'snapshot' | 'history';
  scope?: string;
}

/** What the consumer needs of the request, kept in import_job.params_json. */
export interface JobParams {
  mode: 'snapshot' | 'history' | null;
  asOf: string;
  scope: string | null;
  mapping: Record<string, string | null>;
  confirmEnded: number | null;
  lang: 'sv' | 'en';
  actor: string;
  roles: AppEnv['Variables']['principal']['roles'];
  fileName: string | null;
  fileSha256: string | null;
}

function xlsxRefused(s: StreamImports) {
  return new DomainError('too_large', 'import.xlsxTooLargeHere', { limit: mb(Math.min(s.workbookBytes, s.thresholdBytes)), max: mb(s.maxBytes) });
}

export async function streamUpload(c: Context<AppEnv>, kind: ImportKind, q: StreamQuery, s: StreamImports): Promise<Response> {
  // A dry run's answer is the whole plan at once; slices commit to a staging table instead.
  if (q.dryRun || q.format === 'xlsx') throw new DomainError('unprocessable', 'import.streamDryRun', { limit: mb(s.thresholdBytes) });
  if (Number(c.req.header('content-length')) > s.maxBytes) throw new DomainError('too_large', 'body.tooLarge', { limit: mb(s.maxBytes) });
  const contentType = c.req.header('content-type') ?? '';
  boundaryOf(contentType);
  const deps = c.get('deps');
  const principal = c.get('principal');
  const prefix = `imports/${crypto.randomUUID()}/`;
  const written: string[] = [];
  let sliced: CsvSliced | null = null;
  let fileName: string | null = null;
  let mappingText: string | null = null;
  let sawFile = false;
  const hash = digester();
  try {
    await readMultipart(c.req.raw.body, contentType, {
      field(name, value) {
        if (name === 'mapping') mappingText = value;
      },
      file(name, name2) {
        if (name !== 'file' || sawFile) return null;
        sawFile = true;
        fileName = name2.slice(0, 255) || null;
        if (/\.(xlsx|xlsm|xls|ods)$/i.test(name2)) throw xlsxRefused(s);
        const slicer = new CsvSlicer(async (bytes, index) => {
          const key = prefix + index;
          written.push(key);
          await s.bucket.put(key, bytes);
        }, s.sliceRows);
        let size = 0;
        return {
          async write(bytes) {
            size += bytes.length;
            if (size > s.maxBytes) throw new DomainError('too_large', 'body.tooLarge', { limit: mb(s.maxBytes) });
            await hash.write(bytes);
            await slicer.write(bytes);
          },
          async end() {
            sliced = await slicer.end();
          },
        };
      },
    });
    if (!sawFile) throw new DomainError('bad_request', 'import.noFile');
    const mapping = parseMapping(kind, mappingText);
    const file = sliced as CsvSliced | null;
    if (!file || file.bytes === 0 || !file.sliceRows.length) throw new DomainError('unprocessable', 'import.empty');
    const params: JobParams = {
      mode: q.mode ?? null,
      asOf: q.asOf,
      scope: (kind === 'roster' && q.scope) || null,
      mapping,
      confirmEnded: q.confirmEnded,
      lang: c.get('lang'),
      actor: principal.employeeNumber,
      roles: principal.roles,
      fileName,
      fileSha256: await hash.hex(),
    };
    const batchId = await reserve(c, kind, params, prefix, file);
    try {
      await s.enqueue({ batchId, slice: 0 });
    } catch (e) {
      await deps.db.deleteFrom('import_batch').where('id', '=', batchId).execute().catch(() => undefined);
      throw e;
    }
    const location = `/api/imports/${batchId}`;
    return c.json({ batchId, state: 'queued', kind, fileBytes: file.bytes, slices: file.sliceRows.length, progress: location }, 202, { location });
  } catch (e) {
    if (written.length) await s.bucket.delete(written).catch(() => undefined);
    if (e instanceof XlsxOnStream) throw xlsxRefused(s);
    throw e;
  }
}

/**
 * The batch row (as `failed` with no finished_at, as any import's before it commits) and the job,
 * under the next free id: the id the caller is given, which no other import then takes.
 */
async function reserve(c: Context<AppEnv>, kind: ImportKind, p: JobParams, prefix: string, file: CsvSliced): Promise<number> {
  const { db, atomic } = c.get('deps');
  const now = new Date().toISOString();
  for (let attempt = 1; ; attempt++) {
    const last = await db.selectFrom('import_batch').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    const id = Number(last?.id ?? 0) + 1;
    try {
      await atomic([
        db
          .insertInto('import_batch')
          .values({
            id,
            kind,
            mode: p.mode,
            as_of: kind === 'roster' && p.mode === 'snapshot' ? p.asOf : null,
            file_name: p.fileName,
            file_sha256: p.fileSha256,
            started_by: p.actor,
            started_at: now,
            finished_at: null,
            status: 'failed',
            changes_json: JSON.stringify({ scope: [] }),
          })
          .compile(),
        CompiledQuery.raw(
          `insert into import_job (batch_id, kind, state, params_json, object_prefix, slices, slice_rows_json, file_bytes, encoding, first_line, updated_at)
           values (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)`,
          [id, kind, JSON.stringify(p), prefix, file.sliceRows.length, JSON.stringify(file.sliceRows), file.bytes, file.encoding, file.firstLine, now],
        ),
      ]);
      return id;
    } catch (e) {
      if (attempt >= 5 || !/UNIQUE constraint|PRIMARY KEY/i.test(String((e as Error)?.message ?? e))) throw e;
    }
  }
}

/** SHA-256 of the file as it streams by (workerd's DigestStream); null where there is none. */
function digester(): { write(bytes: Uint8Array): Promise<void>; hex(): Promise<string | null> } {
  const DigestStream = (crypto as unknown as { DigestStream?: new (alg: string) => WritableStream<Uint8Array> & { digest: Promise<ArrayBuffer> } }).DigestStream;
  if (!DigestStream) return { write: async () => undefined, hex: async () => null };
  const stream = new DigestStream('SHA-256');
  const writer = stream.getWriter();
  return {
    write: (bytes) => writer.write(bytes.slice()),
    async hex() {
      await writer.close();
      return [...new Uint8Array(await stream.digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    },
  };
}
