import { Hono } from 'hono';
import { z } from 'zod';
import { roleClaim } from '../auth/tokens.ts';
import { todayInStockholm } from '../domain/calendar.ts';
import { DomainError } from '../domain/errors.ts';
import { demoUsers } from '../demo/seed.ts';
import type { AppEnv } from '../http/env.ts';
import { jsonBody } from '../http/validate.ts';

const tokenRequest = z.strictObject({
  employeeNumber: z.string().trim().min(1).max(64),
  roles: z.array(roleClaim).max(50).optional(),
});

/** Development sign-in; mounted only when KK_AUTH=dev. */
export const dev = new Hono<AppEnv>().post('/api/dev/token', jsonBody(tokenRequest), async (c) => {
  const devTokens = c.get('deps').devTokens;
  if (!devTokens) throw new DomainError('not_found', 'dev.disabled');
  const body = c.req.valid('json');
  const token = await devTokens.issue(
    body.employeeNumber,
    (body.roles ?? []).map((r) => ({ role: r.role, unit: r.unit ?? null })),
  );
  return c.json({ token });
})
  // The personas of the demo page's role switch.
  .get('/api/dev/demo-users', async (c) => c.json({ users: await demoUsers(c.get('deps').db, todayInStockholm()) }));
