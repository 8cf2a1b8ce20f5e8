import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { D1_BATCH_STATEMENTS } from '../../server/db/atomic.ts';
import { requirementStatements } from '../../server/domain/requirements.ts';
import { course, load, requirement } from '../support/fixtures.ts';
import { makeHarness, type Harness } from '../support/harness.ts';

// All-or-nothing writes (deps.atomic): one SQLite transaction on Node, D1 batches in workerd.

let h: Harness;
let admin: string;
beforeEach(async () => {
  h = await makeHarness();
  admin = await h.token('ADMIN', [{ role: 'admin' }]);
  await load(h.db, {
    units: [['CITY', 'Staden', null, 'stad'], ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'], ['F2', 'Förvaltning två', 'CITY', 'forvaltning']],
    courses: [course('C1'), course('C2')],
  });
});
afterEach(() => h.close());

const codes = async (prefix: string) =>
  (await h.db.selectFrom('course').select('code').where('code', 'like', `${prefix}%`).orderBy('code').execute()).map((c) => c.code);
const newCourse = (code: string) =>
  h.db.insertInto('course').values({ code, title_sv: code, title_en: null, kind: 'web', url: null, xapi_activity_id: null, validity_months: null, version_notes: null, created_at: 'x', updated_at: 'x' } as never).compile();

describe('requirements through the API', () => {
  const body = {
    code: 'VBE',
    title: 'Grundutbildning VBE',
    courses: ['C1', 'C2'],
    scope: ['F1', 'F2'],
    employmentTypes: ['tillsvidare'],
    titles: ['Socialsekreterare'],
    effectiveFrom: '2020-01-01',
    targetRate: 0.9,
    source: 'Stadsrevisionen rek. 1, dnr 3.1.3-91/2019',
  };

  it('creates a requirement with all its relations and an audit entry, and replaces them on update', async () => {
    const created = await h.request('/api/requirements', { method: 'POST', token: admin, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ code: 'VBE', courses: ['C1', 'C2'], scope: ['F1', 'F2'], employmentTypes: ['tillsvidare'], titles: ['Socialsekreterare'], targetRate: 0.9 });

    const update = { ...body, courses: ['C2'], scope: ['F2'], employmentTypes: null, titles: null };
    const updated = await h.request('/api/requirements/VBE', { method: 'PUT', token: admin, body: JSON.stringify(update), headers: { 'content-type': 'application/json' } });
    expect(updated.status).toBe(200);
    expect(await h.json('/api/requirements/VBE', admin)).toMatchObject({ courses: ['C2'], scope: ['F2'], employmentTypes: [], titles: [] });

    const log = await h.db.selectFrom('audit_log').select(['kind', 'action', 'actor']).where('kind', '=', 'requirement').orderBy('id').execute();
    expect(log).toEqual([
      { kind: 'requirement', action: 'create', actor: 'ADMIN' },
      { kind: 'requirement', action: 'update', actor: 'ADMIN' },
    ]);
  });

  it('writes nothing of a requirement when one of its statements fails', async () => {
    const input = requirement({ code: 'HALF', courses: ['C1'], scope: ['F1'] });
    const statements = requirementStatements(h.db, input, '2020-01-01T00:00:00.000Z', false);
    // The same requirement row twice: the second insert breaks the code's uniqueness.
    await expect(h.atomic([...statements, statements[0]])).rejects.toThrow();
    expect(await h.db.selectFrom('requirement').select('code').execute()).toEqual([]);
    expect(await h.db.selectFrom('requirement_scope').select('unit_code').execute()).toEqual([]);
  });

  it('keeps scope lists longer than one statement may bind within the limit', async () => {
    const many = Array.from({ length: 150 }, (_, i) => `U${i}`);
    await load(h.db, { units: many.map((code) => [code, code, 'F1', 'enhet'] as [string, string, string, 'enhet']) });
    const res = await h.request('/api/requirements', {
      method: 'POST',
      token: admin,
      body: JSON.stringify({ ...body, code: 'WIDE', scope: many, titles: many }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    expect((await res.json()).scope).toHaveLength(150);
  });
});

describe('the atomic runner', () => {
  it('stores none of a list when its last statement fails', async () => {
    await expect(h.atomic([newCourse('A1'), newCourse('A2'), newCourse('C1')])).rejects.toThrow();
    expect(await codes('A')).toEqual([]);
  });

  it('takes back a write larger than one D1 batch when a later part fails', async () => {
    const n = D1_BATCH_STATEMENTS + 20;
    const queries = Array.from({ length: n }, (_, i) => newCourse(`BULK${String(i).padStart(4, '0')}`));
    const undo = [h.db.deleteFrom('course').where('code', 'like', 'BULK%').compile()];
    await expect(h.atomic([...queries, newCourse('C1')], { undo })).rejects.toThrow();
    expect(await codes('BULK')).toEqual([]);
    // Untouched rows stay.
    expect(await codes('C')).toEqual(['C1', 'C2']);
    // And the same write without the failing statement goes through whole.
    await h.atomic(queries, { undo });
    expect(await codes('BULK')).toHaveLength(n);
  });
});
