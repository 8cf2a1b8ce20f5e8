import { CompiledQuery } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planRecords, recordAttendance } from '../../server/domain/manual-records.ts';
import { annulRecord, requireRecord } from '../../server/domain/person-records.ts';
import { expectAudited } from '../support/audit.ts';
import { course, load, requirement } from '../support/fixtures.ts';
import { makeHarness, type Harness } from '../support/harness.ts';

// DESIGN.md "Records by hand, and corrections": a seminar's list, a person's records, annulment.
// The world, by hand: the coordinator SAM1 holds F1. P1 works in F1-A throughout; P2 worked in F1-A
// until 2024-03-31; P3 works in F2 (outside F1); P4 worked in F2 until 2024-02-29 and in F1-A since.

let h: Harness;
let t: { admin: string; coordinator: string; coordinatorF2: string; manager: string; auditor: string; p1: string; p3: string };
beforeEach(async () => {
  h = await makeHarness();
  await load(h.db, {
    units: [
      ['CITY', 'Staden', null, 'stad'],
      ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
      ['F1-A', 'Avdelning A', 'F1', 'avdelning'],
      ['F2', 'Förvaltning två', 'CITY', 'forvaltning'],
    ],
    people: [['P1', 'Ada Andersson'], ['P2', 'Bo Berg'], ['P3', 'Ada Östberg'], ['P4', 'Cid Carlsson']],
    employments: [
      { p: 'P1', unit: 'F1-A', from: '2020-01-01' },
      { p: 'P2', unit: 'F1-A', from: '2020-01-01', to: '2024-03-31' },
      { p: 'P3', unit: 'F2', from: '2020-01-01' },
      { p: 'P4', unit: 'F2', from: '2020-01-01', to: '2024-02-29' },
      { p: 'P4', unit: 'F1-A', from: '2024-03-01' },
    ],
    courses: [course('SEM', { kind: 'seminar' })],
    requirements: [requirement({ code: 'R', courses: ['SEM'], scope: ['CITY'] })],
  });
  t = {
    admin: await h.token('ADM1', [{ role: 'admin' }]),
    coordinator: await h.token('SAM1', [{ role: 'coordinator', unit: 'F1' }]),
    coordinatorF2: await h.token('SAM2', [{ role: 'coordinator', unit: 'F2' }]),
    manager: await h.token('CHEF1', [{ role: 'manager', unit: 'F1-A' }]),
    auditor: await h.token('REV1', [{ role: 'auditor' }]),
    p1: await h.token('P1'),
    p3: await h.token('P3'),
  };
});
afterEach(() => h.close());

const post = (path: string, token: string, body: unknown, lang?: string) =>
  h.request(path, { token, method: 'POST', headers: { 'content-type': 'application/json', ...(lang ? { 'accept-language': lang } : {}) }, body: JSON.stringify(body) });
const seminar = (over: Record<string, unknown> = {}) => ({ course: 'SEM', status: 'completed', occurredAt: '2024-03-15', employeeNumbers: ['P1'], ...over });
const held = () =>
  h.db
    .selectFrom('completion as c')
    .innerJoin('person as p', 'p.id', 'c.person_id')
    .select(['p.employee_number', 'c.status', 'c.occurred_at', 'c.source', 'c.source_ref', 'c.recorded_by', 'c.annulled_at', 'c.annulled_by', 'c.annul_reason'])
    .orderBy('c.id')
    .execute();

describe('POST /api/records (a seminar\u2019s attendance list)', () => {
  it('records the people in scope on the day, rejects the others by number with a reason, and changes nothing the second time', async () => {
    const list = seminar({ employeeNumbers: ['P1', 'P2', 'P3', 'NOPE', 'P1', 'P4'], note: 'Seminarium om VBE, Skärholmen' });
    const res = await post('/api/records', t.coordinator, list);
    expect(res.status).toBe(201);
    const first = await res.json();
    // P1, P2 (still employed on 2024-03-15) and P4 (in F1-A since 2024-03-01); P1 once.
    expect(first).toMatchObject({ recorded: 3, unchanged: 0 });
    expect(first.rejected.map((r: any) => [r.employeeNumber, r.code])).toEqual([
      ['P3', 'record.personOutOfScope'],
      ['NOPE', 'record.unknownPerson'],
    ]);
    expect(first.rejected[1].message).toBe('Anställningsnummer NOPE finns inte i personalregistret.');
    expect(await held()).toEqual(
      ['P1', 'P2', 'P4'].map((n) => ({
        employee_number: n,
        status: 'completed',
        occurred_at: '2024-03-15',
        source: 'manual',
        source_ref: 'Seminarium om VBE, Skärholmen',
        recorded_by: 'SAM1',
        annulled_at: null,
        annulled_by: null,
        annul_reason: null,
      })),
    );
    // The list is a batch of kind manual (the Metod sheet's "Manuell registrering"), with its rejections.
    const batch = await h.json(`/api/imports/${first.batchId}`, t.coordinator);
    expect(batch).toMatchObject({ kind: 'manual', status: 'committed', startedBy: 'SAM1', rowsTotal: 5, rowsAccepted: 3, rowsRejected: 2 });
    expect(batch.rejected.map((r: any) => r.row)).toEqual([3, 4]);
    await expectAudited(h, t.admin, {
      kind: 'record',
      action: 'create',
      actor: 'SAM1',
      scope: 'SEM',
      detail: { batchId: first.batchId, course: 'SEM', status: 'completed', occurredAt: '2024-03-15', employeeNumbers: ['P1', 'P2', 'P4'], rejected: 2 },
    });

    const again = await post('/api/records', t.coordinator, list, 'en');
    expect(again.status).toBe(201);
    const second = await again.json();
    expect(second).toMatchObject({ recorded: 0, unchanged: 3, batchId: null });
    expect(second.rejected[1].message).toBe('Employee number NOPE is not in the staff register.');
    expect(await held()).toHaveLength(3);
    // Nothing changed, so nothing more is audited.
    expect(await h.db.selectFrom('audit_log').select('id').where('kind', '=', 'record').execute()).toHaveLength(1);
  });

  it('takes a person in scope on the seminar\u2019s day or today, not one who was in neither', async () => {
    // 2024-05-01: P2 had left (and is not employed today); P4 is in F1-A.
    const may = await (await post('/api/records', t.coordinator, seminar({ occurredAt: '2024-05-01', employeeNumbers: ['P2', 'P4'] }))).json();
    expect(may.recorded).toBe(1);
    expect(may.rejected.map((r: any) => r.employeeNumber)).toEqual(['P2']);
    expect(may.rejected[0].message).toContain('2024-05-01');
    // 2024-02-01: P4 was in F2 then, but is in F1-A today.
    const feb = await (await post('/api/records', t.coordinator, seminar({ occurredAt: '2024-02-01', employeeNumbers: ['P4'] }))).json();
    expect(feb).toMatchObject({ recorded: 1, rejected: [] });
    // An admin reaches everyone.
    const admin = await (await post('/api/records', t.admin, seminar({ employeeNumbers: ['P3'] }))).json();
    expect(admin).toMatchObject({ recorded: 1, rejected: [] });
  });

  it('refuses what cannot be recorded at all, and writes nothing', async () => {
    const future = await post('/api/records', t.coordinator, seminar({ occurredAt: '2999-01-01' }));
    expect(future.status).toBe(422);
    expect(future.headers.get('content-type')).toContain('application/problem+json');
    expect((await future.json()).code).toBe('record.future');
    const unknownCourse = await post('/api/records', t.coordinator, seminar({ course: 'NOPE' }));
    expect(unknownCourse.status).toBe(422);
    expect((await unknownCourse.json()).code).toBe('course.unknown');
    for (const bad of [seminar({ status: 'done' }), seminar({ occurredAt: '2024-02-30' }), seminar({ employeeNumbers: [] }), seminar({ extra: 1 }), { course: 'SEM' }]) {
      const res = await post('/api/records', t.coordinator, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect((await res.json()).code).toBe('body.invalid');
    }
    expect(await held()).toEqual([]);
  });

  it('is for coordinators and admins only', async () => {
    for (const token of [t.manager, t.auditor, t.p1]) {
      const res = await post('/api/records', token, seminar());
      expect(res.status).toBe(403);
      expect((await res.json()).code).toBe('scope.deniedAll');
    }
    expect(await held()).toEqual([]);
  });

  it('writes the records, the batch and the audit entry together or not at all', async () => {
    const input = { course: 'SEM', status: 'completed' as const, occurredAt: '2024-03-15', employeeNumbers: ['P1', 'P2'] };
    const plan = await planRecords(h.db, input, '2024-12-31', async (people) => new Set(people.map((p) => p.id)));
    expect(plan.toRecord.map((p) => p.employeeNumber)).toEqual(['P1', 'P2']);
    // The runtime's own runner, with one more statement that fails at the end of the same write.
    const failing = (qs: readonly CompiledQuery[]) => h.atomic([...qs, CompiledQuery.raw('INSERT INTO no_such_table VALUES (1)', [])]);
    await expect(recordAttendance({ db: h.db, atomic: failing }, input, 'SAM1', 'sv', plan)).rejects.toThrow();
    expect(await held()).toEqual([]);
    expect(await h.db.selectFrom('import_batch').select('id').execute()).toEqual([]);
    expect(await h.db.selectFrom('audit_log').select('id').where('kind', '=', 'record').execute()).toEqual([]);
  });
});

describe('GET /api/people/:employeeNumber/records', () => {
  beforeEach(async () => {
    await post('/api/records', t.admin, seminar({ employeeNumbers: ['P1', 'P2', 'P3'] }));
    await post('/api/records', t.admin, seminar({ status: 'started', occurredAt: '2024-01-10', employeeNumbers: ['P1'] }));
  });

  it('lists every record, newest first, with its source, who recorded it and when', async () => {
    const answer = await h.json('/api/people/P1/records', t.coordinator);
    expect(answer.person).toEqual({ employeeNumber: 'P1', name: 'Ada Andersson' });
    expect(answer.records.map((r: any) => [r.course.code, r.status, r.occurredAt, r.source, r.recordedBy, r.annulment])).toEqual([
      ['SEM', 'completed', '2024-03-15', 'manual', 'ADM1', null],
      ['SEM', 'started', '2024-01-10', 'manual', 'ADM1', null],
    ]);
    for (const r of answer.records) {
      expect(typeof r.id).toBe('number');
      expect(Date.now() - Date.parse(r.recordedAt)).toBeLessThan(60_000);
    }
    await expectAudited(h, t.admin, { kind: 'people.read', action: 'records', actor: 'SAM1', detail: { employeeNumber: 'P1', rows: 2 } });
  });

  it('answers the person themself, managers, coordinators and auditors in scope, and no one else', async () => {
    const status = async (n: string, token: string) => (await h.request(`/api/people/${n}/records`, { token })).status;
    expect(await status('P1', t.p1)).toBe(200);
    expect(await status('P1', t.p3)).toBe(403);
    expect(await status('P1', t.manager)).toBe(200);
    expect(await status('P3', t.manager)).toBe(403);
    expect(await status('P1', t.coordinator)).toBe(200);
    expect(await status('P3', t.coordinator)).toBe(403);
    expect(await status('P3', t.coordinatorF2)).toBe(200);
    expect(await status('P3', t.auditor)).toBe(200);
    // P2 has left: their coordinator still reaches them through their last day of employment.
    expect(await status('P2', t.coordinator)).toBe(200);
    expect(await status('P2', t.coordinatorF2)).toBe(403);
    const unknown = await h.request('/api/people/NOPE/records', { token: t.admin });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).code).toBe('person.unknown');
  });
});

describe('POST /api/records/:id/annul', () => {
  const recordOf = async (n: string) => (await h.json(`/api/people/${n}/records`, t.admin)).records[0];

  it('marks the record annulled with who, when and why; the row stays; a second annulment is refused', async () => {
    await post('/api/records', t.admin, seminar({ employeeNumbers: ['P1'] }));
    const { id } = await recordOf('P1');
    const res = await post(`/api/records/${id}/annul`, t.coordinator, { reason: 'Registrerad på fel person' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id, annulled: true });
    const after = await recordOf('P1');
    expect(after.id).toBe(id);
    expect(after.annulment).toMatchObject({ by: 'SAM1', reason: 'Registrerad på fel person' });
    expect(Date.now() - Date.parse(after.annulment.at)).toBeLessThan(60_000);
    expect(await held()).toHaveLength(1);
    await expectAudited(h, t.admin, { kind: 'record', action: 'annul', actor: 'SAM1', scope: 'P1', detail: { id, employeeNumber: 'P1', reason: 'Registrerad på fel person' } });

    const again = await post(`/api/records/${id}/annul`, t.admin, { reason: 'igen' });
    expect(again.status).toBe(409);
    expect((await again.json()).code).toBe('record.alreadyAnnulled');
    expect((await recordOf('P1')).annulment).toMatchObject({ by: 'SAM1', reason: 'Registrerad på fel person' });
  });

  it('needs a reason, a record that exists, and the coordinator of the person or an admin', async () => {
    await post('/api/records', t.admin, seminar({ employeeNumbers: ['P1', 'P3'] }));
    const p1 = (await recordOf('P1')).id;
    const p3 = (await recordOf('P3')).id;
    for (const body of [{}, { reason: '   ' }, { reason: 'x', more: 1 }]) expect((await post(`/api/records/${p1}/annul`, t.coordinator, body)).status).toBe(400);
    expect((await post('/api/records/999999/annul', t.admin, { reason: 'x' })).status).toBe(404);
    expect((await post('/api/records/abc/annul', t.admin, { reason: 'x' })).status).toBe(404);
    const outside = await post(`/api/records/${p3}/annul`, t.coordinator, { reason: 'x' });
    expect(outside.status).toBe(403);
    expect((await outside.json()).code).toBe('scope.denied');
    for (const token of [t.manager, t.auditor, t.p1]) expect((await post(`/api/records/${p1}/annul`, token, { reason: 'x' })).status).toBe(403);
    expect((await held()).map((r) => r.annulled_at)).toEqual([null, null]);
    expect((await post(`/api/records/${p3}/annul`, t.admin, { reason: 'Fel kurs' })).status).toBe(200);
  });

  it('writes the annulment and its audit entry together or not at all', async () => {
    await post('/api/records', t.admin, seminar({ employeeNumbers: ['P1'] }));
    const record = await requireRecord(h.db, (await recordOf('P1')).id);
    const failing = (qs: readonly CompiledQuery[]) => h.atomic([...qs, CompiledQuery.raw('INSERT INTO no_such_table VALUES (1)', [])]);
    await expect(annulRecord({ db: h.db, atomic: failing }, record, 'x', 'SAM1')).rejects.toThrow();
    expect((await held())[0].annulled_at).toBeNull();
    expect(await h.db.selectFrom('audit_log').select('id').where('action', '=', 'annul').execute()).toEqual([]);
  });

  it('lets a coordinator record again what was annulled, while a re-read import does not bring it back', async () => {
    const csv = 'Anställningsnummer;Kurs;Status;Datum\nP1;SEM;Genomförd;2024-03-15\n';
    const upload = async () => {
      const form = new FormData();
      form.append('file', new Blob([csv], { type: 'text/csv' }), 'lms.csv');
      const res = await h.request('/api/imports/completions', { token: t.coordinator, method: 'POST', body: form });
      expect(res.status).toBe(200);
      return res.json();
    };
    expect((await upload()).changes).toEqual({ added: 1 });
    const { id } = await recordOf('P1');
    expect((await post(`/api/records/${id}/annul`, t.coordinator, { reason: 'Fel i utbildningsportalen' })).status).toBe(200);
    // The LMS file still says so; reading it again changes nothing: the annulment stands.
    expect((await upload()).changes).toEqual({ added: 0 });
    expect((await held()).map((r) => [r.source, r.annulled_by])).toEqual([['import', 'SAM1']]);
    // A coordinator who records it by hand means it: the annulled record does not block theirs.
    const again = await (await post('/api/records', t.coordinator, seminar())).json();
    expect(again).toMatchObject({ recorded: 1, unchanged: 0 });
    expect((await held()).map((r) => [r.source, r.annulled_by])).toEqual([['import', 'SAM1'], ['manual', null]]);
  });
});

describe('GET /api/people?q= (finding people to record, within the caller\u2019s scope)', () => {
  const search = async (token: string, q: string, asOf?: string) =>
    (await h.json(`/api/people?q=${encodeURIComponent(q)}${asOf ? `&asOf=${asOf}` : ''}`, token)).people.map((p: any) => `${p.employeeNumber} ${p.unit.code}`);

  it('finds by name words or the start of the employee number, only among people employed in scope', async () => {
    expect(await search(t.coordinator, 'ada')).toEqual(['P1 F1-A']);
    expect(await search(t.admin, 'ada')).toEqual(['P1 F1-A', 'P3 F2']);
    // Swedish capitals fold too (SQLite's lower() folds ASCII only).
    expect(await search(t.admin, 'östberg')).toEqual(['P3 F2']);
    expect(await search(t.admin, 'ada ANDERS')).toEqual(['P1 F1-A']);
    expect(await search(t.coordinator, 'P4')).toEqual(['P4 F1-A']);
    // P2 left on 2024-03-31: found for a seminar before then, not for today.
    expect(await search(t.coordinator, 'berg')).toEqual([]);
    expect(await search(t.coordinator, 'berg', '2024-03-15')).toEqual(['P2 F1-A']);
    expect(await search(t.coordinator, 'a%')).toEqual([]);
  });

  it('needs two characters and the right to record', async () => {
    const short = await h.request('/api/people?q=a', { token: t.coordinator });
    expect(short.status).toBe(400);
    expect((await short.json()).code).toBe('search.tooShort');
    for (const token of [t.manager, t.auditor, t.p1]) expect((await h.request('/api/people?q=ada', { token })).status).toBe(403);
  });
});
