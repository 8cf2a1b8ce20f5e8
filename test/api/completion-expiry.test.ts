import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { course, load, requirement } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';
import { csvFile, imported } from '../support/sheets.ts';

// A completion's expiry (DESIGN.md rule 4) is stored when it is written, by every writer, and
// rewritten with the course's validity. Expiries worked out by hand: the day clamped to the
// month's end, the completion counting up to the day before.

const BASIC = `Basic ${btoa('portal:s3cret')}`;
const ACT = 'https://utbildning.stockholm.se/xapi/brand';

let h: Harness;
let admin: string;
beforeEach(async () => {
  h = await nodeHarness({ KK_XAPI_CREDENTIALS: 'portal:s3cret' });
  admin = await h.token('ADMIN', [{ role: 'admin' }]);
  await load(h.db, {
    units: [
      ['CITY', 'Staden', null, 'stad'],
      ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
    ],
    people: [['P1', 'Ada', 'ada@stockholm.se'], ['P2', 'Bo', 'bo@stockholm.se'], ['P3', 'Cy']],
    employments: ['P1', 'P2', 'P3'].map((p) => ({ p, unit: 'F1', from: '2020-01-01' })),
    courses: [course('K', { validityMonths: 1, xapiActivityId: ACT })],
    requirements: [requirement({ code: 'R', courses: ['K'], scope: ['CITY'] })],
    // Through the fixtures' writer (records.ts), as the demo and the bench write.
    completions: [
      { p: 'P3', course: 'K', status: 'completed', at: '2021-12-31' },
      { p: 'P3', course: 'K', status: 'started', at: '2022-01-15' },
    ],
  });
  // Through the completions import.
  await imported(h, '/api/imports/completions', admin, csvFile([['Anställningsnummer', 'Kurs', 'Status', 'Datum'], ['P1', 'K', 'Genomförd', '2022-01-31']]), 'c.csv');
  // Through xAPI: 10:00 in Stockholm on 31 March.
  const res = await h.request('/xapi/statements', {
    method: 'POST',
    headers: { 'X-Experience-API-Version': '1.0.3', authorization: BASIC, 'content-type': 'application/json' },
    body: JSON.stringify({
      actor: { mbox: 'mailto:bo@stockholm.se' },
      verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
      object: { id: ACT },
      timestamp: '2022-03-31T08:00:00Z',
    }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
});
afterEach(() => h.close());

const expiries = async () =>
  Object.fromEntries(
    (
      await h.db
        .selectFrom('completion')
        .innerJoin('person', 'person.id', 'completion.person_id')
        .select(['person.employee_number as p', 'completion.status', 'completion.expires_on'])
        .orderBy('completion.id')
        .execute()
    ).map((r) => [`${r.p} ${r.status}`, r.expires_on]),
  );
const completed = async (asOf: string) => (await h.json(`/api/coverage?unit=CITY&requirement=R&asOf=${asOf}`, admin)).total.completed;
const put = (validityMonths: number | null) =>
  h.request('/api/courses/K', {
    method: 'PUT',
    token: admin,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: 'K', title: 'K', kind: 'web', validityMonths, xapiActivityId: ACT }),
  });

describe('a completion’s expiry', () => {
  it('is stored by the import, xAPI and the plain writer, the day clamped to the month’s end', async () => {
    expect(await expiries()).toEqual({
      'P3 completed': '2022-01-31',
      'P3 started': null,
      'P1 completed': '2022-02-28',
      'P2 completed': '2022-04-30',
    });
    // P1 counts up to the day before the expiry; P3's started record after its completion makes
    // it påbörjad once that has expired.
    expect(await completed('2022-02-27')).toBe(1);
    expect(await completed('2022-02-28')).toBe(0);
    expect(await completed('2022-04-29')).toBe(1);
    expect(await completed('2022-04-30')).toBe(0);
  });

  it('follows the course’s validity when it is changed, in the same write', async () => {
    expect((await put(2)).status).toBe(200);
    expect(await expiries()).toEqual({
      'P3 completed': '2022-02-28',
      'P3 started': null,
      'P1 completed': '2022-03-31',
      'P2 completed': '2022-05-31',
    });
    // On 2022-02-28 P1 still counts (until 03-30), P3 no longer.
    expect(await completed('2022-02-27')).toBe(2);
    expect(await completed('2022-02-28')).toBe(1);
    expect((await put(null)).status).toBe(200);
    expect(await expiries()).toEqual({ 'P3 completed': null, 'P3 started': null, 'P1 completed': null, 'P2 completed': null });
    expect(await completed('2030-01-01')).toBe(3);
    // The same validity again writes nothing new; back to one month gives the first expiries.
    expect((await put(1)).status).toBe(200);
    expect(await expiries()).toEqual({
      'P3 completed': '2022-01-31',
      'P3 started': null,
      'P1 completed': '2022-02-28',
      'P2 completed': '2022-04-30',
    });
  });
});
