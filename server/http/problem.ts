import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError, type ErrorKind } from '../domain/errors.ts';
import { message, type Lang, type MessageKey } from '../i18n/messages.ts';
import type { AppEnv } from './env.ts';

export const STATUS: Record<ErrorKind, ContentfulStatusCode> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unprocessable: 422,
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  [extra: string]: unknown;
}

function titleFor(lang: Lang, status: number): string {
  const key = `status.${status}` as MessageKey;
  try {
    return message(lang, key);
  } catch {
    return String(status);
  }
}

/** An RFC 9457 problem+json response. */
export function problemResponse(status: number, body: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', ...headers },
  });
}

export function problemFor(lang: Lang, status: number, key: MessageKey, params: Record<string, string | number>, extra: Record<string, unknown> = {}): Problem {
  return {
    type: `urn:kompetenskoll:problem:${key}`,
    title: titleFor(lang, status),
    status,
    detail: message(lang, key, params),
    code: key,
    ...extra,
  };
}

/** The one place an error becomes an answer. */
export function onError(err: Error, c: Context<AppEnv>): Response {
  const lang = c.get('lang') ?? 'sv';
  const requestId = c.get('requestId');
  if (err instanceof DomainError) {
    const status = STATUS[err.kind];
    // Messages naming an action carry its English words alongside.
    const params = lang === 'en' && typeof err.extra.action_en === 'string' ? { ...err.params, action: err.extra.action_en } : err.params;
    const { action_en: _drop, ...extra } = err.extra;
    const headers: Record<string, string> = status === 401 ? { 'www-authenticate': 'Bearer' } : {};
    return problemResponse(status, { ...problemFor(lang, status, err.key, params, extra), instance: c.req.path, requestId }, headers);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const res = err.getResponse();
    if (res.headers.get('content-type')?.includes('problem+json')) return res;
    return problemResponse(status, {
      type: 'about:blank',
      title: titleFor(lang, status),
      status,
      detail: err.message || titleFor(lang, status),
      code: `status.${status}`,
      instance: c.req.path,
      requestId,
    });
  }
  // Unexpected: logged without request data (which may hold personal data), answered generically.
  console.error(
    JSON.stringify({ level: 'error', at: new Date().toISOString(), requestId, route: c.req.routePath, error: err.name, message: scrub(err.message), stack: err.stack?.split('\n').slice(1, 6) }),
  );
  return problemResponse(500, { ...problemFor(lang, 500, 'internal', { requestId: requestId ?? '' }), requestId });
}

/**
 * An error's message without what may be data: quoted values (V8 quotes the JSON or SQL it choked
 * on) and anything shaped like an e-mail address. The stack frames are code locations only.
 */
export function scrub(message: string): string {
  return message
    .replace(/(["'`])(?:(?!\1)[^\n])*\1/g, '$1…$1')
    .replace(/[^\s@]+@[^\s@]+/g, '…')
    .slice(0, 300);
}
