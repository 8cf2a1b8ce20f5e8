import { zValidator } from '@hono/zod-validator';
import type { ZodObject, ZodType } from 'zod';
import { invalidBody, queryProblem } from './params.ts';
import { described } from './openapi.ts';

/** A JSON body checked against a zod schema; a bad one is a 400 problem naming the field. */
export function jsonBody<T extends ZodType>(schema: T) {
  const check = zValidator('json', schema, (result) => {
    if (!result.success) throw invalidBody(result.error);
  });
  return described(check, { body: schema });
}

/** The query checked against a zod object; a bad parameter is a 400 problem naming it. */
export function query<T extends ZodObject>(schema: T) {
  const check = zValidator('query', schema, (result) => {
    if (!result.success) throw queryProblem(result.error, result.data as Record<string, unknown>);
  });
  return described(check, { query: schema });
}
