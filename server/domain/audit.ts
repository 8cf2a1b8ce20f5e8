import type { CompiledQuery } from 'kysely';
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
  await db.executeQuery(auditStatement(db, e, at));
}

/** The same entry as a statement, to go into an all-or-nothing write with what it records. */
export function auditStatement(db: Db, e: AuditEntry, at = new Date().toISOString()): CompiledQuery {
  return db
    .insertInto('audit_log')
    .values({
      at,
      actor: e.actor,
      kind: e.kind,
      action: e.action,
      scope: e.scope ?? null,
      detail_json: e.detail ? JSON.stringify(e.detail) : null,
    })
    .compile();
}
