import { zValidator } from '@hono/zod-validator';
import type { ZodType } from 'zod';
import { invalidBody } from './params.ts';

/** A JSON body checked against a zod schema; a bad one is a 400 problem naming the field. */
export function jsonBody<T extends ZodType>(schema: T) {
  return zValidator('json', schema, (result) => {
    if (!result.success) throw invalidBody(result.error);
  });
}
