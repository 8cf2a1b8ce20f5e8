import { mkdirSync, writeFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { course, load, requirement } from '../support/fixtures.ts';
import { deepActive, expectNoAxeViolations, mount, screenshots, startWorld, swedishLeft, tabTo, type World } from './support.ts';

/**
 * <kk-reports> on the real app with a small fixture whose figures are worked out by hand.
 *
 * Hägersten-Älvsjö (HAV) has two departments: A with Ada, Bo, Cia, Dan, Eva and B with Fia, Gun,
 * Hus, all employed since 2020. VBE-ALLA requires the course VBE of everyone in HAV, due
 * 2024-06-30, target 80 %. Records: Ada 2024-03-01, Bo 2024-05-10, Cia 2024-08-01 and Fia
 * 2024-02-01 completed; Dan started 2024-07-01, Hus started 2024-08-20; Eva and Gun nothing.
 *
 * As of 2024-08-31 (the report "Tertialrapport 2 2024"):
 *   HAV: 8 berörda, 4 genomförda, 2 påbörjade, 2 ej påbörjade, 4 försenade (Dan, Eva, Gun, Hus:
 *        not done, due 2024-06-30 < D), rate 4/8 = 50 %, gap ceil(0.8·8) − 4 = 7 − 4 = 3.
 *   A:   5, 3, 1, 1, 2 försenade, 60 %, gap ceil(4) − 3 = 1.
 *   B:   3, 1, 1, 1, 2 försenade, 33,3 %, gap ceil(2.4) − 1 = 2.
 *   Trend: 2024-04-30 Ada and Fia done: 2 of 8 = 25 %.
 * After publishing: Gun's completion on 2024-08-15 is recorded late, Fia's record is annulled and
 * Eva is exempted from 2024-01-01. Counted again as of 2024-08-31:
 *   HAV: 7 berörda (Eva exempted), 4 genomförda (Ada, Bo, Cia, Gun), rate 4/7 = 57,1 %, gap 6 − 4 = 2;
 *        against the report: ±0 genomförda, −1 berörda, +7,1 procentenheter.
 *   A:   4 berörda, 3 genomförda, 75 %.   B: 3 berörda, 1 genomförd (Gun, not Fia), 33,3 %: no difference.
 *   Changes: Gun late_record, Fia annulled, Eva exemption.
 */
let w: World;
let page: Page;
let coordinator: string;
let auditor: string;
let manager: string;
let staff: string;
const TAG = 'kk-reports';
const TITLE = 'Tertialrapport 2 2024';
const ANALYSIS = 'Avdelning B ligger efter. Chefen följer upp i september.';
const shadow = (sel: string) => page.locator(`${TAG} ${sel}`);
const P = {
  ada: '200001', bo: '200002', cia: '200003', dan: '200004', eva: '200005', fia: '200006', gun: '200007', hus: '200008',
} as const;
/** A cell of a figures table, its whitespace (Intl's no-break spaces) made plain. */
const cell = async (view: 'reported' | 'now', unit: string, col: string, root = `table[data-view=${view}][data-requirement=VBE-ALLA]`) =>
  ((await shadow(`${root} tr[data-unit="${unit}"] [data-col="${col}"]`).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
let reportId: string;

beforeAll(async () => {
  w = await startWorld({ demo: false });
  await load(w.h.db, {
    units: [
      ['STH', 'Stockholms stad', null, 'stad'],
      ['HAV', 'Hägersten-Älvsjö', 'STH', 'forvaltning'],
      ['HAV-A', 'Avdelning A', 'HAV', 'avdelning'],
      ['HAV-B', 'Avdelning B', 'HAV', 'avdelning'],
    ],
    people: [
      [P.ada, 'Ada Andersson'], [P.bo, 'Bo Berg'], [P.cia, 'Cia Carlsson'], [P.dan, 'Dan Dahl'], [P.eva, 'Eva Ek'],
      [P.fia, 'Fia Fors'], [P.gun, 'Gun Gran'], [P.hus, 'Hus Holm'],
    ],
    employments: [
      ...[P.ada, P.bo, P.cia, P.dan, P.eva].map((p) => ({ p, unit: 'HAV-A', from: '2020-01-01' })),
      ...[P.fia, P.gun, P.hus].map((p) => ({ p, unit: 'HAV-B', from: '2020-01-01' })),
    ],
    courses: [course('VBE', { title: 'Grundutbildning om våldsbejakande extremism' })],
    requirements: [
      requirement({ code: 'VBE-ALLA', title: 'Grundutbildning VBE', titleEn: 'Basic course VBE', courses: ['VBE'], scope: ['HAV'], dueDate: '2024-06-30', targetRate: 0.8, effectiveFrom: '2020-01-01' }),
    ],
    completions: [
      { p: P.ada, course: 'VBE', status: 'completed', at: '2024-03-01' },
      { p: P.bo, course: 'VBE', status: 'completed', at: '2024-05-10' },
      { p: P.cia, course: 'VBE', status: 'completed', at: '2024-08-01' },
      { p: P.fia, course: 'VBE', status: 'completed', at: '2024-02-01' },
      { p: P.dan, course: 'VBE', status: 'started', at: '2024-07-01' },
      { p: P.hus, course: 'VBE', status: 'started', at: '2024-08-20' },
    ],
  });
  coordinator = await w.token({ employeeNumber: 'SAMHAV', roles: [{ role: 'coordinator', unit: 'HAV' }] });
  auditor = await w.token({ employeeNumber: 'REV001', roles: [{ role: 'auditor', unit: null }] });
  manager = await w.token({ employeeNumber: 'CHEFHAV', roles: [{ role: 'manager', unit: 'HAV' }] });
  staff = await w.token({ employeeNumber: P.ada, roles: [] });
  page = await w.page();
});
afterAll(async () => w?.close());

const blur = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

/** The PDF's pages (page objects, not the /Pages tree), its first MediaBox and its /Title. */
function readPdf(pdf: Buffer) {
  const text = pdf.toString('latin1');
  const pages = (text.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
  const box = /\/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(text);
  const hex = /\/Title\s*<([0-9A-Fa-f]+)>/.exec(text);
  const plain = /\/Title\s*\(((?:\\.|[^\\)])*)\)/.exec(text);
  let title = plain ? plain[1].replace(/\\(.)/g, '$1') : '';
  if (hex) {
    const bytes = Buffer.from(hex[1], 'hex');
    title = bytes[0] === 0xfe && bytes[1] === 0xff ? bytes.subarray(2).swap16().toString('utf16le') : bytes.toString('latin1');
  }
  // Content streams are deflated; their count says little, but a blank PDF has none worth reading.
  let streams = 0;
  for (const m of text.matchAll(/stream\r?\n/g)) {
    try {
      inflateSync(pdf.subarray(m.index! + m[0].length, m.index! + m[0].length + 200_000), { finishFlush: 2 });
      streams++;
    } catch {
      /* not deflated */
    }
  }
  return { pages, width: box ? Number(box[3]) - Number(box[1]) : 0, height: box ? Number(box[4]) - Number(box[2]) : 0, title, streams };
}

describe('<kk-reports>', () => {
  it('publishes a tertial report from the keyboard and opens it with the figures per unit against target', async () => {
    await mount(page, TAG, {}, coordinator);
    await expect.poll(() => shadow('[data-state=no-reports]').count(), { timeout: 15_000 }).toBe(1);
    expect(await shadow('[data-state=no-reports]').textContent()).toContain('Inga rapporter är publicerade för Hägersten-Älvsjö.');
    await expectNoAxeViolations(page, 'empty list with the publish form');

    await blur();
    await tabTo(page, (a) => a.id === 'rep-title');
    await page.keyboard.type(TITLE);
    await tabTo(page, (a) => a.id === 'rep-asof');
    await shadow('#rep-asof').evaluate((e) => ((e as HTMLInputElement).value = ''));
    await page.keyboard.type('08312024');
    await expect.poll(() => shadow('#rep-asof').inputValue()).toBe('2024-08-31');
    // The one requirement is chosen; Space takes it off and puts it back.
    await tabTo(page, (a) => a.tag === 'input' && a.type === 'checkbox');
    expect(await shadow('#rep-reqs input').isChecked()).toBe(true);
    await page.keyboard.press('Space');
    expect(await shadow('#rep-reqs input').isChecked()).toBe(false);
    await page.keyboard.press('Space');
    expect(await shadow('#rep-reqs input').isChecked()).toBe(true);
    await tabTo(page, (a) => a.id === 'rep-analysis');
    await page.keyboard.type(ANALYSIS);
    const publish = await tabTo(page, (a) => a.text === 'Publicera rapporten');
    // The focused control is visibly outlined.
    expect(publish.tag).toBe('button');
    const outline = await page.evaluate(() => {
      const b = document.querySelector('kk-reports')!.shadowRoot!.activeElement!;
      const s = getComputedStyle(b);
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    expect(outline.style).toBe('solid');
    expect(outline.width).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('Enter');

    await expect.poll(async () => (await deepActive(page))?.id, { timeout: 15_000 }).toBe('report-heading');
    expect(await shadow('#report-heading').textContent()).toBe(TITLE);
    expect(await shadow('#rep-list tbody tr').count()).toBe(1);
    reportId = (await shadow('#rep-list tbody tr').getAttribute('data-id'))!;
    const listed = (await w.h.json(`/api/reports?unit=HAV`, coordinator)).reports;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ title: TITLE, asOf: '2024-08-31', requirements: ['VBE-ALLA'], publishedBy: { employeeNumber: 'SAMHAV' } });
    expect(String(listed[0].id)).toBe(reportId);
    expect(await shadow('#report .analysis').textContent()).toBe(ANALYSIS);

    // Rapporterat: the frozen figures, worked out above.
    expect(await cell('reported', 'HAV', 'population')).toBe('8');
    expect(await cell('reported', 'HAV', 'completed')).toBe('4');
    expect(await cell('reported', 'HAV', 'started')).toBe('2');
    expect(await cell('reported', 'HAV', 'notStarted')).toBe('2');
    expect(await cell('reported', 'HAV', 'overdue')).toBe('4');
    expect(await cell('reported', 'HAV', 'rate')).toBe('50 %');
    expect(await cell('reported', 'HAV', 'target')).toBe('80 %');
    expect(await cell('reported', 'HAV', 'gap')).toBe('3');
    expect(await cell('reported', 'HAV-A', 'population')).toBe('5');
    expect(await cell('reported', 'HAV-A', 'rate')).toBe('60 %');
    expect(await cell('reported', 'HAV-A', 'gap')).toBe('1');
    expect(await cell('reported', 'HAV-B', 'rate')).toBe('33,3 %');
    expect(await cell('reported', 'HAV-B', 'gap')).toBe('2');
    // Below target in words and an icon, not by colour alone.
    expect(await shadow('table[data-view=reported] tr[data-unit="HAV-B"]').textContent()).toContain('Under målet');
    await expectNoAxeViolations(page, 'report open, Rapporterat');
    await screenshots(page, TAG, 'kk-reports');

    // The tabs: arrow keys move between Rapporterat, Nu and Ändringar.
    await tabTo(page, (a) => a.id === 'tab-reported');
    await page.keyboard.press('ArrowRight');
    expect((await deepActive(page))?.id).toBe('tab-now');
    expect(await shadow('#tab-now').getAttribute('aria-selected')).toBe('true');
    expect(await cell('now', 'HAV', 'rate')).toBe('50 %');
    expect(await cell('now', 'HAV', 'diff')).toBe('Ingen skillnad');
    await page.keyboard.press('ArrowRight');
    expect((await deepActive(page))?.id).toBe('tab-changes');
    expect(await shadow('[data-state=no-changes]').textContent()).toBe('Inget har ändrats sedan rapporten publicerades.');
    await expectNoAxeViolations(page, 'report open, Ändringar');
  });

  it('shows what changed since, with the reasons in words, after a late record, an annulment and an exemption', async () => {
    const post = (path: string, body: unknown) =>
      w.h.request(path, { token: coordinator, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/api/records', { course: 'VBE', status: 'completed', occurredAt: '2024-08-15', employeeNumbers: [P.gun] })).status).toBe(201);
    const fias = (await w.h.json(`/api/people/${P.fia}/records`, coordinator)).records;
    expect((await post(`/api/records/${fias[0].id}/annul`, { reason: 'Fel person' })).status).toBeLessThan(300);
    expect((await post('/api/exemptions', { employeeNumber: P.eva, requirement: 'VBE-ALLA', from: '2024-01-01', reason: 'Föräldraledig' })).status).toBe(201);

    await mount(page, TAG, {}, coordinator);
    await expect.poll(() => shadow('#rep-list tbody tr').count(), { timeout: 15_000 }).toBe(1);
    await blur();
    await tabTo(page, (a) => a.label === `Öppna ${TITLE}`);
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await deepActive(page))?.id).toBe('report-heading');
    // Rapporterat stands.
    expect(await cell('reported', 'HAV', 'rate')).toBe('50 %');
    expect(await cell('reported', 'HAV', 'completed')).toBe('4');
    await tabTo(page, (a) => a.id === 'tab-reported');
    await page.keyboard.press('ArrowRight');
    expect(await cell('now', 'HAV', 'population')).toBe('7');
    expect(await cell('now', 'HAV', 'completed')).toBe('4');
    expect(await cell('now', 'HAV', 'rate')).toBe('57,1 %');
    expect(await cell('now', 'HAV', 'reported-rate')).toBe('50 %');
    expect(await cell('now', 'HAV', 'diff')).toBe('\u22121 berörda, +7,1 procentenheter');
    expect(await cell('now', 'HAV-A', 'rate')).toBe('75 %');
    expect(await cell('now', 'HAV-B', 'completed')).toBe('1');
    expect(await cell('now', 'HAV-B', 'diff')).toBe('Ingen skillnad');
    await page.keyboard.press('End');
    expect((await deepActive(page))?.id).toBe('tab-changes');
    expect(await shadow('#tab-changes').textContent()).toContain('Ändringar (3)');
    const reason = (n: string) => shadow(`#changes-table tr[data-person="${n}"]`).textContent();
    expect(await reason(P.gun)).toContain('En registrering gjordes efter publiceringen, daterad senast rapportdatumet.');
    expect(await reason(P.gun)).toContain('Gun Gran');
    expect(await reason(P.fia)).toContain('En registrering makulerades efter publiceringen.');
    expect(await reason(P.eva)).toContain('Ett undantag lades in eller ändrades.');
    expect(await shadow('#changes-table tbody tr').count()).toBe(3);
    await expectNoAxeViolations(page, 'Ändringar with three changes');
    await screenshots(page, TAG, 'kk-reports-changes');
  });

  it('downloads the report\u2019s workbook', async () => {
    const download = page.waitForEvent('download');
    await tabTo(page, (a) => a.id === 'download', 60, 'Shift+Tab');
    await page.keyboard.press('Enter');
    const d = await download;
    expect(d.suggestedFilename()).toMatch(/\.xlsx$/);
    const bytes = await (await d.createReadStream()).toArray();
    // An xlsx is a zip: PK.
    expect(Buffer.concat(bytes).subarray(0, 2).toString()).toBe('PK');
  });

  it('shows the printable page in place, prints it on A4 without the rest of the page, and goes back', async () => {
    await tabTo(page, (a) => a.id === 'print-view-button');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await deepActive(page))?.id).toBe('print-heading');
    expect(await page.locator(TAG).getAttribute('view')).toBe('print');
    const article = shadow('article.print');
    const text = ((await article.textContent()) ?? '').replace(/\s+/g, ' ');
    for (const part of [TITLE, 'Hägersten-Älvsjö (HAV)', '2024-08-31', 'SAMHAV', ANALYSIS, 'Ändringar sedan publiceringen', 'Utveckling per tertial: Grundutbildning VBE']) expect(text).toContain(part);
    expect(text).toContain('I dag: 57,1 % (4 av 7); rapporterat: 50 % (4 av 8).');
    // The chart has a text alternative and its figures as a table.
    expect(await shadow('figure.chart svg[role=img]').getAttribute('aria-labelledby')).toBe('alt-VBE-ALLA');
    expect((await shadow('#alt-VBE-ALLA').textContent())?.replace(/\s+/g, ' ')).toBe(
      'Andel genomförda per tertial för Hägersten-Älvsjö, Grundutbildning VBE: från 0 % (2023-04-30) till 50 % (2024-08-31). Målet är 80 %.',
    );
    const trendRow = async (d: string) =>
      (await shadow(`table[data-trend="VBE-ALLA"] tr:has(th:text-is("${d}")) > *`).allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    // Tertial ends from 2023-04-30 (the year before the report's): nobody done before 2024.
    expect(await trendRow('2023-12-31')).toEqual(['2023-12-31', '8', '0', '0 %']);
    expect(await trendRow('2024-04-30')).toEqual(['2024-04-30', '8', '2', '25 %']);
    expect(await trendRow('2024-08-31')).toEqual(['2024-08-31', '8', '4', '50 %']);
    await expectNoAxeViolations(page, 'print view');

    // A tall neighbour on the host page: the print leaves it out, so the report alone decides the pages.
    await page.evaluate(() => {
      const tall = document.createElement('div');
      tall.id = 'neighbour';
      tall.style.height = '6000px';
      tall.textContent = 'Annat innehåll på intranätet';
      document.querySelector('main')!.prepend(tall);
    });
    // preferCSSPageSize: the page size is the element's @page rule, not Playwright's default (Letter).
    const pdf = readPdf(await page.pdf({ preferCSSPageSize: true, printBackground: true }));
    expect(pdf.pages).toBeGreaterThanOrEqual(1);
    expect(pdf.pages).toBeLessThanOrEqual(2);
    expect(Math.abs(pdf.width - 595.3)).toBeLessThan(1.5);
    expect(Math.abs(pdf.height - 841.9)).toBeLessThan(1.5);
    expect(pdf.streams).toBeGreaterThan(0);
    // Without the print view the same page needs many more pages (the neighbour prints).
    await page.locator('#neighbour').evaluate((e) => e.remove());

    await tabTo(page, (a) => a.id === 'print-back', 60, 'Shift+Tab');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await deepActive(page))?.id).toBe('print-view-button');
    expect(await page.locator(TAG).getAttribute('view')).toBe('list');
  });

  it('prints report.html for an auditor as an A4 PDF of one or two pages titled after the report', async () => {
    const p = await w.browser.newPage({ viewport: { width: 1280, height: 900 } });
    p.on('pageerror', (e) => console.error('pageerror:', e.message));
    await p.goto(`${w.base}/report.html?id=${reportId}&as=auditor`);
    await expect.poll(() => p.locator(`${TAG} #print-heading`).textContent(), { timeout: 15_000 }).toBe(TITLE);
    expect(await p.title()).toBe(TITLE);
    await expectNoAxeViolations(p, 'report.html');
    const bytes = await p.pdf({ format: 'A4', printBackground: true });
    mkdirSync('test-output', { recursive: true });
    writeFileSync('test-output/kk-reports-print.pdf', bytes);
    const pdf = readPdf(bytes);
    expect(pdf.pages).toBeGreaterThanOrEqual(1);
    expect(pdf.pages).toBeLessThanOrEqual(2);
    expect(Math.abs(pdf.width - 595.3)).toBeLessThan(1.5);
    expect(Math.abs(pdf.height - 841.9)).toBeLessThan(1.5);
    expect(pdf.title).toBe(TITLE);
    // The controls are not printed: in print media they are not displayed.
    await p.emulateMedia({ media: 'print' });
    expect(await p.locator(`${TAG} #print-button`).isVisible()).toBe(false);
    expect(await p.locator(`${TAG} #print-heading`).isVisible()).toBe(true);
    // A4's width inside the @page margins (210 − 2 × 14 mm = 182 mm ≈ 688 CSS px): nothing wider.
    await p.setViewportSize({ width: 688, height: 1000 });
    await p.waitForTimeout(100);
    await p.screenshot({ path: 'test-output/screenshots/kk-reports-print.png', fullPage: true });
    expect(await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 'wider than A4').toBeLessThanOrEqual(0);
    await p.screenshot({ path: 'test-output/screenshots/kk-reports-print.png', fullPage: true });
    await p.close();
  });

  it('lets an auditor find any unit\u2019s reports by typing, with no publish form', async () => {
    await mount(page, TAG, {}, auditor);
    await expect.poll(() => shadow('#rep-unit-search').count(), { timeout: 15_000 }).toBe(1);
    expect(await shadow('#rep-title').count()).toBe(0);
    await blur();
    await tabTo(page, (a) => a.id === 'rep-unit-search');
    await page.keyboard.type('Hägersten');
    await expect.poll(() => shadow('#rep-hits button').count()).toBeGreaterThan(0);
    await page.keyboard.press('ArrowDown');
    expect((await deepActive(page))?.text).toContain('Hägersten-Älvsjö (HAV)');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('#rep-list tbody tr').count()).toBe(1);
    await expectNoAxeViolations(page, 'auditor list');
  });

  it('lets a manager read their unit\u2019s report and its printable page, and gives staff a short neutral text', async () => {
    await mount(page, TAG, { report: reportId, view: 'print' }, manager);
    await expect.poll(() => shadow('#print-heading').textContent(), { timeout: 15_000 }).toBe(TITLE);
    expect(await shadow('#rep-title').count()).toBe(0);
    const pdf = readPdf(await page.pdf({ format: 'A4' }));
    expect(pdf.pages).toBeLessThanOrEqual(2);
    expect(Math.round(pdf.height)).toBeGreaterThan(840);
    await mount(page, TAG, {}, manager);
    await expect.poll(() => shadow('#rep-list tbody tr').count(), { timeout: 15_000 }).toBe(1);
    expect(await shadow('#rep-title').count()).toBe(0);
    expect(await shadow('[role=alert]').count()).toBe(0);

    // A manager of one avdelning opening the förvaltning's report: refused, and told so plainly.
    const managerB = await w.token({ employeeNumber: 'CHEFB', roles: [{ role: 'manager', unit: 'HAV-B' }] });
    await mount(page, TAG, { report: reportId }, managerB);
    await expect.poll(() => shadow('[role=alert]').count(), { timeout: 15_000 }).toBe(1);
    expect(await shadow('[role=alert] strong').textContent()).toBe('Ingen behörighet:');

    await mount(page, TAG, {}, staff);
    await expect.poll(() => shadow('[data-state=nothing]').count(), { timeout: 15_000 }).toBe(1);
    expect(await shadow('[data-state=nothing]').textContent()).toBe('Här finns inga rapporter för dig att läsa.');
    expect(await shadow('[role=alert]').count()).toBe(0);
    expect(await shadow('#rep-list').count()).toBe(0);
  });

  it('says what to fix when a report cannot be published: no title, or a date the requirement was not in force', async () => {
    await mount(page, TAG, {}, coordinator);
    await expect.poll(() => shadow('#rep-list tbody tr').count(), { timeout: 15_000 }).toBe(1);
    await blur();
    await tabTo(page, (a) => a.text === 'Publicera rapporten');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('#rep-form-error').textContent()).toContain('Ange en rubrik.');
    expect((await deepActive(page))?.id).toBe('rep-title');
    await page.keyboard.type('Helårsrapport 2019');
    await tabTo(page, (a) => a.id === 'rep-asof');
    await page.keyboard.type('12312019');
    await tabTo(page, (a) => a.text === 'Publicera rapporten');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('#rep-form-error').textContent()).toContain('Kravet VBE-ALLA gällde inte 2019-12-31');
    expect((await deepActive(page))?.id).toBe('rep-form-error');
    expect(await shadow('#rep-form-error [role=alert]').count()).toBe(1);
    await expectNoAxeViolations(page, 'publish refused');
    // Nothing was published.
    expect((await w.h.json('/api/reports?unit=HAV', coordinator)).reports).toHaveLength(1);
    expect(await shadow('#rep-list tbody tr').count()).toBe(1);
  });

  it('switches every visible string to English, the open report and its printable page axe-clean', async () => {
    await mount(page, TAG, { lang: 'en' }, coordinator);
    await expect.poll(() => shadow('#rep-list tbody tr').count(), { timeout: 15_000 }).toBe(1);
    await shadow(`#rep-list button`).click();
    await expect.poll(() => shadow('#report-heading').count()).toBe(1);
    expect(await shadow('table[data-view=reported] caption').textContent()).toContain('Basic course VBE: coverage per unit against the target as of 2024-08-31.');
    expect(await swedishLeft(page, TAG), JSON.stringify(await swedishLeft(page, TAG))).toEqual([]);
    await expectNoAxeViolations(page, 'english, reported');
    await shadow('#tab-changes').click();
    expect(await shadow(`#changes-table tr[data-person="${P.gun}"]`).textContent()).toContain('A record was made after publishing, dated on or before the report date.');
    expect(await swedishLeft(page, TAG), JSON.stringify(await swedishLeft(page, TAG))).toEqual([]);
    await expectNoAxeViolations(page, 'english, changes');
    await shadow('#print-view-button').click();
    await expect.poll(() => shadow('#print-heading').count()).toBe(1);
    expect(await shadow('article.print').textContent()).toContain('Today: 57.1% (4 of 7); reported: 50% (4 of 8).');
    expect(await swedishLeft(page, TAG), JSON.stringify(await swedishLeft(page, TAG))).toEqual([]);
    await expectNoAxeViolations(page, 'english, print view');
  });
});
