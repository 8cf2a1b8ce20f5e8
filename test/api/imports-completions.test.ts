import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtures } from '../fixtures/files.ts';
import { course, load, requirement } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';
import { count, csvFile, imported, upload } from '../support/sheets.ts';

// The files in test/fixtures/ are saved as Excel and HR systems save them (make-fixtures.ts);
// every figure below is worked out by hand from them.

let h: Harness;
let admin: string;
beforeEach(async () => {
  h = await nodeHarness();
  admin = await h.token('ADMIN', [{ role: 'admin' }]);
});
afterEach(() => h.close());

const cov = (unit: string, asOf: string) => h.json(`/api/coverage?unit=${unit}&requirement=VBE-ALLA&asOf=${asOf}`, admin);
const child = (a: any, code: string) => a.children.find((c: any) => c.unit.code === code);

async function skarholmen() {
  const units = await imported(h, '/api/imports/units', admin, fixtures['units.xlsx'], 'units.xlsx');
  expect(units).toMatchObject({ rowsTotal: 6, rowsAccepted: 6, changes: { added: 6 } });
  const roster = await imported(h, '/api/imports/roster?mode=history', admin, fixtures['roster-utf8-bom.csv'], 'roster.csv');
  expect(roster).toMatchObject({ rowsTotal: 4, rowsAccepted: 4, rowsRejected: 0, changes: { started: 4, peopleAdded: 4 } });
  await load(h.db, { courses: [course('VBE')], requirements: [requirement({ code: 'VBE-ALLA', courses: ['VBE'], scope: ['STHLM'] })] });
}

describe('completions import', () => {
  it('reads a Windows-1252 semicolon CSV and an xlsx with date cells, and the coverage follows', async () => {
    await skarholmen();
    // Names with Ö and Å survived the BOM file; the unit came from the name path.
    const orjan = await h.db.selectFrom('person').selectAll().where('employee_number', '=', '1001').executeTakeFirstOrThrow();
    expect(orjan.name).toBe('Örjan Åström');
    const ali = await h.db.selectFrom('employment as e').innerJoin('person as p', 'p.id', 'e.person_id').select(['e.unit_code', 'e.title']).where('p.employee_number', '=', '1003').executeTakeFirstOrThrow();
    expect(ali).toEqual({ unit_code: 'SKH-FSK', title: 'Förskollärare' });

    const res = await upload(h, '/api/imports/completions', admin, fixtures['completions-semicolon-1252.csv'], 'lms.csv');
    expect(res.status).toBe(200);
    const a = await res.json();
    expect(a).toMatchObject({ rowsTotal: 8, rowsAccepted: 4, rowsRejected: 4, changes: { added: 4 } });
    expect(a.errors.map((e: any) => [e.row, e.column])).toEqual([
      [6, 'Anställningsnummer'],
      [7, 'Kurs'],
      [8, 'Status'],
      [9, 'Datum'],
    ]);
    expect(a.errors[1].messageSv).toContain('OKÄND KURS');
    expect(a.errors.every((e: any) => e.message === e.messageSv && e.messageEn.length > 0)).toBe(true);

    // 2019-12-31: 1001, 1002, 1003 employed (1004 starts 2020-02-01). 1001 completed; 1002
    // started; 1003 failed and then started again. IFO: 1001, 1002; Förskola: 1003.
    const y2019 = await cov('SKH', '2019-12-31');
    expect(y2019.total).toMatchObject({ population: 3, completed: 1, started: 2, notStarted: 0, reached: 3, gap: 2 });
    expect(child(y2019, 'SKH-IFO')).toMatchObject({ population: 2, completed: 1, started: 1 });
    expect(child(y2019, 'SKH-FSK')).toMatchObject({ population: 1, completed: 0, started: 1 });

    const b = await imported(h, '/api/imports/completions', admin, fixtures['completions-dates.xlsx'], 'lms.xlsx');
    expect(b).toMatchObject({ rowsTotal: 3, rowsAccepted: 3, rowsRejected: 0, changes: { added: 3 } });
    const stored = await h.db
      .selectFrom('completion as c')
      .innerJoin('person as p', 'p.id', 'c.person_id')
      .select(['p.employee_number', 'c.status', 'c.occurred_at', 'c.source'])
      .orderBy('c.occurred_at')
      .execute();
    expect(stored.map((s) => [s.employee_number, s.status, s.occurred_at])).toEqual([
      ['1003', 'failed', '2019-04-01'],
      ['1001', 'completed', '2019-05-10'],
      ['1002', 'started', '2019-06-01T14:30:00'],
      ['1003', 'started', '2019-09-02'],
      ['1004', 'started', '2020-02-10T09:30:00'],
      ['1002', 'completed', '2020-03-10'], // serial 43900
      ['1004', 'completed', '2020-03-15'],
    ]);
    expect(new Set(stored.map((s) => s.source))).toEqual(new Set(['import']));

    // 2020-03-12: four employed; 1001 and 1002 completed; 1003 and 1004 started.
    expect((await cov('SKH', '2020-03-12')).total).toMatchObject({ population: 4, completed: 2, started: 2, notStarted: 0, rate: 0.5 });
    // 2020-03-31: 1004 completed on the 15th too.
    const march = await cov('SKH', '2020-03-31');
    expect(march.total).toMatchObject({ population: 4, completed: 3, started: 1, rate: 0.75, gap: 1 });
    expect(child(march, 'SKH-IFO')).toMatchObject({ population: 3, completed: 3 });
  });

  it('re-importing the same file changes nothing; a dry run writes nothing', async () => {
    await skarholmen();
    const dry = await imported(h, '/api/imports/completions?dryRun=true', admin, fixtures['completions-semicolon-1252.csv'], 'lms.csv');
    expect(dry).toMatchObject({ batchId: null, dryRun: true, rowsAccepted: 4, changes: { added: 4 } });
    expect(await count(h, 'completion')).toBe(0);
    expect(await count(h, 'import_batch')).toBe(2);

    const first = await imported(h, '/api/imports/completions', admin, fixtures['completions-semicolon-1252.csv'], 'lms.csv');
    expect(first.changes).toEqual({ added: 4 });
    const tables = ['completion', 'person', 'employment'] as const;
    const before = await Promise.all(tables.map((t) => count(h, t)));
    const again = await imported(h, '/api/imports/completions', admin, fixtures['completions-semicolon-1252.csv'], 'lms.csv');
    expect(again).toMatchObject({ rowsAccepted: 4, rowsRejected: 4, changes: { added: 0 } });
    expect(await Promise.all(tables.map((t) => count(h, t)))).toEqual(before);
    const rosterAgain = await imported(h, '/api/imports/roster?mode=history', admin, fixtures['roster-utf8-bom.csv'], 'roster.csv');
    expect(rosterAgain.changes).toEqual({ started: 0, ended: 0, moved: 0, updated: 0, peopleAdded: 0, peopleUpdated: 0 });
    expect(await Promise.all(tables.map((t) => count(h, t)))).toEqual(before);

    // Every committed import is in the audit log, by its batch.
    const log = await h.db.selectFrom('audit_log').selectAll().where('kind', '=', 'import').execute();
    expect(log.map((l) => l.action)).toEqual(['units', 'roster', 'completions', 'completions', 'roster']);
    expect(log.every((l) => l.actor === 'ADMIN')).toBe(true);
  });

  it('keeps a coordinator to people employed in their förvaltning', async () => {
    await skarholmen();
    await load(h.db, { units: [['OTHER', 'Annan förvaltning', 'STHLM', 'forvaltning']], people: [['2001', 'Annan Person']], employments: [{ p: '2001', unit: 'OTHER', from: '2019-01-01' }] });
    const coord = await h.token('K', [{ role: 'coordinator', unit: 'SKH' }]);
    const file = csvFile([
      ['Anställningsnummer', 'Kurs', 'Status', 'Datum'],
      ['1001', 'VBE', 'Genomförd', '2019-05-10'],
      ['2001', 'VBE', 'Genomförd', '2019-05-10'],
    ]);
    const a = await imported(h, '/api/imports/completions', coord, file, 'k.csv');
    expect(a).toMatchObject({ rowsAccepted: 1, rowsRejected: 1, changes: { added: 1 } });
    expect(a.errors[0]).toMatchObject({ row: 3, column: 'Anställningsnummer' });
    // The coordinator sees their own import and the admin's roster of Skärholmen (batch 2), not
    // the organisation register (batch 1), which is no förvaltning's.
    expect((await h.json('/api/imports', coord)).imports.map((i: any) => i.id)).toEqual([a.batchId, 2]);
    expect((await h.request(`/api/imports/1`, { token: coord })).status).toBe(403);
    const staff = await h.token('1001');
    expect((await upload(h, '/api/imports/completions', staff, file, 'k.csv')).status).toBe(403);
  });

  it('streams progress as NDJSON with the answer last', async () => {
    await skarholmen();
    const res = await upload(h, '/api/imports/completions', admin, fixtures['completions-semicolon-1252.csv'], 'lms.csv', { accept: 'application/x-ndjson' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    const last = lines.pop();
    expect(last.result).toMatchObject({ rowsTotal: 8, rowsAccepted: 4, changes: { added: 4 } });
    expect(new Set(lines.map((l) => l.phase))).toEqual(new Set(['read', 'check', 'write']));
    for (const l of lines) expect(l.done).toBeLessThanOrEqual(l.total);

    const bad = await upload(h, '/api/imports/completions', admin, csvFile([['Vem', 'Vad']]), 'x.csv', { accept: 'application/x-ndjson' });
    const badLines = (await bad.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(badLines.at(-1).problem).toMatchObject({ status: 422, code: 'import.columns' });
  });

  it('leaves out what is held for any course in the file, wherever its id lies, and a record the file repeats', async () => {
    await load(h.db, { people: [['P1', 'Ett'], ['P2', 'Två']], courses: [course('A'), course('B'), course('C')] });
    const person = new Map((await h.db.selectFrom('person').select(['id', 'employee_number']).execute()).map((p) => [p.employee_number, p.id]));
    const courseId = new Map((await h.db.selectFrom('course').select(['id', 'code']).execute()).map((c) => [c.code, c.id]));
    // Held records far apart in id: the import reads what is held a span of ids at a time.
    const held = (id: number, p: string, c: string, status: 'completed' | 'started', at: string) =>
      ({ id, person_id: person.get(p)!, course_id: courseId.get(c)!, status, occurred_at: at, source: 'manual' as const, source_ref: null, recorded_by: 'test', recorded_at: '2020-01-01T00:00:00.000Z', import_batch_id: null });
    await h.db
      .insertInto('completion')
      .values([held(1, 'P1', 'A', 'completed', '2020-01-01'), held(5_000, 'P2', 'B', 'completed', '2020-02-02'), held(50_000, 'P1', 'C', 'started', '2020-03-03'), held(50_001, 'P2', 'A', 'completed', '2020-04-04')])
      .execute();
    const file = csvFile([
      ['Anställningsnummer', 'Kurs', 'Status', 'Datum'],
      ['P1', 'A', 'Genomförd', '2020-01-01'], // held (id 1)
      ['P2', 'B', 'Genomförd', '2020-02-02'], // held (id 5 000)
      ['P1', 'C', 'Påbörjad', '2020-03-03'], // held (id 50 000)
      ['P1', 'C', 'Genomförd', '2020-03-03'], // new: another status
      ['P2', 'A', 'Genomförd', '2020-04-05'], // new: another day than id 50 001's
      ['P2', 'A', 'Genomförd', '2020-04-05'], // the row above again
    ]);
    const a = await imported(h, '/api/imports/completions', admin, file, 'h.csv');
    expect(a).toMatchObject({ rowsTotal: 6, rowsAccepted: 6, rowsRejected: 0, changes: { added: 2 } });
    const written = await h.db.selectFrom('completion').select(['person_id', 'course_id', 'status', 'occurred_at', 'source_ref']).where('import_batch_id', '=', a.batchId).orderBy('id').execute();
    expect(written).toEqual([
      { person_id: person.get('P1'), course_id: courseId.get('C'), status: 'completed', occurred_at: '2020-03-03', source_ref: 'row 5' },
      { person_id: person.get('P2'), course_id: courseId.get('A'), status: 'completed', occurred_at: '2020-04-05', source_ref: 'row 6' },
    ]);
  });

  it('writes the records of a file in no order of person by person, each person’s in the order of the file', async () => {
    await load(h.db, { people: [['P1', 'Ett'], ['P2', 'Två'], ['P3', 'Tre']], courses: [course('A'), course('B')] });
    const file = csvFile([
      ['Anställningsnummer', 'Kurs', 'Status', 'Datum'],
      ['P3', 'A', 'Genomförd', '2024-01-03'], // row 2
      ['P1', 'B', 'Genomförd', '2024-01-05'], // row 3
      ['P2', 'A', 'Påbörjad', '2024-01-01'], // row 4
      ['P1', 'A', 'Genomförd', '2024-01-02'], // row 5
      ['P3', 'B', 'Genomförd', '2024-01-04'], // row 6
    ]);
    const a = await imported(h, '/api/imports/completions', admin, file, 'lms.csv');
    expect(a).toMatchObject({ rowsAccepted: 5, changes: { added: 5 } });
    // The people were loaded P1, P2, P3: their ids ascend in that order.
    const written = await h.db.selectFrom('completion').select('source_ref').orderBy('id').execute();
    expect(written.map((r) => r.source_ref)).toEqual(['row 3', 'row 5', 'row 4', 'row 2', 'row 6']);
  });

  it('keeps the order of a file that is near enough in order of person', async () => {
    await load(h.db, { people: [['P1', 'Ett'], ['P2', 'Två'], ['P3', 'Tre'], ['P4', 'Fyra']], courses: [course('A'), course('B')] });
    // One step back (row 9, P4 → P1) in nine rows: within the eighth, so written as the file has them.
    const file = csvFile([
      ['Anställningsnummer', 'Kurs', 'Status', 'Datum'],
      ...[
        ['P1', 'A'],
        ['P1', 'B'],
        ['P2', 'A'],
        ['P2', 'B'],
        ['P3', 'A'],
        ['P3', 'B'],
        ['P4', 'A'],
        ['P1', 'A', '2024-02-01'],
        ['P4', 'B'],
      ].map(([p, c, d]) => [p, c, 'Genomförd', d ?? '2024-01-01']),
    ]);
    const a = await imported(h, '/api/imports/completions', admin, file, 'lms.csv');
    expect(a).toMatchObject({ rowsAccepted: 9, changes: { added: 9 } });
    const written = await h.db.selectFrom('completion').select('source_ref').orderBy('id').execute();
    expect(written.map((r) => r.source_ref)).toEqual(['row 2', 'row 3', 'row 4', 'row 5', 'row 6', 'row 7', 'row 8', 'row 9', 'row 10']);
  });

  it('finds a person by e-mail where the row has no employee number or one not held, but not by an address two people share', async () => {
    await load(h.db, {
      people: [['P1', 'Ada Berg', 'ada@stad.se'], ['P2', 'Bo Ek', 'bo@stad.se'], ['P3', 'Cia Fors', 'delad@stad.se'], ['P4', 'Dan Gran', 'Delad@stad.se']],
      courses: [course('VBE')],
    });
    const file = csvFile([
      ['Anställningsnummer', 'E-post', 'Kurs', 'Status', 'Datum'],
      ['', 'ADA@STAD.SE', 'VBE', 'Genomförd', '2024-03-01'], // row 2: P1 by address, case aside
      ['ZZ9', 'bo@stad.se', 'VBE', 'Genomförd', '2024-03-02'], // row 3: no ZZ9 held, so P2 by address
      ['', 'delad@stad.se', 'VBE', 'Genomförd', '2024-03-03'], // row 4: P3's and P4's address names neither
      ['P1', 'bo@stad.se', 'VBE', 'Påbörjad', '2024-01-15'], // row 5: the number wins over the address
    ]);
    const a = await imported(h, '/api/imports/completions', admin, file, 'lms.csv');
    expect(a).toMatchObject({ rowsTotal: 4, rowsAccepted: 3, rowsRejected: 1, changes: { added: 3 } });
    expect(a.errors.map((e: { row: number; column: string }) => [e.row, e.column])).toEqual([[4, 'E-post']]);
    const held = await h.db
      .selectFrom('completion as c')
      .innerJoin('person as p', 'p.id', 'c.person_id')
      .select(['p.employee_number as who', 'c.status', 'c.occurred_at'])
      .orderBy('c.occurred_at')
      .execute();
    expect(held.map((r) => [r.who, r.status, r.occurred_at.slice(0, 10)])).toEqual([
      ['P1', 'started', '2024-01-15'],
      ['P1', 'completed', '2024-03-01'],
      ['P2', 'completed', '2024-03-02'],
    ]);
  });
});

