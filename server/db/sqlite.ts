import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';
import { migrate } from './migrate.ts';
import { setReadRunner } from './read-runner.ts';
import { setRowSource } from './row-source.ts';
import { ReadPool } from './read-pool.ts';
import { closeThread, sqliteThread } from './sqlite-thread.ts';
import { RowsInsert } from './rows-insert.ts';
import type { Database } from './schema.ts';

export interface SqliteHandle {
  db: Kysely<Database>;
  sqlite: BetterSqlite3.Database;
  close(): Promise<void>;
}

/** Opens (creating if needed) the embedded database in WAL mode and brings its schema up to date. */
export function openSqlite(file: string, opts: { onQuery?: (sql: string) => void; readThreads?: number } = {}): SqliteHandle {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  migrate(sqlite);
  const log = opts.onQuery ? (e: { query: { sql: string } }) => opts.onQuery!(e.query.sql) : undefined;
  if (file === ':memory:') {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: preparedOnce(sqlite) }), log });
    return { db, sqlite, close: () => db.destroy() };
  }
  const reader = new BetterSqlite3(file);
  reader.pragma('busy_timeout = 5000');
  // SQLite's default page cache is 2 MB; a city-wide count reads ~30 MB of index pages, each miss
  // a read from the OS (`npm run bench`: ~10 % of the city-root count).
  reader.pragma('cache_size = -32768');
  // The writer's changed pages are written out at COMMIT, all that its cache holds in one stretch:
  // with 32 MB a 300 000-row import's commit held every request ~55 ms, with 8 MB ~25 ms (pages
  // past that go to the WAL as the statements run, between their pauses). Reads outside a
  // transaction, the large ones among them, go to the reader.
  sqlite.pragma('cache_size = -8192');
  sqlite.pragma('wal_autocheckpoint = 0');
  const checkpoints = new Checkpointer(file, () => sqlite.pragma('wal_autocheckpoint = 1000'));
  const driver = new TwoConnections(preparedOnce(sqlite), preparedOnce(reader), checkpoints);
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => driver,
      createIntrospector: (k) => new SqliteIntrospector(k),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
    log,
  });
  // Read threads (`read-runner.ts`: long counts split by person, my-training's batches), two or
  // more; off by default.
  const pool = (opts.readThreads ?? 0) > 1 ? new ReadPool(file, opts.readThreads!) : null;
  if (pool) setReadRunner(db, pool);
  // Large answers row by row from the reader (`row-source.ts`), logged as Kysely logs the others.
  setRowSource(db, <R>(q: CompiledQuery<R>) => {
    opts.onQuery?.(q.sql);
    const stmt = driver.reader.prepare(q.sql);
    if (!stmt.readonly) throw new Error('only read-only statements are read row by row');
    return stmt.iterate(q.parameters as unknown[]) as Iterable<R>;
  });
  return {
    db,
    sqlite,
    close: async () => {
      await pool?.close();
      await db.destroy();
    },
  };
}

type Prepared = ReturnType<typeof preparedOnce>;

/** A multi-row insert's rows through one kept single-row statement (`RowsInsert`). */
function runRows(conn: Prepared, q: RowsInsert): QueryResult<never> {
  const stmt = conn.prepare(q.rowSql, true);
  let changes = 0;
  let last: number | bigint = 0;
  for (const row of q.rows) {
    const r = stmt.run(row);
    changes += r.changes;
    last = r.lastInsertRowid;
  }
  return { numAffectedRows: BigInt(changes), insertId: BigInt(last), rows: [] };
}

function run(conn: Prepared, stmt: BetterSqlite3.Statement, q: CompiledQuery): QueryResult<never> {
  if (stmt.reader) return { rows: stmt.all(q.parameters as unknown[]) as never[] };
  const { changes, lastInsertRowid } = stmt.run(q.parameters as unknown[]);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

/**
 * Kysely's SQLite driver has one connection behind a lock, held for the whole of a transaction: a
 * long import (a transaction that yields every 250 statements) made every read wait for its
 * commit (`npm run bench`, my-training while 300 000 completions commit: p99 745 ms). Here reads
 * that are not part of a transaction go to a second connection, which in WAL mode reads the last
 * committed state without waiting for the writer; writes and transactions take the lock on the
 * first connection as before. A statement is a read when SQLite says it is read-only.
 */
class TwoConnections implements Driver {
  #lock: Promise<void> | null = null;
  #unlock: (() => void) | null = null;
  constructor(
    readonly writer: Prepared,
    readonly reader: Prepared,
    readonly checkpoints: Checkpointer,
  ) {}
  async init() {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutedConnection(this);
  }
  async lockWriter() {
    while (this.#lock) await this.#lock;
    this.#lock = new Promise((resolve) => (this.#unlock = resolve));
  }
  unlockWriter() {
    const release = this.#unlock;
    this.#lock = null;
    this.#unlock = null;
    this.checkpoints.afterWrite();
    release?.();
  }
  // Kysely wraps executeQuery (for its log), so transaction control goes to the writer directly.
  async beginTransaction(c: RoutedConnection) {
    await c.onWriter(CompiledQuery.raw('begin'));
  }
  async commitTransaction(c: RoutedConnection) {
    await c.onWriter(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(c: RoutedConnection) {
    await c.onWriter(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(c: RoutedConnection) {
    c.release();
  }
  async destroy() {
    // The checkpointer's connection first: the last one closed checkpoints and removes the WAL.
    await this.checkpoints.close();
    this.writer.close();
    this.reader.close();
  }
}

class RoutedConnection implements DatabaseConnection {
  #locked = false;
  constructor(readonly driver: TwoConnections) {}
  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.#locked && !(q instanceof RowsInsert)) {
      const stmt = this.driver.reader.prepare(q.sql);
      if (stmt.readonly) return run(this.driver.reader, stmt, q) as QueryResult<R>;
    }
    return this.onWriter(q);
  }
  async onWriter<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.#locked) {
      await this.driver.lockWriter();
      this.#locked = true;
    }
    if (q instanceof RowsInsert) return runRows(this.driver.writer, q) as QueryResult<R>;
    return run(this.driver.writer, this.driver.writer.prepare(q.sql), q) as QueryResult<R>;
  }
  async *streamQuery<R>(q: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const conn = this.#locked ? this.driver.writer : this.driver.reader;
    const stmt = conn.prepare(q.sql);
    if (!stmt.readonly) throw new Error('only read-only statements can be streamed');
    for (const row of stmt.iterate(q.parameters as unknown[])) yield { rows: [row as R] };
  }
  release() {
    if (this.#locked) {
      this.#locked = false;
      this.driver.unlockWriter();
    }
  }
}

/** SQLite's own threshold for its automatic checkpoint: 1000 pages of 4 KB. */
const CHECKPOINT_AFTER_BYTES = 1000 * 4096;

/**
 * Checkpoints the WAL on a thread of its own. SQLite's automatic checkpoint runs inside the COMMIT
 * that leaves the WAL past 1000 pages, on the committing connection: after a 300 000-row import
 * that is ~40 MB copied into the database file while every request waits (~170 ms of a ~230 ms
 * commit, `npm run bench`). So the writer runs without it, and after a write that leaves the WAL
 * past the same size a worker with its own connection checkpoints, PASSIVE (it never waits for
 * readers or writers). If the worker cannot run, the writer checkpoints itself again.
 */
class Checkpointer {
  #worker: Worker | null = null;
  #state: 'idle' | 'busy' | 'again' = 'idle';
  #failed = false;
  #closed = false;
  constructor(
    readonly file: string,
    readonly fallback: () => void,
  ) {}

  afterWrite() {
    if (this.#failed || this.#closed) return;
    if (this.#state !== 'idle') {
      this.#state = 'again';
      return;
    }
    let size: number;
    try {
      size = statSync(`${this.file}-wal`).size;
    } catch {
      return;
    }
    if (size < CHECKPOINT_AFTER_BYTES) return;
    this.#state = 'busy';
    this.#start().postMessage('checkpoint');
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = sqliteThread(this.file, {
      onMessage: `
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or closing: the next write asks again
  }
  parentPort.postMessage('done');`,
    });
    worker.on('message', () => {
      const again = this.#state === 'again';
      this.#state = 'idle';
      if (again) this.afterWrite();
    });
    worker.on('error', () => {
      this.#failed = true;
      this.#worker = null;
      if (!this.#closed) this.fallback();
    });
    return (this.#worker = worker);
  }

  async close() {
    // A checkpoint finishing meanwhile must not start another worker.
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = null;
    if (!worker) return;
    await closeThread(worker);
  }
}

/**
 * Kysely prepares every statement anew; for the coverage engine's CTEs SQLite's parsing and
 * planning cost more than running them for one person (`npm run bench`: ~0.5 ms to prepare, ~0.05
 * ms to run). Statements are kept by their text, the most recent few hundred; one still being
 * iterated (a streamed query) is never handed out twice.
 */
export function preparedOnce(sqlite: BetterSqlite3.Database, size = 500) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    /** `keep`: a write that is run again and again (a `RowsInsert`'s single-row statement). */
    prepare(text: string, keep = false): BetterSqlite3.Statement {
      const hit = cache.get(text);
      if (hit && !hit.busy) {
        cache.delete(text);
        cache.set(text, hit);
        return hit;
      }
      const stmt = sqlite.prepare(text);
      // Only reads are kept, and the writes asked for: statements with values in their text (an
      // import's on D1, tens of thousands, none twice) would push the reads out.
      if (!hit && (stmt.reader || keep)) {
        cache.set(text, stmt);
        if (cache.size > size) cache.delete(cache.keys().next().value!);
      }
      return stmt;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
  };
}
