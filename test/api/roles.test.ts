import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { course, load, requirement } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let admin: string;
beforeEach(async () => {
  h = await nodeHarness();
  await load(h.db, {
    units: [
      ['CITY', 'Staden', null, 'stad'],
      ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
      ['F1-A', 'Avdelning A', 'F1', 'avdelning'],
      ['F2', 'Förvaltning två', 'CITY', 'forvaltning'],
    ],
    courses: [course('VBE')],
    requirements: [requirement({ code: 'R1', courses: ['VBE'], scope: ['CITY'] })],
  });
  admin = await h.token('ADM1', [{ role: 'admin' }]);
});
afterEach(() => h.close());

const roles = (method: string, body: unknown, token = admin) =>
  h.request('/api/roles', { token, method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const coverageStatus = async (token: string, unit: string) => (await h.request(`/api/coverage?unit=${unit}&requirement=R1&asOf=2024-06-01`, { token })).status;

describe('/api/roles', () => {
  it('grants a role kept in Kompetenskoll that takes effect at the next request, and takes it away', async () => {
    const sam = await h.token('SAM2'); // the token itself carries no role
    expect(await coverageStatus(sam, 'F1-A')).toBe(403);

    const res = await roles('POST', { employeeNumber: 'SAM2', role: 'coordinator', unit: 'F1' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ employeeNumber: 'SAM2', role: 'coordinator', unit: 'F1', grantedBy: 'ADM1' });
    expect(await coverageStatus(sam, 'F1-A')).toBe(200);
    expect(await coverageStatus(sam, 'F2')).toBe(403);

    const list = await h.json('/api/roles', admin);
    expect(list.grants.map((g: any) => [g.employeeNumber, g.role, g.unit])).toEqual([['SAM2', 'coordinator', 'F1']]);

    expect((await roles('DELETE', { employeeNumber: 'SAM2', role: 'coordinator', unit: 'F1' })).status).toBe(200);
    expect(await coverageStatus(sam, 'F1-A')).toBe(403);
    expect((await roles('DELETE', { employeeNumber: 'SAM2', role: 'coordinator', unit: 'F1' })).status).toBe(404);
    expect((await h.json('/api/roles', admin)).grants).toEqual([]);
  });

  it('lists one person\u2019s grants', async () => {
    await roles('POST', { employeeNumber: 'A', role: 'auditor' });
    await roles('POST', { employeeNumber: 'B', role: 'manager', unit: 'F1-A' });
    await roles('POST', { employeeNumber: 'B', role: 'manager', unit: 'F2' });
    const b = await h.json('/api/roles?employeeNumber=B', admin);
    expect(b.grants.map((g: any) => g.unit)).toEqual(['F1-A', 'F2']);
  });

  it('needs a unit for manager and coordinator, refuses one for admin and auditor, and knows the units', async () => {
    expect((await roles('POST', { employeeNumber: 'X', role: 'manager' })).status).toBe(400);
    expect((await roles('POST', { employeeNumber: 'X', role: 'coordinator', unit: null })).status).toBe(400);
    const unknown = await roles('POST', { employeeNumber: 'X', role: 'coordinator', unit: 'NOPE' });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).code).toBe('role.unknownUnit');
    expect((await roles('POST', { employeeNumber: 'X', role: 'admin', unit: 'F1' })).status).toBe(422);
    expect((await roles('POST', { employeeNumber: 'X', role: 'superuser' })).status).toBe(400);
    expect((await roles('POST', { role: 'admin' })).status).toBe(400);
    expect((await h.json('/api/roles', admin)).grants).toEqual([]);
  });

  it('grants a role once (also a city-wide one, whose unit is empty)', async () => {
    expect((await roles('POST', { employeeNumber: 'X', role: 'admin' })).status).toBe(201);
    expect((await roles('POST', { employeeNumber: 'X', role: 'admin' })).status).toBe(409);
    expect((await roles('POST', { employeeNumber: 'X', role: 'manager', unit: 'F1' })).status).toBe(201);
    expect((await roles('POST', { employeeNumber: 'X', role: 'manager', unit: 'F1' })).status).toBe(409);
    expect((await h.json('/api/roles?employeeNumber=X', admin)).grants).toHaveLength(2);
  });

  it('is for those who manage roles only: a coordinator or auditor cannot grant themselves more', async () => {
    const coordinator = await h.token('SAM1', [{ role: 'coordinator', unit: 'F1' }]);
    const auditor = await h.token('REV1', [{ role: 'auditor' }]);
    for (const token of [coordinator, auditor, await h.token('P1')]) {
      expect((await h.request('/api/roles', { token })).status).toBe(403);
      expect((await roles('POST', { employeeNumber: 'SAM1', role: 'admin' }, token)).status).toBe(403);
      expect((await roles('DELETE', { employeeNumber: 'ADM1', role: 'admin' }, token)).status).toBe(403);
    }
  });

  it('adds a granted admin right to the roles the token brings', async () => {
    const withToken = await h.token('M1', [{ role: 'manager', unit: 'F1-A' }]);
    expect((await h.request('/api/roles', { token: withToken })).status).toBe(403);
    await roles('POST', { employeeNumber: 'M1', role: 'admin' });
    expect((await h.request('/api/roles', { token: withToken })).status).toBe(200);
  });
});
