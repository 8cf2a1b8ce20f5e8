import { Hono } from 'hono';
import { authorizeUnits } from '../auth/permissions.ts';
import { audit } from '../domain/audit.ts';
import { coverage, coveragePeople, coverageTrend } from '../domain/coverage-report.ts';
import type { AppEnv } from '../http/env.ts';
import { dateParam, enumParam, required } from '../http/params.ts';

export const coverageRoutes = new Hono<AppEnv>()
  .get('/api/coverage', async (c) => {
    const unit = required(c, 'unit');
    const requirement = required(c, 'requirement');
    const asOf = dateParam(c, 'asOf');
    const { db } = c.get('deps');
    await authorizeUnits(db, c.get('principal'), 'coverage.read', [unit], asOf);
    return c.json(await coverage(db, unit, requirement, asOf));
  })
  .get('/api/coverage/people', async (c) => {
    const unit = required(c, 'unit');
    const requirement = required(c, 'requirement');
    const asOf = dateParam(c, 'asOf');
    const status = enumParam(c, 'status', ['completed', 'started', 'not_started', 'exempt'] as const);
    const { db } = c.get('deps');
    const principal = c.get('principal');
    await authorizeUnits(db, principal, 'people.read', [unit], asOf);
    const answer = await coveragePeople(db, unit, requirement, asOf, status);
    await audit(db, {
      actor: principal.employeeNumber,
      kind: 'people.read',
      action: 'read',
      scope: unit,
      detail: { requirement, asOf, status: status ?? null, rows: answer.people.length },
    });
    return c.json(answer);
  })
  .get('/api/coverage/trend', async (c) => {
    const unit = required(c, 'unit');
    const requirement = required(c, 'requirement');
    const to = dateParam(c, 'to');
    const from = dateParam(c, 'from', `${Number(to.slice(0, 4)) - 3}${to.slice(4)}`);
    const interval = enumParam(c, 'interval', ['tertial', 'month'] as const, 'tertial')!;
    const { db } = c.get('deps');
    // authorizeUnits also tries today's tree, so a future `to` needs no clamping here.
    await authorizeUnits(db, c.get('principal'), 'coverage.read', [unit], to);
    return c.json(await coverageTrend(db, unit, requirement, from, to, interval));
  });
