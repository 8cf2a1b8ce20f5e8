import type { Worker } from 'node:worker_threads';
import type { CompiledQuery } from 'kysely';
import type { PartitionRunner } from './partitions.ts';
import { closeThread, sqliteThread } from './sqlite-thread.ts';

// Each thread reads through a connection of its own (query_only: it can never write).
const SETUP = `
db.pragma('query_only = 1');
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -' + workerData.cacheKb);
const statements = new Map();`;
const ON_MESSAGE = `
  try {
    let stmt = statements.get(m.sql);
    if (!stmt) {
      stmt = db.prepare(m.sql);
      statements.set(m.sql, stmt);
      if (statements.size > 200) statements.delete(statements.keys().next().value);
    }
    parentPort.postMessage({ id: m.id, rows: stmt.all(m.parameters) });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) });
  }`;

type Pending = { resolve: (rows: unknown[]) => void; reject: (e: Error) => void };

/**
 * Threads that each hold a read connection to the database file, for statements split by
 * partition (`partitions.ts`). While they run, the event loop serves other requests.
 */
export class ReadPool implements PartitionRunner {
  #threads: number;
  #workers: Worker[];
  #pending = new Map<number, Pending>();
  #next = 1;
  #turn = 0;
  #closing = false;
  #broken: Error | null = null;

  constructor(file: string, threads: number, cacheKb = 16_384) {
    this.#threads = threads;
    this.#workers = Array.from({ length: threads }, () => {
      const w = sqliteThread(file, { setup: SETUP, onMessage: ON_MESSAGE }, { cacheKb });
      w.on('message', (m: { id: number; rows?: unknown[]; error?: string }) => {
        const p = this.#pending.get(m.id);
        if (!p) return;
        this.#pending.delete(m.id);
        if (m.error !== undefined) p.reject(new Error(m.error));
        else p.resolve(m.rows!);
      });
      w.on('error', (e) => this.#fail(e));
      w.on('exit', () => this.#fail(new Error('a read thread ended')));
      return w;
    });
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
    if (this.#broken) return Promise.reject(this.#broken);
    // Round the threads from where the last call stopped, so two requests share them out.
    const start = this.#turn;
    this.#turn = (this.#turn + queries.length) % this.#workers.length;
    return Promise.all(
      queries.map(
        (q, i) =>
          new Promise<R[]>((resolve, reject) => {
            const id = this.#next++;
            this.#pending.set(id, { resolve: resolve as (rows: unknown[]) => void, reject });
            this.#workers[(start + i) % this.#workers.length].postMessage({ id, sql: q.sql, parameters: q.parameters });
          }),
      ),
    );
  }

  async close(): Promise<void> {
    this.#closing = true;
    if (this.#broken) return;
    const workers = this.#workers;
    this.#workers = [];
    await Promise.all(workers.map(closeThread));
  }
}
