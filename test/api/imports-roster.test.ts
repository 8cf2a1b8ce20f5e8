import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { course, load, requirement } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';
import { count, csvFile, day, imported, upload, xlsxFile } from '../support/sheets.ts';

// Figures worked out by hand from the files below (docs/imports.md; docs/coverage-rules.md).

const UNITS = csvFile([
  ['Enhetskod', 'Namn', 'Överordnad', 'Nivå'],
  ['CITY', 'Staden', '', 'stad'],
  ['F1', 'Förvaltning ett', 'CITY', 'förvaltning'],
  ['F1-A', 'Avdelning A', 'F1', 'avdelning'],
  ['F1-A-1', 'Enhet A1', 'F1-A', 'enhet'],
  ['F1-A-2', 'Enhet A2', 'F1-A', 'enhet'],
  ['F2', 'Förvaltning två', 'CITY', 'förvaltning'],
  ['F2-X', 'Enhet X', 'F2', 'enhet'],
]);

// Headers in another order, English and Swedish mixed, an extra column and a personnummer to ignore.
const SNAPSHOT_1 = xlsxFile([
  ['Namn', 'ANSTÄLLNINGSNUMMER', 'personnummer', 'Enhetskod', 'Förvaltning', 'Avdelning', 'Enhet', 'email', 'Chef', 'Anställningsform', 'Kommentar'],
  ['Ada Ek', 'P1', '19800101-1234', 'F1-A-1', null, null, null, 'ada@stad.se', 'ja', 'Tillsvidare', 'x'],
  ['Bo Al', 'P2', '19800101-2345', 'F1-A-1', null, null, null, 'bo@stad.se', 'nej', 'visstid', ''],
  ['Cy Ur', 'P3', '19800101-3456', 'F1-A-2', null, null, null, null, null, null, ''],
  // No code: the unit by its names.
  ['Di Ox', 'P4', '19800101-4567', null, 'förvaltning ETT', 'Avdelning A', 'Enhet A2', 'di@stad.se', 'Nej', 'tillsvidare', ''],
]);

const SNAPSHOT_2 = csvFile([
  ['Anst.nr', 'Förnamn', 'Efternamn', 'E-post', 'Enhetskod'],
  ['P1', 'Ada', 'Ek', 'ada@stad.se', 'F1-A-1'],
  ['P2', 'Bo', 'Al', 'bo@stad.se', 'F1-A-2'], // moved from A1
  // P3 gone
  ['P4', 'Di', 'Ox', 'DI@stad.se', 'F1-A-2'],
  ['P5', 'Eo', 'Is', 'Eo.Is@Stad.se', 'F1-A-1'], // new
]);

let h: Harness;
let admin: string;
beforeEach(async () => {
  h = await nodeHarness();
  admin = await h.token('ADMIN', [{ role: 'admin' }]);
});
afterEach(() => h.close());

const cov = (unit: string, asOf: string) => h.json(`/api/coverage?unit=${unit}&requirement=R&asOf=${asOf}`, admin);
const child = (a: any, code: string) => a.children.find((c: any) => c.unit.code === code);

async function world() {
  const u = await imported(h, '/api/imports/units', admin, UNITS, 'enheter.csv');
  expect(u).toMatchObject({ rowsTotal: 7, rowsAccepted: 7, rowsRejected: 0, errors: [], changes: { added: 7, updated: 0 } });
  await load(h.db, { courses: [course('C')], requirements: [requirement({ code: 'R', courses: ['C'], scope: ['CITY'] })] });
  // Someone in the other förvaltning, whom an F1 snapshot must not touch.
  const other = await imported(
    h,
    '/api/imports/roster?mode=history',
    admin,
    csvFile([['Anställningsnummer', 'Namn', 'Enhetskod', 'Anställd från'], ['P9', 'Nio Nilsson', 'F2-X', '2020-01-01']], ','),
    'f2.csv',
  );
  expect(other.changes).toMatchObject({ started: 1, ended: 0, moved: 0 });
}

describe('roster snapshot', () => {
  it('starts, moves and ends employments within the förvaltning the file covers', async () => {
    await world();
    const first = await imported(h, '/api/imports/roster?mode=snapshot&asOf=2024-01-01', admin, SNAPSHOT_1, 'personal-jan.xlsx');
    expect(first).toMatchObject({ rowsTotal: 4, rowsAccepted: 4, rowsRejected: 0, changes: { started: 4, ended: 0, moved: 0 } });
    expect(first.batchId).toBeGreaterThan(0);

    // It ends one of the four employments active in F1 (more than a tenth): committed only when the
    // request confirms that number (issue 15), as its dry run said.
    const refused = await upload(h, '/api/imports/roster?mode=snapshot&asOf=2024-03-01', admin, SNAPSHOT_2, 'personal-mar.csv');
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: 'import.confirmEnded', ended: 1 });
    const second = await imported(h, '/api/imports/roster?mode=snapshot&asOf=2024-03-01&confirmEnded=1', admin, SNAPSHOT_2, 'personal-mar.csv');
    // Its export has no Chef or Anställningsform column: what is held for those stays as it was.
    expect(second).toMatchObject({ rowsTotal: 4, rowsAccepted: 4, rowsRejected: 0, changes: { started: 1, ended: 1, moved: 1, updated: 0 } });

    // P3 ended the day before asOf; P2's A1 employment ended then too and A2 began on asOf.
    const p3 = await h.db.selectFrom('employment as e').innerJoin('person as p', 'p.id', 'e.person_id').select(['e.unit_code', 'e.start_date', 'e.end_date']).where('p.employee_number', '=', 'P3').execute();
    expect(p3).toEqual([{ unit_code: 'F1-A-2', start_date: '2024-01-01', end_date: '2024-02-29' }]);
    const p2 = await h.db.selectFrom('employment as e').innerJoin('person as p', 'p.id', 'e.person_id').select(['e.unit_code', 'e.start_date', 'e.end_date']).where('p.employee_number', '=', 'P2').orderBy('e.start_date').execute();
    expect(p2).toEqual([
      { unit_code: 'F1-A-1', start_date: '2024-01-01', end_date: '2024-02-29' },
      { unit_code: 'F1-A-2', start_date: '2024-03-01', end_date: null },
    ]);
    // The move carried the terms the second file does not speak of.
    const p2Types = await h.db.selectFrom('employment as e').innerJoin('person as p', 'p.id', 'e.person_id').select('e.employment_type').where('p.employee_number', '=', 'P2').execute();
    expect(p2Types.map((t) => t.employment_type)).toEqual(['visstid', 'visstid']);

    // On 2024-02-29: P1, P2 in A1; P3, P4 in A2. On 2024-03-01: P1, P5 in A1; P2, P4 in A2.
    const before = await cov('F1', '2024-02-29');
    expect(before.total).toMatchObject({ population: 4, completed: 0, notStarted: 4 });
    const after = await cov('F1-A', '2024-03-01');
    expect(after.total.population).toBe(4);
    expect(child(after, 'F1-A-1').population).toBe(2);
    expect(child(after, 'F1-A-2').population).toBe(2);
    // The other förvaltning is untouched.
    expect((await cov('F2', '2024-03-01')).total.population).toBe(1);

    // Person rows: names from first + last name, e-mail kept; no personnummer anywhere.
    const p5 = await h.db.selectFrom('person').selectAll().where('employee_number', '=', 'P5').executeTakeFirstOrThrow();
    expect(p5).toMatchObject({ name: 'Eo Is', email: 'Eo.Is@Stad.se' });
    const ada = await h.db.selectFrom('employment as e').innerJoin('person as p', 'p.id', 'e.person_id').select(['e.is_manager', 'e.employment_type', 'e.end_date']).where('p.employee_number', '=', 'P1').execute();
    expect(ada).toEqual([{ is_manager: 1, employment_type: 'tillsvidare', end_date: null }]);
    const everything = JSON.stringify([
      await h.db.selectFrom('person').selectAll().execute(),
      await h.db.selectFrom('import_rejected_row').selectAll().execute(),
      await h.db.selectFrom('audit_log').selectAll().execute(),
      await h.db.selectFrom('import_batch').selectAll().execute(),
    ]);
    expect(everything).not.toMatch(/19800101/);

    // Once more: identical, so nothing changes.
    const again = await imported(h, '/api/imports/roster?mode=snapshot&asOf=2024-03-01', admin, SNAPSHOT_2, 'personal-mar.csv');
    expect(again).toMatchObject({ rowsAccepted: 4, changes: { started: 0, ended: 0, moved: 0, updated: 0, peopleAdded: 0, peopleUpdated: 0 } });
  });

  it('rejects the rows it cannot take, with row, column and reason, and takes the rest', async () => {
    await world();
    const file = csvFile([
      ['Anställningsnummer', 'Namn', 'Enhetskod', 'Chef', 'Anställningsform'],
      ['P1', 'Ada Ek', 'F1-A-1', 'ja', 'tillsvidare'],
      ['P2', 'Bo Al', 'NOPE', 'nej', ''], // row 3: unknown unit
      ['P3', 'Cy Ur', 'F1-A-2', 'kanske', ''], // row 4: not ja/nej
      ['P4', 'Di Ox', 'F1-A-2', '', 'konsult'], // row 5: employment type
      ['P6', 'Sam A', 'F1-A-1', '', ''], // rows 6 and 7: one number, two names
      ['P6', 'Sam B', 'F1-A-2', '', ''],
      ['', 'Nobody', 'F1-A-1', '', ''], // row 8: no number
    ]);
    // A snapshot with rejected rows is committed only on the caller's word for what it ends (issue 15).
    const res = await upload(h, '/api/imports/roster?mode=snapshot&asOf=2024-01-01&confirmEnded=0', admin, file, 'r.csv', { 'accept-language': 'en' });
    expect(res.status).toBe(200);
    const a = await res.json();
    expect(a).toMatchObject({ rowsTotal: 7, rowsAccepted: 1, rowsRejected: 6, changes: { started: 1 } });
    expect(a.errors.map((e: any) => [e.row, e.column])).toEqual([
      [3, 'Enhetskod'],
      [4, 'Chef'],
      [5, 'Anställningsform'],
      [6, 'Namn'],
      [7, 'Namn'],
      [8, 'Anställningsnummer'],
    ]);
    expect(a.errors[0].message).toBe(a.errors[0].messageEn);
    expect(a.errors[0].messageSv).toMatch(/finns inte/);

    const detail = await h.json(`/api/imports/${a.batchId}`, admin);
    expect(detail.rejected).toHaveLength(6);
    expect(detail.rejected[0]).toMatchObject({ row: 3, column: 'Enhetskod', values: { Anställningsnummer: 'P2', Enhetskod: 'NOPE' } });
    const list = await h.json('/api/imports', admin);
    expect(list.imports[0]).toMatchObject({ id: a.batchId, kind: 'roster', mode: 'snapshot', fileName: 'r.csv', startedBy: 'ADMIN', rowsTotal: 7, rowsRejected: 6 });
    const xlsx = await h.request(`/api/imports/${a.batchId}/rejected.xlsx`, { token: admin });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toMatch(/spreadsheetml/);
    const XLSX = await import('xlsx');
    const wb = XLSX.read(new Uint8Array(await xlsx.arrayBuffer()), { type: 'array' });
    const rows = XLSX.utils.sheet_to_json<any[]>(wb.Sheets[wb.SheetNames[0]], { header: 1 });
    expect(rows[0].slice(0, 4)).toEqual(['Rad / Row', 'Kolumn / Column', 'Orsak', 'Reason']);
    expect(rows[1].slice(0, 2)).toEqual([3, 'Enhetskod']);
    expect(rows).toHaveLength(7);
  });

  it('gives the rejected rows back as a filterable workbook where nothing from the file is a formula', async () => {
    await world();
    const file = csvFile([
      ['Anställningsnummer', 'Namn', 'Enhetskod', 'Befattning'],
      ['P1', 'Ada Ek', 'F1-A-1', 'Lärare'],
      ['P2', '=HYPERLINK("http://x","y")', 'NOPE', '+46 8 508 000 00'], // row 3: unknown unit
      ['P3', '@SUM(A1)', 'NOPE2', '-1'], // row 4: unknown unit
    ]);
    const a = await imported(h, '/api/imports/roster?mode=snapshot&asOf=2024-01-01&confirmEnded=0', admin, file, 'r.csv');
    expect(a).toMatchObject({ rowsAccepted: 1, rowsRejected: 2 });
    const res = await h.request(`/api/imports/${a.batchId}/rejected.xlsx`, { token: admin });
    const XLSX = await import('xlsx');
    const wb = XLSX.read(new Uint8Array(await res.arrayBuffer()), { type: 'array', cellFormula: true });
    expect(wb.SheetNames).toEqual(['Avvisade rader']);
    const ws = wb.Sheets['Avvisade rader'];
    expect(XLSX.utils.sheet_to_json<any[]>(ws, { header: 1 })).toEqual([
      ['Rad / Row', 'Kolumn / Column', 'Orsak', 'Reason', 'Anställningsnummer', 'Namn', 'Enhetskod', 'Befattning'],
      [3, 'Enhetskod', expect.stringMatching(/NOPE/), expect.stringMatching(/NOPE/), 'P2', '=HYPERLINK("http://x","y")', 'NOPE', '+46 8 508 000 00'],
      [4, 'Enhetskod', expect.stringMatching(/NOPE2/), expect.stringMatching(/NOPE2/), 'P3', '@SUM(A1)', 'NOPE2', '-1'],
    ]);
    expect(ws['!autofilter']).toEqual({ ref: 'A1:H3' });
    for (const [ref, cell] of Object.entries(ws)) {
      if (ref.startsWith('!')) continue;
      expect((cell as any).f, ref).toBeUndefined();
      expect((cell as any).t, ref).toBe(ref.startsWith('A') && ref !== 'A1' ? 'n' : 's');
    }
  });

  it('a dry run writes nothing at all', async () => {
    await world();
    const tables = ['person', 'employment', 'import_batch', 'import_rejected_row', 'audit_log'] as const;
    const before = await Promise.all(tables.map((t) => count(h, t)));
    const a = await imported(h, '/api/imports/roster?mode=snapshot&asOf=2024-01-01&dryRun=true', admin, SNAPSHOT_1, 'p.xlsx');
    expect(a).toMatchObject({ batchId: null, dryRun: true, rowsAccepted: 4, changes: { started: 4 } });
    expect(await Promise.all(tables.map((t) => count(h, t)))).toEqual(before);
  });

  it('history mode takes each row with its own dates and re-imports as no change', async () => {
    await world();
    const file = xlsxFile([
      ['Anställningsnummer', 'Namn', 'Enhetskod', 'Anställd från', 'Anställd till'],
      ['P1', 'Ada Ek', 'F1-A-1', day('2019-02-01'), day('2021-06-30')],
      ['P1', 'Ada Ek', 'F1-A-2', day('2021-07-01'), null],
      ['P2', 'Bo Al', 'F1-A-1', '2020-05-01', null],
    ]);
    const a = await imported(h, '/api/imports/roster?mode=history', admin, file, 'h.xlsx');
    expect(a.changes).toMatchObject({ started: 3, ended: 0, moved: 0 });
    expect((await cov('F1-A-1', '2021-06-30')).total.population).toBe(2);
    expect((await cov('F1-A-1', '2021-07-01')).total.population).toBe(1);
    expect((await cov('F1-A', '2021-07-01')).total.population).toBe(2);
    const again = await imported(h, '/api/imports/roster?mode=history', admin, file, 'h.xlsx');
    expect(again.changes).toMatchObject({ started: 0, ended: 0, moved: 0, updated: 0 });
  });

  it('keeps a coordinator to their förvaltning, row by row', async () => {
    await world();
    const coord = await h.token('K1', [{ role: 'coordinator', unit: 'F1' }]);
    const file = csvFile([
      ['Anställningsnummer', 'Namn', 'Enhetskod'],
      ['P1', 'Ada Ek', 'F1-A-1'],
      ['P8', 'Åtta Åkesson', 'F2-X'],
    ]);
    const a = await imported(h, '/api/imports/roster?mode=snapshot&asOf=2024-01-01&confirmEnded=0', coord, file, 'k.csv');
    expect(a).toMatchObject({ rowsAccepted: 1, rowsRejected: 1, changes: { started: 1, ended: 0 } });
    expect(a.errors[0]).toMatchObject({ row: 3, column: 'Enhetskod' });
    // P9 in F2 is still employed: the coordinator's file speaks for F1 only.
    expect((await cov('F2', '2024-03-01')).total.population).toBe(1);
    // Units are the admin's.
    const res = await upload(h, '/api/imports/units', coord, UNITS, 'u.csv');
    expect(res.status).toBe(403);
  });

  it('finds the header below a title line and numbers rows as Excel shows them', async () => {
    await world();
    const file = xlsxFile([
      ['Personalförteckning Förvaltning ett', null, null],
      [null, null, null],
      ['Anställningsnummer', 'Namn', 'Enhetskod'],
      ['P1', 'Ada Ek', 'F1-A-1'],
      ['P2', 'Bo Al', 'F9'],
    ]);
    const a = await imported(h, '/api/imports/roster?mode=snapshot&asOf=2024-01-01&dryRun=1', admin, file, 't.xlsx');
    expect(a).toMatchObject({ rowsTotal: 2, rowsAccepted: 1, rowsRejected: 1, changes: { started: 1 } });
    expect(a.errors[0]).toMatchObject({ row: 5, column: 'Enhetskod' });
  });

  it('new terms in a snapshot end the old ones the day before and start the new on asOf', async () => {
    await world();
    const head = ['Anställningsnummer', 'Namn', 'Enhetskod', 'Befattning', 'Anställningsform', 'Chef', 'Anställd till'];
    await imported(h, '/api/imports/roster?mode=snapshot&asOf=2024-01-01', admin, csvFile([head, ['P1', 'Ada Ek', 'F1-A-1', 'Handläggare', 'visstid', 'nej', '2024-12-31']]), 'a.csv');
    // Same job, new end date: the same employment, its end moved.
    const later = await imported(h, '/api/imports/roster?mode=snapshot&asOf=2024-02-01', admin, csvFile([head, ['P1', 'Ada Ek', 'F1-A-1', 'Handläggare', 'visstid', 'nej', '2025-06-30']]), 'b.csv');
    expect(later.changes).toMatchObject({ started: 0, ended: 0, moved: 0, updated: 1 });
    // Now permanent and a manager: the visstid ends 2024-02-29 and the new terms start 2024-03-01.
    const promoted = await imported(h, '/api/imports/roster?mode=snapshot&asOf=2024-03-01', admin, csvFile([head, ['P1', 'Ada Ek', 'F1-A-1', 'Enhetschef', 'tillsvidare', 'ja', '']]), 'c.csv');
    expect(promoted.changes).toMatchObject({ started: 0, ended: 0, moved: 0, updated: 1 });
    const rows = await h.db.selectFrom('employment as e').innerJoin('person as p', 'p.id', 'e.person_id').select(['e.title', 'e.employment_type', 'e.is_manager', 'e.start_date', 'e.end_date']).where('p.employee_number', '=', 'P1').orderBy('e.start_date').execute();
    expect(rows).toEqual([
      { title: 'Handläggare', employment_type: 'visstid', is_manager: 0, start_date: '2024-01-01', end_date: '2024-02-29' },
      { title: 'Enhetschef', employment_type: 'tillsvidare', is_manager: 1, start_date: '2024-03-01', end_date: null },
    ]);
    // Counted once in F1 throughout: the employment is unbroken.
    expect((await cov('F1', '2024-02-29')).total.population).toBe(1);
    expect((await cov('F1', '2024-03-01')).total.population).toBe(1);
  });

  it('a future start in a snapshot is taken once and not ended by the next snapshot', async () => {
    await world();
    const file = csvFile([
      ['Anställningsnummer', 'Namn', 'Enhetskod', 'Anställd från'],
      ['P1', 'Ada Ek', 'F1-A-1', ''],
      ['P7', 'Sju Sjö', 'F1-A-2', '2024-04-01'],
    ]);
    const a = await imported(h, '/api/imports/roster?mode=snapshot&asOf=2024-03-01', admin, file, 'f.csv');
    expect(a.changes).toMatchObject({ started: 2, ended: 0 });
    const again = await imported(h, '/api/imports/roster?mode=snapshot&asOf=2024-03-01', admin, file, 'f.csv');
    expect(again.changes).toMatchObject({ started: 0, ended: 0, moved: 0, updated: 0 });
    // A later snapshot without P7 leaves the announced start alone; P1 is still there.
    const later = await imported(h, '/api/imports/roster?mode=snapshot&asOf=2024-03-15', admin, csvFile([['Anställningsnummer', 'Namn', 'Enhetskod'], ['P1', 'Ada Ek', 'F1-A-1']]), 'g.csv');
    expect(later.changes).toMatchObject({ started: 0, ended: 0, moved: 0 });
    expect((await cov('F1', '2024-03-31')).total.population).toBe(1);
    expect((await cov('F1', '2024-04-01')).total.population).toBe(2);
  });

  it('a snapshot naming its unit rejects a stray row from elsewhere instead of ending that förvaltning', async () => {
    await world();
    const file = csvFile([
      ['Anställningsnummer', 'Namn', 'Enhetskod'],
      ['P1', 'Ada Ek', 'F1-A-1'],
      ['P8', 'Åtta Åkesson', 'F2-X'], // on loan, listed by mistake
    ]);
    const a = await imported(h, '/api/imports/roster?mode=snapshot&asOf=2024-01-01&scope=F1&dryRun=true', admin, file, 's.csv');
    expect(a).toMatchObject({ rowsAccepted: 1, rowsRejected: 1, changes: { started: 1, ended: 0 } });
    expect(a.errors[0]).toMatchObject({ row: 3, column: 'Enhetskod' });
    // Without scope= the row makes F2 part of the snapshot, and P9 there would end: the dry run shows it.
    const b = await imported(h, '/api/imports/roster?mode=snapshot&asOf=2024-01-01&dryRun=true', admin, file, 's.csv');
    expect(b.changes).toMatchObject({ started: 2, ended: 1 });
    expect((await upload(h, '/api/imports/roster?mode=snapshot&asOf=2024-01-01&scope=NOPE', admin, file, 's.csv')).status).toBe(422);
  });
});

