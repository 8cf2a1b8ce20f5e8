import type { Principal } from '../auth/permissions.ts';
import type { DevTokens, TokenVerifier } from '../auth/tokens.ts';
import type { Config } from '../config.ts';
import type { AtomicRunner } from '../db/atomic.ts';
import type { Db } from '../db/schema.ts';
import type { Lang } from '../i18n/messages.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { StreamImports } from '../imports/r2-upload.ts';
import type { SpoolFactory } from '../imports/spool.ts';

/** What an app is built from: the entry points (Node, Workers, tests) wire these in. */
export interface AppDeps {
  db: Db;
  config: Config;
  auth: TokenVerifier;
  /** All-or-nothing writes (a SQLite transaction on Node, D1 batches on Workers). */
  atomic: AtomicRunner;
  /** Present only in development sign-in (KK_AUTH=dev). */
  devTokens?: DevTokens;
  /** Where the request log goes, one JSON line each; console.log (Workers logs) when absent. */
  logLine?: (line: string) => void;
  /** Where an upload is kept while it is imported (a temporary file on Node); memory when absent. */
  spool?: SpoolFactory;
  /** Where reminders are sent (KK_SMTP_URL); absent: they are decided and kept in the outbox. */
  mailer?: Mailer;
  /** Workers with R2 and a queue bound: large CSV imports go through them (docs/workers.md). */
  streamImports?: StreamImports;
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    principal: Principal;
    lang: Lang;
    requestId: string;
  };
}
