import { afterEach, beforeEach, expect, it } from 'vitest';
import { MIGRATION_NAMES } from '../../server/db/migration-names.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await nodeHarness();
});
afterEach(() => h.close());

it('says the database answers and its migrations are current, without a token', async () => {
  const res = await h.request('/api/health');
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok', database: 'ok', migrations: 'current' });
});

it('takes migrations recorded the way wrangler records them (with .sql)', async () => {
  await h.db.updateTable('d1_migrations').set({ name: `${MIGRATION_NAMES[0]}.sql` }).where('name', '=', MIGRATION_NAMES[0]).execute();
  expect((await h.request('/api/health')).status).toBe(200);
});

it('is a 503 problem naming what is missing when a migration has not been applied', async () => {
  const last = MIGRATION_NAMES[MIGRATION_NAMES.length - 1];
  // wrangler records the file name with .sql, the Node runner without.
  await h.db.deleteFrom('d1_migrations').where('name', 'in', [last, `${last}.sql`]).execute();
  const res = await h.request('/api/health');
  expect(res.status).toBe(503);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  const body = await res.json();
  expect(body).toMatchObject({ status: 503, code: 'health.unavailable', database: 'ok', migrations: 'pending', pending: [last] });
});
