import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, setQuietLogs, type AppType } from '../../server/app.ts';
import { devTokens, type RoleClaim } from '../../server/auth/tokens.ts';
import { readConfig, type Config } from '../../server/config.ts';
import { sqliteAtomic, type AtomicRunner } from '../../server/db/atomic.ts';
import type { Db } from '../../server/db/schema.ts';
import { openSqlite, type SqliteHandle } from '../../server/db/sqlite.ts';

setQuietLogs(true);

/** The real app on a real SQLite file in a temporary folder, with development sign-in. */
export interface Harness {
  app: AppType;
  db: Db;
  /** The app's all-or-nothing writer (D1 batches under workerd). */
  atomic: AtomicRunner;
  handle: SqliteHandle;
  file: string;
  config: Config;
  /** SQL statements run since the last reset (for the constant-statements test). */
  statements: string[];
  token(employeeNumber: string, roles?: RoleClaim[] | { role: RoleClaim['role']; unit?: string | null }[]): Promise<string>;
  /** GET (or another method) with a bearer token; returns the Response. */
  request(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  /** GET with a token, expecting 200; returns the parsed JSON. */
  json<T = any>(path: string, token: string): Promise<T>;
  close(): Promise<void>;
}

export async function nodeHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'kk-test-'));
  const file = join(dir, 'kk.db');
  const statements: string[] = [];
  const handle = openSqlite(file, { onQuery: (sql) => statements.push(sql) });
  const config = readConfig({ KK_AUTH: 'dev', KK_DB: file, ...env });
  const dev = devTokens('test-secret-that-is-long-enough');
  const atomic = sqliteAtomic(handle.db);
  const app = createApp({ db: handle.db, atomic, config, auth: dev, devTokens: dev });
  const h: Harness = {
    app,
    db: handle.db,
    atomic,
    handle,
    file,
    config,
    statements,
    token: (employeeNumber, roles = []) => dev.issue(employeeNumber, roles.map((r) => ({ role: r.role, unit: r.unit ?? null }))),
    async request(path, init = {}) {
      const { token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      return app.request(path, { ...rest, headers });
    },
    async json(path, token) {
      const res = await h.request(path, { token });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json();
    },
    async close() {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
