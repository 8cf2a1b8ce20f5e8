import type { RecordStatus } from '../db/schema.ts';
import { addDays, addMonthsClamped } from './calendar.ts';

/**
 * docs/coverage-rules.md, rule 4 — expiry, the one definition: a completion of a course with `validity_months` expires on
 * its date + that many months, the day clamped to the month's end (2022-01-31 + 1 month =
 * 2022-02-28), and counts up to the day before. Every writer of completions stores this as
 * `completion.expires_on` (imports, xAPI, records by hand, the demo, the fixtures), and PUT
 * /api/courses/:code rewrites it when the validity changes, so that every read tests only
 * `expires_on IS NULL OR expires_on > D`. Null: never expires, or not a completion.
 */
export function expiresOn(status: RecordStatus, occurredAt: string, validityMonths: number | null): string | null {
  if (status !== 'completed' || validityMonths === null) return null;
  return addMonthsClamped(occurredAt.slice(0, 10), validityMonths);
}

/** The last day a completion expiring on `expires` counts (my-training's `validUntil`). */
export function lastValidDay(expires: string): string {
  return addDays(expires, -1);
}
