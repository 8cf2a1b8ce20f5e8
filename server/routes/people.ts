import { Hono } from 'hono';
import { z } from 'zod';
import { authorize, authorizePerson, grantsFor } from '../auth/permissions.ts';
import { audit } from '../domain/audit.ts';
import { todayInStockholm } from '../domain/calendar.ts';
import { DomainError } from '../domain/errors.ts';
import { personRecords, recordReachDates, requirePerson } from '../domain/person-records.ts';
import { searchPeople } from '../domain/person-search.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { dateOrToday, optionalText } from '../http/params.ts';
import { query } from '../http/validate.ts';

const tags = ['people'];

// `q` is checked by hand below: a short one answers with search.tooShort, which says how long.
export const peopleSearchQuery = z.object({ q: optionalText(100), asOf: dateOrToday() });

/** People as the coordinator's corrections need them: a scoped search, and one person's records. Mounted at /api/people. */
export const people = new Hono<AppEnv>()
  .get('/', doc({ tags, summary: 'Find people by name or employee number within the caller’s scope' }), query(peopleSearchQuery), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'person.search');
    const { q = '', asOf } = c.req.valid('query');
    if (q.length < 2) throw new DomainError('bad_request', 'search.tooShort', { min: 2 });
    const g = grantsFor(principal, 'person.search');
    return c.json({ people: await searchPeople(c.get('deps').db, { all: g.all, units: g.units }, q, [asOf, todayInStockholm()]) });
  })
  .get('/:employeeNumber/records', doc({ tags, summary: 'One person’s records, annulled ones included (audited for others than oneself)' }), async (c) => {
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
