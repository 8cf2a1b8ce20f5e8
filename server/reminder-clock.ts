import { stockholmDateTime, todayInStockholm } from './domain/calendar.ts';
import { deliverOutbox } from './domain/reminder-outbox.ts';
import { runReminders, type ReminderDeps } from './domain/reminder-run.ts';

/**
 * The Node server's reminder clock: the run once a day at KK_REMINDER_AT (Europe/Stockholm), and
 * every quarter of an hour the failed messages whose backoff has passed. A run that is missed
 * (the server was down at 07:00) is caught up by the next one: the outbox's keys make the
 * decision once-only, and the schedule's rules send the latest message, not the missed ones.
 */

/** The next instant at which Stockholm's clock shows `at` (HH:MM), strictly after `now`. */
export function nextStockholmTime(at: string, now: Date): Date {
  for (let days = 0; days < 3; days++) {
    const date = todayPlus(stockholmDateTime(now).slice(0, 10), days);
    const guess = new Date(`${date}T${at}:00Z`);
    // Stockholm's offset from UTC at that moment (one or two hours), read back from the formatter.
    const offset = new Date(`${stockholmDateTime(guess)}Z`).getTime() - guess.getTime();
    const instant = new Date(guess.getTime() - offset);
    if (instant.getTime() > now.getTime()) return instant;
  }
  throw new Error('no next reminder time');
}

function todayPlus(date: string, days: number): string {
  return new Date(Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10) + days)).toISOString().slice(0, 10);
}

const RETRY_EVERY_MS = 15 * 60_000;

/** Starts the clock; returns a stop function. Errors are logged (no personal data) and the clock goes on. */
export function startReminderClock(deps: ReminderDeps & { mailer: NonNullable<ReminderDeps['mailer']> }, at: string, log: (entry: Record<string, unknown>) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const daily = async () => {
    try {
      const answer = await runReminders(deps, todayInStockholm(), { dryRun: false, actor: 'system' });
      log({ level: 'info', event: 'reminders', asOf: answer.asOf, decided: answer.messages.length, withoutEmail: answer.withoutEmail, sent: answer.sent, failed: answer.failed });
    } catch (e) {
      log({ level: 'error', event: 'reminders', error: (e as Error).message });
    }
    schedule();
  };
  const schedule = () => {
    const wait = nextStockholmTime(at, new Date()).getTime() - Date.now();
    timer = setTimeout(() => void daily(), wait);
    timer.unref();
  };
  schedule();
  const retry = setInterval(() => {
    deliverOutbox(deps.db, deps.mailer).then(
      (r) => (r.sent || r.failed) && log({ level: 'info', event: 'reminders-retry', ...r }),
      (e: Error) => log({ level: 'error', event: 'reminders-retry', error: e.message }),
    );
  }, RETRY_EVERY_MS);
  retry.unref();
  return () => {
    clearTimeout(timer);
    clearInterval(retry);
  };
}
