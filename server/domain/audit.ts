import type { CompiledQuery } from 'kysely';
import type { Db } from '../db/schema.ts';
import { addDays, stockholmDateTime } from './calendar.ts';

export interface AuditEntry {
  actor: string;
  kind: string;
  action: string;
  scope?: string | null;
  detail?: Record<string, unknown>;
}

/**
 * The kinds of entry written so far (others add theirs): a change or a read of personal data.
 * course · requirement · role · person (anonymised by retention) · people.read · person.extract ·
 * export · import
 */
export type AuditKind = string;

/** Appends to the audit log: who (employee number), what, where. Nothing else personal. */
export async function audit(db: Db, e: AuditEntry, at = new Date().toISOString()): Promise<void> {
  await db.executeQuery(auditStatement(db, e, at));
}

/** The same entry as a statement, to be written all-or-nothing with the change it records. */
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

export interface AuditFilter {
  /** Stockholm calendar dates, both inclusive. */
  from?: string;
  to?: string;
  actor?: string;
  kind?: string;
}

export interface AuditView {
  id: number;
  at: string;
  actor: string;
  kind: string;
  action: string;
  scope: string | null;
  detail: unknown;
}

/** The UTC instant a Stockholm calendar day begins (midnight is never inside a DST change there). */
export function stockholmDayStartUtc(date: string): string {
  const guess = new Date(`${date}T00:00:00Z`);
  const local = new Date(`${stockholmDateTime(guess)}Z`);
  return new Date(guess.getTime() - (local.getTime() - guess.getTime())).toISOString();
}

function filtered(db: Db, f: AuditFilter) {
  let q = db.selectFrom('audit_log');
  if (f.from) q = q.where('at', '>=', stockholmDayStartUtc(f.from));
  if (f.to) q = q.where('at', '<', stockholmDayStartUtc(addDays(f.to, 1)));
  if (f.actor) q = q.where('actor', '=', f.actor);
  if (f.kind) q = q.where('kind', '=', f.kind);
  return q;
}

function view(r: { id: number; at: string; actor: string; kind: string; action: string; scope: string | null; detail_json: string | null }): AuditView {
  return { id: r.id, at: r.at, actor: r.actor, kind: r.kind, action: r.action, scope: r.scope, detail: r.detail_json ? JSON.parse(r.detail_json) : null };
}

/** One page of entries matching the filter, newest first, and how many match in all. */
export async function auditPage(db: Db, f: AuditFilter, page: number, pageSize: number) {
  const [rows, count] = await Promise.all([
    filtered(db, f)
      .selectAll()
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    filtered(db, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const total = Number(count.n);
  return { entries: rows.map(view), page, pageSize, total, pages: Math.ceil(total / pageSize) };
}

/** Every entry matching the filter, oldest first, up to `max`. */
export async function auditEntries(db: Db, f: AuditFilter, max = 100_000): Promise<AuditView[]> {
  const rows = await filtered(db, f).selectAll().orderBy('at').orderBy('id').limit(max).execute();
  return rows.map(view);
}
