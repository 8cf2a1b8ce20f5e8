import { Hono } from 'hono';
import { z } from 'zod';
import { authorize, authorizePerson, authorizeUnits } from '../auth/permissions.ts';
import { audit } from '../domain/audit.ts';
import { todayInStockholm } from '../domain/calendar.ts';
import { requireUnitAt } from '../domain/coverage-report.ts';
import { createExemption, endExemption, endInput, exemptionInput, exemptionReachDates, listExemptions, requireExemption } from '../domain/exemptions.ts';
import { requirePerson } from '../domain/person-records.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { optionalDate, optionalText, requiredText } from '../http/params.ts';
import { jsonBody, query } from '../http/validate.ts';

const tags = ['exemptions'];

// Without asOf: every exemption of the unit's people, past, current and future.
export const exemptionsQuery = z.object({ unit: requiredText(), asOf: optionalDate(), requirement: optionalText() });

/** Exemptions (undantag): DESIGN.md "Exemptions". Mounted at /api/exemptions. */
export const exemptions = new Hono<AppEnv>()
  .post('/', doc({ tags, summary: 'Exempt a person from one requirement or all, for a period (audited)', responses: { 201: { description: 'The exemption' } } }), jsonBody(exemptionInput), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'exemption.write');
    const input = c.req.valid('json');
    const deps = c.get('deps');
    const person = await requirePerson(deps.db, input.employeeNumber);
    await authorizePerson(deps.db, principal, 'exemption.write', person, exemptionReachDates(input.from, todayInStockholm()));
    return c.json(await createExemption(deps, person, input, principal.employeeNumber), 201);
  })
  .get('/', doc({ tags, summary: 'The exemptions of a unit’s people, and why (audited)' }), query(exemptionsQuery), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'exemption.read');
    const { unit, asOf, requirement } = c.req.valid('query');
    const today = todayInStockholm();
    const { db } = c.get('deps');
    await authorizeUnits(db, principal, 'exemption.read', [unit], asOf ?? today);
    await requireUnitAt(db, unit, asOf ?? today);
    const list = await listExemptions(db, { unit, requirement, asOf, today });
    await audit(db, { actor: principal.employeeNumber, kind: 'people.read', action: 'exemptions', scope: unit, detail: { requirement: requirement ?? null, asOf: asOf ?? null, rows: list.length } });
    c.header('cache-control', 'no-store');
    return c.json({ exemptions: list });
  })
  .post('/:id/end', doc({ tags, summary: 'End an exemption on a date (audited)' }), jsonBody(endInput), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'exemption.write');
    const deps = c.get('deps');
    const x = await requireExemption(deps.db, Number(c.req.param('id')));
    await authorizePerson(deps.db, principal, 'exemption.write', { id: x.personId, employeeNumber: x.employeeNumber }, exemptionReachDates(x.from, todayInStockholm()));
    return c.json(await endExemption(deps, x, c.req.valid('json').to, principal.employeeNumber));
  });
