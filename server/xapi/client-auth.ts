import { DomainError } from '../domain/errors.ts';

/**
 * HTTP Basic for the learning portal: the `key:secret` pairs of KK_XAPI_CREDENTIALS. Both sides
 * are hashed first and every configured pair is compared in full, so neither the length nor the
 * position of a mismatch shows in the time taken. Returns the key that matched.
 */
export async function authenticateClient(header: string | undefined, credentials: ReadonlyMap<string, string>): Promise<string> {
  if (!credentials.size) throw new DomainError('unauthorized', 'xapi.auth.unconfigured');
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) throw new DomainError('unauthorized', 'xapi.auth.missing');
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(m[1]), (ch) => ch.charCodeAt(0)));
  } catch {
    throw new DomainError('unauthorized', 'xapi.auth.invalid');
  }
  const i = decoded.indexOf(':');
  if (i < 0) throw new DomainError('unauthorized', 'xapi.auth.invalid');
  const [key, secret] = await Promise.all([digest(decoded.slice(0, i)), digest(decoded.slice(i + 1))]);
  let found: string | null = null;
  for (const [k, s] of credentials) {
    const [kd, sd] = await Promise.all([digest(k), digest(s)]);
    if (equal(key, kd) & equal(secret, sd)) found = k;
  }
  if (found === null) throw new DomainError('unauthorized', 'xapi.auth.invalid');
  return found;
}

async function digest(s: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));
}

/** 1 when equal, else 0, looking at every byte. */
function equal(a: Uint8Array, b: Uint8Array): number {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ (b[i] ?? 0);
  return diff === 0 ? 1 : 0;
}
