import { z, type core } from 'zod';
import { isIsoDate, todayInStockholm } from '../domain/calendar.ts';
import { DomainError } from '../domain/errors.ts';
import type { Lang, MessageKey } from '../i18n/messages.ts';
import { fieldWords, issueWords } from '../i18n/zod-messages.ts';

/**
 * The query parameters' zod fields. A failed check carries the message key it answers with
 * (`param.date`, `param.invalid` and its `expected`); `queryProblem` adds the parameter's name and
 * value, so the same 400 problem answers as before the queries were schemas.
 */

/** A required, non-blank parameter, trimmed. */
export const requiredText = () => z.string().trim().min(1);

/** An optional free-text parameter, trimmed and cut to `max` characters; blank is absent. */
export const optionalText = (max = 64) =>
  z
    .string()
    .optional()
    .transform((v) => v?.trim().slice(0, max) || undefined);

const isoDate = () => z.string().meta({ format: 'date', description: 'YYYY-MM-DD' });

/** A date (YYYY-MM-DD); today in Stockholm when absent or empty. */
export const dateOrToday = () =>
  isoDate()
    .optional()
    .refine((v) => !v || isIsoDate(v), { message: 'param.date' })
    .transform((v) => v || todayInStockholm());

/** An optional date (YYYY-MM-DD); undefined when absent or empty. */
export const optionalDate = () =>
  isoDate()
    .optional()
    .refine((v) => !v || isIsoDate(v), { message: 'param.date' })
    .transform((v) => v || undefined);

/** One of a fixed set of values; `fallback` (or undefined) when absent or empty. */
export function oneOf<const T extends readonly string[]>(values: T): z.ZodType<T[number] | undefined, string | undefined>;
export function oneOf<const T extends readonly string[]>(values: T, fallback: T[number]): z.ZodType<T[number], string | undefined>;
export function oneOf<const T extends readonly string[]>(values: T, fallback?: T[number]) {
  return z
    .string()
    .meta({ enum: [...values] })
    .optional()
    .refine((v) => !v || values.includes(v), { message: 'param.invalid', params: { expected: values.join(' | ') } })
    .transform((v) => (v ? (v as T[number]) : fallback));
}

/** A whole number from 1 to max; `fallback` when absent or empty. */
export const intFrom1 = (fallback: number, max: number) =>
  z
    .string()
    .optional()
    .refine((v) => !v || (Number.isInteger(Number(v)) && Number(v) >= 1 && Number(v) <= max), {
      message: 'param.invalid',
      params: { expected: `1–${max}` },
    })
    .transform((v) => (v ? Number(v) : fallback))
    .meta({ description: `1–${max}, ${fallback} when absent` });

/** A yes/no flag: true, false, 1 or 0; false when absent. */
export const flag = () => oneOf(['true', 'false', '1', '0'] as const, 'false').transform((v) => v === 'true' || v === '1');

const PARAM_KEYS = new Set<string>(['param.date', 'param.invalid', 'param.required']);

/** A failed query schema as the 400 problem naming the first bad parameter. */
export function queryProblem(error: core.$ZodError, data: Record<string, unknown>, lang: Lang = 'sv'): DomainError {
  const issue = error.issues[0];
  const params = ((issue as { params?: Record<string, string> }).params ?? {}) as Record<string, string>;
  // A check that names its own message (the xAPI resource's): answered as it says.
  if (issue.code === 'custom' && typeof params.key === 'string') {
    const { key, ...rest } = params;
    return new DomainError('bad_request', key as MessageKey, rest);
  }
  const name = String(issue.path[0] ?? '');
  const raw = data[name];
  const value = (Array.isArray(raw) ? raw.join(',') : String(raw ?? '')).slice(0, 40);
  if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return new DomainError('bad_request', 'param.required', { name });
  if (PARAM_KEYS.has(issue.message)) return new DomainError('bad_request', issue.message as MessageKey, { name, value, expected: params.expected ?? '' });
  // A parameter given twice, say: no key of ours says it, so zod's issue in the caller's language
  // (zod keeps no input on an issue; the value is there, so it is not missing).
  return new DomainError('bad_request', 'param.invalid', { name, value, expected: issueWords({ ...issue, input: raw } as core.$ZodIssue, lang) });
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
