/**
 * Following a queued import (Workers' stream path, docs/workers.md "Large imports on Workers") to
 * its end on `GET /api/imports/:id`: its progress while the queue works, then the same answer a
 * small upload gives — a dry run's stored answer, or a commit's figures and rejected rows — or
 * its problem thrown as the ApiError a small upload's refusal would be.
 */
import { apiFetch, ApiError, langOf, t, url, type ApiHost, type ImportResult, type Problem } from './api.ts';

/** `progress` of GET /api/imports/:id (server/imports/queue-import.ts JobProgress). */
export interface JobProgress {
  state: 'queued' | 'running' | 'committed' | 'planned' | 'failed';
  /** Slices read (completions: imported) of `slices`. */
  slicesDone: number;
  slices: number;
  rowsDone: number;
  rowsRejected: number;
  skippedRows: number;
  problem: Problem | null;
}

/** GET /api/imports/:id, the parts read here. */
interface BatchAnswer {
  id: number;
  status: string;
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  changes: Record<string, number>;
  progress?: JobProgress;
  rejected: { row: number; column: string | null; messageSv: string; messageEn: string }[];
  /** A planned dry run's answer. */
  result?: ImportResult;
}

/** First wait, and the longest: polls slow down while nothing moves, and speed up when it does. */
export const POLL_FIRST_MS = 2_000;
export const POLL_MAX_MS = 15_000;
/** Failed polls in a row (network, 5xx) before the element gives up and says so. */
const POLL_FAILURES = 8;
/** A poll that hangs (a busy local workerd was seen to) is dropped and tried again. */
const POLL_TIMEOUT_MS = 30_000;

export interface Follow {
  /** Each poll's progress while the import is not done. */
  onProgress(p: JobProgress): void;
  /** Waits before the next poll (the element parks it while it is off the page). */
  pause(ms: number): Promise<void>;
}

export async function followImport(host: ApiHost, batchId: number, follow: Follow): Promise<ImportResult> {
  let delay = POLL_FIRST_MS;
  let failures = 0;
  let last = '';
  for (;;) {
    await follow.pause(delay);
    let answer: BatchAnswer;
    try {
      const res = await apiFetch(host, url(host, `/api/imports/${batchId}`), { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(POLL_TIMEOUT_MS) });
      answer = (await res.json()) as BatchAnswer;
      failures = 0;
    } catch (e) {
      // The import goes on at the server whatever a poll meets: a passing failure is only waited out.
      const passing = !(e instanceof ApiError) || e.status === 0 || e.status === 429 || e.status >= 500;
      if (passing && ++failures < POLL_FAILURES) {
        delay = Math.min(delay * 2, POLL_MAX_MS);
        continue;
      }
      throw e;
    }
    const p = answer.progress;
    if (!p) return fromBatch(host, answer, 0);
    if (p.state === 'planned') {
      if (answer.result) return answer.result;
      throw new ApiError(500, t(host.lang, 'impQueuedGone'));
    }
    if (p.state === 'committed') return fromBatch(host, answer, p.skippedRows);
    if (p.state === 'failed') {
      const problem = p.problem ?? undefined;
      throw new ApiError(problem?.status ?? 500, problem?.detail || problem?.title || t(host.lang, 'errorUnexpected', { status: problem?.status ?? 500 }), problem);
    }
    follow.onProgress(p);
    const now = `${p.state}:${p.slicesDone}:${p.rowsDone}`;
    delay = now === last ? Math.min(Math.round(delay * 1.5), POLL_MAX_MS) : POLL_FIRST_MS;
    last = now;
  }
}

/** A committed import's answer from its batch: the figures, changes and rejected rows a commit answers. */
function fromBatch(host: ApiHost, b: BatchAnswer, skippedRows: number): ImportResult {
  if (b.status !== 'committed') throw new ApiError(500, t(host.lang, 'impQueuedGone'));
  const en = langOf(host.lang) === 'en';
  return {
    batchId: b.id,
    rowsTotal: b.rowsTotal,
    rowsAccepted: b.rowsAccepted,
    rowsRejected: b.rowsRejected,
    skippedRows,
    changes: b.changes,
    errors: b.rejected.map((r) => ({ row: r.row, column: r.column, message: en ? r.messageEn : r.messageSv })),
  };
}
