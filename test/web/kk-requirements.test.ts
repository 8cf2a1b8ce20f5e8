import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { deepActive, expectNoAxeViolations, mount, screenshots, startWorld, swedishLeft, tabTo, type World } from './support.ts';

let w: World;
let page: Page;
let token: string;
const TAG = 'kk-requirements';
const shadow = (sel: string) => page.locator(`${TAG} ${sel}`);

beforeAll(async () => {
  w = await startWorld({ staff: 200 });
  page = await w.page();
  token = await w.token();
});
afterAll(async () => w?.close());

/** Types into the focused field after tabbing to the one labelled so. */
async function typeInto(id: string, text: string) {
  await shadow(`#${id}`).focus();
  await page.keyboard.type(text);
}

describe('<kk-requirements>', () => {
  it('lists the requirements and courses the API has', async () => {
    await mount(page, TAG, {}, token);
    const reqs = (await w.h.json('/api/requirements', token)).requirements;
    const courses = (await w.h.json('/api/courses', token)).courses;
    await expect.poll(() => shadow('tr[data-code]').count()).toBe(reqs.length + courses.length);
    for (const r of reqs) {
      const row = shadow(`tr[data-code="${r.code}"]`).first();
      expect(await row.textContent()).toContain(r.title);
      expect(await row.textContent()).toContain(r.courses.join(', '));
    }
    await expectNoAxeViolations(page, 'list');
    await screenshots(page, TAG, 'kk-requirements');
  });

  it('creates a course from the keyboard: opens with Enter, shows missing fields next to them, saves', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.id === 'new-course');
    await page.keyboard.press('Enter');
    expect((await deepActive(page))?.id).toBe('f-code');
    // Saving empty: errors in words next to the fields, focus on the first.
    await tabTo(page, (a) => a.text === 'Spara');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('#e-code').textContent()).toContain('Fyll i kurskod');
    expect(await shadow('#e-titleSv').textContent()).toContain('Fyll i namn på svenska');
    expect(await shadow('#f-code').getAttribute('aria-invalid')).toBe('true');
    expect((await deepActive(page))?.id).toBe('f-code');
    await expectNoAxeViolations(page, 'course form with errors');
    await screenshots(page, TAG, 'kk-requirements-course-errors');

    await page.keyboard.type('VBE-DIALOG');
    await typeInto('f-titleSv', 'Samtal om extremism på arbetsplatsen');
    await typeInto('f-titleEn', 'Conversations about extremism at work');
    await typeInto('f-url', 'https://utbildning.stockholm.se/kurs/vbe-dialog');
    await typeInto('f-validityMonths', '36');
    await tabTo(page, (a) => a.text === 'Spara');
    await page.keyboard.press('Space');
    await expect.poll(() => shadow('.saved').textContent()).toContain('Kursen VBE-DIALOG är sparad.');
    const course = await w.h.json('/api/courses/VBE-DIALOG', token);
    expect(course).toMatchObject({ code: 'VBE-DIALOG', title: { sv: 'Samtal om extremism på arbetsplatsen', en: 'Conversations about extremism at work' }, kind: 'web', validityMonths: 36 });
    await expect.poll(() => shadow('tr[data-code="VBE-DIALOG"]').count()).toBe(1);
    // Focus went back to the button that opened the form.
    expect((await deepActive(page))?.id).toBe('new-course');
  });

  it('creates a requirement and shows the server’s refusal (unknown unit) next to the scope field', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.id === 'new-requirement');
    await page.keyboard.press('Enter');
    await page.keyboard.type('VBE-DIALOG-HAV');
    await typeInto('f-title', 'Samtal om extremism för Hägersten-Älvsjö');
    await shadow('label.check:has-text("VBE-DIALOG:") input').focus();
    await page.keyboard.press('Space');
    await typeInto('f-scope', 'HAV, NOPE');
    await shadow('#f-effectiveFrom').fill('2025-01-01');
    await shadow('#f-targetRate').fill('');
    await typeInto('f-targetRate', '80');
    await typeInto('f-source', 'Handlingsplan Hägersten-Älvsjö 2025');
    await tabTo(page, (a) => a.text === 'Spara');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('#e-scope').textContent()).toContain('NOPE');
    expect(await shadow('#f-scope').getAttribute('aria-invalid')).toBe('true');
    expect((await deepActive(page))?.id).toBe('f-scope');
    await expectNoAxeViolations(page, 'requirement form with server error');
    await screenshots(page, TAG, 'kk-requirements-server-error');

    await shadow('#f-scope').fill('');
    await page.keyboard.type('HAV');
    await tabTo(page, (a) => a.text === 'Spara');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('.saved').textContent()).toContain('VBE-DIALOG-HAV');
    const r = await w.h.json('/api/requirements/VBE-DIALOG-HAV', token);
    expect(r).toMatchObject({ courses: ['VBE-DIALOG'], scope: ['HAV'], effectiveFrom: '2025-01-01', targetRate: 0.8, source: 'Handlingsplan Hägersten-Älvsjö 2025' });
  });

  it('edits a requirement’s target and cancels a form with Escape', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.text === 'Ändra VBE-ALLA');
    await page.keyboard.press('Enter');
    expect(await shadow('#f-code').getAttribute('readonly')).not.toBeNull();
    expect(await shadow('#f-targetRate').inputValue()).toBe('90');
    await page.keyboard.press('Escape');
    await expect.poll(() => shadow('form').count()).toBe(0);
    expect((await deepActive(page))?.text).toBe('Ändra VBE-ALLA');

    await page.keyboard.press('Enter');
    await shadow('#f-targetRate').fill('85');
    await tabTo(page, (a) => a.text === 'Spara');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('.saved').textContent()).toContain('VBE-ALLA');
    expect((await w.h.json('/api/requirements/VBE-ALLA', token)).targetRate).toBe(0.85);
  });

  it('edits the reminder schedule, with today’s count from the dry run (admin)', async () => {
    const admin = await w.token({ employeeNumber: 'ADM1', roles: [{ role: 'admin', unit: null }] });
    await mount(page, TAG, {}, admin);
    await expect.poll(() => shadow('tr[data-code]').count()).toBeGreaterThan(2);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.text === 'Ändra VBE-ALLA');
    await page.keyboard.press('Enter');
    // The demo's schedule, kept by the earlier save through this form.
    expect(await shadow('#f-remBeforeDue').inputValue()).toBe('30, 7');
    expect(await shadow('#f-remOverdueEvery').inputValue()).toBe('14');
    expect(await shadow('#f-remDigest').inputValue()).toBe('monthly');
    const dry = await (await w.h.request('/api/reminders/run?dryRun=1&requirement=VBE-ALLA', { token: admin, method: 'POST' })).json();
    expect(dry.messages.length).toBeGreaterThan(0);
    await expect.poll(() => shadow('fieldset .hint').textContent()).toContain(`I dag skulle ${dry.messages.length} påminnelser gå ut`);
    await expectNoAxeViolations(page, 'reminder schedule');
    await shadow('#f-remBeforeDue').fill('14');
    await shadow('#f-remDigest').selectOption('weekly');
    await shadow('#f-remOverdueMax').fill('');
    await tabTo(page, (a) => a.text === 'Spara');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('.saved').textContent()).toContain('VBE-ALLA');
    expect((await w.h.json('/api/requirements/VBE-ALLA', admin)).reminders).toEqual({ beforeDue: [14], overdueEvery: 14, managerDigest: 'weekly' });
  });

  it('takes 85,5 as a target and an English title, and shows that title with lang="en" in English', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.text === 'Ändra VBE-ALLA');
    await page.keyboard.press('Enter');
    await shadow('#f-targetRate').fill('85,5');
    await shadow('#f-titleEn').fill('Basic course for all staff');
    expect(await shadow('#f-titleEn').getAttribute('lang')).toBe('en');
    await shadow('button[type=submit]').click();
    await expect.poll(() => shadow('.saved').textContent()).toContain('VBE-ALLA');
    const saved = await w.h.json('/api/requirements/VBE-ALLA', token);
    expect([saved.targetRate, saved.titleEn]).toEqual([0.855, 'Basic course for all staff']);
    await expect.poll(() => shadow('tr[data-code=VBE-ALLA] td.num').textContent()).toMatch(/85,5\s*%/);
    // A target that is not a percentage is refused next to the field, in Swedish, before sending.
    await shadow('tr[data-code=VBE-ALLA] td button.link').click();
    await shadow('#f-targetRate').fill('85 procent');
    await shadow('button[type=submit]').click();
    await expect.poll(() => shadow('#e-targetRate').textContent()).toContain('ett tal från 0 till 100');
    await page.keyboard.press('Escape');
    await page.evaluate(() => document.querySelector('kk-requirements')!.setAttribute('lang', 'en'));
    await expect.poll(() => shadow('tr[data-code=VBE-ALLA] td span[lang=en]').textContent()).toBe('Basic course for all staff');
    await page.evaluate(() => document.querySelector('kk-requirements')!.setAttribute('lang', 'sv'));
  });

  it('gives staff and managers the lists read-only: nothing offered that the server would refuse', async () => {
    const staff = await w.token({ employeeNumber: '100042', roles: [] });
    const chef = (await w.h.json('/api/dev/demo-users', '')).users.find((u: { persona: string }) => u.persona === 'manager');
    for (const who of [staff, await w.token({ employeeNumber: chef.employeeNumber, roles: [] })]) {
      await mount(page, TAG, {}, who);
      await expect.poll(() => shadow('tr[data-code]').count()).toBeGreaterThan(3);
      await expect.poll(() => shadow('[data-state=read-only]').count()).toBe(1);
      expect(await shadow('#new-requirement').count()).toBe(0);
      expect(await shadow('#new-course').count()).toBe(0);
      expect(await shadow('td button').count()).toBe(0);
      await expectNoAxeViolations(page, 'read-only');
    }
  });

  it('switches every visible string to English with lang="en"', async () => {
    await mount(page, TAG, { lang: 'en' }, token);
    await expect.poll(() => shadow('tr[data-code]').count()).toBeGreaterThan(3);
    await shadow('#new-requirement').click();
    await shadow('button[type=submit]').click();
    await expect.poll(() => shadow('#e-code').textContent()).toContain('Fill in code');
    expect(await swedishLeft(page, TAG)).toEqual([]);
    await expectNoAxeViolations(page, 'english');
    await screenshots(page, TAG, 'kk-requirements-en');
  });
});
