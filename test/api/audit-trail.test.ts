import * as XLSX from 'xlsx';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectAudited, lastAuditId, auditEntries, type AuditExpectation } from '../support/audit.ts';
import { course, load, requirement } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let t: { admin: string; auditor: string; coordinator: string; manager: string; staff: string };
beforeEach(async () => {
  h = await nodeHarness();
  await load(h.db, {
    units: [
      ['CITY', 'Staden', null, 'stad'],
      ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
      ['F1-A', 'Avdelning A', 'F1', 'avdelning'],
      ['F2', 'Förvaltning två', 'CITY', 'forvaltning'],
    ],
    people: [['P1', 'Ada Andersson', 'ada@example.se']],
    employments: [{ p: 'P1', unit: 'F1-A', from: '2020-01-01' }],
    courses: [course('VBE')],
    requirements: [requirement({ code: 'R1', courses: ['VBE'], scope: ['F1'] })],
  });
  t = {
    admin: await h.token('ADM1', [{ role: 'admin' }]),
    auditor: await h.token('REV1', [{ role: 'auditor' }]),
    coordinator: await h.token('SAM1', [{ role: 'coordinator', unit: 'F1' }]),
    manager: await h.token('CHEF1', [{ role: 'manager', unit: 'F1-A' }]),
    staff: await h.token('P1'),
  };
});
afterEach(() => h.close());

const send = (path: string, token: string, method: string, body?: unknown) =>
  h.request(path, { token, method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

/**
 * Every change and every read of personal data that leaves an audit entry, through the real
 * routes. Imports (committed) and the coverage export belong to other branches: add their rows here.
 */
const AUDITED: { name: string; run: () => Promise<Response>; status: number; expect: () => AuditExpectation }[] = [
  {
    name: 'course created',
    run: () => send('/api/courses', t.coordinator, 'POST', { code: 'FDJ', title: 'Fördjupning', kind: 'seminar' }),
    status: 201,
    expect: () => ({ kind: 'course', action: 'create', actor: 'SAM1', scope: 'FDJ', detail: { code: 'FDJ', kind: 'seminar' } }),
  },
  {
    name: 'course changed',
    run: () => send('/api/courses/VBE', t.admin, 'PUT', { code: 'VBE', title: 'VBE grundkurs', kind: 'web', validityMonths: 24 }),
    status: 200,
    expect: () => ({ kind: 'course', action: 'update', actor: 'ADM1', scope: 'VBE', detail: { validityMonths: 24 } }),
  },
  {
    name: 'requirement created',
    run: () => send('/api/requirements', t.coordinator, 'POST', { code: 'R2', title: 'Alla i F1-A', courses: ['VBE'], scope: ['F1-A'], effectiveFrom: '2024-01-01', source: 'Handlingsplan 2024' }),
    status: 201,
    expect: () => ({ kind: 'requirement', action: 'create', actor: 'SAM1', scope: 'F1-A', detail: { code: 'R2', source: 'Handlingsplan 2024' } }),
  },
  {
    name: 'requirement changed',
    run: () => send('/api/requirements/R1', t.coordinator, 'PUT', { code: 'R1', title: 'R1', courses: ['VBE'], scope: ['F1'], effectiveFrom: '2000-01-01', source: 'Stadsrevisionen rek. 1', targetRate: 0.9 }),
    status: 200,
    expect: () => ({ kind: 'requirement', action: 'update', actor: 'SAM1', scope: 'F1', detail: { before: { code: 'R1' }, after: { targetRate: 0.9 } } }),
  },
  {
    name: 'role granted',
    run: () => send('/api/roles', t.admin, 'POST', { employeeNumber: 'SAM2', role: 'coordinator', unit: 'F2' }),
    status: 201,
    expect: () => ({ kind: 'role', action: 'grant', actor: 'ADM1', scope: 'F2', detail: { employeeNumber: 'SAM2', role: 'coordinator' } }),
  },
  {
    name: 'role taken away',
    run: async () => {
      await h.db.insertInto('role_grant').values({ employee_number: 'REV2', role: 'auditor', unit_code: null, granted_by: 'ADM0', granted_at: '2024-01-01T00:00:00Z' }).execute();
      return send('/api/roles', t.admin, 'DELETE', { employeeNumber: 'REV2', role: 'auditor' });
    },
    status: 200,
    expect: () => ({ kind: 'role', action: 'revoke', actor: 'ADM1', scope: null, detail: { employeeNumber: 'REV2', role: 'auditor' } }),
  },
  {
    name: 'people list read',
    run: () => h.request('/api/coverage/people?unit=F1-A&requirement=R1&asOf=2024-06-01', { token: t.manager }),
    status: 200,
    expect: () => ({ kind: 'people.read', action: 'read', actor: 'CHEF1', scope: 'F1-A', detail: { requirement: 'R1', asOf: '2024-06-01', rows: 1 } }),
  },
  {
    name: 'register extract taken',
    run: () => h.request('/api/people/P1/extract', { token: t.admin }),
    status: 200,
    expect: () => ({ kind: 'person.extract', action: 'read', actor: 'ADM1', scope: null, detail: { employeeNumber: 'P1' } }),
  },
  {
    name: 'completions import committed',
    run: () => {
      const form = new FormData();
      form.append('file', new Blob(['Anställningsnummer;Kurs;Status;Datum\nP1;VBE;Genomförd;2024-05-01\n'], { type: 'text/csv' }), 'lms.csv');
      return h.request('/api/imports/completions', { token: t.coordinator, method: 'POST', body: form });
    },
    status: 200,
    expect: () => ({ kind: 'import', action: 'completions', actor: 'SAM1', detail: { fileName: 'lms.csv', rowsTotal: 1, rowsAccepted: 1, rowsRejected: 0 } }),
  },
  {
    name: 'coverage exported with names',
    run: () => h.request('/api/exports/coverage.xlsx?unit=F1&requirement=R1&asOf=2024-06-01&people=1', { token: t.coordinator }),
    status: 200,
    expect: () => ({ kind: 'export.coverage', action: 'export', actor: 'SAM1', scope: 'F1', detail: { asOf: '2024-06-01', requirement: 'R1', people: true, rows: 1 } }),
  },
  {
    name: 'audit log exported',
    run: () => h.request('/api/audit.xlsx?kind=course', { token: t.auditor }),
    status: 200,
    expect: () => ({ kind: 'export', action: 'audit.xlsx', actor: 'REV1', scope: null, detail: { kind: 'course' } }),
  },
];

describe('every change and every read of personal data is audited', () => {
  it.each(AUDITED.map((a) => [a.name, a] as const))('%s', async (_name, a) => {
    const since = await lastAuditId(h, t.auditor);
    const res = await a.run();
    expect(res.status, await res.clone().text()).toBe(a.status);
    await expectAudited(h, t.auditor, a.expect(), since);
  });

  it('writes nothing for a refused change', async () => {
    const since = await lastAuditId(h, t.auditor);
    expect((await send('/api/roles', t.coordinator, 'POST', { employeeNumber: 'X', role: 'admin' })).status).toBe(403);
    expect((await send('/api/courses', t.staff, 'POST', { code: 'NO', title: 'No', kind: 'web' })).status).toBe(403);
    expect((await h.request('/api/coverage/people?unit=F2&requirement=R1', { token: t.manager })).status).toBe(403);
    expect((await auditEntries(h, t.auditor)).filter((e) => e.id > since)).toEqual([]);
  });
});

describe('GET /api/audit', () => {
  async function seedLog() {
    const rows = [
      ['2024-03-31T21:59:59.000Z', 'A1', 'course'], // 2024-03-31 23:59:59 in Stockholm (CEST)
      ['2024-03-31T22:00:00.000Z', 'A1', 'course'], // 2024-04-01 00:00 in Stockholm
      ['2024-04-15T10:00:00.000Z', 'A2', 'requirement'],
      ['2024-04-30T21:59:59.000Z', 'A1', 'role'], // 2024-04-30 23:59:59 in Stockholm
      ['2024-04-30T22:00:00.000Z', 'A2', 'course'], // 2024-05-01 in Stockholm
    ];
    for (const [at, actor, kind] of rows) await h.db.insertInto('audit_log').values({ at, actor, kind, action: 'create', scope: null, detail_json: null }).execute();
  }

  it('filters by Stockholm calendar days, actor and kind, newest first', async () => {
    await seedLog();
    const april = await h.json('/api/audit?from=2024-04-01&to=2024-04-30', t.auditor);
    expect(april.entries.map((e: any) => e.at)).toEqual(['2024-04-30T21:59:59.000Z', '2024-04-15T10:00:00.000Z', '2024-03-31T22:00:00.000Z']);
    expect(april.total).toBe(3);
    const a1Courses = await h.json('/api/audit?actor=A1&kind=course', t.admin);
    expect(a1Courses.entries.map((e: any) => e.at)).toEqual(['2024-03-31T22:00:00.000Z', '2024-03-31T21:59:59.000Z']);
  });

  it('pages', async () => {
    await seedLog();
    const p1 = await h.json('/api/audit?from=2024-01-01&to=2024-12-31&pageSize=2', t.auditor);
    const p3 = await h.json('/api/audit?from=2024-01-01&to=2024-12-31&pageSize=2&page=3', t.auditor);
    expect(p1).toMatchObject({ page: 1, pageSize: 2, total: 5, pages: 3 });
    expect(p1.entries.map((e: any) => e.at)).toEqual(['2024-04-30T22:00:00.000Z', '2024-04-30T21:59:59.000Z']);
    expect(p3.entries.map((e: any) => e.at)).toEqual(['2024-03-31T21:59:59.000Z']);
    expect((await h.request('/api/audit?pageSize=5000', { token: t.auditor })).status).toBe(400);
    expect((await h.request('/api/audit?from=igår', { token: t.auditor })).status).toBe(400);
  });

  it('is for auditors and admins only', async () => {
    for (const token of [t.staff, t.manager, t.coordinator]) {
      expect((await h.request('/api/audit', { token })).status).toBe(403);
      expect((await h.request('/api/audit.xlsx', { token })).status).toBe(403);
    }
  });

  it('exports the same filter as xlsx with every cell as text, never a formula', async () => {
    await seedLog();
    // An actor that looks like a formula (the employee number comes from a token).
    const evil = await h.token('=HYPERLINK("http://x","y")', [{ role: 'admin' }]);
    expect((await send('/api/courses', evil, 'POST', { code: 'SUM', title: '=1+1', kind: 'web' })).status).toBe(201);
    const res = await h.request('/api/audit.xlsx?kind=course', { token: t.auditor });
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="granskningslogg-\d{4}-\d{2}-\d{2}\.xlsx"$/);
    const wb = XLSX.read(new Uint8Array(await res.arrayBuffer()), { type: 'array', cellFormula: true });
    expect(wb.SheetNames).toEqual(['Logg', 'Urval']);
    const ws = wb.Sheets.Logg;
    const rows = XLSX.utils.sheet_to_json<string[]>(ws, { header: 1 });
    expect(rows[0]).toEqual(['Tidpunkt (svensk tid)', 'Tidpunkt (UTC)', 'Utförd av', 'Typ', 'Åtgärd', 'Omfattning', 'Detaljer']);
    // 2024-03-31T21:59:59Z is 23:59:59 summer time in Stockholm.
    expect(rows[1].slice(0, 2)).toEqual(['2024-03-31 23:59:59', '2024-03-31T21:59:59.000Z']);
    expect(rows.slice(1).map((r) => [r[2], r[3]])).toEqual([
      ['A1', 'course'],
      ['A1', 'course'],
      ['A2', 'course'],
      ['=HYPERLINK("http://x","y")', 'course'],
    ]);
    for (const [ref, cell] of Object.entries(ws)) {
      if (ref.startsWith('!')) continue;
      expect((cell as XLSX.CellObject).t).toBe('s');
      expect((cell as XLSX.CellObject).f).toBeUndefined();
    }
    expect(ws['!autofilter']).toBeDefined();
  });
});
