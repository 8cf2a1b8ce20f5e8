import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT } from 'jose';
import { course, load, requirement } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';

// Who may ask what (docs/api.md, "Scope"), and each error status of the read API.

let h: Harness;
beforeEach(async () => {
  h = await nodeHarness();
  await load(h.db, {
    units: [
      ['CITY', 'Staden', null, 'stad'],
      ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
      ['F1-A', 'Avdelning A', 'F1', 'avdelning'],
      ['F1-A-1', 'Enhet A1', 'F1-A', 'enhet'],
      ['F1-B', 'Avdelning B', 'F1', 'avdelning'],
      ['F2', 'Förvaltning två', 'CITY', 'forvaltning'],
    ],
    people: [['CHEF', 'Chef A'], ['EMP', 'Medarbetare'], ['OLDCHEF', 'Före detta chef']],
    employments: [
      { p: 'CHEF', unit: 'F1-A', from: '2020-01-01', manager: true, title: 'Avdelningschef' },
      { p: 'EMP', unit: 'F1-A-1', from: '2020-01-01' },
      { p: 'OLDCHEF', unit: 'F1-B', from: '2015-01-01', to: '2019-12-31', manager: true },
    ],
    courses: [course('C')],
    requirements: [requirement({ code: 'R', courses: ['C'], scope: ['CITY'] })],
  });
});
afterEach(() => h.close());

const coverage = (unit: string, token: string) => h.request(`/api/coverage?unit=${unit}&requirement=R&asOf=2021-01-01`, { token });
const peopleOf = (unit: string, token: string) => h.request(`/api/coverage/people?unit=${unit}&requirement=R&asOf=2021-01-01`, { token });

async function problem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  const body = await res.json();
  expect(body.status).toBe(status);
  expect(typeof body.detail).toBe('string');
  return body;
}

describe('sign-in', () => {
  it('answers 401 without a token, with a malformed one, and with an unsigned or forged JWT', async () => {
    await problem(await coverage('F1', ''), 401);
    await problem(await h.request('/api/coverage?unit=F1&requirement=R', { headers: { authorization: 'Basic abc' } }), 401);
    await problem(await coverage('F1', 'not-a-jwt'), 401);
    const unsigned = new UnsecuredJWT({ roles: [{ role: 'admin' }] }).setSubject('X').setIssuer('kompetenskoll-dev').encode();
    await problem(await coverage('F1', unsigned), 401);
    const forged = await new SignJWT({ roles: [{ role: 'admin' }] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('X')
      .setIssuer('kompetenskoll-dev')
      .sign(new TextEncoder().encode('some-other-secret-entirely-0000'));
    await problem(await coverage('F1', forged), 401);
  });

  it('lets /api/health through without a token', async () => {
    const res = await h.request('/api/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('issues dev tokens that carry the roles asked for', async () => {
    const res = await h.request('/api/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ employeeNumber: 'BOOT', roles: [{ role: 'admin' }] }),
    });
    expect(res.status).toBe(200);
    const { token } = await res.json();
    expect((await coverage('F2', token)).status).toBe(200);
    const bad = await h.request('/api/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ employeeNumber: 'BOOT', roles: [{ role: 'king' }] }),
    });
    const refused = await problem(bad, 400);
    expect(refused.detail).toBe('Roller (nummer 1) › Roll: ska vara ett av: admin, coordinator, auditor, manager.');
    expect(refused.errors[0].field).toBe('roles.0.role');
  });
});

describe('scope', () => {
  it('staff see only themselves', async () => {
    const t = await h.token('EMP');
    await problem(await coverage('F1-A-1', t), 403);
    await problem(await peopleOf('F1-A-1', t), 403);
    const me = await h.json('/api/me/training?asOf=2021-01-01', t);
    expect(me.person).toEqual({ employeeNumber: 'EMP', name: 'Medarbetare' });
    expect(me.requirements.map((r: any) => r.requirement.code)).toEqual(['R']);
  });

  it('a manager from the roster’s Chef column sees the unit’s subtree and nothing else', async () => {
    const t = await h.token('CHEF');
    expect((await coverage('F1-A', t)).status).toBe(200);
    expect((await coverage('F1-A-1', t)).status).toBe(200);
    expect((await peopleOf('F1-A-1', t)).status).toBe(200);
    await problem(await coverage('F1', t), 403);
    await problem(await coverage('F1-B', t), 403);
    await problem(await coverage('F2', t), 403);
  });

  it('a manager whose chef employment has ended is no longer one', async () => {
    await problem(await coverage('F1-B', await h.token('OLDCHEF')), 403);
  });

  it('a manager role from the token works the same', async () => {
    const t = await h.token('X', [{ role: 'manager', unit: 'F1-B' }]);
    expect((await coverage('F1-B', t)).status).toBe(200);
    await problem(await coverage('F1-A', t), 403);
  });

  it('a coordinator sees their förvaltning, and may define requirements only for it', async () => {
    const t = await h.token('SAM', [{ role: 'coordinator', unit: 'F1' }]);
    expect((await coverage('F1', t)).status).toBe(200);
    expect((await coverage('F1-A-1', t)).status).toBe(200);
    await problem(await coverage('F2', t), 403);
    await problem(await coverage('CITY', t), 403);
    const body = (scope: string[]) =>
      JSON.stringify({ code: `R-${scope[0]}`, title: 'x', courses: ['C'], scope, effectiveFrom: '2021-01-01', source: 'Handlingsplan' });
    const post = (scope: string[]) => h.request('/api/requirements', { method: 'POST', token: t, headers: { 'content-type': 'application/json' }, body: body(scope) });
    expect((await post(['F1-A'])).status).toBe(201);
    await problem(await post(['F2']), 403);
    await problem(await post(['F1', 'F2']), 403);
  });

  it('an auditor reads everything and changes nothing', async () => {
    const t = await h.token('REV', [{ role: 'auditor' }]);
    expect((await coverage('CITY', t)).status).toBe(200);
    expect((await peopleOf('F2', t)).status).toBe(200);
    const res = await h.request('/api/courses', {
      method: 'POST',
      token: t,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'NEW', title: 'Ny', kind: 'web' }),
    });
    await problem(res, 403);
  });

  it('says in English what was refused when asked in English', async () => {
    const res = await h.request('/api/coverage?unit=F2&requirement=R&asOf=2021-01-01', {
      token: await h.token('CHEF'),
      headers: { 'accept-language': 'en-GB,en;q=0.9' },
    });
    const body = await problem(res, 403);
    expect(body.detail).toBe('You are not allowed to see coverage for F2.');
  });
});

describe('errors', () => {
  let admin: string;
  beforeEach(async () => {
    admin = await h.token('A', [{ role: 'admin' }]);
  });

  it('404 for an unknown unit or requirement', async () => {
    expect((await problem(await h.request('/api/coverage?unit=NOPE&requirement=R', { token: admin }), 404)).detail).toContain('NOPE');
    expect((await problem(await h.request('/api/coverage?unit=F1&requirement=NOPE', { token: admin }), 404)).detail).toContain('NOPE');
    await problem(await h.request('/api/coverage/people?unit=F1&requirement=NOPE', { token: admin }), 404);
    await problem(await h.request('/api/coverage/trend?unit=NOPE&requirement=R', { token: admin }), 404);
  });

  it('400 for a malformed date or a missing parameter, naming it', async () => {
    const d = await problem(await h.request('/api/coverage?unit=F1&requirement=R&asOf=2021-02-30', { token: admin }), 400);
    expect(d.detail).toContain('asOf');
    await problem(await h.request('/api/coverage?unit=F1&requirement=R&asOf=31/12/2021', { token: admin }), 400);
    await problem(await h.request('/api/me/training?asOf=yesterday', { token: admin }), 400);
    await problem(await h.request('/api/coverage/trend?unit=F1&requirement=R&from=2021-13-01', { token: admin }), 400);
    expect((await problem(await h.request('/api/coverage?requirement=R', { token: admin }), 400)).detail).toContain('unit');
    await problem(await h.request('/api/coverage/people?unit=F1&requirement=R&status=done', { token: admin }), 400);
    await problem(await h.request('/api/coverage/trend?unit=F1&requirement=R&interval=week', { token: admin }), 400);
  });

  it('404 problem for an unknown route', async () => {
    await problem(await h.request('/api/nothing-here', { token: admin }), 404);
  });
});
