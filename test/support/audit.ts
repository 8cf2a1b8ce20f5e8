import type { AuditView } from '../../server/domain/audit.ts';
import { expect } from 'vitest';
import type { Harness } from './harness.ts';

/**
 * Audit-trail helpers for every branch: imports (committed) and exports add their rows to the
 * table in test/api/audit-trail.test.ts and check them with `expectAudited`.
 */
export interface AuditExpectation {
  kind: string;
  action: string;
  actor: string;
  scope?: string | null;
  /** Fields the entry's detail must contain (toMatchObject). */
  detail?: Record<string, unknown>;
}

/** An entry as GET /api/audit answers it. */
export type AuditRow = AuditView & { detail: any };

/** Entries through the real API (GET /api/audit), newest first; `token` needs audit.read. */
export async function auditEntries(h: Harness, token: string, filter: { kind?: string; actor?: string; from?: string; to?: string } = {}): Promise<AuditRow[]> {
  const q = new URLSearchParams({ pageSize: '1000', ...filter });
  return (await h.json<{ entries: AuditRow[] }>(`/api/audit?${q}`, token)).entries;
}

/** Exactly one new entry of this kind by this actor since `since` (an entry count), matching. */
export async function expectAudited(h: Harness, token: string, e: AuditExpectation, since = 0): Promise<AuditRow> {
  const all = await auditEntries(h, token, { kind: e.kind, actor: e.actor });
  const fresh = all.filter((r) => r.id > since && r.action === e.action);
  expect(fresh, `audit entries ${e.kind}/${e.action} by ${e.actor}`).toHaveLength(1);
  const row = fresh[0];
  if (e.scope !== undefined) expect(row.scope).toBe(e.scope);
  if (e.detail) expect(row.detail).toMatchObject(e.detail);
  expect(Date.now() - Date.parse(row.at)).toBeLessThan(5 * 60_000);
  return row;
}

/** The newest entry id (entries after it are what an action wrote). */
export async function lastAuditId(h: Harness, token: string): Promise<number> {
  const res = await h.json<{ entries: AuditRow[] }>('/api/audit?pageSize=1', token);
  return res.entries[0]?.id ?? 0;
}
