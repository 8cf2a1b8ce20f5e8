import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DomainError } from '../../server/domain/errors.ts';
import { publishReport, PUBLISH_ATTEMPTS } from '../../server/domain/reports.ts';
import { problemFor, STATUS } from '../../server/http/problem.ts';
import { expectAudited } from '../support/audit.ts';
import { load, REPORT_WORLD } from '../support/fixtures.ts';
import { makeHarness, type Harness } from '../support/harness.ts';

// Publishing reads a report's figures, then its people, by separate statements (no read snapshot
// spans them on D1). A write landing between the two would freeze people who do not add up to
// the figures beside them; publishing tallies the people, compares, and reads again. Here the
// write (a record by hand, through the API) is made to land there.
//
// The world (as reports.test.ts): F1 with avdelningar A (P1, P2) and B (P3, P4), F2 (P5). R1 (VBE,
// whole city) from 2023-03-01, due 2024-06-30, target 75 %. P1 completed 2024-02-10, P2 started
// 2024-03-01, P3 completed 2023-05-05, P4 nothing. The report: F1 on 2024-08-31.

let h: Harness;
let coordinator: string;
let admin: string;
beforeEach(async () => {
  h = await makeHarness();
  await load(h.db, REPORT_WORLD);
  coordinator = await h.token('SAM1', [{ role: 'coordinator', unit: 'F1' }]);
  admin = await h.token('ADM1', [{ role: 'admin' }]);
});
afterEach(() => h.close());

const T2 = { title: 'Tertialrapport 2 2024', unit: 'F1', requirements: ['R1'], asOf: '2024-08-31', analysis: null };
const deps = () => ({ db: h.db, atomic: h.atomic });
/** A seminar recorded by hand through the API: the write that lands in the gap. */
const record = async (status: 'completed' | 'started', occurredAt: string, who: string) => {
  const res = await h.request('/api/records', { token: coordinator, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ course: 'VBE', status, occurredAt, employeeNumbers: [who] }) });
  expect(res.status, await res.clone().text()).toBe(201);
};

/** The frozen people of a report counted here, by status, beside its frozen total. */
async function frozen(id: number) {
  const people = await h.db.selectFrom('report_person').select(['employee_number', 'status', 'overdue']).where('report_id', '=', id).orderBy('employee_number').execute();
  const total = await h.db
    .selectFrom('report_figure')
    .select(['population', 'completed', 'started', 'not_started', 'overdue', 'reached', 'gap', 'exempt'])
    .where('report_id', '=', id)
    .where('position', '=', 0)
    .executeTakeFirstOrThrow();
  const of = (s: string) => people.filter((p) => p.status === s).length;
  const counted = {
    population: people.length - of('exempt'),
    completed: of('completed'),
    started: of('started'),
    not_started: of('not_started'),
    overdue: people.filter((p) => p.overdue === 1).length,
    reached: of('completed') + of('started'),
    // Rule 6: ceil(0.75 × population) − completed, never below 0.
    gap: Math.max(0, Math.ceil(0.75 * (people.length - of('exempt'))) - of('completed')),
    exempt: of('exempt'),
  };
  return { people: people.map((p) => `${p.employee_number} ${p.status}${p.overdue ? ' försenad' : ''}`), total, counted };
}

it('freezes people who add up to the frozen figures when nothing lands in between (worked by hand)', async () => {
  const r = await publishReport(deps(), T2, 'SAM1', '2026-01-01');
  const x = await frozen(r.id);
  // P2 (started) and P4 (nothing) are not genomförda past the due date 2024-06-30: försenade.
  expect(x.people).toEqual(['P1 completed', 'P2 started försenad', 'P3 completed', 'P4 not_started försenad']);
  // population 4, completed 2, started 1, not started 1, overdue 2, reached 3, gap ceil(3) − 2 = 1.
  expect(x.total).toEqual({ population: 4, completed: 2, started: 1, not_started: 1, overdue: 2, reached: 3, gap: 1, exempt: 0 });
  expect(x.counted).toEqual(x.total);
});

it('reads again when a record by hand lands between the figures and the people, and freezes what agrees', async () => {
  let calls = 0;
  const r = await publishReport(deps(), T2, 'SAM1', '2026-01-01', {
    betweenReads: async () => {
      // The first time only: P4 completes the course on 2024-05-01, before the due date.
      if (++calls === 1) await record('completed', '2024-05-01', 'P4');
    },
  });
  const x = await frozen(r.id);
  // The frozen people add up to the frozen figures of the same report.
  expect(x.counted).toEqual(x.total);
  // The write landed once: read twice.
  expect(calls).toBe(2);
  expect(x.people).toEqual(['P1 completed', 'P2 started försenad', 'P3 completed', 'P4 completed']);
  // With P4 genomförd: population 4, completed 3, started 1, overdue 1 (P2), gap ceil(3) − 3 = 0.
  expect(x.total).toEqual({ population: 4, completed: 3, started: 1, not_started: 0, overdue: 1, reached: 4, gap: 0, exempt: 0 });
  expect(r.figures[0].total).toMatchObject({ population: 4, completed: 3, started: 1, overdue: 1, gap: 0 });
  await expectAudited(h, admin, { kind: 'report', action: 'publish', actor: 'SAM1', scope: 'F1', detail: { report: r.id, people: 4 } });
});

it(`refuses (409, nothing written) when the figures change in every one of ${PUBLISH_ATTEMPTS} attempts, and publishes when tried again`, async () => {
  const writes = [
    () => record('completed', '2024-05-01', 'P4'),
    () => record('completed', '2024-05-02', 'P2'),
    // Every record moved past the date: nobody is genomförd or påbörjad on it any more.
    async () => void (await sql`UPDATE completion SET occurred_at = '2999-01-01'`.execute(h.db)),
  ];
  let calls = 0;
  const err = await publishReport(deps(), T2, 'SAM1', '2026-01-01', { betweenReads: () => writes[calls++]() }).catch((e: unknown) => e);
  expect(calls).toBe(PUBLISH_ATTEMPTS);
  expect(err).toBeInstanceOf(DomainError);
  expect(err).toMatchObject({ kind: 'conflict', key: 'report.figuresChanged' });
  const e = err as DomainError;
  // As the API answers it (`onError`): a problem+json 409 in Swedish and English.
  expect(STATUS[e.kind]).toBe(409);
  expect(problemFor('sv', 409, e.key, e.params).detail).toBe(
    'Siffrorna ändrades medan rapporten togs fram (till exempel av en import eller en registrering som sparades samtidigt), så personerna stämde inte med siffrorna efter 3 försök. Ingenting har publicerats. Försök igen om en stund.',
  );
  expect(problemFor('en', 409, e.key, e.params).detail).toContain('The figures changed while the report was being made');
  expect(await h.db.selectFrom('report').select('id').execute()).toEqual([]);
  for (const table of ['report_requirement', 'report_figure', 'report_trend', 'report_person'] as const) {
    expect(await h.db.selectFrom(table).select('report_id').execute(), table).toEqual([]);
  }
  expect(await h.db.selectFrom('audit_log').select('id').where('kind', '=', 'report').execute()).toEqual([]);

  // Tried again with nothing in between: every record is now after the date, so all four are
  // not started and försenade: population 4, completed 0, overdue 4, gap ceil(3) − 0 = 3.
  const res = await h.request('/api/reports', { token: coordinator, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(T2) });
  expect(res.status, await res.clone().text()).toBe(201);
  const x = await frozen((await res.json()).id);
  expect(x.total).toEqual({ population: 4, completed: 0, started: 0, not_started: 4, overdue: 4, reached: 0, gap: 3, exempt: 0 });
  expect(x.counted).toEqual(x.total);
});
