import { CompiledQuery } from 'kysely';
import type { Context } from 'hono';
import type { Config } from '../config.ts';
import { DomainError } from '../domain/errors.ts';
import type { AppEnv } from '../http/env.ts';
import { isConflict, nextBatchId, type ImportKind } from './batch.ts';
import { boundaryOf, fieldText, formParts } from '../http/multipart-stream.ts';
import { csvRecordBatches } from './csv-stream.ts';
import { parseMapping } from './headers.ts';
import { concatBytes } from '../http/bytes.ts';
import { hasWorkbookName, isOle, isZip } from './read-sheet.ts';
import { hex } from './spool.ts';

/**
 * Imports too large for one Worker request's memory (docs/workers.md, "Large imports on
 * Workers"): the upload is read as it arrives (multipart-stream.ts, csv-stream.ts), cut into
 * slices of whole CSV records, each stored in R2 as its own object (its length then known, so a
 * plain `put` rather than a multipart upload), and a Queue consumer
 * (queue-import.ts) imports the slices one message at a time. The request answers 202 with the
 * batch id; GET /api/imports/:id shows the progress. A dry run goes the same way: the consumer
 * plans the file, writes nothing of it, and keeps its answer in R2 for GET /api/imports/:id.
 */

/** What of R2 this needs (an R2Bucket binding has it). */
export interface ImportBucket {
  put(key: string, value: Uint8Array): Promise<unknown>;
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer>; body: ReadableStream<Uint8Array> } | null>;
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

/**
 * The stream path when the Worker has its R2 bucket (IMPORTS) and queue (IMPORT_QUEUE) bound,
 * else undefined (the ordinary path and its 413 then hold alone).
 */
export function streamImportsFrom(env: Record<string, unknown>, config: Config): StreamImports | undefined {
  const bucket = env.IMPORTS as ImportBucket | undefined;
  const queue = env.IMPORT_QUEUE as { send(body: unknown): Promise<unknown> } | undefined;
  if (!bucket || !queue) return undefined;
  return { bucket, enqueue: async (m) => void (await queue.send(m)), ...config.streamImport, workbookBytes: config.maxUploadBytes };
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
  /** Planned and answered, never written (absent in jobs queued before sql/0014: false). */
  dryRun?: boolean;
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
  // The change list as a workbook is made in the request that asks for it; here the plan is the
  // consumer's, and its answer (the change list with it) is read from GET /api/imports/:id.
  if (q.format === 'xlsx') throw new DomainError('unprocessable', 'import.streamXlsx', { limit: mb(s.thresholdBytes) });
  if (Number(c.req.header('content-length')) > s.maxBytes) throw new DomainError('too_large', 'body.tooLarge', { limit: mb(s.maxBytes) });
  const boundary = boundaryOf(c.req.header('content-type') ?? '');
  if (!boundary || !c.req.raw.body) throw new DomainError('bad_request', 'import.noFile');
  const deps = c.get('deps');
  const principal = c.get('principal');
  const prefix = `imports/${crypto.randomUUID()}/`;
  const written: string[] = [];
  let file: { bytes: number; starts: number[] } | null = null;
  let fileName: string | null = null;
  let mappingText: string | null = null;
  const hash = digester();
  try {
    for await (const part of formParts(c.req.raw.body, boundary)) {
      if (part.name === 'mapping' && part.fileName === null) mappingText = await fieldText(part.body);
      if (part.name !== 'file' || part.fileName === null || file) continue;
      fileName = part.fileName.slice(0, 255) || null;
      if (hasWorkbookName(part.fileName)) throw xlsxRefused(s);
      file = await sliceInto(s, prefix, written, checked(part.body, s, hash));
    }
    if (!file) throw new DomainError('bad_request', 'import.noFile');
    const mapping = parseMapping(kind, mappingText);
    if (!file.starts.length) throw new DomainError('unprocessable', 'import.empty');
    const params: JobParams = {
      mode: q.mode ?? null,
      asOf: q.asOf,
      dryRun: q.dryRun,
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
      await deps.atomic([
        CompiledQuery.raw('delete from import_job where batch_id = ?', [batchId]),
        CompiledQuery.raw(`delete from import_batch where id = ? and status = 'failed'`, [batchId]),
      ]).catch(() => undefined);
      throw e;
    }
    const location = `/api/imports/${batchId}`;
    return c.json({ batchId, state: 'queued', kind, dryRun: q.dryRun, fileBytes: file.bytes, slices: file.starts.length, progress: location }, 202, { location });
  } catch (e) {
    if (written.length) await s.bucket.delete(written).catch(() => undefined);
    throw e;
  }
}

/**
 * The file's bytes on their way to the CSV reader: counted against KK_STREAM_MAX_MB, hashed, and
 * a workbook (a zip or an OLE file, whatever its name) refused at its first bytes: SheetJS reads
 * a workbook whole, so one past the ordinary upload bound cannot be read in a Worker.
 */
async function* checked(body: AsyncIterable<Uint8Array>, s: StreamImports, hash: ReturnType<typeof digester>): AsyncGenerator<Uint8Array> {
  let size = 0;
  let head: Uint8Array | null = new Uint8Array(0);
  for await (const piece of body) {
    size += piece.length;
    if (size > s.maxBytes) throw new DomainError('too_large', 'body.tooLarge', { limit: mb(s.maxBytes) });
    await hash.write(piece);
    if (head) {
      head = concatBytes(head, piece);
      if (head.length < 8) continue;
      if (isZip(head) || isOle(head)) throw xlsxRefused(s);
      const first = head;
      head = null;
      yield first;
    } else yield piece;
  }
  if (head?.length) {
    if (isZip(head)) throw xlsxRefused(s);
    yield head;
  }
}

/** Records in a slice at most, besides `sliceRows`: a file of very long rows is cut sooner. */
const SLICE_CHARS = 8 << 20;

/**
 * The file's CSV records, read as they arrive (csv-stream.ts: encoding, separator, the checks a
 * coordinator gets a 422 for), stored a slice at a time as JSON `[[row, field, …], …]`: a slice
 * is then read back without the CSV's encoding or separator, and its length is known for `put`.
 */
async function sliceInto(s: StreamImports, prefix: string, written: string[], bytes: AsyncIterable<Uint8Array>): Promise<{ bytes: number; starts: number[] }> {
  const encoder = new TextEncoder();
  const starts: number[] = [];
  let slice: string[] = [];
  let chars = 0;
  let total = 0;
  const flush = async () => {
    if (!slice.length) return;
    const key = prefix + (starts.length - 1);
    written.push(key);
    await s.bucket.put(key, encoder.encode(`[${slice.join(',')}]`));
    slice = [];
    chars = 0;
  };
  const counted = (async function* () {
    for await (const piece of bytes) {
      total += piece.length;
      yield piece;
    }
  })();
  for await (const batch of csvRecordBatches(counted)) {
    for (const r of batch) {
      if (!slice.length) starts.push(r.row);
      const json = JSON.stringify([r.row, ...r.fields]);
      slice.push(json);
      chars += json.length;
      if (slice.length >= s.sliceRows || chars >= SLICE_CHARS) await flush();
    }
  }
  await flush();
  return { bytes: total, starts };
}

/**
 * The batch row (as `failed` with no finished_at, as any import's before it commits) and the job,
 * under the next free id: the id the caller is given, which no other import then takes. A dry
 * run's row is marked `dry_run`: it never commits, and the import list leaves it out.
 */
async function reserve(c: Context<AppEnv>, kind: ImportKind, p: JobParams, prefix: string, file: { bytes: number; starts: number[] }): Promise<number> {
  const { db, atomic } = c.get('deps');
  const now = new Date().toISOString();
  for (let attempt = 1; ; attempt++) {
    const id = await nextBatchId(db);
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
            dry_run: p.dryRun ? 1 : 0,
          })
          .compile(),
        CompiledQuery.raw(
          `insert into import_job (batch_id, kind, state, params_json, object_prefix, slices, slice_rows_json, file_bytes, updated_at)
           values (?, ?, 'queued', ?, ?, ?, ?, ?, ?)`,
          [id, kind, JSON.stringify(p), prefix, file.starts.length, JSON.stringify(file.starts), file.bytes, now],
        ),
      ]);
      return id;
    } catch (e) {
      if (attempt >= 5 || !isConflict(e)) throw e;
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
      return hex(await stream.digest);
    },
  };
}
