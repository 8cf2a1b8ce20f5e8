import { z } from 'zod';

/**
 * A requirement's reminder schedule (DESIGN.md "Reminders") and the timing rules, as plain
 * functions of dates: which message, if any, falls due on a day. Which persons they apply to is
 * the coverage engine's answer (`reminder-decision.ts`), never decided here.
 */
const offsets = z.array(z.int().min(0).max(3650)).max(10);

export const reminderSchedule = z
  .strictObject({
    beforeDue: offsets.optional(),
    overdueEvery: z.int().min(1).max(3650).optional(),
    overdueMax: z.int().min(0).max(100).optional(),
    beforeExpiry: offsets.optional(),
    managerDigest: z.enum(['monthly', 'weekly']).nullish(),
  })
  .refine((s) => !(s.overdueMax !== undefined && s.overdueMax > 1 && s.overdueEvery === undefined), {
    path: ['overdueEvery'],
    message: 'overdueMax above 1 needs overdueEvery (days between the reminders)',
  });
export type ReminderSchedule = z.infer<typeof reminderSchedule>;

/** The stored JSON back as a schedule; null when absent (or, defensively, unreadable). */
export function parseReminders(json: string | null): ReminderSchedule | null {
  if (!json) return null;
  const parsed = reminderSchedule.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : null;
}

const DAY = 86_400_000;
const utc = (d: string) => Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10));

/** b − a in days. */
export function daysBetween(a: string, b: string): number {
  return Math.round((utc(b) - utc(a)) / DAY);
}

/**
 * due_soon: due date d ≥ D and the smallest offset k with d − k ≤ D, i.e. the latest reminder
 * that has fallen due (a run after missed days catches up with that one only); null: none.
 */
export function dueSoonOffset(d: string, D: string, beforeDue: readonly number[] | undefined): number | null {
  if (!beforeDue?.length || d < D) return null;
  const left = daysBetween(D, d);
  const fallen = beforeDue.filter((k) => k >= left);
  return fallen.length ? Math.min(...fallen) : null;
}

/**
 * overdue: the n-th reminder falls on d + 1 + (n − 1) × overdueEvery, n ≤ overdueMax; the latest
 * n fallen due by D (null: d not before D, or no overdue reminders). Without overdueMax, one
 * reminder when overdueEvery is set; without either, none.
 */
export function overdueNumber(d: string, D: string, s: Pick<ReminderSchedule, 'overdueEvery' | 'overdueMax'>): number | null {
  if (d >= D) return null;
  const max = s.overdueMax ?? (s.overdueEvery === undefined ? 0 : 1);
  if (max < 1) return null;
  const late = daysBetween(d, D); // ≥ 1: the first reminder falls on d + 1
  const n = s.overdueEvery === undefined ? 1 : Math.floor((late - 1) / s.overdueEvery) + 1;
  return Math.min(n, max);
}

/** expiring: e − k ≤ D < e for some k: the smallest such k; null: none. */
export function expiringOffset(e: string, D: string, beforeExpiry: readonly number[] | undefined): number | null {
  if (!beforeExpiry?.length || D >= e) return null;
  const left = daysBetween(D, e);
  const fallen = beforeExpiry.filter((k) => k >= left);
  return fallen.length ? Math.min(...fallen) : null;
}

/** The ISO week of a date, 'YYYY-Www' (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(D: string): string {
  const t = new Date(utc(D));
  const weekday = (t.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(t.getTime() + (3 - weekday) * DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The digest's period: the month 'YYYY-MM' or the ISO week. */
export function digestPeriod(D: string, every: 'monthly' | 'weekly'): string {
  return every === 'monthly' ? D.slice(0, 7) : isoWeek(D);
}

/** The once-only keys of DESIGN.md, one text each. */
export const reminderKey = {
  dueSoon: (employeeNumber: string, requirement: string, d: string, k: number) => `due_soon|${employeeNumber}|${requirement}|${d}|${k}`,
  overdue: (employeeNumber: string, requirement: string, d: string, n: number) => `overdue|${employeeNumber}|${requirement}|${d}|${n}`,
  expiring: (employeeNumber: string, requirement: string, e: string, k: number) => `expiring|${employeeNumber}|${requirement}|${e}|${k}`,
  digest: (employeeNumber: string, period: string) => `digest|${employeeNumber}|${period}`,
  nudge: (employeeNumber: string, requirement: string, D: string) => `nudge|${employeeNumber}|${requirement}|${isoWeek(D)}`,
};
