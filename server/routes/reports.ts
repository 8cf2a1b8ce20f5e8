import { Hono } from 'hono';
import { z } from 'zod';
import { authorize, authorizeUnits, grantsFor, type Principal } from '../auth/permissions.ts';
import type { Db } from '../db/schema.ts';
import { audit } from '../domain/audit.ts';
import { todayInStockholm } from '../domain/calendar.ts';
import { DomainError } from '../domain/errors.ts';
import { reportNow } from '../domain/report-changes.ts';
import { publishReport, readReport, reportInput, reportsWithin, requireReportRow } from '../domain/reports.ts';
import { reportFileName, reportWorkbook } from '../exports/report-workbook.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { optionalText } from '../http/params.ts';
import { jsonBody, query } from '../http/validate.ts';
import { XLSX_TYPE } from './exports.ts';

const tags = ['reports'];

export const reportsQuery = z.object({ unit: optionalText() });

/** A report's id from the path ('12', or '12.xlsx' for the workbook); 404 for anything else. */
function reportId(param: string): number {
  const id = Number(param.replace(/\.xlsx$/, ''));
  if (!Number.isSafeInteger(id) || id <= 0) throw new DomainError('not_found', 'report.unknown', { id: param });
  return id;
}

/** The report with today's figures and its changes, for a caller who may read it there. */
async function reportFor(db: Db, principal: Principal, id: number) {
  const row = await requireReportRow(db, id);
  // In scope through the tree of the report's date, or today's (authorizeUnits tries both).
  await authorizeUnits(db, principal, 'report.read', [row.unit_code], row.as_of);
  const report = (await readReport(db, id))!;
  return { report, ...(await reportNow(db, report)) };
}

/** Reports that stand: DESIGN.md "Reports that stand", docs/reports.md. Mounted at /api/reports. */
export const reports = new Hono<AppEnv>()
  .post('/', doc({ tags, summary: 'Publish a report: freeze its figures, trend and each counted person’s status (audited)', responses: { 201: { description: 'The report as published' } } }), jsonBody(reportInput), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'report.publish');
    const input = c.req.valid('json');
    const deps = c.get('deps');
    await authorizeUnits(deps.db, principal, 'report.publish', [input.unit], input.asOf);
    return c.json(await publishReport(deps, input, principal.employeeNumber, todayInStockholm()), 201);
  })
  .get('/', doc({ tags, summary: 'The published reports of a unit and below it, or all the caller may read; newest first' }), query(reportsQuery), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'report.read');
    const { unit } = c.req.valid('query');
    const { db } = c.get('deps');
    const today = todayInStockholm();
    if (unit) {
      await authorizeUnits(db, principal, 'report.read', [unit], today);
      return c.json({ reports: await reportsWithin(db, [unit], today) });
    }
    const g = grantsFor(principal, 'report.read');
    return c.json({ reports: await reportsWithin(db, g.all ? null : g.units, today) });
  })
  .get('/:id{[0-9]+\\.xlsx}', doc({ tags, summary: 'A report as a workbook: Rapporterat, Nu, Ändringar, Metod (names; audited as an export)', responses: { 200: { description: 'xlsx', type: XLSX_TYPE } } }), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'report.read');
    const { db } = c.get('deps');
    const answer = await reportFor(db, principal, reportId(c.req.param('id')));
    // The workbook takes the names away: it also takes the right to export them.
    await authorizeUnits(db, principal, 'export.people', [answer.report.unit.code], answer.report.asOf);
    const generatedAt = new Date().toISOString();
    const bytes = reportWorkbook({ ...answer, generatedAt, generatedBy: principal.employeeNumber });
    await audit(db, {
      actor: principal.employeeNumber,
      kind: 'export.people',
      action: 'report.xlsx',
      scope: answer.report.unit.code,
      detail: { report: answer.report.id, asOf: answer.report.asOf, rows: answer.changes.length },
    }, generatedAt);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': XLSX_TYPE,
      'content-disposition': `attachment; filename="${reportFileName(answer.report)}"`,
      'cache-control': 'no-store',
    });
  })
  .get('/:id', doc({ tags, summary: 'A report as published, the same figures today, and each person whose standing differs and why (audited)' }), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'report.read');
    const { db } = c.get('deps');
    const answer = await reportFor(db, principal, reportId(c.req.param('id')));
    // The changes name people.
    await audit(db, { actor: principal.employeeNumber, kind: 'people.read', action: 'report', scope: answer.report.unit.code, detail: { report: answer.report.id, rows: answer.changes.length } });
    c.header('cache-control', 'no-store');
    return c.json(answer);
  });
