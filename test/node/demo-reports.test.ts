import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDemoReports } from '../../server/demo/demo-reports.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';

// `npm start`'s demo city comes with two published reports of Hägersten-Älvsjö, the second of
// which differs now by one completion registered after it was published.

let h: Harness;
beforeEach(async () => {
  h = await nodeHarness();
  await seedDemo(h.db, { staff: 600 });
});
afterEach(() => h.close());

describe('the demo reports', () => {
  it('publishes T1 and T2 2025 for Hägersten-Älvsjö once, T2 with one late record since', async () => {
    expect(await seedDemoReports(h, '2026-01-15')).toBe(2);
    expect(await seedDemoReports(h, '2026-01-15')).toBe(0);
    const coordinator = await h.token('100007', [{ role: 'coordinator', unit: 'HAV' }]);
    const list = (await h.json('/api/reports?unit=HAV', coordinator)).reports;
    expect(list.map((r: any) => [r.title, r.asOf, r.publishedBy.employeeNumber])).toEqual([
      ['Tertialrapport 2 2025', '2025-08-31', '100007'],
      ['Tertialrapport 1 2025', '2025-04-30', '100007'],
    ]);
    const t2 = await h.json(`/api/reports/${list[0].id}`, coordinator);
    expect(t2.changes).toHaveLength(1);
    expect(t2.changes[0]).toMatchObject({ requirement: 'VBE-ALLA', reported: { status: 'not_started' }, now: { status: 'completed' }, reason: 'late_record' });
    expect(t2.now.figures[0].total.completed).toBe(t2.report.figures[0].total.completed + 1);
    const t1 = await h.json(`/api/reports/${list[1].id}`, coordinator);
    expect(t1.changes).toEqual([]);
  });
});
