import type { Db } from '../db/schema.ts';

export interface AuditEntry {
  actor: string;
  kind: string;
  action: string;
  scope?: string | null;
  detail?: Record<string, unknown>;
}

/** Appends to the audit log: who (employee number), what, where. Nothing else personal. */
export async function audit(db: Db, e: AuditEntry, at = new Date().toISOString()): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at,
      actor: e.actor,
      kind: e.kind,
      action: e.action,
      scope: e.scope ?? null,
      detail_json: e.detail ? JSON.stringify(e.detail) : null,
    })
    .execute();
}

/** The same entry as a compiled statement, for writes that must land together with it. */
export function auditQuery(db: Db, e: AuditEntry, at = new Date().toISOString()) {
  return db
    .insertInto('audit_log')
    .values({ at, actor: e.actor, kind: e.kind, action: e.action, scope: e.scope ?? null, detail_json: e.detail ? JSON.stringify(e.detail) : null })
    .compile();
}
