import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { deepActive, expectNoAxeViolations, mount, screenshots, startWorld, swedishLeft, tabTo, type World } from './support.ts';

let w: World;
let page: Page;
let token: string;
const TAG = 'kk-corrections';
const shadow = (sel: string) => page.locator(`${TAG} ${sel}`);
/** Two people of HAV from the demo city (through the API the element uses), and one outside it. */
let ada: { employeeNumber: string; name: string };
let bo: { employeeNumber: string; name: string };
/** One of HAV with no exemption in the demo city. */
let cia: { employeeNumber: string; name: string };

beforeAll(async () => {
  w = await startWorld({ staff: 200 });
  page = await w.page();
  token = await w.token();
  const coordinatorOfHav = await w.token({ employeeNumber: 'SAMHAV', roles: [{ role: 'coordinator', unit: 'HAV' }] });
  const found = (await w.h.json('/api/people?q=1000', coordinatorOfHav)).people;
  const exempted = new Set((await w.h.json('/api/exemptions?unit=HAV', token)).exemptions.map((x: any) => x.employeeNumber));
  [ada, bo, cia] = found.filter((p: any) => !exempted.has(p.employeeNumber));
  expect(ada && bo && cia).toBeTruthy();
});
afterAll(async () => w?.close());

const blur = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
const recordsOf = async (n: string) => (await w.h.json(`/api/people/${n}/records`, token)).records;

describe('<kk-corrections>', () => {
  it('registers a seminar\u2019s attendance from the keyboard: finds a person, takes pasted numbers, shows who was rejected and why', async () => {
    await mount(page, TAG, { unit: 'HAV' }, token);
    await expect.poll(() => shadow('#rec-course option').count()).toBeGreaterThan(1);
    // Seminars come first in the course list.
    expect(await shadow('#rec-course').inputValue()).toBe('VBE-SEMINARIUM');
    await expectNoAxeViolations(page, 'start');
    await screenshots(page, TAG, 'kk-corrections');
    const before = (await recordsOf(ada.employeeNumber)).length;

    await blur();
    await tabTo(page, (a) => a.id === 'rec-q');
    await page.keyboard.type(ada.name);
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow(`ul[aria-label="Sökträffar"] li`).count()).toBeGreaterThan(0);
    await tabTo(page, (a) => a.text === `Lägg till ${ada.name}`);
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('h4').first().textContent()).toBe('Deltagare (1)');
    await tabTo(page, (a) => a.id === 'rec-paste');
    await page.keyboard.type(`${bo.employeeNumber}; NOPE-1`);
    await tabTo(page, (a) => a.text === 'Registrera');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('#rec-answer').textContent()).toContain('2 registrerade, 0 fanns redan.');
    expect((await deepActive(page))?.id).toBe('rec-answer');
    expect(await shadow('#rec-answer tbody').textContent()).toContain('NOPE-1');
    expect(await shadow('#rec-answer tbody').textContent()).toContain('finns inte i personalregistret');
    const held = await recordsOf(ada.employeeNumber);
    expect(held).toHaveLength(before + 1);
    expect(held.find((r: any) => r.source === 'manual')).toMatchObject({ course: { code: 'VBE-SEMINARIUM' }, status: 'completed', recordedBy: '100007' });
    expect((await recordsOf(bo.employeeNumber)).some((r: any) => r.source === 'manual')).toBe(true);
    await expectNoAxeViolations(page, 'recorded');
  });

  it('opens a person\u2019s records and annuls one with a reason', async () => {
    await blur();
    await tabTo(page, (a) => a.id === 'records-n');
    await page.keyboard.type(ada.employeeNumber);
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('#records-table tbody tr').count()).toBeGreaterThan(0);
    const manual = (await recordsOf(ada.employeeNumber)).find((r: any) => r.source === 'manual');
    await tabTo(page, (a) => a.text.startsWith('Makulera') && a.text.includes(manual.occurredAt) && a.text.includes('Seminarium'));
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await deepActive(page))?.id).toBe('annul-reason');
    await page.keyboard.type('Registrerad på fel seminarium');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow(`tr[data-id="${manual.id}"]`).textContent()).toContain('Makulerad');
    expect(await shadow(`tr[data-id="${manual.id}"]`).textContent()).toContain('Registrerad på fel seminarium');
    const after = (await recordsOf(ada.employeeNumber)).find((r: any) => r.id === manual.id);
    expect(after.annulment).toMatchObject({ by: '100007', reason: 'Registrerad på fel seminarium' });
    await expectNoAxeViolations(page, 'annulled');
    await screenshots(page, TAG, 'kk-corrections-records');
  });

  it('adds an exemption with a common reason, lists it, and ends it', async () => {
    await blur();
    await tabTo(page, (a) => a.id === 'ex-n');
    await page.keyboard.type(bo.employeeNumber);
    await tabTo(page, (a) => a.id === 'ex-reason');
    // The second common reason: långtidssjukskriven.
    await page.keyboard.press('ArrowDown');
    await tabTo(page, (a) => a.text === 'Lägg in undantaget');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('#exemptions-table tbody').textContent()).toContain(bo.name);
    const listed = (await w.h.json('/api/exemptions?unit=HAV', token)).exemptions.find((x: any) => x.employeeNumber === bo.employeeNumber);
    expect(listed).toMatchObject({ reason: 'Långtidssjukskriven', requirement: { code: 'VBE-ALLA' }, to: null, createdBy: '100007' });
    await expectNoAxeViolations(page, 'exemption listed');

    await tabTo(page, (a) => a.text === `Avsluta ${bo.name} VBE-ALLA`);
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await deepActive(page))?.id).toBe('end-to');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow(`#exemptions-table tr[data-id="${listed.id}"]`).textContent()).toContain('Avslutat av 100007');
    const ended = (await w.h.json('/api/exemptions?unit=HAV', token)).exemptions.find((x: any) => x.id === listed.id);
    expect(ended.endedBy).toBe('100007');
    expect(ended.to).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('shows a manager who in their unit is exempted and why, and offers them nothing to change', async () => {
    const res = await w.h.request('/api/exemptions', {
      token,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ employeeNumber: cia.employeeNumber, requirement: 'VBE-ALLA', from: '2024-01-01', reason: 'Föräldraledig' }),
    });
    expect(res.status).toBe(201);
    const manager = await w.token({ employeeNumber: 'CHEFHAV', roles: [{ role: 'manager', unit: 'HAV' }] });
    await mount(page, TAG, { unit: 'HAV' }, manager);
    await expect.poll(() => shadow('#exemptions-table tbody').textContent()).toContain('Föräldraledig');
    expect(await shadow('#exemptions-table tbody').textContent()).toContain(cia.name);
    expect(await shadow('#rec-q').count()).toBe(0);
    expect(await shadow('#ex-n').count()).toBe(0);
    expect(await shadow('button.link').count()).toBe(0);
    expect(await shadow('[role=alert]').count()).toBe(0);
    await expectNoAxeViolations(page, 'manager');
  });

  it('shows the exemption to the person in <kk-my-training>, and the undantagna in <kk-unit-coverage>', async () => {
    // Cia was exempted from VBE-ALLA from 2024-01-01 above (föräldraledig).
    const own = await w.token({ employeeNumber: cia.employeeNumber, roles: [] });
    const mine = (await w.h.json('/api/me/training', own)).requirements.find((x: any) => x.requirement.code === 'VBE-ALLA');
    expect(mine.status).toBe('exempt');
    await mount(page, 'kk-my-training', {}, own);
    await expect.poll(() => page.locator('kk-my-training li .status.exempt').count()).toBe(1);
    expect(await page.locator('kk-my-training li .status.exempt').textContent()).toContain('Undantagen');
    await expectNoAxeViolations(page, 'my training, exempt');
    const cov = await w.h.json('/api/coverage?unit=HAV&requirement=VBE-ALLA', token);
    expect(cov.total.exempt).toBeGreaterThan(0);
    await mount(page, 'kk-unit-coverage', { unit: 'HAV', requirement: 'VBE-ALLA' }, token);
    await expect.poll(() => page.locator('kk-unit-coverage [data-figure="exempt"] dd').textContent()).toBe(String(cov.total.exempt));
    await expectNoAxeViolations(page, 'unit coverage with undantagna');
  });

  it('shows staff nothing they may not see, without an error', async () => {
    const staff = await w.token({ employeeNumber: '100042', roles: [] });
    await mount(page, TAG, { unit: 'HAV' }, staff);
    await expect.poll(() => shadow('#records-title').count()).toBe(1);
    await page.waitForTimeout(200);
    expect(await shadow('#ex-title').count()).toBe(0);
    expect(await shadow('#rec-title').count()).toBe(0);
    expect(await shadow('[role=alert]').count()).toBe(0);
  });

  it('switches every visible string to English with lang="en"', async () => {
    await mount(page, TAG, { unit: 'HAV', lang: 'en' }, token);
    await expect.poll(() => shadow('#ex-title').count()).toBe(1);
    await shadow('#records-n').fill(ada.employeeNumber);
    await shadow('#records-n').press('Enter');
    await expect.poll(() => shadow('#records-table').count()).toBe(1);
    await shadow('#rec-course').focus();
    await shadow('#rec-paste').fill('');
    await shadow('button[type=submit]:has-text("Record")').click();
    await expect.poll(() => shadow('#rec-error').textContent()).toContain('Add a participant or paste numbers');
    expect(await swedishLeft(page, TAG), JSON.stringify(await swedishLeft(page, TAG))).toEqual([]);
    await expectNoAxeViolations(page, 'english');
    await screenshots(page, TAG, 'kk-corrections-en');
  });
});
