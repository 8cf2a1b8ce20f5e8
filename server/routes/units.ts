import { Hono } from 'hono';
import { z } from 'zod';
import { authorize, grantsFor } from '../auth/permissions.ts';
import { searchUnits } from '../domain/units.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { dateOrToday, optionalText } from '../http/params.ts';
import { query } from '../http/validate.ts';

export const unitsQuery = z.object({ q: optionalText(100), asOf: dateOrToday() });

/** Mounted at /api/units: the type-ahead of units, only those whose coverage the caller may see. */
export const unitRoutes = new Hono<AppEnv>().get(
  '/',
  doc({ tags: ['units'], summary: 'Units matching a code or name, limited to those whose coverage the caller may see' }),
  query(unitsQuery),
  async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'coverage.read');
    const { q, asOf } = c.req.valid('query');
    const g = grantsFor(principal, 'coverage.read');
    return c.json({ asOf, units: await searchUnits(c.get('deps').db, q ?? '', asOf, g.all ? null : g.units) });
  },
);
