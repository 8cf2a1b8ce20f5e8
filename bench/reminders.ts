import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../server/db/schema.ts';
import { deliverOutbox } from '../server/domain/reminder-outbox.ts';
import { nodeMailer } from '../server/mail/node-mailer.ts';
import { startSmtp } from '../test/support/smtp.ts';
import type { Client } from './client.ts';
import { once } from './measure.ts';
import { decisionHeap, type DecisionHeap } from './reminders-heap.ts';
import type { ServerUnderTest } from './server.ts';

export interface ReminderBench {
  decision: { ms: number; cpuMs: number; messages: number; withoutEmail: number; peakMb: number; rssBeforeMb: number; rssAfterMb: number };
  /** The same day decided for real: every message composed and written to the outbox. */
  /** The same decision in the bench process, its live heap after full collections (null without --expose-gc). */
  heap: DecisionHeap | null;
  stored: { ms: number; messages: number; peakMb: number; rssBeforeMb: number; rssAfterMb: number };
  sending: { mails: number; ms: number; perSecond: number; received: number } | null;
}

/**
 * Reminders at city scale (issue 19): every requirement of the bench city gets a schedule (30 and
 * 7 days before, overdue every 14 days up to 3, a weekly digest), then one day's decision for the
 * whole city is timed over HTTP (a dry run: the same decision, nothing kept) with the server's
 * CPU time and its RSS before, at its peak and after; the same decision in this process shows
 * what it holds, its live heap after full collections (`reminders-heap.ts`); then the day is decided for real into the outbox (the same
 * figures, for composing and writing every message), and `sendN` of them are delivered from it to a
 * local smtp-server by nodemailer, in this process on the same database file (claim, send, mark:
 * the whole of delivery), for the mails per second.
 */
export async function benchReminders(client: Client, admin: string, server: ServerUnderTest, dbFile: string, asOf: string, sendN: number): Promise<ReminderBench> {
  const { requirements } = await client.getJson<{ requirements: Record<string, unknown>[] }>('/api/requirements', admin);
  for (const r of requirements) {
    const res = await fetch(`${server.url}/api/requirements/${encodeURIComponent(String(r.code))}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...r, reminders: { beforeDue: [30, 7], overdueEvery: 14, overdueMax: 3, beforeExpiry: [30], managerDigest: 'weekly' } }),
    });
    if (!res.ok) throw new Error(`PUT requirement ${r.code}: ${res.status} ${await res.text()}`);
  }
  const rssBeforeMb = server.rssMb();
  server.resetPeak();
  const cpu0 = server.cpuMs();
  const dry = await once(async () => {
    const res = await client.postJson(`/api/reminders/run?asOf=${asOf}&dryRun=1`, admin, undefined);
    if (!res.ok) throw new Error(`reminders run: ${res.status} ${await res.text()}`);
    return (await res.json()) as { messages: unknown[]; withoutEmail: number };
  });
  const decision = { ms: dry.ms, cpuMs: server.cpuMs() - cpu0, messages: dry.value.messages.length, withoutEmail: dry.value.withoutEmail, peakMb: server.peakMb(), rssBeforeMb, rssAfterMb: server.rssMb() };

  const heap = await decisionHeap(dbFile, asOf);

  // Decide for real (no mail configured on the server: all kept as pending), with the server's
  // memory while every message is composed and written to the outbox.
  const storeBeforeMb = server.rssMb();
  server.resetPeak();
  const real = await once(async () => {
    const res = await client.postJson(`/api/reminders/run?asOf=${asOf}`, admin, undefined);
    if (!res.ok) throw new Error(`reminders run: ${res.status} ${await res.text()}`);
    return (await res.json()) as { messages: unknown[] };
  });
  const stored = { ms: real.ms, messages: real.value.messages.length, peakMb: server.peakMb(), rssBeforeMb: storeBeforeMb, rssAfterMb: server.rssMb() };

  // Sending: keep the first sendN pending, and deliver those.
  const sqlite = new BetterSqlite3(dbFile, { fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL'); // as the server's own connection (server/db/sqlite.ts)
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const smtp = await startSmtp();
  const mailer = nodeMailer(smtp.url, 'Kompetenskoll <bench@example.se>');
  try {
    const keep = await db.selectFrom('reminder_outbox').select('id').where('status', '=', 'pending').orderBy('id').limit(sendN).execute();
    if (!keep.length) return { decision, heap, stored, sending: null };
    const last = keep[keep.length - 1].id;
    // The rest are parked as sent so that delivery below takes exactly the kept ones.
    await db.updateTable('reminder_outbox').set({ status: 'sent' }).where('status', '=', 'pending').where('id', '>', last).execute();
    const r = await once(() => deliverOutbox(db, mailer, { concurrency: 4 }));
    return { decision, heap, stored, sending: { mails: r.value.sent, ms: r.ms, perSecond: (r.value.sent / r.ms) * 1000, received: smtp.mails.length } };
  } finally {
    mailer.close?.();
    await smtp.close();
    await db.destroy();
  }
}
