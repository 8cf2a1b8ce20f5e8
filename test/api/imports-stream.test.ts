import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CITY_F1_F2, course, load } from '../support/fixtures.ts';
import { adminHarness } from '../support/admin-harness.ts';
import type { Harness } from '../support/harness.ts';
import { count, upload } from '../support/sheets.ts';

// Issue 21: a CSV upload is read as it arrives (multipart parsed as a stream, the file spooled,
// its records parsed a chunk at a time), on Node and in workerd.

let h: Harness;
let admin: string;
beforeEach(async () => {
  ({ h, admin } = await adminHarness());
  await load(h.db, { people: [['1001', 'Åsa Öberg'], ['1002', 'Bo Ek']], courses: [course('VBE')] });
});
afterEach(() => h.close());

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('a CSV read as it arrives', () => {
  it('takes a file that is UTF-8 in its first 64 KiB and refuses one with a stray Windows-1252 byte after, naming the row', async () => {
    // Row 2 has "Genomförd" in UTF-8; then 3 000 rows of 1002 (~100 KB), then a Windows-1252 "ö" (F6).
    const rows = ['Anställningsnummer;Kurs;Status;Datum;Kommentar', '1001;VBE;Genomförd;2024-01-10;'];
    for (let i = 0; i < 3000; i++) rows.push(`1002;VBE;Completed;2024-01-${String((i % 28) + 1).padStart(2, '0')};${'x'.repeat(10)}`);
    const good = utf8(`${rows.join('\r\n')}\r\n`);
    const ok = await upload(h, '/api/imports/completions', admin, good, 'lms.csv');
    expect(ok.status).toBe(200);
    // 3 001 rows; 1002's 3 000 rows name 28 records.
    expect(await ok.json()).toMatchObject({ rowsTotal: 3001, rowsAccepted: 3001, rowsRejected: 0, changes: { added: 29 } });
    expect(await count(h, 'completion')).toBe(29);

    const bad = Uint8Array.from([...good, ...utf8('1001;VBE;Genomf'), 0xf6, ...utf8('rd;2024-02-01;\r\n')]);
    const res = await upload(h, '/api/imports/completions', admin, bad, 'lms.csv');
    expect(res.status).toBe(422);
    const problem = await res.json();
    expect(problem).toMatchObject({ status: 422, code: 'import.badEncoding' });
    // The header is row 1, so the bad row is 3 003.
    expect(problem.detail).toContain('3003');
    expect(await count(h, 'completion')).toBe(29);
  });

  it('reads the column mapping whether it comes before or after the file in the form', async () => {
    const file = utf8('Vem;Kurs;Status;Datum\r\n1001;VBE;Genomförd;2024-01-10\r\n');
    for (const order of ['before', 'after'] as const) {
      const form = new FormData();
      if (order === 'before') form.append('mapping', JSON.stringify({ Vem: 'employeeNumber' }));
      form.append('file', new Blob([file as Uint8Array<ArrayBuffer>]), 'lms.csv');
      if (order === 'after') form.append('mapping', JSON.stringify({ Vem: 'employeeNumber' }));
      form.append('other', 'ignored');
      const res = await h.request('/api/imports/completions?dryRun=true', { method: 'POST', body: form, token: admin });
      expect(res.status, order).toBe(200);
      expect(await res.json(), order).toMatchObject({ rowsTotal: 1, rowsAccepted: 1, changes: { added: 1 } });
    }
  });

  it('reports reading progress in bytes of the file, ending at its size', async () => {
    const rows = ['Anställningsnummer;Kurs;Status;Datum'];
    for (let i = 0; i < 20_000; i++) rows.push(`1002;VBE;Completed;20${String(10 + (i % 15))}-0${(i % 9) + 1}-1${i % 10}`);
    const file = utf8(rows.join('\n'));
    const res = await upload(h, '/api/imports/completions?dryRun=true', admin, file, 'lms.csv', { accept: 'application/x-ndjson' });
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    const reads = lines.filter((l) => l.phase === 'read');
    expect(reads[0]).toEqual({ phase: 'read', done: 0, total: file.length });
    expect(reads.at(-1)).toEqual({ phase: 'read', done: file.length, total: file.length });
    expect(lines.at(-1).result).toMatchObject({ rowsTotal: 20_000, rowsAccepted: 20_000 });
  });

  it('reads a roster twice and shows its reading once: a name written differently 12 000 rows on rejects the first row', async () => {
    await load(h.db, { units: CITY_F1_F2 });
    const rows = ['Anställningsnummer;Namn;Enhetskod;Startdatum'];
    // Row 2 is P0 as "Ada Berg"; rows 3–12 001 are 11 999 other people; row 12 002 is P0 as "Ada Borg".
    rows.push('P0;Ada Berg;F1-A;2024-01-01');
    for (let i = 1; i < 12_000; i++) rows.push(`P${i};Person ${i};${i % 2 ? 'F1-B' : 'F2'};2024-01-01`);
    rows.push('P0;Ada Borg;F1-A;2024-02-01');
    const file = utf8(rows.join('\r\n'));
    const res = await upload(h, '/api/imports/roster?mode=history&dryRun=true', admin, file, 'personal.csv', { accept: 'application/x-ndjson' });
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    // Read once in the progress (from 0 to the file's size, never back to 0), then checked against the rows the first reading counted.
    const reads = lines.filter((l) => l.phase === 'read');
    expect(reads.filter((l) => l.done === 0)).toHaveLength(1);
    expect(reads.at(-1)).toEqual({ phase: 'read', done: file.length, total: file.length });
    expect(lines.filter((l) => l.phase === 'check').at(-1)).toEqual({ phase: 'check', done: 12_001, total: 12_001 });
    const result = lines.at(-1).result;
    // Both of P0's rows are rejected for the two names; the other 11 999 start.
    expect(result).toMatchObject({ rowsTotal: 12_001, rowsAccepted: 11_999, rowsRejected: 2, changes: { started: 11_999, peopleAdded: 11_999 } });
    expect(result.errors.map((e: { row: number; messageEn: string }) => e.row)).toEqual([2, 12_002]);
    expect(result.errors[0].messageEn).toContain('Ada Berg / Ada Borg');
    expect(result.changeList).toHaveLength(11_999);
    expect(result.changeList[0]).toEqual({ change: 'started', employeeNumber: 'P1', name: 'Person 1', from: null, to: { code: 'F1-B', name: 'Avdelning B' }, startDate: '2024-01-01', endDate: null });
  });
});

