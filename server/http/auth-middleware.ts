import { createMiddleware } from 'hono/factory';
import { resolvePrincipal } from '../auth/permissions.ts';
import { TokenError } from '../auth/tokens.ts';
import { DomainError } from '../domain/errors.ts';
import type { AppEnv } from './env.ts';

/** Every /api route but the open ones needs a verified bearer token. */
export const requireSignIn = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('authorization') ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) throw new DomainError('unauthorized', 'auth.missing');
  const { auth, db } = c.get('deps');
  let verified;
  try {
    verified = await auth.verify(m[1]);
  } catch (e) {
    if (e instanceof TokenError) {
      if (e.missingClaim) throw new DomainError('unauthorized', 'auth.noEmployee', { claim: e.missingClaim });
      throw new DomainError('unauthorized', 'auth.invalid', { reason: e.reason });
    }
    throw e;
  }
  c.set('principal', await resolvePrincipal(db, verified.employeeNumber, verified.roles));
  await next();
});
