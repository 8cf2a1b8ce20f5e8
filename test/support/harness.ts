import { fileSpool } from '../../server/imports/spool-file.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, setQuietLogs } from '../../server/app.ts';
import { devTokens } from '../../server/auth/tokens.ts';
import { readConfig } from '../../server/config.ts';
import { sqliteAtomic } from '../../server/db/atomic.ts';
import { openSqlite, type SqliteHandle } from '../../server/db/sqlite.ts';
import { nodeMailer } from '../../server/mail/node-mailer.ts';
import { harnessCalls, TEST_DEV_SECRET, type Harness } from './harness-types.ts';

export type { Harness } from './harness-types.ts';

setQuietLogs(true);

/** The Node harness also exposes the SQLite file (for tests in test/node/ only). */
export interface NodeHarness extends Harness {
  handle: SqliteHandle;
  file: string;
}

/**
 * The real app on a real SQLite file in a temporary folder. In the vitest "workers" project this
 * module is replaced by harness-workers.ts (same exports, local D1 in workerd).
 */
export async function makeHarness(env: Record<string, string> = {}): Promise<NodeHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'kk-test-'));
  const file = join(dir, 'kk.db');
  const statements: string[] = [];
  const config = readConfig({ KK_AUTH: 'dev', KK_DB: file, ...env });
  // No read threads unless a test asks (KK_READ_THREADS): most tests count statements.
  const handle = openSqlite(file, { onQuery: (sql) => statements.push(sql), readThreads: config.readThreads ?? 0 });
  const dev = devTokens(TEST_DEV_SECRET);
  const atomic = sqliteAtomic(handle.db);
  // With KK_SMTP_URL (a test's own smtp-server), reminders are sent over real SMTP.
  const mailer = config.smtpUrl ? nodeMailer(config.smtpUrl, config.mailFrom) : undefined;
  const app = createApp({ db: handle.db, atomic, config, auth: dev, devTokens: dev, mailer, spool: () => fileSpool() });
  return {
    app,
    db: handle.db,
    config,
    atomic,
    runtime: 'node',
    statements,
    handle,
    file,
    ...harnessCalls(app, (n, roles) => dev.issue(n, roles)),
    async close() {
      mailer?.close?.();
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The name the first tests used; the same factory. */
export const nodeHarness = makeHarness;
