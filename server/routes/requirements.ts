import { Hono } from 'hono';
import { authorize, authorizeUnits } from '../auth/permissions.ts';
import { auditStatement, type AuditEntry } from '../domain/audit.ts';
import { todayInStockholm } from '../domain/calendar.ts';
import { DomainError } from '../domain/errors.ts';
import {
  loadRequirement,
  loadRequirements,
  requirementInput,
  requirementView,
  requirementStatements,
  checkReferences,
  type RequirementInput,
} from '../domain/requirements.ts';
import type { AppDeps, AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { jsonBody } from '../http/validate.ts';

/** The requirement, its relations and the audit entry: all written or none (deps.atomic). */
async function save(deps: AppDeps, input: RequirementInput, exists: boolean, entry: AuditEntry) {
  const now = new Date().toISOString();
  await deps.atomic([...requirementStatements(deps.db, input, now, exists), auditStatement(deps.db, entry, now)]);
  return requirementView((await loadRequirement(deps.db, input.code))!);
}

const tags = ['catalog'];

/** Mounted at /api/requirements. */
export const requirements = new Hono<AppEnv>()
  .get('/', doc({ tags, summary: 'The requirements' }), async (c) => {
    authorize(c.get('principal'), 'catalog.read');
    return c.json({ requirements: (await loadRequirements(c.get('deps').db)).map(requirementView) });
  })
  .get('/:code', doc({ tags, summary: 'One requirement' }), async (c) => {
    authorize(c.get('principal'), 'catalog.read');
    const r = await loadRequirement(c.get('deps').db, c.req.param('code'));
    if (!r) throw new DomainError('not_found', 'requirement.unknown', { code: c.req.param('code') });
    return c.json(requirementView(r));
  })
  .post('/', doc({ tags, summary: 'Add a requirement (audited)', responses: { 201: { description: 'The requirement' } } }), jsonBody(requirementInput), async (c) => {
    const principal = c.get('principal');
    const input = c.req.valid('json');
    const deps = c.get('deps');
    const { db } = deps;
    authorize(principal, 'requirement.write');
    await checkReferences(db, input);
    await authorizeUnits(db, principal, 'requirement.write', input.scope, input.effectiveFrom > todayInStockholm() ? input.effectiveFrom : todayInStockholm());
    if (await loadRequirement(db, input.code)) throw new DomainError('conflict', 'requirement.exists', { code: input.code });
    const view = await save(deps, input, false, { actor: principal.employeeNumber, kind: 'requirement', action: 'create', scope: input.scope.join(','), detail: { ...input } });
    return c.json(view, 201);
  })
  .put('/:code', doc({ tags, summary: 'Change a requirement (audited)' }), jsonBody(requirementInput), async (c) => {
    const principal = c.get('principal');
    const input = c.req.valid('json');
    const code = c.req.param('code');
    const deps = c.get('deps');
    const { db } = deps;
    authorize(principal, 'requirement.write');
    if (input.code !== code) throw new DomainError('bad_request', 'code.mismatch', { path: code, body: input.code });
    const existing = await loadRequirement(db, code);
    if (!existing) throw new DomainError('not_found', 'requirement.unknown', { code });
    await checkReferences(db, input);
    // Changing a requirement needs reach over the scope it had and the scope it gets.
    await authorizeUnits(db, principal, 'requirement.write', [...existing.scope, ...input.scope], todayInStockholm());
    const view = await save(deps, input, true, {
      actor: principal.employeeNumber,
      kind: 'requirement',
      action: 'update',
      scope: input.scope.join(','),
      detail: { before: requirementView(existing), after: input },
    });
    return c.json(view);
  });
