import { z } from 'zod';

/** The environment, read and validated once (every variable: README.md, "Configuration"). */
export interface Config {
  port: number;
  /** The interface to listen on (KK_HOST); all of them when unset. */
  host: string | null;
  dbFile: string;
  demo: boolean;
  auth: 'dev' | 'oidc';
  oidc: {
    issuer: string | null;
    audience: string | null;
    jwksUrl: string | null;
    employeeClaim: string;
    rolesClaim: string;
  };
  allowedOrigins: string[];
  maxUploadBytes: number;
  /** key → secret pairs the learning portal signs xAPI requests with. */
  xapiCredentials: Map<string, string>;
  devSecret: string | null;
  /** Years after a person's last employment ends before `npm run retention` anonymises them. */
  retentionYears: number;
  /** Read threads on Node for long counts and my-training (KK_READ_THREADS); null: one per core, at most 4. */
  readThreads: number | null;
  /** Mail for the reminders (KK_SMTP_URL, KK_MAIL_FROM); null: decided into the outbox, not sent. */
  smtpUrl: string | null;
  mailFrom: string;
  /** The Node server's daily reminder run, HH:MM Europe/Stockholm (KK_REMINDER_AT). */
  reminderAt: string;
  /** Workers with R2 and a queue bound: the stream path for large CSV imports (docs/workers.md). */
  streamImport: { thresholdBytes: number; maxBytes: number; sliceRows: number };
}

const schema = z.object({
  KK_HOST: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  KK_DB: z.string().min(1).default('data/kompetenskoll.db'),
  KK_DEMO: z.enum(['0', '1', 'true', 'false', '']).default('0'),
  KK_AUTH: z.enum(['dev', 'oidc']).default('oidc'),
  KK_OIDC_ISSUER: z.string().optional(),
  KK_OIDC_AUDIENCE: z.string().optional(),
  KK_OIDC_JWKS_URL: z.url().optional(),
  KK_OIDC_EMPLOYEE_CLAIM: z.string().min(1).default('employee_number'),
  KK_OIDC_ROLES_CLAIM: z.string().min(1).default('kk_roles'),
  KK_ALLOWED_ORIGINS: z.string().default(''),
  KK_MAX_UPLOAD_MB: z.coerce.number().positive().max(2048).default(50),
  KK_STREAM_IMPORT_MB: z.coerce.number().positive().max(2048).optional(),
  KK_STREAM_MAX_MB: z.coerce.number().positive().max(2048).default(100),
  KK_IMPORT_SLICE_ROWS: z.coerce.number().int().positive().max(1_000_000).default(20_000),
  KK_XAPI_CREDENTIALS: z.string().default(''),
  KK_DEV_SECRET: z.string().min(16).optional(),
  KK_RETENTION_YEARS: z.coerce.number().int().min(1).max(100).default(5),
  KK_READ_THREADS: z.coerce.number().int().min(0).max(16).optional(),
  KK_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/\S+$/, 'smtp://host:port or smtps://user:pass@host:465')
    .optional()
    .or(z.literal('')),
  KK_MAIL_FROM: z.string().min(3).default('Kompetenskoll <kompetenskoll@stockholm.se>'),
  KK_REMINDER_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')
    .default('07:00'),
});

export function readConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.KK_AUTH === 'oidc' && (!e.KK_OIDC_ISSUER || !e.KK_OIDC_AUDIENCE || !e.KK_OIDC_JWKS_URL)) {
    throw new Error(
      'Configuration: KK_AUTH=oidc needs KK_OIDC_ISSUER, KK_OIDC_AUDIENCE and KK_OIDC_JWKS_URL (or KK_AUTH=dev for development).',
    );
  }
  if (e.KK_AUTH === 'oidc' && e.KK_OIDC_JWKS_URL && !secureKeysUrl(e.KK_OIDC_JWKS_URL)) {
    throw new Error('Configuration: KK_OIDC_JWKS_URL must be https (plain http only on the loopback interface).');
  }
  const xapiCredentials = new Map<string, string>();
  for (const pair of e.KK_XAPI_CREDENTIALS.split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = pair.indexOf(':');
    if (i <= 0 || i === pair.length - 1) throw new Error('Configuration: KK_XAPI_CREDENTIALS takes key:secret pairs, comma-separated.');
    xapiCredentials.set(pair.slice(0, i), pair.slice(i + 1));
  }
  return {
    port: e.PORT,
    host: e.KK_HOST ?? null,
    dbFile: e.KK_DB,
    demo: e.KK_DEMO === '1' || e.KK_DEMO === 'true',
    auth: e.KK_AUTH,
    oidc: {
      issuer: e.KK_OIDC_ISSUER ?? null,
      audience: e.KK_OIDC_AUDIENCE ?? null,
      jwksUrl: e.KK_OIDC_JWKS_URL ?? null,
      employeeClaim: e.KK_OIDC_EMPLOYEE_CLAIM,
      rolesClaim: e.KK_OIDC_ROLES_CLAIM,
    },
    allowedOrigins: e.KK_ALLOWED_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean),
    maxUploadBytes: Math.round(e.KK_MAX_UPLOAD_MB * 1024 * 1024),
    xapiCredentials,
    devSecret: e.KK_DEV_SECRET ?? null,
    retentionYears: e.KK_RETENTION_YEARS,
    readThreads: e.KK_READ_THREADS ?? null,
    smtpUrl: e.KK_SMTP_URL || null,
    mailFrom: e.KK_MAIL_FROM,
    reminderAt: e.KK_REMINDER_AT,
    streamImport: {
      thresholdBytes: Math.round((e.KK_STREAM_IMPORT_MB ?? e.KK_MAX_UPLOAD_MB) * 1024 * 1024),
      maxBytes: Math.round(e.KK_STREAM_MAX_MB * 1024 * 1024),
      sliceRows: e.KK_IMPORT_SLICE_ROWS,
    },
  };
}

// Keys fetched over plain http could be swapped on the way; loopback is for tests and sidecars.
function secureKeysUrl(url: string): boolean {
  const u = new URL(url);
  return u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname));
}
