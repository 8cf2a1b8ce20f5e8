import { describe, expect, it } from 'vitest';
import { date, dateProblem, dateTime, employmentType, recordStatus, text, unitKind, yesNo } from '../../server/imports/cells.ts';
import { decodeChunks } from '../../server/imports/csv-stream.ts';

async function decodeText(bytes: Uint8Array): Promise<string> {
  let text = '';
  for await (const t of decodeChunks((async function* () {
    yield bytes;
  })())) text += t;
  return text;
}
import { COMPLETION_COLUMNS, fold, mapHeaders, ROSTER_COLUMNS, UNIT_COLUMNS } from '../../server/imports/headers.ts';

describe('cells', () => {
  it('reads dates as a Swedish coordinator writes them, in Stockholm time', () => {
    expect(dateTime('2020-01-15')).toBe('2020-01-15');
    expect(dateTime(' 2020-01-15 13:45 ')).toBe('2020-01-15T13:45:00');
    expect(dateTime('2020-01-15T13:45:07')).toBe('2020-01-15T13:45:07');
    expect(dateTime('2020-01-15 00:00:00')).toBe('2020-01-15');
    expect(dateTime('2020-01-15T12:45:00Z')).toBe('2020-01-15T13:45:00'); // CET
    expect(dateTime('2020-07-15T12:00:00+00:00')).toBe('2020-07-15T14:00:00'); // CEST
    expect(dateTime('2020-01-15T23:30:00Z')).toBe('2020-01-16T00:30:00');
    expect(dateTime('20200115')).toBe('2020-01-15');
    expect(dateTime(43845)).toBe('2020-01-15');
    expect(dateTime(43845.5)).toBe('2020-01-15T12:00:00');
    expect(dateTime({ date: '2020-01-15T08:00:00' })).toBe('2020-01-15T08:00:00');
    expect(date('2020-01-15 13:45')).toBe('2020-01-15');
    // Issue 15: as Swedish HR and LMS systems write them (day first, month names, no leading zeros).
    expect(['2024-1-5', '5/1/2024', '05.01.2024', '5-1-2024', '5 jan 2024', '5 januari 2024', '5 Jan. 2024', '20240105', '2024/01/05', '45296', ' 05.01.2024 '].map(date)).toEqual(
      Array(11).fill('2024-01-05'),
    );
    expect(dateTime('15/01/2020')).toBe('2020-01-15');
    expect(dateTime('05.01.2024 14.30')).toBe('2024-01-05T14:30:00');
    expect(dateTime('5 maj 2024 08:15')).toBe('2024-05-05T08:15:00');
    for (const bad of ['2020-02-30', '30/2/2024', '10 maj', '2020-01-15 25:00', 'igår', -5, '5 foo 2024', '1/13/2024', '5/1/24']) expect(dateTime(bad)).toBeUndefined();
    // A day the calendar lacks is told apart from what cannot be read at all.
    expect(['2024-02-30', '30.02.2024', '31 apr 2024', '20230229', '2021-13-01'].map(dateProblem)).toEqual(Array(5).fill('import.noSuchDate'));
    expect(['igår', '10 maj', '5/1/24', '2024-01-05 25:00'].map(dateProblem)).toEqual(Array(4).fill('import.badDate'));
    expect(dateTime('')).toBeNull();
    expect(dateTime(null)).toBeNull();
  });

  it('reads ja/nej, statuses, kinds and employment types in Swedish and English', () => {
    expect(['Ja', 'JA', 'x', 'yes', 1, true].map(yesNo)).toEqual([true, true, true, true, true, true]);
    expect(['Nej', 'no', 0, false].map(yesNo)).toEqual([false, false, false, false]);
    expect(yesNo('kanske')).toBeUndefined();
    expect(yesNo('')).toBeNull();
    expect(['Genomförd', 'GENOMFÖRD', 'Completed', 'Påbörjad', 'In progress', 'Ej godkänd', 'Failed'].map(recordStatus)).toEqual([
      'completed', 'completed', 'completed', 'started', 'started', 'failed', 'failed',
    ]);
    expect(['Förvaltning', 'avdelning', 'Enhet', 'Stad', 'department'].map(unitKind)).toEqual(['forvaltning', 'avdelning', 'enhet', 'stad', 'avdelning']);
    expect(['Tillsvidare', 'Visstidsanställning', 'Timavlönad', 'hourly'].map(employmentType)).toEqual(['tillsvidare', 'visstid', 'timavlonad', 'timavlonad']);
    // The LAS forms as HR systems name them.
    expect(['Tillsvidareanställning', 'TILLSVIDARE'].map(employmentType)).toEqual(['tillsvidare', 'tillsvidare']);
    const visstid = ['Allmän visstidsanställning', 'Allmän visstidsanställning (ALVA)', 'ALVA', 'Särskild visstidsanställning (SÄVA)', 'SÄVA', 'Vikariat', 'Vikarie', 'Provanställning', 'Säsongsanställning', 'Visstid'];
    expect(visstid.map(employmentType)).toEqual(Array(visstid.length).fill('visstid'));
    const hourly = ['Timanställning', 'Timavlönad', 'Behovsanställd', 'Intermittent', 'Intermittent anställning'];
    expect(hourly.map(employmentType)).toEqual(Array(hourly.length).fill('timavlonad'));
    expect(employmentType('Konsult')).toBeUndefined();
    expect(['Ej påbörjad', 'Not started'].map(recordStatus)).toEqual(['not_started', 'not_started']);
    expect(text(123456)).toBe('123456');
  });

  it('matches headers in any case and with or without accents', () => {
    expect(fold('Anst.nr')).toBe('anstnr');
    expect(fold('NIVÅ')).toBe('niva');
    const map = mapHeaders(['ANSTALLNINGSNUMMER', 'e-post', 'Övrigt', 'Anställd Från', 'chef'], ROSTER_COLUMNS);
    expect(Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v!.index]))).toEqual({ employeeNumber: 0, email: 1, startDate: 3, manager: 4 });
  });

  it('takes the column names the city\'s systems write (issue 15), with no name claimed by two fields', () => {
    const idx = (headers: string[], columns: Parameters<typeof mapHeaders>[1]) =>
      Object.fromEntries(Object.entries(mapHeaders(headers, columns)).map(([k, v]) => [k, (v as { index: number }).index]));
    expect(idx(['Användar-ID', 'Namn', 'Fr.o.m.', 'T.o.m.'], ROSTER_COLUMNS)).toEqual({ employeeNumber: 0, name: 1, startDate: 2, endDate: 3 });
    expect(idx(['Användarnamn', 'Namn', 'Fr o m', 'T o m'], ROSTER_COLUMNS)).toEqual({ employeeNumber: 0, name: 1, startDate: 2, endDate: 3 });
    expect(idx(['Anst.nr', 'Namn', 'From', 'Tom'], ROSTER_COLUMNS)).toEqual({ employeeNumber: 0, name: 1, startDate: 2, endDate: 3 });
    expect(idx(['Anst.nr', 'Namn', 'from', 'To'], ROSTER_COLUMNS)).toEqual({ employeeNumber: 0, name: 1, startDate: 2, endDate: 3 });
    expect(idx(['Enhetskod', 'Namn', 'Nivå', 'Giltig fr.o.m.', 'Giltig t.o.m.'], UNIT_COLUMNS)).toEqual({ code: 0, name: 1, kind: 2, validFrom: 3, validTo: 4 });
    for (const d of ['Slutförandedatum', 'Slutförd', 'Avslutad']) expect(idx(['Användar-ID', 'Kurs', 'Status', d], COMPLETION_COLUMNS)).toEqual({ employeeNumber: 0, course: 1, status: 2, date: 3 });
    for (const columns of [ROSTER_COLUMNS, UNIT_COLUMNS, COMPLETION_COLUMNS] as Parameters<typeof mapHeaders>[1][]) {
      const owner = new Map<string, string>();
      for (const [field, spec] of Object.entries(columns)) {
        for (const n of spec.names) {
          const f = fold(n);
          expect(owner.get(f) ?? field, `${n} in ${field} and ${owner.get(f)}`).toBe(field);
          owner.set(f, field);
        }
      }
    }
    // A coordinator's own choice wins over the synonyms, and can leave a column unread.
    expect(idx(['Anst.nr', 'Namn', 'Slut', 'Till'], ROSTER_COLUMNS)).toEqual({ employeeNumber: 0, name: 1, endDate: 3 });
    const chosen = Object.fromEntries(Object.entries(mapHeaders(['Anst.nr', 'Namn', 'Slut', 'Till'], ROSTER_COLUMNS, { slut: 'endDate', Till: null })).map(([k, v]) => [k, v!.index]));
    expect(chosen).toEqual({ employeeNumber: 0, name: 1, endDate: 2 });
  });

  it('decodes CSV bytes in the encodings Excel saves', async () => {
    const word = 'Örjan Åström';
    expect(await decodeText(new Uint8Array([0xd6, 0x72, 0x6a, 0x61, 0x6e, 0x20, 0xc5, 0x73, 0x74, 0x72, 0xf6, 0x6d]))).toBe(word); // Windows-1252
    expect(await decodeText(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(word)]))).toBe(word);
    expect(await decodeText(new TextEncoder().encode(word))).toBe(word);
    expect(await decodeText(new Uint8Array([0x80, 0x20, 0x96]))).toBe('€ –');
  });
});
