import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { z } from 'zod';
import type { RoleName } from '../db/schema.ts';

export interface RoleClaim {
  role: RoleName;
  unit: string | null;
}

export interface VerifiedToken {
  employeeNumber: string;
  roles: RoleClaim[];
}

/** Turns a bearer token into who is asking; throws TokenError when it cannot. */
export interface TokenVerifier {
  readonly mode: 'dev' | 'oidc';
  verify(token: string): Promise<VerifiedToken>;
}

export class TokenError extends Error {
  constructor(
    readonly reason: string,
    readonly missingClaim?: string,
  ) {
    super(reason);
  }
}

export const roleClaim = z.object({
  role: z.enum(['admin', 'coordinator', 'auditor', 'manager']),
  unit: z.string().min(1).max(64).nullish(),
});
const rolesClaim = z.array(roleClaim).max(100);

function readRoles(payload: JWTPayload, claim: string): RoleClaim[] {
  const parsed = rolesClaim.safeParse(payload[claim] ?? []);
  if (!parsed.success) throw new TokenError(`claim ${claim} is not a list of {role, unit}`);
  return parsed.data.map((r) => ({ role: r.role, unit: r.unit ?? null }));
}

async function verified(check: () => Promise<{ payload: JWTPayload }>): Promise<JWTPayload> {
  try {
    return (await check()).payload;
  } catch (e) {
    throw new TokenError((e as { code?: string }).code ?? 'invalid token');
  }
}

/** Development sign-in: HS256 tokens this process signs itself. Never used with KK_AUTH=oidc. */
export function devTokens(secret: string | null) {
  const key = secret ? new TextEncoder().encode(secret) : crypto.getRandomValues(new Uint8Array(32));
  return {
    mode: 'dev' as const,
    async issue(employeeNumber: string, roles: RoleClaim[]): Promise<string> {
      return new SignJWT({ roles })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(employeeNumber)
        .setIssuer('kompetenskoll-dev')
        .setIssuedAt()
        .setExpirationTime('12h')
        .sign(key);
    },
    async verify(token: string): Promise<VerifiedToken> {
      const payload = await verified(() => jwtVerify(token, key, { algorithms: ['HS256'], issuer: 'kompetenskoll-dev' }));
      if (!payload.sub) throw new TokenError('no subject', 'sub');
      return { employeeNumber: payload.sub, roles: readRoles(payload, 'roles') };
    },
  };
}
export type DevTokens = ReturnType<typeof devTokens>;

/** Production sign-in: the city's OIDC issuer's JWTs, keys from its JWKS (cached, refetched on an unknown kid). */
export function oidcTokens(o: { issuer: string; audience: string; jwksUrl: string; employeeClaim: string; rolesClaim: string }): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(o.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
  return {
    mode: 'oidc',
    async verify(token: string): Promise<VerifiedToken> {
      const payload = await verified(() =>
        jwtVerify(token, jwks, {
          issuer: o.issuer,
          audience: o.audience,
          algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
        }),
      );
      const employee = payload[o.employeeClaim];
      if (typeof employee !== 'string' || employee.trim() === '') throw new TokenError('no employee number', o.employeeClaim);
      return { employeeNumber: employee.trim(), roles: readRoles(payload, o.rolesClaim) };
    },
  };
}
