import { Hono } from 'hono';
import { authorize } from '../auth/permissions.ts';
import { grantRole, listGrants, revokeRole, roleGrantInput } from '../domain/roles.ts';
import type { AppEnv } from '../http/env.ts';
import { jsonBody } from '../http/validate.ts';

/** Roles granted in Kompetenskoll (beside the token's and the roster's), by those with role.manage. */
export const roles = new Hono<AppEnv>()
  .get('/api/roles', async (c) => {
    authorize(c.get('principal'), 'role.manage');
    const employeeNumber = c.req.query('employeeNumber')?.trim() || undefined;
    return c.json({ grants: await listGrants(c.get('deps').db, employeeNumber) });
  })
  .post('/api/roles', jsonBody(roleGrantInput), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'role.manage');
    const { db, atomic } = c.get('deps');
    return c.json(await grantRole(db, atomic, c.req.valid('json'), principal.employeeNumber, new Date().toISOString()), 201);
  })
  .delete('/api/roles', jsonBody(roleGrantInput), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'role.manage');
    const { db, atomic } = c.get('deps');
    return c.json(await revokeRole(db, atomic, c.req.valid('json'), principal.employeeNumber, new Date().toISOString()));
  });
