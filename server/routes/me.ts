import { Hono } from 'hono';
import { z } from 'zod';
import { authorize } from '../auth/permissions.ts';
import { whoAmI } from '../auth/who.ts';
import { todayInStockholm } from '../domain/calendar.ts';
import { myTrainingOf } from '../domain/coverage-report.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { dateOrToday } from '../http/params.ts';
import { query } from '../http/validate.ts';

const tags = ['me'];
export const myTrainingQuery = z.object({ asOf: dateOrToday() });

/** Mounted at /api/me. */
export const me = new Hono<AppEnv>()
  .get('/', doc({ tags, summary: 'Who the caller is: name, roles, units and what the elements may show them' }), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'me.read');
    return c.json(await whoAmI(c.get('deps').db, principal, todayInStockholm()));
  })
  .get('/training', doc({ tags, summary: 'The courses required of the caller, with status and due date' }), query(myTrainingQuery), async (c) => {
    const { asOf } = c.req.valid('query');
    const principal = c.get('principal');
    authorize(principal, 'me.read');
    return c.json(await myTrainingOf(c.get('deps').db, principal.employeeNumber, asOf, c.get('lang')));
  });
