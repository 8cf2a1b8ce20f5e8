import { Hono } from 'hono';
import { z } from 'zod';
import { roleClaim } from '../auth/tokens.ts';
import { todayInStockholm } from '../domain/calendar.ts';
import { DomainError } from '../domain/errors.ts';
import { demoUsers } from '../demo/seed.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { jsonBody } from '../http/validate.ts';

const tokenRequest = z.strictObject({
  employeeNumber: z.string().trim().min(1).max(64),
  roles: z.array(roleClaim).max(50).optional(),
});

const tags = ['development'];

/** Development sign-in; mounted at /api/dev only when KK_AUTH=dev. */
export const dev = new Hono<AppEnv>()
  .post(
    '/token',
    doc({ tags, auth: 'none', summary: 'A token for any employee number and roles (KK_AUTH=dev only)', responses: { 200: { description: '{token}' } } }),
    jsonBody(tokenRequest),
    async (c) => {
      const devTokens = c.get('deps').devTokens;
      if (!devTokens) throw new DomainError('not_found', 'dev.disabled');
      const body = c.req.valid('json');
      const token = await devTokens.issue(
        body.employeeNumber,
        (body.roles ?? []).map((r) => ({ role: r.role, unit: r.unit ?? null })),
      );
      return c.json({ token });
    },
  )
  // The personas of the demo page's role switch.
  .get('/demo-users', doc({ tags, auth: 'none', summary: "The demo page's personas (KK_AUTH=dev only)" }), async (c) =>
    c.json({ users: await demoUsers(c.get('deps').db, todayInStockholm()) }),
  );
