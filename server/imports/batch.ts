import { CompiledQuery, sql, type RawBuilder } from 'kysely';
import { concatStatements, type AtomicRunner, type LazyStatements, type Statements } from '../db/atomic.ts';
import { writeImport, type ImportUndo } from '../db/import-write.ts';
import { MAX_BOUND_PARAMS } from '../db/chunks.ts';
import { RowsInsert, type RowValue } from '../db/rows-insert.ts';
import type { Db } from '../db/schema.ts';
import { auditStatement } from '../domain/audit.ts';
import { DomainError } from '../domain/errors.ts';
import { message, type Lang, type MessageKey } from '../i18n/messages.ts';
import { pacer } from '../pace.ts';
import type { Reach } from './reach.ts';
import { rematchXapi } from '../xapi/store.ts';

export type ImportKind = 'units' | 'roster' | 'completions';
export type Phase = 'read' | 'check' | 'write';
export type Progress = (p: { phase: Phase; done: number; total: number }) => void;

/** What every import is run with. */
export interface ImportContext {
  db: Db;
  atomic: AtomicRunner;
  actor: string;
  lang: Lang;
  dryRun: boolean;
  fileName: string | null;
  fileSha256: string | null;
  reach: Reach;
  progress?: Progress;
  /** The number of employments the caller confirms a snapshot ends (its dry run's figure), if given. */
  confirmEnded?: number | null;
  /**
   * A batch row reserved before the import ran (an upload queued on Workers, whose id the caller
   * already holds): the import is written under this id, over that row, which an undo keeps.
   */
  reservedBatchId?: number;
}

/** A row that cannot be taken: where, why, and the values it had in the columns we read. */
export interface Rejection {
  row: number;
  column: string | null;
  key: MessageKey;
  params?: Record<string, string | number>;
  values: Record<string, string | number | boolean | null>;
}

export interface ImportError {
  row: number;
  column: string | null;
  message: string;
  messageSv: string;
  messageEn: string;
}

/** One person's change in a roster import, for the coordinator to read before committing. */
export interface ChangeEntry {
  change: 'started' | 'ended' | 'moved' | 'changed';
  employeeNumber: string;
  name: string;
  from: { code: string; name: string } | null;
  to: { code: string; name: string } | null;
  startDate: string | null;
  endDate: string | null;
}

/** What a roster snapshot needs before it may be committed (null for everything else). */
export interface Safety {
  /** No row was taken: never committed. */
  blocked: boolean;
  /** When set, a commit must carry confirmEnded with this number (the employments it ends). */
  confirmEnded: number | null;
  reasons: ('noAcceptedRows' | 'rejectedRows' | 'manyEnded')[];
  /** Employments active in the snapshot's scope on its date, before it. */
  activeInScope: number;
}

export interface ImportAnswer {
  batchId: number | null;
  dryRun: boolean;
  kind: ImportKind;
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  /** Blank rows and trailing total rows, not counted in rowsTotal. */
  skippedRows: number;
  /** Headers as written in the file that no field took. */
  ignoredColumns: string[];
  /** The kind's fields no column took. */
  unmappedFields: string[];
  errors: ImportError[];
  changes: Record<string, number>;
  /** Roster only. */
  changeList?: ChangeEntry[];
  safety?: Safety | null;
}

/** An import worked out in memory: its figures, and the statements that would make it so. */
export interface Plan {
  kind: ImportKind;
  mode?: string | null;
  asOf?: string | null;
  rowsTotal: number;
  rejections: Rejection[];
  changes: Record<string, number>;
  skippedRows: number;
  ignoredColumns: string[];
  unmappedFields: string[];
  changeList?: ChangeEntry[];
  safety?: Safety | null;
  /** The units (förvaltningar) the import touched, for the audit log and the import list's scope. */
  scope: string[];
  /** May be built with pauses (a large file's statements take a while to build). */
  statements(batchId: number): Statements | Promise<Statements>;
  /**
   * What takes the statements back on D1 when a write larger than one batch fails late: the rows
   * they change but do not own, put back from the values the plan compared against, and the rows
   * they create without a batch id, deleted (writeImport adds the rows that carry the batch id).
   */
  undo(): ImportUndo;
}

/** Rows a statement takes at most, whatever its parameters: keeps each statement's SQL well under D1's 100 KB. */
export const MAX_ROWS_PER_STATEMENT = 400;

/** Rows a statement takes when each binds `params` values: D1's 100 parameters, 400 rows at most. */
export function rowsPerStatement(params: number): number {
  return params > 0 ? Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_BOUND_PARAMS / params))) : MAX_ROWS_PER_STATEMENT;
}

/** Rows of `params` bound values each, in statements of at most D1's 100 parameters. */
export function chunksOf<T>(rows: T[], params: number): T[][] {
  const size = rowsPerStatement(params);
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * A multi-row INSERT as compiled statements, for the bulk of an import. Columns flagged `bind`
 * are bound parameters (what a file says: names, titles, unit codes); the others are written
 * into the text as literals (ids, enum values, pattern-checked dates we produced), quoted the
 * way Kysely quotes them. Building these through the query builder costs a dozen objects per
 * value, which for 300 000 rows is most of an import's time and memory. The text is built only
 * where it is run (D1): SQLite runs the rows themselves (`RowsInsert`).
 */
export function bulkInsert(
  table: string,
  columns: { name: string; bind?: boolean }[],
  rows: RowValue[][],
  { orIgnore = false, load = null as number | null } = {},
): CompiledQuery[] {
  const bound = columns.filter((c) => c.bind).length;
  const head = `insert${orIgnore ? ' or ignore' : ''} into "${table}" (${columns.map((c) => `"${c.name}"`).join(', ')}) values `;
  const compile = (chunk: RowValue[][]) => () => {
    const params: RowValue[] = [];
    const tuples = chunk.map(
      (row) =>
        `(${row
          .map((v, i) => {
            if (!columns[i].bind) return literal(v);
            params.push(v);
            return '?';
          })
          .join(', ')})`,
    );
    return CompiledQuery.raw(head + tuples.join(', '), params);
  };
  const names = columns.map((c) => c.name);
  return chunksOf(rows, bound).map((chunk) => new RowsInsert(table, names, chunk, orIgnore, load, compile(chunk)));
}

/** Rows built between asking the pacer (slices of 8 000 with a pause after each held the server 50–80 ms). */
const INSERT_SLICE = 800;

/**
 * `bulkInsert` of `count` rows built as the write takes them, a slice at a time (`rowAt(i)` gives
 * row i): the SQL of a city's rows built up front would be held whole until the commit (~130 MB
 * of text for 1.2 million completions).
 */
export function lazyBulkInsert(
  table: string,
  columns: { name: string; bind?: boolean }[],
  count: number,
  rowAt: (i: number) => RowValue[],
  /** The table's indexes may be set aside while its rows go in (`bulk-load.ts`): for rows in another order than an index's. */
  { indexesAside = false } = {},
): LazyStatements {
  const per = rowsPerStatement(columns.filter((c) => c.bind).length);
  // Whole statements per slice, so that the count of statements is known before they are built.
  const slice = per * Math.max(1, Math.floor(INSERT_SLICE / per));
  return {
    length: Math.ceil(count / per),
    async *[Symbol.asyncIterator]() {
      const pause = pacer();
      for (let i = 0; i < count; i += slice) {
        const rows: RowValue[][] = [];
        for (let k = i; k < Math.min(count, i + slice); k++) rows.push(rowAt(k));
        yield* bulkInsert(table, columns, rows, { load: indexesAside ? count : null });
        await pause();
      }
    },
  };
}

function literal(v: RowValue): string {
  if (v === null) return 'null';
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Error('literal: not an integer');
    return String(v);
  }
  if (v.includes('\u0000') || v.length > 200) throw new Error('literal: not a plain short string');
  return `'${v.replace(/'/g, "''")}'`;
}

/**
 * A value written into the statement's text instead of bound: for numbers and for strings we made
 * or checked ourselves (ids, enum values, dates matched by pattern, the signed-in actor). Kysely
 * doubles quotes in them, which is all SQLite's quoting needs. Bound parameters are few per
 * statement on D1, so this is what lets hundreds of rows go in one statement instead of ten.
 */
export function lit<V extends number | string | null>(v: V): RawBuilder<V> {
  if (v === null) return sql<V>`null`;
  if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new Error('literal: not an integer');
  if (typeof v === 'string' && (v.includes('\u0000') || v.length > 200)) throw new Error('literal: not a plain short string');
  return sql.lit<V>(v);
}

/** With pauses: a file can have a rejection on every one of its rows. */
export async function errorsOf(rejections: Rejection[], lang: Lang): Promise<ImportError[]> {
  const pause = pacer();
  const out: ImportError[] = [];
  for (const r of rejections) {
    await pause();
    const messageSv = message('sv', r.key, r.params);
    const messageEn = message('en', r.key, r.params);
    out.push({ row: r.row, column: r.column, message: lang === 'en' ? messageEn : messageSv, messageSv, messageEn });
  }
  return out;
}

/** The columns of `import_rejected_row`, for `bulkInsert` (the queue's slices write them too). */
export const REJECTED_COLUMNS = [
  { name: 'batch_id' },
  { name: 'row_number' },
  { name: 'column_name', bind: true },
  { name: 'message_sv', bind: true },
  { name: 'message_en', bind: true },
  { name: 'row_json', bind: true },
];
/** A rejected row as `import_rejected_row` takes it (REJECTED_COLUMNS), with its error in both languages. */
export const rejectedRow = (batchId: number, r: Rejection, e: ImportError) => [batchId, r.row, r.column, e.messageSv, e.messageEn, JSON.stringify(r.values)];
/** Rejected rows per slice of statements built between asking the pacer (25 rows a statement). */
const REJECTED_SLICE = 500;

const RETRIES = 3;
// A key taken meanwhile, not any constraint: D1 ends every constraint's message (CHECK, NOT NULL,
// a trigger's RAISE) with "SQLITE_CONSTRAINT", and those fail the same way when planned again.
export const isConflict = (e: unknown) => /UNIQUE constraint|PRIMARY KEY/i.test(String((e as Error)?.message ?? e));

/**
 * The id the next import's batch row takes: max + 1, with no lock (D1 has no interactive
 * transaction). Two imports may take the same one; the later to write its row meets a key
 * conflict (isConflict) and takes the next. What each then does differs: runImport plans again
 * (its plan may be stale), a queued upload's reservation (r2-upload.ts) only tries the next id.
 */
export async function nextBatchId(db: Db): Promise<number> {
  const last = await db.selectFrom('import_batch').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  return Number(last?.id ?? 0) + 1;
}

/**
 * A snapshot that could end employments by mistake is refused before anything is written: one
 * with no row taken always (422), one with rejected rows or many ends unless the caller names the
 * number it ends (409, saying how many). A number given that is not the plan's is refused too:
 * the file or what is held changed since the dry run the caller read.
 */
function mayCommit(plan: Plan, confirmEnded: number | null): void {
  const safety = plan.safety;
  if (!safety) return;
  if (safety.blocked) throw new DomainError('unprocessable', 'import.noAcceptedRows', { rows: plan.rowsTotal }, { reasons: safety.reasons });
  const ended = plan.changes.ended ?? 0;
  if ((safety.confirmEnded !== null && confirmEnded !== safety.confirmEnded) || (confirmEnded !== null && confirmEnded !== ended)) {
    const rejected = new Set(plan.rejections.map((r) => r.row)).size;
    throw new DomainError(
      'conflict',
      confirmEnded === null ? 'import.confirmEnded' : 'import.confirmEndedWrong',
      { ended, active: safety.activeInScope, rejected, given: confirmEnded ?? '' },
      { ended, rejected, activeInScope: safety.activeInScope, reasons: safety.reasons },
    );
  }
}

/**
 * Plans the import and, unless it is a dry run, writes it as one all-or-nothing batch: the
 * batch row, the records, the rejected rows and the audit entry land together or not at all.
 * Ids (the batch's, new people's) are taken as max + 1 when the plan is made, so an import that
 * committed meanwhile makes this one collide on a key: then it is planned again from what is now
 * held, rather than written from a stale view (two copies of one completions file, say).
 */
export async function runImport(ctx: ImportContext, makePlan: () => Promise<Plan>): Promise<ImportAnswer> {
  for (let attempt = 1; ; attempt++) {
    // The batch id is taken before anything is read: any import committed while this one is
    // planned takes it first, and this one's batch row collides instead of writing a stale plan.
    const batchId = ctx.reservedBatchId ?? (await nextBatchId(ctx.db));
    const plan = await makePlan();
    const errors = await errorsOf(plan.rejections, ctx.lang);
    const rowsRejected = new Set(plan.rejections.map((r) => r.row)).size;
    const answer: ImportAnswer = {
      batchId: null,
      dryRun: ctx.dryRun,
      kind: plan.kind,
      rowsTotal: plan.rowsTotal,
      rowsAccepted: plan.rowsTotal - rowsRejected,
      rowsRejected,
      skippedRows: plan.skippedRows,
      ignoredColumns: plan.ignoredColumns,
      unmappedFields: plan.unmappedFields,
      errors,
      changes: plan.changes,
      ...(plan.kind === 'roster' ? { changeList: plan.changeList ?? [], safety: plan.safety ?? null } : {}),
    };
    if (ctx.dryRun) return answer;
    mayCommit(plan, ctx.confirmEnded ?? null);
    const now = new Date().toISOString();
    const planned = await plan.statements(batchId);
    const statements: CompiledQuery[] = [];
    // Through bulkInsert, a slice at a time: 150 000 rejected rows built with the query builder in
    // one go held the server for ~1.9 s.
    const pause = pacer();
    for (let i = 0; i < plan.rejections.length; i += REJECTED_SLICE) {
      const rows = plan.rejections.slice(i, i + REJECTED_SLICE).map((r, k) => rejectedRow(batchId, r, errors[i + k]));
      statements.push(...bulkInsert('import_rejected_row', REJECTED_COLUMNS, rows));
      await pause();
    }
    statements.push(
      auditStatement(
        ctx.db,
        {
          actor: ctx.actor,
          kind: 'import',
          action: plan.kind,
          scope: plan.scope.join(',') || null,
          detail: {
            batchId,
            fileName: ctx.fileName,
            mode: plan.mode ?? null,
            asOf: plan.asOf ?? null,
            rowsTotal: answer.rowsTotal,
            rowsAccepted: answer.rowsAccepted,
            rowsRejected: answer.rowsRejected,
            skippedRows: answer.skippedRows,
            changes: plan.changes,
            ...(ctx.confirmEnded != null ? { confirmedEnded: ctx.confirmEnded } : {}),
          },
        },
        now,
      ),
    );
    // The batch row opens the list and its commit closes it (writeImport): two more statements.
    const total = planned.length + statements.length + 2;
    ctx.progress?.({ phase: 'write', done: 0, total });
    try {
      await writeImport(ctx, {
        id: batchId,
        batch: {
          kind: plan.kind,
          mode: plan.mode ?? null,
          as_of: plan.asOf ?? null,
          file_name: ctx.fileName,
          file_sha256: ctx.fileSha256,
          started_by: ctx.actor,
          started_at: now,
          rows_total: answer.rowsTotal,
          rows_accepted: answer.rowsAccepted,
          rows_rejected: answer.rowsRejected,
          changes_json: JSON.stringify({ ...plan.changes, scope: plan.scope }),
        },
        statements: concatStatements(planned, statements),
        undo: plan.undo(),
        reserved: ctx.reservedBatchId !== undefined,
        finishedAt: now,
        onProgress: (done, all) => ctx.progress?.({ phase: 'write', done, total: all }),
      });
    } catch (e) {
      // On D1 a failure after the first batch has been undone by now (else this is not a conflict).
      if (!isConflict(e)) throw e;
      if (attempt < RETRIES) continue;
      throw new DomainError('conflict', 'import.busy');
    }
    ctx.progress?.({ phase: 'write', done: total, total });
    // Statements from the portal that arrived before their person count from now on.
    if (plan.kind === 'roster') await rematchXapi(ctx.db, ctx.atomic);
    return { ...answer, batchId };
  }
}
