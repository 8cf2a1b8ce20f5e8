import { Hono } from 'hono';
import { readiness } from '../db/health.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { problemFor, problemResponse } from '../http/problem.ts';

/** Open to load balancers: says whether the database answers and its schema is current. Mounted at /api/health. */
export const health = new Hono<AppEnv>().get(
  '/',
  doc({ tags: ['operations'], auth: 'none', summary: 'Whether the database answers and its schema is current (503 when not)' }),
  async (c) => {
    const r = await readiness(c.get('deps').db);
    if (r.database === 'ok' && r.migrations === 'current') {
      return c.json({ status: 'ok' as const, database: r.database, migrations: r.migrations });
    }
    const params = { database: r.database, migrations: r.migrations };
    return problemResponse(503, {
      ...problemFor(c.get('lang'), 503, 'health.unavailable', params),
      status: 503,
      requestId: c.get('requestId'),
      ...params,
      pending: r.pending,
    });
  },
);
