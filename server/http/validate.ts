import { zValidator } from '@hono/zod-validator';
import type { Context } from 'hono';
import type { ZodType } from 'zod';
import type { AppEnv } from './env.ts';
import { invalidBody } from './params.ts';

/** A JSON body checked against a zod schema; a bad one is a 400 problem naming the field. */
export function jsonBody<T extends ZodType>(schema: T) {
  return zValidator('json', schema, (result, c) => {
    if (!result.success) throw invalidBody(result.error, (c as unknown as Context<AppEnv>).get('lang') ?? 'sv');
  });
}
