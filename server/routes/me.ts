import { Hono } from 'hono';
import { authorize } from '../auth/permissions.ts';
import { whoAmI } from '../auth/who.ts';
import { todayInStockholm } from '../domain/calendar.ts';
import { myTrainingOf } from '../domain/coverage-report.ts';
import type { AppEnv } from '../http/env.ts';
import { dateParam } from '../http/params.ts';

export const me = new Hono<AppEnv>()
  .get('/api/me', async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'me.read');
    return c.json(await whoAmI(c.get('deps').db, principal, todayInStockholm()));
  })
  .get('/api/me/training', async (c) => {
    const asOf = dateParam(c, 'asOf');
    const principal = c.get('principal');
    authorize(principal, 'me.read');
    return c.json(await myTrainingOf(c.get('deps').db, principal.employeeNumber, asOf, c.get('lang')));
  });
