import { performance } from 'node:perf_hooks';

/** Times repeated runs: the median and p95 (nearest rank) of `runs` after `warmup` unrecorded ones. */
export interface Timing {
  runs: number;
  median: number;
  p95: number;
  samples: number[];
  /** Server CPU time per request, where measured. */
  cpu?: number;
}

export function summarise(samples: number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  const rank = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  return { runs: s.length, median: median(s), p95: rank(0.95), samples };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * The bench's own garbage (the generated city is hundreds of MB) is collected before each series
 * (`npm run bench` runs node with --expose-gc), so that the measuring process's pauses are not
 * counted as the server's latency.
 */
function collect() {
  (globalThis as { gc?: () => void }).gc?.();
}

export async function repeat(runs: number, warmup: number, fn: (i: number) => Promise<unknown> | unknown): Promise<Timing> {
  collect();
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  return summarise(samples);
}

export async function once<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}
