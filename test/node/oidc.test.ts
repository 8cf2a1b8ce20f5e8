import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, setQuietLogs, type AppType } from '../../server/app.ts';
import { oidcTokens } from '../../server/auth/tokens.ts';
import { readConfig } from '../../server/config.ts';
import { sqliteAtomic } from '../../server/db/atomic.ts';
import { openSqlite, type SqliteHandle } from '../../server/db/sqlite.ts';

setQuietLogs(true);

const ISSUER = 'https://login.example.stockholm.se/';
const AUDIENCE = 'kompetenskoll';
const COOLDOWN_MS = 300;

type Key = { kid: string; privateKey: CryptoKey; jwk: JWK };
async function newKey(kid: string, alg = 'RS256'): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

// The issuer's JWKS endpoint: a real server on the loopback that counts how often it is asked.
let published: Key[] = [];
let fetches = 0;
let jwksServer: Server;
let app: AppType;
let handle: SqliteHandle;
let dir: string;
let first: Key;

beforeAll(async () => {
  first = await newKey('key-1');
  published = [first];
  jwksServer = createServer((_req, res) => {
    fetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
  dir = mkdtempSync(join(tmpdir(), 'kk-oidc-'));
  handle = openSqlite(join(dir, 'kk.db'));
  const config = readConfig({ KK_AUTH: 'oidc', KK_OIDC_ISSUER: ISSUER, KK_OIDC_AUDIENCE: AUDIENCE, KK_OIDC_JWKS_URL: jwksUrl, KK_DB: join(dir, 'kk.db') });
  const auth = oidcTokens({ ...config.oidc, issuer: ISSUER, audience: AUDIENCE, jwksUrl, jwksCooldownMs: COOLDOWN_MS });
  app = createApp({ db: handle.db, atomic: sqliteAtomic(handle.db), config, auth });
});
afterAll(async () => {
  await handle.close();
  await new Promise((r) => jwksServer.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const now = () => Math.floor(Date.now() / 1000);
function token(key: Key, over: { iss?: string; aud?: string; exp?: number; nbf?: number; claims?: Record<string, unknown>; kid?: string } = {}) {
  const jwt = new SignJWT({ employee_number: 'E100', ...over.claims })
    .setProtectedHeader({ alg: key.jwk.alg!, kid: over.kid ?? key.kid, typ: 'JWT' })
    .setIssuer(over.iss ?? ISSUER)
    .setAudience(over.aud ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(over.exp ?? now() + 600);
  if (over.nbf !== undefined) jwt.setNotBefore(over.nbf);
  return jwt.sign(key.privateKey);
}
const me = (t: string) => app.request('/api/me/training', { headers: { authorization: `Bearer ${t}` } });
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('KK_AUTH=oidc', () => {
  it('lets a valid token in, with roles from the token claim', async () => {
    const res = await me(await token(first));
    expect(res.status).toBe(200);
    expect((await res.json()).person.employeeNumber).toBe('E100');
    const auditor = await token(first, { claims: { kk_roles: [{ role: 'auditor' }] } });
    expect((await app.request('/api/audit', { headers: { authorization: `Bearer ${auditor}` } })).status).toBe(200);
  });

  it.each([
    // The clock tolerance is small (30 s): a minute out is refused.
    ['expired a minute ago', { exp: now() - 60 }],
    ['not valid for another minute', { nbf: now() + 60 }],
    ['for another audience', { aud: 'someone-else' }],
    ['from another issuer', { iss: 'https://evil.example/' }],
    ['without the employee claim', { claims: { employee_number: undefined } }],
    ['with an empty employee claim', { claims: { employee_number: ' ' } }],
    ['with a malformed roles claim', { claims: { kk_roles: 'admin' } }],
  ])('refuses a token %s with 401', async (_what, over) => {
    const res = await me(await token(first, over));
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers GET /api/me for the signed-in person: the roles of the token claim, their units and what they may do', async () => {
    await handle.db.insertInto('org_unit').values({ code: 'OIDC-F', name: 'Förvaltningen', parent_code: null, kind: 'forvaltning', valid_from: '2000-01-01', valid_to: null, import_batch_id: null }).execute();
    const t = await token(first, { claims: { employee_number: 'E200', kk_roles: [{ role: 'coordinator', unit: 'OIDC-F' }] } });
    const res = await app.request('/api/me', { headers: { authorization: `Bearer ${t}` } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ employeeNumber: 'E200', name: null, roles: [{ role: 'coordinator', unit: 'OIDC-F' }], units: [{ code: 'OIDC-F', name: 'Förvaltningen' }] });
    expect(body.capabilities).toContain('import.write');
    // Staff may also read their own records (issue 18: GET /api/people/:employeeNumber/records).
    const plain = await app.request('/api/me', { headers: { authorization: `Bearer ${await token(first)}` } });
    expect((await plain.json()).capabilities).toEqual(['me.read', 'catalog.read', 'record.read']);
  });

  it('tolerates a few seconds of clock skew', async () => {
    expect((await me(await token(first, { exp: now() - 5 }))).status).toBe(200);
    expect((await me(await token(first, { nbf: now() + 5 }))).status).toBe(200);
  });

  it('refuses a token without an expiry', async () => {
    const claims = { iss: ISSUER, aud: AUDIENCE, iat: now(), employee_number: 'E100' };
    const t = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: first.kid }).sign(first.privateKey);
    expect((await me(t)).status).toBe(401);
  });

  it('refuses a token signed by a key the issuer never published', async () => {
    const stranger = await newKey('key-1');
    expect((await me(await token(stranger))).status).toBe(401);
    expect((await me(await token(stranger, { kid: 'nobody-knows' }))).status).toBe(401);
  });

  it("refuses alg none and HS256 signed with the issuer's public key", async () => {
    const claims = { iss: ISSUER, aud: AUDIENCE, exp: now() + 600, iat: now(), employee_number: 'E100' };
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    expect((await me(unsigned)).status).toBe(401);
    const { createHmac } = await import('node:crypto');
    for (const secret of [JSON.stringify(first.jwk), first.jwk.n!]) {
      const head = `${b64({ alg: 'HS256', typ: 'JWT', kid: first.kid })}.${b64(claims)}`;
      const sig = createHmac('sha256', secret).update(head).digest('base64url');
      expect((await me(`${head}.${sig}`)).status).toBe(401);
    }
  });

  it('picks up a rotated key without restart, fetching the key set at most once per cooldown', async () => {
    expect((await me(await token(first))).status).toBe(200);
    const second = await newKey('key-2', 'ES256');
    const signedWithNew = await token(second);
    // Before the issuer publishes it the kid is unknown; asking again at once does not refetch.
    await new Promise((r) => setTimeout(r, COOLDOWN_MS + 50));
    const before = fetches;
    expect((await me(signedWithNew)).status).toBe(401);
    expect((await me(signedWithNew)).status).toBe(401);
    expect((await me(signedWithNew)).status).toBe(401);
    expect(fetches - before).toBe(1);
    published = [first, second];
    await new Promise((r) => setTimeout(r, COOLDOWN_MS + 50));
    expect((await me(signedWithNew)).status).toBe(200);
    expect(fetches - before).toBe(2);
    // The old key is withdrawn: tokens it signed stop working once the set is fetched again.
    published = [second];
    await new Promise((r) => setTimeout(r, COOLDOWN_MS + 50));
    expect((await me(await token(second, { kid: 'key-3' }))).status).toBe(401); // unknown kid → refetch
    expect((await me(await token(first))).status).toBe(401);
  });

  it('has no development sign-in at all', async () => {
    const dev = await app.request('/api/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ employeeNumber: 'X', roles: [{ role: 'admin' }] }),
    });
    expect(dev.status).toBe(404);
    expect((await app.request('/api/dev/demo-users')).status).toBe(404);
    expect((await app.request('/api/dev/role', { method: 'POST' })).status).toBe(404);
    expect((await app.request('/api/dev/token')).status).toBe(404);
  });
});
