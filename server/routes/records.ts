import { Hono } from 'hono';
import { authorize, authorizePerson, peopleInReach } from '../auth/permissions.ts';
import { todayInStockholm } from '../domain/calendar.ts';
import { planRecords, recordAttendance, recordsInput } from '../domain/manual-records.ts';
import { annulInput, annulRecord, requireRecord } from '../domain/person-records.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { jsonBody } from '../http/validate.ts';

const tags = ['records'];

/** Records by hand (a seminar's attendance) and their annulment: DESIGN.md "Records by hand, and corrections". Mounted at /api/records. */
export const records = new Hono<AppEnv>()
  .post(
    '/',
    doc({ tags, summary: 'Register a seminar’s attendance list by hand (audited; the same record twice changes nothing)', responses: { 201: { description: 'What was recorded, and what already was' } } }),
    jsonBody(recordsInput),
    async (c) => {
      const principal = c.get('principal');
      authorize(principal, 'record.write');
      const input = c.req.valid('json');
      const deps = c.get('deps');
      const today = todayInStockholm();
      // Each person is checked on their own: in the caller's scope on the seminar's day or today.
      const plan = await planRecords(deps.db, input, today, (people) => peopleInReach(deps.db, principal, 'record.write', people, [input.occurredAt, today]));
      return c.json(await recordAttendance(deps, input, principal.employeeNumber, c.get('lang'), plan), 201);
    },
  )
  .post('/:id/annul', doc({ tags, summary: 'Annul a record with a reason (audited; it stays visible as annulled)' }), jsonBody(annulInput), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'record.annul');
    const deps = c.get('deps');
    const record = await requireRecord(deps.db, Number(c.req.param('id')));
    // In scope when the person worked there on the record's day, or works there today.
    await authorizePerson(deps.db, principal, 'record.annul', { id: record.personId, employeeNumber: record.employeeNumber }, [record.occurredAt, todayInStockholm()]);
    await annulRecord(deps, record, c.req.valid('json').reason, principal.employeeNumber);
    return c.json({ id: record.id, annulled: true });
  });
