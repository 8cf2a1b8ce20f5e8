import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectNoAxeViolations, startWorld, swedishLeft, tabTo, type World } from './support.ts';

/**
 * The demo page's "Agera som" switch through every persona, in Swedish and English: each lands on
 * their own work, is offered only what they may do, sees no error, and the page passes axe
 * (WCAG 2.2 AA) at 1280 and 360 px.
 */
let w: World;
let page: Page;
const TAGS = ['kk-my-training', 'kk-unit-coverage', 'kk-coverage-export', 'kk-import', 'kk-requirements', 'kk-corrections', 'kk-reports', 'kk-reminder-outbox'] as const;

beforeAll(async () => {
  w = await startWorld({ staff: 300 });
  // Today's reminders decided into the outbox (no mail configured), for <kk-reminder-outbox>.
  const admin = await w.token({ employeeNumber: 'ADM-OUTBOX', roles: [{ role: 'admin', unit: null }] });
  expect((await w.h.request('/api/reminders/run', { token: admin, method: 'POST' })).status).toBe(200);
  page = await w.browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => console.error('pageerror:', e.message));
});
afterAll(async () => w?.close());

const el = (tag: string, sel: string) => page.locator(`${tag} ${sel}`);
const hidden = (tag: string) => page.locator(tag).evaluate((e) => (e as HTMLElement).hidden);

interface Expect {
  persona: 'staff' | 'manager' | 'coordinator' | 'auditor' | 'admin';
  /** The unit the coverage element lands on (by GET /api/me or the top of the reach), or null. */
  unit: () => Promise<string | null>;
  search: boolean;
  importer: boolean;
  edits: boolean;
  exportNames: boolean | null;
  /** <kk-corrections>: records and exempts (record.write, exemption.write); sees a unit's exemptions (exemption.read). */
  corrects: boolean;
  seesExemptions: boolean;
  /** <kk-reports>: publishes (report.publish), reads a unit's reports (report.read), or reads a short text. */
  reports: 'publish' | 'read' | 'nothing';
  /** <kk-reminder-outbox>: the whole outbox (admin), the messages to their scope's staff (coordinator), or a short text. */
  outbox: 'all' | 'scope' | null;
}

let users: { persona: string; employeeNumber: string; roles: { role: 'admin' | 'coordinator' | 'auditor' | 'manager'; unit: string | null }[] }[] = [];
const tokenOf = (persona: string) => {
  const u = users.find((x) => x.persona === persona)!;
  return w.token({ employeeNumber: u.employeeNumber, roles: u.roles });
};
const ownUnit = (persona: string) => async () => (await w.h.json('/api/me', await tokenOf(persona))).units[0]?.name ?? null;
const topUnit = (persona: string) => async () => (await w.h.json('/api/units', await tokenOf(persona))).units[0].name;

const PERSONAS: Expect[] = [
  { persona: 'staff', unit: async () => null, search: false, importer: false, edits: false, exportNames: null, corrects: false, seesExemptions: false, reports: 'nothing', outbox: null },
  { persona: 'manager', unit: ownUnit('manager'), search: false, importer: false, edits: false, exportNames: true, corrects: false, seesExemptions: true, reports: 'read', outbox: null },
  { persona: 'coordinator', unit: ownUnit('coordinator'), search: true, importer: true, edits: true, exportNames: true, corrects: true, seesExemptions: true, reports: 'publish', outbox: 'scope' },
  { persona: 'auditor', unit: topUnit('auditor'), search: true, importer: false, edits: false, exportNames: true, corrects: false, seesExemptions: true, reports: 'read', outbox: null },
  { persona: 'admin', unit: topUnit('admin'), search: true, importer: true, edits: true, exportNames: true, corrects: true, seesExemptions: true, reports: 'publish', outbox: 'all' },
];

async function actAs(persona: string) {
  const u = users.find((x) => x.persona === persona)!;
  await page.locator('#persona').selectOption(persona);
  await expect.poll(() => page.locator('#who').textContent()).toContain(u.employeeNumber);
}

async function expectPersona(x: Expect, lang: 'sv' | 'en') {
  const unit = await x.unit();
  const cov = 'kk-unit-coverage';
  if (unit) {
    await expect.poll(() => el(cov, '#unit-heading').textContent(), { timeout: 15_000 }).toContain(unit);
    // Polled: two personas can land on the same unit, so the heading may show it while the element still reloads.
    await expect.poll(async () => (await el(cov, '#people-filter').count()) + (await el(cov, '[aria-controls=people]').count()), { message: 'people list offered', timeout: 15_000 }).toBeGreaterThan(0);
  } else {
    await expect.poll(() => el(cov, '[data-state=nothing]').count(), { timeout: 15_000 }).toBe(1);
  }
  expect(await el(cov, '#unit-search').count(), `${x.persona}: search`).toBe(x.search ? 1 : 0);
  // Import only for those who may import; editing only for those who may edit.
  await expect.poll(() => hidden('kk-import')).toBe(!x.importer);
  await expect.poll(() => el('kk-requirements', 'tr[data-code]').count()).toBeGreaterThan(3);
  expect(await el('kk-requirements', '#new-requirement').count(), `${x.persona}: new requirement`).toBe(x.edits ? 1 : 0);
  expect(await el('kk-requirements', 'td button.link').count() > 0, `${x.persona}: edit buttons`).toBe(x.edits);
  if (!x.edits) expect(await el('kk-requirements', '[data-state=read-only]').count()).toBe(1);
  // Names only to those allowed; someone who may export nothing reads a short text.
  if (x.exportNames === null) expect(await el('kk-coverage-export', '[data-state=nothing]').count()).toBe(1);
  else expect(await el('kk-coverage-export', '#people').count()).toBe(x.exportNames ? 1 : 0);
  // Corrections: a person's records for everyone; the unit's exemptions for those who may read them
  // (their own unit, or the top of their reach); recording and exempting only for those who may.
  const cor = 'kk-corrections';
  await expect.poll(() => el(cor, '#records-title').count(), { timeout: 15_000 }).toBe(1);
  await expect.poll(() => el(cor, '#ex-title').count(), { timeout: 15_000 }).toBe(x.seesExemptions ? 1 : 0);
  await expect.poll(() => el(cor, '#rec-q').count(), { timeout: 15_000 }).toBe(x.corrects ? 1 : 0);
  expect(await el(cor, '#ex-n').count(), `${x.persona}: new exemption`).toBe(x.corrects ? 1 : 0);
  // Reports: the unit's list for those who may read them, the publish form for those who may publish.
  const rep = 'kk-reports';
  if (x.reports === 'nothing') await expect.poll(() => el(rep, '[data-state=nothing]').count(), { timeout: 15_000 }).toBe(1);
  else await expect.poll(() => el(rep, '#rep-list-title').count(), { timeout: 15_000 }).toBe(1);
  expect(await el(rep, '#rep-title').count(), `${x.persona}: publish form`).toBe(x.reports === 'publish' ? 1 : 0);
  if (x.reports !== 'nothing') {
    // The report of HAV-IFO is listed for each reader (their own unit or the top of their reach, and below).
    await expect.poll(() => el(rep, '#rep-list tbody tr').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await el(rep, '#rep-list tbody tr button').first().click();
    await expect.poll(() => el(rep, '#report-heading').textContent(), { timeout: 15_000 }).toBe('Tertialrapport 2 2024');
    expect(await el(rep, 'table[data-view=reported] tbody tr').count()).toBeGreaterThan(1);
  }
  // The outbox: what the API gives the persona, row for row; anyone else reads a short text.
  const out = 'kk-reminder-outbox';
  if (x.outbox) {
    const mine = (await w.h.json('/api/reminders/outbox?limit=200', await tokenOf(x.persona))).messages;
    const everything = (await w.h.json('/api/reminders/outbox?limit=10000', await tokenOf('admin'))).messages;
    expect(mine.length, `${x.persona}: outbox`).toBeGreaterThan(0);
    // A coordinator's are some of the city's, never all of them.
    if (x.outbox === 'scope') expect(mine.length).toBeLessThan(everything.length);
    await expect.poll(() => el(out, 'tbody tr').count(), { timeout: 15_000 }).toBe(mine.length);
    expect(await el(out, 'tbody tr').first().getAttribute('data-id')).toBe(String(mine[0].id));
    expect(await el(out, '[data-state=nothing]').count()).toBe(0);
  } else {
    await expect.poll(() => el(out, '[data-state=nothing]').count(), { timeout: 15_000 }).toBe(1);
    expect(await el(out, 'table').count(), `${x.persona}: outbox table`).toBe(0);
    expect(await hidden(out)).toBe(false);
  }
  for (const tag of TAGS) expect(await page.locator(`${tag} [role=alert]`).count(), `${x.persona}: error in ${tag}`).toBe(0);
  if (lang === 'en') {
    for (const tag of TAGS) if (!(await hidden(tag))) expect(await swedishLeft(page, tag), `${x.persona} ${tag}`).toEqual([]);
  }
}

/** `withTable`: the persona lands on a unit's coverage, whose table must then be there to measure. */
async function expectAccessibleAtBothWidths(state: string, withTable: boolean) {
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(100);
    await expectNoAxeViolations(page, `${state} at ${width}px`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), `${state}: sideways at ${width}px`).toBeLessThanOrEqual(0);
    if (width === 1280) {
      // The coverage table fits without clipping a column (no scrolling inside its wrapper).
      const clipped = await page.evaluate(() => {
        const wrap = document.querySelector('kk-unit-coverage')?.shadowRoot?.querySelector<HTMLElement>('.table-wrap');
        return wrap ? wrap.scrollWidth - wrap.clientWidth : null;
      });
      if (!withTable) expect(clipped, `${state}: no coverage table`).toBeNull();
      else {
        expect(clipped, `${state}: coverage table`).not.toBeNull();
        expect(clipped!, `${state}: coverage table clipped by ${clipped}px`).toBeLessThanOrEqual(0);
      }
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** The people list opened and filtered to overdue: the API's people, each marked overdue. */
async function expectOverdueList(x: Expect, lang: 'sv' | 'en') {
  const cov = 'kk-unit-coverage';
  await el(cov, '[aria-controls=people]').click();
  await expect.poll(() => el(cov, '#people-filter').count()).toBe(1);
  await el(cov, '#people-filter').selectOption('overdue');
  await expect.poll(async () => (await el(cov, '#people table').count()) + (await el(cov, '#people .empty').count()), { timeout: 15_000 }).toBe(1);
  const heading = (await el(cov, '#unit-heading').textContent())!;
  const unit: { code: string; name: string } = (await w.h.json('/api/me', await tokenOf(x.persona))).units[0] ?? (await w.h.json('/api/units', await tokenOf(x.persona))).units[0];
  const api = (await w.h.json(`/api/coverage/people?unit=${unit.code}&requirement=VBE-ALLA&status=overdue`, await tokenOf(x.persona))).people;
  // The summary names the unit whose people are listed (covSummary in web-components/strings/).
  expect(heading).toBe(lang === 'sv' ? `Sammanfattning för ${unit.name}` : `Summary for ${unit.name}`);
  await expect.poll(() => el(cov, '#people tbody tr').count()).toBe(Math.min(100, api.length));
  // Every listed row is marked overdue (none listed, none marked).
  expect(await el(cov, '#people tbody tr .status.overdue').count()).toBe(Math.min(100, api.length));
  expect(await el(cov, '#people-download').count(), `${x.persona}: download`).toBe(x.exportNames ? 1 : 0);
  await expectNoAxeViolations(page, `${x.persona} ${lang} overdue list`);
  await el(cov, '[aria-controls=people]').click();
}

describe('the demo page, persona by persona', () => {
  it('starts as the coordinator with admin rights and offers all five personas', async () => {
    await page.goto(`${w.base}/`);
    users = (await w.h.json('/api/dev/demo-users', '')).users;
    // One published report of the manager's unit (HAV-IFO): within every reader's reach.
    const published = await w.h.request('/api/reports', {
      token: await tokenOf('coordinator'),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Tertialrapport 2 2024', unit: 'HAV-IFO', requirements: ['VBE-ALLA'], asOf: '2024-08-31', analysis: 'Demo' }),
    });
    expect(published.status).toBe(201);
    expect(users.map((u) => u.persona).sort()).toEqual(['admin', 'auditor', 'coordinator', 'manager', 'staff']);
    expect(await page.locator('#persona option').count()).toBe(5);
    await expect.poll(() => page.locator('kk-unit-coverage #unit-heading').count(), { timeout: 20_000 }).toBe(1);
  });

  for (const lang of ['sv', 'en'] as const) {
    for (const x of PERSONAS) {
      it(`${x.persona} (${lang}): lands on their own work, offered only what they may do, axe-clean at 1280 and 360 px`, async () => {
        if ((await page.locator('#lang').inputValue()) !== lang) await page.locator('#lang').selectOption(lang);
        await actAs(x.persona);
        await expectPersona(x, lang);
        await expectAccessibleAtBothWidths(`${x.persona} ${lang}`, (await x.unit()) !== null);
        if (x.persona !== 'staff') await expectOverdueList(x, lang);
      });
    }
  }

  it('keeps the focused control in view and uncovered while tabbing through the page', async () => {
    await page.locator('#lang').selectOption('sv');
    await actAs('coordinator');
    await expect.poll(() => page.locator('kk-unit-coverage #unit-heading').count(), { timeout: 15_000 }).toBe(1);
    await page.evaluate(() => window.scrollTo(0, 0));
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const seen = await page.evaluate(() => {
        let a: Element | null = document.activeElement;
        while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
        if (!a || a === document.body) return { ok: true, what: 'body' };
        const r = a.getBoundingClientRect();
        const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
        const y = Math.min(Math.max(r.top + Math.min(r.height / 2, 10), 0), innerHeight - 1);
        let hit: Element | null = document.elementFromPoint(x, y);
        while (hit?.shadowRoot) {
          const inner = hit.shadowRoot.elementFromPoint(x, y);
          if (!inner || inner === hit) break;
          hit = inner;
        }
        const inView = r.bottom > 0 && r.top < innerHeight;
        const uncovered = !!hit && (hit === a || a.contains(hit) || hit.contains(a) || (hit.getRootNode() as ShadowRoot).host === a);
        return { ok: inView && uncovered, what: `${a.localName}#${a.id} ${(a.textContent ?? '').trim().slice(0, 30)}` };
      });
      expect(seen.ok, seen.what).toBe(true);
    }
  });

  it('links the accessibility statement, in Swedish and in English, both axe-clean', async () => {
    await page.goto(`${w.base}/`);
    const link = page.locator('#a11y');
    expect(await link.getAttribute('href')).toBe('tillganglighet.html');
    await link.click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Tillgänglighetsredogörelse för Kompetenskoll');
    const sv = (await page.locator('main').textContent())!;
    for (const part of ['delvis förenlig', 'Rapportera brister', 'Tillsyn', 'Digg', 'Hur vi testat', 'WCAG 2.2', 'Senaste bedömningen gjordes den']) expect(sv).toContain(part);
    expect(await page.locator('a[href="https://www.digg.se/tdosanmalan"]').count()).toBe(1);
    await expectNoAxeViolations(page, 'tillgänglighetsredogörelse');
    await page.goto(`${w.base}/?lang=en`);
    await expect.poll(() => page.locator('#a11y').getAttribute('href')).toBe('accessibility.html');
    await page.locator('#a11y').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Accessibility statement for Kompetenskoll');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    const en = (await page.locator('main').textContent())!;
    for (const part of ['partially compliant', 'Reporting accessibility problems', 'Enforcement', 'How we tested']) expect(en).toContain(part);
    await expectNoAxeViolations(page, 'accessibility statement');
  });
});
