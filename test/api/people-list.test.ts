import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { course, load, requirement } from '../support/fixtures.ts';
import { adminHarness, ADMIN } from '../support/admin-harness.ts';
import type { Harness } from '../support/harness.ts';
import { ASOF, WORLD, isoOf, readWorkbook, rows } from '../support/export-world.ts';

// The people list a manager acts on: overdue, where each person sits, why they are in scope, and
// the same rows as a workbook (audited, for those who may export names).
let h: Harness;
let admin: string;
beforeEach(async () => {
  ({ h, admin } = await adminHarness());
  await load(h.db, WORLD);
  // P9 holds two employments in F1-B since 2024-04-20 (R1 due 2024-05-20); R4 reaches only social
  // workers: the list names that employment.
  await load(h.db, {
    people: [['P9', 'Nora Nio']],
    employments: [
      { p: 'P9', unit: 'F1-B', from: '2024-04-20', type: 'tillsvidare', title: 'Vaktmästare' },
      { p: 'P9', unit: 'F1-B', from: '2024-04-20', type: 'visstid', title: 'Socialsekreterare' },
    ],
    courses: [course('C4')],
    requirements: [
      requirement({ code: 'R4', courses: ['C4'], scope: ['F1'], titles: ['Socialsekreterare'], effectiveFrom: '2024-01-01' }),
      // The count compares titles without case (coverage-rule.ts): the list names the same employment.
      requirement({ code: 'R5', courses: ['C4'], scope: ['F1'], titles: ['SOCIALSEKRETERARE'], effectiveFrom: '2024-01-01' }),
    ],
  });
});
afterEach(() => h.close());

const people = (q: string, token = admin) => h.json(`/api/coverage/people?${q}`, token);

describe('GET /api/coverage/people', () => {
  it('filters status=overdue: not genomförd and past the due date (P2 started, P3 and P5 nothing)', async () => {
    const { people: overdue } = await people(`unit=CITY&requirement=R1&asOf=${ASOF}&status=overdue`);
    expect(overdue.map((p: { employeeNumber: string }) => p.employeeNumber).sort()).toEqual(['P2', 'P3', 'P5']);
    expect(overdue.every((p: { overdue: boolean }) => p.overdue)).toBe(true);
    // P7 and P9 joined in April: due in May, not yet overdue on 2024-04-25.
    const { people: notStarted } = await people(`unit=CITY&requirement=R1&asOf=${ASOF}&status=not_started`);
    expect(notStarted.map((p: { employeeNumber: string }) => p.employeeNumber).sort()).toEqual(['P3', 'P5', 'P7', 'P9']);
    const { people: notDone } = await people(`unit=CITY&requirement=R1&asOf=${ASOF}&status=not_completed`);
    expect(notDone.map((p: { employeeNumber: string }) => p.employeeNumber).sort()).toEqual(['P2', 'P3', 'P5', 'P7', 'P9']);
  });

  it('names each person’s förvaltning and avdelning, and the employment form and title that bring them in scope', async () => {
    const { people: all } = await people(`unit=CITY&requirement=R1&asOf=${ASOF}`);
    const p1 = all.find((p: { employeeNumber: string }) => p.employeeNumber === 'P1');
    expect(p1).toMatchObject({ unit: { code: 'F1-A-1', name: 'Enhet A1' }, forvaltning: 'Förvaltning ett', avdelning: 'Avdelning A', employmentType: 'tillsvidare', title: null });
    const { people: r4 } = await people(`unit=F1&requirement=R4&asOf=${ASOF}`);
    expect(r4).toEqual([
      expect.objectContaining({ employeeNumber: 'P9', forvaltning: 'Förvaltning ett', avdelning: 'Avdelning B', employmentType: 'visstid', title: 'Socialsekreterare' }),
    ]);
    const { people: r5 } = await people(`unit=F1&requirement=R5&asOf=${ASOF}`);
    expect(r5).toEqual([expect.objectContaining({ employeeNumber: 'P9', employmentType: 'visstid', title: 'Socialsekreterare' })]);
  });

  it('refuses an unknown status in Swedish, naming the ones there are', async () => {
    const res = await h.request(`/api/coverage/people?unit=CITY&requirement=R1&status=late`, { token: admin });
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toContain('completed | started | not_started | exempt | overdue | not_completed');
  });
});

describe('GET /api/coverage/people.xlsx', () => {
  it('gives the same rows as the list, with förvaltning, avdelning and why, and audits the export', async () => {
    const res = await h.request(`/api/coverage/people.xlsx?unit=CITY&requirement=R1&asOf=${ASOF}&status=overdue`, { token: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('kompetenskoll-CITY-personer-2024-04-25.xlsx');
    const { wb } = await readWorkbook(res);
    expect(wb.SheetNames).toEqual(['Personer']);
    const [head, ...body] = rows(wb.Sheets['Personer']);
    expect(head).toEqual([
      'Anställningsnummer', 'Namn', 'Förvaltning', 'Avdelning', 'Enhetskod', 'Enhet', 'Anställningsform', 'Befattning',
      'Krav', 'Status', 'Förfallodatum', 'Försenad', 'Genomförd datum', 'Undantag',
    ]);
    expect(body.map((r) => [r[0], r[2], r[3], r[6], r[9], isoOf(r[10]), r[11]]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['P2', 'Förvaltning ett', 'Avdelning A', 'tillsvidare', 'påbörjad', '2020-01-31', 'ja'],
      ['P3', 'Förvaltning ett', 'Avdelning B', 'tillsvidare', 'ej påbörjad', '2020-01-31', 'ja'],
      ['P5', 'Förvaltning två', 'Avdelning C', 'tillsvidare', 'ej påbörjad', '2024-03-31', 'ja'],
    ]);
    const entry = await h.db.selectFrom('audit_log').selectAll().where('kind', '=', 'export.people').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ actor: ADMIN, action: 'export', scope: 'CITY' });
    expect(JSON.parse(entry.detail_json!)).toEqual({ requirement: 'R1', asOf: ASOF, status: 'overdue', rows: 3 });
  });

  it('is 403 for those who may not export names there, and writes no audit entry', async () => {
    const staff = await h.token('P3');
    expect((await h.request(`/api/coverage/people.xlsx?unit=CITY&requirement=R1&asOf=${ASOF}`, { token: staff })).status).toBe(403);
    const manager = await h.token('M9', [{ role: 'manager', unit: 'F2' }]);
    expect((await h.request(`/api/coverage/people.xlsx?unit=F1&requirement=R1&asOf=${ASOF}`, { token: manager })).status).toBe(403);
    expect((await h.request(`/api/coverage/people.xlsx?unit=F2&requirement=R1&asOf=${ASOF}`, { token: manager })).status).toBe(200);
    const entries = await h.db.selectFrom('audit_log').select('actor').where('kind', '=', 'export.people').execute();
    expect(entries).toEqual([{ actor: 'M9' }]);
  });
});

describe('GET /api/coverage/trend', () => {
  it('has no point before the requirement took effect (R2 from 2022-01-01)', async () => {
    const t = await h.json(`/api/coverage/trend?unit=F2&requirement=R2&from=2021-01-01&to=${ASOF}&interval=tertial`, admin);
    expect(t.points.map((p: { asOf: string }) => p.asOf)).toEqual(['2022-04-30', '2022-08-31', '2022-12-31', '2023-04-30', '2023-08-31', '2023-12-31']);
  });

  it('says in Swedish why a period is too long, and in English when asked', async () => {
    const sv = await h.request(`/api/coverage/trend?unit=F2&requirement=R1&from=2000-01-01&to=${ASOF}&interval=month`, { token: admin });
    expect(sv.status).toBe(400);
    expect((await sv.json()).detail).toBe('Perioden ger 291 punkter; högst 120 visas. Välj en kortare period eller tertial i stället för månad.');
    const en = await h.request(`/api/coverage/trend?unit=F2&requirement=R1&from=2024-05-01&to=${ASOF}&lang=en`, { token: admin });
    expect((await en.json()).detail).toBe('The start (2024-05-01) is after the end (2024-04-25).');
  });
});
