import type { Worker } from 'node:worker_threads';
import type { CompiledQuery } from 'kysely';
import type { ReadRunner } from './read-runner.ts';
import { closeThread, sqliteThread } from './sqlite-thread.ts';

// Each thread reads through a connection of its own (query_only: it can never write).
const SETUP = `
db.pragma('query_only = 1');
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -' + workerData.cacheKb);
// The text of a statement crosses to the thread once, with its key; later messages carry only
// the key. A copy of the text on every message measured ~10 % of the event loop's time under
// load on my-training (autocannon, a CPU profile): its statements are ~4 KB each.
const texts = new Map();
const statements = new Map();
function rowsOf(q) {
  if (q.sql !== undefined) texts.set(q.key, q.sql);
  let stmt = statements.get(q.key);
  if (!stmt) {
    stmt = db.prepare(texts.get(q.key));
    statements.set(q.key, stmt);
  }
  return stmt.all(q.parameters);
}
// A batch reads one snapshot: its statements see the same state of the file.
const inOneRead = db.transaction((queries) => queries.map(rowsOf));`;
const ON_MESSAGE = `
  if (m.forget) {
    texts.clear();
    statements.clear();
  }
  try {
    const rows = m.queries.length === 1 ? [rowsOf(m.queries[0])] : inOneRead(m.queries);
    parentPort.postMessage({ id: m.id, rows });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) });
  }`;

/** Statements a thread keeps at most; past that it is told to forget them all and start again. */
const KEPT_STATEMENTS = 200;

type Pending = { resolve: (rows: unknown[][]) => void; reject: (e: Error) => void; thread: number; share: boolean };

/**
 * Threads that each hold a read connection to the database file, for statements split by
 * partition and for batches of short ones (`read-runner.ts`). While they run, the event loop
 * serves other requests.
 */
export class ReadPool implements ReadRunner {
  #threads: number;
  #workers: Worker[];
  /** For each thread, the key of every statement text it has been sent. */
  #known: Map<string, number>[];
  #key = 1;
  #pending = new Map<number, Pending>();
  #next = 1;
  #turn = 0;
  /** For each thread, the count shares (`all`) it has not yet answered. */
  #shares: number[];
  #closing = false;
  #broken: Error | null = null;

  constructor(file: string, threads: number, cacheKb = 16_384) {
    this.#threads = threads;
    this.#workers = Array.from({ length: threads }, () => {
      const w = sqliteThread(file, { setup: SETUP, onMessage: ON_MESSAGE }, { cacheKb });
      w.on('message', (m: { id: number; rows?: unknown[][]; error?: string }) => {
        const p = this.#pending.get(m.id);
        if (!p) return;
        this.#pending.delete(m.id);
        if (p.share) this.#shares[p.thread]--;
        if (m.error !== undefined) p.reject(new Error(m.error));
        else p.resolve(m.rows!);
      });
      w.on('error', (e) => this.#fail(e));
      w.on('exit', () => this.#fail(new Error('a read thread ended')));
      return w;
    });
    this.#known = this.#workers.map(() => new Map());
    this.#shares = this.#workers.map(() => 0);
  }

  /**
   * One (so callers run the whole statement themselves) once a thread has failed: a message
   * posted to a thread that has ended is never answered.
   */
  get partitions(): number {
    return this.#broken ? 1 : this.#threads;
  }

  #fail(e: Error) {
    if (this.#closing || this.#broken) return;
    this.#broken = e;
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
    for (const w of this.#workers) void w.terminate();
  }

  all<R>(queries: readonly CompiledQuery[]): Promise<R[][]> {
    // Round the threads from where the last call stopped, so two requests share them out.
    const start = this.#turn;
    this.#turn = (this.#turn + queries.length) % this.#workers.length;
    return Promise.all(queries.map(async (q, i) => (await this.#post<R>((start + i) % this.#workers.length, [q], true))[0]));
  }

  /**
   * Batches go to the first thread with no count share in hand (else the one with fewest), so
   * that one thread takes them while the others sleep: spreading them round the threads measured
   * slower on two cores (`npm run bench`, autocannon on my-training: 2 533–2 738 req/s, p99
   * 44–48 ms round the threads; 3 268–3 593, p99 35–41 ms this way), and a short batch never
   * waits behind a long count where a thread is free of one.
   */
  batch<R>(queries: readonly CompiledQuery[]): Promise<R[][]> {
    let at = this.#shares.indexOf(0);
    if (at < 0) at = this.#shares.indexOf(Math.min(...this.#shares));
    return this.#post<R>(at, queries, false);
  }

  #post<R>(thread: number, queries: readonly CompiledQuery[], share: boolean): Promise<R[][]> {
    if (this.#broken) return Promise.reject(this.#broken);
    return new Promise<R[][]>((resolve, reject) => {
      const id = this.#next++;
      this.#pending.set(id, { resolve: resolve as (rows: unknown[][]) => void, reject, thread, share });
      if (share) this.#shares[thread]++;
      const known = this.#known[thread];
      const forget = queries.some((q) => !known.has(q.sql)) && known.size + queries.length > KEPT_STATEMENTS;
      if (forget) known.clear();
      const sent = queries.map((q) => {
        const key = known.get(q.sql);
        if (key !== undefined) return { key, parameters: q.parameters };
        known.set(q.sql, this.#key);
        return { key: this.#key++, sql: q.sql, parameters: q.parameters };
      });
      this.#workers[thread].postMessage({ id, forget, queries: sent });
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    if (this.#broken) return;
    const workers = this.#workers;
    this.#workers = [];
    await Promise.all(workers.map(closeThread));
  }
}
