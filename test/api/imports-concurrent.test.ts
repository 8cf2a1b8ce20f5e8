import { afterEach, beforeEach, expect, it } from 'vitest';
import { nodeHarness, type Harness } from '../support/harness.ts';
import { count, csvFile, imported } from '../support/sheets.ts';

let h: Harness;
let admin: string;
beforeEach(async () => {
  h = await nodeHarness();
  admin = await h.token('ADMIN', [{ role: 'admin' }]);
});
afterEach(() => h.close());

it('two rosters committed at the same time both land whole, each in its own batch', async () => {
  await imported(h, '/api/imports/units', admin, csvFile([['Enhetskod', 'Namn', 'Överordnad', 'Nivå'], ['CITY', 'Staden', '', 'stad'], ['F1', 'Ett', 'CITY', 'förvaltning'], ['F2', 'Två', 'CITY', 'förvaltning']]), 'u.csv');
  const roster = (prefix: string, unit: string) => {
    const rows: string[][] = [['Anställningsnummer', 'Namn', 'Enhetskod', 'Anställd från']];
    for (let i = 0; i < 6000; i++) rows.push([`${prefix}${i}`, `Person ${prefix}${i}`, unit, '2020-01-01']);
    return csvFile(rows);
  };
  // Both are planned against the same register, so both take the same new ids: the one that
  // commits second collides, and is planned again from what is then held.
  const [a, b] = await Promise.all([
    imported(h, '/api/imports/roster?mode=history', admin, roster('A', 'F1'), 'a.csv'),
    imported(h, '/api/imports/roster?mode=history', admin, roster('B', 'F2'), 'b.csv'),
  ]);
  expect(a.changes).toMatchObject({ started: 6000, peopleAdded: 6000 });
  expect(b.changes).toMatchObject({ started: 6000, peopleAdded: 6000 });
  expect(new Set([a.batchId, b.batchId]).size).toBe(2);
  expect(await count(h, 'person')).toBe(12000);
  expect(await count(h, 'employment')).toBe(12000);
  const perBatch = await h.db.selectFrom('employment').select(['import_batch_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('import_batch_id').orderBy('import_batch_id').execute();
  expect(perBatch.map((r) => Number(r.n))).toEqual([6000, 6000]);
  // Each person's employment is in the unit of their own file.
  const wrong = await h.db
    .selectFrom('employment as e')
    .innerJoin('person as p', 'p.id', 'e.person_id')
    .select('p.employee_number')
    .where((eb) => eb.or([eb.and([eb('p.employee_number', 'like', 'A%'), eb('e.unit_code', '!=', 'F1')]), eb.and([eb('p.employee_number', 'like', 'B%'), eb('e.unit_code', '!=', 'F2')])]))
    .execute();
  expect(wrong).toEqual([]);
});

it('the same completions file imported twice at once is written once', async () => {
  await imported(h, '/api/imports/units', admin, csvFile([['Enhetskod', 'Namn', 'Nivå'], ['F1', 'Ett', 'förvaltning']]), 'u.csv');
  const people: string[][] = [['Anställningsnummer', 'Namn', 'Enhetskod', 'Anställd från']];
  for (let i = 0; i < 100; i++) people.push([`P${i}`, `Person ${i}`, 'F1', '2020-01-01']);
  await imported(h, '/api/imports/roster?mode=history', admin, csvFile(people), 'p.csv');
  const { load, course } = await import('../support/fixtures.ts');
  await load(h.db, { courses: [course('VBE')] });
  const rows: string[][] = [['Anställningsnummer', 'Kurs', 'Status', 'Datum']];
  for (let i = 0; i < 12000; i++) rows.push([`P${i % 100}`, 'VBE', 'Genomförd', `2021-01-01 ${String(Math.floor(i / 100) % 24).padStart(2, '0')}:${String(Math.floor(i / 2400)).padStart(2, '0')}`]);
  const file = csvFile(rows);
  const [a, b] = await Promise.all([
    imported(h, '/api/imports/completions', admin, file, 'c.csv'),
    imported(h, '/api/imports/completions', admin, file, 'c.csv'),
  ]);
  expect([a.changes.added, b.changes.added].sort((x, y) => x - y)).toEqual([0, 12000]);
  expect(await count(h, 'completion')).toBe(12000);
});

