import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { migrate } from './migrate.ts';
import type { Database } from './schema.ts';

export interface SqliteHandle {
  db: Kysely<Database>;
  sqlite: BetterSqlite3.Database;
  close(): Promise<void>;
}

/** Opens (creating if needed) the embedded database in WAL mode and brings its schema up to date. */
export function openSqlite(file: string, opts: { onQuery?: (sql: string) => void } = {}): SqliteHandle {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  migrate(sqlite);
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: preparedOnce(sqlite) }),
    log: opts.onQuery ? (e) => opts.onQuery!(e.query.sql) : undefined,
  });
  return {
    db,
    sqlite,
    async close() {
      await db.destroy();
    },
  };
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
    prepare(text: string): BetterSqlite3.Statement {
      const hit = cache.get(text);
      if (hit && !hit.busy) {
        cache.delete(text);
        cache.set(text, hit);
        return hit;
      }
      const stmt = sqlite.prepare(text);
      if (!hit) {
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
