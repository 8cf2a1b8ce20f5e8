import { describe, expect, it } from 'vitest';
import { date, dateTime, employmentType, recordStatus, text, unitKind, yesNo } from '../../server/imports/cells.ts';
import { decodeText } from '../../server/imports/csv.ts';
import { fold, mapHeaders, ROSTER_COLUMNS } from '../../server/imports/headers.ts';

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
    for (const bad of ['2020-02-30', '15/01/2020', '10 maj', '2020-01-15 25:00', 'igår', -5]) expect(dateTime(bad)).toBeUndefined();
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
    expect(text(123456)).toBe('123456');
  });

  it('matches headers in any case and with or without accents', () => {
    expect(fold('Anst.nr')).toBe('anstnr');
    expect(fold('NIVÅ')).toBe('niva');
    const map = mapHeaders(['ANSTALLNINGSNUMMER', 'e-post', 'Övrigt', 'Anställd Från', 'chef'], ROSTER_COLUMNS);
    expect(Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v!.index]))).toEqual({ employeeNumber: 0, email: 1, startDate: 3, manager: 4 });
  });

  it('decodes CSV bytes in the encodings Excel saves', async () => {
    const word = 'Örjan Åström';
    expect(await decodeText(new Uint8Array([0xd6, 0x72, 0x6a, 0x61, 0x6e, 0x20, 0xc5, 0x73, 0x74, 0x72, 0xf6, 0x6d]))).toBe(word); // Windows-1252
    expect(await decodeText(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(word)]))).toBe(word);
    expect(await decodeText(new TextEncoder().encode(word))).toBe(word);
    expect(await decodeText(new Uint8Array([0x80, 0x20, 0x96]))).toBe('€ –');
  });
});
