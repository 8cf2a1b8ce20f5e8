import { describe, expect, it } from 'vitest';
import { addDays, addMonthsClamped, isIsoDate, periodEnds, stockholmDateTime, tertialLabel, todayInStockholm } from '../../server/domain/calendar.ts';
import { ceilTimes, normaliseRate, parseDecimal } from '../../server/domain/exact.ts';

describe('calendar', () => {
  it('recognises real dates only', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2024-13-01')).toBe(false);
    expect(isIsoDate('2024-1-01')).toBe(false);
    expect(isIsoDate('2024-01-01T00:00')).toBe(false);
  });

  it('adds months with the day clamped to the month’s end', () => {
    expect(addMonthsClamped('2022-01-31', 1)).toBe('2022-02-28');
    expect(addMonthsClamped('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonthsClamped('2022-03-31', 1)).toBe('2022-04-30');
    expect(addMonthsClamped('2022-01-15', 24)).toBe('2024-01-15');
    expect(addMonthsClamped('2022-11-30', 3)).toBe('2023-02-28');
    expect(addMonthsClamped('2022-05-31', -3)).toBe('2022-02-28');
  });

  it('adds days across months and years', () => {
    expect(addDays('2020-12-31', 1)).toBe('2021-01-01');
    expect(addDays('2020-03-01', -1)).toBe('2020-02-29');
    expect(addDays('2020-01-01', 30)).toBe('2020-01-31');
  });

  it('lists tertial ends (30 April, 31 August, 31 December) and month ends', () => {
    expect(periodEnds('2023-05-01', '2024-12-31', 'tertial')).toEqual(['2023-08-31', '2023-12-31', '2024-04-30', '2024-08-31', '2024-12-31']);
    expect(periodEnds('2024-04-30', '2024-04-30', 'tertial')).toEqual(['2024-04-30']);
    expect(periodEnds('2024-01-01', '2024-04-29', 'tertial')).toEqual([]);
    expect(periodEnds('2023-12-15', '2024-03-01', 'month')).toEqual(['2023-12-31', '2024-01-31', '2024-02-29']);
    expect(tertialLabel('2024-08-31')).toBe('T2 2024');
  });

  it('takes today and times in Stockholm, whatever the server’s zone', () => {
    // 22:30 UTC on 31 December is already 1 January in Stockholm (UTC+1 in winter) …
    expect(todayInStockholm(new Date('2023-12-31T23:30:00Z'))).toBe('2024-01-01');
    // … and 22:30 UTC in summer is 00:30 the next day (UTC+2).
    expect(stockholmDateTime(new Date('2024-06-30T22:30:00Z'))).toBe('2024-07-01T00:30:00');
  });
});

describe('exact targets', () => {
  it('needs 7 of 10 at 0.7, not 8', () => {
    expect(ceilTimes(parseDecimal('0.7')!, 10)).toBe(7);
    // In binary floating point 0.07 × 100 is 7.000000000000001, which ceil() makes 8.
    expect(Math.ceil(0.07 * 100)).toBe(8);
    expect(ceilTimes(parseDecimal('0.07')!, 100)).toBe(7);
    expect(ceilTimes(parseDecimal('0.7')!, 11)).toBe(8);
    expect(ceilTimes(parseDecimal('1')!, 13)).toBe(13);
    expect(ceilTimes(parseDecimal('0.05')!, 0)).toBe(0);
  });

  it('reads rates from JSON numbers and strings', () => {
    expect(normaliseRate(0.7)).toBe('0.7');
    expect(normaliseRate('0.850')).toBe('0.85');
    expect(normaliseRate(1)).toBe('1');
    expect(normaliseRate(1.01)).toBeNull();
    expect(normaliseRate(-0.1)).toBeNull();
    expect(normaliseRate('7e-1')).toBeNull();
  });
});
