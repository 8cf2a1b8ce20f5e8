import { Hono } from 'hono';
import { authorize } from '../auth/permissions.ts';
import { myTraining } from '../domain/coverage-report.ts';
import type { AppEnv } from '../http/env.ts';
import { dateParam } from '../http/params.ts';

export const me = new Hono<AppEnv>().get('/api/me/training', async (c) => {
  const asOf = dateParam(c, 'asOf');
  const principal = c.get('principal');
  authorize(principal, 'me.read');
  const { db } = c.get('deps');
  const person = await db
    .selectFrom('person')
    .select(['id', 'employee_number', 'name'])
    .where('employee_number', '=', principal.employeeNumber)
    .executeTakeFirst();
  // Someone signed in but not on any roster (a bootstrap admin) is required to take nothing.
  const requirements = person ? await myTraining(db, person.id, asOf, c.get('lang')) : [];
  return c.json({
    asOf,
    person: { employeeNumber: principal.employeeNumber, name: person?.name ?? null },
    requirements,
  });
});
