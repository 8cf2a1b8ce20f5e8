import { Hono } from 'hono';
import { z } from 'zod';
import { authorize } from '../auth/permissions.ts';
import { grantRole, listGrants, revokeRole, roleGrantInput } from '../domain/roles.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { optionalText } from '../http/params.ts';
import { jsonBody, query } from '../http/validate.ts';

const tags = ['roles'];
export const rolesQuery = z.object({ employeeNumber: optionalText() });

/** Roles granted in Kompetenskoll (beside the token's and the roster's), by those with role.manage. Mounted at /api/roles. */
export const roles = new Hono<AppEnv>()
  .get('/', doc({ tags, summary: 'Roles granted in Kompetenskoll, optionally of one person' }), query(rolesQuery), async (c) => {
    authorize(c.get('principal'), 'role.manage');
    const { employeeNumber } = c.req.valid('query');
    return c.json({ grants: await listGrants(c.get('deps').db, employeeNumber) });
  })
  .post('/', doc({ tags, summary: 'Grant a role (audited)', responses: { 201: { description: 'The grant' } } }), jsonBody(roleGrantInput), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'role.manage');
    const { db, atomic } = c.get('deps');
    return c.json(await grantRole(db, atomic, c.req.valid('json'), principal.employeeNumber, new Date().toISOString()), 201);
  })
  .delete('/', doc({ tags, summary: 'Revoke a role (audited)' }), jsonBody(roleGrantInput), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'role.manage');
    const { db, atomic } = c.get('deps');
    return c.json(await revokeRole(db, atomic, c.req.valid('json'), principal.employeeNumber, new Date().toISOString()));
  });
