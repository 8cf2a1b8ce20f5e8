import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { createMiddleware } from 'hono/factory';
import { authorize } from '../auth/permissions.ts';
import { DomainError } from '../domain/errors.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { query } from '../http/validate.ts';
import { authenticateClient } from '../xapi/client-auth.ts';
import { VOIDED_VERB } from '../xapi/mapping.ts';
import { findStatement, storeStatements, unmatchedSummary, type XapiClient } from '../xapi/store.ts';
import { isUuid, statementSchema, validateStatement, type Statement, type XapiIssue } from '../xapi/validate.ts';

/**
 * Kompetenskoll as a small LRS for statements only (xAPI 1.0.3): POST/PUT/GET /xapi/statements
 * and /xapi/about, for the learning portal signing in with HTTP Basic; plus the coordinators'
 * view of statements that count for nothing yet, under /api with the usual bearer token.
 */

const VERSION = '1.0.3';
const ACCEPTED_VERSION = /^1\.0(\.\d+)?$/;

type Ctx = Context<AppEnv & { Variables: { xapiClient: XapiClient } }>;

/** Every answer under /xapi, errors included, says which xAPI version it speaks. */
const versionHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  c.res.headers.set('X-Experience-API-Version', VERSION);
  if (c.res.status === 401) c.res.headers.set('WWW-Authenticate', 'Basic realm="Kompetenskoll xAPI", charset="UTF-8"');
  if (c.req.method === 'GET' && c.req.path === '/xapi/statements') {
    // Statements are readable the moment they are stored: we are consistent up to now.
    c.res.headers.set('X-Experience-API-Consistent-Through', new Date().toISOString());
  }
});

/** The version header first (before credentials, as the spec orders it), then the client. */
const versionThenClient = createMiddleware<AppEnv & { Variables: { xapiClient: XapiClient } }>(async (c, next) => {
  if (c.req.path === '/xapi/about') return next();
  const version = c.req.header('x-experience-api-version');
  if (!version) throw new DomainError('bad_request', 'xapi.version.missing');
  if (!ACCEPTED_VERSION.test(version.trim())) throw new DomainError('bad_request', 'xapi.version.unsupported', { version: version.slice(0, 20) });
  const key = await authenticateClient(c.req.header('authorization'), c.get('deps').config.xapiCredentials);
  const origin = new URL(c.req.url).origin;
  c.set('xapiClient', { key, authority: { objectType: 'Agent', account: { homePage: `${origin}/xapi`, name: key } } });
  await next();
});

async function readJson(c: Ctx): Promise<unknown> {
  const limit = c.get('deps').config.maxUploadBytes;
  const declared = Number(c.req.header('content-length') ?? 0);
  const tooLarge = () => new DomainError('too_large', 'body.tooLarge', { limit: `${Math.round(limit / 1024 / 1024)} MB` });
  if (declared > limit) throw tooLarge();
  const text = await c.req.text();
  if (text.length > limit) throw tooLarge();
  try {
    return JSON.parse(text);
  } catch {
    throw new DomainError('bad_request', 'body.json');
  }
}

/** All statements checked before any is stored: one bad statement refuses the whole request. */
function check(statements: unknown[], prefixed: boolean): Statement[] {
  const issues: XapiIssue[] = statements.flatMap((s, i) => validateStatement(s, prefixed ? `[${i}]` : ''));
  if (issues.length) {
    const more = issues.length > 1 ? ` (+${issues.length - 1})` : '';
    throw new DomainError('bad_request', 'xapi.statement.invalid', { reason: `${issues[0].message}${more}` }, { issues: issues.slice(0, 50) });
  }
  // Stored as sent (GET answers format=exact): the schema checked them, it does not rewrite them.
  const checked = statements as Statement[];
  checked.forEach((s, i) => {
    if (s.verb.id === VOIDED_VERB) throw new DomainError('bad_request', 'xapi.voiding.unsupported', {}, { path: prefixed ? `[${i}].verb.id` : 'verb.id' });
  });
  return checked;
}

/** A check that fails with one of the xAPI resource's own messages (see queryProblem). */
function refuse(ctx: z.RefinementCtx, key: string, params: Record<string, string> = {}) {
  ctx.addIssue({ code: 'custom', message: key, params: { key, ...params } });
}

function checkStatementId(id: string | undefined, ctx: z.RefinementCtx) {
  if (id === undefined || id === '') refuse(ctx, 'xapi.statementId.required');
  else if (!isUuid(id)) refuse(ctx, 'xapi.statementId.invalid', { id: String(id).slice(0, 60) });
}

const statementId = z.string().optional().meta({ format: 'uuid' });

export const putStatementQuery = z
  .object({ statementId })
  .superRefine((q, ctx) => checkStatementId(q.statementId, ctx));

/** One statement by its id; no filters, no voided statements, no attachments. */
export const getStatementQuery = z
  .looseObject({
    statementId,
    format: z.string().optional().meta({ enum: ['exact'] }),
    attachments: z.string().optional().meta({ enum: ['false'] }),
  })
  .superRefine((q, ctx) => {
    if ('voidedStatementId' in q) return refuse(ctx, 'xapi.voiding.unsupported');
    if (!('statementId' in q)) return refuse(ctx, 'xapi.query.statementIdOnly');
    const unsupported = Object.entries(q)
      .filter(([k, v]) => !(k === 'statementId' || (k === 'format' && v === 'exact') || (k === 'attachments' && v === 'false')))
      .map(([k, v]) => `${k}=${String(v)}`.slice(0, 80));
    if (unsupported.length) return refuse(ctx, 'xapi.query.unsupported', { params: unsupported.join(', ') });
    checkStatementId(q.statementId, ctx);
  });

const tags = ['xapi'];

/** The LRS, mounted at /xapi. */
export const xapiLrs = new Hono<AppEnv & { Variables: { xapiClient: XapiClient } }>()
  .use('*', versionHeaders, versionThenClient)
  .get('/about', doc({ tags, auth: 'none', summary: 'The xAPI versions spoken (1.0.3)' }), (c) => c.json({ version: [VERSION] }))
  .post('/statements', doc({ tags, auth: 'basic', summary: 'Store a statement or a batch (all or none); answers their ids', body: z.union([statementSchema, z.array(statementSchema)]) }), async (c) => {
    const body = await readJson(c);
    const list = Array.isArray(body) ? body : [body];
    if (!list.length) throw new DomainError('bad_request', 'xapi.batch.empty');
    const statements = check(list, Array.isArray(body));
    const { db, atomic } = c.get('deps');
    return c.json(await storeStatements(db, atomic, statements, c.get('xapiClient')));
  })
  .put('/statements', doc({ tags, auth: 'basic', summary: 'Store one statement under statementId', body: statementSchema, responses: { 204: { description: 'Stored' } } }), query(putStatementQuery), async (c) => {
    // A UUID by the check above; stored in lower case.
    const id = c.req.valid('query').statementId!.toLowerCase();
    const body = await readJson(c);
    if (Array.isArray(body)) throw new DomainError('bad_request', 'xapi.put.single');
    const [statement] = check([body], false);
    if (statement.id === undefined) statement.id = id;
    else if (String(statement.id).toLowerCase() !== id) throw new DomainError('bad_request', 'xapi.statementId.mismatch', { body: String(statement.id), param: id });
    const { db, atomic } = c.get('deps');
    await storeStatements(db, atomic, [statement], c.get('xapiClient'));
    return c.body(null, 204);
  })
  .get('/statements', doc({ tags, auth: 'basic', summary: 'One statement by its id' }), query(getStatementQuery), async (c) => {
    // A UUID by the check above; stored in lower case.
    const id = c.req.valid('query').statementId!.toLowerCase();
    const statement = await findStatement(c.get('deps').db, id);
    if (!statement) throw new DomainError('not_found', 'xapi.notFound', { id });
    c.header('Last-Modified', new Date(String(statement.stored)).toUTCString());
    return c.json(statement);
  })
  .all('*', (c) => {
    throw new DomainError('not_found', 'xapi.resource.unsupported', { path: `${c.req.method} ${c.req.path}` });
  });

/** Statements that count for nothing yet, for coordinators; mounted at /api/xapi. */
export const xapiUnmatched = new Hono<AppEnv>().get('/unmatched', doc({ tags, summary: 'Statements whose actor or activity is not known yet' }), async (c) => {
  authorize(c.get('principal'), 'xapi.unmatched.read');
  return c.json(await unmatchedSummary(c.get('deps').db));
});
