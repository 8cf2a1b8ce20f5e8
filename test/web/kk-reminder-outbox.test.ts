import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectNoAxeViolations, mount, startWorld, swedishLeft, type World } from './support.ts';

let w: World;
let page: Page;
let admin: string;
const TAG = 'kk-reminder-outbox';
const shadow = (sel: string) => page.locator(`${TAG} ${sel}`);

beforeAll(async () => {
  w = await startWorld({ staff: 200 });
  page = await w.page();
  admin = await w.token({ employeeNumber: 'ADM1', roles: [{ role: 'admin', unit: null }] });
  // Decided into the outbox (no mail configured in the test world).
  const res = await w.h.request('/api/reminders/run', { token: admin, method: 'POST' });
  expect(res.status).toBe(200);
});
afterAll(async () => w?.close());

describe('<kk-reminder-outbox>', () => {
  it('lists the outbox as the API answers it, filtered by status, with no axe violations', async () => {
    await mount(page, TAG, {}, admin);
    const api = (await w.h.json('/api/reminders/outbox?limit=200', admin)).messages;
    expect(api.length).toBeGreaterThan(0);
    await expect.poll(() => shadow('tbody tr').count()).toBe(api.length);
    expect(await shadow('tbody tr').first().getAttribute('data-id')).toBe(String(api[0].id));
    await expectNoAxeViolations(page, 'outbox');
    await shadow('#out-status').selectOption('sent');
    await expect.poll(() => shadow('.empty').count()).toBe(1);
    await shadow('#out-status').selectOption('pending');
    await expect.poll(() => shadow('tbody tr').count()).toBe(api.filter((m: any) => m.status === 'pending').length);
  });

  it('tells a manager, whom GET /api/me does not give reminder.outbox (and the API refuses), who sees it: no table, no error', async () => {
    const manager = await w.token({ employeeNumber: 'M1', roles: [{ role: 'manager', unit: 'HAV' }] });
    expect((await w.h.json('/api/me', manager)).capabilities).not.toContain('reminder.outbox');
    expect((await w.h.request('/api/reminders/outbox', { token: manager })).status).toBe(403);
    await mount(page, TAG, {}, manager);
    await expect.poll(() => shadow('[data-state=nothing]').count()).toBe(1);
    expect(await page.locator(TAG).evaluate((e) => (e as HTMLElement).hidden)).toBe(false);
    expect(await shadow('table').count()).toBe(0);
    expect(await shadow('[part=error]').count()).toBe(0);
    await expectNoAxeViolations(page, 'nothing');
  });

  it('in English', async () => {
    await mount(page, TAG, { lang: 'en' }, admin);
    await expect.poll(() => shadow('tbody tr').count()).toBeGreaterThan(0);
    expect(await swedishLeft(page, TAG)).toEqual([]);
  });
});
