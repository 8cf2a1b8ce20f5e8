import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtures } from '../fixtures/files.ts';
import { course, load, requirement } from '../support/fixtures.ts';
import { adminHarness, ADMIN } from '../support/admin-harness.ts';
import type { Harness } from '../support/harness.ts';
import { count, csvFile, imported, upload } from '../support/sheets.ts';

// Issue 15: imports that cannot hurt. The files are saved as HR's and the learning portal's tools
// save them (test/fixtures/make-fixtures.ts); every figure is worked out by hand from them.

let h: Harness;
let admin: string;
beforeEach(async () => {
  ({ h, admin } = await adminHarness());
});
afterEach(() => h.close());

const AS_OF = '2024-03-01';
const SNAPSHOT = `/api/imports/roster?mode=snapshot&scope=HAV&asOf=${AS_OF}`;
const NAMES = ['Hanna Ek', 'Hugo Al', 'Hedda Björk', 'Harald Gran', 'Hilda Lönn', 'Henrik Asp', 'Hedvig Alm', 'Hampus Ask', 'Helmi Hägg', 'Holger Sälg'];
const num = (i: number) => `H${String(i).padStart(2, '0')}`;
const population = async (unit: string, asOf = AS_OF) => (await h.json(`/api/coverage?unit=${unit}&requirement=R&asOf=${asOf}`, admin)).total.population;

/** The city of units-giltig.xls: every stadsdelsförvaltning has a Vuxenenheten and an Administration. */
const UNITS: NonNullable<Parameters<typeof load>[1]['units']> = [
  ['STHLM', 'Stockholms stad', null, 'stad', '2000-01-01'],
  ['HAV', 'Hägersten-Älvsjö stadsdelsförvaltning', 'STHLM', 'forvaltning', '2020-01-01'],
  ['HAV-IFO', 'Individ och familj', 'HAV', 'avdelning', '2020-01-01'],
  ['HAV-IFO-VUX', 'Vuxenenheten', 'HAV-IFO', 'enhet', '2020-01-01'],
  ['HAV-ADM', 'Administration', 'HAV', 'enhet', '2020-01-01'],
  ['SKH', 'Skärholmens stadsdelsförvaltning', 'STHLM', 'forvaltning', '2000-01-01'],
  ['SKH-IFO-VUX', 'Vuxenenheten', 'SKH', 'enhet', '2000-01-01'],
  ['SKH-ADM', 'Administration', 'SKH', 'enhet', '2000-01-01'],
  ['SKH-GAMMAL', 'Nedlagd enhet', 'SKH', 'enhet', '2000-01-01', '2019-12-31'],
];

/**
 * The city, and HAV's twenty staff: H01–H05 and H11–H15 in Vuxenenheten, H06–H10 and H16–H20 in
 * Administration, since 2020; S01 in Skärholmen. The units as held, not imported, so the wipe-out
 * tests run as far as the commit on the code before issue 15 (which did not read .xls at all).
 */
async function city() {
  await load(h.db, {
    units: UNITS,
    people: [...Array.from({ length: 20 }, (_, i) => [num(i + 1), NAMES[i] ?? `Person ${num(i + 1)}`] as [string, string]), ['S01', 'Sam Skär']],
    employments: [
      ...Array.from({ length: 20 }, (_, i) => ({ p: num(i + 1), unit: i % 10 < 5 ? 'HAV-IFO-VUX' : 'HAV-ADM', from: '2020-01-01' })),
      { p: 'S01', unit: 'SKH-IFO-VUX', from: '2020-01-01' },
    ],
    courses: [course('VBE')],
    requirements: [requirement({ code: 'R', courses: ['VBE'], scope: ['STHLM'] })],
  });
  expect(await population('HAV')).toBe(20);
}

const TABLES = ['person', 'employment', 'completion', 'org_unit', 'import_batch', 'import_rejected_row', 'audit_log'] as const;
const counts = () => Promise.all(TABLES.map((t) => count(h, t)));
const employments = () => h.db.selectFrom('employment').selectAll().orderBy('id').execute();

/** Posts with extra form fields beside the file (the column mapping). */
async function uploadWith(path: string, bytes: Uint8Array, fileName: string, fields: Record<string, string>) {
  const form = new FormData();
  form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), fileName);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return h.request(path, { method: 'POST', body: form, token: admin });
}

describe('an Excel 97–2003 register', () => {
  it('reads the .xls with its Giltig fr.o.m./t.o.m. date cells, skipping the blank row', async () => {
    const units = await imported(h, '/api/imports/units', admin, fixtures['units-giltig.xls'], 'organisation.xls');
    expect(units).toMatchObject({ rowsTotal: 9, rowsAccepted: 9, rowsRejected: 0, skippedRows: 1, ignoredColumns: [], unmappedFields: [], changes: { added: 9 } });
    const held = await h.db.selectFrom('org_unit').select(['code', 'name', 'parent_code', 'kind', 'valid_from', 'valid_to']).orderBy('id').execute();
    // Before issue 15 "Giltig fr.o.m." was ignored and a new unit got valid_from 1900-01-01.
    expect(held).toEqual(UNITS.map(([code, name, parent_code, kind, valid_from, valid_to]) => ({ code, name, parent_code, kind, valid_from, valid_to: valid_to ?? null })));
    // The same file again changes nothing.
    expect((await imported(h, '/api/imports/units', admin, fixtures['units-giltig.xls'], 'organisation.xls')).changes).toEqual({ added: 0, updated: 0 });
  });

  it('reports every error of a unit row at once', async () => {
    await imported(h, '/api/imports/units', admin, fixtures['units-giltig.xls'], 'organisation.xls');
    const file = csvFile([
      ['Enhetskod', 'Namn', 'Överordnad', 'Nivå', 'Giltig fr.o.m.', 'Giltig t.o.m.'],
      ['HAV-NY', 'Ny enhet', 'HAV', 'Enhet', '1 mars 2024', '31.12.2025'],
      ['HAV-FEL', '', 'NOPE', 'sektor', '2024-02-30', 'snart'],
      ['Summa', '', '', '', '', ''],
    ]);
    const a = await imported(h, '/api/imports/units?dryRun=true', admin, file, 'enheter.csv');
    expect(a).toMatchObject({ rowsTotal: 2, rowsAccepted: 1, rowsRejected: 1, skippedRows: 1, changes: { added: 1 } });
    expect(a.errors.map((e: any) => [e.row, e.column])).toEqual([
      [3, 'Namn'],
      [3, 'Nivå'],
      [3, 'Överordnad'],
      [3, 'Giltig fr.o.m.'],
      [3, 'Giltig t.o.m.'],
    ]);
    expect(a.errors[3].messageEn).toBe('The date "2024-02-30" does not exist.');
    expect(a.errors[4].messageEn).toMatch(/cannot be read/);
  });
});

describe('THE WIPE-OUT CASE: a HAV snapshot whose rows were all rejected', () => {
  it('is refused without the number it ends, reads as HR wrote it, and commits on that word', async () => {
    await city();
    const before = await employments();
    const tables = await counts();

    // Committed straight away, as the coordinator did: before issue 15 every row was rejected and
    // all twenty HAV employments ended. Now: 409, saying how many it would end; nothing written.
    const plain = await upload(h, SNAPSHOT, admin, fixtures['hav-snapshot-1252.csv'], 'personal-hav.csv');
    expect(plain.status).toBe(409);
    const problem = await plain.json();
    expect(problem).toMatchObject({ status: 409, code: 'import.confirmEnded', ended: 10, rejected: 0, activeInScope: 20, reasons: ['manyEnded'] });
    expect(problem.detail).toContain('10');
    expect(await employments()).toEqual(before);
    expect(await counts()).toEqual(tables);
    expect(await population('HAV')).toBe(20);

    // The dry run: every row read (names resolved within HAV, a code in Enhet, dates day first and
    // in words, LAS forms, T.o.m.), the blank row and the sum row skipped, who changes by name.
    const dry = await imported(h, `${SNAPSHOT}&dryRun=true`, admin, fixtures['hav-snapshot-1252.csv'], 'personal-hav.csv');
    expect(dry).toMatchObject({
      rowsTotal: 11,
      rowsAccepted: 11,
      rowsRejected: 0,
      skippedRows: 2,
      errors: [],
      ignoredColumns: ['Kostnadsställe'],
      // H02's end date moved; H03's form is now visstid. H11–H20 are not in the file.
      changes: { started: 1, ended: 10, moved: 0, updated: 2, peopleAdded: 1, peopleUpdated: 0 },
      safety: { blocked: false, confirmEnded: 10, reasons: ['manyEnded'], activeInScope: 20 },
    });
    expect([...dry.unmappedFields].sort()).toEqual(['avdelning', 'email', 'forvaltning', 'manager', 'name', 'title', 'unitCode']);
    const vux = { code: 'HAV-IFO-VUX', name: 'Vuxenenheten' };
    const adm = { code: 'HAV-ADM', name: 'Administration' };
    const byKey = Object.fromEntries(dry.changeList.map((c: any) => [`${c.change}:${c.employeeNumber}`, c]));
    expect(Object.keys(byKey).sort()).toEqual(['changed:H02', 'changed:H03', ...Array.from({ length: 10 }, (_, i) => `ended:${num(i + 11)}`), 'started:N01'].sort());
    expect(byKey['started:N01']).toEqual({ change: 'started', employeeNumber: 'N01', name: 'Nora Ny', from: null, to: vux, startDate: '2024-01-05', endDate: '2024-12-31' });
    expect(byKey['ended:H11']).toEqual({ change: 'ended', employeeNumber: 'H11', name: 'Person H11', from: vux, to: null, startDate: '2020-01-01', endDate: '2024-02-29' });
    expect(byKey['ended:H16']).toMatchObject({ from: adm, endDate: '2024-02-29' });
    expect(byKey['changed:H02']).toMatchObject({ name: 'Hugo Al', from: vux, to: vux, endDate: '2026-06-30' });
    expect(byKey['changed:H03']).toMatchObject({ name: 'Hedda Björk', startDate: AS_OF, endDate: null });
    expect(await counts()).toEqual(tables);

    // A number that is not the dry run's is refused too.
    const wrong = await upload(h, `${SNAPSHOT}&confirmEnded=9`, admin, fixtures['hav-snapshot-1252.csv'], 'personal-hav.csv');
    expect(wrong.status).toBe(409);
    expect(await wrong.json()).toMatchObject({ code: 'import.confirmEndedWrong', ended: 10 });
    expect(await employments()).toEqual(before);

    const done = await imported(h, `${SNAPSHOT}&confirmEnded=10`, admin, fixtures['hav-snapshot-1252.csv'], 'personal-hav.csv');
    expect(done).toMatchObject({ rowsAccepted: 11, changes: { started: 1, ended: 10, updated: 2 } });
    expect(done.batchId).toBeGreaterThan(0);
    const jobs = async (n: string) =>
      h.db
        .selectFrom('employment')
        .innerJoin('person', 'person.id', 'employment.person_id')
        .select(['unit_code', 'employment_type', 'start_date', 'end_date'])
        .where('employee_number', '=', n)
        .orderBy('start_date')
        .execute();
    // T.o.m. is the end date (it was dropped without a word, leaving the employment open).
    expect(await jobs('H02')).toEqual([{ unit_code: 'HAV-IFO-VUX', employment_type: 'tillsvidare', start_date: '2020-01-01', end_date: '2026-06-30' }]);
    expect(await jobs('N01')).toEqual([{ unit_code: 'HAV-IFO-VUX', employment_type: 'visstid', start_date: '2024-01-05', end_date: '2024-12-31' }]);
    expect(await jobs('H03')).toEqual([
      { unit_code: 'HAV-IFO-VUX', employment_type: 'tillsvidare', start_date: '2020-01-01', end_date: '2024-02-29' },
      { unit_code: 'HAV-IFO-VUX', employment_type: 'visstid', start_date: AS_OF, end_date: null },
    ]);
    expect(await jobs('H10')).toEqual([{ unit_code: 'HAV-ADM', employment_type: 'tillsvidare', start_date: '2020-01-01', end_date: null }]);
    expect(await jobs('H11')).toEqual([{ unit_code: 'HAV-IFO-VUX', employment_type: 'tillsvidare', start_date: '2020-01-01', end_date: '2024-02-29' }]);
    // H01–H10 and N01 in HAV; Skärholmen's "Vuxenenheten" untouched.
    expect(await population('HAV')).toBe(11);
    expect(await population('SKH')).toBe(1);
    const entry = await h.db.selectFrom('audit_log').select('detail_json').where('kind', '=', 'import').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(entry.detail_json!)).toMatchObject({ confirmedEnded: 10, skippedRows: 2, changes: { ended: 10 } });

    // The same file again changes nothing and needs no word: it ends nothing and rejects nothing.
    const again = await imported(h, SNAPSHOT, admin, fixtures['hav-snapshot-1252.csv'], 'personal-hav.csv');
    expect(again).toMatchObject({ changes: { started: 0, ended: 0, moved: 0, updated: 0, peopleAdded: 0 }, safety: { confirmEnded: null, reasons: [] } });
  });

  it('never commits a snapshot with no row taken: a header alone, or every row rejected', async () => {
    await city();
    const before = await employments();
    const tables = await counts();

    // The report run without a selection: before issue 15 this ended every HAV employment.
    for (const path of [SNAPSHOT, `${SNAPSHOT}&confirmEnded=20`]) {
      const res = await upload(h, path, admin, fixtures['hav-header-only.csv'], 'tom.csv');
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(await res.json()).toMatchObject({ code: 'import.noAcceptedRows', reasons: ['noAcceptedRows', 'manyEnded'] });
    }
    expect(await population('HAV')).toBe(20);
    const dry = await imported(h, `${SNAPSHOT}&dryRun=1`, admin, fixtures['hav-header-only.csv'], 'tom.csv');
    expect(dry).toMatchObject({ rowsTotal: 0, rowsAccepted: 0, changes: { ended: 20 }, safety: { blocked: true, confirmEnded: null, reasons: ['noAcceptedRows', 'manyEnded'], activeInScope: 20 } });

    // Every row rejected, each for two reasons at once (an unknown unit and a day that does not exist).
    const bad = csvFile([
      ['Anst.nr', 'Namn', 'Enhet', 'Fr.o.m.'],
      ['H01', 'Hanna Ek', 'Vuxen', '2024-02-30'],
      ['H02', 'Hugo Al', 'Vuxen', '30.02.2024'],
    ]);
    const res = await upload(h, SNAPSHOT, admin, bad, 'fel.csv');
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: 'import.noAcceptedRows' });
    const a = await imported(h, `${SNAPSHOT}&dryRun=true`, admin, bad, 'fel.csv');
    expect(a).toMatchObject({ rowsTotal: 2, rowsAccepted: 0, rowsRejected: 2, safety: { blocked: true, reasons: ['noAcceptedRows', 'rejectedRows', 'manyEnded'] } });
    expect(a.errors.map((e: any) => [e.row, e.column])).toEqual([
      [2, 'Fr.o.m.'],
      [2, 'Enhet'],
      [3, 'Fr.o.m.'],
      [3, 'Enhet'],
    ]);
    expect(a.errors[0].messageSv).toBe('Datumet "2024-02-30" finns inte i kalendern.');
    expect(a.errors[0].messageEn).toBe('The date "2024-02-30" does not exist.');

    expect(await employments()).toEqual(before);
    expect(await counts()).toEqual(tables);
    expect(await population('HAV')).toBe(20);
  });

  it('commits a snapshot with a rejected row only on the word of what it ends, even nothing', async () => {
    await city();
    // Everyone in place, and one new row with two faults: an unreadable date and an unknown form.
    const rows: (string | null)[][] = [['Anställningsnummer', 'Namn', 'Enhetskod', 'Anställningsform', 'Anställd från']];
    for (let i = 1; i <= 20; i++) rows.push([num(i), NAMES[i - 1] ?? `Person ${num(i)}`, i % 10 <= 5 && i % 10 !== 0 ? 'HAV-IFO-VUX' : 'HAV-ADM', 'Tillsvidare', '2020-01-01']);
    rows.push(['X01', 'Xena Fel', 'HAV-ADM', 'Konsult', 'i går']);
    const file = csvFile(rows);
    const dry = await imported(h, `${SNAPSHOT}&dryRun=true`, admin, file, 'alla.csv');
    expect(dry).toMatchObject({ rowsTotal: 21, rowsAccepted: 20, rowsRejected: 1, changes: { started: 0, ended: 0, moved: 0, updated: 0 } });
    expect(dry.safety).toEqual({ blocked: false, confirmEnded: 0, reasons: ['rejectedRows'], activeInScope: 20 });
    expect(dry.errors.map((e: any) => [e.row, e.column])).toEqual([
      [22, 'Anställd från'],
      [22, 'Anställningsform'],
    ]);
    const refused = await upload(h, SNAPSHOT, admin, file, 'alla.csv');
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: 'import.confirmEnded', ended: 0, rejected: 1 });
    const done = await imported(h, `${SNAPSHOT}&confirmEnded=0`, admin, file, 'alla.csv');
    expect(done).toMatchObject({ rowsRejected: 1, changes: { ended: 0 } });
    // Both errors of the row are kept for the rejected-rows workbook.
    const detail = await h.json(`/api/imports/${done.batchId}`, admin);
    expect(detail.rejected.map((r: any) => [r.row, r.column])).toEqual([
      [22, 'Anställd från'],
      [22, 'Anställningsform'],
    ]);
  });
});

describe('a snapshot that needs no word', () => {
  it('commits a move and nothing else without confirmEnded, listing the move', async () => {
    await city();
    const rows: (string | null)[][] = [['Anställningsnummer', 'Namn', 'Enhet']];
    for (let i = 1; i <= 20; i++) rows.push([num(i), NAMES[i - 1] ?? `Person ${num(i)}`, i === 1 || (i % 10 > 5 || i % 10 === 0) ? 'Administration' : 'Vuxenenheten']);
    const file = csvFile(rows);
    const dry = await imported(h, `${SNAPSHOT}&dryRun=true`, admin, file, 'alla.csv');
    expect(dry).toMatchObject({ rowsAccepted: 20, changes: { started: 0, ended: 0, moved: 1, updated: 0 }, safety: { blocked: false, confirmEnded: null, reasons: [], activeInScope: 20 } });
    expect(dry.changeList).toEqual([
      { change: 'moved', employeeNumber: 'H01', name: 'Hanna Ek', from: { code: 'HAV-IFO-VUX', name: 'Vuxenenheten' }, to: { code: 'HAV-ADM', name: 'Administration' }, startDate: AS_OF, endDate: null },
    ]);
    const done = await imported(h, SNAPSHOT, admin, file, 'alla.csv');
    expect(done).toMatchObject({ changes: { moved: 1 } });
    expect(await population('HAV-ADM')).toBe(11);
  });
});

describe('the progress stream <kk-import> reads', () => {
  it('ends in the dry run\'s result with its change list, or in the problem that refused the commit', async () => {
    await city();
    const lines = async (path: string) => {
      const res = await upload(h, path, admin, fixtures['hav-snapshot-1252.csv'], 'personal-hav.csv', { accept: 'application/x-ndjson' });
      expect(res.status).toBe(200);
      return (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    };
    const dry = (await lines(`${SNAPSHOT}&dryRun=true`)).at(-1).result;
    expect(dry).toMatchObject({ skippedRows: 2, ignoredColumns: ['Kostnadsställe'], safety: { confirmEnded: 10 }, changes: { ended: 10 } });
    expect(dry.changeList).toHaveLength(13);
    const refused = (await lines(SNAPSHOT)).at(-1).problem;
    expect(refused).toMatchObject({ status: 409, code: 'import.confirmEnded', ended: 10 });
    expect(await population('HAV')).toBe(20);
    const done = (await lines(`${SNAPSHOT}&confirmEnded=10`)).at(-1).result;
    expect(done).toMatchObject({ dryRun: false, changes: { ended: 10 } });
    expect(await population('HAV')).toBe(11);
  });
});

describe('the changes as a workbook, and a coordinator\'s own column names', () => {
  it('answers the dry run\'s change list as xlsx, audited as an export of names, writing nothing else', async () => {
    await city();
    const tables = await counts();
    const res = await upload(h, `${SNAPSHOT}&dryRun=true&format=xlsx`, admin, fixtures['hav-snapshot-1252.csv'], 'personal-hav.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/spreadsheetml/);
    const XLSX = await import('xlsx');
    const wb = XLSX.read(new Uint8Array(await res.arrayBuffer()), { type: 'array', cellDates: false });
    expect(wb.SheetNames).toEqual(['Ändringar']);
    const rows = XLSX.utils.sheet_to_json<any[]>(wb.Sheets['Ändringar'], { header: 1, raw: false, dateNF: 'yyyy-mm-dd' });
    expect(rows[0]).toEqual(['Ändring', 'Anställningsnummer', 'Namn', 'Från enhet', 'Till enhet', 'Från och med', 'Till och med']);
    expect(rows).toHaveLength(14);
    const n01 = rows.find((r) => r[1] === 'N01')!;
    expect(n01).toEqual(['Börjar', 'N01', 'Nora Ny', undefined, 'Vuxenenheten (HAV-IFO-VUX)', '2024-01-05', '2024-12-31']);
    expect(rows.filter((r) => r[0] === 'Avslutas')).toHaveLength(10);
    // Only the export's audit entry is written.
    const after = await counts();
    expect(after.map((n, i) => n - tables[i])).toEqual([0, 0, 0, 0, 0, 0, 1]);
    const entry = await h.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ actor: ADMIN, kind: 'export.importChanges', action: 'export', scope: 'HAV' });
    expect(JSON.parse(entry.detail_json!)).toMatchObject({ kind: 'roster', rows: 13, asOf: AS_OF });
    // Only for a roster's dry run.
    const commit = await upload(h, `${SNAPSHOT}&format=xlsx`, admin, fixtures['hav-snapshot-1252.csv'], 'personal-hav.csv');
    expect(commit.status).toBe(400);
    expect((await commit.json()).code).toBe('import.formatNeedsDryRun');
  });

  it('lists the columns it did not read and reads one the coordinator maps', async () => {
    await city();
    const file = csvFile([
      ['Anställningsnummer', 'Namn', 'Enhetskod', 'Första dag', 'Sista anställningsdag'],
      ['H01', 'Hanna Ek', 'HAV-IFO-VUX', '2020-01-01', '30/6/2026'],
    ]);
    const path = '/api/imports/roster?mode=history&dryRun=true';
    // Without a start date a history file cannot be read at all; the answer names what it found.
    const plain = await uploadWith(path, file, 'p.csv', {});
    expect(plain.status).toBe(422);
    const refused = await plain.json();
    expect(refused).toMatchObject({ code: 'import.columns', found: ['Anställningsnummer', 'Namn', 'Enhetskod', 'Första dag', 'Sista anställningsdag'] });
    // …and what a coordinator can map before the next dry run: the two columns nothing took, and
    // among the fields nothing took, the start date that is missing.
    expect(refused.ignoredColumns).toEqual(['Första dag', 'Sista anställningsdag']);
    expect(refused.unmappedFields).toEqual(expect.arrayContaining(['startDate', 'endDate']));
    expect(refused.unmappedFields).not.toContain('employeeNumber');
    const half = await (await uploadWith(path, file, 'p.csv', { mapping: JSON.stringify({ 'Första dag': 'startDate' }) })).json();
    expect(half).toMatchObject({ ignoredColumns: ['Sista anställningsdag'], rowsAccepted: 1, changes: { started: 0, updated: 0, ended: 0 }, changeList: [] });
    expect(half.unmappedFields).toContain('endDate');
    // Mapped as written or in another case, like the synonyms.
    const mapped = await (await uploadWith(path, file, 'p.csv', { mapping: JSON.stringify({ 'Första dag': 'startDate', 'sista anställningsdag': 'endDate' }) })).json();
    expect(mapped).toMatchObject({ ignoredColumns: [], rowsAccepted: 1, changes: { ended: 1 }, changeList: [{ change: 'ended', employeeNumber: 'H01', endDate: '2026-06-30' }] });
    expect(mapped.unmappedFields).not.toContain('endDate');
    expect(mapped.safety).toBeNull();

    const unknown = await uploadWith(path, file, 'p.csv', { mapping: JSON.stringify({ 'Sista anställningsdag': 'slutdatum' }) });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 'import.unknownMappingField', fields: expect.arrayContaining(['endDate', 'startDate']) });
    const broken = await uploadWith(path, file, 'p.csv', { mapping: '{nej' });
    expect(broken.status).toBe(400);
    expect((await broken.json()).code).toBe('import.badMapping');
  });
});

describe('completions as the learning portal writes them', () => {
  it('takes Användar-ID and Slutförandedatum, records nothing for Ej påbörjad, rejects a result from the future', async () => {
    await city();
    const a = await imported(h, '/api/imports/completions', admin, fixtures['completions-lms.xlsx'], 'lms.xlsx');
    // Rows 2–6 and 8; row 7 blank, row 9 the total. H04 dated 2099; H05 with two faults.
    expect(a).toMatchObject({ rowsTotal: 6, rowsAccepted: 4, rowsRejected: 2, skippedRows: 2, ignoredColumns: ['Avdelning'], unmappedFields: ['email'], changes: { added: 3 } });
    expect(a.errors.map((e: any) => [e.row, e.column])).toEqual([
      [5, 'Slutförandedatum'],
      [6, 'Status'],
      [6, 'Slutförandedatum'],
    ]);
    expect(a.errors[0].messageSv).toContain('2099-01-01');
    expect(a.errors[2].messageSv).toContain('finns inte');
    const records = await h.db
      .selectFrom('completion')
      .innerJoin('person', 'person.id', 'completion.person_id')
      .select(['employee_number', 'status', 'occurred_at'])
      .orderBy('employee_number')
      .execute();
    expect(records).toEqual([
      { employee_number: 'H01', status: 'completed', occurred_at: '2024-02-01' },
      { employee_number: 'H03', status: 'started', occurred_at: '2024-02-05' },
      { employee_number: 'H06', status: 'completed', occurred_at: '2024-02-05' },
    ]);
  });
});
