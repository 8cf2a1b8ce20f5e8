import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { AS_OF, deepActive, digits, expectNoAxeViolations, mount, screenshots, startWorld, swedishLeft, tabTo, type World } from './support.ts';

let w: World;
let page: Page;
let token: string;
const TAG = 'kk-unit-coverage';

beforeAll(async () => {
  w = await startWorld();
  page = await w.page();
  token = await w.token();
});
afterAll(async () => w?.close());

const shadow = (sel: string) => page.locator(`${TAG} ${sel}`);

async function summary() {
  const out: Record<string, number> = {};
  for (const key of ['population', 'completed', 'started', 'notStarted', 'overdue', 'gap']) {
    out[key] = digits(await shadow(`[data-figure=${key}] dd`).textContent());
  }
  return out;
}

async function rows() {
  return shadow('tbody tr[data-unit]').evaluateAll((trs) =>
    trs.map((tr) => ({
      unit: tr.getAttribute('data-unit'),
      name: tr.querySelector('th')!.textContent!.trim(),
      ...Object.fromEntries([...tr.querySelectorAll('td[data-col]')].map((td) => [td.getAttribute('data-col'), Number(td.textContent!.replace(/[^\d]/g, ''))])),
    })),
  );
}

async function expectFigures(unit: string, requirement = 'VBE-ALLA') {
  const api = await w.h.json(`/api/coverage?unit=${unit}&requirement=${requirement}&asOf=${AS_OF}`, token);
  await expect.poll(() => shadow('#unit-heading').textContent()).toContain(api.unit.name);
  const s = await summary();
  for (const k of Object.keys(s)) expect(s[k], k).toBe(api.total[k]);
  const rate = await shadow('[data-figure=rate] dd').textContent();
  expect(rate!.replace(/\s/g, '')).toBe(`${(Math.round(api.total.rate * 1000) / 10).toString().replace('.', ',')}%`);
  const shown = await rows();
  expect(shown.map((r) => r.unit).sort()).toEqual(api.children.map((c: any) => c.unit.code).sort());
  for (const c of api.children) {
    const r: any = shown.find((x) => x.unit === c.unit.code);
    for (const k of ['population', 'completed', 'started', 'notStarted', 'overdue', 'gap']) expect(r[k], `${c.unit.code} ${k}`).toBe(c[k]);
  }
  return api;
}

describe('<kk-unit-coverage>', () => {
  it('shows the unit’s figures equal to the API’s, with no axe violations', async () => {
    await mount(page, TAG, { unit: 'HAV', requirement: 'VBE-ALLA', 'as-of': AS_OF }, token);
    const api = await expectFigures('HAV');
    expect(api.children.length).toBeGreaterThan(2);
    await expect.poll(() => shadow('.trend svg[role=img]').count()).toBe(1);
    await expectNoAxeViolations(page, 'loaded');
    await screenshots(page, TAG, 'kk-unit-coverage');
  });

  it('draws each child’s bar against the target line and says in words whether the target is met', async () => {
    const api = await w.h.json(`/api/coverage?unit=HAV&requirement=VBE-ALLA&asOf=${AS_OF}`, token);
    for (const c of api.children) {
      const row = shadow(`tr[data-unit="${c.unit.code}"]`);
      const fill = await row.locator('.bar-fill').evaluate((e) => (e as HTMLElement).style.width);
      expect(parseFloat(fill)).toBeCloseTo(c.rate * 100, 0);
      const target = await row.locator('.target').evaluate((e) => (e as HTMLElement).style.left);
      expect(target).toContain(`${c.target * 100}%`);
      expect(await row.locator('td').nth(1).textContent()).toMatch(c.gap === 0 ? /Når målet/ : /Under målet/);
    }
  });

  it('sorts by a column with aria-sort, from the keyboard', async () => {
    await page.locator('body').click({ position: { x: 1, y: 1 } }).catch(() => undefined);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.text.startsWith('Berörda'));
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('th[aria-sort=descending]').textContent()).toContain('Berörda');
    const pops = (await rows()).map((r: any) => r.population);
    expect(pops).toEqual([...pops].sort((a, b) => b - a));
    await page.keyboard.press('Space');
    await expect.poll(() => shadow('th[aria-sort=ascending]').count()).toBe(1);
    const asc = (await rows()).map((r: any) => r.population);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
  });

  it('drills down into a child with Enter and back with the breadcrumb and Space, keyboard only', async () => {
    const api = await w.h.json(`/api/coverage?unit=HAV&requirement=VBE-ALLA&asOf=${AS_OF}`, token);
    const child = api.children.find((c: any) => c.unit.code === 'HAV-IFO');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.label === `Visa ${child.unit.name}`);
    await page.keyboard.press('Enter');
    await expectFigures('HAV-IFO');
    // Focus moves to the new unit's heading, so the keyboard user is where the content changed.
    expect((await deepActive(page))?.id).toBe('unit-heading');
    await expect.poll(() => shadow('nav [aria-current]').textContent()).toContain(child.unit.name);
    await expectNoAxeViolations(page, 'drilled down');

    // One level further, then back two levels through the breadcrumb.
    const grand = (await w.h.json(`/api/coverage?unit=HAV-IFO&requirement=VBE-ALLA&asOf=${AS_OF}`, token)).children[0];
    await tabTo(page, (a) => a.label === `Visa ${grand.unit.name}`);
    await page.keyboard.press('Enter');
    await expectFigures(grand.unit.code);
    expect(await shadow('nav li').count()).toBe(3);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.label === `Tillbaka till ${api.unit.name}`);
    await page.keyboard.press('Space');
    await expectFigures('HAV');
    expect(await shadow('nav').count()).toBe(0);
  });

  it('lists the people not done for a coordinator, equal to the API, and Escape closes the list', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.text === 'Visa medarbetare som inte är klara');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('#people table').count()).toBe(1);
    const q = `unit=HAV&requirement=VBE-ALLA&asOf=${AS_OF}`;
    const notStarted = (await w.h.json(`/api/coverage/people?${q}&status=not_started`, token)).people;
    const started = (await w.h.json(`/api/coverage/people?${q}&status=started`, token)).people;
    const caption = await shadow('#people caption').textContent();
    expect(digits(caption!.split(' ')[0])).toBe(notStarted.length + started.length);
    const shownRows = await shadow('#people tbody tr').count();
    expect(shownRows).toBe(Math.min(100, notStarted.length + started.length));
    const firstNumber = await shadow('#people tbody tr td:nth-child(2)').first().textContent();
    expect([...notStarted, ...started].some((p: any) => p.employeeNumber === firstNumber)).toBe(true);
    await expectNoAxeViolations(page, 'people shown');
    await screenshots(page, TAG, 'kk-unit-coverage-people');
    await tabTo(page, (a) => a.tag === 'div' && a.label === 'Medarbetare som inte är klara');
    await page.keyboard.press('Escape');
    await expect.poll(() => shadow('#people table').count()).toBe(0);
    expect((await deepActive(page))?.text).toBe('Visa medarbetare som inte är klara');
  });

  it('reminds the people not done with "Påminn", says how many, and once a week only', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.text === 'Visa medarbetare som inte är klara');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('#people table').count()).toBe(1);
    await tabTo(page, (a) => a.text === 'Påminn');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('.nudge-result').textContent()).toContain('Påminnelse skickad');
    const stored = await w.h.db.selectFrom('reminder_outbox').select('employee_number').where('kind', '=', 'nudge').where('requirement', '=', 'VBE-ALLA').execute();
    expect(stored.length).toBeGreaterThan(0);
    expect(digits((await shadow('.nudge-result').textContent())!.split('till ')[1].split(' ')[0])).toBe(stored.length);
    await expectNoAxeViolations(page, 'nudged');
    await page.keyboard.press('Enter'); // the button keeps focus: a second press the same week
    await expect.poll(() => shadow('.nudge-result').textContent()).toContain('har redan påmints');
    const again = (await shadow('.nudge-result').textContent())!;
    expect(digits(again.split('till ')[1].split(' ')[0])).toBe(0);
    expect(digits(again.split('.')[1])).toBe(stored.length); // "N har redan påmints den här veckan."
    expect(again).toMatch(/Senast påmind \d{4}-\d{2}-\d{2}\./);
    await page.keyboard.press('Escape');
  });

  it('helps a manager act on the list: overdue filter, name search, sort by any column, placement, xlsx download', async () => {
    await mount(page, TAG, { unit: 'HAV', requirement: 'VBE-ALLA', 'as-of': AS_OF }, token);
    await expect.poll(() => shadow('#unit-heading').count()).toBe(1);
    await shadow('[aria-controls=people]').click();
    await shadow('#people-filter').selectOption('overdue');
    const q = `unit=HAV&requirement=VBE-ALLA&asOf=${AS_OF}`;
    const overdue = (await w.h.json(`/api/coverage/people?${q}&status=overdue`, token)).people;
    expect(overdue.length).toBeGreaterThan(3);
    await expect.poll(() => shadow('#people tbody tr').count()).toBe(Math.min(100, overdue.length));
    // Each row names the förvaltning › avdelning › enhet the API gives.
    const first = overdue.find((p: any) => p.avdelning && p.avdelning !== p.unit.name);
    const row = shadow(`#people tr[data-person="${first.employeeNumber}"]`);
    expect(await row.locator('td').nth(2).textContent()).toBe([first.forvaltning, first.avdelning, first.unit.name].join(' › '));
    // Sort by name, then by employee number descending (twice on the same header).
    await shadow('#people button[data-sort=name]').click();
    const names = await shadow('#people tbody tr td:first-child').allTextContents();
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'sv')));
    await shadow('#people button[data-sort=employeeNumber]').click();
    await shadow('#people button[data-sort=employeeNumber]').click();
    expect(await shadow('#people th[aria-sort=descending]').textContent()).toContain('Anställningsnummer');
    const numbers = await shadow('#people tbody tr td:nth-child(2)').allTextContents();
    expect(numbers).toEqual([...numbers].sort((a, b) => b.localeCompare(a, 'sv', { numeric: true })));
    // Search by name: only the matching people stay.
    const part = first.name.split(' ')[0];
    await shadow('#people-search').fill(part);
    const matching = overdue.filter((p: any) => p.name.toLocaleLowerCase('sv').includes(part.toLocaleLowerCase('sv')));
    await expect.poll(() => shadow('#people tbody tr').count()).toBe(matching.length);
    await expectNoAxeViolations(page, 'people filtered');
    // The rows as a workbook; the export is audited like every export of names.
    const before = (await w.h.db.selectFrom('audit_log').select('id').where('kind', '=', 'export.people').execute()).length;
    const download = page.waitForEvent('download', { timeout: 10_000 });
    await shadow('#people-download').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`kompetenskoll-HAV-personer-${AS_OF}.xlsx`);
    expect(readFileSync((await file.path())!).subarray(0, 2).toString()).toBe('PK');
    const entries = await w.h.db.selectFrom('audit_log').select('detail_json').where('kind', '=', 'export.people').execute();
    expect(entries.length).toBe(before + 1);
    expect(JSON.parse(entries.at(-1)!.detail_json!)).toMatchObject({ status: 'overdue', rows: overdue.length });
    await mount(page, TAG, { unit: 'HAV', requirement: 'VBE-ALLA', 'as-of': AS_OF }, token);
    await expect.poll(() => shadow('#unit-heading').count()).toBe(1);
  });

  it('shows the tertial trend as an SVG with a text alternative naming the API’s first and last rates', async () => {
    const trend = await w.h.json(`/api/coverage/trend?unit=HAV&requirement=VBE-ALLA&to=${AS_OF}&interval=tertial`, token);
    const alt = await shadow('#trend-alt').textContent();
    const pct = (r: number) => `${(Math.round(r * 1000) / 10).toString().replace('.', ',')}\u00a0%`;
    expect(alt).toContain(pct(trend.points[0].rate));
    expect(alt).toContain(pct(trend.points.at(-1).rate));
    expect(alt).toContain(trend.points.at(-1).asOf);
    expect(await shadow('.trend circle').count()).toBe(trend.points.length);
    expect(await shadow('.trend tbody tr').count()).toBe(trend.points.length);
  });

  it('says in words that nobody is berörd instead of drawing a 0 % line', async () => {
    const children = (await w.h.json(`/api/coverage?unit=HAV&requirement=VBE-FORDJ-SOC&asOf=${AS_OF}`, token)).children;
    let none: string | undefined;
    for (const c of children) {
      const t = await w.h.json(`/api/coverage/trend?unit=${c.unit.code}&requirement=VBE-FORDJ-SOC&to=${AS_OF}`, token);
      if (t.points.length && t.points.every((p: any) => p.population === 0)) {
        none = c.unit.code;
        break;
      }
    }
    expect(none, 'a unit of HAV with nobody berörd by VBE-FORDJ-SOC').toBeDefined();
    await mount(page, TAG, { unit: none!, requirement: 'VBE-FORDJ-SOC', 'as-of': AS_OF }, token);
    await expect.poll(() => shadow('.trend .empty').textContent()).toContain('Ingen var berörd av kravet under perioden');
    expect(await shadow('.trend svg[role=img]').count()).toBe(0);
    await mount(page, TAG, { unit: 'HAV', requirement: 'VBE-ALLA', 'as-of': AS_OF }, token);
    await expect.poll(() => shadow('#unit-heading').count()).toBe(1);
  });

  it('changes date and requirement with the pickers', async () => {
    await shadow('#req').selectOption('VBE-FORDJ-SOC');
    await expect.poll(async () => digits(await shadow('[data-figure=population] dd').textContent())).toBe(
      (await w.h.json(`/api/coverage?unit=HAV&requirement=VBE-FORDJ-SOC&asOf=${AS_OF}`, token)).total.population,
    );
    await expectFigures('HAV', 'VBE-FORDJ-SOC');
    await shadow('#req').selectOption('VBE-ALLA');
    await shadow('#asof').fill('2023-04-30');
    await shadow('#asof').dispatchEvent('change');
    const api = await w.h.json(`/api/coverage?unit=HAV&requirement=VBE-ALLA&asOf=2023-04-30`, token);
    await expect.poll(async () => digits(await shadow('[data-figure=population] dd').textContent())).toBe(api.total.population);
  });

  it('gives someone with no unit to follow a short neutral text, not an error, with no axe violations', async () => {
    const staff = await w.token({ employeeNumber: '100042', roles: [] });
    await mount(page, TAG, { unit: 'HAV', requirement: 'VBE-ALLA', 'as-of': AS_OF }, staff);
    await expect.poll(() => shadow('[data-state=nothing]').textContent()).toContain('ingen enhet för dig att följa');
    expect(await shadow('[role=alert]').count()).toBe(0);
    expect(await shadow('button').count()).toBe(0);
    await expectNoAxeViolations(page, 'nothing to follow');
    await screenshots(page, TAG, 'kk-unit-coverage-nothing');
  });

  it('shows a manager’s own unit at once without `unit`, and their own instead of one outside their reach', async () => {
    const chef = (await w.h.json('/api/dev/demo-users', '')).users.find((u: { persona: string }) => u.persona === 'manager');
    const manager = await w.token({ employeeNumber: chef.employeeNumber, roles: [] });
    const me = await w.h.json('/api/me', manager);
    expect(me.units).toEqual([{ code: 'HAV-IFO', name: expect.any(String) }]);
    await mount(page, TAG, { requirement: 'VBE-ALLA', 'as-of': AS_OF }, manager);
    await expect.poll(() => shadow('#unit-heading').textContent()).toContain(me.units[0].name);
    // One unit: no choice and no search to make.
    expect(await shadow('#own-unit').count()).toBe(0);
    expect(await shadow('#unit-search').count()).toBe(0);
    await mount(page, TAG, { unit: 'HAV', requirement: 'VBE-ALLA', 'as-of': AS_OF }, manager);
    await expect.poll(() => shadow('#unit-heading').textContent()).toContain(me.units[0].name);
    expect(await shadow('.note').textContent()).toContain('HAV');
    expect(await shadow('[role=alert]').count()).toBe(0);
  });

  it('lets an auditor find any unit by name or code as of the chosen date, from the keyboard', async () => {
    const auditor = await w.token({ employeeNumber: 'REV001', roles: [{ role: 'auditor', unit: null }] });
    await mount(page, TAG, { requirement: 'VBE-ALLA', 'as-of': AS_OF }, auditor);
    // No unit of their own: they start at the top of their reach, the city.
    const top = (await w.h.json(`/api/units?asOf=${AS_OF}`, auditor)).units[0];
    await expect.poll(() => shadow('#unit-heading').textContent()).toContain(top.name);
    const want = (await w.h.json(`/api/units?q=vuxen&asOf=${AS_OF}`, auditor)).units;
    expect(want.length).toBeGreaterThan(0);
    await shadow('#unit-search').focus();
    await page.keyboard.type('vuxen');
    await expect.poll(() => shadow('#unit-hits button').count()).toBe(want.length);
    await page.keyboard.press('ArrowDown');
    expect((await deepActive(page))?.tag).toBe('button');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('#unit-heading').textContent()).toContain(want[0].name);
    await expectNoAxeViolations(page, 'auditor searched');
    // Names, but no Påminn: GET /api/me gives an auditor people.read and not reminder.nudge.
    const caps = (await w.h.json('/api/me', auditor)).capabilities;
    expect([caps.includes('people.read'), caps.includes('reminder.nudge')]).toEqual([true, false]);
    await shadow('[aria-controls=people]').click();
    await expect.poll(() => shadow('#people table, #people .empty').count()).toBe(1);
    expect(await shadow('button.nudge').count()).toBe(0);
  });

  it('switches every visible string to English with lang="en"', async () => {
    await mount(page, TAG, { unit: 'HAV', requirement: 'VBE-ALLA', 'as-of': AS_OF }, token);
    await expect.poll(() => shadow('#unit-heading').count()).toBe(1);
    // The check itself finds Swedish while the element is Swedish.
    expect((await swedishLeft(page, TAG)).length).toBeGreaterThan(10);
    await page.evaluate(() => document.querySelector('kk-unit-coverage')!.setAttribute('lang', 'en'));
    await expect.poll(() => shadow('#unit-heading').textContent()).toContain('Summary for');
    await tabTo(page, (a) => a.text === 'Show staff who are not done');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('#people table').count()).toBe(1);
    await shadow('details summary').click();
    expect(await swedishLeft(page, TAG)).toEqual([]);
    await expectNoAxeViolations(page, 'english');
    await screenshots(page, TAG, 'kk-unit-coverage-en');
  });
});
