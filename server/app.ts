import { Hono } from 'hono';
import { requireSignIn } from './http/auth-middleware.ts';
import type { AppDeps, AppEnv } from './http/env.ts';
import { onError, problemFor, problemResponse } from './http/problem.ts';
import { jsonBodyLimit, portalCors, securityHeaders } from './http/security.ts';
import { pickLang } from './i18n/messages.ts';
import { coverageRoutes } from './routes/coverage.ts';
import { courses } from './routes/courses.ts';
import { auditRoutes } from './routes/audit.ts';
import { dev } from './routes/dev.ts';
import { exportRoutes } from './routes/exports.ts';
import { health } from './routes/health.ts';
import { imports } from './routes/imports.ts';
import { me } from './routes/me.ts';
import { personExtractRoutes } from './routes/person-extract.ts';
import { requirements } from './routes/requirements.ts';
import { xapiLrs, xapiUnmatched } from './routes/xapi.ts';
import { apiDocs } from './routes/api-docs.ts';
import { roles } from './routes/roles.ts';
import { exemptions } from './routes/exemptions.ts';
import { people } from './routes/people.ts';
import { records } from './routes/records.ts';
import { reminders } from './routes/reminders.ts';
import { reports } from './routes/reports.ts';
import { unitRoutes } from './routes/units.ts';

// Open without a token: the health check, the API's own description, and the development sign-in
// (mounted only with KK_AUTH=dev, so with oidc every /api/dev/ address is a plain 404, not a 401
// hinting it exists).
const OPEN = new Set(['/api/health', '/api/openapi.json', '/api/docs']);
const isOpen = (path: string) => OPEN.has(path) || path.startsWith('/api/dev/');

const API_INFO = {
  title: 'Kompetenskoll API',
  version: '0.1.0',
  description:
    'Training compliance for the City of Stockholm: who must take which course, who has, coverage per unit against target. Errors are application/problem+json in Swedish or English (Accept-Language, ?lang=en).',
};

/** The whole API; Node, Workers and the tests wire a database and a token verifier into it. */
export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    // A caller's id is kept for tracing across systems only when it is a plain token.
    const given = c.req.header('x-request-id');
    const requestId = given && /^[A-Za-z0-9._:-]{1,64}$/.test(given) ? given : crypto.randomUUID();
    c.set('deps', deps);
    c.set('requestId', requestId);
    c.set('lang', pickLang(c.req.header('accept-language'), c.req.query('lang')));
    const started = performance.now();
    await next();
    // On the answer's own headers: c.header() on a finished answer would rebuild it from its body
    // (with @hono/node-server, a full fetch Response per request).
    c.res.headers.set('x-request-id', requestId);
    if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/xapi/')) {
      // The route's pattern, not its path: paths can carry employee numbers.
      log(deps, { requestId, method: c.req.method, route: c.req.routePath, status: c.res.status, ms: +(performance.now() - started).toFixed(1) });
    }
  });
  app.use('*', securityHeaders(deps.config.allowedOrigins));
  app.use('*', portalCors(deps.config.allowedOrigins));
  app.use('/api/*', jsonBodyLimit());
  app.use('/api/*', async (c, next) => (isOpen(c.req.path) ? next() : requireSignIn(c, next)));

  // Each resource at its own path; the audit trail and the API's description at /api, since
  // their addresses (/api/audit and /api/audit.xlsx, /api/openapi.json and /api/docs) share no folder.
  const routes = app
    .route('/api/health', health)
    .route('/api/dev', deps.devTokens ? dev : new Hono<AppEnv>())
    .route('/api/me', me)
    .route('/api/coverage', coverageRoutes)
    .route('/api/units', unitRoutes)
    .route('/api/courses', courses)
    .route('/api/requirements', requirements)
    .route('/xapi', xapiLrs as unknown as Hono<AppEnv>)
    .route('/api/xapi', xapiUnmatched)
    .route('/api/roles', roles)
    .route('/api', auditRoutes)
    .route('/api/people', personExtractRoutes)
    .route('/api/people', people)
    .route('/api/records', records)
    .route('/api/exemptions', exemptions)
    .route('/api/reminders', reminders)
    .route('/api/reports', reports)
    .route('/api/exports', exportRoutes)
    .route('/api/imports', imports)
    .route('/api', apiDocs(() => app.routes, API_INFO));

  app.notFound((c) => {
    const lang = c.get('lang') ?? 'sv';
    return problemResponse(404, { ...problemFor(lang, 404, 'route.unknown', { path: c.req.path }), instance: c.req.path, requestId: c.get('requestId') });
  });
  app.onError(onError);
  return routes;
}

export type AppType = ReturnType<typeof createApp>;

let quiet = false;
/** Tests switch request logs off. */
export function setQuietLogs(value: boolean) {
  quiet = value;
}

function log(deps: AppDeps, entry: Record<string, unknown>) {
  if (quiet) return;
  const line = JSON.stringify({ level: 'info', at: new Date().toISOString(), ...entry });
  if (deps.logLine) deps.logLine(line);
  else console.log(line);
}
