import type { Counts, PersonStatus } from './coverage.ts';

/**
 * What a people list adds up to, checked against the figures read for the same unit, requirement
 * and date. The two are read by different statements at different moments (no snapshot spans
 * them on D1, nor across Node's read threads), so a write landing in between would make the
 * people and the figures of one answer disagree; the revision's workbook and a published report
 * tally their people and read again when they do (`peopleAgree`, `publishReport`).
 */

/** Counts one person of a list into `t` as rule 6 counts them (the exempted are no population). */
export function tallyPerson(t: Counts, p: { status: PersonStatus; overdue: boolean }): void {
  if (p.status === 'exempt') t.exempt++;
  else t.population++;
  if (p.status === 'completed') t.completed++;
  if (p.status === 'started') t.started++;
  if (p.overdue) t.overdue++;
}

/**
 * Whether figures and a tally agree. The four counts and the exempted decide every other figure
 * (`figures`: not started, reached, rate, gap), so these five agreeing is the whole figure agreeing.
 */
export function countsAgree(f: Counts, t: Counts): boolean {
  return f.population === t.population && f.completed === t.completed && f.started === t.started && f.overdue === t.overdue && f.exempt === t.exempt;
}
