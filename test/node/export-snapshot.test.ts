import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { gatherCoverageExport, peopleAgree } from '../../server/exports/coverage-export.ts';
import { coverageWorkbook } from '../../server/exports/coverage-workbook.ts';
import { load } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';
import { ASOF, WORLD } from '../support/export-world.ts';

// The export's figures are read first, its Personer rows as the sheet is written (row-source.ts).
// A write landing between the two would make one workbook's sheets disagree; `peopleAgree` is how
// the route notices it and writes the workbook again. Here the write is made to land there.

let h: Harness;
beforeEach(async () => {
  h = await nodeHarness();
  await load(h.db, WORLD);
});
afterEach(() => h.close());

const gather = () => gatherCoverageExport(h.db, { unit: 'CITY', asOf: ASOF, requirement: 'R1', people: true, actor: 'ADMIN1' });

it('the written rows add up to the asked unit\'s figures when nothing changed in between', async () => {
  const data = await gather();
  coverageWorkbook(data);
  const f = data.figures.get('R1')!.get('CITY')!;
  expect(f.completed).toBeGreaterThan(0);
  expect(data.people!.tally.get('R1')).toEqual({ population: f.population, completed: f.completed, started: f.started, overdue: f.overdue, exempt: f.exempt });
  expect(peopleAgree(data)).toBe(true);
});

it('notices a write that landed between the figures and the rows', async () => {
  const data = await gather();
  // Every completion moved past the date: nobody is genomförd any more when the rows are read.
  await sql`UPDATE completion SET occurred_at = '2999-01-01'`.execute(h.db);
  coverageWorkbook(data);
  expect(data.people!.tally.get('R1')!.completed).toBe(0);
  expect(data.figures.get('R1')!.get('CITY')!.completed).toBeGreaterThan(0);
  expect(peopleAgree(data)).toBe(false);
});

it('the audit counts the Personer rows of the workbook the route answered', async () => {
  const admin = await h.token('ADMIN1', [{ role: 'admin' }]);
  const res = await h.request(`/api/exports/coverage.xlsx?unit=CITY&asOf=${ASOF}&requirement=R1&people=1`, { token: admin });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  const data = await gather();
  coverageWorkbook(data);
  const { rows } = await sql<{ detail: string }>`SELECT detail_json AS detail FROM audit_log WHERE kind = 'export.coverage'`.execute(h.db);
  expect(rows.map((r) => JSON.parse(r.detail).rows)).toEqual([data.people!.count]);
  expect(data.people!.count).toBeGreaterThan(0);
});
