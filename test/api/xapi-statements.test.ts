import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeHarness, type Harness } from '../support/harness.ts';

// The LRS side of /xapi: version header, client credentials, status codes, idempotence, atomic batches.

const BASIC = `Basic ${btoa('portal:s3cret')}`;
const ACT = 'https://utbildning.stockholm.se/xapi/vbe';
const verb = (v: string) => ({ id: `http://adlnet.gov/expapi/verbs/${v}`, display: { 'en-US': v } });
const statement = (over: Record<string, unknown> = {}) => ({
  actor: { objectType: 'Agent', name: 'Ada', mbox: 'mailto:ada@stockholm.se' },
  verb: verb('completed'),
  object: { objectType: 'Activity', id: ACT, definition: { name: { sv: 'VBE grundkurs' } } },
  timestamp: '2024-03-01T09:00:00Z',
  ...over,
});
const ID1 = 'fd41c918-b88b-4b20-a0a5-a4c32391aaa0';
const ID2 = '7ccd3322-e1a5-411a-a67d-6a735c76f119';
const ID3 = '3a5b1e2c-9f0d-4c8e-8b7a-6d5c4b3a2f10';

interface XInit {
  method?: string;
  body?: unknown;
  version?: string | null;
  auth?: string | null;
}

let h: Harness;
function x(path: string, init: XInit = {}) {
  const headers: Record<string, string> = {};
  const version = init.version === undefined ? '1.0.3' : init.version;
  const auth = init.auth === undefined ? BASIC : init.auth;
  if (version !== null) headers['X-Experience-API-Version'] = version;
  if (auth !== null) headers.authorization = auth;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return h.request(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
}

beforeEach(async () => {
  h = await nodeHarness({ KK_XAPI_CREDENTIALS: 'portal:s3cret' });
});
afterEach(() => h.close());

describe('version header and about', () => {
  it('answers /xapi/about without credentials or version header', async () => {
    const res = await x('/xapi/about', { auth: null, version: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-experience-api-version')).toBe('1.0.3');
    expect(await res.json()).toEqual({ version: ['1.0.3'] });
  });

  it('refuses a missing version header with 400 before looking at credentials', async () => {
    const res = await x('/xapi/statements', { method: 'POST', body: statement(), version: null, auth: null });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-experience-api-version')).toBe('1.0.3');
    expect((await res.json()).code).toBe('xapi.version.missing');
  });

  it('refuses versions other than 1.0.x', async () => {
    for (const v of ['0.95', '2.0.0', '1.1.0', 'abc']) {
      const res = await x('/xapi/statements', { method: 'POST', body: statement(), version: v });
      expect(res.status, v).toBe(400);
      expect((await res.json()).code).toBe('xapi.version.unsupported');
    }
    for (const v of ['1.0.0', '1.0.1', '1.0.3', '1.0']) {
      expect((await x(`/xapi/statements?statementId=${ID1}`, { version: v })).status, v).toBe(404);
    }
  });
});

describe('client credentials', () => {
  it('401 with WWW-Authenticate: Basic when credentials are missing or wrong', async () => {
    for (const auth of [null, `Basic ${btoa('portal:wrong')}`, `Basic ${btoa('other:s3cret')}`, `Basic ${btoa('portal')}`, 'Bearer abc', 'Basic !!!']) {
      const res = await x('/xapi/statements', { method: 'POST', body: statement(), auth });
      expect(res.status, String(auth)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(res.headers.get('x-experience-api-version')).toBe('1.0.3');
    }
    // Nothing was stored by the refused requests.
    const get = await x(`/xapi/statements?statementId=${ID1}`);
    expect(get.status).toBe(404);
  });

  it('refuses every request while no credentials are configured', async () => {
    await h.close();
    h = await nodeHarness();
    const res = await x('/xapi/statements', { method: 'POST', body: statement() });
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe('xapi.auth.unconfigured');
    expect(res.headers.get('x-experience-api-version')).toBe('1.0.3');
    expect((await x('/xapi/about', { auth: null })).status).toBe(200);
  });
});

describe('POST, PUT and GET statements', () => {
  it('POST of one statement answers 200 with its id; GET returns it with stored, authority and version', async () => {
    const res = await x('/xapi/statements', { method: 'POST', body: statement({ id: ID1 }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-experience-api-version')).toBe('1.0.3');
    expect(await res.json()).toEqual([ID1]);

    const get = await x(`/xapi/statements?statementId=${ID1}`);
    expect(get.status).toBe(200);
    expect(get.headers.get('x-experience-api-version')).toBe('1.0.3');
    const through = get.headers.get('x-experience-api-consistent-through');
    expect(through).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    const s = await get.json();
    expect(s).toMatchObject({ id: ID1, actor: { mbox: 'mailto:ada@stockholm.se' }, verb: verb('completed'), object: { id: ACT, objectType: 'Activity' }, version: '1.0.0' });
    expect(Date.parse(s.stored)).toBeLessThanOrEqual(Date.parse(through!));
    expect(s.authority).toMatchObject({ objectType: 'Agent', account: { name: 'portal' } });
    expect(Date.parse(get.headers.get('last-modified')!)).toBe(Math.floor(Date.parse(s.stored) / 1000) * 1000);
  });

  it('POST of an array answers the ids in order, generating UUIDs for statements without one', async () => {
    const res = await x('/xapi/statements', { method: 'POST', body: [statement({ id: ID1 }), statement({ verb: verb('progressed') }), statement({ id: ID2.toUpperCase() })] });
    expect(res.status).toBe(200);
    const ids: string[] = await res.json();
    expect(ids).toHaveLength(3);
    expect(ids[0]).toBe(ID1);
    expect(ids[1]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[2]).toBe(ID2);
    const generated = await (await x(`/xapi/statements?statementId=${ids[1]}`)).json();
    expect(generated.verb.id).toBe('http://adlnet.gov/expapi/verbs/progressed');
    expect(generated.id).toBe(ids[1]);
  });

  it('PUT with statementId answers 204; the same content again is a no-op, other content 409', async () => {
    const put = await x(`/xapi/statements?statementId=${ID1}`, { method: 'PUT', body: statement() });
    expect(put.status).toBe(204);
    expect(put.headers.get('x-experience-api-version')).toBe('1.0.3');
    expect((await x(`/xapi/statements?statementId=${ID1}`)).status).toBe(200);

    // Same statement, its id in the body, keys in another order, the same instant written otherwise.
    const same = { id: ID1.toUpperCase(), timestamp: '2024-03-01T10:00:00+01:00', object: statement().object, verb: statement().verb, actor: statement().actor };
    expect((await x(`/xapi/statements?statementId=${ID1}`, { method: 'PUT', body: same })).status).toBe(204);
    expect((await x('/xapi/statements', { method: 'POST', body: same })).status).toBe(200);

    const other = await x(`/xapi/statements?statementId=${ID1}`, { method: 'PUT', body: statement({ verb: verb('failed') }) });
    expect(other.status).toBe(409);
    expect(other.headers.get('x-experience-api-version')).toBe('1.0.3');
    expect((await other.json()).code).toBe('xapi.conflict');
    const held = await (await x(`/xapi/statements?statementId=${ID1}`)).json();
    expect(held.verb.id).toBe('http://adlnet.gov/expapi/verbs/completed');
  });

  it('a POST batch with one conflicting statement stores none of the others', async () => {
    await x('/xapi/statements', { method: 'POST', body: statement({ id: ID1 }) });
    const res = await x('/xapi/statements', { method: 'POST', body: [statement({ id: ID2 }), statement({ id: ID1, verb: verb('failed') })] });
    expect(res.status).toBe(409);
    expect((await x(`/xapi/statements?statementId=${ID2}`)).status).toBe(404);
  });

  it('PUT needs statementId, a single statement, and a body id that agrees', async () => {
    expect((await x('/xapi/statements', { method: 'PUT', body: statement() })).status).toBe(400);
    expect((await x('/xapi/statements?statementId=nope', { method: 'PUT', body: statement() })).status).toBe(400);
    expect((await x(`/xapi/statements?statementId=${ID1}`, { method: 'PUT', body: [statement()] })).status).toBe(400);
    const mismatch = await x(`/xapi/statements?statementId=${ID1}`, { method: 'PUT', body: statement({ id: ID2 }) });
    expect(mismatch.status).toBe(400);
    expect((await mismatch.json()).code).toBe('xapi.statementId.mismatch');
  });

  it('re-POSTing the same batch is idempotent', async () => {
    const batch = [statement({ id: ID1 }), statement({ id: ID2, verb: verb('progressed') })];
    const first = await x('/xapi/statements', { method: 'POST', body: batch });
    const again = await x('/xapi/statements', { method: 'POST', body: batch });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual([ID1, ID2]);
    const admin = await h.token('ADMIN', [{ role: 'admin' }]);
    const summary = await h.json('/api/xapi/unmatched', admin);
    // Two statements held, once each (Ada is not on the roster: both wait for her).
    expect(summary.unmatched.total).toBe(2);
    expect(summary.counts).toEqual({ matched: 0, unmatched: 2, ignored: 0 });
  });

  it('a batch mixing held and new statements stores the new ones only', async () => {
    await x('/xapi/statements', { method: 'POST', body: statement({ id: ID1 }) });
    const res = await x('/xapi/statements', { method: 'POST', body: [statement({ id: ID1 }), statement({ id: ID2 })] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([ID1, ID2]);
    expect((await x(`/xapi/statements?statementId=${ID2}`)).status).toBe(200);
  });

  it('a batch repeating an id is 400 and stores nothing', async () => {
    const res = await x('/xapi/statements', { method: 'POST', body: [statement({ id: ID3 }), statement({ id: ID1 }), statement({ id: ID1.toUpperCase(), verb: verb('passed') })] });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-experience-api-version')).toBe('1.0.3');
    expect((await res.json()).code).toBe('xapi.batch.duplicateId');
    expect((await x(`/xapi/statements?statementId=${ID3}`)).status).toBe(404);
    expect((await x(`/xapi/statements?statementId=${ID1}`)).status).toBe(404);
  });

  it('a batch with one bad statement is 400 naming the field, and stores nothing', async () => {
    const bad = statement({ id: ID2, actor: { mbox: 'ada@stockholm.se' } });
    const res = await x('/xapi/statements', { method: 'POST', body: [statement({ id: ID1 }), bad] });
    expect(res.status).toBe(400);
    const problem = await res.json();
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(problem.code).toBe('xapi.statement.invalid');
    expect(problem.issues).toContainEqual({ path: '[1].actor.mbox', message: '[1].actor.mbox must start with mailto:' });
    expect(problem.detail).toContain('[1].actor.mbox must start with mailto:');
    expect((await x(`/xapi/statements?statementId=${ID1}`)).status).toBe(404);
  });

  it('names the field of a single bad statement, in English when asked', async () => {
    const res = await h.request('/xapi/statements?lang=en', {
      method: 'POST',
      headers: { 'X-Experience-API-Version': '1.0.3', authorization: BASIC },
      body: JSON.stringify(statement({ result: { score: { scaled: 1.5 } } })),
    });
    expect(res.status).toBe(400);
    const problem = await res.json();
    expect(problem.detail).toBe('The statement does not follow xAPI 1.0.3: result.score.scaled must be between -1 and 1');
  });

  it('refuses a body that is not JSON, and an empty batch', async () => {
    const res = await h.request('/xapi/statements', { method: 'POST', headers: { 'X-Experience-API-Version': '1.0.3', authorization: BASIC }, body: '{"actor":' });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('body.json');
    expect((await x('/xapi/statements', { method: 'POST', body: [] })).status).toBe(400);
  });

  it('GET of an unknown id is 404; without statementId or with filters it is 400', async () => {
    const unknown = await x(`/xapi/statements?statementId=${ID3}`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-experience-api-version')).toBe('1.0.3');
    expect(unknown.headers.get('x-experience-api-consistent-through')).toBeTruthy();
    const none = await x('/xapi/statements');
    expect(none.status).toBe(400);
    expect((await none.json()).code).toBe('xapi.query.statementIdOnly');
    const filtered = await x(`/xapi/statements?statementId=${ID3}&verb=http://adlnet.gov/expapi/verbs/completed`);
    expect(filtered.status).toBe(400);
    expect((await filtered.json()).code).toBe('xapi.query.unsupported');
    const voided = await x(`/xapi/statements?voidedStatementId=${ID3}`);
    expect(voided.status).toBe(400);
    expect((await voided.json()).code).toBe('xapi.voiding.unsupported');
  });

  it('refuses voiding statements with a clear reason, and the resources it does not have', async () => {
    const voiding = statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided', display: { 'en-US': 'voided' } }, object: { objectType: 'StatementRef', id: ID1 } });
    const res = await x('/xapi/statements', { method: 'POST', body: voiding });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('xapi.voiding.unsupported');
    for (const path of ['/xapi/activities/state?activityId=x', '/xapi/agents/profile', '/xapi/activities']) {
      const r = await x(path);
      expect(r.status, path).toBe(404);
      expect(r.headers.get('x-experience-api-version')).toBe('1.0.3');
      expect((await r.json()).code).toBe('xapi.resource.unsupported');
    }
  });

  it('does not take bearer tokens on /xapi nor Basic credentials on /api', async () => {
    const admin = await h.token('ADMIN', [{ role: 'admin' }]);
    const res = await h.request('/xapi/statements', { method: 'POST', token: admin, headers: { 'X-Experience-API-Version': '1.0.3' }, body: JSON.stringify(statement()) });
    expect(res.status).toBe(401);
    const api = await h.request('/api/xapi/unmatched', { headers: { authorization: BASIC } });
    expect(api.status).toBe(401);
  });
});
