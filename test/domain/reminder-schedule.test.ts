import { describe, expect, it } from 'vitest';
import { daysBetween, digestPeriod, dueSoonOffset, expiringOffset, isoWeek, overdueNumber, reminderSchedule } from '../../server/domain/reminder-schedule.ts';
import { englishDate, swedishDate } from '../../server/mail/reminder-mail.ts';

// DESIGN.md "Reminders": the timing of each kind, worked out by hand.

describe('due_soon', () => {
  const k = (D: string) => dueSoonOffset('2025-03-15', D, [30, 7]);
  it('falls on d − k, for the smallest k that has fallen due', () => {
    expect(k('2025-02-12')).toBeNull(); // 31 days before
    expect(k('2025-02-13')).toBe(30); // 30 days before
    expect(k('2025-03-07')).toBe(30); // 8 days before: still the 30-day reminder (already sent)
    expect(k('2025-03-08')).toBe(7);
    expect(k('2025-03-15')).toBe(7); // the due day itself: d ≥ D
    expect(k('2025-03-16')).toBeNull(); // overdue from here
  });
  it('catches up with the latest offset only after missed days', () => {
    // No run between 2025-02-01 and 2025-03-10: the 30-day reminder is skipped, the 7-day one goes.
    expect(k('2025-03-10')).toBe(7);
  });
  it('offsets in any order, and none without beforeDue', () => {
    expect(dueSoonOffset('2025-03-15', '2025-03-09', [7, 30, 1])).toBe(7);
    expect(dueSoonOffset('2025-03-15', '2025-03-14', [7, 30, 1])).toBe(1);
    expect(dueSoonOffset('2025-03-15', '2025-03-09', undefined)).toBeNull();
    expect(dueSoonOffset('2025-03-15', '2025-03-09', [])).toBeNull();
  });
});

describe('overdue', () => {
  const s = { overdueEvery: 14, overdueMax: 3 };
  it('the n-th falls on d + 1 + (n − 1) × overdueEvery, n ≤ overdueMax', () => {
    expect(overdueNumber('2025-03-15', '2025-03-15', s)).toBeNull();
    expect(overdueNumber('2025-03-15', '2025-03-16', s)).toBe(1);
    expect(overdueNumber('2025-03-15', '2025-03-29', s)).toBe(1);
    expect(overdueNumber('2025-03-15', '2025-03-30', s)).toBe(2); // 16 + 14
    expect(overdueNumber('2025-03-15', '2025-04-13', s)).toBe(3); // 16 + 28
    expect(overdueNumber('2025-03-15', '2025-04-27', s)).toBe(3); // the fourth never comes
  });
  it('after missed days, the latest n only', () => {
    expect(overdueNumber('2025-03-15', '2025-04-20', s)).toBe(3);
  });
  it('one reminder with overdueEvery alone; none without either', () => {
    expect(overdueNumber('2025-03-15', '2025-06-01', { overdueEvery: 14 })).toBe(1);
    expect(overdueNumber('2025-03-15', '2025-06-01', {})).toBeNull();
    expect(overdueNumber('2025-03-15', '2025-06-01', { overdueMax: 0, overdueEvery: 7 })).toBeNull();
  });
  it('a schedule with overdueMax above 1 needs overdueEvery', () => {
    expect(reminderSchedule.safeParse({ overdueMax: 3 }).success).toBe(false);
    expect(reminderSchedule.safeParse({ overdueMax: 1 }).success).toBe(true);
    expect(reminderSchedule.safeParse({ beforeDue: [30, 7], overdueEvery: 14, overdueMax: 3, beforeExpiry: [30], managerDigest: 'weekly' }).success).toBe(true);
    expect(reminderSchedule.safeParse({ managerDigest: 'daily' }).success).toBe(false);
    expect(reminderSchedule.safeParse({ beforeDue: [-1] }).success).toBe(false);
  });
});

describe('expiring', () => {
  it('e − k ≤ D < e, at a month-end expiry (2024-02-29 + 12 months = 2025-02-28)', () => {
    const e = '2025-02-28';
    expect(expiringOffset(e, '2025-01-28', [30])).toBeNull(); // 31 days before
    expect(expiringOffset(e, '2025-01-29', [30])).toBe(30);
    expect(expiringOffset(e, '2025-02-27', [30, 7])).toBe(7);
    expect(expiringOffset(e, '2025-02-28', [30])).toBeNull(); // expired on e: no longer genomförd
  });
});

describe('periods and dates', () => {
  it('ISO weeks across year ends', () => {
    expect(isoWeek('2024-12-30')).toBe('2025-W01'); // Monday of week 1 of 2025
    expect(isoWeek('2021-01-03')).toBe('2020-W53'); // Sunday: still 2020's last week
    expect(isoWeek('2025-03-10')).toBe('2025-W11');
    expect(isoWeek('2025-03-16')).toBe('2025-W11'); // Sunday
    expect(isoWeek('2025-03-17')).toBe('2025-W12');
    expect(digestPeriod('2025-03-17', 'monthly')).toBe('2025-03');
    expect(digestPeriod('2025-03-17', 'weekly')).toBe('2025-W12');
  });
  it('days between, across a leap day and DST', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2025-03-29', '2025-03-31')).toBe(2);
  });
  it('dates as Swedes and English speakers write them', () => {
    expect(swedishDate('2025-03-15')).toBe('15 mars 2025');
    expect(swedishDate('2025-01-01')).toBe('1 januari 2025');
    expect(englishDate('2025-03-15')).toBe('15 March 2025');
  });
});
