import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeHarness, type Harness } from '../support/harness.ts';

const PORTAL = 'https://intranat.stockholm.se';
const OTHER = 'https://evil.example';

let h: Harness;
let admin: string;
beforeEach(async () => {
  h = await nodeHarness({ KK_ALLOWED_ORIGINS: `${PORTAL}, https://portal2.example` });
  admin = await h.token('ADMIN', [{ role: 'admin' }]);
});
afterEach(() => h.close());

describe('security headers', () => {
  it('sends a same-origin-scripts CSP, nosniff and no referrer on pages and API answers', async () => {
    for (const path of ['/', '/api/health', '/api/courses']) {
      const res = await h.request(path, { token: admin });
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
      expect(directives['script-src']).toEqual(["'self'"]);
      expect(directives['default-src']).toEqual(["'self'"]);
      expect(directives['object-src']).toEqual(["'none'"]);
      expect(directives['frame-ancestors']).toEqual(["'self'", PORTAL, 'https://portal2.example']);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      // Framing is said by frame-ancestors; X-Frame-Options could not name the portal.
      expect(res.headers.get('x-frame-options')).toBeNull();
    }
  });

  it('lets only the app itself frame it when no portal is configured', async () => {
    const bare = await nodeHarness();
    try {
      const res = await bare.request('/api/health');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
      expect(res.headers.get('content-security-policy')).not.toContain('https://');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await bare.close();
    }
  });

  it('carries the headers on error answers too', async () => {
    const res = await h.request('/api/courses');
    expect(res.status).toBe(401);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

describe('CORS', () => {
  it('answers the portal with its origin, on success and on error', async () => {
    const ok = await h.request('/api/courses', { token: admin, headers: { origin: PORTAL } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(ok.headers.get('vary')).toContain('Origin');
    const denied = await h.request('/api/courses', { headers: { origin: PORTAL } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(PORTAL);
  });

  it('gives any other origin no Access-Control-Allow-Origin', async () => {
    for (const origin of [OTHER, 'null', `${PORTAL}.evil.example`, 'http://intranat.stockholm.se']) {
      const res = await h.request('/api/courses', { token: admin, headers: { origin } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('answers a preflight from the portal without asking for a token', async () => {
    const pre = await h.request('/api/courses', {
      method: 'OPTIONS',
      headers: { origin: PORTAL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await h.request('/api/courses', { method: 'OPTIONS', headers: { origin: OTHER, 'access-control-request-method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('JSON body limit', () => {
  const course = (extra: number) => JSON.stringify({ code: 'BIG', title: 'Stor', kind: 'web', url: `https://example.se/${'x'.repeat(extra)}` });

  it('refuses a JSON body over 1 MB with a 413 problem, before reading it whole', async () => {
    const res = await h.request('/api/courses', { token: admin, method: 'POST', headers: { 'content-type': 'application/json' }, body: course(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json()).code).toBe('body.tooLarge');
    expect((await h.request('/api/courses/BIG', { token: admin })).status).toBe(404);
  });

  it('refuses a streamed body without a length once it passes the limit', async () => {
    const bytes = new TextEncoder().encode(course(1100 * 1024));
    const body = new ReadableStream({
      start(ctrl) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) ctrl.enqueue(bytes.slice(i, i + 64 * 1024));
        ctrl.close();
      },
    });
    const res = await h.request('/api/courses', { token: admin, method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('takes a body under the limit', async () => {
    const res = await h.request('/api/courses', { token: admin, method: 'POST', headers: { 'content-type': 'application/json' }, body: course(1000) });
    expect(res.status).toBe(201);
  });
});
