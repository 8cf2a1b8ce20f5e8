import { describe, expect, it } from 'vitest';
import { course, load } from '../support/fixtures.ts';
import { makeHarness, nodeHarness } from '../support/harness.ts';

// Every harness starts from an empty, migrated database, on Node and in workerd alike.

describe('the test harness', () => {
  it('gives each harness a fresh database', async () => {
    const first = await makeHarness();
    await load(first.db, { courses: [course('ONLY-IN-FIRST')] });
    expect(await first.db.selectFrom('course').select('code').execute()).toEqual([{ code: 'ONLY-IN-FIRST' }]);
    await first.close();

    const second = await nodeHarness();
    expect(await second.db.selectFrom('course').select('code').execute()).toEqual([]);
    const admin = await second.token('ADMIN', [{ role: 'admin' }]);
    expect(await second.json('/api/courses', admin)).toMatchObject({ courses: [] });
    await second.close();
  });

  it('is the harness of the runtime the test runs in', async () => {
    const h = await makeHarness();
    // workerd identifies itself; the workers project must have swapped in the D1 harness.
    const inWorkerd = typeof navigator !== 'undefined' && navigator.userAgent === 'Cloudflare-Workers';
    expect(h.runtime).toBe(inWorkerd ? 'workers' : 'node');
    await h.close();
  });
});
