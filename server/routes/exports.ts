import { Hono } from 'hono';
import { z } from 'zod';
import { authorizeUnits } from '../auth/permissions.ts';
import { audit } from '../domain/audit.ts';
import { gatherCoverageExport, peopleAgree, type CoverageExport } from '../exports/coverage-export.ts';
import { coverageWorkbook, exportFileName } from '../exports/coverage-workbook.ts';
import { streamOf } from '../exports/xlsx-writer.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { dateOrToday, oneOf, optionalText, requiredText } from '../http/params.ts';
import { query } from '../http/validate.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const coverageExportQuery = z.object({
  unit: requiredText(),
  asOf: dateOrToday(),
  requirement: optionalText(),
  people: oneOf(['0', '1'] as const, '0').transform((v) => v === '1'),
});

const described = doc({
  tags: ['coverage'],
  summary: 'Coverage of a unit as the revision\'s workbook (audited)',
  responses: { 200: { description: 'xlsx', type: XLSX_TYPE } },
});

/** Mounted at /api/exports. */
export const exportRoutes = new Hono<AppEnv>().get('/coverage.xlsx', described, query(coverageExportQuery), async (c) => {
  const { unit, asOf, requirement, people } = c.req.valid('query');
  const { db } = c.get('deps');
  const principal = c.get('principal');
  await authorizeUnits(db, principal, 'export.read', [unit], asOf);
  if (people) await authorizeUnits(db, principal, 'export.people', [unit], asOf);

  // Written here, before the audit and the answer: Personer is read from the database as it is
  // written, and a statement must not stay open at the client's pace (`row-source.ts`). What is
  // kept is the compressed file, in the chunks the deflater made, streamed out as it is read.
  // Should a write land between the figures and the rows, the sheets would disagree: written
  // again, a few times at most (a busy import day), the last one kept.
  let data: CoverageExport;
  let chunks: Uint8Array[];
  for (let attempt = 1; ; attempt++) {
    data = await gatherCoverageExport(db, { unit, asOf, requirement, people, actor: principal.employeeNumber });
    chunks = coverageWorkbook(data);
    if (attempt === 3 || peopleAgree(data)) break;
  }
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
      rows: data.people?.count ?? 0,
    },
  });
  return c.body(streamOf(chunks), 200, {
    'content-type': XLSX_TYPE,
    'content-disposition': `attachment; filename="${exportFileName(data.unit, asOf)}"`,
    'cache-control': 'no-store',
  });
});
