import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectAudited } from '../support/audit.ts';
import { course, load, requirement } from '../support/fixtures.ts';
import { makeHarness, type Harness } from '../support/harness.ts';
import { listPeople } from '../../server/domain/coverage.ts';
import { berordaPages, decideReminders } from '../../server/domain/reminder-decision.ts';
import { loadRequirements } from '../../server/domain/requirements.ts';

// DESIGN.md "Reminders". The world, worked by hand:
// CITY > F1 > F1-A, F1-B; CITY > F2. CHEF1 (Eva) leads F1 (Chef). P1 Ada and P2 Bo (no e-mail)
// work in F1-A, P3 Cia in both F1-A and F1-B, P5 Fia in F1-A but exempted from R1, P4 Dan in F2.
// R1 (VBE, the whole city, due 2025-03-15): beforeDue [30, 7], overdue every 14 days up to 3,
// a monthly digest. R2 (CERT, valid 12 months, F2): beforeExpiry [30]; Dan completed CERT on
// 2024-02-29, which expires on 2025-02-28 (month-end clamp), so "expiring" falls from 2025-01-29.

let h: Harness;
let t: { admin: string; coordinatorF2: string; chef: string; managerF2: string; p1: string; auditor: string };
beforeEach(async () => {
  h = await makeHarness();
  await load(h.db, {
    units: [
      ['CITY', 'Staden', null, 'stad'],
      ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
      ['F1-A', 'Avdelning A', 'F1', 'avdelning'],
      ['F1-B', 'Avdelning B', 'F1', 'avdelning'],
      ['F2', 'Förvaltning två', 'CITY', 'forvaltning'],
    ],
    people: [
      ['P1', 'Ada Andersson', 'ada@example.se'],
      ['P2', 'Bo Berg'],
      ['P3', 'Cia Ek', 'cia@example.se'],
      ['P4', 'Dan Ek', 'dan@example.se'],
      ['P5', 'Fia Falk', 'fia@example.se'],
      ['CHEF1', 'Eva Chef', 'eva@example.se'],
    ],
    employments: [
      { p: 'P1', unit: 'F1-A', from: '2020-01-01' },
      { p: 'P2', unit: 'F1-A', from: '2020-01-01' },
      { p: 'P3', unit: 'F1-A', from: '2020-01-01' },
      { p: 'P3', unit: 'F1-B', from: '2020-01-01' },
      { p: 'P4', unit: 'F2', from: '2020-01-01' },
      { p: 'P5', unit: 'F1-A', from: '2020-01-01' },
      { p: 'CHEF1', unit: 'F1', from: '2020-01-01', manager: true },
    ],
    courses: [course('VBE', { title: 'Våld i nära relationer', url: 'https://lar.example.se/vbe' }), course('CERT', { validityMonths: 12 })],
    requirements: [
      requirement({
        code: 'R1',
        title: 'Grundutbildning VBE',
        courses: ['VBE'],
        scope: ['CITY'],
        dueDate: '2025-03-15',
        source: 'Stadsrevisionen rek. 1, dnr 3.1.3-91/2019',
        reminders: { beforeDue: [30, 7], overdueEvery: 14, overdueMax: 3, managerDigest: 'monthly' },
      }),
      requirement({ code: 'R2', courses: ['CERT'], scope: ['F2'], dueDate: '2024-06-30', reminders: { beforeExpiry: [30] } }),
      requirement({ code: 'R3', courses: ['VBE'], scope: ['CITY'], dueDate: '2025-03-15' }), // no reminders: no messages
    ],
    completions: [{ p: 'P4', course: 'CERT', status: 'completed', at: '2024-02-29T10:00:00' }],
  });
  const ids = async (table: 'person' | 'requirement', col: 'employee_number' | 'code', v: string) =>
    (await h.db.selectFrom(table).select('id').where(col as never, '=', v as never).executeTakeFirstOrThrow()).id;
  await h.db
    .insertInto('exemption')
    .values({ person_id: await ids('person', 'employee_number', 'P5'), requirement_id: await ids('requirement', 'code', 'R1'), from_date: '2025-01-01', to_date: null, reason: 'Föräldraledig', created_by: 'test', created_at: '2025-01-01T00:00:00Z' })
    .execute();
  t = {
    admin: await h.token('ADM1', [{ role: 'admin' }]),
    coordinatorF2: await h.token('SAM2', [{ role: 'coordinator', unit: 'F2' }]),
    chef: await h.token('CHEF1'), // manager of F1 by the roster's Chef column
    managerF2: await h.token('CHEF2', [{ role: 'manager', unit: 'F2' }]),
    p1: await h.token('P1'),
    auditor: await h.token('REV1', [{ role: 'auditor' }]),
  };
});
afterEach(() => h.close());

const post = (path: string, token: string, body?: unknown) =>
  h.request(path, { token, method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const run = async (asOf: string, dryRun = false) => {
  const res = await post(`/api/reminders/run?asOf=${asOf}&dryRun=${dryRun ? 1 : 0}`, t.admin);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
};
const lines = (answer: { messages: any[] }) => answer.messages.map((m) => `${m.kind} ${m.employeeNumber} ${m.requirement} ${m.dueDate ?? '-'} ${m.to}`).sort();
const outboxCount = async () => (await h.db.selectFrom('reminder_outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

describe('the decision a page of persons at a time', () => {
  it('reads the people list in id pages that add up to the whole list, each person once, and decides the same messages from pages of two as from one page', async () => {
    const [r1] = await loadRequirements(h.db, ['R1']);
    const whole = await listPeople(h.db, r1, { unit: 'CITY' }, '2025-02-13');
    const pages: number[][] = [];
    for await (const page of berordaPages(h.db, r1, '2025-02-13', ['CITY'], 2)) pages.push(page.map((p) => p.personId));
    expect(pages.length).toBeGreaterThan(2);
    // The exempted are not berörda on the day (rule 2): left out of the pages, by that rule only.
    const berorda = whole.filter((p) => p.status !== 'exempt').map((p) => p.personId);
    expect(pages.flat().sort((a, b) => a - b)).toEqual(berorda.sort((a, b) => a - b));
    expect(whole).toHaveLength(6); // P1, P2, P3, P4 (R1 is the city's), P5 (exempted), CHEF1
    expect(berorda).toHaveLength(5);

    const decided = async (pageSize?: number) => {
      const keys: string[] = [];
      const digests: string[] = [];
      await decideReminders(h.db, await loadRequirements(h.db), '2025-02-13', async (batch) => {
        for (const m of batch) {
          keys.push(`${m.key} ${m.to}`);
          if (m.lines) digests.push(m.lines.map((l) => l.employeeNumber).join(','));
        }
      }, pageSize);
      return { keys: keys.sort(), digests };
    };
    const one = await decided();
    expect(await decided(2)).toEqual(one);
    expect(one.digests).toEqual(['P1,P2,P3']); // Ada, Bo, Cia by due date then name; never Eva herself
    expect(one.keys).toHaveLength(7); // the six of the run below and Bo's due_soon, without an address
  });

  it('writes each digest line with the person\'s number, name and unit, the requirement and the due date, from pages of any size', async () => {
    const digestOf = async (pageSize?: number) => {
      const out: unknown[] = [];
      await decideReminders(h.db, await loadRequirements(h.db), '2025-02-13', async (batch) => {
        for (const m of batch) if (m.kind === 'digest') out.push({ to: m.employeeNumber, lines: m.lines });
      }, pageSize);
      return out;
    };
    const line = (employeeNumber: string, name: string) => ({
      employeeNumber,
      name,
      unitName: 'Avdelning A', // Cia's first unit of two, by code
      requirement: 'R1',
      requirementTitle: 'Grundutbildning VBE',
      dueDate: '2025-03-15',
      overdue: false,
    });
    const expected = [{ to: 'CHEF1', lines: [line('P1', 'Ada Andersson'), line('P2', 'Bo Berg'), line('P3', 'Cia Ek')] }];
    expect(await digestOf()).toEqual(expected);
    expect(await digestOf(1)).toEqual(expected);
  });

  it('gives a person under two roots of the tree once, whichever page their ids fall in', async () => {
    // A second root, STAD2, in R4's scope beside CITY; Cia (P3) is employed under both roots.
    await load(h.db, {
      units: [['STAD2', 'Stad två', null, 'stad']],
      employments: [{ p: 'P3', unit: 'STAD2', from: '2020-01-01' }],
      requirements: [requirement({ code: 'R4', courses: ['VBE'], scope: ['CITY', 'STAD2'], dueDate: '2025-03-15', reminders: { beforeDue: [30] } })],
    });
    for (const pageSize of [undefined, 1, 2]) {
      const keys: string[] = [];
      await decideReminders(h.db, await loadRequirements(h.db, ['R4']), '2025-02-13', async (batch) => {
        for (const m of batch) keys.push(m.key);
      }, pageSize);
      // P1, P2, P3 once, P4, CHEF1 (the whole CITY and STAD2; P5 is exempted from R1, not R4)
      expect(keys.sort()).toEqual(['CHEF1', 'P1', 'P2', 'P3', 'P4', 'P5'].map((p) => `due_soon|${p}|R4|2025-03-15|30`));
    }
  });
});

describe('POST /api/reminders/run', () => {
  it('decides nothing before the first offset', async () => {
    const a = await run('2025-01-28');
    expect(a).toMatchObject({ messages: [], sent: 0, failed: 0, withoutEmail: 0 });
  });

  it('30 days before the due date: due_soon to each berörd person with an address, once for a person in two units; the exempted and the address-less not sent; the digest names the manager\'s staff, never the manager', async () => {
    const expected = [
      'digest CHEF1 R1 - eva@example.se',
      'due_soon CHEF1 R1 2025-03-15 eva@example.se',
      'due_soon P1 R1 2025-03-15 ada@example.se',
      'due_soon P3 R1 2025-03-15 cia@example.se',
      'due_soon P4 R1 2025-03-15 dan@example.se',
      'expiring P4 R2 2025-02-28 dan@example.se',
    ];
    const dry = await run('2025-02-13', true);
    expect(lines(dry)).toEqual(expected);
    expect(dry.withoutEmail).toBe(1); // Bo
    expect(await outboxCount()).toBe(0); // a dry run keeps nothing

    const real = await run('2025-02-13');
    expect(lines(real)).toEqual(expected);
    expect(real).toMatchObject({ withoutEmail: 1, sent: 0, failed: 0 }); // no mail configured: kept
    expect(await outboxCount()).toBe(6);

    const digest = await h.db.selectFrom('reminder_outbox').selectAll().where('kind', '=', 'digest').executeTakeFirstOrThrow();
    expect(digest.key).toBe('digest|CHEF1|2025-02');
    for (const name of ['Ada Andersson', 'Bo Berg', 'Cia Ek']) expect(digest.body_text).toContain(name);
    for (const name of ['Eva Chef (', 'Dan Ek', 'Fia Falk']) expect(digest.body_text).not.toContain(name);
    expect(digest.status).toBe('pending');
    await expectAudited(h, t.admin, { kind: 'export.people', action: 'reminder.digest', actor: 'ADM1', scope: 'CHEF1', detail: { requirements: ['R1'], asOf: '2025-02-13', rows: 3 } });

    // A staff message names only its addressee, in Swedish first, with the course and the source.
    const ada = await h.db.selectFrom('reminder_outbox').selectAll().where('key', '=', 'due_soon|P1|R1|2025-03-15|30').executeTakeFirstOrThrow();
    if (ada.body_text === null) throw new Error('the body is kept until the retention time');
    expect(ada.body_text).toContain('15 mars 2025');
    expect(ada.body_text.indexOf('Hej Ada Andersson')).toBeLessThan(ada.body_text.indexOf('Hello Ada Andersson'));
    expect(ada.body_text).toContain('Våld i nära relationer: https://lar.example.se/vbe');
    expect(ada.body_text).toContain('Stadsrevisionen rek. 1, dnr 3.1.3-91/2019');
    expect(ada.body_html).toContain('<a href="https://lar.example.se/vbe">Våld i nära relationer</a>');
    for (const other of ['Bo Berg', 'Cia Ek', 'Eva Chef', 'Dan Ek']) expect(ada.body_text).not.toContain(other);

    // The expiry message says the last valid day, the day before the month-end expiry.
    const dan = await h.db.selectFrom('reminder_outbox').selectAll().where('key', '=', 'expiring|P4|R2|2025-02-28|30').executeTakeFirstOrThrow();
    expect(dan.body_text).toContain('27 februari 2025');
  });

  it('a second run the same day, or a later day with nothing new, decides nothing', async () => {
    await run('2025-02-13');
    expect(lines(await run('2025-02-13'))).toEqual([]);
    expect(lines(await run('2025-02-20'))).toEqual([]); // the 30-day ones are sent; February's digest too
    expect(await outboxCount()).toBe(6);
  });

  it('catches up after missed days with the latest message only, never a burst', async () => {
    // First run ever on 2025-03-10: the 30-day reminders were missed and are not sent; the
    // expiry lies behind (Dan's CERT expired on 2025-02-28; R2 has no overdue reminders).
    expect(lines(await run('2025-03-10'))).toEqual([
      'digest CHEF1 R1 - eva@example.se',
      'due_soon CHEF1 R1 2025-03-15 eva@example.se',
      'due_soon P1 R1 2025-03-15 ada@example.se',
      'due_soon P3 R1 2025-03-15 cia@example.se',
      'due_soon P4 R1 2025-03-15 dan@example.se',
    ]);
    expect(lines(await run('2025-03-15'))).toEqual([]); // the due day: still the 7-day reminder
    const firstOverdue = await run('2025-03-16');
    expect(lines(firstOverdue)).toEqual(['CHEF1', 'P1', 'P3', 'P4'].map((p) => `overdue ${p} R1 2025-03-15 ${{ CHEF1: 'eva', P1: 'ada', P3: 'cia', P4: 'dan' }[p]}@example.se`));
    expect((await h.db.selectFrom('reminder_outbox').select('key').where('kind', '=', 'overdue').orderBy('key').execute()).map((r) => r.key)[0]).toBe('overdue|CHEF1|R1|2025-03-15|1');
    // Missed until 2025-04-20: the 2nd (03-30) and 3rd (04-13) have fallen; only the 3rd goes.
    const later = await run('2025-04-20');
    expect(lines(later)).toEqual([
      'digest CHEF1 R1 - eva@example.se', // April's
      'overdue CHEF1 R1 2025-03-15 eva@example.se',
      'overdue P1 R1 2025-03-15 ada@example.se',
      'overdue P3 R1 2025-03-15 cia@example.se',
      'overdue P4 R1 2025-03-15 dan@example.se',
    ]);
    expect(await h.db.selectFrom('reminder_outbox').select('key').where('key', '=', 'overdue|P1|R1|2025-03-15|3').executeTakeFirst()).toBeTruthy();
    expect(await h.db.selectFrom('reminder_outbox').select('key').where('key', '=', 'overdue|P1|R1|2025-03-15|2').executeTakeFirst()).toBeUndefined();
    // overdueMax reached: May brings the month's digest only.
    expect(lines(await run('2025-05-20'))).toEqual(['digest CHEF1 R1 - eva@example.se']);
  });

  it('a person who completes is no longer reminded, and leaves the digest', async () => {
    await h.db
      .insertInto('completion')
      .values({ person_id: (await h.db.selectFrom('person').select('id').where('employee_number', '=', 'P1').executeTakeFirstOrThrow()).id, course_id: (await h.db.selectFrom('course').select('id').where('code', '=', 'VBE').executeTakeFirstOrThrow()).id, status: 'completed', occurred_at: '2025-03-01T09:00:00', source: 'manual', source_ref: null, recorded_by: 'test', recorded_at: '2025-03-01T09:00:00Z', import_batch_id: null, expires_on: null, annulled_at: null, annulled_by: null, annul_reason: null })
      .execute();
    const a = await run('2025-03-10');
    expect(lines(a).filter((l) => l.includes(' P1 '))).toEqual([]);
    const digest = await h.db.selectFrom('reminder_outbox').select('body_text').where('kind', '=', 'digest').executeTakeFirstOrThrow();
    expect(digest.body_text).not.toContain('Ada Andersson');
    expect(digest.body_text).toContain('Cia Ek');
  });

  it('decides for one requirement when asked (the schedule\'s preview)', async () => {
    const only = await (await post('/api/reminders/run?asOf=2025-02-13&dryRun=1&requirement=R2', t.admin)).json();
    expect(lines(only)).toEqual(['expiring P4 R2 2025-02-28 dan@example.se']);
    expect((await post('/api/reminders/run?asOf=2025-02-13&dryRun=1&requirement=NOPE', t.admin)).status).toBe(404);
  });

  it('is for admins only, and checks its date', async () => {
    for (const token of [t.chef, t.coordinatorF2, t.auditor, t.p1]) expect((await post('/api/reminders/run?asOf=2025-02-13', token)).status).toBe(403);
    const bad = await post('/api/reminders/run?asOf=2025-02-30', t.admin);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('the reminder schedule on a requirement', () => {
  it('is read back by GET /api/requirements and validated on write', async () => {
    const list = await h.json('/api/requirements', t.admin);
    const r1 = list.requirements.find((r: any) => r.code === 'R1');
    expect(r1.reminders).toEqual({ beforeDue: [30, 7], overdueEvery: 14, overdueMax: 3, managerDigest: 'monthly' });
    const res = await h.request('/api/requirements/R3', {
      token: t.admin,
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'R3', title: 'R3', courses: ['VBE'], scope: ['CITY'], effectiveFrom: '2000-01-01', source: 'test', reminders: { overdueMax: 3 } }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('is kept by a PUT that leaves it out, and removed by reminders: null', async () => {
    const put = (body: Record<string, unknown>) =>
      h.request('/api/requirements/R1', {
        token: t.admin,
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'R1', title: 'Nytt namn', courses: ['VBE'], scope: ['CITY'], effectiveFrom: '2000-01-01', dueDate: '2025-03-15', source: 'test', ...body }),
      });
    const r1 = async () => ((await h.json('/api/requirements', t.admin)).requirements as any[]).find((r) => r.code === 'R1');
    expect((await put({})).status).toBe(200);
    expect(await r1()).toMatchObject({ title: 'Nytt namn', reminders: { beforeDue: [30, 7], overdueEvery: 14, overdueMax: 3, managerDigest: 'monthly' } });
    expect((await put({ reminders: null })).status).toBe(200);
    expect((await r1()).reminders).toBeNull();
    expect(lines(await run('2025-02-13', true)).filter((l) => l.includes(' R1 '))).toEqual([]);
  });
});

describe('POST /api/reminders/nudge', () => {
  it('reminds each person of the unit not genomförd once a week, and says how many', async () => {
    // Today R1 is long overdue for everyone: in F1, Ada, Cia and Eva (with addresses) and Bo
    // (none); Fia is exempted.
    const res = await post('/api/reminders/nudge', t.chef, { unit: 'F1', requirement: 'R1' });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ unit: 'F1', requirement: 'R1', notCompleted: 4, reminded: 3, withoutEmail: 1, alreadyThisWeek: 0, lastRemindedAt: null });
    await expectAudited(h, t.admin, { kind: 'reminder', action: 'nudge', actor: 'CHEF1', scope: 'F1', detail: { requirement: 'R1', reminded: 3 } });
    const again = await (await post('/api/reminders/nudge', t.chef, { unit: 'F1', requirement: 'R1' })).json();
    expect(again).toMatchObject({ reminded: 0, alreadyThisWeek: 3, withoutEmail: 1 });
    expect(typeof again.lastRemindedAt).toBe('string');
    const keys = (await h.db.selectFrom('reminder_outbox').select('employee_number').where('kind', '=', 'nudge').orderBy('employee_number').execute()).map((r) => r.employee_number);
    expect(keys).toEqual(['CHEF1', 'P1', 'P3']);
  });

  it('only within the caller\'s scope, for managers and coordinators', async () => {
    expect((await post('/api/reminders/nudge', t.managerF2, { unit: 'F1', requirement: 'R1' })).status).toBe(403);
    expect((await post('/api/reminders/nudge', t.p1, { unit: 'F1-A', requirement: 'R1' })).status).toBe(403);
    expect((await post('/api/reminders/nudge', t.auditor, { unit: 'F1-A', requirement: 'R1' })).status).toBe(403);
    const ok = await (await post('/api/reminders/nudge', t.coordinatorF2, { unit: 'F2', requirement: 'R1' })).json();
    expect(ok).toMatchObject({ reminded: 1 }); // Dan
    expect((await post('/api/reminders/nudge', t.admin, { unit: 'F1', requirement: 'NOPE' })).status).toBe(404);
    expect((await post('/api/reminders/nudge', t.admin, { unit: 'F1' })).status).toBe(400);
  });
});

describe('GET /api/reminders/outbox', () => {
  it('lists the outbox for admins, only their scope\'s staff for coordinators, by status and dates', async () => {
    await run('2025-02-13');
    await run('2025-03-16'); // four overdue, and March's digest
    const all = await h.json('/api/reminders/outbox', t.admin);
    expect(all.messages).toHaveLength(11);
    expect(all.messages[0]).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    expect((await h.json('/api/reminders/outbox?from=2025-03-01&to=2025-03-31', t.admin)).messages).toHaveLength(5);
    expect((await h.json('/api/reminders/outbox?status=sent', t.admin)).messages).toHaveLength(0);
    const f2 = await h.json('/api/reminders/outbox', t.coordinatorF2);
    expect(f2.messages.map((m: any) => `${m.kind} ${m.employeeNumber}`).sort()).toEqual(['due_soon P4', 'expiring P4', 'overdue P4']);
    // The limit counts the coordinator's own messages, not the outbox's newest (of which the two
    // newest are to others): newest first, the March overdue one, then one from February.
    const two = (await h.json('/api/reminders/outbox?limit=2', t.coordinatorF2)).messages;
    expect(two.map((m: any) => `${m.kind} ${m.employeeNumber}`)).toEqual(['overdue P4', expect.stringMatching(/^(due_soon|expiring) P4$/)]);
    expect((await h.json('/api/reminders/outbox?limit=2', t.admin)).messages.map((m: any) => m.id)).toEqual(all.messages.slice(0, 2).map((m: any) => m.id));
    expect((await h.request('/api/reminders/outbox', { token: t.chef })).status).toBe(403);
    expect((await h.request('/api/reminders/outbox?status=lost', { token: t.admin })).status).toBe(400);
  });
});
