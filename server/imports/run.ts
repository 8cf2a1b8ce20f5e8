import { runImport, type ImportAnswer, type ImportContext, type ImportKind } from './batch.ts';
import { planCompletions } from './completions.ts';
import type { Mapping } from './headers.ts';
import { openSheet, type ReadLimits } from './read-sheet.ts';
import type { SheetSource } from './sheet-rows.ts';
import { planRoster, type RosterMode } from './roster.ts';
import { planUnits } from './units.ts';

/** An upload as read back: its size, first bytes, and its content whole or a chunk at a time. */
export interface UploadedFile {
  size: number;
  head: Uint8Array;
  bytes(): Promise<Uint8Array>;
  chunks(): AsyncIterable<Uint8Array>;
}

export interface FileImport {
  kind: ImportKind;
  /** The file: bytes in hand, or an upload spooled as it arrived. */
  bytes?: Uint8Array;
  file?: UploadedFile;
  sheetName?: string;
  mode?: RosterMode;
  /** A roster snapshot's unit: the subtree it is the whole staff of (else its rows' förvaltningar). */
  scope?: string;
  asOf: string;
  limits?: ReadLimits;
  /** The coordinator's column choices for this upload (header as written → field key). */
  mapping?: Mapping;
}

/** Bytes in hand as an uploaded file. */
export function fileOf(bytes: Uint8Array): UploadedFile {
  return {
    size: bytes.length,
    head: bytes.subarray(0, 16),
    bytes: async () => bytes,
    async *chunks() {
      for (let at = 0; at < bytes.length; at += 65536) yield bytes.subarray(at, at + 65536);
    },
  };
}

/**
 * File to answer: a workbook is read whole, a CSV row by row as the plan takes its rows (read and
 * check go on together; `read` progress counts bytes, once even where a plan reads the file
 * twice), then the plan is committed unless a dry run.
 */
export async function importFile(ctx: ImportContext, f: FileImport): Promise<ImportAnswer> {
  const file = f.file ?? fileOf(f.bytes ?? new Uint8Array(0));
  let workbook: SheetSource | null = null;
  // Opened again for each planning (runImport plans again after a concurrent commit): a CSV is
  // read again from the file, a workbook read once is kept.
  // `again`: the same file read a second time in one plan (a roster's), its reading not shown again.
  const open = async (again = false): Promise<SheetSource> => {
    if (workbook) return workbook;
    let read = 0;
    let lastShown = 0;
    if (!again) ctx.progress?.({ phase: 'read', done: 0, total: file.size });
    const onBytes = (n: number) => {
      if (again) return;
      read += n;
      // A line a megabyte or so: a 125 MB file would otherwise send two thousand.
      if (read - lastShown >= 1 << 20 || read === file.size) {
        lastShown = read;
        ctx.progress?.({ phase: 'read', done: read, total: file.size });
      }
    };
    const source = await openSheet(file, { fileName: ctx.fileName ?? undefined, sheetName: f.sheetName, limits: f.limits, onBytes });
    if (source.kind === 'sheet') workbook = source;
    return source;
  };
  // Units are checked once all their rows are in (completions as they come; a roster's names
  // first, then its rows as they come).
  const checking = async () => {
    const source = await open();
    ctx.progress?.({ phase: 'check', done: 0, total: 0 });
    return source;
  };
  switch (f.kind) {
    case 'units':
      return runImport(ctx, async () => planUnits(ctx, await checking(), f.mapping));
    case 'roster':
      return runImport(ctx, async () => planRoster(ctx, open, f.mode ?? 'history', f.asOf, f.scope, f.mapping));
    case 'completions':
      return runImport(ctx, async () => planCompletions(ctx, await open(), f.mapping));
  }
}
