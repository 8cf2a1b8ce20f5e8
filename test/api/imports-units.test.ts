import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { course, load, requirement } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';
import { csvFile, day, imported, xlsxFile } from '../support/sheets.ts';

let h: Harness;
let admin: string;
beforeEach(async () => {
  h = await nodeHarness();
  admin = await h.token('ADMIN', [{ role: 'admin' }]);
});
afterEach(() => h.close());

const REORG = xlsxFile([
  ['Nivå', 'Giltig till', 'Namn', 'Enhetskod', 'Överordnad', 'Giltig från'],
  ['stad', null, 'Stockholms stad', 'STHLM', null, day('2000-01-01')],
  ['förvaltning', day('2019-12-31'), 'Hägersten-Liljeholmen', 'HL', 'STHLM', day('2000-01-01')],
  ['förvaltning', day('2019-12-31'), 'Älvsjö', 'ALV', 'STHLM', day('2000-01-01')],
  ['Förvaltning', null, 'Hägersten-Älvsjö', 'HAV', 'STHLM', day('2020-01-01')],
  ['enhet', null, 'Vuxenenheten', 'HAV-VU', 'HAV', '2020-01-01'],
]);

describe('units import', () => {
  it('keeps each version of a unit, closing the earlier one when a new one starts', async () => {
    const a = await imported(h, '/api/imports/units', admin, REORG, 'org.xlsx');
    expect(a).toMatchObject({ rowsTotal: 5, rowsAccepted: 5, changes: { added: 5, updated: 0 } });
    expect(a.batchId).toBeGreaterThan(0);

    // A rename from 2021: a new version; the 2020 one now ends 2020-12-31.
    const rename = csvFile([
      ['code', 'name', 'parentCode', 'kind', 'validFrom'],
      ['HAV', 'Hägersten-Älvsjö stadsdelsförvaltning', 'STHLM', 'administration', '2021-01-01'],
      ['HAV-X', 'Okänd förälder', 'NOPE', 'unit', '2021-01-01'], // row 3
      ['HAV-Y', 'Konstig nivå', 'HAV', 'sektor', '2021-01-01'], // row 4
      ['HAV-Z', 'Fel datum', 'HAV', 'enhet', '2021-13-01'], // row 5
      ['HAV', 'Samma igen', 'STHLM', 'förvaltning', '2021-01-01'], // row 6
    ], ',');
    const b = await imported(h, '/api/imports/units', admin, rename, 'rename.csv');
    expect(b).toMatchObject({ rowsTotal: 5, rowsAccepted: 1, rowsRejected: 4, changes: { added: 1, updated: 1 } });
    expect(b.errors.map((e: any) => [e.row, e.column])).toEqual([
      [3, 'parentCode'],
      [4, 'kind'],
      [5, 'validFrom'],
      [6, 'code'],
    ]);
    const hav = await h.db.selectFrom('org_unit').select(['name', 'valid_from', 'valid_to']).where('code', '=', 'HAV').orderBy('valid_from').execute();
    expect(hav).toEqual([
      { name: 'Hägersten-Älvsjö', valid_from: '2020-01-01', valid_to: '2020-12-31' },
      { name: 'Hägersten-Älvsjö stadsdelsförvaltning', valid_from: '2021-01-01', valid_to: null },
    ]);

    // Reports name the unit as it was on the date asked.
    await load(h.db, { courses: [course('C')], requirements: [requirement({ code: 'R', courses: ['C'], scope: ['STHLM'] })] });
    expect((await h.json('/api/coverage?unit=HAV&requirement=R&asOf=2020-06-01', admin)).unit.name).toBe('Hägersten-Älvsjö');
    expect((await h.json('/api/coverage?unit=HAV&requirement=R&asOf=2021-06-01', admin)).unit.name).toBe('Hägersten-Älvsjö stadsdelsförvaltning');
    expect((await h.request('/api/coverage?unit=HL&requirement=R&asOf=2021-06-01', { token: admin })).status).toBeGreaterThanOrEqual(400);
    expect((await h.json('/api/coverage?unit=STHLM&requirement=R&asOf=2019-06-01', admin)).children.map((c: any) => c.unit.code).sort()).toEqual(['ALV', 'HL']);

    // The same files again: nothing changes.
    expect((await imported(h, '/api/imports/units', admin, REORG, 'org.xlsx')).changes).toEqual({ added: 0, updated: 0 });
    expect((await imported(h, '/api/imports/units', admin, rename, 'rename.csv')).changes).toEqual({ added: 0, updated: 0 });
  });

  it('reads the sheet named by sheet=, the first one otherwise', async () => {
    const XLSX = await import('xlsx');
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['Instruktioner'], ['Fyll i bladet Enheter']]), 'Läs mig');
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['Enhetskod', 'Namn', 'Nivå'], ['STHLM', 'Stockholms stad', 'stad']]), 'Enheter');
    const bytes = new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer);
    const { upload } = await import('../support/sheets.ts');
    const first = await upload(h, '/api/imports/units', admin, bytes, 'org.xlsx');
    expect(first.status).toBe(422);
    expect((await first.json()).code).toBe('import.columns');
    const missing = await upload(h, '/api/imports/units?sheet=Nope', admin, bytes, 'org.xlsx');
    expect(await missing.json()).toMatchObject({ status: 422, code: 'import.noSheet' });
    const named = await imported(h, `/api/imports/units?sheet=${encodeURIComponent('Enheter')}`, admin, bytes, 'org.xlsx');
    expect(named).toMatchObject({ rowsTotal: 1, changes: { added: 1 } });
  });
});
