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
  /** The token's exp, in ms since the epoch. */
  expiresAt?: number;
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

const expiresAt = (payload: JWTPayload) => (typeof payload.exp === 'number' ? payload.exp * 1000 : undefined);

async function verified(check: () => Promise<{ payload: JWTPayload }>): Promise<JWTPayload> {
  try {
    return (await check()).payload;
  } catch (e) {
    throw new TokenError((e as { code?: string }).code ?? 'invalid token');
  }
}

/** Development sign-in: HS256 tokens this process signs itself. Never used with KK_AUTH=oidc. */
export function devTokens(secret: string | null) {
  const raw = secret ? new TextEncoder().encode(secret) : crypto.getRandomValues(new Uint8Array(32));
  // Imported once: jose would import raw bytes again on every verify (~15 % of a my-training
  // request in `npm run bench`).
  const keyPromise = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  return {
    mode: 'dev' as const,
    async issue(employeeNumber: string, roles: RoleClaim[]): Promise<string> {
      return new SignJWT({ roles })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(employeeNumber)
        .setIssuer('kompetenskoll-dev')
        .setIssuedAt()
        .setExpirationTime('12h')
        .sign(await keyPromise);
    },
    async verify(token: string): Promise<VerifiedToken> {
      const key = await keyPromise;
      const payload = await verified(() => jwtVerify(token, key, { algorithms: ['HS256'], issuer: 'kompetenskoll-dev' }));
      if (!payload.sub) throw new TokenError('no subject', 'sub');
      return { employeeNumber: payload.sub, roles: readRoles(payload, 'roles'), expiresAt: expiresAt(payload) };
    },
  };
}
export type DevTokens = ReturnType<typeof devTokens>;

/** Asymmetric algorithms only: a symmetric one would let anyone holding the public key sign. */
export const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export interface OidcOptions {
  issuer: string;
  audience: string;
  jwksUrl: string;
  employeeClaim: string;
  rolesClaim: string;
  /** Seconds of clock skew tolerated on exp/nbf/iat (default 30). */
  clockToleranceSeconds?: number;
  /** The shortest time between two JWKS fetches caused by an unknown kid (default 30 s). */
  jwksCooldownMs?: number;
  /** How long fetched keys are trusted before they are fetched again anyway (default 10 min). */
  jwksMaxAgeMs?: number;
}

/**
 * Production sign-in: the city's OIDC issuer's JWTs, keys from its JWKS. The key set is cached;
 * a token naming a kid the cache lacks makes jose fetch the set again (a rotated key is picked up
 * without restart), at most once per cooldown so that made-up kids cannot hammer the issuer.
 */
export function oidcTokens(o: OidcOptions): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(o.jwksUrl), {
    cooldownDuration: o.jwksCooldownMs ?? 30_000,
    cacheMaxAge: o.jwksMaxAgeMs ?? 10 * 60_000,
    timeoutDuration: 5_000,
  });
  return {
    mode: 'oidc',
    async verify(token: string): Promise<VerifiedToken> {
      const payload = await verified(() =>
        jwtVerify(token, jwks, {
          issuer: o.issuer,
          audience: o.audience,
          algorithms: OIDC_ALGORITHMS,
          clockTolerance: o.clockToleranceSeconds ?? 30,
          // A token without an expiry would be good forever.
          requiredClaims: ['exp'],
        }),
      );
      const employee = payload[o.employeeClaim];
      if (typeof employee !== 'string' || employee.trim() === '' || employee.length > 64) {
        throw new TokenError('no employee number', o.employeeClaim);
      }
      return { employeeNumber: employee.trim(), roles: readRoles(payload, o.rolesClaim), expiresAt: expiresAt(payload) };
    },
  };
}

export interface RememberOptions {
  /** Most tokens kept (default 5 000); the oldest go first. */
  maxEntries?: number;
  /** Longest a token is trusted without being verified again (default 60 s). */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * A verifier that trusts a token it has accepted for up to a minute, never past the token's exp.
 * The intranet page sends the same token with every request of a visit; verifying its signature
 * each time (WebCrypto, a hop to a crypto thread per request) was ~8 % of the CPU of a
 * my-training request in a profile under the bench's autocannon load. The cost: a key withdrawn from the issuer's JWKS stops working here within
 * `maxAgeMs` rather than at once. Refused tokens are never kept.
 */
export function remembering<V extends TokenVerifier>(inner: V, o: RememberOptions = {}): V {
  const maxEntries = o.maxEntries ?? 5_000;
  const maxAgeMs = o.maxAgeMs ?? 60_000;
  const now = o.now ?? Date.now;
  const kept = new Map<string, { verified: VerifiedToken; until: number }>();
  return {
    ...inner,
    async verify(token: string): Promise<VerifiedToken> {
      const t = now();
      const hit = kept.get(token);
      if (hit && hit.until > t) return hit.verified;
      if (hit) kept.delete(token);
      const verified = await inner.verify(token);
      if (verified.expiresAt !== undefined) {
        kept.set(token, { verified, until: Math.min(t + maxAgeMs, verified.expiresAt) });
        if (kept.size > maxEntries) kept.delete(kept.keys().next().value!);
      }
      return verified;
    },
  };
}

/** The sign-in a configuration asks for: development tokens, or the city's OIDC issuer. */
export function signInFor(config: { auth: 'dev' | 'oidc'; devSecret: string | null; oidc: { issuer: string | null; audience: string | null; jwksUrl: string | null; employeeClaim: string; rolesClaim: string } }): {
  auth: TokenVerifier;
  devTokens?: DevTokens;
} {
  if (config.auth === 'dev') {
    const dev = devTokens(config.devSecret);
    return { auth: remembering(dev), devTokens: dev };
  }
  // readConfig has already refused KK_AUTH=oidc without these three.
  const { issuer, audience, jwksUrl } = config.oidc;
  return { auth: remembering(oidcTokens({ ...config.oidc, issuer: issuer!, audience: audience!, jwksUrl: jwksUrl! })) };
}
