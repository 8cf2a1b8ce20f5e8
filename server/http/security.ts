import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { DomainError } from '../domain/errors.ts';
import type { AppEnv } from './env.ts';

/** JSON bodies are small (a course, a requirement, a role); files go to the import routes. */
export const JSON_BODY_LIMIT = 1024 * 1024;

/**
 * The headers every answer carries. The demo page and the components load only same-origin
 * scripts; the portal may frame the app and load the bundle, so framing and CORP name it.
 */
export function securityHeaders(allowedOrigins: string[]): MiddlewareHandler<AppEnv> {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      // Lit's adopted style sheets need nothing here; inline style attributes in the demo page do.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'self'", ...allowedOrigins],
    },
    referrerPolicy: 'no-referrer',
    xContentTypeOptions: true,
    // frame-ancestors says who may frame; X-Frame-Options cannot name another origin.
    xFrameOptions: allowedOrigins.length ? false : 'SAMEORIGIN',
    // The portal loads the component bundle with a script tag from its own origin.
    crossOriginResourcePolicy: allowedOrigins.length ? 'cross-origin' : 'same-origin',
    crossOriginOpenerPolicy: 'same-origin',
  });
}

/**
 * CORS for the portal's origins only; any other origin gets no Access-Control-Allow-Origin.
 * Preflights are hono's cors(). On other requests the headers are set on the finished answer's
 * own headers: cors() appends Vary with c.header() after the handler, which rebuilds the answer
 * from its body (with @hono/node-server a full fetch Response): ~0.11 ms of CPU per request under
 * autocannon, against ~0.006 ms this way.
 */
export function portalCors(allowedOrigins: string[]): MiddlewareHandler<AppEnv> {
  const allowed = new Set(allowedOrigins);
  const exposeHeaders = ['X-Request-Id', 'Content-Disposition', 'X-Experience-API-Consistent-Through', 'X-Experience-API-Version'];
  const preflight = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'Accept-Language', 'X-Request-Id', 'X-Experience-API-Version'],
    exposeHeaders,
    // Bearer tokens, not cookies.
    credentials: false,
    maxAge: 600,
  });
  const expose = exposeHeaders.join(',');
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    await next();
    const origin = c.req.header('origin');
    const headers = c.res.headers;
    if (origin && allowed.has(origin)) {
      headers.set('Access-Control-Allow-Origin', origin);
      headers.set('Access-Control-Expose-Headers', expose);
    }
    headers.append('Vary', 'Origin');
  };
}

/** 413 problem for JSON bodies past the limit; the multipart import routes set their own limit. */
export function jsonBodyLimit(maxSize = JSON_BODY_LIMIT): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize,
    onError: () => {
      throw new DomainError('too_large', 'body.tooLarge', { limit: `${Math.round(maxSize / 1024)} kB` });
    },
  });
  // A GET or HEAD has no body to limit, and asking the request for one makes @hono/node-server
  // build a full fetch Request (undici's Request and streams: ~10 % of the CPU of a my-training
  // request in a profile of the server under the bench's autocannon load).
  return (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.path.startsWith('/api/imports') ? next() : limit(c, next));
}
