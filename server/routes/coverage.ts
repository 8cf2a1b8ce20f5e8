import { Hono } from 'hono';
import { z } from 'zod';
import { authorizeUnits, type Principal } from '../auth/permissions.ts';
import type { Db } from '../db/schema.ts';
import { audit } from '../domain/audit.ts';
import { coverage, coveragePeople, coverageTrend, PEOPLE_FILTERS } from '../domain/coverage-report.ts';
import { exportFileName, peopleWorkbook } from '../exports/coverage-workbook.ts';
import { XLSX_TYPE } from './exports.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { dateOrToday, oneOf, optionalDate, requiredText } from '../http/params.ts';
import { query } from '../http/validate.ts';

const tags = ['coverage'];
const where = { unit: requiredText(), requirement: requiredText(), asOf: dateOrToday() };

export const coverageQuery = z.object(where);
export const coveragePeopleQuery = z.object({ ...where, status: oneOf(PEOPLE_FILTERS) });
export const coverageTrendQuery = z.object({
  unit: requiredText(),
  requirement: requiredText(),
  // Three years before `to` when absent.
  from: optionalDate(),
  to: dateOrToday(),
  interval: oneOf(['tertial', 'month'] as const, 'tertial'),
});

/** Mounted at /api/coverage. */
export const coverageRoutes = new Hono<AppEnv>()
  .get('/', doc({ tags, summary: 'Coverage of a unit and its children for a requirement on a date' }), query(coverageQuery), async (c) => {
    const { unit, requirement, asOf } = c.req.valid('query');
    const { db } = c.get('deps');
    await authorizeUnits(db, c.get('principal'), 'coverage.read', [unit], asOf);
    return c.json(await coverage(db, unit, requirement, asOf));
  })
  .get('/people', doc({ tags, summary: 'The people of a unit berörda by a requirement, with their status (audited)' }), query(coveragePeopleQuery), async (c) => {
    const { answer, audited } = await peopleOf(c.get('deps').db, c.get('principal'), c.req.valid('query'), 'people.read');
    await audited();
    return c.json(answer);
  })
  // The same list as a workbook: names leave the system, so it takes the right to export them.
  .get('/people.xlsx', doc({ tags, summary: 'The people list as a workbook (needs the right to export names; audited)' }), query(coveragePeopleQuery), async (c) => {
    const q = c.req.valid('query');
    const { answer, audited } = await peopleOf(c.get('deps').db, c.get('principal'), q, 'export.people');
    const bytes = peopleWorkbook(
      answer.people.map(({ unit: u, forvaltning, avdelning, employmentType, title, ...p }) => ({
        requirement: q.requirement,
        person: { ...p, exemption: p.exemption ?? null, unitCode: u.code, unitName: u.name },
        place: { forvaltning, avdelning, employmentType, title },
      })),
      { unit: q.unit, asOf: q.asOf, generatedAt: new Date().toISOString() },
    );
    await audited();
    const name = exportFileName({ code: `${q.unit}-personer` }, q.asOf);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': XLSX_TYPE,
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
    });
  })
  .get('/trend', doc({ tags, summary: 'Coverage per tertial or month between two dates' }), query(coverageTrendQuery), async (c) => {
    const { unit, requirement, to, interval, ...q } = c.req.valid('query');
    const from = q.from ?? `${Number(to.slice(0, 4)) - 3}${to.slice(4)}`;
    const { db } = c.get('deps');
    // authorizeUnits also tries today's tree, so a future `to` needs no clamping here.
    await authorizeUnits(db, c.get('principal'), 'coverage.read', [unit], to);
    return c.json(await coverageTrend(db, unit, requirement, from, to, interval));
  });

/**
 * The people list for a caller who holds `capability` there (`people.read` to see it, `export.people`
 * to take it away as a file), and the audit entry to write once it has been handed over.
 */
async function peopleOf(db: Db, principal: Principal, q: z.output<typeof coveragePeopleQuery>, capability: 'people.read' | 'export.people') {
  const { unit, requirement, asOf, status } = q;
  await authorizeUnits(db, principal, capability, [unit], asOf);
  const answer = await coveragePeople(db, unit, requirement, asOf, status);
  const audited = () =>
    audit(db, {
      actor: principal.employeeNumber,
      kind: capability,
      action: capability === 'export.people' ? 'export' : 'read',
      scope: unit,
      detail: { requirement, asOf, status: status ?? null, rows: answer.people.length },
    });
  return { answer, audited };
}
