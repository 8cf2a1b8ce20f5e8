import type { Db, OutboxStatus, ReminderKind } from '../db/schema.ts';
import { MAX_BOUND_PARAMS } from '../db/chunks.ts';
import type { Mailer } from '../mail/mailer.ts';
import { composeMail } from '../mail/reminder-mail.ts';
import { auditStatement } from './audit.ts';
import type { Decided } from './reminder-decision.ts';

/**
 * The outbox (sql/0009): every message is stored under its once-only key before anything is
 * sent, so a run repeated on the same day, a run after missed days or a restart after a crash
 * adds nothing already decided. Delivery takes rows from it: pending ones, failed ones whose
 * backoff has passed (or all failed ones when a run asks), and ones left "sending" by a process
 * that died (only those can go twice).
 */

/** The ones of `decided` not yet in the outbox (read by key, 100 to a statement for D1). */
export async function notYetDecided(db: Db, decided: Decided[]): Promise<Decided[]> {
  const known = new Set<string>();
  for (let i = 0; i < decided.length; i += MAX_BOUND_PARAMS) {
    const keys = decided.slice(i, i + MAX_BOUND_PARAMS).map((m) => m.key);
    for (const row of await db.selectFrom('reminder_outbox').select('key').where('key', 'in', keys).execute()) known.add(row.key);
  }
  return decided.filter((m) => !known.has(m.key));
}

/**
 * Stores the messages with an address (composed now, so that what was sent can be read back);
 * a key already there is left as it is. A digest names people: each is audited as a people
 * export, in the same atomic write as its row.
 */
export async function storeDecided(db: Db, atomic: (q: readonly import('kysely').CompiledQuery[]) => Promise<void>, decided: Decided[], D: string, actor: string, now: string): Promise<void> {
  const queries = [];
  for (const m of decided) {
    if (!m.to) continue;
    const mail = composeMail(m);
    queries.push(
      db
        .insertInto('reminder_outbox')
        .values({
          key: m.key,
          kind: m.kind,
          employee_number: m.employeeNumber,
          to_address: m.to,
          requirement: m.requirement,
          due_date: m.dueDate,
          decided_for: D,
          subject: mail.subject,
          body_text: mail.text,
          body_html: mail.html,
          next_attempt_at: now,
          created_at: now,
          created_by: actor,
        })
        .onConflict((oc) => oc.column('key').doNothing())
        .compile(),
    );
    if (m.kind === 'digest') {
      queries.push(
        auditStatement(
          db,
          { actor, kind: 'export.people', action: 'reminder.digest', scope: m.employeeNumber, detail: { requirements: m.requirement.split(','), asOf: D, rows: m.lines!.length } },
          now,
        ),
      );
    }
  }
  // In slices, so that one write stays well within a D1 batch.
  for (let i = 0; i < queries.length; i += 400) await atomic(queries.slice(i, i + 400));
}

/** Minutes before a failed message is tried again: 5, 10, 20, … at most six hours. */
export function backoffMinutes(attempts: number): number {
  return Math.min(360, 5 * 2 ** Math.max(0, attempts - 1));
}

/** A message "sending" longer than this was lost with its process: it may be sent again. */
const STALE_CLAIM_MS = 10 * 60_000;

export interface DeliveryResult {
  sent: number;
  failed: number;
}

/**
 * Sends what is due from the outbox: pending rows, failed rows whose backoff has passed (all
 * failed rows with `retryAll`: a run on demand sends at once what earlier runs could not), and
 * stale claims. Each row is claimed (status 'sending') before it is sent and marked after, so a
 * kill between the two leaves it to be sent again by a later delivery, and nothing else.
 */
export async function deliverOutbox(db: Db, mailer: Mailer, opts: { now?: Date; retryAll?: boolean; concurrency?: number } = {}): Promise<DeliveryResult> {
  const now = opts.now ?? new Date();
  const iso = now.toISOString();
  const stale = new Date(now.getTime() - STALE_CLAIM_MS).toISOString();
  const due = await db
    .selectFrom('reminder_outbox')
    .select(['id', 'status', 'attempts', 'to_address', 'subject', 'body_text', 'body_html'])
    // A message whose body retention has cleared is years old: never sent now.
    .where('body_text', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'pending'),
        opts.retryAll ? eb('status', '=', 'failed') : eb.and([eb('status', '=', 'failed'), eb('next_attempt_at', '<=', iso)]),
        eb.and([eb('status', '=', 'sending'), eb('claimed_at', '<', stale)]),
      ]),
    )
    .orderBy('id')
    .execute();
  const result: DeliveryResult = { sent: 0, failed: 0 };
  let next = 0;
  const worker = async () => {
    while (next < due.length) {
      const row = due[next++];
      const claimed = await db
        .updateTable('reminder_outbox')
        .set({ status: 'sending', claimed_at: new Date().toISOString(), attempts: row.attempts + 1 })
        .where('id', '=', row.id)
        .where('status', '=', row.status)
        .where('attempts', '=', row.attempts)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) continue; // another delivery took it
      try {
        await mailer.send({ to: row.to_address, subject: row.subject, text: row.body_text ?? '', html: row.body_html ?? '' });
        await db.updateTable('reminder_outbox').set({ status: 'sent', sent_at: new Date().toISOString(), last_error: null, next_attempt_at: null }).where('id', '=', row.id).execute();
        result.sent++;
      } catch (e) {
        const at = new Date(Date.now() + backoffMinutes(row.attempts + 1) * 60_000).toISOString();
        // The SMTP error's text, which names a server and a code, never a person.
        const error = String((e as Error)?.message ?? e).slice(0, 500);
        await db.updateTable('reminder_outbox').set({ status: 'failed', last_error: error, next_attempt_at: at }).where('id', '=', row.id).execute();
        result.failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  return result;
}

export interface OutboxRow {
  id: number;
  key: string;
  kind: ReminderKind;
  employeeNumber: string;
  to: string;
  requirement: string;
  dueDate: string | null;
  decidedFor: string;
  subject: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  createdBy: string;
  sentAt: string | null;
}

/**
 * The outbox, newest first, by status and by the day the messages were decided for: `limit` of
 * the messages `keep` lets through (all by default). Read in pages by id, so that a filter that
 * lets few through (a coordinator's scope) still finds up to `limit` of theirs; the bodies are
 * never read.
 */
export async function listOutbox(
  db: Db,
  f: { status?: OutboxStatus; from?: string; to?: string; limit?: number },
  keep?: (rows: OutboxRow[]) => Promise<OutboxRow[]>,
): Promise<OutboxRow[]> {
  const limit = f.limit ?? 1000;
  const out: OutboxRow[] = [];
  let before: number | null = null;
  while (out.length < limit) {
    let q = db
      .selectFrom('reminder_outbox')
      .select(['id', 'key', 'kind', 'employee_number', 'to_address', 'requirement', 'due_date', 'decided_for', 'subject', 'status', 'attempts', 'last_error', 'next_attempt_at', 'created_at', 'created_by', 'sent_at']);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.from) q = q.where('decided_for', '>=', f.from);
    if (f.to) q = q.where('decided_for', '<=', f.to);
    if (before !== null) q = q.where('id', '<', before);
    const page = keep ? Math.max(limit, 1000) : limit - out.length;
    const rows = await q.orderBy('id', 'desc').limit(page).execute();
    const mapped = rows.map((r) => ({
      id: r.id,
      key: r.key,
      kind: r.kind,
      employeeNumber: r.employee_number,
      to: r.to_address,
      requirement: r.requirement,
      dueDate: r.due_date,
      decidedFor: r.decided_for,
      subject: r.subject,
      status: r.status,
      attempts: r.attempts,
      lastError: r.last_error,
      nextAttemptAt: r.next_attempt_at,
      createdAt: r.created_at,
      createdBy: r.created_by,
      sentAt: r.sent_at,
    }));
    out.push(...(keep ? await keep(mapped) : mapped).slice(0, limit - out.length));
    if (rows.length < page) break;
    before = rows[rows.length - 1].id;
  }
  return out;
}
