import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { reusable } from '../../server/db/compiled.ts';
import type { Db } from '../../server/db/schema.ts';
import { load } from '../support/fixtures.ts';
import { makeHarness, type NodeHarness } from '../support/harness.ts';

let h: NodeHarness;
beforeEach(async () => {
  h = await makeHarness();
  await load(h.db, { people: [['E1', 'Ada'], ['E2', 'Bo'], ['E3', 'Cy']] });
});
afterEach(() => h.close());

// Built once with stand-ins, then bound: each call must see its own arguments, wherever and however
// often they stand in the statement, and keep the builder's own constants.
const byNumbers = reusable((db: Db, a: string, b: string) =>
  db
    .selectFrom('person')
    .select(['employee_number', sql<number>`${7}`.as('seven')])
    .where((eb) => eb.or([eb('employee_number', '=', a), eb('employee_number', '=', b), eb('name', '=', a)]))
    .orderBy('employee_number'),
);

it('binds fresh arguments into a statement compiled once', async () => {
  expect(await byNumbers(h.db, 'E1', 'E3')).toEqual([
    { employee_number: 'E1', seven: 7 },
    { employee_number: 'E3', seven: 7 },
  ]);
  h.statements.length = 0;
  expect(await byNumbers(h.db, 'Bo', 'E2')).toEqual([{ employee_number: 'E2', seven: 7 }]);
  expect(await byNumbers(h.db, 'E9', 'E8')).toEqual([]);
  // The same text both times: compiled once.
  expect(new Set(h.statements).size).toBe(1);
});
