import type { Db } from '../db/schema.ts';
import { writeXlsx, type Cell } from '../exports/xlsx-writer.ts';
import type { Reach } from './reach.ts';

export interface BatchView {
  id: number;
  kind: string;
  mode: string | null;
  asOf: string | null;
  fileName: string | null;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  status: string;
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  changes: Record<string, number>;
  scope: string[];
}

type BatchRow = Awaited<ReturnType<typeof batchQuery>>[number];
// A dry run's batch row (a large import's on Workers, sql/0014) is no import: on Node a dry run has none.
const batchQuery = (db: Db) => db.selectFrom('import_batch').selectAll().where('dry_run', '=', 0).orderBy('id', 'desc').limit(200).execute();

function view(b: BatchRow): BatchView {
  const { scope = [], ...changes } = (b.changes_json ? JSON.parse(b.changes_json) : {}) as Record<string, number> & { scope?: string[] };
  return {
    id: b.id,
    kind: b.kind,
    mode: b.mode,
    asOf: b.as_of,
    fileName: b.file_name,
    startedBy: b.started_by,
    startedAt: b.started_at,
    finishedAt: b.finished_at,
    // A dry run's row is `failed` in the table (it never commits): shown for what it is.
    status: b.dry_run ? 'dryRun' : b.status,
    rowsTotal: b.rows_total,
    rowsAccepted: b.rows_accepted,
    rowsRejected: b.rows_rejected,
    changes,
    scope,
  };
}

/** Whether a batch is the caller's to see: anyone's for a reader of all, else their own or one wholly within their reach. */
export function visible(b: BatchView, actor: string, reach: Reach): boolean {
  return reach.all || b.startedBy === actor || (b.scope.length > 0 && b.scope.every((u) => reach.units.has(u)));
}

export async function listBatches(db: Db, actor: string, reach: Reach): Promise<BatchView[]> {
  return (await batchQuery(db)).map(view).filter((b) => visible(b, actor, reach));
}

export async function findBatch(db: Db, id: number): Promise<BatchView | undefined> {
  const b = await db.selectFrom('import_batch').selectAll().where('id', '=', id).executeTakeFirst();
  return b ? view(b) : undefined;
}

export interface RejectedRowView {
  row: number;
  column: string | null;
  messageSv: string;
  messageEn: string;
  values: Record<string, unknown>;
}

export async function rejectedRows(db: Db, batchId: number): Promise<RejectedRowView[]> {
  const rows = await db.selectFrom('import_rejected_row').selectAll().where('batch_id', '=', batchId).orderBy('row_number').orderBy('id').execute();
  return rows.map((r) => ({
    row: r.row_number,
    column: r.column_name,
    messageSv: r.message_sv,
    messageEn: r.message_en,
    values: r.row_json ? JSON.parse(r.row_json) : {},
  }));
}

/** The rejected rows as a workbook the coordinator can correct and send again. */
export function rejectedWorkbook(rows: RejectedRowView[]): Uint8Array {
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r.values)) if (!columns.includes(k)) columns.push(k);
  const header = ['Rad / Row', 'Kolumn / Column', 'Orsak', 'Reason', ...columns];
  // Every value is written as a string cell (xlsx-writer never writes formulas): nothing from a
  // file becomes a formula, whatever it begins with.
  const cell = (v: unknown): Cell => ({ t: 's', v: v === null || v === undefined ? '' : String(v) });
  const body: Cell[][] = rows.map((r) => [{ t: 'n', v: r.row }, cell(r.column), cell(r.messageSv), cell(r.messageEn), ...columns.map((k) => cell(r.values[k]))]);
  return writeXlsx([
    {
      name: 'Avvisade rader',
      rows: [header.map((v) => ({ t: 's' as const, v, bold: true })), ...body],
      widths: [10, 16, 40, 40, ...columns.map(() => 18)],
      table: true,
    },
  ]);
}
