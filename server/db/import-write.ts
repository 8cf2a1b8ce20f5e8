import type { CompiledQuery, Insertable } from 'kysely';
import { AtomicWriteError, concatStatements, runAtomic, type AtomicRunner, type Statements } from './atomic.ts';
import type { Db, ImportBatchTable } from './schema.ts';

/**
 * What takes an import back, beside the rows that carry its batch id (those `ownedRowsUndo`
 * deletes). Built from the plan, which holds every value it compared against. The runner does not
 * know how far the write got (which D1 batches committed), so every statement must be right after
 * any prefix of it: set a column to its old value, delete, or insert a deleted row back `or ignore`
 * (it is still there when the delete never ran).
 */
export interface ImportUndo {
  /**
   * Rows the import changed but does not own, put back as they were: people renamed, employments
   * ended, edited or deleted, unit versions updated. Runs first, while the batch's own rows still
   * exist (a unit version the import updated carries its batch id until this gives the old one back).
   */
  restore: CompiledQuery[];
  /** Rows it created that carry no batch id (people): deleted after the rows that refer to them. */
  created: CompiledQuery[];
}

export const noUndo = (): ImportUndo => ({ restore: [], created: [] });

export interface ImportWrite {
  /** Planned by the caller (max + 1 when the plan was made): a batch committed meanwhile collides on it. */
  id: number;
  /** The batch row; written first as `failed` with no `finished_at`, marked `committed` last. */
  batch: Omit<Insertable<ImportBatchTable>, 'id' | 'status' | 'finished_at'>;
  /** The import's statements, every row it inserts carrying `id` (people aside: see ImportUndo.created). */
  statements: Statements;
  undo: ImportUndo;
  /** The batch row exists already (reserved as `failed`): it is updated, and an undo leaves it. */
  reserved?: boolean;
  finishedAt: string;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Deletes every row carrying the batch id: its records, its rejected rows and its audit entry
 * (found by the batch id the entry's detail names). The batch row itself is deleted last of all
 * by `importUndo`, so that rows left by an undo that did not finish still point to a `failed` batch.
 */
export function ownedRowsUndo(db: Db, batchId: number, kind: ImportBatchTable['kind']): CompiledQuery[] {
  return [
    db.deleteFrom('completion').where('import_batch_id', '=', batchId).compile(),
    db.deleteFrom('employment').where('import_batch_id', '=', batchId).compile(),
    db.deleteFrom('org_unit').where('import_batch_id', '=', batchId).compile(),
    db.deleteFrom('import_rejected_row').where('batch_id', '=', batchId).compile(),
    db
      .deleteFrom('audit_log')
      .where('kind', '=', 'import')
      .where('action', '=', kind)
      .where((eb) => eb(eb.fn('json_extract', ['detail_json', eb.val('$.batchId')]), '=', batchId))
      .compile(),
  ];
}

/** The whole undo of one import, in the order it must run. */
export function importUndo(db: Db, batchId: number, kind: ImportBatchTable['kind'], undo: ImportUndo, reserved = false): CompiledQuery[] {
  return [
    ...undo.restore,
    ...ownedRowsUndo(db, batchId, kind),
    ...undo.created,
    ...(reserved ? [] : [db.deleteFrom('import_batch').where('id', '=', batchId).where('status', '=', 'failed').compile()]),
  ];
}

/**
 * Commits an import all-or-nothing on both engines, as one list handed to `atomic`:
 *
 * 1. first the batch row, as `failed` with no `finished_at`;
 * 2. the import's statements (rows it inserts carry the batch id);
 * 3. last, the update that marks the batch `committed`.
 *
 * On Node the list is one SQLite transaction. On D1 it is one batch (a transaction) when it fits,
 * else several in order; if batch k > 0 fails, the runner runs `importUndo` — what the import
 * changed put back, every row carrying the batch id deleted, the people it created deleted, the
 * batch row deleted last — and rethrows. If the undo itself fails (AtomicWriteError with
 * `undoFailed`), the batch row stays `failed` and is given its `finished_at`, so leftover rows are
 * recognisable by their batch; a Worker killed between batches leaves the same with no `finished_at`.
 */
export async function writeImport(deps: { db: Db; atomic: AtomicRunner }, w: ImportWrite): Promise<number> {
  const { db } = deps;
  const statements = concatStatements(
    [
      w.reserved
        ? db.updateTable('import_batch').set({ ...w.batch, status: 'failed', finished_at: null }).where('id', '=', w.id).where('status', '=', 'failed').compile()
        : db.insertInto('import_batch').values({ ...w.batch, id: w.id, status: 'failed', finished_at: null }).compile(),
    ],
    w.statements,
    [db.updateTable('import_batch').set({ status: 'committed', finished_at: w.finishedAt }).where('id', '=', w.id).compile()],
  );
  try {
    await runAtomic(deps.atomic, statements, { undo: importUndo(db, w.id, w.batch.kind, w.undo, w.reserved), onProgress: w.onProgress });
  } catch (e) {
    if (e instanceof AtomicWriteError && e.undoFailed) {
      await db
        .updateTable('import_batch')
        .set({ finished_at: w.finishedAt })
        .where('id', '=', w.id)
        .where('status', '=', 'failed')
        .execute()
        .catch(() => undefined);
    }
    throw e;
  }
  return w.id;
}
