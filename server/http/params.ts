import type { Context } from 'hono';
import type { core } from 'zod';
import { isIsoDate, todayInStockholm } from '../domain/calendar.ts';
import { DomainError } from '../domain/errors.ts';
import type { Lang } from '../i18n/messages.ts';
import { fieldWords, issueWords } from '../i18n/zod-messages.ts';

/** A required query parameter; 400 naming it when absent or empty. */
export function required(c: Context, name: string): string {
  const v = c.req.query(name);
  if (v === undefined || v.trim() === '') throw new DomainError('bad_request', 'param.required', { name });
  return v.trim();
}

/** A date query parameter (YYYY-MM-DD); today in Stockholm when absent and no fallback is given. */
export function dateParam(c: Context, name: string, fallback: string | null = todayInStockholm()): string {
  const v = c.req.query(name);
  if (v === undefined || v === '') {
    if (fallback === null) throw new DomainError('bad_request', 'param.required', { name });
    return fallback;
  }
  if (!isIsoDate(v)) throw new DomainError('bad_request', 'param.date', { name, value: String(v).slice(0, 40) });
  return v;
}

/** One of a fixed set of values. */
export function enumParam<T extends string>(c: Context, name: string, values: readonly T[], fallback?: T): T | undefined {
  const v = c.req.query(name);
  if (v === undefined || v === '') return fallback;
  if (!(values as readonly string[]).includes(v)) {
    throw new DomainError('bad_request', 'param.invalid', { name, value: v.slice(0, 40), expected: values.join(' | ') });
  }
  return v as T;
}

/**
 * A zod failure as a 400 that names the first bad field, in the caller's words and language;
 * `errors` keeps each field's API path (for a form to mark) beside the message.
 */
export function invalidBody(error: core.$ZodError, lang: Lang = 'sv'): DomainError {
  const issue = error.issues[0];
  const capital = (s: string) => s.charAt(0).toLocaleUpperCase(lang) + s.slice(1);
  return new DomainError('bad_request', 'body.invalid', { field: fieldWords(issue.path, lang), reason: issueWords(issue, lang) }, {
    errors: error.issues.map((i) => ({ field: i.path.join('.'), message: `${capital(issueWords(i, lang))}.` })),
  });
}
