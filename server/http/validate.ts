import { zValidator } from '@hono/zod-validator';
import type { Context } from 'hono';
import type { ZodObject, ZodType } from 'zod';
import type { AppEnv } from './env.ts';
import type { Lang } from '../i18n/messages.ts';
import { invalidBody, queryProblem } from './params.ts';
import { described } from './openapi.ts';

// zValidator's hook types its context loosely; the language the app's first middleware chose.
const langOf = (c: unknown): Lang => (c as Context<AppEnv>).get('lang') ?? 'sv';

/** A JSON body checked against a zod schema; a bad one is a 400 problem naming the field. */
export function jsonBody<T extends ZodType>(schema: T) {
  const check = zValidator('json', schema, (result, c) => {
    if (!result.success) throw invalidBody(result.error, langOf(c));
  });
  return described(check, { body: schema });
}

/** The query checked against a zod object; a bad parameter is a 400 problem naming it. */
export function query<T extends ZodObject>(schema: T) {
  const check = zValidator('query', schema, (result, c) => {
    if (!result.success) throw queryProblem(result.error, result.data as Record<string, unknown>, langOf(c));
  });
  return described(check, { query: schema });
}
