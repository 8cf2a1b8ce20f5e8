import type { MiddlewareHandler } from 'hono';
import type { RouterRoute } from 'hono/types';
import { z, type ZodObject, type ZodType } from 'zod';

/**
 * The OpenAPI 3.1 document is read off the app itself: every route carries its description on
 * its handlers (`doc()`, and the schemas `query()` and `jsonBody()` validate with), and the
 * document walks `app.routes`. So it describes the schemas the requests are checked against, at
 * the paths the sub-apps are mounted at, and a route without a description is missing from it
 * (test/api/openapi.test.ts fails).
 */

const SPEC = Symbol.for('kompetenskoll.openapi');
// What Hono's route() leaves on a sub-app's handler it wraps (hono/utils/constants).
const COMPOSED_HANDLER = '__COMPOSED_HANDLER';

export interface RouteSpec {
  summary?: string;
  description?: string;
  tags?: string[];
  /** Who may call: a bearer token (the default), the xAPI client's HTTP Basic, or anyone. */
  auth?: 'bearer' | 'basic' | 'none';
  query?: ZodObject;
  body?: ZodType;
  /** A multipart upload with one `file` part. */
  upload?: boolean;
  /** Success answers by status: JSON unless `type` says otherwise. */
  responses?: Record<number, { description: string; type?: string; schema?: ZodType }>;
}

type WithSpec = { [SPEC]?: RouteSpec; [COMPOSED_HANDLER]?: WithSpec };

/** Puts (a part of) a route's description on one of its handlers. */
export function described<H extends object>(handler: H, spec: RouteSpec): H {
  const own = (handler as WithSpec)[SPEC];
  Object.defineProperty(handler, SPEC, { value: { ...own, ...spec }, configurable: true });
  return handler;
}

/** A route's description, as a middleware that does nothing else. */
export function doc(spec: RouteSpec): MiddlewareHandler {
  return described((_c, next) => next(), spec);
}

function specOf(handler: unknown): RouteSpec | undefined {
  const h = handler as WithSpec;
  return h[SPEC] ?? h[COMPOSED_HANDLER]?.[SPEC];
}

/**
 * Hono's `/api/courses/:code` is OpenAPI's `/api/courses/{code}`; a parameter whose pattern ends in
 * an escaped literal suffix (`/:id{[0-9]+\\.xlsx}`, a report's workbook) keeps it: `/{id}.xlsx`.
 */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)(?:\{([^}]*)\})?/g, (_, name: string, pattern?: string) => {
    const suffix = pattern?.match(/\\\.(\w+)$/);
    return suffix ? `{${name}}.${suffix[1]}` : `{${name}}`;
  });
}

/** The operations described on the routes, by method and Hono path. */
export function describedRoutes(routes: readonly RouterRoute[]): Map<string, { method: string; path: string; spec: RouteSpec }> {
  const found = new Map<string, { method: string; path: string; spec: RouteSpec }>();
  for (const r of routes) {
    // Middleware (app.use) and catch-alls are no operations.
    if (r.method === 'ALL') continue;
    const spec = specOf(r.handler);
    if (!spec) continue;
    const key = `${r.method} ${r.path}`;
    const before = found.get(key);
    found.set(key, { method: r.method, path: r.path, spec: { ...before?.spec, ...spec } });
  }
  return found;
}

function jsonSchema(schema: ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function queryParameters(query: ZodObject | undefined) {
  if (!query) return [];
  return Object.entries(query.shape as Record<string, ZodType>).map(([name, field]) => {
    const schema = jsonSchema(field, 'input');
    const { description, ...rest } = schema;
    return { name, in: 'query', required: !field.safeParse(undefined).success, ...(description ? { description } : {}), schema: rest };
  });
}

function pathParameters(path: string) {
  return [...path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
}

const PROBLEM = {
  type: 'object',
  description: 'RFC 9457 problem details; detail in Swedish or English (Accept-Language, ?lang=).',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'The message key, stable across languages.' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
  },
};

/** The OpenAPI 3.1 document of the described routes. */
export function openApiDocument(routes: readonly RouterRoute[], info: { title: string; version: string; description?: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { method, path, spec } of describedRoutes(routes).values()) {
    const parameters = [...pathParameters(path), ...queryParameters(spec.query)];
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(spec.responses ?? { 200: { description: 'OK' } })) {
      const type = r.type ?? 'application/json';
      responses[status] = { description: r.description, content: { [type]: { schema: r.schema ? jsonSchema(r.schema, 'output') : type.includes('json') ? { type: 'object' } : { type: 'string', format: 'binary' } } } };
    }
    responses['4XX'] = { $ref: '#/components/responses/Problem' };
    const requestBody = spec.body
      ? { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } }
      : spec.upload
        ? {
            required: true,
            content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } } },
          }
        : undefined;
    const auth = spec.auth ?? 'bearer';
    (paths[openApiPath(path)] ??= {})[method.toLowerCase()] = {
      ...(spec.summary ? { summary: spec.summary } : {}),
      ...(spec.description ? { description: spec.description } : {}),
      ...(spec.tags ? { tags: spec.tags } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses,
      ...(auth === 'bearer' ? {} : { security: auth === 'basic' ? [{ basic: [] }] : [] }),
    };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        basic: { type: 'http', scheme: 'basic', description: 'The learning portal as an xAPI client (KK_XAPI_CREDENTIALS).' },
      },
      schemas: { Problem: PROBLEM },
      responses: {
        Problem: { description: 'A problem the caller can act on.', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
    },
  };
}
