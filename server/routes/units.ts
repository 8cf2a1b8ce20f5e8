import { Hono } from 'hono';
import { authorize, grantsFor } from '../auth/permissions.ts';
import { searchUnits } from '../domain/units.ts';
import type { AppEnv } from '../http/env.ts';
import { dateParam } from '../http/params.ts';

/** GET /api/units?q=&asOf=: the type-ahead of units, only those whose coverage the caller may see. */
export const unitRoutes = new Hono<AppEnv>().get('/api/units', async (c) => {
  const principal = c.get('principal');
  authorize(principal, 'coverage.read');
  const asOf = dateParam(c, 'asOf');
  const q = (c.req.query('q') ?? '').slice(0, 100);
  const g = grantsFor(principal, 'coverage.read');
  return c.json({ asOf, units: await searchUnits(c.get('deps').db, q, asOf, g.all ? null : g.units) });
});
