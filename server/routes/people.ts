import { Hono } from 'hono';
import { authorize, authorizePerson, grantsFor } from '../auth/permissions.ts';
import { audit } from '../domain/audit.ts';
import { todayInStockholm } from '../domain/calendar.ts';
import { DomainError } from '../domain/errors.ts';
import { personRecords, recordReachDates, requirePerson } from '../domain/person-records.ts';
import { searchPeople } from '../domain/person-search.ts';
import type { AppEnv } from '../http/env.ts';
import { dateParam } from '../http/params.ts';

/** People as the coordinator's corrections need them: a scoped search, and one person's records. */
export const people = new Hono<AppEnv>()
  .get('/api/people', async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'person.search');
    const q = (c.req.query('q') ?? '').trim().slice(0, 100);
    if (q.length < 2) throw new DomainError('bad_request', 'search.tooShort', { min: 2 });
    const today = todayInStockholm();
    const asOf = dateParam(c, 'asOf', today);
    const g = grantsFor(principal, 'person.search');
    return c.json({ people: await searchPeople(c.get('deps').db, { all: g.all, units: g.units }, q, [asOf, today]) });
  })
  .get('/api/people/:employeeNumber/records', async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'record.read');
    const { db } = c.get('deps');
    const person = await requirePerson(db, c.req.param('employeeNumber').slice(0, 64));
    await authorizePerson(db, principal, 'record.read', person, await recordReachDates(db, person.id, todayInStockholm()));
    const list = await personRecords(db, person.id, c.get('lang'));
    // Someone else's records are personal data read: audited like a people list.
    if (person.employeeNumber !== principal.employeeNumber) {
      await audit(db, { actor: principal.employeeNumber, kind: 'people.read', action: 'records', scope: null, detail: { employeeNumber: person.employeeNumber, rows: list.length } });
    }
    c.header('cache-control', 'no-store');
    return c.json({ person: { employeeNumber: person.employeeNumber, name: person.name }, records: list });
  });
