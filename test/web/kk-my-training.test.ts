import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { deepActive, expectNoAxeViolations, mount, screenshots, startWorld, swedishLeft, tabTo, type World } from './support.ts';

let w: World;
let page: Page;
const TAG = 'kk-my-training';
const AS_OF = '2025-11-30';
const shadow = (sel: string) => page.locator(`${TAG} ${sel}`);

beforeAll(async () => {
  w = await startWorld();
  page = await w.page();
});
afterAll(async () => w?.close());

async function expectItemsLikeApi(token: string, lang = 'sv') {
  const res = await w.h.request(`/api/me/training?asOf=${AS_OF}`, { token, headers: { 'accept-language': lang } });
  const api = await res.json();
  await expect.poll(() => shadow('li[data-course]').count()).toBe(api.requirements.length);
  for (const r of api.requirements) {
    const li = shadow(`li[data-course="${r.course.code}"]`);
    expect(await li.locator('h3').textContent()).toBe(r.course.title);
    const status = (await li.locator('.status').first().textContent())!.trim();
    expect(status).toBe({ sv: { completed: 'Genomförd', started: 'Påbörjad', not_started: 'Ej påbörjad' }, en: { completed: 'Completed', started: 'Started', not_started: 'Not started' } }[lang as 'sv'][r.status as 'completed']);
    // Status has an icon and words, never colour alone.
    expect(await li.locator('.status').first().locator('svg').count()).toBe(1);
    expect(await li.locator('.overdue.status').count()).toBe(r.overdue ? 1 : 0);
    if (r.status !== 'completed') expect(await li.locator('dd').first().textContent()).toBe(r.dueDate ?? (lang === 'sv' ? 'Ingen sista dag' : 'No due date'));
    if (r.validUntil) expect(await li.textContent()).toContain(r.validUntil);
    if (r.course.url) expect(await li.locator('a').getAttribute('href')).toBe(r.course.url);
  }
  return api;
}

describe('<kk-my-training>', () => {
  it('shows loading while it waits for a token, then says nobody is signed in when the page does not answer', async () => {
    await mount(page, TAG, { 'as-of': AS_OF });
    await expect.poll(() => shadow('[role=status]').textContent()).toContain('Hämtar dina kurser');
    await expectNoAxeViolations(page, 'loading');
    await expect.poll(() => shadow('[role=alert]').textContent(), { timeout: 8000 }).toContain('Du är inte inloggad');
    await expectNoAxeViolations(page, 'no token');
  });

  it('asks the page for a token with kk-token-request (bubbles, composed) and uses the answer', async () => {
    const token = await w.token({ employeeNumber: '100042', roles: [] });
    await page.evaluate((t) => {
      document.addEventListener('kk-token-request', (e) => {
        const ev = e as CustomEvent<{ resolve(t: string): void }>;
        if (ev.bubbles && ev.composed) setTimeout(() => ev.detail.resolve(t), 10);
      });
    }, token);
    await mount(page, TAG, { 'as-of': AS_OF });
    const api = await expectItemsLikeApi(token);
    expect(api.requirements.length).toBeGreaterThan(0);
  });

  it('shows a staff member’s courses with status in words and icon, due date, overdue and link, as the API has them', async () => {
    const token = await w.token({ employeeNumber: '100042', roles: [] });
    await mount(page, TAG, { 'as-of': AS_OF }, token);
    const api = await expectItemsLikeApi(token);
    expect(api.requirements.some((r: any) => r.status === 'completed')).toBe(true);
    await expectNoAxeViolations(page, 'staff');
    await screenshots(page, TAG, 'kk-my-training');
    // The course links are reachable with Tab.
    const first = api.requirements.find((r: any) => r.course.url);
    await tabTo(page, (a) => a.tag === 'a' && a.label.includes(first.course.title));
  });

  it('shows valid-until for a course that expires (a chef’s renewable course)', async () => {
    const admin = await w.token();
    const done = (await w.h.json(`/api/coverage/people?unit=STHLM&requirement=VBE-ORO-CHEF&asOf=${AS_OF}&status=completed`, admin)).people;
    expect(done.length).toBeGreaterThan(0);
    const token = await w.token({ employeeNumber: done[0].employeeNumber, roles: [] });
    await mount(page, TAG, { 'as-of': AS_OF }, token);
    const api = await expectItemsLikeApi(token);
    const expiring = api.requirements.find((r: any) => r.requirement.code === 'VBE-ORO-CHEF');
    expect(expiring.validUntil).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await shadow(`li[data-course="${expiring.course.code}"] dl`).textContent()).toContain(`Giltig till${expiring.validUntil}`);
    await expectNoAxeViolations(page, 'chef');
    await screenshots(page, TAG, 'kk-my-training-chef');
  });

  it('says so when nothing is required', async () => {
    const token = await w.token({ employeeNumber: 'ADMIN-NOT-ON-ROSTER', roles: [{ role: 'admin', unit: null }] });
    await mount(page, TAG, { 'as-of': AS_OF }, token);
    await expect.poll(() => shadow('.empty').textContent()).toBe('Inga kurser krävs av dig just nu.');
    await expectNoAxeViolations(page, 'empty');
  });

  it('switches every visible string to English with lang="en", course titles included', async () => {
    const token = await w.token({ employeeNumber: '100042', roles: [] });
    await mount(page, TAG, { 'as-of': AS_OF }, token);
    await expectItemsLikeApi(token);
    expect((await swedishLeft(page, TAG)).length).toBeGreaterThan(3);
    await page.evaluate(() => document.querySelector('kk-my-training')!.setAttribute('lang', 'en'));
    await expect.poll(() => shadow('h2').textContent()).toBe('My training');
    await expectItemsLikeApi(token, 'en');
    expect(await swedishLeft(page, TAG)).toEqual([]);
    await expectNoAxeViolations(page, 'english');
    await screenshots(page, TAG, 'kk-my-training-en');
    expect(await deepActive(page)).toBeTruthy();
  });
});
