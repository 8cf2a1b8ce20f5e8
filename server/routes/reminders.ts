import { Hono } from 'hono';
import { sql } from 'kysely';
import { z } from 'zod';
import { authorize, authorizeUnits, grantsFor, peopleInReach } from '../auth/permissions.ts';
import { todayInStockholm } from '../domain/calendar.ts';
import { requireRequirement, requireUnitAt } from '../domain/coverage-report.ts';
import { listOutbox, type OutboxRow } from '../domain/reminder-outbox.ts';
import { nudge, runReminders } from '../domain/reminder-run.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { dateOrToday, flag, intFrom1, oneOf, optionalDate, optionalText } from '../http/params.ts';
import { jsonBody, query } from '../http/validate.ts';

const tags = ['reminders'];

export const reminderRunQuery = z.object({ asOf: dateOrToday(), dryRun: flag(), requirement: optionalText() });
export const reminderOutboxQuery = z.object({
  status: oneOf(['pending', 'sending', 'sent', 'failed'] as const),
  from: optionalDate(),
  to: optionalDate(),
  limit: intFrom1(1000, 10_000),
});
const nudgeInput = z.strictObject({ unit: z.string().trim().min(1).max(64), requirement: z.string().trim().min(1).max(64) });

/** Reminders: DESIGN.md "Reminders (påminnelser), e-mailed and logged". Mounted at /api/reminders. */
export const reminders = new Hono<AppEnv>()
  .post('/run', doc({ tags, summary: "The day's reminders: decided, queued and sent (dryRun=1: only counted; requirement: one requirement's)" }), query(reminderRunQuery), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'reminder.run');
    const { asOf, dryRun, requirement } = c.req.valid('query');
    const deps = c.get('deps');
    if (requirement) await requireRequirement(deps.db, requirement);
    const answer = await runReminders(deps, asOf, { dryRun, actor: principal.employeeNumber, requirement });
    c.header('cache-control', 'no-store');
    return c.json(answer);
  })
  .post('/nudge', doc({ tags, summary: 'Remind the berörda of a unit who have not done a requirement, now (audited)' }), jsonBody(nudgeInput), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'reminder.nudge');
    const { unit, requirement } = c.req.valid('json');
    const deps = c.get('deps');
    const today = todayInStockholm();
    await authorizeUnits(deps.db, principal, 'reminder.nudge', [unit], today);
    await requireUnitAt(deps.db, unit, today);
    const r = await requireRequirement(deps.db, requirement);
    return c.json(await nudge(deps, r, unit, today, principal.employeeNumber));
  })
  .get('/outbox', doc({ tags, summary: "The reminders' outbox, by status and date (coordinators: people employed in their scope)" }), query(reminderOutboxQuery), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'reminder.outbox');
    const { status, from, to, limit } = c.req.valid('query');
    const { db } = c.get('deps');
    // A coordinator sees the messages to people employed in their scope today: up to `limit` of those.
    const inScope = grantsFor(principal, 'reminder.outbox').all
      ? undefined
      : async (page: OutboxRow[]) => {
          // The page's addressees in one statement (one bound JSON array, as D1 allows), not one per 90.
          const numbers = JSON.stringify([...new Set(page.map((r) => r.employeeNumber))]);
          const people = await db
            .selectFrom('person')
            .select(['id', 'employee_number'])
            .where('employee_number', 'in', sql<string>`(SELECT value FROM json_each(${numbers}))`)
            .execute();
          const reach = await peopleInReach(db, principal, 'reminder.outbox', people.map((p) => ({ id: p.id, employeeNumber: p.employee_number })), [todayInStockholm()]);
          const allowed = new Set(people.filter((p) => reach.has(p.id)).map((p) => p.employee_number));
          return page.filter((r) => allowed.has(r.employeeNumber));
        };
    const rows = await listOutbox(db, { status, from, to, limit }, inScope);
    c.header('cache-control', 'no-store');
    return c.json({ messages: rows });
  });
