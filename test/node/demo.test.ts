import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDemo } from '../../server/demo/seed.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';

// The demo city must show the product off: the merger, the programme, units far below target.

let h: Harness;
let admin: string;
beforeEach(async () => {
  h = await nodeHarness();
  admin = await h.token('A', [{ role: 'admin' }]);
  expect(await seedDemo(h.db)).toBe(true);
});
afterEach(() => h.close());

describe('demo city', () => {
  it('seeds once, deterministically', async () => {
    expect(await seedDemo(h.db)).toBe(false);
    const count = async (t: 'person' | 'employment' | 'completion') =>
      Number((await h.db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const first = { people: await count('person'), employments: await count('employment'), completions: await count('completion') };
    expect(first.people).toBeGreaterThanOrEqual(2000);
    const other = await nodeHarness();
    await seedDemo(other.db);
    const again = async (t: 'person' | 'employment' | 'completion') =>
      Number((await other.db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect({ people: await again('person'), employments: await again('employment'), completions: await again('completion') }).toEqual(first);
    const a = await h.json('/api/coverage?unit=STHLM&requirement=VBE-ALLA&asOf=2024-12-31', admin);
    const b = await other.json('/api/coverage?unit=STHLM&requirement=VBE-ALLA&asOf=2024-12-31', await other.token('A', [{ role: 'admin' }]));
    expect(b).toEqual(a);
    await other.close();
  });

  it('shows the 2020 merger of Hägersten-Liljeholmen and Älvsjö', async () => {
    const before = await h.json('/api/coverage?unit=STHLM&requirement=VBE-ALLA&asOf=2019-12-31', admin);
    const after = await h.json('/api/coverage?unit=STHLM&requirement=VBE-ALLA&asOf=2024-04-25', admin);
    const codes = (x: any) => x.children.map((c: any) => c.unit.code).sort();
    expect(codes(before)).toEqual(['ALV', 'HL', 'HV', 'SKH', 'SOF']);
    expect(codes(after)).toEqual(['HAV', 'HV', 'SKH', 'SOF']);
    const names = async (unit: string, asOf: string) =>
      new Set((await h.json(`/api/coverage/people?unit=${unit}&requirement=VBE-ALLA&asOf=${asOf}`, admin)).people.map((p: any) => p.employeeNumber));
    const old = new Set([...(await names('HL', '2019-12-31')), ...(await names('ALV', '2019-12-31'))]);
    const merged = await names('HAV', '2020-01-01');
    // The staff carry on in the merged förvaltning (all but the old chefs and those who left that day).
    const carried = [...old].filter((p) => merged.has(p)).length;
    expect(carried).toBeGreaterThan(0.9 * old.size);
    expect((await h.request('/api/coverage?unit=HAV&requirement=VBE-ALLA&asOf=2019-12-31', { token: admin })).status).toBe(404);
  });

  it('has units far below target and the fördjupning for socialtjänsten only', async () => {
    const city = await h.json('/api/coverage?unit=SKH-AO&requirement=VBE-ALLA&asOf=2025-06-30', admin);
    const lagging = city.children.find((c: any) => c.unit.code === 'SKH-AO-HT');
    expect(lagging.rate).toBeLessThan(0.4);
    expect(lagging.gap).toBeGreaterThan(0);
    const fordj = await h.json('/api/coverage?unit=HAV&requirement=VBE-FORDJ-SOC&asOf=2025-06-30', admin);
    const nonSocial = fordj.children.filter((c: any) => c.unit.code !== 'HAV-IFO');
    expect(nonSocial.every((c: any) => c.population === 0)).toBe(true);
    expect(fordj.children.find((c: any) => c.unit.code === 'HAV-IFO').population).toBeGreaterThan(20);
  });

  it('has a renewable course whose completions expire', async () => {
    const courses = await h.json('/api/courses', admin);
    expect(courses.courses.some((c: any) => c.validityMonths === 24)).toBe(true);
    const oro = await h.json('/api/coverage?unit=STHLM&requirement=VBE-ORO-CHEF&asOf=2025-06-30', admin);
    expect(oro.total.population).toBeGreaterThan(30);
    expect(oro.total.completed).toBeLessThan(oro.total.population);
  });

  it('decides reminders into the outbox without mail configured', async () => {
    const run = async () => (await h.request('/api/reminders/run?asOf=2025-06-30', { token: admin, method: 'POST' })).json();
    const first = await run();
    const kinds = new Set(first.messages.map((m: any) => m.kind));
    for (const kind of ['overdue', 'expiring', 'digest']) expect(kinds.has(kind), kind).toBe(true);
    expect(first).toMatchObject({ sent: 0, failed: 0 });
    const outbox = await h.json('/api/reminders/outbox?status=pending&limit=5000', admin);
    expect(outbox.messages).toHaveLength(first.messages.length);
    expect((await h.json('/api/reminders/outbox?status=pending', admin)).messages).toHaveLength(Math.min(1000, first.messages.length));
    expect((await run()).messages).toEqual([]);
  });
});
