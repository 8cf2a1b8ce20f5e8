import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { load } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';
import { ASOF, WORLD, readWorkbook } from '../support/export-world.ts';

let h: Harness;
beforeEach(async () => {
  h = await nodeHarness();
  await load(h.db, WORLD);
});
afterEach(() => h.close());

const get = (query: string, token: string) => h.request(`/api/exports/coverage.xlsx?${query}`, { token });
const exports = () => h.db.selectFrom('audit_log').selectAll().where('kind', '=', 'export.coverage').orderBy('id').execute();

describe('who may export', () => {
  it('lets a manager export their own subtree, with names', async () => {
    const manager = await h.token('M1', [{ role: 'manager', unit: 'F1' }]);
    const res = await get(`unit=F1-A&asOf=${ASOF}&people=1`, manager);
    expect(res.status).toBe(200);
    expect((await readWorkbook(res)).wb.SheetNames).toContain('Personer');
  });

  it('refuses a unit outside the caller’s scope, and names to anyone without the right', async () => {
    const other = await h.token('M2', [{ role: 'manager', unit: 'F2' }]);
    for (const people of ['0', '1']) {
      const res = await get(`unit=F1&asOf=${ASOF}&people=${people}`, other);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const staff = await h.token('P3');
    expect((await get(`unit=F1-B&asOf=${ASOF}&people=1`, staff)).status).toBe(403);
    expect((await get(`unit=F1-B&asOf=${ASOF}&people=0`, staff)).status).toBe(403);
    // A manager of F2 asking for the city (which holds F1) is refused as well.
    expect((await get(`unit=CITY&asOf=${ASOF}&people=1`, other)).status).toBe(403);
    expect(await exports()).toHaveLength(0);
    expect((await h.request(`/api/exports/coverage.xlsx?unit=F1&asOf=${ASOF}`)).status).toBe(401);
  });

  it('lets an auditor export anything', async () => {
    const auditor = await h.token('REV1', [{ role: 'auditor' }]);
    expect((await get(`unit=CITY&asOf=${ASOF}&people=1`, auditor)).status).toBe(200);
  });
});

describe('the file and its record', () => {
  it('is an xlsx attachment named after the unit and the date', async () => {
    const auditor = await h.token('REV1', [{ role: 'auditor' }]);
    const res = await get(`unit=F1-A&asOf=${ASOF}`, auditor);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="kompetenskoll-F1-A-${ASOF}.xlsx"`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0x50, 0x4b]); // a zip package
  });

  it('writes every export to the audit log: who, scope, date, names or not, requirement', async () => {
    const auditor = await h.token('REV1', [{ role: 'auditor' }]);
    await get(`unit=CITY&asOf=${ASOF}&people=1&requirement=R1`, auditor);
    await get(`unit=F2&asOf=2023-12-31`, auditor);
    const log = await exports();
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({ actor: 'REV1', action: 'export', scope: 'CITY' });
    expect(JSON.parse(log[0].detail_json!)).toMatchObject({ asOf: ASOF, people: true, requirement: 'R1', requirements: ['R1'], rows: 7 });
    expect(log[1]).toMatchObject({ actor: 'REV1', scope: 'F2' });
    expect(JSON.parse(log[1].detail_json!)).toMatchObject({ asOf: '2023-12-31', people: false, requirement: null, requirements: ['R1', 'R2'], rows: 0 });
    // Only the actor's employee number: no names of the people exported.
    expect(log[0].detail_json).not.toContain('HYPERLINK');
  });
});
