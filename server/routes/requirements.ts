import { Hono } from 'hono';
import { authorize, authorizeUnits } from '../auth/permissions.ts';
import { audit } from '../domain/audit.ts';
import { todayInStockholm } from '../domain/calendar.ts';
import { DomainError } from '../domain/errors.ts';
import {
  loadRequirement,
  loadRequirements,
  requirementInput,
  requirementView,
  saveRequirement,
  unknownCourses,
  type RequirementInput,
} from '../domain/requirements.ts';
import type { Db } from '../db/schema.ts';
import type { AppEnv } from '../http/env.ts';
import { jsonBody } from '../http/validate.ts';

async function checkReferences(db: Db, input: RequirementInput) {
  const missingCourses = await unknownCourses(db, input.courses);
  if (missingCourses.length) throw new DomainError('unprocessable', 'requirement.unknownCourses', { codes: missingCourses.join(', ') });
  const found = await db.selectFrom('org_unit').select('code').distinct().where('code', 'in', input.scope).execute();
  const known = new Set(found.map((u) => u.code));
  const missingUnits = input.scope.filter((u) => !known.has(u));
  if (missingUnits.length) throw new DomainError('unprocessable', 'requirement.unknownUnits', { codes: missingUnits.join(', ') });
}

async function save(db: Db, input: RequirementInput) {
  await db.transaction().execute((tx) => saveRequirement(tx, input, new Date().toISOString()));
  return requirementView((await loadRequirement(db, input.code))!);
}

export const requirements = new Hono<AppEnv>()
  .get('/api/requirements', async (c) => {
    authorize(c.get('principal'), 'catalog.read');
    return c.json({ requirements: (await loadRequirements(c.get('deps').db)).map(requirementView) });
  })
  .get('/api/requirements/:code', async (c) => {
    authorize(c.get('principal'), 'catalog.read');
    const r = await loadRequirement(c.get('deps').db, c.req.param('code'));
    if (!r) throw new DomainError('not_found', 'requirement.unknown', { code: c.req.param('code') });
    return c.json(requirementView(r));
  })
  .post('/api/requirements', jsonBody(requirementInput), async (c) => {
    const principal = c.get('principal');
    const input = c.req.valid('json');
    const { db } = c.get('deps');
    authorize(principal, 'requirement.write');
    await checkReferences(db, input);
    await authorizeUnits(db, principal, 'requirement.write', input.scope, input.effectiveFrom > todayInStockholm() ? input.effectiveFrom : todayInStockholm());
    if (await loadRequirement(db, input.code)) throw new DomainError('conflict', 'requirement.exists', { code: input.code });
    const view = await save(db, input);
    await audit(db, { actor: principal.employeeNumber, kind: 'requirement', action: 'create', scope: input.scope.join(','), detail: { ...input } });
    return c.json(view, 201);
  })
  .put('/api/requirements/:code', jsonBody(requirementInput), async (c) => {
    const principal = c.get('principal');
    const input = c.req.valid('json');
    const code = c.req.param('code');
    const { db } = c.get('deps');
    authorize(principal, 'requirement.write');
    if (input.code !== code) throw new DomainError('bad_request', 'code.mismatch', { path: code, body: input.code });
    const existing = await loadRequirement(db, code);
    if (!existing) throw new DomainError('not_found', 'requirement.unknown', { code });
    await checkReferences(db, input);
    // Changing a requirement needs reach over the scope it had and the scope it gets.
    await authorizeUnits(db, principal, 'requirement.write', [...existing.scope, ...input.scope], todayInStockholm());
    const view = await save(db, input);
    await audit(db, { actor: principal.employeeNumber, kind: 'requirement', action: 'update', scope: input.scope.join(','), detail: { before: requirementView(existing), after: input } });
    return c.json(view);
  });
