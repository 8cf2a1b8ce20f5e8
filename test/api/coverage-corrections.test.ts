import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readWorkbook, rows } from '../support/export-world.ts';
import { course, load, requirement } from '../support/fixtures.ts';
import { adminHarness } from '../support/admin-harness.ts';
import type { Harness } from '../support/harness.ts';

// DESIGN.md "Exemptions" and "Records by hand, and corrections" in the coverage rules: an annulled
// record stops counting on every date; a person with an exemption from R active on D is not berörd
// for R on D, and is counted as undantagen (exempt). Every figure below is worked out by hand.
//
// R: course C, scope F1, due 2024-05-31, target 0.5.
//   P1 Ada   F1-A-1          completed 2024-02-01
//   P2 Bo    F1-A-1          started 2024-01-10, completed 2024-02-01 (annulled in the test)
//   P3 Cia   F1-A-2          exempted 2024-03-01 – 2024-06-30 (föräldraledig)
//   P4 Dan   F1-A-1 and F1-B exempted from 2024-01-01, open-ended
//   P5 Eva   F1-B            completed 2024-02-01, exempted from 2024-03-01
//   P6 Fia   F1-B            exempted from R2 only

let h: Harness;
let admin: string;
let coordinator: string;
beforeEach(async () => {
  ({ h, admin } = await adminHarness());
  coordinator = await h.token('SAM1', [{ role: 'coordinator', unit: 'F1' }]);
  await load(h.db, {
    units: [
      ['CITY', 'Staden', null, 'stad'],
      ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
      ['F1-A', 'Avdelning A', 'F1', 'avdelning'],
      ['F1-A-1', 'Enhet A1', 'F1-A', 'enhet'],
      ['F1-A-2', 'Enhet A2', 'F1-A', 'enhet'],
      ['F1-B', 'Avdelning B', 'F1', 'avdelning'],
    ],
    people: [['P1', 'Ada'], ['P2', 'Bo'], ['P3', 'Cia'], ['P4', 'Dan'], ['P5', 'Eva'], ['P6', 'Fia']],
    employments: [
      { p: 'P1', unit: 'F1-A-1', from: '2020-01-01' },
      { p: 'P2', unit: 'F1-A-1', from: '2020-01-01' },
      { p: 'P3', unit: 'F1-A-2', from: '2020-01-01' },
      { p: 'P4', unit: 'F1-A-1', from: '2020-01-01' },
      { p: 'P4', unit: 'F1-B', from: '2020-01-01' },
      { p: 'P5', unit: 'F1-B', from: '2020-01-01' },
      { p: 'P6', unit: 'F1-B', from: '2020-01-01' },
    ],
    courses: [course('C'), course('C2')],
    requirements: [
      requirement({ code: 'R', courses: ['C'], scope: ['F1'], dueDate: '2024-05-31', targetRate: 0.5 }),
      requirement({ code: 'R2', courses: ['C2'], scope: ['F1'] }),
    ],
    completions: [
      { p: 'P1', course: 'C', status: 'completed', at: '2024-02-01' },
      { p: 'P2', course: 'C', status: 'started', at: '2024-01-10' },
      { p: 'P2', course: 'C', status: 'completed', at: '2024-02-01' },
      { p: 'P5', course: 'C', status: 'completed', at: '2024-02-01' },
    ],
  });
  for (const [n, req, from, to, reason] of [
    ['P3', 'R', '2024-03-01', '2024-06-30', 'Föräldraledig'],
    ['P4', 'R', '2024-01-01', null, 'Arbetar inte med målgruppen'],
    ['P5', 'R', '2024-03-01', null, 'Långtidssjukskriven'],
    ['P6', 'R2', '2024-01-01', null, 'Tjänstledig'],
  ] as const) {
    const res = await post('/api/exemptions', { employeeNumber: n, requirement: req, from, to, reason });
    expect(res.status, await res.clone().text()).toBe(201);
  }
});
afterEach(() => h.close());

function post(path: string, body: unknown) {
  return h.request(path, { token: coordinator, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
const cov = (unit: string, asOf: string, req = 'R') => h.json(`/api/coverage?unit=${unit}&requirement=${req}&asOf=${asOf}`, admin);
const people = async (unit: string, asOf: string, status?: string) =>
  (await h.json(`/api/coverage/people?unit=${unit}&requirement=R&asOf=${asOf}${status ? `&status=${status}` : ''}`, admin)).people;
const child = (answer: any, code: string) => answer.children.find((c: any) => c.unit.code === code);
const myStatus = async (n: string, asOf: string, req = 'R') =>
  (await h.json(`/api/me/training?asOf=${asOf}`, await h.token(n))).requirements.find((x: any) => x.requirement.code === req);
async function annulP2Completion() {
  const records = (await h.json('/api/people/P2/records', coordinator)).records;
  const completed = records.find((r: any) => r.status === 'completed');
  expect((await post(`/api/records/${completed.id}/annul`, { reason: 'Registrerad på fel person' })).status).toBe(200);
}

describe('an annulled record', () => {
  it('stops counting on every date, and the person\u2019s earlier start decides again', async () => {
    // Before: on 2024-02-15 P1, P2, P5 genomförda; P4 exempt; P3, P6 not started.
    expect((await cov('F1', '2024-02-15')).total).toMatchObject({ population: 5, completed: 3, started: 0, notStarted: 2, exempt: 1 });
    await annulP2Completion();
    for (const asOf of ['2024-02-01', '2024-02-15', '2025-01-01']) {
      const p2 = (await people('F1-A-1', asOf)).find((p: any) => p.employeeNumber === 'P2');
      expect(p2, asOf).toMatchObject({ status: 'started', occurredAt: '2024-01-10' });
    }
    expect((await cov('F1', '2024-02-15')).total).toMatchObject({ population: 5, completed: 2, started: 1, notStarted: 2, overdue: 0, exempt: 1 });
    expect(await myStatus('P2', '2024-02-15')).toMatchObject({ status: 'started', occurredAt: '2024-01-10' });
    // The row is still there, annulled.
    expect(await h.db.selectFrom('completion').select('id').where('annulled_by', '=', 'SAM1').execute()).toHaveLength(1);
  });
});

describe('exemptions', () => {
  beforeEach(annulP2Completion);

  it('take the exempted out of berörda on the days of the exemption and count them as exempt, in the unit and every child', async () => {
    // 2024-04-01: P3, P4, P5 exempt; berörda P1 (genomförd), P2 (påbörjad), P6 (ej påbörjad).
    // 0.5 × 3 = 1.5 → 2 needed, 1 short.
    const f1 = await cov('F1', '2024-04-01');
    expect(f1.total).toEqual({ population: 3, completed: 1, started: 1, notStarted: 1, overdue: 0, reached: 2, rate: 1 / 3, target: 0.5, gap: 1, exempt: 3 });
    // P4 is in both avdelningar: exempt once in F1, and in each.
    expect(child(f1, 'F1-A')).toMatchObject({ population: 2, completed: 1, started: 1, exempt: 2, gap: 0 });
    expect(child(f1, 'F1-B')).toMatchObject({ population: 1, completed: 0, notStarted: 1, exempt: 2, gap: 1 });
    const a = await cov('F1-A', '2024-04-01');
    expect(child(a, 'F1-A-1')).toMatchObject({ population: 2, exempt: 1 });
    // Only Cia, exempted: nobody berörd, no rate.
    expect(child(a, 'F1-A-2')).toMatchObject({ population: 0, exempt: 1, rate: null, gap: 0 });

    // 2024-07-01: Cia's exemption ended on 2024-06-30; the due date has passed for P2, P3, P6.
    expect((await cov('F1', '2024-07-01')).total).toEqual({ population: 4, completed: 1, started: 1, notStarted: 2, overdue: 3, reached: 2, rate: 0.25, target: 0.5, gap: 1, exempt: 2 });
    // The last day of an exemption is still exempt.
    expect((await cov('F1', '2024-06-30')).total).toMatchObject({ population: 3, exempt: 3 });
    // An exemption from another requirement changes nothing for R; for R2 only Fia is exempt.
    expect((await cov('F1', '2024-04-01', 'R2')).total).toMatchObject({ population: 5, exempt: 1 });
  });

  it('show in the people list only when asked for (status=exempt), with why', async () => {
    expect((await people('F1', '2024-04-01')).map((p: any) => [p.employeeNumber, p.status])).toEqual([
      ['P1', 'completed'],
      ['P2', 'started'],
      ['P6', 'not_started'],
    ]);
    const exempt = await people('F1', '2024-04-01', 'exempt');
    expect(exempt.map((p: any) => [p.employeeNumber, p.status, p.overdue, p.dueDate])).toEqual([
      ['P3', 'exempt', false, null],
      ['P4', 'exempt', false, null],
      ['P5', 'exempt', false, null],
    ]);
    expect(exempt[0].exemption).toEqual({ from: '2024-03-01', to: '2024-06-30', reason: 'Föräldraledig' });
    // Eva completed before her exemption: while exempted she is exempt, not genomförd.
    expect((await people('F1', '2024-04-01', 'completed')).map((p: any) => p.employeeNumber)).toEqual(['P1']);
    expect((await people('F1', '2024-07-01', 'exempt')).map((p: any) => p.employeeNumber)).toEqual(['P4', 'P5']);
    // The follow-up filters list berörda only: the undantagna are neither försenade nor not done.
    expect((await people('F1', '2024-07-01', 'overdue')).map((p: any) => p.employeeNumber)).toEqual(['P2', 'P3', 'P6']);
    expect((await people('F1', '2024-07-01', 'not_completed')).map((p: any) => p.employeeNumber)).toEqual(['P2', 'P3', 'P6']);
  });

  it('show in my training as exempt, and the requirement again when the exemption has ended', async () => {
    expect(await myStatus('P3', '2024-04-01')).toMatchObject({ status: 'exempt', overdue: false, dueDate: null });
    expect(await myStatus('P3', '2024-07-01')).toMatchObject({ status: 'not_started', overdue: true, dueDate: '2024-05-31' });
    expect(await myStatus('P5', '2024-04-01')).toMatchObject({ status: 'exempt' });
    expect(await myStatus('P5', '2024-02-15')).toMatchObject({ status: 'completed', occurredAt: '2024-02-01' });
    expect(await myStatus('P6', '2024-04-01', 'R2')).toMatchObject({ status: 'exempt' });
  });

  it('count in the trend, point by point', async () => {
    const trend = await h.json('/api/coverage/trend?unit=F1&requirement=R&from=2024-01-01&to=2024-08-31&interval=tertial', admin);
    const at = (d: string) => trend.points.find((p: any) => p.asOf === d);
    // T1 (2024-04-30): P3, P4, P5 exempt. T2 (2024-08-31): P4, P5.
    expect(at('2024-04-30')).toMatchObject({ population: 3, completed: 1, exempt: 3 });
    expect(at('2024-08-31')).toMatchObject({ population: 4, completed: 1, overdue: 3, exempt: 2 });
  });

  it('end on the day given: counted from the next day', async () => {
    const list = (await h.json('/api/exemptions?unit=F1&asOf=2024-04-01&requirement=R', admin)).exemptions;
    const eva = list.find((x: any) => x.employeeNumber === 'P5');
    expect((await post(`/api/exemptions/${eva.id}/end`, { to: '2024-04-30' })).status).toBe(200);
    expect((await cov('F1', '2024-04-30')).total).toMatchObject({ population: 3, exempt: 3 });
    // From 2024-05-01 Eva is berörd again, genomförd by her completion of 2024-02-01.
    expect((await cov('F1', '2024-05-01')).total).toMatchObject({ population: 4, completed: 2, exempt: 2 });
  });

  it('say in the workbook how many are undantagna, on every sheet of figures, and why, in Metod and Personer', async () => {
    const res = await h.request('/api/exports/coverage.xlsx?unit=F1&requirement=R&asOf=2024-04-01&people=1', { token: admin });
    expect(res.status).toBe(200);
    const { wb } = await readWorkbook(res);
    const sum = rows(wb.Sheets['Sammanfattning']);
    const col = sum[0].indexOf('Undantagna');
    expect(col).toBe(12);
    expect(sum[1].slice(4, 13)).toEqual([3, 1, 1, 1, 0, 1 / 3, 0.5, 1, 3]);
    const perUnit = rows(wb.Sheets['Per enhet']);
    const byUnit = Object.fromEntries(perUnit.slice(1).map((r) => [r[1], [r[5], r[13]]]));
    // [berörda, undantagna] per unit, as /api/coverage gives them.
    expect(byUnit).toEqual({ F1: [3, 3], 'F1-A': [2, 2], 'F1-A-1': [2, 1], 'F1-A-2': [0, 1], 'F1-B': [1, 2] });
    const method = rows(wb.Sheets['Metod']);
    const at = method.findIndex((r) => r[0] === 'Undantag' && r[1] == null);
    expect(at).toBeGreaterThan(0);
    expect(method.slice(at + 1, at + 5).map((r) => r.slice(0, 3))).toEqual([
      ['Krav', 'Orsak', 'Undantagna'],
      ['R', 'Arbetar inte med målgruppen', 1],
      ['R', 'Föräldraledig', 1],
      ['R', 'Långtidssjukskriven', 1],
    ]);
    expect(method.some((r) => r[0] === 'Undantagna')).toBe(true);
    const personer = rows(wb.Sheets['Personer']);
    const [statusCol, exemptionCol] = [personer[0].indexOf('Status'), personer[0].indexOf('Undantag')];
    expect(exemptionCol).toBe(personer[0].length - 1);
    const persons = personer.slice(1).map((r) => [r[0], r[statusCol], r[exemptionCol] ?? null]);
    expect(persons).toEqual([
      ['P1', 'genomförd', null],
      ['P2', 'påbörjad', null],
      ['P3', 'undantagen', 'Föräldraledig (2024-03-01–2024-06-30)'],
      ['P4', 'undantagen', 'Arbetar inte med målgruppen (2024-01-01–)'],
      ['P5', 'undantagen', 'Långtidssjukskriven (2024-03-01–)'],
      ['P6', 'ej påbörjad', null],
    ]);
  });
});
