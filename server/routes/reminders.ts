import { Hono } from 'hono';
import { z } from 'zod';
import { authorize, authorizeUnits, grantsFor, peopleInReach } from '../auth/permissions.ts';
import { todayInStockholm } from '../domain/calendar.ts';
import { DomainError } from '../domain/errors.ts';
import { requireRequirement, requireUnitAt } from '../domain/coverage-report.ts';
import { listOutbox } from '../domain/reminder-outbox.ts';
import { nudge, runReminders } from '../domain/reminder-run.ts';
import type { AppEnv } from '../http/env.ts';
import { dateParam, enumParam } from '../http/params.ts';
import { jsonBody } from '../http/validate.ts';

const nudgeInput = z.strictObject({ unit: z.string().trim().min(1).max(64), requirement: z.string().trim().min(1).max(64) });

/** Reminders: DESIGN.md "Reminders (påminnelser), e-mailed and logged". */
export const reminders = new Hono<AppEnv>()
  .post('/api/reminders/run', async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'reminder.run');
    const asOf = dateParam(c, 'asOf');
    const dryRun = enumParam(c, 'dryRun', ['0', '1', 'true', 'false'] as const, '0');
    const deps = c.get('deps');
    const requirement = c.req.query('requirement')?.trim() || undefined;
    if (requirement) await requireRequirement(deps.db, requirement);
    const answer = await runReminders(deps, asOf, { dryRun: dryRun === '1' || dryRun === 'true', actor: principal.employeeNumber, requirement });
    c.header('cache-control', 'no-store');
    return c.json(answer);
  })
  .post('/api/reminders/nudge', jsonBody(nudgeInput), async (c) => {
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
  .get('/api/reminders/outbox', async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'reminder.outbox');
    const status = enumParam(c, 'status', ['pending', 'sending', 'sent', 'failed'] as const);
    const from = c.req.query('from') ? dateParam(c, 'from') : undefined;
    const to = c.req.query('to') ? dateParam(c, 'to') : undefined;
    const limitText = c.req.query('limit') ?? '1000';
    const limit = Number(limitText);
    if (!/^\d{1,5}$/.test(limitText) || limit < 1 || limit > 10_000) throw new DomainError('bad_request', 'param.invalid', { name: 'limit', value: limitText.slice(0, 40), expected: '1–10000' });
    const { db } = c.get('deps');
    let rows = await listOutbox(db, { status, from, to, limit });
    if (!grantsFor(principal, 'reminder.outbox').all) {
      // A coordinator sees the messages to people employed in their scope today.
      const numbers = [...new Set(rows.map((r) => r.employeeNumber))];
      const people = [];
      for (let i = 0; i < numbers.length; i += 90) {
        people.push(...(await db.selectFrom('person').select(['id', 'employee_number']).where('employee_number', 'in', numbers.slice(i, i + 90)).execute()));
      }
      const reach = await peopleInReach(db, principal, 'reminder.outbox', people.map((p) => ({ id: p.id, employeeNumber: p.employee_number })), [todayInStockholm()]);
      const allowed = new Set(people.filter((p) => reach.has(p.id)).map((p) => p.employee_number));
      rows = rows.filter((r) => allowed.has(r.employeeNumber));
    }
    c.header('cache-control', 'no-store');
    return c.json({ messages: rows });
  });
