/// <reference types="@cloudflare/vitest-pool-workers/types" />
import { applyD1Migrations, env, reset, type D1Migration } from 'cloudflare:test';
import type { D1Database } from '@cloudflare/workers-types';
import { createApp, setQuietLogs } from '../../server/app.ts';
import { devTokens } from '../../server/auth/tokens.ts';
import { readConfig } from '../../server/config.ts';
import { d1Atomic } from '../../server/db/atomic.ts';
import { openD1 } from '../../server/db/d1.ts';
import { harnessCalls, TEST_DEV_SECRET, type Harness } from './harness-types.ts';

export type { Harness } from './harness-types.ts';

setQuietLogs(true);

const bindings = env as unknown as { DB: D1Database; TEST_MIGRATIONS: D1Migration[] };

/**
 * harness.ts for the vitest "workers" project (aliased in vitest.config.ts): the same app inside
 * workerd over the local D1 binding, emptied and migrated from sql/ for every harness, so each
 * test starts from a fresh database as on Node.
 */
export async function makeHarness(vars: Record<string, string> = {}): Promise<Harness> {
  // Local D1 lives in a Durable Object: reset() deletes it, the migrations rebuild it.
  await reset();
  await applyD1Migrations(bindings.DB, bindings.TEST_MIGRATIONS);
  const statements: string[] = [];
  const db = openD1(bindings.DB, { onQuery: (sql) => statements.push(sql) });
  const config = readConfig({ KK_AUTH: 'dev', ...vars });
  const dev = devTokens(TEST_DEV_SECRET);
  const atomic = d1Atomic(bindings.DB, { onStatement: (sql) => statements.push(sql) });
  const app = createApp({ db, atomic, config, auth: dev, devTokens: dev });
  return {
    app,
    db,
    config,
    atomic,
    runtime: 'workers',
    statements,
    ...harnessCalls(app, (n, roles) => dev.issue(n, roles)),
    async close() {
      await db.destroy();
    },
  };
}

export const nodeHarness = makeHarness;
