import { Hono } from 'hono';
import { z } from 'zod';
import { authorize } from '../auth/permissions.ts';
import { audit, auditEntries, auditPage } from '../domain/audit.ts';
import { auditWorkbook } from '../exports/audit-workbook.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { intFrom1, optionalDate, optionalText } from '../http/params.ts';
import { query } from '../http/validate.ts';

const filter = { from: optionalDate(), to: optionalDate(), actor: optionalText(), kind: optionalText() };
export const auditXlsxQuery = z.object(filter);
export const auditQuery = z.object({ ...filter, page: intFrom1(1, 1_000_000), pageSize: intFrom1(100, 1000) });
const tags = ['audit'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The audit trail, for those who audit (capability audit.read). Mounted at /api: the workbook's
 * address is /api/audit.xlsx, beside the list's, not under it.
 */
export const auditRoutes = new Hono<AppEnv>()
  .get('/audit', doc({ tags, summary: 'The audit trail, a page at a time' }), query(auditQuery), async (c) => {
    authorize(c.get('principal'), 'audit.read');
    const { page, pageSize, ...f } = c.req.valid('query');
    return c.json(await auditPage(c.get('deps').db, f, page, pageSize));
  })
  .get('/audit.xlsx', doc({ tags, summary: 'The audit trail as a workbook (the export is itself audited)', responses: { 200: { description: 'xlsx', type: XLSX } } }), query(auditXlsxQuery), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'audit.read');
    const f = c.req.valid('query');
    const { db } = c.get('deps');
    const entries = await auditEntries(db, f);
    const at = new Date().toISOString();
    // Taking the log away is itself an export: recorded before the bytes leave.
    await audit(db, { actor: principal.employeeNumber, kind: 'export', action: 'audit.xlsx', scope: null, detail: { ...f, rows: entries.length } }, at);
    const bytes = auditWorkbook(entries, f, principal.employeeNumber, at);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-disposition': `attachment; filename="granskningslogg-${at.slice(0, 10)}.xlsx"`,
      'cache-control': 'no-store',
    });
  });
