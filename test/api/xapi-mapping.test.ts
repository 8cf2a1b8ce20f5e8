import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rematchXapi } from '../../server/xapi/store.ts';
import { course, load, requirement, type Fixture } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';

// What statements mean for coverage. Every figure is worked out by hand from the fixture.

const BASIC = `Basic ${btoa('portal:s3cret')}`;
const ACT = 'https://utbildning.stockholm.se/xapi/vbe';
const ADV = 'https://utbildning.stockholm.se/xapi/vitmakt';
const verb = (v: string) => ({ id: `http://adlnet.gov/expapi/verbs/${v}` });
const byMail = (mail: string) => ({ mbox: `mailto:${mail}` });
const byAccount = (name: string) => ({ objectType: 'Agent', account: { homePage: 'https://hr.stockholm.se', name } });
const st = (actor: object, v: string, at: string, activity = ACT) => ({ actor, verb: verb(v), object: { id: activity }, timestamp: at });

const TREE: Fixture['units'] = [
  ['CITY', 'Staden', null, 'stad'],
  ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
  ['F1-A', 'Avdelning A', 'F1', 'avdelning'],
  ['F1-B', 'Avdelning B', 'F1', 'avdelning'],
];

let h: Harness;
let admin: string;
beforeEach(async () => {
  h = await nodeHarness({ KK_XAPI_CREDENTIALS: 'portal:s3cret' });
  admin = await h.token('ADMIN', [{ role: 'admin' }]);
});
afterEach(() => h.close());

async function post(body: unknown) {
  const res = await h.request('/xapi/statements', {
    method: 'POST',
    headers: { 'X-Experience-API-Version': '1.0.3', authorization: BASIC, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as string[];
}
const cov = (unit: string, asOf: string) => h.json(`/api/coverage?unit=${unit}&requirement=R&asOf=${asOf}`, admin).then((r) => r.total);
const records = () =>
  h.db
    .selectFrom('completion')
    .innerJoin('person', 'person.id', 'completion.person_id')
    .select(['person.employee_number as p', 'status', 'occurred_at', 'source', 'source_ref'])
    .orderBy('completion.id')
    .execute();

const WORLD: Fixture = {
  units: TREE,
  people: [
    ['P1', 'Ada Lind', 'ada.lind@stockholm.se'],
    ['P2', 'Bo Ek', 'bo.ek@stockholm.se'],
    ['P3', 'Cia Al', 'cia.al@stockholm.se'],
  ],
  employments: [
    { p: 'P1', unit: 'F1-A', from: '2020-01-01' },
    { p: 'P2', unit: 'F1-A', from: '2020-01-01' },
    { p: 'P3', unit: 'F1-B', from: '2020-01-01' },
  ],
  courses: [course('VBE', { xapiActivityId: ACT })],
  requirements: [requirement({ code: 'R', courses: ['VBE'], scope: ['F1'] })],
};

describe('verbs and actors', () => {
  it('maps passed to completed, failed to failed and progressed to started; by mbox or by account', async () => {
    await load(h.db, WORLD);
    const [a, b, c] = await post([
      // mbox compared without regard to case
      st(byMail('ADA.Lind@Stockholm.se'), 'passed', '2024-03-01T09:00:00Z'),
      st(byAccount('P2'), 'failed', '2024-03-01T09:00:00Z'),
      st(byMail('cia.al@stockholm.se'), 'progressed', '2024-03-01T09:00:00Z'),
    ]);
    expect(await records()).toEqual([
      { p: 'P1', status: 'completed', occurred_at: '2024-03-01T10:00:00', source: 'xapi', source_ref: a },
      { p: 'P2', status: 'failed', occurred_at: '2024-03-01T10:00:00', source: 'xapi', source_ref: b },
      { p: 'P3', status: 'started', occurred_at: '2024-03-01T10:00:00', source: 'xapi', source_ref: c },
    ]);
    // F1: P1 completed; P2 (failed) and P3 (progressed) have started; nobody untouched.
    expect(await cov('F1', '2024-06-01')).toMatchObject({ population: 3, completed: 1, started: 2, notStarted: 0, rate: 1 / 3 });
    expect(await cov('F1-A', '2024-06-01')).toMatchObject({ population: 2, completed: 1, started: 1, notStarted: 0, rate: 0.5 });
  });

  it('maps completed, attempted, initialized and launched; other verbs are kept but count for nothing', async () => {
    await load(h.db, WORLD);
    await post([
      st(byAccount('P1'), 'completed', '2024-03-01T09:00:00Z'),
      st(byAccount('P2'), 'attempted', '2024-03-01T09:00:00Z'),
      st(byAccount('P2'), 'initialized', '2024-03-01T09:01:00Z'),
      st(byAccount('P3'), 'launched', '2024-03-01T09:00:00Z'),
      st(byAccount('P3'), 'experienced', '2024-03-01T09:00:00Z'),
      st(byAccount('P3'), 'completed', '2024-03-01T09:00:00Z', 'https://utbildning.stockholm.se/xapi/okand'),
      { actor: byAccount('P3'), verb: verb('completed'), object: byAccount('P1') },
    ]);
    expect((await records()).map((r) => `${r.p}:${r.status}`)).toEqual(['P1:completed', 'P2:started', 'P2:started', 'P3:started']);
    const summary = await h.json('/api/xapi/unmatched', admin);
    // experienced and the agent-as-object are ignored for good; the unknown activity waits for its course.
    expect(summary.counts).toEqual({ matched: 4, unmatched: 1, ignored: 2 });
    expect(summary.unmatched.byReason).toEqual({ person: 0, course: 1, person_course: 0 });
    expect(await cov('F1', '2024-06-01')).toMatchObject({ population: 3, completed: 1, started: 2, notStarted: 0 });
  });

  it('dates the record by the statement timestamp in Stockholm time', async () => {
    await load(h.db, WORLD);
    // 23:30 UTC on 1 March is 00:30 on 2 March in Stockholm (CET, +01:00).
    await post([st(byAccount('P1'), 'completed', '2024-03-01T23:30:00Z'), st(byAccount('P2'), 'completed', '2024-07-01T01:30:00+02:00')]);
    expect((await records()).map((r) => r.occurred_at)).toEqual(['2024-03-02T00:30:00', '2024-07-01T01:30:00']);
    expect((await cov('F1', '2024-03-01')).completed).toBe(0);
    expect((await cov('F1', '2024-03-02')).completed).toBe(1);
    expect((await cov('F1', '2024-06-30')).completed).toBe(1);
    expect((await cov('F1', '2024-07-01')).completed).toBe(2);
  });

  it('a statement sent twice writes one record', async () => {
    await load(h.db, WORLD);
    const s = { id: 'b0c1d2e3-f405-4617-8829-3a4b5c6d7e8f', ...st(byAccount('P1'), 'completed', '2024-03-01T09:00:00Z') };
    await post(s);
    await post([s]);
    expect(await records()).toHaveLength(1);
    expect((await cov('F1', '2024-06-01')).completed).toBe(1);
    // Audited once, by the client's key, without the person in it; the no-op wrote nothing.
    const audit = await h.db.selectFrom('audit_log').select(['actor', 'action', 'detail_json']).where('kind', '=', 'xapi').execute();
    expect(audit).toEqual([{ actor: 'xapi:portal', action: 'store', detail_json: JSON.stringify({ statements: 1, matched: 1, unmatched: 0, ignored: 0 }) }]);
  });
});

describe('statements that arrive before their person or course', () => {
  it('are kept unmatched, then count once the person is on the roster', async () => {
    await load(h.db, {
      units: TREE,
      people: [['P2', 'Bo Ek', 'bo.ek@stockholm.se']],
      employments: [{ p: 'P2', unit: 'F1-A', from: '2020-01-01' }],
      courses: [course('VBE', { xapiActivityId: ACT })],
      requirements: [requirement({ code: 'R', courses: ['VBE'], scope: ['F1'] })],
    });
    const [id] = await post(st(byMail('ada.lind@stockholm.se'), 'completed', '2024-03-01T09:00:00Z'));
    expect(await records()).toEqual([]);

    const coordinator = await h.token('C1', [{ role: 'coordinator', unit: 'F1' }]);
    const summary = await h.json('/api/xapi/unmatched', coordinator);
    expect(summary).toEqual({
      counts: { matched: 0, unmatched: 1, ignored: 0 },
      unmatched: { total: 1, byReason: { person: 1, course: 0, person_course: 0 } },
      statements: [{ id, verb: 'http://adlnet.gov/expapi/verbs/completed', activityId: ACT, reason: 'person', storedAt: expect.any(String) }],
      truncated: false,
    });
    // No personal data in the coordinators' list.
    expect(JSON.stringify(summary)).not.toContain('ada');
    // P2 only: nobody has completed.
    expect(await cov('F1', '2024-06-01')).toMatchObject({ population: 1, completed: 0, notStarted: 1 });

    // The roster brings Ada (the roster import calls rematchXapi, as here).
    await load(h.db, { people: [['P1', 'Ada Lind', 'Ada.Lind@stockholm.se']], employments: [{ p: 'P1', unit: 'F1-A', from: '2023-01-01' }] });
    expect(await cov('F1', '2024-06-01')).toMatchObject({ population: 2, completed: 0, notStarted: 2 });
    expect(await rematchXapi(h.db)).toEqual({ matched: 1, unmatched: 0 });
    // Ada completed (the completion made when she was already employed), Bo has not: 1 of 2.
    expect(await cov('F1', '2024-06-01')).toMatchObject({ population: 2, completed: 1, started: 0, notStarted: 1, rate: 0.5 });
    expect(await cov('F1', '2024-02-29')).toMatchObject({ population: 2, completed: 0 });
    expect(await records()).toEqual([{ p: 'P1', status: 'completed', occurred_at: '2024-03-01T10:00:00', source: 'xapi', source_ref: id }]);
    expect((await h.json('/api/xapi/unmatched', coordinator)).counts).toEqual({ matched: 1, unmatched: 0, ignored: 0 });
    // Matching again changes nothing.
    expect(await rematchXapi(h.db)).toEqual({ matched: 0, unmatched: 0 });
    expect(await records()).toHaveLength(1);
  });

  it('count once their course is created with the activity id (the course route re-matches)', async () => {
    await load(h.db, { units: TREE, people: WORLD.people, employments: WORLD.employments });
    await post([st(byAccount('P1'), 'completed', '2024-03-01T09:00:00Z', ADV), st(byAccount('NOBODY'), 'completed', '2024-03-01T09:00:00Z', ADV)]);
    let summary = await h.json('/api/xapi/unmatched', admin);
    expect(summary.unmatched.byReason).toEqual({ person: 0, course: 1, person_course: 1 });

    const created = await h.request('/api/courses', { method: 'POST', token: admin, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'ADV', title: 'Vit makt', kind: 'web' }) });
    expect(created.status).toBe(201);
    // Without the activity id nothing can match yet.
    expect((await h.json('/api/xapi/unmatched', admin)).unmatched.total).toBe(2);
    const updated = await h.request('/api/courses/ADV', { method: 'PUT', token: admin, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'ADV', title: 'Vit makt', kind: 'web', xapiActivityId: ADV }) });
    expect(updated.status).toBe(200);
    summary = await h.json('/api/xapi/unmatched', admin);
    // P1's statement now counts; NOBODY's still waits, for its person only.
    expect(summary.counts).toEqual({ matched: 1, unmatched: 1, ignored: 0 });
    expect(summary.unmatched.byReason).toEqual({ person: 1, course: 0, person_course: 0 });

    const req = await h.request('/api/requirements', {
      method: 'POST',
      token: admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'R', title: 'Fördjupning', courses: ['ADV'], scope: ['F1'], effectiveFrom: '2020-01-01', source: 'test' }),
    });
    expect(req.status).toBe(201);
    // F1: P1 of P1, P2, P3 has done the advanced course.
    expect(await cov('F1', '2024-06-01')).toMatchObject({ population: 3, completed: 1, notStarted: 2 });
  });

  it('the unmatched list is for coordinators, not staff', async () => {
    const staff = await h.token('P9');
    expect((await h.request('/api/xapi/unmatched', { token: staff })).status).toBe(403);
    expect((await h.request('/api/xapi/unmatched')).status).toBe(401);
  });
});

describe('a statement before its person, who then arrives by roster import', () => {
  it('counts once the roster that names the person is committed, not on its dry run', async () => {
    await load(h.db, {
      units: TREE,
      courses: [course('VBE', { xapiActivityId: ACT })],
      requirements: [requirement({ code: 'R', courses: ['VBE'], scope: ['F1'] })],
    });
    await post([st(byAccount('N1'), 'completed', '2024-03-01T10:00:00+01:00'), st(byMail('nils.nordin@stockholm.se'), 'attempted', '2024-03-02T10:00:00+01:00')]);
    const roster = (dryRun: boolean) => {
      const form = new FormData();
      const csv = 'Anställningsnummer;Namn;E-post;Enhetskod;Anställd från\nN1;Nina Ny;nina.ny@stockholm.se;F1-A;2024-01-01\nN2;Nils Nordin;Nils.Nordin@stockholm.se;F1-B;2024-01-01\n';
      form.append('file', new Blob([csv], { type: 'text/csv' }), 'roster.csv');
      return h.request(`/api/imports/roster?mode=history&dryRun=${dryRun}`, { method: 'POST', token: admin, body: form });
    };
    expect((await roster(true)).status).toBe(200);
    expect(await records()).toEqual([]);
    expect((await roster(false)).status).toBe(200);
    // N1 by account name: genomförd; N2 by e-mail (any case): påbörjad.
    expect(await cov('F1', '2024-03-31')).toMatchObject({ population: 2, completed: 1, started: 1, notStarted: 0 });
    expect((await records()).map((r) => [r.p, r.status, r.source])).toEqual([
      ['N1', 'completed', 'xapi'],
      ['N2', 'started', 'xapi'],
    ]);
  });
});
