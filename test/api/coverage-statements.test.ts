import { afterEach, describe, expect, it } from 'vitest';
import { course, load, requirement, type Fixture } from '../support/fixtures.ts';
import { makeHarness, type Harness } from '../support/harness.ts';

// The coverage engine answers a whole subtree in a fixed number of SQL statements: no query per
// unit, so the Workers' per-invocation query budget and D1 round trips do not grow with the tree.

/** CITY › F › n-2 enheter, everyone in the first enhet; n units in all. */
function tree(n: number): Fixture {
  const units: NonNullable<Fixture['units']> = [
    ['CITY', 'Staden', null, 'stad'],
    ['F', 'Förvaltningen', 'CITY', 'forvaltning'],
  ];
  for (let i = 1; i <= n - 2; i++) units.push([`E${i}`, `Enhet ${i}`, 'F', 'enhet']);
  return {
    units,
    people: [['P1', 'En'], ['P2', 'Två']],
    employments: [
      { p: 'P1', unit: 'E1', from: '2020-01-01' },
      { p: 'P2', unit: 'E1', from: '2020-01-01' },
    ],
    courses: [course('C', { validityMonths: 12 })],
    requirements: [requirement({ code: 'R', courses: ['C'], scope: ['CITY'], graceDays: 30 })],
    completions: [{ p: 'P1', course: 'C', status: 'completed', at: '2020-03-01' }],
  };
}

let h: Harness | undefined;
afterEach(() => h?.close());

async function statementsFor(n: number, path: string) {
  h = await makeHarness();
  await load(h.db, tree(n));
  const admin = await h.token('ADMIN', [{ role: 'admin' }]);
  h.statements.length = 0;
  const answer = await h.json(path, admin);
  const count = h.statements.length;
  await h.close();
  h = undefined;
  return { count, answer };
}

describe('statements per coverage call', () => {
  it('are as many for a tree of 1 000 units as for one of 10', async () => {
    const path = '/api/coverage?unit=F&requirement=R&asOf=2020-06-01';
    const small = await statementsFor(10, path);
    const large = await statementsFor(1000, path);
    // 2 people, 1 completed (hand count), the same in both trees.
    expect(small.answer.total).toMatchObject({ population: 2, completed: 1 });
    expect(large.answer.total).toMatchObject({ population: 2, completed: 1 });
    expect(small.answer.children).toHaveLength(8);
    expect(large.answer.children).toHaveLength(998);
    expect(small.count).toBeGreaterThan(0);
    expect(large.count).toBe(small.count);
  });

  it('are as many for the trend of 1 000 units as for 10', async () => {
    const path = '/api/coverage/trend?unit=F&requirement=R&from=2020-01-01&to=2021-12-31&interval=tertial';
    const small = await statementsFor(10, path);
    const large = await statementsFor(1000, path);
    expect(small.answer.points.length).toBe(large.answer.points.length);
    expect(large.count).toBe(small.count);
  });
});
