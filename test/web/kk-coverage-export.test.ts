// Depends on GET /api/exports/coverage.xlsx (built on another branch): the download tests pass once it is merged.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { AS_OF, deepActive, expectNoAxeViolations, mount, screenshots, startWorld, swedishLeft, tabTo, type World } from './support.ts';

let w: World;
let page: Page;
let token: string;
const TAG = 'kk-coverage-export';
const shadow = (sel: string) => page.locator(`${TAG} ${sel}`);

beforeAll(async () => {
  w = await startWorld({ staff: 200 });
  page = await w.page();
  token = await w.token();
});
afterAll(async () => w?.close());

describe('<kk-coverage-export>', () => {
  it('shows unit, date, requirement and the names choice, labelled, with no axe violations', async () => {
    await mount(page, TAG, { unit: 'HAV', 'as-of': AS_OF, requirement: 'VBE-ALLA' }, token);
    await expect.poll(() => shadow('#req option').count()).toBe((await w.h.json('/api/requirements', token)).requirements.length + 1);
    expect(await shadow('#unit').inputValue()).toBe('HAV');
    expect(await shadow('#date').inputValue()).toBe(AS_OF);
    expect(await shadow('#req').inputValue()).toBe('VBE-ALLA');
    await expectNoAxeViolations(page, 'form');
    await screenshots(page, TAG, 'kk-coverage-export');
  });

  it('asks for a unit in words next to the field when it is empty', async () => {
    await shadow('#unit').fill('');
    await shadow('button[type=submit]').click();
    await expect.poll(() => shadow('#unit-error').textContent()).toContain('Ange en enhetskod.');
    expect(await shadow('#unit').getAttribute('aria-invalid')).toBe('true');
    expect((await deepActive(page))?.id).toBe('unit');
    await expectNoAxeViolations(page, 'unit missing');
    await shadow('#unit').fill('HAV');
  });

  it('downloads the workbook the API gives, keyboard only, with names (Space on the box, Enter on the button)', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.id === 'people');
    await page.keyboard.press('Space');
    expect(await shadow('#people').isChecked()).toBe(true);
    await tabTo(page, (a) => a.text === 'Ladda ned arbetsboken');
    const download = page.waitForEvent('download', { timeout: 10_000 });
    await page.keyboard.press('Enter');
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.xlsx$/);
    const bytes = readFileSync((await file.path())!);
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    const api = await w.h.request(`/api/exports/coverage.xlsx?unit=HAV&asOf=${AS_OF}&requirement=VBE-ALLA&people=1`, { token });
    expect(api.status).toBe(200);
    expect(api.headers.get('content-type')).toContain('spreadsheetml');
    await expect.poll(() => shadow('[role=status]').textContent()).toContain(file.suggestedFilename());
    await expectNoAxeViolations(page, 'downloaded');
  });

  it('gives someone who may export nothing a short text in place of a form that would be refused', async () => {
    const staff = await w.token({ employeeNumber: '100042', roles: [] });
    await mount(page, TAG, { unit: 'HAV', 'as-of': AS_OF, lang: 'en' }, staff);
    await expect.poll(() => shadow('[data-state=nothing]').textContent()).toContain('no unit to export');
    expect(await shadow('form').count()).toBe(0);
    expect(await shadow('[role=alert]').count()).toBe(0);
    expect(await swedishLeft(page, TAG)).toEqual([]);
    await expectNoAxeViolations(page, 'nothing to export, english');
    await screenshots(page, TAG, 'kk-coverage-export-en-nothing');
  });

  it('fills in a manager’s own unit without `unit` and offers them names', async () => {
    const chef = (await w.h.json('/api/dev/demo-users', '')).users.find((u: { persona: string }) => u.persona === 'manager');
    const manager = await w.token({ employeeNumber: chef.employeeNumber, roles: [] });
    await mount(page, TAG, { 'as-of': AS_OF }, manager);
    await expect.poll(() => shadow('#unit').inputValue()).toBe('HAV-IFO');
    expect(await shadow('#unit-hint').textContent()).toContain('(HAV-IFO)');
    expect(await shadow('#people').count()).toBe(1);
  });
});
