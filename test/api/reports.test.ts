import { CompiledQuery, sql } from 'kysely';
import { read, utils } from 'xlsx';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishReport } from '../../server/domain/reports.ts';
import { anonymiseExpired } from '../../server/domain/retention.ts';
import { expectAudited } from '../support/audit.ts';
import { load, REPORT_WORLD } from '../support/fixtures.ts';
import { makeHarness, type Harness } from '../support/harness.ts';
import { csvFile, imported } from '../support/sheets.ts';

// DESIGN.md "Reports that stand". The world: F1 with avdelningar A (P1, P2) and B (P3, P4), F2 (P5).
// R1 (VBE, whole city) in force from 2023-03-01, due 2024-06-30, target 75 %. Records: P1 completed
// 2024-02-10, P2 started 2024-03-01, P3 completed 2023-05-05, P4 none. The report: F1 on 2024-08-31.

let h: Harness;
let t: { admin: string; coordinator: string; coordinatorF2: string; manager: string; managerB: string; auditor: string; p1: string };
beforeEach(async () => {
  h = await makeHarness();
  await load(h.db, REPORT_WORLD);
  t = {
    admin: await h.token('ADM1', [{ role: 'admin' }]),
    coordinator: await h.token('SAM1', [{ role: 'coordinator', unit: 'F1' }]),
    coordinatorF2: await h.token('SAM2', [{ role: 'coordinator', unit: 'F2' }]),
    manager: await h.token('CHEF1', [{ role: 'manager', unit: 'F1' }]),
    managerB: await h.token('CHEFB', [{ role: 'manager', unit: 'F1-B' }]),
    auditor: await h.token('REV1', [{ role: 'auditor' }]),
    p1: await h.token('P1'),
  };
});
afterEach(() => h.close());

const send = (method: string, path: string, token: string, body: unknown) =>
  h.request(path, { token, method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const post = (path: string, token: string, body: unknown) => send('POST', path, token, body);
const T2 = { title: 'Tertialrapport 2 2024', unit: 'F1', requirements: ['R1'], asOf: '2024-08-31', analysis: 'Avdelning B ligger efter.' };
const publish = async (over: Record<string, unknown> = {}, token = t.coordinator) => {
  const res = await post('/api/reports', token, { ...T2, ...over });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
};
/** A moment, so that what follows is stamped after the report's publishing instant. */
const tick = () => new Promise((r) => setTimeout(r, 5));

// Figures worked out by hand (rule 6): target 0.75, gap = ceil(0.75 × population) − completed.
const f = (population: number, completed: number, started: number, overdue: number, exempt = 0) => ({
  population,
  completed,
  started,
  notStarted: population - completed - started,
  overdue,
  reached: completed + started,
  rate: population ? completed / population : null,
  target: 0.75,
  gap: Math.max(0, Math.ceil(0.75 * population) - completed),
  exempt,
});
const REPORTED = {
  requirement: { code: 'R1', title: 'Grundutbildning VBE', titleEn: 'Basic course', target: 0.75 },
  // P2 and P4 are not genomförda past 2024-06-30: försenade.
  total: f(4, 2, 1, 2),
  children: [
    { unit: { code: 'F1-A', name: 'Avdelning A' }, ...f(2, 1, 1, 1) },
    { unit: { code: 'F1-B', name: 'Avdelning B' }, ...f(2, 1, 0, 1) },
  ],
  // From 2023-03-01 (R1's start, later than 2023-01-01) to the date.
  trend: [
    { asOf: '2023-04-30', ...f(4, 0, 0, 0) },
    { asOf: '2023-08-31', ...f(4, 1, 0, 0) },
    { asOf: '2023-12-31', ...f(4, 1, 0, 0) },
    { asOf: '2024-04-30', ...f(4, 2, 1, 0) },
    { asOf: '2024-08-31', ...f(4, 2, 1, 2) },
  ],
};
const getReport = (id: number, token = t.coordinator) => h.json(`/api/reports/${id}`, token);
const changesOf = async (id: number) =>
  (await getReport(id)).changes.map((c: any) => `${c.employeeNumber} ${c.reported ? `${c.reported.status}/${c.reported.dueDate}/${c.reported.overdue}` : '–'} → ${c.now ? `${c.now.status}/${c.now.dueDate}/${c.now.overdue}` : '–'} ${c.reason}`);

describe('POST /api/reports', () => {
  it('freezes the figures, children and tertial trend of each requirement, with who published it, audited', async () => {
    const before = Date.now();
    const r = await publish();
    expect(r).toMatchObject({
      title: 'Tertialrapport 2 2024',
      unit: { code: 'F1', name: 'Förvaltning ett' },
      requirements: [{ code: 'R1', title: 'Grundutbildning VBE', titleEn: 'Basic course' }],
      asOf: '2024-08-31',
      analysis: 'Avdelning B ligger efter.',
      publishedBy: { employeeNumber: 'SAM1', name: null },
    });
    expect(r.figures).toEqual([REPORTED]);
    expect(Date.parse(r.publishedAt)).toBeGreaterThanOrEqual(before - 1000);
    // The same figures as the coverage API gives for the unit, requirement and date.
    const live = await h.json('/api/coverage?unit=F1&requirement=R1&asOf=2024-08-31', t.coordinator);
    expect(r.figures[0].total).toEqual(live.total);
    expect(r.figures[0].children).toEqual(live.children);
    const people = await h.db.selectFrom('report_person').select(['employee_number', 'status', 'due_date', 'overdue', 'unit_code']).where('report_id', '=', r.id).orderBy('employee_number').execute();
    expect(people).toEqual([
      { employee_number: 'P1', status: 'completed', due_date: '2024-06-30', overdue: 0, unit_code: 'F1-A' },
      { employee_number: 'P2', status: 'started', due_date: '2024-06-30', overdue: 1, unit_code: 'F1-A' },
      { employee_number: 'P3', status: 'completed', due_date: '2024-06-30', overdue: 0, unit_code: 'F1-B' },
      { employee_number: 'P4', status: 'not_started', due_date: '2024-06-30', overdue: 1, unit_code: 'F1-B' },
    ]);
    await expectAudited(h, t.admin, { kind: 'report', action: 'publish', actor: 'SAM1', scope: 'F1', detail: { report: r.id, title: 'Tertialrapport 2 2024', asOf: '2024-08-31', requirements: ['R1'], people: 4 } });
  });

  it('is for the coordinator of the unit and admins', async () => {
    expect((await post('/api/reports', t.coordinatorF2, T2)).status).toBe(403);
    for (const token of [t.manager, t.auditor, t.p1]) expect((await post('/api/reports', token, T2)).status).toBe(403);
    await publish({ unit: 'F2' }, t.admin);
    expect(await h.db.selectFrom('report').select('unit_code').execute()).toEqual([{ unit_code: 'F2' }]);
  });

  it('refuses a date after today, unknown or repeated requirements, one not in force, and bad bodies, in Swedish and English', async () => {
    const future = await post('/api/reports?lang=en', t.coordinator, { ...T2, asOf: '2999-01-01' });
    expect(future.status).toBe(422);
    const problem = await future.json();
    expect(problem.code).toBe('report.future');
    expect(problem.detail).toContain('2999-01-01 is after today');
    const sv = await (await post('/api/reports', t.coordinator, { ...T2, asOf: '2999-01-01' })).json();
    expect(sv.detail).toContain('ligger efter i dag');
    const early = await post('/api/reports', t.coordinator, { ...T2, asOf: '2023-01-31' });
    expect(early.status).toBe(422);
    expect((await early.json()).code).toBe('report.notEffective');
    expect((await (await post('/api/reports', t.coordinator, { ...T2, requirements: ['NOPE'] })).json()).code).toBe('requirement.unknown');
    expect((await (await post('/api/reports', t.coordinator, { ...T2, requirements: ['R1', 'R1'] })).json()).code).toBe('report.duplicateRequirement');
    for (const bad of [{ ...T2, title: ' ' }, { ...T2, requirements: [] }, { ...T2, asOf: '2024-02-30' }, { ...T2, extra: 1 }, { ...T2, unit: undefined }]) {
      const res = await post('/api/reports', t.coordinator, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect((await res.json()).code).toBe('body.invalid');
    }
    expect(await h.db.selectFrom('report').select('id').execute()).toEqual([]);
  });

  it('writes the report, its rows and its audit entry together or not at all', async () => {
    const failing = (qs: readonly CompiledQuery[]) => h.atomic([...qs, CompiledQuery.raw('INSERT INTO no_such_table VALUES (1)', [])]);
    await expect(publishReport({ db: h.db, atomic: failing }, T2, 'SAM1', '2026-01-01')).rejects.toThrow();
    expect(await h.db.selectFrom('report').select('id').execute()).toEqual([]);
    for (const table of ['report_requirement', 'report_figure', 'report_trend', 'report_person'] as const) {
      expect(await h.db.selectFrom(table).select('report_id').execute(), table).toEqual([]);
    }
    expect(await h.db.selectFrom('audit_log').select('id').where('kind', '=', 'report').execute()).toEqual([]);
  });

  it('takes back a report written in more than one D1 batch when its last statement fails', async () => {
    // 600 more people in F1-A, one row a statement: past D1's 500 statements a batch.
    await load(h.db, {
      people: Array.from({ length: 600 }, (_, i): [string, string] => [`X${i}`, `Extra ${i}`]),
      employments: Array.from({ length: 600 }, (_, i) => ({ p: `X${i}`, unit: 'F1-A', from: '2020-01-01' })),
    });
    await sql`CREATE TRIGGER refuse_report BEFORE INSERT ON audit_log WHEN NEW.kind = 'report' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`.execute(h.db);
    await expect(publishReport({ db: h.db, atomic: h.atomic }, T2, 'SAM1', '2026-01-01', { rowsPerStatement: 1 })).rejects.toThrow(/refused by test trigger/);
    expect(await h.db.selectFrom('report').select('id').execute()).toEqual([]);
    for (const table of ['report_requirement', 'report_figure', 'report_trend', 'report_person'] as const) {
      expect(await h.db.selectFrom(table).select('report_id').execute(), table).toEqual([]);
    }
    await sql`DROP TRIGGER refuse_report`.execute(h.db);
    const r = await publishReport({ db: h.db, atomic: h.atomic }, T2, 'SAM1', '2026-01-01', { rowsPerStatement: 1 });
    expect(r.figures[0].total.population).toBe(604);
    expect(await h.db.selectFrom('report_person').select('person_id').where('report_id', '=', r.id).execute()).toHaveLength(604);
  });

  it('has no PUT and no DELETE: a report never changes', async () => {
    const r = await publish();
    expect([404, 405]).toContain((await send('PUT', `/api/reports/${r.id}`, t.admin, T2)).status);
    expect([404, 405]).toContain((await h.request(`/api/reports/${r.id}`, { token: t.admin, method: 'DELETE' })).status);
    expect((await getReport(r.id)).report).toEqual(r);
  });
});

describe('GET /api/reports', () => {
  it('lists the reports of a unit and below it newest first, and all a caller may read without one', async () => {
    const a = await publish();
    await tick();
    const b = await publish({ title: 'Avdelning B T2', unit: 'F1-B' });
    await tick();
    const c = await publish({ title: 'F2 T2', unit: 'F2' }, t.admin);
    const titles = (list: any) => list.reports.map((r: any) => r.title);
    const f1 = await h.json('/api/reports?unit=F1', t.coordinator);
    expect(titles(f1)).toEqual(['Avdelning B T2', 'Tertialrapport 2 2024']);
    expect(f1.reports[1]).toEqual({ id: a.id, title: a.title, unit: a.unit, asOf: '2024-08-31', requirements: ['R1'], publishedAt: a.publishedAt, publishedBy: { employeeNumber: 'SAM1', name: null } });
    expect(titles(await h.json('/api/reports?unit=F1-B', t.managerB))).toEqual(['Avdelning B T2']);
    expect(titles(await h.json('/api/reports', t.managerB))).toEqual(['Avdelning B T2']);
    expect(titles(await h.json('/api/reports', t.auditor))).toEqual(['F2 T2', 'Avdelning B T2', 'Tertialrapport 2 2024']);
    expect(titles(await h.json('/api/reports', t.coordinatorF2))).toEqual(['F2 T2']);
    // Outside one's scope: 403, never an empty list.
    expect((await h.request('/api/reports?unit=F2', { token: t.coordinator })).status).toBe(403);
    expect((await h.request('/api/reports?unit=F1', { token: t.managerB })).status).toBe(403);
    expect((await h.request('/api/reports', { token: t.p1 })).status).toBe(403);
    // One report: the unit's readers only.
    expect((await h.request(`/api/reports/${a.id}`, { token: t.managerB })).status).toBe(403);
    expect((await h.request(`/api/reports/${c.id}`, { token: t.coordinator })).status).toBe(403);
    expect((await getReport(b.id, t.managerB)).report.title).toBe('Avdelning B T2');
    expect((await getReport(a.id, t.auditor)).report.title).toBe('Tertialrapport 2 2024');
    expect((await h.request('/api/reports/999', { token: t.admin })).status).toBe(404);
    expect((await h.request('/api/reports/abc', { token: t.admin })).status).toBe(404);
  });
});

describe('GET /api/reports/:id: rapporterat, nu, ändringar', () => {
  it('shows no change while nothing has changed, and audits the read (it names people)', async () => {
    const r = await publish();
    const answer = await getReport(r.id, t.manager);
    expect(answer.report).toEqual(r);
    expect(answer.now.figures).toEqual(r.figures);
    expect(answer.changes).toEqual([]);
    await expectAudited(h, t.admin, { kind: 'people.read', action: 'report', actor: 'CHEF1', scope: 'F1', detail: { report: r.id, rows: 0 } });
  });

  it('late_record: a record registered after publishing, dated on or before the date', async () => {
    const r = await publish();
    await tick();
    expect((await post('/api/records', t.coordinator, { course: 'VBE', status: 'completed', occurredAt: '2024-08-01', employeeNumbers: ['P4'] })).status).toBe(201);
    // Dated after the report's date: changes nothing on it.
    expect((await post('/api/records', t.coordinator, { course: 'VBE', status: 'completed', occurredAt: '2024-09-10', employeeNumbers: ['P2'] })).status).toBe(201);
    expect(await changesOf(r.id)).toEqual(['P4 not_started/2024-06-30/true → completed/2024-06-30/false late_record']);
    const answer = await getReport(r.id);
    expect(answer.changes[0]).toMatchObject({ name: 'Dan Fors', unit: { code: 'F1-B', name: 'Avdelning B' }, requirement: 'R1' });
    // The report stands; today's figures count P4.
    expect(answer.report.figures).toEqual([REPORTED]);
    expect(answer.now.figures[0].total).toEqual(f(4, 3, 1, 1));
    expect(answer.now.figures[0].children[1]).toEqual({ unit: { code: 'F1-B', name: 'Avdelning B' }, ...f(2, 2, 0, 0) });
  });

  it('annulled: a record annulled after publishing (before a late record for the same person)', async () => {
    const r = await publish();
    await tick();
    const rec = await h.db.selectFrom('completion as c').innerJoin('person as p', 'p.id', 'c.person_id').select('c.id').where('p.employee_number', '=', 'P1').executeTakeFirstOrThrow();
    expect((await post(`/api/records/${rec.id}/annul`, t.coordinator, { reason: 'Fel person' })).status).toBe(200);
    // P1 also gets a late start: the annulment is what changed the status.
    expect((await post('/api/records', t.coordinator, { course: 'VBE', status: 'started', occurredAt: '2024-05-01', employeeNumbers: ['P1'] })).status).toBe(201);
    expect(await changesOf(r.id)).toEqual(['P1 completed/2024-06-30/false → started/2024-06-30/true annulled']);
  });

  it('exemption: an exemption made after publishing that covers the date (before a late record)', async () => {
    const r = await publish();
    await tick();
    expect((await post('/api/exemptions', t.coordinator, { employeeNumber: 'P4', requirement: 'R1', from: '2024-01-01', reason: 'Föräldraledig' })).status).toBe(201);
    expect((await post('/api/records', t.coordinator, { course: 'VBE', status: 'completed', occurredAt: '2024-08-01', employeeNumbers: ['P4'] })).status).toBe(201);
    expect(await changesOf(r.id)).toEqual(['P4 not_started/2024-06-30/true → exempt/null/false exemption']);
    expect((await getReport(r.id)).now.figures[0].total).toEqual(f(3, 2, 1, 1, 1));
  });

  it('roster: a person entered or left the berörda by a roster import after publishing', async () => {
    const r = await publish();
    await tick();
    const file = csvFile([
      ['Anställningsnummer', 'Namn', 'Enhetskod', 'Anställd från', 'Anställd till'],
      ['P2', 'Bo Berg', 'F1-A', '2020-01-01', '2024-06-30'],
      ['P6', 'Fia Holm', 'F1-B', '2024-01-01', ''],
    ]);
    await imported(h, '/api/imports/roster?mode=history', t.admin, file, 'rättelse.csv');
    expect(await changesOf(r.id)).toEqual([
      'P2 started/2024-06-30/true → – roster',
      'P6 – → not_started/2024-06-30/true roster',
    ]);
    const change = (await getReport(r.id)).changes[1];
    expect(change).toMatchObject({ employeeNumber: 'P6', name: 'Fia Holm', unit: { code: 'F1-B', name: 'Avdelning B' }, reported: null });
  });

  it('requirement: the requirement was edited after publishing (a roster change still names the person it moved)', async () => {
    const r = await publish();
    await tick();
    const edited = { code: 'R1', title: 'Grundutbildning VBE', courses: ['VBE'], scope: ['CITY'], effectiveFrom: '2023-03-01', dueDate: '2024-12-31', targetRate: 0.75, source: 'test' };
    const put = await send('PUT', '/api/requirements/R1', t.admin, edited);
    expect(put.status, await put.clone().text()).toBe(200);
    await imported(h, '/api/imports/roster?mode=history', t.admin, csvFile([
      ['Anställningsnummer', 'Namn', 'Enhetskod', 'Anställd från', 'Anställd till'],
      ['P2', 'Bo Berg', 'F1-A', '2020-01-01', '2024-06-30'],
      ['P6', 'Fia Holm', 'F1-B', '2024-01-01', ''],
    ]), 'ny.csv');
    // P2's employment was ended (an update of their row), P6's begun (a row of the import's batch).
    expect(await changesOf(r.id)).toEqual([
      'P1 completed/2024-06-30/false → completed/2024-12-31/false requirement',
      'P2 started/2024-06-30/true → – roster',
      'P3 completed/2024-06-30/false → completed/2024-12-31/false requirement',
      'P4 not_started/2024-06-30/true → not_started/2024-12-31/false requirement',
      'P6 – → not_started/2024-12-31/false roster',
    ]);
  });
});

describe('GET /api/reports/:id: a course of the requirement edited', () => {
  it('requirement: a validity given to the course after publishing expires a completion (a record dated after the date is no late record)', async () => {
    const r = await publish();
    await tick();
    expect((await send('PUT', '/api/courses/VBE', t.admin, { code: 'VBE', title: 'VBE', kind: 'web', validityMonths: 12 })).status).toBe(200);
    // Recorded after publishing, but dated after the report's date: it changes nothing then.
    expect((await post('/api/records', t.coordinator, { course: 'VBE', status: 'completed', occurredAt: '2024-09-10', employeeNumbers: ['P3'] })).status).toBe(201);
    // P3's completion of 2023-05-05 counts up to 2024-05-04; P1's of 2024-02-10 still counts.
    expect(await changesOf(r.id)).toEqual(['P3 completed/2024-06-30/false → not_started/2024-06-30/true requirement']);
    expect((await getReport(r.id)).now.figures[0].total).toEqual(f(4, 1, 1, 3));
  });
});

describe('GET /api/reports/:id.xlsx', () => {
  it('writes Rapporterat, Nu, Ändringar and Metod, audited as an export of names', async () => {
    const r = await publish();
    await tick();
    await post('/api/records', t.coordinator, { course: 'VBE', status: 'completed', occurredAt: '2024-08-01', employeeNumbers: ['P4'] });
    const res = await h.request(`/api/reports/${r.id}.xlsx`, { token: t.manager });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const wb = read(new Uint8Array(await res.arrayBuffer()));
    expect(wb.SheetNames).toEqual(['Rapporterat', 'Nu', 'Ändringar', 'Metod']);
    const rows = (name: string) => utils.sheet_to_json<any>(wb.Sheets[name]);
    const reported = rows('Rapporterat');
    // Total, two children, five trend points.
    expect(reported).toHaveLength(8);
    expect(reported[0]).toMatchObject({ Krav: 'R1', Del: 'Totalt', Enhetskod: 'F1', Berörda: 4, Genomförda: 2, Försenade: 2, 'Andel genomförda': 0.5, 'Avvikelse (personer)': 1 });
    expect(rows('Nu')[0]).toMatchObject({ Del: 'Totalt', Genomförda: 3, Försenade: 1 });
    expect(rows('Ändringar')).toEqual([
      expect.objectContaining({ Anställningsnummer: 'P4', Namn: 'Dan Fors', Krav: 'R1', 'Rapporterad status': 'ej påbörjad', 'Status nu': 'genomförd', Orsak: 'sen registrering' }),
    ]);
    const method = utils.sheet_to_json<any[]>(wb.Sheets.Metod, { header: 1 }).map((row) => row.join(' '));
    expect(method.some((l) => l.includes('Tertialrapport 2 2024'))).toBe(true);
    await expectAudited(h, t.admin, { kind: 'export.people', action: 'report.xlsx', actor: 'CHEF1', scope: 'F1', detail: { report: r.id, rows: 1 } });
    expect((await h.request(`/api/reports/${r.id}.xlsx`, { token: t.managerB })).status).toBe(403);
  });
});

describe('the revision workbook', () => {
  it('lists in Metod the reports published for the exported unit and below it', async () => {
    await publish();
    await publish({ title: 'F2 T2', unit: 'F2' }, t.admin);
    const res = await h.request('/api/exports/coverage.xlsx?unit=F1&asOf=2024-08-31', { token: t.coordinator });
    expect(res.status).toBe(200);
    const wb = read(new Uint8Array(await res.arrayBuffer()));
    const method = utils.sheet_to_json<any[]>(wb.Sheets.Metod, { header: 1 }).map((row) => row.join(' | '));
    expect(method.find((l) => l.includes('Tertialrapport 2 2024'))).toContain('SAM1');
    expect(method.some((l) => l.includes('F2 T2'))).toBe(false);
  });
});

describe('the register extract', () => {
  it('shows the statuses a report froze of the person, and the reports a person published', async () => {
    const r = await publish();
    const x = await h.json('/api/people/P4/extract', t.admin);
    expect(x.reportedStatuses).toEqual([{ report: r.id, requirement: 'R1', unitCode: 'F1-B', status: 'not_started', dueDate: '2024-06-30', overdue: true, occurredAt: null }]);
    const sam = await h.json('/api/people/SAM1/extract', t.admin);
    expect(sam.reportsPublished).toEqual([{ id: r.id, title: 'Tertialrapport 2 2024', unit: 'F1', asOf: '2024-08-31', publishedAt: r.publishedAt }]);
  });
});

describe('retention', () => {
  it('keeps a report’s figures and statuses and replaces the names of the people it counted', async () => {
    // P2 leaves after the report's date; five years on, retention anonymises them.
    await h.db.updateTable('employment').set({ end_date: '2024-12-31' }).where('person_id', '=', (await h.db.selectFrom('person').select('id').where('employee_number', '=', 'P2').executeTakeFirstOrThrow()).id).execute();
    // P2 is also the coordinator who published it.
    const r = await publish({}, await h.token('P2', [{ role: 'coordinator', unit: 'F1' }]));
    expect(r.publishedBy).toEqual({ employeeNumber: 'P2', name: 'Bo Berg' });
    const result = await anonymiseExpired(h.db, h.atomic, '2030-06-01', 5);
    expect(result.anonymised).toBe(1);
    const rows = await h.db.selectFrom('report_person').select(['person_id', 'employee_number', 'name', 'status']).where('report_id', '=', r.id).orderBy('person_id').execute();
    const p2 = (await h.db.selectFrom('person').select('id').where('name', '=', 'Anonymiserad').executeTakeFirstOrThrow()).id;
    expect(rows.find((x) => x.person_id === p2)).toEqual({ person_id: p2, employee_number: `ANON-${p2}`, name: 'Anonymiserad', status: 'started' });
    expect(rows.filter((x) => x.name === 'Bo Berg' || x.employee_number === 'P2')).toEqual([]);
    expect(rows.map((x) => x.name).sort()).toEqual(['Ada Andersson', 'Anonymiserad', 'Cia Ek', 'Dan Fors']);
    const answer = await getReport(r.id, t.admin);
    expect(answer.report.figures).toEqual([REPORTED]);
    expect(answer.report.publishedBy).toEqual({ employeeNumber: `ANON-${p2}`, name: 'Anonymiserad' });
    expect(answer.changes).toEqual([]);
  });
});
