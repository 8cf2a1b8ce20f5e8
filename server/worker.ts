import type { D1Database, ExecutionContext, MessageBatch, ScheduledController } from '@cloudflare/workers-types';
import { createApp } from './app.ts';
import { signInFor } from './auth/tokens.ts';
import { readConfig } from './config.ts';
import { RETRY_CRON } from './cron.ts';
import { d1Atomic } from './db/atomic.ts';
import { openD1 } from './db/d1.ts';
import { todayInStockholm } from './domain/calendar.ts';
import { deliverOutbox } from './domain/reminder-outbox.ts';
import { runReminders } from './domain/reminder-run.ts';
import { workersMailer } from './mail/workers-mailer.ts';
import { streamImportsFrom, type ImportMessage } from './imports/r2-upload.ts';
import { expireDryRuns, runImportMessage } from './imports/queue-import.ts';

/**
 * What wrangler.toml binds: the D1 database, the R2 bucket (IMPORTS) and queue (IMPORT_QUEUE)
 * of large imports, plus vars and secrets (all strings).
 */
export interface WorkerEnv {
  DB: D1Database;
  [name: string]: unknown;
}

/** Workers entry: D1 into the same createApp. Components and the demo page are static assets. */
function workerConfig(env: WorkerEnv) {
  return readConfig(Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string')));
}

export function workerApp(env: WorkerEnv) {
  const config = workerConfig(env);
  const db = openD1(env.DB);
  return createApp({ db, atomic: d1Atomic(env.DB), config, ...signInFor(config), streamImports: streamImportsFrom(env, config) });
}

/** The queue consumer: one slice of a large import per message (server/imports/queue-import.ts). */
export async function queuedImports(batch: MessageBatch<ImportMessage>, env: WorkerEnv) {
  const streamImports = streamImportsFrom(env, workerConfig(env));
  if (!streamImports) throw new Error('IMPORT_QUEUE messages need the IMPORTS bucket bound');
  const deps = { db: openD1(env.DB), atomic: d1Atomic(env.DB), streamImports };
  for (const message of batch.messages) {
    try {
      await runImportMessage(deps, message.body, message.attempts);
      message.ack();
    } catch {
      message.retry();
    }
  }
}

/**
 * The Cron Trigger (wrangler.toml): the same decision as POST /api/reminders/run for today in
 * Stockholm, delivered with worker-mailer when KK_SMTP_URL is set, else kept in the outbox.
 */
export async function scheduledReminders(env: WorkerEnv, cron: string, now = new Date()) {
  const vars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const config = readConfig(vars);
  const db = openD1(env.DB);
  const mailer = config.smtpUrl ? workersMailer(config.smtpUrl, config.mailFrom) : undefined;
  if (cron === RETRY_CRON) return mailer ? deliverOutbox(db, mailer) : { sent: 0, failed: 0 };
  return runReminders({ db, atomic: d1Atomic(env.DB), mailer }, todayInStockholm(now), { dryRun: false, actor: 'system', now });
}

/** With the daily crons: large imports' dry runs past DRY_RUN_KEEP_DAYS deleted, their answers in R2 with them. */
export async function expiredDryRuns(env: WorkerEnv, now = new Date()) {
  const streamImports = streamImportsFrom(env, workerConfig(env));
  return streamImports ? expireDryRuns({ db: openD1(env.DB), atomic: d1Atomic(env.DB), bucket: streamImports.bucket }, now) : 0;
}

// One app per isolate: bindings and vars do not change while it lives, and dev tokens signed
// with a random key (no KK_DEV_SECRET) stay valid across its requests.
let app: ReturnType<typeof workerApp> | undefined;

export default {
  fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext) {
    app ??= workerApp(env);
    return app.fetch(request, env, ctx);
  },
  queue(batch: MessageBatch<ImportMessage>, env: WorkerEnv) {
    return queuedImports(batch, env);
  },
  scheduled(controller: ScheduledController, env: WorkerEnv, ctx: ExecutionContext) {
    ctx.waitUntil(scheduledReminders(env, controller.cron, new Date(controller.scheduledTime)));
    if (controller.cron !== RETRY_CRON) ctx.waitUntil(expiredDryRuns(env, new Date(controller.scheduledTime)));
  },
};
