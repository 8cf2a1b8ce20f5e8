import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiPath } from '../../server/http/openapi.ts';
import { makeHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let document: any;
beforeAll(async () => {
  h = await makeHarness();
  const res = await h.request('/api/openapi.json');
  expect(res.status).toBe(200);
  document = await res.json();
});
afterAll(() => h.close());

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** The app's operations as Hono has them: method and path, middleware and catch-alls left out. */
function appOperations(): string[] {
  const ops = new Set<string>();
  for (const r of h.app.routes) if (r.method !== 'ALL') ops.add(`${r.method.toLowerCase()} ${openApiPath(r.path)}`);
  return [...ops].sort();
}

function documentOperations(): string[] {
  return Object.entries(document.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, item]) => Object.keys(item).filter((m) => METHODS.includes(m)).map((m) => `${m} ${path}`))
    .sort();
}

describe('the OpenAPI document at /api/openapi.json', () => {
  it('is OpenAPI 3.1, readable without signing in', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title).toBe('Kompetenskoll API');
  });

  it('has every route of the app, and nothing the app does not answer', () => {
    const app = appOperations();
    // Dev sign-in is mounted in the tests; the fixed API's addresses are all there.
    for (const fixed of ['get /api/health', 'get /api/coverage', 'get /api/coverage/people', 'get /api/coverage/trend', 'get /api/me', 'get /api/me/training', 'get /api/units', 'get /api/coverage/people.xlsx', 'get /api/exports/coverage.xlsx', 'post /api/courses', 'put /api/courses/{code}', 'post /api/requirements', 'put /api/requirements/{code}', 'post /api/imports/roster', 'post /xapi/statements', 'get /api/openapi.json', 'get /api/docs']) {
      expect(app).toContain(fixed);
    }
    expect(documentOperations()).toEqual(app);
    // Described on purpose, not only through a validator's schema: a summary and a group each.
    for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(item)) {
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(op.tags, `${method} ${path}`).toHaveLength(1);
      }
    }
  });

  it('describes the query with the schemas that check it', async () => {
    const people = document.paths['/api/coverage/people'].get;
    const param = (name: string) => people.parameters.find((p: any) => p.name === name);
    expect(param('unit')).toMatchObject({ in: 'query', required: true, schema: { type: 'string' } });
    expect(param('asOf')).toMatchObject({ in: 'query', required: false, schema: { type: 'string', format: 'date' } });
    expect(param('status').schema.enum).toEqual(['completed', 'started', 'not_started', 'exempt', 'overdue', 'not_completed']);
    // The workbook of the same list takes the same query.
    expect(document.paths['/api/coverage/people.xlsx'].get.parameters.find((p: any) => p.name === 'status').schema.enum).toEqual(param('status').schema.enum);
    const units = document.paths['/api/units'].get.parameters;
    expect(units.map((p: any) => [p.name, p.required])).toEqual([['q', false], ['asOf', false]]);
    // The same schema answers a value outside it with the same words.
    const bad = await h.request('/api/coverage/people?unit=X&requirement=R&status=done&lang=en', { token: await h.token('1', [{ role: 'admin' }]) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).detail).toBe('Parameter status has an invalid value "done" (completed | started | not_started | exempt | overdue | not_completed).');
    const trend = document.paths['/api/coverage/trend'].get.parameters.find((p: any) => p.name === 'interval');
    expect(trend.schema.enum).toEqual(['tertial', 'month']);
  });

  it('describes path parameters, JSON bodies, uploads and who may call', () => {
    const put = document.paths['/api/courses/{code}'].put;
    expect(put.parameters).toContainEqual({ name: 'code', in: 'path', required: true, schema: { type: 'string' } });
    const body = put.requestBody.content['application/json'].schema;
    // As courses.ts's zod schema says: 1–64 characters, a letter or digit first.
    expect(body.properties.code).toMatchObject({ type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
    expect(body.required).toEqual(expect.arrayContaining(['code', 'title', 'kind']));
    // A rate as a number (0.75) or as exact decimal text ("0.75"), or none (nullish), as requirements.ts accepts it.
    expect(document.paths['/api/requirements'].post.requestBody.content['application/json'].schema.properties.targetRate).toMatchObject({ type: ['number', 'string', 'null'] });
    expect(document.paths['/api/imports/units'].post.requestBody.content['multipart/form-data'].schema.required).toEqual(['file']);
    expect(document.paths['/api/imports/roster'].post.parameters.find((p: any) => p.name === 'mode')).toMatchObject({ required: true, schema: { enum: ['snapshot', 'history'] } });
    expect(document.paths['/api/health'].get.security).toEqual([]);
    expect(document.paths['/xapi/statements'].post.security).toEqual([{ basic: [] }]);
    expect(document.paths['/api/coverage'].get.security).toBeUndefined();
    expect(document.security).toEqual([{ bearer: [] }]);
    // The xAPI statement format is the schema POST and PUT /xapi/statements check statements with.
    const statement = document.paths['/xapi/statements'].put.requestBody.content['application/json'].schema;
    expect(statement.required).toEqual(['actor', 'verb', 'object']);
    expect(statement.additionalProperties).toBe(false);
    expect(statement.properties.timestamp).toEqual({ type: 'string', format: 'date-time' });
    expect(statement.properties.actor.oneOf.map((o: any) => o.properties.objectType.const)).toEqual(['Agent', 'Group']);
    expect(document.paths['/xapi/statements'].post.requestBody.content['application/json'].schema.anyOf[1]).toEqual({ type: 'array', items: statement });
    expect(document.paths['/api/exports/coverage.xlsx'].get.responses['200'].content).toHaveProperty(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
  });
});

describe('the reference page at /api/docs', () => {
  it('is open, and loads only same-origin scripts', async () => {
    const res = await h.request('/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual(['/api-docs/swagger-ui-bundle.js', '/api-docs/init.js']);
    expect(html).not.toMatch(/<script>|https?:\/\//);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

describe('queries checked by the schemas the document shows', () => {
  it('answer a bad parameter with the problem naming it, in Swedish and English', async () => {
    const admin = await h.token('1', [{ role: 'admin' }]);
    const problem = async (path: string, lang = 'sv') => {
      const res = await h.request(path, { token: admin, headers: { 'accept-language': lang } });
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      return res.json();
    };
    expect((await problem('/api/coverage?unit=X&requirement=R&asOf=2021-02-30')).detail).toBe('Parametern asOf ska vara ett datum ÅÅÅÅ-MM-DD, inte "2021-02-30".');
    expect((await problem('/api/coverage?unit=X&requirement=R&asOf=2021-02-30', 'en')).detail).toBe('Parameter asOf must be a date YYYY-MM-DD, not "2021-02-30".');
    expect(await problem('/api/coverage?unit=%20&requirement=R', 'en')).toMatchObject({ code: 'param.required', detail: 'Parameter unit is missing.' });
    expect((await problem('/api/audit?pageSize=0', 'en')).detail).toBe('Parameter pageSize has an invalid value "0" (1–1000).');
    expect((await problem('/api/exports/coverage.xlsx?unit=X&people=yes', 'en')).detail).toBe('Parameter people has an invalid value "yes" (0 | 1).');
    expect((await problem('/api/units?asOf=2021-13-01')).detail).toBe('Parametern asOf ska vara ett datum ÅÅÅÅ-MM-DD, inte "2021-13-01".');
  });

  it('word a problem no key of ours names (a parameter given twice) in the caller’s language too', async () => {
    const admin = await h.token('1', [{ role: 'admin' }]);
    const twice = async (lang: string) => {
      const res = await h.request('/api/coverage?unit=X&unit=Y&requirement=R', { token: admin, headers: { 'accept-language': lang } });
      expect(res.status).toBe(400);
      return (await res.json()).detail;
    };
    expect(await twice('sv')).toBe('Parametern unit har ett ogiltigt värde "X,Y" (ska vara text).');
    expect(await twice('en')).toBe('Parameter unit has an invalid value "X,Y" (must be text).');
  });

  it('take an empty date as today, as an absent one', async () => {
    const admin = await h.token('1', [{ role: 'admin' }]);
    const res = await h.request('/api/me/training?asOf=', { token: admin });
    expect(res.status).toBe(200);
    const audit = await h.request('/api/audit?from=&to=&page=&pageSize=', { token: admin });
    expect(audit.status).toBe(200);
    expect((await audit.json()).pageSize).toBe(100);
  });
});
