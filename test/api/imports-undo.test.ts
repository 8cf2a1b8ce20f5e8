import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { D1_BATCH_STATEMENTS } from '../../server/db/atomic.ts';
import { course, load, requirement } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';
import { csvFile, imported, upload } from '../support/sheets.ts';

// An import too large for one D1 batch that fails at its very last statement leaves every table
// as it was (on Node: one transaction; on D1: the batches already committed are undone).
// The failure is the database's own: a trigger refuses to mark the batch committed.

let h: Harness;
let admin: string;
beforeEach(async () => {
  h = await nodeHarness();
  admin = await h.token('ADMIN', [{ role: 'admin' }]);
});
afterEach(() => h.close());

const AS_OF = '2024-06-01';
const BULK = 600; // employments given an end date: one statement each, so > one D1 batch
const NEW = 40;
const num = (i: number) => String(i).padStart(3, '0');

/** Every table an import writes or reads, row by row, in a fixed order. */
async function everything() {
  const all = async (table: 'org_unit' | 'person' | 'employment' | 'completion' | 'import_batch' | 'import_rejected_row' | 'audit_log' | 'xapi_statement') =>
    h.db.selectFrom(table).selectAll().orderBy('id').execute();
  return {
    org_unit: await all('org_unit'),
    person: await all('person'),
    employment: await all('employment'),
    completion: await all('completion'),
    import_batch: await all('import_batch'),
    import_rejected_row: await all('import_rejected_row'),
    audit_log: await all('audit_log'),
    xapi_statement: await all('xapi_statement'),
  };
}

const refuseCommit = () =>
  sql`CREATE TRIGGER refuse_commit BEFORE UPDATE OF status ON import_batch WHEN NEW.status = 'committed' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`.execute(h.db);
const allowCommit = () => sql`DROP TRIGGER refuse_commit`.execute(h.db);

const figures = (unit: string) => h.json(`/api/coverage?unit=${unit}&requirement=R&asOf=${AS_OF}`, admin);
const child = (a: any, code: string) => a.children.find((c: any) => c.unit.code === code);

describe('a roster snapshot larger than one D1 batch that fails at its last statement', () => {
  async function world() {
    await load(h.db, {
      units: [
        ['CITY', 'Staden', null, 'stad'],
        ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
        ['F1-A', 'Avdelning A', 'F1', 'avdelning'],
        ['F1-A-1', 'Enhet A1', 'F1-A', 'enhet'],
        ['F1-A-2', 'Enhet A2', 'F1-A', 'enhet'],
        ['F2', 'Förvaltning två', 'CITY', 'forvaltning'],
        ['F2-X', 'Enhet X', 'F2', 'enhet'],
      ],
      people: [
        ...Array.from({ length: BULK }, (_, i) => [`R${num(i + 1)}`, `Anna ${num(i + 1)}`] as [string, string]),
        ['L1', 'Lena Lämnar', 'lena@stad.se'],
        ['M1', 'Mats Flyttar', 'mats@stad.se'],
        ['T1', 'Tove Titel', 'tove@stad.se'],
        ['E1', 'Erik Slut', 'erik@stad.se'],
      ],
      employments: [
        ...Array.from({ length: BULK }, (_, i) => ({ p: `R${num(i + 1)}`, unit: 'F1-A-1', from: '2020-01-01' })),
        { p: 'L1', unit: 'F1-A-1', from: '2020-01-01' },
        { p: 'M1', unit: 'F1-A-1', from: '2021-01-01' },
        { p: 'T1', unit: 'F1-A-2', from: '2019-01-01', title: 'Handläggare' },
        { p: 'E1', unit: 'F1-A-2', from: '2022-01-01', to: '2024-12-31' },
      ],
      courses: [course('C')],
      requirements: [requirement({ code: 'R', courses: ['C'], scope: ['CITY'], dueDate: '2024-03-31' })],
      completions: [
        ...Array.from({ length: BULK / 2 }, (_, i) => ({ p: `R${num(i + 1)}`, course: 'C', status: 'completed' as const, at: '2023-01-15' })),
        { p: 'L1', course: 'C', status: 'completed', at: '2023-02-01' },
        { p: 'M1', course: 'C', status: 'started', at: '2024-02-01' },
        { p: 'T1', course: 'C', status: 'completed', at: '2022-05-05' },
      ],
    });
    // An earlier import (batch 1): S1 starts in F1 on the snapshot's own date, O1 works in F2.
    await imported(
      h,
      '/api/imports/roster?mode=history',
      admin,
      csvFile([
        ['Anställningsnummer', 'Namn', 'Enhetskod', 'Anställd från'],
        ['S1', 'Sara Start', 'F1-A-2', AS_OF],
        ['O1', 'Olle Annan', 'F2-X', '2020-01-01'],
      ]),
      'tidigare.csv',
    );
  }

  // The whole of F1 on AS_OF: every R-person's employment given an end date, R001 and R003
  // renamed, R002 and R004 given an e-mail; L1 and S1 missing (L1 ends, S1's employment starting
  // on AS_OF is deleted); M1 moved to A2; T1 with a new title; E1's end date cleared; NEW people
  // new; one row rejected (unknown unit). The statements run in that order (people, ends, deletes,
  // edits, new employments), so on D1 the first batch holds the new and changed people, the ends,
  // the delete and most edits, and the trigger stops the second.
  const SNAPSHOT = csvFile([
    ['Anställningsnummer', 'Namn', 'E-post', 'Enhetskod', 'Befattning', 'Anställd till'],
    ...Array.from({ length: BULK }, (_, i) => {
      const n = num(i + 1);
      return [`R${n}`, i < 4 && i % 2 === 0 ? `Anna ${n} Berg` : `Anna ${n}`, i < 4 && i % 2 === 1 ? `r${n}@stad.se` : null, 'F1-A-1', null, '2024-12-31'];
    }),
    ['M1', 'Mats Flyttar', 'mats@stad.se', 'F1-A-2', null, null],
    ['T1', 'Tove Titel', 'tove@stad.se', 'F1-A-2', 'Enhetschef', null],
    ['E1', 'Erik Slut', 'erik@stad.se', 'F1-A-2', null, null],
    ...Array.from({ length: NEW }, (_, i) => [`N${num(i + 1)}`, `Ny ${num(i + 1)}`, null, 'F1-A-1', null, null]),
    ['X1', 'Xe Okänd', null, 'NOPE', null, null],
  ]);
  // It has a rejected row and ends two employments: committed on that word (issue 15).
  const path = `/api/imports/roster?mode=snapshot&asOf=${AS_OF}&confirmEnded=2`;

  it('leaves every table, the import list and the coverage exactly as before', async () => {
    await world();
    // By hand, as of AS_OF in F1-A: A1 holds R001–R600, L1, M1 (602; completed R001–R300 and L1 = 301;
    // M1 started); A2 holds T1 (completed), S1 (starts that day) and E1: 605 in all. Due 2024-03-31
    // has passed, so everyone not completed is overdue.
    const before = {
      total: { population: 605, completed: 302, started: 1, notStarted: 302, overdue: 303, reached: 303, gap: 303 },
      a1: { population: 602, completed: 301, started: 1, notStarted: 300, overdue: 301, reached: 302, gap: 301 },
      a2: { population: 3, completed: 1, started: 0, notStarted: 2, overdue: 2, reached: 1, gap: 2 },
    };
    const a = await figures('F1-A');
    expect(a.total).toMatchObject(before.total);
    expect(child(a, 'F1-A-1')).toMatchObject(before.a1);
    expect(child(a, 'F1-A-2')).toMatchObject(before.a2);
    const tables = await everything();
    const list = await h.json('/api/imports', admin);
    expect(list.imports.map((b: any) => [b.id, b.status])).toEqual([[1, 'committed']]);

    await refuseCommit();
    h.statements.length = 0;
    const res = await upload(h, path, admin, SNAPSHOT, 'f1.csv');
    expect(res.status).toBe(500);
    // The write was longer than one D1 batch: a statement per changed employment alone passes it.
    expect(h.statements.filter((s) => /^update "employment"/i.test(s)).length).toBeGreaterThan(D1_BATCH_STATEMENTS);

    expect(await everything()).toEqual(tables);
    // The rows the import would have changed, by name: as they were.
    const jobs = async (n: string) =>
      h.db
        .selectFrom('employment')
        .innerJoin('person', 'person.id', 'employment.person_id')
        .select(['unit_code', 'title', 'start_date', 'end_date', 'import_batch_id'])
        .where('employee_number', '=', n)
        .orderBy('start_date')
        .execute();
    const person = (n: string) => h.db.selectFrom('person').select(['name', 'email']).where('employee_number', '=', n).executeTakeFirst();
    expect(await person('R001')).toEqual({ name: 'Anna 001', email: null });
    expect(await person('R002')).toEqual({ name: 'Anna 002', email: null });
    expect(await jobs('R001')).toEqual([{ unit_code: 'F1-A-1', title: null, start_date: '2020-01-01', end_date: null, import_batch_id: null }]);
    expect(await jobs('R600')).toEqual([{ unit_code: 'F1-A-1', title: null, start_date: '2020-01-01', end_date: null, import_batch_id: null }]);
    expect(await person('N001')).toBeUndefined();
    expect(await jobs('L1')).toEqual([{ unit_code: 'F1-A-1', title: null, start_date: '2020-01-01', end_date: null, import_batch_id: null }]);
    expect(await jobs('M1')).toEqual([{ unit_code: 'F1-A-1', title: null, start_date: '2021-01-01', end_date: null, import_batch_id: null }]);
    expect(await jobs('T1')).toEqual([{ unit_code: 'F1-A-2', title: 'Handläggare', start_date: '2019-01-01', end_date: null, import_batch_id: null }]);
    expect(await jobs('E1')).toEqual([{ unit_code: 'F1-A-2', title: null, start_date: '2022-01-01', end_date: '2024-12-31', import_batch_id: null }]);
    expect(await jobs('S1')).toEqual([{ unit_code: 'F1-A-2', title: null, start_date: AS_OF, end_date: null, import_batch_id: 1 }]);
    expect((await h.json('/api/imports', admin)).imports.map((b: any) => [b.id, b.status])).toEqual([[1, 'committed']]);
    const after = await figures('F1-A');
    expect(after.total).toMatchObject(before.total);
    expect(child(after, 'F1-A-1')).toMatchObject(before.a1);
    expect(child(after, 'F1-A-2')).toMatchObject(before.a2);

    // The same file once the database lets it commit: every change lands, and a second time none.
    await allowCommit();
    const done = await imported(h, path, admin, SNAPSHOT, 'f1.csv');
    expect(done).toMatchObject({ batchId: 2, rowsTotal: BULK + 3 + NEW + 1, rowsRejected: 1, changes: { started: NEW, ended: 2, moved: 1, updated: BULK + 2, peopleAdded: NEW, peopleUpdated: 4 } });
    // A1: R001–R600 and N001–N040 (640; completed R001–R300); A2: T1 (completed), E1, M1 (started).
    const now = await figures('F1-A');
    expect(now.total).toMatchObject({ population: 643, completed: 301, started: 1, notStarted: 341, overdue: 342 });
    expect(child(now, 'F1-A-1')).toMatchObject({ population: 640, completed: 300, started: 0, notStarted: 340 });
    expect(child(now, 'F1-A-2')).toMatchObject({ population: 3, completed: 1, started: 1, notStarted: 1 });
    const again = await imported(h, path.replace('confirmEnded=2', 'confirmEnded=0'), admin, SNAPSHOT, 'f1.csv');
    expect(again.changes).toMatchObject({ started: 0, ended: 0, moved: 0, updated: 0, peopleAdded: 0, peopleUpdated: 0 });
  });
});

describe('a units import larger than one D1 batch that fails at its last statement', () => {
  const UNITS = 600;

  it('gives every version it updated its old values and old batch back', async () => {
    await load(h.db, {
      units: [
        ['CITY', 'Staden', null, 'stad'],
        ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
        ...Array.from({ length: UNITS }, (_, i) => [`U${num(i + 1)}`, `Enhet ${num(i + 1)}`, 'F1', 'enhet', '2020-01-01'] as [string, string, string, 'enhet', string]),
      ],
    });
    // One version already owned by an earlier import: the undo must give that batch id back, not null.
    await imported(h, '/api/imports/units', admin, csvFile([['Enhetskod', 'Namn', 'Överordnad', 'Nivå', 'Giltig från'], ['U001', 'Enhet ett', 'F1', 'enhet', '2020-01-01']]), 'u.csv');
    const tables = await everything();
    expect(tables.org_unit.find((u) => u.code === 'U001')).toMatchObject({ name: 'Enhet ett', import_batch_id: 1 });

    // Every unit renamed; U002 gets a new version from 2024-01-01 (closing its old one); a new unit.
    const file = csvFile([
      ['Enhetskod', 'Namn', 'Överordnad', 'Nivå', 'Giltig från'],
      ...Array.from({ length: UNITS }, (_, i) => [`U${num(i + 1)}`, `Enheten ${num(i + 1)}`, 'F1', 'enhet', '2020-01-01']),
      ['U002', 'Enheten två', 'F1', 'enhet', '2024-01-01'],
      ['U999', 'Ny enhet', 'F1', 'enhet', '2024-01-01'],
    ]);
    await refuseCommit();
    h.statements.length = 0;
    expect((await upload(h, '/api/imports/units', admin, file, 'u.csv')).status).toBe(500);
    expect(h.statements.filter((s) => /^update "org_unit"/i.test(s)).length).toBeGreaterThan(D1_BATCH_STATEMENTS);
    expect(await everything()).toEqual(tables);
    expect((await h.json('/api/imports', admin)).imports.map((b: any) => [b.id, b.status])).toEqual([[1, 'committed']]);

    await allowCommit();
    expect(await imported(h, '/api/imports/units', admin, file, 'u.csv')).toMatchObject({ batchId: 2, changes: { added: 2, updated: UNITS } });
    const u2 = await h.db.selectFrom('org_unit').select(['name', 'valid_from', 'valid_to']).where('code', '=', 'U002').orderBy('valid_from').execute();
    expect(u2).toEqual([
      { name: 'Enheten 002', valid_from: '2020-01-01', valid_to: '2023-12-31' },
      { name: 'Enheten två', valid_from: '2024-01-01', valid_to: null },
    ]);
  });
});
