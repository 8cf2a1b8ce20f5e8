import { Hono } from 'hono';
import { authorizeUnits } from '../auth/permissions.ts';
import { audit } from '../domain/audit.ts';
import { gatherCoverageExport } from '../exports/coverage-export.ts';
import { coverageWorkbook, exportFileName } from '../exports/coverage-workbook.ts';
import type { AppEnv } from '../http/env.ts';
import { dateParam, enumParam, required } from '../http/params.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const exportRoutes = new Hono<AppEnv>().get('/api/exports/coverage.xlsx', async (c) => {
  const unit = required(c, 'unit');
  const asOf = dateParam(c, 'asOf');
  const requirement = c.req.query('requirement')?.trim() || undefined;
  const people = enumParam(c, 'people', ['0', '1'] as const, '0') === '1';
  const { db } = c.get('deps');
  const principal = c.get('principal');
  await authorizeUnits(db, principal, 'export.read', [unit], asOf);
  if (people) await authorizeUnits(db, principal, 'export.people', [unit], asOf);

  const data = await gatherCoverageExport(db, { unit, asOf, requirement, people, actor: principal.employeeNumber });
  const bytes = coverageWorkbook(data);
  await audit(db, {
    actor: principal.employeeNumber,
    kind: 'export.coverage',
    action: 'export',
    scope: unit,
    detail: {
      asOf,
      requirement: requirement ?? null,
      requirements: data.requirements.map((r) => r.code),
      people,
      rows: data.people?.length ?? 0,
    },
  });
  return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
    'content-type': XLSX_TYPE,
    'content-disposition': `attachment; filename="${exportFileName(data.unit, asOf)}"`,
    'cache-control': 'no-store',
  });
});
