import { Hono } from 'hono';
import { requireSignIn } from './http/auth-middleware.ts';
import type { AppDeps, AppEnv } from './http/env.ts';
import { onError, problemFor, problemResponse } from './http/problem.ts';
import { pickLang } from './i18n/messages.ts';
import { coverageRoutes } from './routes/coverage.ts';
import { courses } from './routes/courses.ts';
import { dev } from './routes/dev.ts';
import { health } from './routes/health.ts';
import { imports } from './routes/imports.ts';
import { me } from './routes/me.ts';
import { requirements } from './routes/requirements.ts';

const OPEN = new Set(['/api/health', '/api/dev/token', '/api/dev/demo-users']);

/** The whole API; Node, Workers and the tests wire a database and a token verifier into it. */
export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    const requestId = c.req.header('x-request-id')?.slice(0, 64) || crypto.randomUUID();
    c.set('deps', deps);
    c.set('requestId', requestId);
    c.set('lang', pickLang(c.req.header('accept-language'), c.req.query('lang')));
    const started = performance.now();
    await next();
    c.header('x-request-id', requestId);
    if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/xapi/')) {
      // The route's pattern, not its path: paths can carry employee numbers.
      log({ requestId, method: c.req.method, route: c.req.routePath, status: c.res.status, ms: +(performance.now() - started).toFixed(1) });
    }
  });
  app.use('/api/*', async (c, next) => (OPEN.has(c.req.path) ? next() : requireSignIn(c, next)));

  const routes = app
    .route('/', health)
    .route('/', deps.devTokens ? dev : new Hono<AppEnv>())
    .route('/', me)
    .route('/', coverageRoutes)
    .route('/', courses)
    .route('/', requirements)
    .route('/', imports);

  app.notFound((c) => {
    const lang = c.get('lang') ?? 'sv';
    return problemResponse(404, { ...problemFor(lang, 404, 'route.unknown', { path: c.req.path }), instance: c.req.path });
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

function log(entry: Record<string, unknown>) {
  if (!quiet) console.log(JSON.stringify({ level: 'info', at: new Date().toISOString(), ...entry }));
}
