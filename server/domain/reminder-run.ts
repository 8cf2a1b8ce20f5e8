import type { CompiledQuery } from 'kysely';
import type { Db } from '../db/schema.ts';
import type { Mailer } from '../mail/mailer.ts';
import { auditStatement } from './audit.ts';
import { berorda, decideReminders, type Decided } from './reminder-decision.ts';
import { deliverOutbox, notYetDecided, storeDecided } from './reminder-outbox.ts';
import { reminderKey } from './reminder-schedule.ts';
import { loadRequirements, type RequirementSpec } from './requirements.ts';

export interface ReminderDeps {
  db: Db;
  atomic: (queries: readonly CompiledQuery[]) => Promise<void>;
  /** Absent when no mail is configured (the demo): messages are decided and kept in the outbox. */
  mailer?: Mailer;
}

const view = (m: Decided) => ({ kind: m.kind, to: m.to!, employeeNumber: m.employeeNumber, requirement: m.requirement, dueDate: m.dueDate });

/**
 * A run for D (DESIGN.md "Reminders"): decide, keep in the outbox what is new, then send
 * everything the outbox holds unsent (failures of earlier runs at once). A dry run only decides.
 * The answer lists the new messages with an address; those without one are counted.
 */
export async function runReminders(deps: ReminderDeps, D: string, opts: { dryRun: boolean; actor: string; now?: Date; requirement?: string }) {
  const now = (opts.now ?? new Date()).toISOString();
  // One requirement only (the preview of its schedule in <kk-requirements>), or all of them.
  const specs = await loadRequirements(deps.db, opts.requirement ? [opts.requirement] : undefined);
  // Chunk by chunk as decided: what is new is kept at once and only its short view stays for
  // the answer, so the run's memory does not grow with the city's messages and their mails.
  const answered: ReturnType<typeof view>[] = [];
  let withoutEmail = 0;
  await decideReminders(deps.db, specs, D, async (batch) => {
    const fresh = await notYetDecided(deps.db, batch);
    for (const m of fresh) if (m.to) answered.push(view(m));
    withoutEmail += fresh.filter((m) => !m.to).length;
    if (!opts.dryRun) await storeDecided(deps.db, deps.atomic, fresh, D, opts.actor, now);
  });
  let delivery = { sent: 0, failed: 0 };
  if (!opts.dryRun) {
    await deps.atomic([auditStatement(deps.db, { actor: opts.actor, kind: 'reminder', action: 'run', scope: null, detail: { asOf: D, decided: answered.length, withoutEmail } }, now)]);
    if (deps.mailer) delivery = await deliverOutbox(deps.db, deps.mailer, { retryAll: true });
  }
  return { asOf: D, dryRun: opts.dryRun, messages: answered, withoutEmail, ...delivery };
}

/**
 * The "Påminn" button: one message to each person of the unit berörd by R on D and not
 * genomförd, at most once per (person, requirement, ISO week).
 */
export async function nudge(deps: ReminderDeps, r: RequirementSpec, unit: string, D: string, actor: string, now = new Date()) {
  const people = (await berorda(deps.db, r, D, [unit])).filter((p) => p.status !== 'completed');
  const decided: Decided[] = people.map((p) => ({
    kind: 'nudge',
    key: reminderKey.nudge(p.employeeNumber, r.code, D),
    employeeNumber: p.employeeNumber,
    name: p.name,
    to: p.email,
    requirement: r.code,
    dueDate: p.dueDate,
    spec: r,
  }));
  const last = await lastNudged(deps.db, r.code, people.map((p) => p.employeeNumber));
  const fresh = await notYetDecided(deps.db, decided);
  const addressed = fresh.filter((m) => m.to);
  await storeDecided(deps.db, deps.atomic, fresh, D, actor, now.toISOString());
  await deps.atomic([
    auditStatement(deps.db, { actor, kind: 'reminder', action: 'nudge', scope: unit, detail: { requirement: r.code, asOf: D, reminded: addressed.length } }, now.toISOString()),
  ]);
  const delivery = deps.mailer ? await deliverOutbox(deps.db, deps.mailer) : { sent: 0, failed: 0 };
  return {
    unit,
    requirement: r.code,
    notCompleted: people.length,
    reminded: addressed.length,
    alreadyThisWeek: decided.length - fresh.length,
    withoutEmail: fresh.length - addressed.length,
    lastRemindedAt: last,
    ...delivery,
  };
}

/** When any of these persons was last nudged about R (before this nudge), or null. */
async function lastNudged(db: Db, requirement: string, employeeNumbers: string[]): Promise<string | null> {
  let last: string | null = null;
  for (let i = 0; i < employeeNumbers.length; i += 90) {
    const row = await db
      .selectFrom('reminder_outbox')
      .select((eb) => eb.fn.max('created_at').as('at'))
      .where('kind', '=', 'nudge')
      .where('requirement', '=', requirement)
      .where('employee_number', 'in', employeeNumbers.slice(i, i + 90))
      .executeTakeFirst();
    const at = (row?.at as string | null) ?? null;
    if (at && (!last || at > last)) last = at;
  }
  return last;
}
