import { CompiledQuery } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExemption, endExemption, requireExemption } from '../../server/domain/exemptions.ts';
import { requirePerson } from '../../server/domain/person-records.ts';
import { anonymiseExpired } from '../../server/domain/retention.ts';
import { expectAudited } from '../support/audit.ts';
import { course, load, requirement } from '../support/fixtures.ts';
import { makeHarness, type Harness } from '../support/harness.ts';

// DESIGN.md "Exemptions": POST/GET /api/exemptions, POST /api/exemptions/:id/end. The world: the
// coordinator SAM1 holds F1; P1 and P2 work in F1-A (P2 until 2024-03-31), P3 in F2.

let h: Harness;
let t: { admin: string; coordinator: string; manager: string; managerF2: string; auditor: string; p1: string };
beforeEach(async () => {
  h = await makeHarness();
  await load(h.db, {
    units: [
      ['CITY', 'Staden', null, 'stad'],
      ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
      ['F1-A', 'Avdelning A', 'F1', 'avdelning'],
      ['F2', 'Förvaltning två', 'CITY', 'forvaltning'],
    ],
    people: [['P1', 'Ada Andersson'], ['P2', 'Bo Berg'], ['P3', 'Cia Ek']],
    employments: [
      { p: 'P1', unit: 'F1-A', from: '2020-01-01' },
      { p: 'P2', unit: 'F1-A', from: '2020-01-01', to: '2024-03-31' },
      { p: 'P3', unit: 'F2', from: '2020-01-01' },
    ],
    courses: [course('VBE'), course('FDJ')],
    requirements: [requirement({ code: 'R1', courses: ['VBE'], scope: ['CITY'] }), requirement({ code: 'R2', courses: ['FDJ'], scope: ['F1'] })],
  });
  t = {
    admin: await h.token('ADM1', [{ role: 'admin' }]),
    coordinator: await h.token('SAM1', [{ role: 'coordinator', unit: 'F1' }]),
    manager: await h.token('CHEF1', [{ role: 'manager', unit: 'F1-A' }]),
    managerF2: await h.token('CHEF2', [{ role: 'manager', unit: 'F2' }]),
    auditor: await h.token('REV1', [{ role: 'auditor' }]),
    p1: await h.token('P1'),
  };
});
afterEach(() => h.close());

const post = (path: string, token: string, body: unknown) =>
  h.request(path, { token, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const exempt = (over: Record<string, unknown> = {}) => ({ employeeNumber: 'P1', requirement: 'R1', from: '2024-01-01', reason: 'Föräldraledig', ...over });
const create = async (over: Record<string, unknown> = {}, token = t.coordinator) => {
  const res = await post('/api/exemptions', token, exempt(over));
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
};
const list = async (query: string, token = t.coordinator) =>
  (await h.json(`/api/exemptions?${query}`, token)).exemptions.map((x: any) => `${x.employeeNumber} ${x.requirement.code} ${x.from}–${x.to ?? ''} ${x.reason}`);

describe('POST /api/exemptions', () => {
  it('adds an exemption with who made it, audited', async () => {
    const x = await create({ to: '2024-12-31' });
    expect(x).toMatchObject({
      employeeNumber: 'P1',
      name: 'Ada Andersson',
      requirement: { code: 'R1' },
      from: '2024-01-01',
      to: '2024-12-31',
      reason: 'Föräldraledig',
      createdBy: 'SAM1',
      endedBy: null,
      endedAt: null,
    });
    expect(typeof x.id).toBe('number');
    await expectAudited(h, t.admin, { kind: 'exemption', action: 'create', actor: 'SAM1', scope: 'R1', detail: { employeeNumber: 'P1', requirement: 'R1', from: '2024-01-01', to: '2024-12-31', reason: 'Föräldraledig' } });
  });

  it('refuses a second exemption from the same requirement on any of the same days, not one from another requirement', async () => {
    await create({ from: '2024-01-01', to: '2024-06-30' });
    const clash = await post('/api/exemptions', t.coordinator, exempt({ from: '2024-06-30' }));
    expect(clash.status).toBe(409);
    const problem = await clash.json();
    expect(problem.code).toBe('exemption.overlap');
    expect(problem.detail).toContain('2024-01-01–2024-06-30');
    // An open-ended one before it also shares its days.
    expect((await post('/api/exemptions', t.coordinator, exempt({ from: '2023-01-01' }))).status).toBe(409);
    await create({ from: '2024-07-01' });
    await create({ requirement: 'R2', from: '2024-03-01' });
  });

  it('needs a reason, dates in order, a known person and requirement', async () => {
    for (const bad of [exempt({ reason: '' }), exempt({ reason: '   ' }), exempt({ reason: undefined }), exempt({ to: '2023-12-31' }), exempt({ from: '2024-13-01' }), exempt({ extra: true })]) {
      const res = await post('/api/exemptions', t.coordinator, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect((await res.json()).code).toBe('body.invalid');
    }
    const person = await post('/api/exemptions', t.coordinator, exempt({ employeeNumber: 'NOPE' }));
    expect(person.status).toBe(404);
    expect((await person.json()).code).toBe('person.unknown');
    const req = await post('/api/exemptions', t.coordinator, exempt({ requirement: 'NOPE' }));
    expect(req.status).toBe(422);
    expect((await req.json()).code).toBe('requirement.unknown');
    expect(await h.db.selectFrom('exemption').select('id').execute()).toEqual([]);
  });

  it('is for the coordinator of where the person works (on the first day or today) and admins', async () => {
    const outside = await post('/api/exemptions', t.coordinator, exempt({ employeeNumber: 'P3' }));
    expect(outside.status).toBe(403);
    expect((await outside.json()).code).toBe('scope.denied');
    for (const token of [t.manager, t.auditor, t.p1]) expect((await post('/api/exemptions', token, exempt())).status).toBe(403);
    // P2 left on 2024-03-31: in scope on a first day before then, not after.
    await create({ employeeNumber: 'P2', from: '2024-02-01' });
    expect((await post('/api/exemptions', t.coordinator, exempt({ employeeNumber: 'P2', requirement: 'R2', from: '2024-05-01' }))).status).toBe(403);
    await create({ employeeNumber: 'P3' }, t.admin);
  });

  it('writes the exemption and its audit entry together or not at all', async () => {
    const person = await requirePerson(h.db, 'P1');
    const failing = (qs: readonly CompiledQuery[]) => h.atomic([...qs, CompiledQuery.raw('INSERT INTO no_such_table VALUES (1)', [])]);
    await expect(createExemption({ db: h.db, atomic: failing }, person, exempt() as any, 'SAM1')).rejects.toThrow();
    expect(await h.db.selectFrom('exemption').select('id').execute()).toEqual([]);
    expect(await h.db.selectFrom('audit_log').select('id').where('kind', '=', 'exemption').execute()).toEqual([]);
  });
});

describe('GET /api/exemptions', () => {
  beforeEach(async () => {
    await create({ from: '2024-01-01', to: '2024-06-30', reason: 'Föräldraledig' });
    await create({ requirement: 'R2', from: '2024-03-01', reason: 'Arbetar inte med målgruppen' });
    await create({ employeeNumber: 'P2', from: '2024-02-01', reason: 'Långtidssjukskriven' });
    await create({ employeeNumber: 'P3', from: '2024-01-01', reason: 'Tjänstledig' }, t.admin);
  });

  it('lists the exemptions in effect on the day for the people employed in the unit then', async () => {
    expect(await list('unit=F1&asOf=2024-03-15')).toEqual([
      'P1 R1 2024-01-01–2024-06-30 Föräldraledig',
      'P1 R2 2024-03-01– Arbetar inte med målgruppen',
      'P2 R1 2024-02-01– Långtidssjukskriven',
    ]);
    expect(await list('unit=F1&asOf=2024-03-15&requirement=R2')).toEqual(['P1 R2 2024-03-01– Arbetar inte med målgruppen']);
    // Before R2's exemption began; P2 not yet exempted.
    expect(await list('unit=F1&asOf=2024-01-15')).toEqual(['P1 R1 2024-01-01–2024-06-30 Föräldraledig']);
    // After R1's ended and P2 had left.
    expect(await list('unit=F1-A&asOf=2024-07-01')).toEqual(['P1 R2 2024-03-01– Arbetar inte med målgruppen']);
    // Without a day: those in effect today or later, for the people employed there today.
    expect(await list('unit=F1')).toEqual(['P1 R2 2024-03-01– Arbetar inte med målgruppen']);
    const one = (await h.json('/api/exemptions?unit=F1-A&asOf=2024-03-15&requirement=R2', t.manager)).exemptions[0];
    expect(one.unit).toEqual({ code: 'F1-A', name: 'Avdelning A' });
    await expectAudited(h, t.admin, { kind: 'people.read', action: 'exemptions', actor: 'CHEF1', scope: 'F1-A', detail: { requirement: 'R2', asOf: '2024-03-15', rows: 1 } });
  });

  it('shows a manager who in their units is exempted and why, and nobody else\u2019s', async () => {
    expect(await list('unit=F1-A&asOf=2024-03-15', t.manager)).toHaveLength(3);
    expect((await h.request('/api/exemptions?unit=F2&asOf=2024-03-15', { token: t.manager })).status).toBe(403);
    expect(await list('unit=F2&asOf=2024-03-15', t.managerF2)).toEqual(['P3 R1 2024-01-01– Tjänstledig']);
    expect(await list('unit=CITY&asOf=2024-03-15', t.auditor)).toHaveLength(4);
    expect((await h.request('/api/exemptions?unit=F1-A', { token: t.p1 })).status).toBe(403);
    expect((await h.request('/api/exemptions', { token: t.admin })).status).toBe(400);
    expect((await h.request('/api/exemptions?unit=NOPE', { token: t.admin })).status).toBe(404);
    expect((await h.request('/api/exemptions?unit=F1&asOf=2024-02-30', { token: t.admin })).status).toBe(400);
  });
});

describe('POST /api/exemptions/:id/end', () => {
  it('gives the exemption its last day with who ended it, once, audited; the days after are free again', async () => {
    const x = await create();
    const res = await post(`/api/exemptions/${x.id}/end`, t.coordinator, { to: '2024-05-31' });
    expect(res.status).toBe(200);
    const ended = await res.json();
    expect(ended).toMatchObject({ id: x.id, from: '2024-01-01', to: '2024-05-31', endedBy: 'SAM1', createdBy: 'SAM1' });
    expect(Date.now() - Date.parse(ended.endedAt)).toBeLessThan(60_000);
    expect(await list('unit=F1&asOf=2024-05-31')).toHaveLength(1);
    expect(await list('unit=F1&asOf=2024-06-01')).toEqual([]);
    await expectAudited(h, t.admin, { kind: 'exemption', action: 'end', actor: 'SAM1', scope: 'R1', detail: { id: x.id, employeeNumber: 'P1', to: '2024-05-31', before: null } });

    const again = await post(`/api/exemptions/${x.id}/end`, t.coordinator, { to: '2024-04-30' });
    expect(again.status).toBe(409);
    expect((await again.json()).code).toBe('exemption.alreadyEnded');
    await create({ from: '2024-06-01', reason: 'Långtidssjukskriven' });
    expect(await h.db.selectFrom('exemption').select('id').execute()).toHaveLength(2);
  });

  it('keeps the last day within the exemption, and is for the person\u2019s coordinator or an admin', async () => {
    const x = await create({ to: '2024-12-31' });
    const before = await post(`/api/exemptions/${x.id}/end`, t.coordinator, { to: '2023-12-31' });
    expect(before.status).toBe(422);
    expect((await before.json()).code).toBe('exemption.endBeforeFrom');
    const later = await post(`/api/exemptions/${x.id}/end`, t.coordinator, { to: '2025-01-31' });
    expect(later.status).toBe(422);
    expect((await later.json()).code).toBe('exemption.endAfterTo');
    expect((await post(`/api/exemptions/${x.id}/end`, t.coordinator, {})).status).toBe(400);
    expect((await post('/api/exemptions/999999/end', t.admin, { to: '2024-05-31' })).status).toBe(404);
    const coordinatorF2 = await h.token('SAM2', [{ role: 'coordinator', unit: 'F2' }]);
    for (const token of [coordinatorF2, t.manager, t.auditor]) expect((await post(`/api/exemptions/${x.id}/end`, token, { to: '2024-05-31' })).status).toBe(403);
    expect((await requireExemption(h.db, x.id)).to).toBe('2024-12-31');
    expect((await post(`/api/exemptions/${x.id}/end`, t.admin, { to: '2024-12-31' })).status).toBe(200);
  });

  it('writes the end and its audit entry together or not at all', async () => {
    const x = await requireExemption(h.db, (await create()).id);
    const failing = (qs: readonly CompiledQuery[]) => h.atomic([...qs, CompiledQuery.raw('INSERT INTO no_such_table VALUES (1)', [])]);
    await expect(endExemption({ db: h.db, atomic: failing }, x, '2024-05-31', 'SAM1')).rejects.toThrow();
    expect(await requireExemption(h.db, x.id)).toMatchObject({ to: null, endedBy: null });
    expect(await h.db.selectFrom('audit_log').select('id').where('action', '=', 'end').execute()).toEqual([]);
  });
});

describe('exemptions and the register', () => {
  it('shows a person their exemptions in the register extract, and retention takes the reason with the name', async () => {
    await create({ reason: 'Föräldraledig' });
    await create({ employeeNumber: 'P2', from: '2024-02-01', reason: 'Långtidssjukskriven' });
    const extract = await h.json('/api/people/P2/extract', t.admin);
    expect(extract.exemptions).toMatchObject([{ requirement: 'R1', from: '2024-02-01', to: null, reason: 'Långtidssjukskriven', createdBy: 'SAM1' }]);
    // P2's last day was 2024-03-31: past a two-year retention on 2030-06-01; P1 still works.
    expect((await anonymiseExpired(h.db, h.atomic, '2030-06-01', 2)).anonymised).toBe(1);
    const reasons = await h.db.selectFrom('exemption').select('reason').orderBy('id').execute();
    expect(reasons.map((r) => r.reason)).toEqual(['Föräldraledig', 'Anonymiserad']);
  });
});
