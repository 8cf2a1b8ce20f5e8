import type { D1Database, ExecutionContext } from '@cloudflare/workers-types';
import { createApp } from './app.ts';
import { signInFor } from './auth/tokens.ts';
import { readConfig } from './config.ts';
import { d1Atomic } from './db/atomic.ts';
import { openD1 } from './db/d1.ts';

/** What wrangler.toml binds: the D1 database, plus vars and secrets (all strings). */
export interface WorkerEnv {
  DB: D1Database;
  [name: string]: unknown;
}

/** Workers entry: D1 into the same createApp. Components and the demo page are static assets. */
export function workerApp(env: WorkerEnv) {
  const vars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const config = readConfig(vars);
  const db = openD1(env.DB);
  return createApp({ db, atomic: d1Atomic(env.DB), config, ...signInFor(config) });
}

// One app per isolate: bindings and vars do not change while it lives, and dev tokens signed
// with a random key (no KK_DEV_SECRET) stay valid across its requests.
let app: ReturnType<typeof workerApp> | undefined;

export default {
  fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext) {
    app ??= workerApp(env);
    return app.fetch(request, env, ctx);
  },
};
