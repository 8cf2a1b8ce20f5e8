import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { anonymiseExpired } from '../../server/domain/retention.ts';
import { course, load, requirement } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';

// Retention run "today" = 2026-06-01 with 5 years: anonymised are those whose last employment
// ended before 2021-06-01. Every figure below is worked out by hand from this fixture.
const TODAY = '2026-06-01';
let h: Harness;
let admin: string;
beforeEach(async () => {
  h = await nodeHarness();
  await load(h.db, {
    units: [
      ['CITY', 'Staden', null, 'stad'],
      ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
      ['F1-A', 'Avdelning A', 'F1', 'avdelning'],
      ['F1-B', 'Avdelning B', 'F1', 'avdelning'],
    ],
    people: [
      ['P1', 'Ada Ett', 'ada@example.se'],
      ['P2', 'Bo Två', 'bo@example.se'],
      ['P3', 'Cia Tre', 'cia@example.se'],
      ['P4', 'Dan Fyra', 'dan@example.se'],
      ['P5', 'Eva Fem', 'eva@example.se'],
    ],
    employments: [
      { p: 'P1', unit: 'F1-A', from: '2015-01-01', to: '2020-12-31' }, // ended long ago → anonymised
      { p: 'P2', unit: 'F1-A', from: '2015-01-01', to: '2021-05-31' }, // the day before the cutoff → anonymised
      { p: 'P3', unit: 'F1-B', from: '2016-01-01', to: '2021-06-01' }, // on the cutoff → kept
      { p: 'P4', unit: 'F1-A', from: '2015-01-01', to: '2016-12-31' }, // an old one ended, …
      { p: 'P4', unit: 'F1-B', from: '2018-01-01' }, //                      … but still employed → kept
      { p: 'P5', unit: 'F1-B', from: '2015-01-01', to: '2019-12-31', manager: true }, // → anonymised
    ],
    courses: [course('C')],
    requirements: [requirement({ code: 'R', courses: ['C'], scope: ['F1'] })],
    completions: [
      { p: 'P1', course: 'C', status: 'completed', at: '2016-03-01' },
      { p: 'P2', course: 'C', status: 'started', at: '2017-01-01' },
      { p: 'P3', course: 'C', status: 'completed', at: '2016-06-01' },
      { p: 'P5', course: 'C', status: 'completed', at: '2019-01-01' },
    ],
  });
  await h.db.insertInto('role_grant').values({ employee_number: 'P5', role: 'manager', unit_code: 'F1-B', granted_by: 'ADM0', granted_at: '2018-01-01T00:00:00Z' }).execute();
  admin = await h.token('ADM1', [{ role: 'admin' }]);
});
afterEach(() => h.close());

const run = () => anonymiseExpired(h.db, h.atomic, TODAY, 5, '2026-06-01T02:00:00.000Z');
const figures = async (asOf: string) => {
  const a = await h.json(`/api/coverage?unit=F1&requirement=R&asOf=${asOf}`, admin);
  const pick = (f: any) => [f.population, f.completed, f.started, f.notStarted];
  return { F1: pick(a.total), ...Object.fromEntries(a.children.map((c: any) => [c.unit.code, pick(c)])) };
};

describe('retention', () => {
  it('anonymises those gone more than five years and leaves every past figure as it was', async () => {
    // 2016-06-30: P1 P2 P4 in F1-A, P3 P5 in F1-B; completed P1, P3.
    const mid2016 = { F1: [5, 2, 0, 3], 'F1-A': [3, 1, 0, 2], 'F1-B': [2, 1, 0, 1] };
    // 2019-06-30: P1 P2 in F1-A, P3 P4 P5 in F1-B; completed P1 P3 P5, started P2.
    const mid2019 = { F1: [5, 3, 1, 1], 'F1-A': [2, 1, 1, 0], 'F1-B': [3, 2, 0, 1] };
    expect(await figures('2016-06-30')).toEqual(mid2016);
    expect(await figures('2019-06-30')).toEqual(mid2019);

    expect(await run()).toEqual({ cutoff: '2021-06-01', anonymised: 3, expired: { import_rejected_row: 0, reminder_outbox: 0, xapi_statement: 0 } });

    expect(await figures('2016-06-30')).toEqual(mid2016);
    expect(await figures('2019-06-30')).toEqual(mid2019);

    const people = await h.db.selectFrom('person').selectAll().orderBy('id').execute();
    expect(people.map((p) => [p.employee_number, p.name, p.email, p.anonymised_at])).toEqual([
      [`ANON-${people[0].id}`, 'Anonymiserad', null, '2026-06-01T02:00:00.000Z'],
      [`ANON-${people[1].id}`, 'Anonymiserad', null, '2026-06-01T02:00:00.000Z'],
      ['P3', 'Cia Tre', 'cia@example.se', null],
      ['P4', 'Dan Fyra', 'dan@example.se', null],
      [`ANON-${people[4].id}`, 'Anonymiserad', null, '2026-06-01T02:00:00.000Z'],
    ]);
    const list = await h.json('/api/coverage/people?unit=F1&requirement=R&asOf=2019-06-30', admin);
    expect(list.people.map((p: any) => p.name).sort()).toEqual(['Anonymiserad', 'Anonymiserad', 'Anonymiserad', 'Cia Tre', 'Dan Fyra']);
    // The roles they held end with them.
    expect(await h.db.selectFrom('role_grant').select('employee_number').execute()).toEqual([]);
  });

  it('is audited without the numbers it erases, and a second run changes nothing', async () => {
    await run();
    const entries = (await h.json('/api/audit?kind=person', admin)).entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'system:retention', action: 'anonymise', detail: { count: 3, cutoff: '2021-06-01', years: 5 } });
    expect(JSON.stringify(entries[0])).not.toMatch(/P[125]"/);
    expect(await run()).toEqual({ cutoff: '2021-06-01', anonymised: 0, expired: { import_rejected_row: 0, reminder_outbox: 0, xapi_statement: 0 } });
    expect((await h.json('/api/audit?kind=person', admin)).entries).toHaveLength(1);
  });

  it('clears the values kept with rejected import rows older than the cutoff, keeping row, column and reason', async () => {
    for (const started of ['2021-05-31T10:00:00Z', '2021-06-01T10:00:00Z']) {
      const b = await h.db
        .insertInto('import_batch')
        .values({ kind: 'roster', mode: 'snapshot', as_of: null, file_name: 'hr.xlsx', file_sha256: null, started_by: 'SAM1', started_at: started, finished_at: null, status: 'committed', changes_json: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await h.db
        .insertInto('import_rejected_row')
        .values({ batch_id: b.id, row_number: 7, column_name: 'Enhetskod', message_sv: 'Okänd enhet', message_en: 'Unknown unit', row_json: JSON.stringify({ Namn: 'Fia Sex', Enhetskod: 'X' }) })
        .execute();
    }
    expect(await run()).toEqual({ cutoff: '2021-06-01', anonymised: 3, expired: { import_rejected_row: 1, reminder_outbox: 0, xapi_statement: 0 } });
    const rows = await h.db.selectFrom('import_rejected_row').select(['row_number', 'column_name', 'message_sv', 'row_json']).orderBy('id').execute();
    expect(rows).toEqual([
      { row_number: 7, column_name: 'Enhetskod', message_sv: 'Okänd enhet', row_json: null },
      { row_number: 7, column_name: 'Enhetskod', message_sv: 'Okänd enhet', row_json: JSON.stringify({ Namn: 'Fia Sex', Enhetskod: 'X' }) },
    ]);
  });
});

describe('register extract', () => {
  it('gives everything held about one person, and is for admins only', async () => {
    const p3 = await h.token('P3', [{ role: 'admin' }]);
    await h.request('/api/roles', { token: admin, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ employeeNumber: 'P3', role: 'coordinator', unit: 'F1-B' }) });
    await h.request('/api/courses', { token: p3, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'NY', title: 'Ny', kind: 'web' }) });

    const batch = await h.db
      .insertInto('import_batch')
      .values({ kind: 'completions', mode: null, as_of: null, file_name: 'lms.csv', file_sha256: null, started_by: 'SAM1', started_at: '2024-01-01T00:00:00Z', finished_at: null, status: 'committed', changes_json: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const rejected = (row: number, values: Record<string, string>) => ({ batch_id: batch.id, row_number: row, column_name: 'Kurs', message_sv: 'Okänd kurs', message_en: 'Unknown course', row_json: JSON.stringify(values) });
    await h.db
      .insertInto('import_rejected_row')
      .values([
        rejected(2, { Anställningsnummer: 'P3', Kurs: 'XYZ' }),
        rejected(3, { 'E-post': 'CIA@example.se', Kurs: 'XYZ' }),
        rejected(4, { Anställningsnummer: 'P33', Kurs: 'XYZ' }),
      ])
      .execute();

    const x = await h.json('/api/people/P3/extract', admin);
    // Row 4 is someone else's: a longer number that begins the same.
    expect(x.rejectedImportRows.map((r: any) => r.row)).toEqual([2, 3]);
    expect(x.rejectedImportRows[0]).toMatchObject({ batchId: batch.id, column: 'Kurs', message: 'Okänd kurs', values: { Anställningsnummer: 'P3' } });
    expect(x.person).toEqual({ employeeNumber: 'P3', name: 'Cia Tre', email: 'cia@example.se', anonymisedAt: null });
    expect(x.employments).toEqual([{ unitCode: 'F1-B', title: null, employmentType: 'tillsvidare', manager: false, startDate: '2016-01-01', endDate: '2021-06-01', importBatchId: null }]);
    expect(x.completions).toMatchObject([{ course: 'C', status: 'completed', occurredAt: '2016-06-01', source: 'manual' }]);
    expect(x.roleGrants).toMatchObject([{ role: 'coordinator', unit: 'F1-B', grantedBy: 'ADM1' }]);
    expect(x.auditEntries).toMatchObject([{ kind: 'course', action: 'create', scope: 'NY' }]);

    for (const token of [await h.token('REV1', [{ role: 'auditor' }]), await h.token('SAM1', [{ role: 'coordinator', unit: 'F1' }]), await h.token('P3')]) {
      expect((await h.request('/api/people/P3/extract', { token })).status).toBe(403);
    }
    expect((await h.request('/api/people/NOBODY/extract', { token: admin })).status).toBe(404);
  });

  it('after anonymisation holds nothing that names the person', async () => {
    await run();
    const id = (await h.db.selectFrom('person').select('id').where('name', '=', 'Anonymiserad').orderBy('id').executeTakeFirstOrThrow()).id;
    const x = await h.json(`/api/people/ANON-${id}/extract`, admin);
    expect(x.person).toMatchObject({ name: 'Anonymiserad', email: null });
    expect(x.completions).toHaveLength(1);
    expect((await h.request('/api/people/P1/extract', { token: admin })).status).toBe(404);
  });
});
