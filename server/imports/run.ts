import { runImport, type ImportAnswer, type ImportContext, type ImportKind } from './batch.ts';
import { planCompletions } from './completions.ts';
import type { Mapping } from './headers.ts';
import { readSheet, type ReadLimits } from './read-sheet.ts';
import { planRoster, type RosterMode } from './roster.ts';
import { planUnits } from './units.ts';

export interface FileImport {
  kind: ImportKind;
  bytes: Uint8Array;
  sheetName?: string;
  mode?: RosterMode;
  /** A roster snapshot's unit: the subtree it is the whole staff of (else its rows' förvaltningar). */
  scope?: string;
  asOf: string;
  limits?: ReadLimits;
  /** The coordinator's column choices for this upload (header as written → field key). */
  mapping?: Mapping;
}

/** Bytes to answer: read the sheet once, then plan (and unless a dry run, commit) the import. */
export async function importFile(ctx: ImportContext, f: FileImport): Promise<ImportAnswer> {
  ctx.progress?.({ phase: 'read', done: 0, total: f.bytes.length });
  const sheet = await readSheet(f.bytes, { fileName: ctx.fileName ?? undefined, sheetName: f.sheetName, limits: f.limits });
  ctx.progress?.({ phase: 'read', done: f.bytes.length, total: f.bytes.length });
  ctx.progress?.({ phase: 'check', done: 0, total: sheet.rows.length });
  switch (f.kind) {
    case 'units':
      return runImport(ctx, () => planUnits(ctx, sheet, f.mapping));
    case 'roster':
      return runImport(ctx, () => planRoster(ctx, sheet, f.mode ?? 'history', f.asOf, f.scope, f.mapping));
    case 'completions':
      return runImport(ctx, () => planCompletions(ctx, sheet, f.mapping));
  }
}
