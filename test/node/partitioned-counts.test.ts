import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setReadRunner } from '../../server/db/read-runner.ts';
import { ReadPool } from '../../server/db/read-pool.ts';
import { course, load, requirement, type Fixture } from '../support/fixtures.ts';
import { makeHarness, type NodeHarness } from '../support/harness.ts';

// Counts split by person over two read threads (KK_READ_THREADS=2) must give every figure the
// whole statement gives, and my-training, whose statements go to a thread as one batch, the
// answer the main connection gives. Figures worked out by hand from the fixture; person ids 1–6
// in the order listed. The city is split by id range (P1–P2 | P3–P6), a smaller unit by odd and
// even ids.

const FIXTURE: Fixture = {
  units: [
    ['CITY', 'Staden', null, 'stad'],
    ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
    ['F1-A', 'Avdelning A', 'F1', 'avdelning'],
    ['F1-B', 'Avdelning B', 'F1', 'avdelning'],
    ['F2', 'Förvaltning två', 'CITY', 'forvaltning'],
  ],
  people: [['P1', 'Ada'], ['P2', 'Bo'], ['P3', 'Cy'], ['P4', 'Di'], ['P5', 'Ed'], ['P6', 'Fa']],
  employments: [
    { p: 'P1', unit: 'F1-A', from: '2020-01-01' },
    { p: 'P1', unit: 'F1-B', from: '2020-01-01' },
    { p: 'P2', unit: 'F1-A', from: '2020-01-01' },
    { p: 'P3', unit: 'F2', from: '2020-01-01' },
    { p: 'P4', unit: 'F1-B', from: '2020-01-01' },
    { p: 'P4', unit: 'F2', from: '2020-01-01' },
    { p: 'P5', unit: 'CITY', from: '2020-01-01' },
    { p: 'P6', unit: 'F2', from: '2024-01-01' },
  ],
  courses: [course('C'), course('D', { validityMonths: 12 })],
  requirements: [
    requirement({ code: 'R', courses: ['C'], scope: ['CITY'], graceDays: 60 }),
    requirement({ code: 'R2', courses: ['D'], scope: ['F2'] }),
  ],
  completions: [
    { p: 'P1', course: 'C', status: 'completed', at: '2021-01-01' },
    { p: 'P2', course: 'C', status: 'started', at: '2022-01-01' },
    { p: 'P3', course: 'C', status: 'completed', at: '2020-05-01' },
    { p: 'P3', course: 'C', status: 'started', at: '2023-01-01' },
    { p: 'P5', course: 'C', status: 'completed', at: '2023-07-15' },
    { p: 'P4', course: 'D', status: 'completed', at: '2023-01-31' },
  ],
};

let threads: NodeHarness;
let whole: NodeHarness;
beforeEach(async () => {
  threads = await makeHarness({ KK_READ_THREADS: '2' });
  whole = await makeHarness();
  for (const h of [threads, whole]) await load(h.db, FIXTURE);
});
afterEach(async () => {
  await threads.close();
  await whole.close();
});

async function cov(h: NodeHarness, unit: string, asOf = '2023-06-30') {
  return h.json<any>(`/api/coverage?unit=${unit}&requirement=R&asOf=${asOf}`, await h.token('ADMIN', [{ role: 'admin' }]));
}
const child = (a: any, code: string) => a.children.find((c: any) => c.unit.code === code);

describe('counts split over read threads', () => {
  it('counts the city (a root, read in person order) as the whole statement does', async () => {
    const a = await cov(threads, 'CITY');
    // P1–P5 employed on the day (P6 starts 2024). Completed: P1, P3 (a later start does not undo a
    // course that never expires). Started: P2. Due 60 days after 2020-01-01: P2, P4, P5 overdue.
    expect(a.total).toMatchObject({ population: 5, completed: 2, started: 1, notStarted: 2, overdue: 3 });
    // P4 is under both förvaltningar: once in each, once in the city. P5 works at the city itself.
    expect(child(a, 'F1')).toMatchObject({ population: 3, completed: 1, started: 1, overdue: 2 });
    expect(child(a, 'F2')).toMatchObject({ population: 2, completed: 1, started: 0, overdue: 1 });
    expect(a).toEqual(await cov(whole, 'CITY'));
  });

  it('counts a förvaltning (read unit by unit) as the whole statement does', async () => {
    const a = await cov(threads, 'F1');
    expect(a.total).toMatchObject({ population: 3, completed: 1, started: 1, overdue: 2 });
    // P1 (odd) is under both avdelningar; P2 and P4 (even) are counted by the other thread.
    expect(child(a, 'F1-A')).toMatchObject({ population: 2, completed: 1, started: 1, overdue: 1 });
    expect(child(a, 'F1-B')).toMatchObject({ population: 2, completed: 1, started: 0, overdue: 1 });
    expect(a).toEqual(await cov(whole, 'F1'));
  });

  it('gives the trend the whole statement gives', async () => {
    const path = '/api/coverage/trend?unit=CITY&requirement=R&from=2023-01-01&to=2023-08-31&interval=tertial';
    const t = await threads.json<any>(path, await threads.token('ADMIN', [{ role: 'admin' }]));
    // P5's completion of 2023-07-15 counts from the second point on.
    expect(t.points.map((p: any) => [p.asOf, p.population, p.completed])).toEqual([
      ['2023-04-30', 5, 2],
      ['2023-08-31', 5, 3],
    ]);
    expect(t).toEqual(await whole.json<any>(path, await whole.token('ADMIN', [{ role: 'admin' }])));
  });

  it('answers my-training from one batch on a thread as the main connection does', async () => {
    const mine = async (h: NodeHarness, p: string) =>
      (await h.json<any>('/api/me/training?asOf=2023-06-30', await h.token(p))).requirements.map((r: any) => [
        r.requirement.code,
        r.course.code,
        r.status,
        r.dueDate,
        r.overdue,
        r.occurredAt,
        r.validUntil,
      ]);
    // P4 is under F1-B and F2, so both requirements reach them: R not begun, due 60 days after
    // 2020-01-01 (a leap year); R2's course done 2023-01-31 expires 2024-01-31, valid the day before.
    expect(await mine(threads, 'P4')).toEqual([
      ['R', 'C', 'not_started', '2020-03-01', true, null, null],
      ['R2', 'D', 'completed', null, false, '2023-01-31', '2024-01-30'],
    ]);
    // P3: a start after a completion that never expires leaves it completed; nothing done for R2.
    expect(await mine(threads, 'P3')).toEqual([
      ['R', 'C', 'completed', '2020-03-01', false, '2020-05-01', null],
      ['R2', 'D', 'not_started', null, false, null, null],
    ]);
    // P2 is outside F2: R alone.
    expect(await mine(threads, 'P2')).toEqual([['R', 'C', 'started', '2020-03-01', true, '2022-01-01', null]]);
    for (const p of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6']) expect(await mine(threads, p)).toEqual(await mine(whole, p));
  });

  it('counts on the main connection once a read thread has failed, rather than waiting for it', async () => {
    // Threads that cannot open their database fail at once.
    const pool = new ReadPool(join(tmpdir(), 'kk-no-such-folder', 'none.db'), 2);
    await vi.waitFor(() => expect(pool.partitions).toBe(1), { timeout: 5000 });
    await expect(pool.all([CompiledQuery.raw('SELECT 1', [])])).rejects.toThrow();
    setReadRunner(whole.db, pool);
    const a = await cov(whole, 'CITY');
    expect(a.total).toMatchObject({ population: 5, completed: 2, started: 1, overdue: 3 });
    await expect(pool.batch([CompiledQuery.raw('SELECT 1', [])])).rejects.toThrow();
    const p2 = await whole.json<any>('/api/me/training?asOf=2023-06-30', await whole.token('P2'));
    expect(p2.requirements.map((r: any) => r.status)).toEqual(['started']);
    await pool.close();
  });
});
