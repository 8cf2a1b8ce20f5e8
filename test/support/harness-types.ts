import type { AppType } from '../../server/app.ts';
import type { RoleClaim } from '../../server/auth/tokens.ts';
import type { Config } from '../../server/config.ts';
import type { AtomicRunner } from '../../server/db/atomic.ts';
import type { Db } from '../../server/db/schema.ts';

/**
 * The real app on a fresh, migrated database with development sign-in. The same interface on
 * Node (SQLite file, harness.ts) and inside workerd (local D1, harness-workers.ts): tests in
 * test/api/ use only this, so one suite runs on both runtimes.
 */
export interface Harness {
  app: AppType;
  db: Db;
  config: Config;
  /** The runtime's all-or-nothing writer (a SQLite transaction on Node, D1 batches in workerd). */
  atomic: AtomicRunner;
  /** 'node' or 'workers': for messages only; tests assert the same figures on both. */
  runtime: 'node' | 'workers';
  /** SQL statements run since the harness was made; clear with `statements.length = 0`. */
  statements: string[];
  token(employeeNumber: string, roles?: RoleClaim[] | { role: RoleClaim['role']; unit?: string | null }[]): Promise<string>;
  /** GET (or another method) with a bearer token; returns the Response. */
  request(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  /** GET with a token, expecting 200; returns the parsed JSON. */
  json<T = any>(path: string, token: string): Promise<T>;
  close(): Promise<void>;
}

export const TEST_DEV_SECRET = 'test-secret-that-is-long-enough';

/** The parts of a harness that do not depend on the runtime. */
export function harnessCalls(app: AppType, issue: (employeeNumber: string, roles: RoleClaim[]) => Promise<string>) {
  const request: Harness['request'] = async (path, init = {}) => {
    const { token, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    return app.request(path, { ...rest, headers });
  };
  const json: Harness['json'] = async (path, token) => {
    const res = await request(path, { token });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const token: Harness['token'] = (employeeNumber, roles = []) =>
    issue(employeeNumber, roles.map((r) => ({ role: r.role, unit: r.unit ?? null })));
  return { request, json, token };
}
