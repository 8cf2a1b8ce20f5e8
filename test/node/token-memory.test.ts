import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { devTokens, remembering, TokenError, type TokenVerifier } from '../../server/auth/tokens.ts';

// The real development verifier underneath, counted: how often a signature is actually checked.
function counted(secret: string) {
  const dev = devTokens(secret);
  const calls = { n: 0 };
  const inner: TokenVerifier = {
    mode: 'dev',
    verify: (t) => {
      calls.n++;
      return dev.verify(t);
    },
  };
  return { dev, inner, calls };
}

const SECRET = 'a-test-secret-of-enough-length';

describe('remembering verifier', () => {
  it('checks a token once and answers from memory until maxAge has passed', async () => {
    const { dev, inner, calls } = counted(SECRET);
    let clock = 1_000_000;
    const v = remembering(inner, { maxAgeMs: 60_000, now: () => clock });
    const t = await dev.issue('E1', [{ role: 'manager', unit: 'U1' }]);
    const a = await v.verify(t);
    const b = await v.verify(t);
    expect(calls.n).toBe(1);
    expect(b).toEqual(a);
    expect(a).toMatchObject({ employeeNumber: 'E1', roles: [{ role: 'manager', unit: 'U1' }] });
    clock += 59_999;
    await v.verify(t);
    expect(calls.n).toBe(1);
    clock += 1;
    await v.verify(t);
    expect(calls.n).toBe(2);
  });

  it('never trusts a token past its exp, however recently it was checked', async () => {
    const { dev, inner, calls } = counted(SECRET);
    const t = await dev.issue('E2', []);
    const expMs = (await dev.verify(t)).expiresAt!;
    let clock = expMs - 1_000;
    const v = remembering(inner, { maxAgeMs: 60_000, now: () => clock });
    await v.verify(t);
    clock = expMs - 1;
    await v.verify(t);
    expect(calls.n).toBe(1);
    clock = expMs;
    await v.verify(t);
    expect(calls.n).toBe(2);
  });

  it('keeps no refused token: each attempt is checked and refused again', async () => {
    const { inner, calls } = counted(SECRET);
    const v = remembering(inner);
    const forged = await devTokens('another-secret-of-enough-length').issue('E3', [{ role: 'admin', unit: null }]);
    await expect(v.verify(forged)).rejects.toBeInstanceOf(TokenError);
    await expect(v.verify(forged)).rejects.toBeInstanceOf(TokenError);
    expect(calls.n).toBe(2);
  });

  it('keeps no token without an expiry', async () => {
    const key = new TextEncoder().encode(SECRET);
    const noExp = await new SignJWT({ roles: [] }).setProtectedHeader({ alg: 'HS256' }).setSubject('E4').setIssuer('kompetenskoll-dev').sign(key);
    const { inner, calls } = counted(SECRET);
    const v = remembering(inner);
    await v.verify(noExp);
    await v.verify(noExp);
    expect(calls.n).toBe(2);
  });

  it('forgets the oldest token first beyond maxEntries', async () => {
    const { dev, inner, calls } = counted(SECRET);
    const v = remembering(inner, { maxEntries: 2 });
    const [t1, t2, t3] = await Promise.all(['E5', 'E6', 'E7'].map((e) => dev.issue(e, [])));
    for (const t of [t1, t2, t3]) await v.verify(t);
    expect(calls.n).toBe(3);
    await v.verify(t3);
    await v.verify(t2);
    expect(calls.n).toBe(3);
    await v.verify(t1);
    expect(calls.n).toBe(4);
  });
});
