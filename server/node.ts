import { fileSpool, sweepStaleSpools } from './imports/spool-file.ts';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Server } from 'node:http';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { pathToFileURL } from 'node:url';
import { createApp } from './app.ts';
import { signInFor } from './auth/tokens.ts';
import { readConfig } from './config.ts';
import { sqliteAtomic } from './db/atomic.ts';
import { openSqlite } from './db/sqlite.ts';
import { seedDemoReports } from './demo/demo-reports.ts';
import { seedDemo } from './demo/seed.ts';
import { todayInStockholm } from './domain/calendar.ts';
import { runReminders } from './domain/reminder-run.ts';
import { batchedLines } from './log-lines.ts';
import { nodeMailer } from './mail/node-mailer.ts';
import { startReminderClock } from './reminder-clock.ts';

const SHUTDOWN_GRACE_MS = 10_000;
// V8 lets its old generation grow to up to four times what survived the last full collection
// before the next; an import's rows are short-lived but outlive the young generation, so the
// heap swelled with garbage (the city's imports peaked at ~440 MB RSS with ~100 MB live). 40 %
// keeps the heap near what is live; 20 % kept it a little nearer but spent ~10 % more CPU on
// collections at four times the city (docs/performance.md). Read by V8 at every collection, so
// setting it here takes effect as if given on the command line.
setFlagsFromString('--heap-growing-percent=40');

// The request log and the server's own lines, in the order they happened.
const lines = batchedLines((text) => process.stdout.write(text));
process.once('exit', lines.flush);

function log(entry: Record<string, unknown>) {
  lines.line(JSON.stringify({ at: new Date().toISOString(), ...entry }));
}

/** Node entry: better-sqlite3 (WAL) with migrations, the app, and the built components as static files. */
export async function startNode(env: Record<string, string | undefined> = process.env) {
  const config = readConfig(env);
  const handle = openSqlite(config.dbFile, { readThreads: config.readThreads ?? Math.min(4, availableParallelism()) });
  const signIn = signInFor(config);
  // Without KK_SMTP_URL (the demo) reminders are decided on demand and kept in the outbox.
  const mailer = config.smtpUrl ? nodeMailer(config.smtpUrl, config.mailFrom) : undefined;
  const atomic = sqliteAtomic(handle.db);
  if (config.demo && (await seedDemo(handle.db))) {
    await seedDemoReports({ db: handle.db, atomic }, todayInStockholm());
    // The demo page's outbox shows today's reminders from the start (sent only if mail is set).
    const decided = await runReminders({ db: handle.db, atomic, mailer }, todayInStockholm(), { dryRun: false, actor: 'system' });
    console.log(`Demodata skapad, ${decided.messages.length} påminnelser i utkorgen (demo data seeded, reminders in the outbox).`);
  }
  const swept = await sweepStaleSpools();
  if (swept) log({ level: 'info', event: 'stale-uploads-removed', count: swept });
  const app = createApp({ db: handle.db, atomic, config, ...signIn, logLine: lines.line, mailer, spool: () => fileSpool() });
  const stopReminders = mailer ? startReminderClock({ db: handle.db, atomic, mailer }, config.reminderAt, log) : () => {};
  app.use('/*', serveStatic({ root: './dist/web' }));

  let listened!: (port: number) => void;
  const listening = new Promise<number>((resolve) => (listened = resolve));
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host ?? undefined }, (info) => listened(info.port)) as Server;
  const port = await listening;
  const url = `http://${config.host ?? 'localhost'}:${port}`;
  console.log(`Kompetenskoll: ${url}  (database ${config.dbFile}, sign-in ${config.auth})`);
  if (signIn.devTokens) {
    console.log(
      `Token (dev): curl -s -X POST ${url}/api/dev/token -H 'content-type: application/json' -d '{"employeeNumber":"100007","roles":[{"role":"admin"}]}'`,
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    stopReminders();
    log({ level: 'info', event: 'shutdown', signal });
    // No new connections; requests in flight run to their end, then the database is checkpointed
    // and closed so that the file on disk is complete without its -wal beside it.
    server.close(() => {
      clearInterval(idle);
      try {
        handle.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      } catch (e) {
        log({ level: 'error', event: 'checkpoint', error: (e as Error).message });
      }
      void handle.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
    // Keep-alive connections that fall idle after their last answer would hold close() open.
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    server.closeIdleConnections();
    setTimeout(() => {
      log({ level: 'error', event: 'shutdown-timeout', ms: SHUTDOWN_GRACE_MS });
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return { server, handle, app, port };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  startNode().catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
