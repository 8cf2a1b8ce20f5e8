import { afterEach, describe, expect, it } from 'vitest';
import type { Fixture } from '../support/fixtures.ts';
import { course, load, requirement } from '../support/fixtures.ts';
import { authorizeUnits } from '../../server/auth/permissions.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';

// The coverage engine runs a constant number of statements, never one per unit or per person.

/** A city of `n` units: one förvaltning per 10 units, each with 9 enheter, two people per enhet. */
function city(n: number): Fixture {
  const units: NonNullable<Fixture['units']> = [['CITY', 'Staden', null, 'stad']];
  const people: NonNullable<Fixture['people']> = [];
  const employments: NonNullable<Fixture['employments']> = [];
  for (let f = 0; units.length < n; f++) {
    units.push([`F${f}`, `Förvaltning ${f}`, 'CITY', 'forvaltning']);
    for (let e = 0; e < 9 && units.length < n; e++) {
      const code = `F${f}-E${e}`;
      units.push([code, `Enhet ${e}`, `F${f}`, 'enhet']);
      for (const k of [0, 1]) {
        people.push([`${code}-${k}`, `Person ${code} ${k}`]);
        employments.push({ p: `${code}-${k}`, unit: code, from: '2020-01-01' });
      }
    }
  }
  return {
    units,
    people,
    employments,
    courses: [course('C', { validityMonths: 12 })],
    requirements: [requirement({ code: 'R', courses: ['C'], scope: ['CITY'], graceDays: 30, employmentTypes: ['tillsvidare'] })],
    completions: people.filter((_, i) => i % 3 === 0).map(([p]) => ({ p, course: 'C', status: 'completed' as const, at: '2020-06-01' })),
  };
}

let h: Harness | undefined;
afterEach(() => h?.close());

async function statementsFor(n: number, path: (root: string) => string) {
  h = await nodeHarness();
  await load(h.db, city(n));
  const admin = await h.token('A', [{ role: 'admin' }]);
  h.statements.length = 0;
  const body = await h.json(path('CITY'), admin);
  const count = h.statements.length;
  await h.close();
  h = undefined;
  return { count, body };
}

describe('statements per call', () => {
  it('is the same for a tree of 10 and of 1 000 units (coverage with children)', async () => {
    const small = await statementsFor(10, (u) => `/api/coverage?unit=${u}&requirement=R&asOf=2021-01-01`);
    const large = await statementsFor(1000, (u) => `/api/coverage?unit=${u}&requirement=R&asOf=2021-01-01`);
    // 10 units: the city, one förvaltning and 8 enheter, 16 people. 1 000 units: the city and
    // 100 förvaltningar, 99 with 9 enheter and the last with 8 (899 enheter), 1 798 people.
    expect(small.body.total.population).toBe(16);
    expect(large.body.total.population).toBe(1798);
    expect(large.body.children).toHaveLength(100);
    // One in three people completed (indexes 0, 3, 6 …): 6 of 16 and 600 of 1 798.
    expect(small.body.total.completed).toBe(6);
    expect(large.body.total.completed).toBe(600);
    expect(large.count).toBe(small.count);
    expect(small.count).toBeLessThanOrEqual(8);
  });

  it('is the same for a tree of 10 and of 1 000 units (people list)', async () => {
    const small = await statementsFor(10, (u) => `/api/coverage/people?unit=${u}&requirement=R&asOf=2021-01-01`);
    const large = await statementsFor(1000, (u) => `/api/coverage/people?unit=${u}&requirement=R&asOf=2021-01-01`);
    expect(large.body.people).toHaveLength(1798);
    expect(large.count).toBe(small.count);
  });
});

describe('scope checks', () => {
  it('check 80 units in as many statements as 2, and refuse the one outside', async () => {
    h = await nodeHarness();
    await load(h.db, city(200));
    const coordinator = { employeeNumber: 'SAM', roles: [{ role: 'coordinator' as const, unit: 'F0' }] };
    const all = { employeeNumber: 'SAM', roles: [{ role: 'coordinator' as const, unit: 'CITY' }] };
    const enheter = (n: number) => Array.from({ length: n }, (_, i) => `F${Math.floor(i / 9)}-E${i % 9}`);
    const count = async (units: string[]) => {
      h!.statements.length = 0;
      await authorizeUnits(h!.db, all, 'requirement.write', units, '2021-01-01');
      return h!.statements.length;
    };
    expect(await count(enheter(2))).toBe(await count(enheter(80)));
    // F0's own nine enheter are within reach of its coordinator; one of F1's is not, and is named.
    await authorizeUnits(h.db, coordinator, 'requirement.write', enheter(9), '2021-01-01');
    await expect(authorizeUnits(h.db, coordinator, 'requirement.write', [...enheter(9), 'F1-E0'], '2021-01-01')).rejects.toMatchObject({
      kind: 'forbidden',
      params: { scope: 'F1-E0' },
    });
  });
});
