import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { setQuietLogs } from '../../server/app.ts';
import { load } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let lines: string[];
beforeEach(async () => {
  h = await nodeHarness();
  await load(h.db, { units: [['CITY', 'Staden', null, 'stad']], people: [['P123456', 'Ada Andersson', 'ada@example.se']] });
  lines = [];
  const keep = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  vi.spyOn(console, 'log').mockImplementation(keep);
  vi.spyOn(console, 'error').mockImplementation(keep);
  setQuietLogs(false);
});
afterEach(async () => {
  setQuietLogs(true);
  vi.restoreAllMocks();
  await h.close();
});

it('logs the route pattern, the request id and the time taken, never the path with an employee number', async () => {
  const admin = await h.token('ADM1', [{ role: 'admin' }]);
  const res = await h.request('/api/people/P123456/extract', { token: admin, headers: { 'x-request-id': 'trace-42' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('x-request-id')).toBe('trace-42');
  const entry = lines.map((l) => JSON.parse(l)).find((e) => e.requestId === 'trace-42');
  expect(entry).toMatchObject({ level: 'info', method: 'GET', route: '/api/people/:employeeNumber/extract', status: 200 });
  expect(typeof entry.ms).toBe('number');
  expect(lines.join('\n')).not.toMatch(/P123456|Ada|ada@example/);
});

it('logs an unexpected error with its request id and no personal data, and answers with the id', async () => {
  const admin = await h.token('ADM1', [{ role: 'admin' }]);
  // Break the database under the app: the next read of grants fails unexpectedly.
  await h.db.schema.dropTable('role_grant').execute();
  const res = await h.request('/api/people/P123456/extract', { token: admin, headers: { 'x-request-id': 'trace-500' } });
  expect(res.status).toBe(500);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect((await res.json()).requestId).toBe('trace-500');
  const error = lines.map((l) => JSON.parse(l)).find((e) => e.level === 'error');
  expect(error).toMatchObject({ requestId: 'trace-500' });
  expect(lines.join('\n')).not.toMatch(/P123456|Ada|ada@example/);
});

it('does not take a request id that could carry anything but a plain token', async () => {
  const res = await h.request('/api/health', { headers: { 'x-request-id': 'P123456 Ada Andersson {"level":"x"}' } });
  expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});

it('scrubs values out of an unexpected error message before logging it', async () => {
  const { scrub } = await import('../../server/http/problem.ts');
  expect(scrub(`Unexpected token 'A', "Ada P123456" is not valid JSON`)).toBe(`Unexpected token '…', "…" is not valid JSON`);
  expect(scrub('no user ada.andersson@stockholm.se here')).toBe('no user … here');
  expect(scrub('no such table: role_grant')).toBe('no such table: role_grant');
});
