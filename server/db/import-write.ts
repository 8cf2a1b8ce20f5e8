import type { CompiledQuery, Insertable } from 'kysely';
import type { AppDeps } from '../http/env.ts';
import type { Db, ImportBatchTable } from './schema.ts';

/**
 * Commits an import all-or-nothing on both engines.
 *
 * 1. The batch row is written first on its own, as `failed` with no `finished_at`: a batch that
 *    never finishes stays truthfully marked failed, and its id is known to every later statement.
 * 2. The batch's writes (chunked inserts carrying `import_batch_id`, updates it makes) and, last,
 *    the update that marks the batch `committed` go to `deps.atomic` as one list: on Node one
 *    SQLite transaction; on D1 one batch (a transaction) when it fits, else several in order.
 * 3. If a later D1 batch fails, the undo statements run: every row carrying this batch id is
 *    deleted (units, employments, completions, rejected rows), then the caller's own undo (rows
 *    the import changed put back as they were, people it created deleted), and the batch stays
 *    `failed`. The error is rethrown for the route to answer.
 */
export interface ImportWrite {
  batch: Omit<Insertable<ImportBatchTable>, 'status' | 'finished_at'>;
  /** The import's statements, given the batch id. */
  statements: (batchId: number) => CompiledQuery[];
  /** What puts back rows the statements change but do not own (see above). */
  undo?: (batchId: number) => CompiledQuery[];
  /** Figures for the batch row once committed. */
  result: Pick<Insertable<ImportBatchTable>, 'rows_total' | 'rows_accepted' | 'rows_rejected' | 'changes_json'>;
  now?: () => string;
}

export function ownedRowsUndo(db: Db, batchId: number): CompiledQuery[] {
  return [
    db.deleteFrom('completion').where('import_batch_id', '=', batchId).compile(),
    db.deleteFrom('employment').where('import_batch_id', '=', batchId).compile(),
    db.deleteFrom('org_unit').where('import_batch_id', '=', batchId).compile(),
    db.deleteFrom('import_rejected_row').where('batch_id', '=', batchId).compile(),
  ];
}

export async function writeImport(deps: Pick<AppDeps, 'db' | 'atomic'>, w: ImportWrite): Promise<number> {
  const { db } = deps;
  const now = w.now ?? (() => new Date().toISOString());
  const { id } = await db
    .insertInto('import_batch')
    .values({ ...w.batch, status: 'failed', finished_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const statements = [
    ...w.statements(id),
    db.updateTable('import_batch').set({ ...w.result, status: 'committed', finished_at: now() }).where('id', '=', id).compile(),
  ];
  try {
    await deps.atomic(statements, { undo: [...ownedRowsUndo(db, id), ...(w.undo?.(id) ?? [])] });
  } catch (e) {
    await db.updateTable('import_batch').set({ finished_at: now() }).where('id', '=', id).execute();
    throw e;
  }
  return id;
}
