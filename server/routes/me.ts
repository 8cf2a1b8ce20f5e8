import { Hono } from 'hono';
import { z } from 'zod';
import { authorize } from '../auth/permissions.ts';
import { myTrainingOf } from '../domain/coverage-report.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { dateOrToday } from '../http/params.ts';
import { query } from '../http/validate.ts';

export const myTrainingQuery = z.object({ asOf: dateOrToday() });

/** Mounted at /api/me. */
export const me = new Hono<AppEnv>().get('/training', doc({ tags: ['me'], summary: 'The courses required of the caller, with status and due date' }), query(myTrainingQuery), async (c) => {
  const { asOf } = c.req.valid('query');
  const principal = c.get('principal');
  authorize(principal, 'me.read');
  return c.json(await myTrainingOf(c.get('deps').db, principal.employeeNumber, asOf, c.get('lang')));
});
