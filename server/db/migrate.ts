import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

export interface Migration {
  name: string;
  sql: string;
}

export const MIGRATIONS_DIR = new URL('../../sql/', import.meta.url).pathname;

/** The files of sql/ in order, named as wrangler names them (file name without extension). */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_.*\.sql$/.test(f))
    .sort()
    .map((f) => ({ name: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
}

// Same table as wrangler's, so a database moved between the runtimes knows what it has.
const TABLE = `CREATE TABLE IF NOT EXISTS d1_migrations(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT UNIQUE,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`;

/** Applies the migrations not yet recorded, each in its own transaction; returns their names. */
export function migrate(sqlite: BetterSqlite3.Database, migrations = readMigrations()): string[] {
  sqlite.exec(TABLE);
  const applied = new Set(
    (sqlite.prepare('SELECT name FROM d1_migrations').all() as { name: string }[]).map((r) => r.name),
  );
  const done: string[] = [];
  for (const m of migrations) {
    if (applied.has(m.name) || applied.has(`${m.name}.sql`)) continue;
    sqlite.transaction(() => {
      sqlite.exec(m.sql);
      sqlite.prepare('INSERT INTO d1_migrations (name) VALUES (?)').run(m.name);
    })();
    done.push(m.name);
  }
  return done;
}

export function pendingMigrations(appliedNames: string[], migrations = readMigrations()): string[] {
  const applied = new Set(appliedNames.map((n) => n.replace(/\.sql$/, '')));
  return migrations.map((m) => m.name).filter((n) => !applied.has(n));
}
