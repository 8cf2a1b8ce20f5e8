import { Hono, type Context } from 'hono';
import { authorize } from '../auth/permissions.ts';
import { audit, auditEntries, auditPage, type AuditFilter } from '../domain/audit.ts';
import { DomainError } from '../domain/errors.ts';
import { auditWorkbook } from '../exports/audit-workbook.ts';
import type { AppEnv } from '../http/env.ts';
import { dateParam } from '../http/params.ts';

function filterOf(c: Context<AppEnv>): AuditFilter {
  const opt = (name: string) => c.req.query(name)?.trim().slice(0, 64) || undefined;
  const from = c.req.query('from') ? dateParam(c, 'from') : undefined;
  const to = c.req.query('to') ? dateParam(c, 'to') : undefined;
  return { from, to, actor: opt('actor'), kind: opt('kind') };
}

function intParam(c: Context<AppEnv>, name: string, fallback: number, max: number): number {
  const v = c.req.query(name);
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new DomainError('bad_request', 'param.invalid', { name, value: v.slice(0, 40), expected: `1–${max}` });
  return n;
}

/** The audit trail, for those who audit (capability audit.read). */
export const auditRoutes = new Hono<AppEnv>()
  .get('/api/audit', async (c) => {
    authorize(c.get('principal'), 'audit.read');
    const page = intParam(c, 'page', 1, 1_000_000);
    const pageSize = intParam(c, 'pageSize', 100, 1000);
    return c.json(await auditPage(c.get('deps').db, filterOf(c), page, pageSize));
  })
  .get('/api/audit.xlsx', async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'audit.read');
    const f = filterOf(c);
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
