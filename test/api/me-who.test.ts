import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { load } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';

// GET /api/me and GET /api/units: who is signed in, which units they follow, what they may do.
let h: Harness;
beforeEach(async () => {
  h = await nodeHarness();
  await load(h.db, {
    units: [
      ['CITY', 'Staden', null, 'stad'],
      ['HAV', 'Hässelby-Vällingby', 'CITY', 'forvaltning'],
      ['HAV-IFO', 'Individ- och familjeomsorg', 'HAV', 'avdelning'],
      ['HAV-IFO-VUX', 'Vuxenenheten', 'HAV-IFO', 'enhet'],
      ['HAV-FSK', 'Förskola', 'HAV', 'avdelning'],
      ['SKH', 'Skärholmen', 'CITY', 'forvaltning'],
      ['SKH-IFO', 'Individ- och familjeomsorg', 'SKH', 'avdelning'],
      ['SKH-OLD', 'Äldreomsorg (nedlagd)', 'SKH', 'avdelning', '2000-01-01', '2019-12-31'],
    ],
    people: [['M1', 'Maja Chef'], ['S1', 'Sven Staff']],
    employments: [
      { p: 'M1', unit: 'HAV-IFO', from: '2020-01-01', manager: true },
      // Chef once, no longer: leads nothing today.
      { p: 'M1', unit: 'SKH-IFO', from: '2015-01-01', to: '2019-12-31', manager: true },
      { p: 'S1', unit: 'HAV-IFO-VUX', from: '2020-01-01' },
    ],
  });
  await h.db
    .insertInto('role_grant')
    .values({ employee_number: 'C1', role: 'coordinator', unit_code: 'SKH', granted_by: 'test', granted_at: '2020-01-01' })
    .execute();
});
afterEach(() => h.close());

const me = async (token: string) => h.json('/api/me', token);

describe('GET /api/me', () => {
  it('names a manager the unit the roster marks them Chef of today, and only what managers may do', async () => {
    expect(await me(await h.token('M1'))).toEqual({
      employeeNumber: 'M1',
      name: 'Maja Chef',
      roles: [{ role: 'manager', unit: 'HAV-IFO' }],
      units: [{ code: 'HAV-IFO', name: 'Individ- och familjeomsorg' }],
      capabilities: ['me.read', 'catalog.read', 'record.read', 'coverage.read', 'people.read', 'export.read', 'export.people', 'exemption.read', 'reminder.nudge', 'report.read'],
    });
  });

  it('gives staff themselves only: no units, no coverage, no import, no editing', async () => {
    const answer = await me(await h.token('S1'));
    expect(answer).toMatchObject({ employeeNumber: 'S1', name: 'Sven Staff', roles: [], units: [] });
    // record.read: their own records (<kk-corrections>'s "a person's records").
    expect(answer.capabilities).toEqual(['me.read', 'catalog.read', 'record.read']);
  });

  it('lists the units of grants kept in Kompetenskoll and of the token, by their names today', async () => {
    const answer = await me(await h.token('C1', [{ role: 'manager', unit: 'HAV-FSK' }]));
    // Not on any roster: no name, but still signed in.
    expect(answer.name).toBeNull();
    expect(answer.roles).toEqual([{ role: 'manager', unit: 'HAV-FSK' }, { role: 'coordinator', unit: 'SKH' }]);
    expect(answer.units).toEqual([{ code: 'HAV-FSK', name: 'Förskola' }, { code: 'SKH', name: 'Skärholmen' }]);
    expect(answer.capabilities).toContain('import.write');
    expect(answer.capabilities).toContain('requirement.write');
    expect(answer.capabilities).not.toContain('units.write');
  });

  it('gives auditors reading everywhere and no writing', async () => {
    const answer = await me(await h.token('R1', [{ role: 'auditor' }]));
    expect(answer.units).toEqual([]);
    expect(answer.roles).toEqual([{ role: 'auditor', unit: null }]);
    expect(answer.capabilities).toEqual(expect.arrayContaining(['coverage.read', 'people.read', 'export.people', 'audit.read']));
    for (const w of ['import.write', 'course.write', 'requirement.write', 'units.write', 'role.manage']) expect(answer.capabilities).not.toContain(w);
  });

  it('is 401 without a token', async () => {
    expect((await h.request('/api/me')).status).toBe(401);
  });
});

describe('GET /api/units (type-ahead within scope)', () => {
  it('finds units by name or code, case-insensitively, with their path, only within the caller’s reach', async () => {
    const c1 = await h.token('C1');
    const found = await h.json('/api/units?q=individ&asOf=2024-01-01', c1);
    expect(found.units).toEqual([{ code: 'SKH-IFO', name: 'Individ- och familjeomsorg', kind: 'avdelning', path: ['Skärholmen'] }]);
    const byCode = await h.json('/api/units?q=skh&asOf=2024-01-01', c1);
    expect(byCode.units.map((u: { code: string }) => u.code)).toEqual(['SKH', 'SKH-IFO']);
  });

  it('answers as of the date asked: a unit closed then is not offered, one open then is', async () => {
    const admin = await h.token('A1', [{ role: 'admin' }]);
    expect((await h.json('/api/units?q=äldre&asOf=2024-01-01', admin)).units).toEqual([]);
    expect((await h.json('/api/units?q=ÄLDRE&asOf=2019-06-30', admin)).units.map((u: { code: string }) => u.code)).toEqual(['SKH-OLD']);
  });

  it('gives those who may see everywhere every match, an exact code first', async () => {
    const auditor = await h.token('R1', [{ role: 'auditor' }]);
    const found = await h.json('/api/units?q=individ', auditor);
    expect(found.units.map((u: { code: string }) => u.code)).toEqual(['HAV-IFO', 'SKH-IFO']);
    expect((await h.json('/api/units?q=hav', auditor)).units[0].code).toBe('HAV');
  });

  it('refuses staff, and a manager finds only within their own subtree', async () => {
    const res = await h.request('/api/units?q=a', { token: await h.token('S1') });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('problem+json');
    const m1 = await h.json('/api/units?q=', await h.token('M1'));
    expect(m1.units.map((u: { code: string }) => u.code)).toEqual(['HAV-IFO', 'HAV-IFO-VUX']);
  });
});
