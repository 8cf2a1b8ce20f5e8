import type { CompiledQuery } from 'kysely';
import { sql } from 'kysely';
import type { AtomicRunner } from '../db/atomic.ts';
import { MAX_BOUND_PARAMS } from '../db/chunks.ts';
import type { Db } from '../db/schema.ts';
import { auditQuery } from '../domain/audit.ts';
import { message, type Lang, type MessageKey } from '../i18n/messages.ts';
import type { Reach } from './reach.ts';

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

export interface ImportAnswer {
  batchId: number | null;
  dryRun: boolean;
  kind: ImportKind;
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  errors: ImportError[];
  changes: Record<string, number>;
}

/** An import worked out in memory: its figures, and the statements that would make it so. */
export interface Plan {
  kind: ImportKind;
  mode?: string | null;
  asOf?: string | null;
  rowsTotal: number;
  rejections: Rejection[];
  changes: Record<string, number>;
  /** The units (förvaltningar) the import touched, for the audit log and the import list's scope. */
  scope: string[];
  statements(batchId: number): CompiledQuery[];
}

/** Rows of `params` bound values each, in statements of at most D1's 100 parameters. */
export function chunksOf<T>(rows: T[], params: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_BOUND_PARAMS / Math.max(1, params)));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** A value written into the statement as a literal: only for numbers and strings we made ourselves. */
export const lit = <V extends number | string>(v: V) => sql.lit<V>(v);

/** Lets the event loop answer other requests during a long in-memory pass. */
export const yieldNow = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export function errorsOf(rejections: Rejection[], lang: Lang): ImportError[] {
  return rejections.map((r) => {
    const messageSv = message('sv', r.key, r.params);
    const messageEn = message('en', r.key, r.params);
    return { row: r.row, column: r.column, message: lang === 'en' ? messageEn : messageSv, messageSv, messageEn };
  });
}

const RETRIES = 3;
const isConflict = (e: unknown) => /UNIQUE constraint|PRIMARY KEY|SQLITE_CONSTRAINT/i.test(String((e as Error)?.message ?? e));

/**
 * Plans the import and, unless it is a dry run, writes it as one all-or-nothing batch: the
 * batch row, the records, the rejected rows and the audit entry land together or not at all.
 * Ids are taken as max + 1 when the plan is made, so an import that committed meanwhile makes
 * this one collide on a key: then it is planned again from what is now held.
 */
export async function runImport(ctx: ImportContext, makePlan: () => Promise<Plan>): Promise<ImportAnswer> {
  for (let attempt = 1; ; attempt++) {
    const plan = await makePlan();
    const errors = errorsOf(plan.rejections, ctx.lang);
    const rowsRejected = new Set(plan.rejections.map((r) => r.row)).size;
    const answer: ImportAnswer = {
      batchId: null,
      dryRun: ctx.dryRun,
      kind: plan.kind,
      rowsTotal: plan.rowsTotal,
      rowsAccepted: plan.rowsTotal - rowsRejected,
      rowsRejected,
      errors,
      changes: plan.changes,
    };
    if (ctx.dryRun) return answer;
    const last = await ctx.db.selectFrom('import_batch').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    const batchId = Number(last?.id ?? 0) + 1;
    const now = new Date().toISOString();
    const statements: CompiledQuery[] = [
      ctx.db
        .insertInto('import_batch')
        .values({
          id: batchId,
          kind: plan.kind,
          mode: plan.mode ?? null,
          as_of: plan.asOf ?? null,
          file_name: ctx.fileName,
          file_sha256: ctx.fileSha256,
          started_by: ctx.actor,
          started_at: now,
          finished_at: now,
          status: 'committed',
          rows_total: answer.rowsTotal,
          rows_accepted: answer.rowsAccepted,
          rows_rejected: answer.rowsRejected,
          changes_json: JSON.stringify({ ...plan.changes, scope: plan.scope }),
        })
        .compile(),
      ...plan.statements(batchId),
    ];
    const rejected = plan.rejections.map((r, i) => ({
      row_number: r.row,
      column_name: r.column,
      message_sv: errors[i].messageSv,
      message_en: errors[i].messageEn,
      row_json: JSON.stringify(r.values),
    }));
    for (const chunk of chunksOf(rejected, 5)) {
      statements.push(ctx.db.insertInto('import_rejected_row').values(chunk.map((r) => ({ ...r, batch_id: lit(batchId) }))).compile());
    }
    statements.push(
      auditQuery(
        ctx.db,
        {
          actor: ctx.actor,
          kind: 'import',
          action: plan.kind,
          scope: plan.scope.join(',') || null,
          detail: { batchId, fileName: ctx.fileName, mode: plan.mode ?? null, asOf: plan.asOf ?? null, rowsTotal: answer.rowsTotal, rowsAccepted: answer.rowsAccepted, rowsRejected: answer.rowsRejected, changes: plan.changes },
        },
        now,
      ),
    );
    ctx.progress?.({ phase: 'write', done: 0, total: statements.length });
    try {
      await ctx.atomic(statements, { onProgress: (done, total) => ctx.progress?.({ phase: 'write', done, total }) });
    } catch (e) {
      if (attempt < RETRIES && isConflict(e)) continue;
      throw e;
    }
    ctx.progress?.({ phase: 'write', done: statements.length, total: statements.length });
    return { ...answer, batchId };
  }
}
