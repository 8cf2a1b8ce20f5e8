import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { course, load, requirement } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';

// My training keeps the requirements it has read while nothing in the catalogue changed; these
// check that a change is seen on the very next request.
let h: Harness;
beforeEach(async () => {
  h = await nodeHarness();
  await load(h.db, {
    units: [['CITY', 'Staden', null, 'stad']],
    people: [['P1', 'Sara Socialsekreterare']],
    employments: [{ p: 'P1', unit: 'CITY', from: '2022-03-01' }],
    courses: [course('GRUND', { title: { sv: 'Grundutbildning', en: 'Basic course' } })],
    requirements: [requirement({ code: 'ALLA', courses: ['GRUND'], scope: ['CITY'] })],
    completions: [{ p: 'P1', course: 'GRUND', status: 'completed', at: '2022-05-10' }],
  });
});
afterEach(() => h.close());

const send = (method: string, path: string, body: unknown) =>
  h.request(path, { method, token: admin, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
let admin: string;

const codes = (me: { requirements: { requirement: { code: string; title: string } }[] }) =>
  me.requirements.map((r) => `${r.requirement.code}: ${r.requirement.title}`);

describe('my training after the catalogue changes', () => {
  it('sees a changed, a new and a no longer effective requirement, and a changed course, at once', async () => {
    const p1 = await h.token('P1');
    admin = await h.token('ADMIN', [{ role: 'admin' }]);
    expect(codes(await h.json('/api/me/training?asOf=2022-09-01', p1))).toEqual(['ALLA: ALLA']);

    const put = await send('PUT', '/api/requirements/ALLA', requirement({ code: 'ALLA', title: 'Alla medarbetare', courses: ['GRUND'], scope: ['CITY'] }));
    expect(put.status).toBe(200);
    expect(codes(await h.json('/api/me/training?asOf=2022-09-01', p1))).toEqual(['ALLA: Alla medarbetare']);

    const post = await send('POST', '/api/requirements', requirement({ code: 'NY', courses: ['GRUND'], scope: ['CITY'], effectiveFrom: '2022-08-01' }));
    expect(post.status).toBe(201);
    expect(codes(await h.json('/api/me/training?asOf=2022-09-01', p1))).toEqual(['ALLA: Alla medarbetare', 'NY: NY']);

    await send('PUT', '/api/requirements/NY', requirement({ code: 'NY', courses: ['GRUND'], scope: ['CITY'], effectiveFrom: '2022-10-01' }));
    expect(codes(await h.json('/api/me/training?asOf=2022-09-01', p1))).toEqual(['ALLA: Alla medarbetare']);

    const course2 = await send('PUT', '/api/courses/GRUND', course('GRUND', { title: { sv: 'Ny grundkurs', en: 'New basic course' } }));
    expect(course2.status).toBe(200);
    const me = await h.json('/api/me/training?asOf=2022-09-01', p1);
    expect(me.requirements[0].course.title).toBe('Ny grundkurs');
  });
});
