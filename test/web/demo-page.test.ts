import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectNoAxeViolations, startWorld, swedishLeft, type World } from './support.ts';

let w: World;
let page: Page;
const TAGS = ['kk-my-training', 'kk-unit-coverage', 'kk-coverage-export', 'kk-import', 'kk-requirements', 'kk-corrections', 'kk-reports'];

beforeAll(async () => {
  w = await startWorld({ staff: 300 });
  page = await w.browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
});
afterAll(async () => w?.close());

describe('the demo page', () => {
  it('loads only same-origin scripts and shows every element signed in as the coordinator with admin rights', async () => {
    const scripts: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(r.url());
    });
    await page.goto(`${w.base}/`);
    await expect.poll(() => page.locator('kk-unit-coverage #unit-heading').count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.locator('kk-requirements tr[data-code]').count()).toBeGreaterThan(3);
    await expect.poll(() => page.locator('kk-my-training h2').textContent()).toBe('Min utbildning');
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) expect(new URL(s).origin).toBe(w.base);
    expect(await page.locator('script:not([src])').count()).toBe(0);
    for (const tag of TAGS) expect(await page.locator(tag).count(), tag).toBe(1);
    expect(await page.locator('#who').textContent()).toContain('100007');
    expect(await page.locator('kk-unit-coverage [role=alert]').count()).toBe(0);
    expect(await page.locator('kk-my-training [role=alert]').count()).toBe(0);
    await expectNoAxeViolations(page, 'demo page');
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: `test-output/screenshots/demo-page-${width}.png`, fullPage: true });
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('acting as staff gives the elements the staff token: own training shown, a neutral text where there is no unit to follow', async () => {
    await page.locator('#persona').selectOption('staff');
    await expect.poll(() => page.locator('#who').textContent()).toContain('100042');
    await expect.poll(() => page.locator('kk-unit-coverage [data-state=nothing]').count()).toBe(1);
    expect(await page.locator('kk-unit-coverage [role=alert]').count()).toBe(0);
    const token = await w.token({ employeeNumber: '100042', roles: [] });
    const me = await w.h.json('/api/me/training', token);
    await expect.poll(() => page.locator('kk-my-training li[data-course]').count()).toBe(me.requirements.length);
    await expectNoAxeViolations(page, 'as staff');
  });

  it('acting as auditor and manager changes what the coverage element may show', async () => {
    await page.locator('#persona').selectOption('auditor');
    await expect.poll(() => page.locator('#who').textContent()).toContain('REV001');
    await expect.poll(() => page.locator('kk-unit-coverage #unit-heading').count()).toBe(1);
    await page.locator('#persona').selectOption('manager');
    // The manager leads HAV-IFO (the roster's Chef column): the element lands there, with no error.
    await expect.poll(() => page.locator('kk-unit-coverage tr[data-unit^="HAV-IFO-"]').count()).toBeGreaterThan(0);
    expect(await page.locator('kk-unit-coverage [role=alert]').count()).toBe(0);
  });

  it('switches the page and every element to English', async () => {
    await page.locator('#persona').selectOption('coordinator');
    await page.locator('#lang').selectOption('en');
    await expect.poll(() => page.locator('kk-unit-coverage #unit-heading').textContent()).toContain('Summary for');
    await expect.poll(() => page.locator('kk-my-training h2').textContent()).toBe('My training');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    for (const tag of TAGS) expect(await swedishLeft(page, tag), tag).toEqual([]);
    await expectNoAxeViolations(page, 'english');
  });
});
