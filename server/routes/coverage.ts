import { Hono } from 'hono';
import { authorizeUnits } from '../auth/permissions.ts';
import { audit } from '../domain/audit.ts';
import { coverage, coveragePeople, coverageTrend, PEOPLE_FILTERS } from '../domain/coverage-report.ts';
import { exportFileName, peopleWorkbook } from '../exports/coverage-workbook.ts';
import { XLSX_TYPE } from './exports.ts';
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
    const status = enumParam(c, 'status', PEOPLE_FILTERS);
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
  // The same list as a workbook: names leave the system, so it takes the right to export them.
  .get('/api/coverage/people.xlsx', async (c) => {
    const unit = required(c, 'unit');
    const requirement = required(c, 'requirement');
    const asOf = dateParam(c, 'asOf');
    const status = enumParam(c, 'status', PEOPLE_FILTERS);
    const { db } = c.get('deps');
    const principal = c.get('principal');
    await authorizeUnits(db, principal, 'export.people', [unit], asOf);
    const answer = await coveragePeople(db, unit, requirement, asOf, status);
    const bytes = peopleWorkbook(
      answer.people.map(({ unit: u, forvaltning, avdelning, employmentType, title, ...p }) => ({
        requirement,
        person: { ...p, unitCode: u.code, unitName: u.name },
        place: { forvaltning, avdelning, employmentType, title },
      })),
      { unit, asOf, generatedAt: new Date().toISOString() },
    );
    await audit(db, {
      actor: principal.employeeNumber,
      kind: 'export.people',
      action: 'export',
      scope: unit,
      detail: { requirement, asOf, status: status ?? null, rows: answer.people.length },
    });
    const name = exportFileName({ code: `${unit}-personer` }, asOf);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': XLSX_TYPE,
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
    });
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
