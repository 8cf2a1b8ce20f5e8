/**
 * <kk-import> on Workers' stream path, against the real Worker (`npm run dev:worker`: workerd,
 * local D1, R2 and Queues): with KK_STREAM_IMPORT_MB at 0.0002 (210 bytes) every upload here
 * answers 202 and is imported by the queue consumer, in slices of KK_IMPORT_SLICE_ROWS = 2
 * records. The element follows each import on GET /api/imports/:id to the same result view a
 * small upload gives. Nothing of the API is stood in for; the only hand on the network is a
 * hold on the element's first polls in one test, so that its waiting state can be checked however
 * fast the local queue is (the answer, when let through, is the Worker's own).
 */
import { readFileSync } from 'node:fs';
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { en } from '../../web-components/strings/en.ts';
import { sv } from '../../web-components/strings/sv.ts';
import { deepActive, digits, expectNoAxeViolations, mount, swedishLeft, tabTo } from './support.ts';
import { startWorkerWorld, type WorkerWorld } from './worker-world.ts';

const TAG = 'kk-import';
const AS_OF = '2025-11-30';
const COORDINATOR = { employeeNumber: '900001', roles: [{ role: 'coordinator', unit: 'KKW' }, { role: 'admin', unit: null }] };

let w: WorkerWorld;
let page: Page;
let token: string;
const shadow = (sel: string) => page.locator(`${TAG} ${sel}`);
const text = async (sel: string) => ((await shadow(sel).textContent()) ?? '').replace(/\s+/g, ' ').trim();
const blur = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

/** An import through the API as a coordinator's script would: a 202 is polled until it ends. */
async function apiImport(path: string, csv: string): Promise<any> {
  const form = new FormData();
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'fil.csv');
  const res = await fetch(`${w.url}${path}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  const answer = await res.json();
  expect(res.status, JSON.stringify(answer)).toBe(202);
  for (let i = 0; i < 120; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const batch = await (await fetch(`${w.url}/api/imports/${answer.batchId}`, { headers: { authorization: `Bearer ${token}` } })).json();
    if (batch.progress.state === 'failed') throw new Error(JSON.stringify(batch.progress.problem));
    if (batch.progress.state === 'committed') return batch;
  }
  throw new Error(`import ${answer.batchId} did not end`);
}

/** Every import the page posted: its kind and query; and the status each was answered with. */
const posted: { kind: string; query: Record<string, string> }[] = [];
const answered: number[] = [];

/** The element's live region and its background progress text, as they changed. */
async function watch() {
  await page.evaluate(async () => {
    const el = document.querySelector('kk-import') as HTMLElement & { updateComplete: Promise<unknown> };
    await el.updateComplete;
    const root = el.shadowRoot!;
    const seen = ((window as any).__seen = { live: [] as string[], bg: [] as string[] });
    const live = root.querySelector('[role=status]')!;
    const squash = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
    new MutationObserver(() => seen.live.push(squash(live.textContent))).observe(live, { subtree: true, childList: true, characterData: true });
    new MutationObserver(() => {
      const t = squash(root.querySelector('#bg-text')?.textContent);
      if (t && seen.bg.at(-1) !== t) seen.bg.push(t);
    }).observe(root, { subtree: true, childList: true, characterData: true });
  });
}
const seen = (): Promise<{ live: string[]; bg: string[] }> => page.evaluate(() => (window as any).__seen);

/** The live region said `notice` once, left it unchanged while the polls ran, and cleared it at the end. */
async function announcedOnce(notice: string) {
  const { live } = await seen();
  const at = live.indexOf(notice);
  expect(at, JSON.stringify(live)).toBeGreaterThanOrEqual(0);
  expect(live.slice(at + 1)).toEqual(['']);
}

// The förvaltning KKW with units KKW-A and KKW-B, made through the API. Its staff list, history
// mode: 500001 … 500030 in KKW-A since 2020-01-01, but row 18 (500017) names KKW-X, which does
// not exist. By hand: 30 rows, 29 accepted and started, 1 rejected, on row 18 for its unit.
const UNITS = ['Enhetskod;Namn;Överordnad;Nivå;Giltig fr.o.m.', 'KKW;Förvaltning W;;förvaltning;2019-01-01', 'KKW-A;Enhet A;KKW;enhet;2019-01-01', 'KKW-B;Enhet B;KKW;enhet;2019-01-01'].join('\r\n');
const HISTORY = [
  'Anställningsnummer;Namn;Enhetskod;Fr.o.m.;T.o.m.',
  ...Array.from({ length: 30 }, (_, i) => `${500001 + i};Person ${500001 + i};${i === 16 ? 'KKW-X' : 'KKW-A'};2020-01-01;`),
].join('\r\n');
// KURS-A done by 500001 … 500030 in turn, one a day from 2025-01-01: 300 rows, 10 of them
// 500017's, who is nobody (his staff-list row was rejected). By hand: 290 added, 10 rejected.
const day = (i: number) => new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10);
const COMPLETIONS = ['Anställningsnummer;Kurs;Status;Datum', ...Array.from({ length: 300 }, (_, i) => `${500001 + (i % 30)};KURS-A;Genomförd;${day(i)}`)].join('\r\n');
// KKW's snapshot on AS_OF: 500001 … 500005 stay in A, 500006 moves to B, 500100 is new. By hand:
// 29 active, 6 of them named, 23 end — more than a tenth, so the commit needs confirmEnded=23;
// the change list holds 23 ended + 1 moved + 1 started = 25.
const SNAPSHOT = ['Anställningsnummer;Namn;Enhetskod', ...[1, 2, 3, 4, 5, 6].map((i) => `${500000 + i};Person ${500000 + i};KKW-${i === 6 ? 'B' : 'A'}`), '500100;Ny Person;KKW-A'].join('\r\n');

beforeAll(async () => {
  w = await startWorkerWorld(['KK_STREAM_IMPORT_MB:0.0002', 'KK_IMPORT_SLICE_ROWS:2']);
  token = await w.token(COORDINATOR.employeeNumber, COORDINATOR.roles);
  const units = await apiImport('/api/imports/units?dryRun=false', UNITS);
  expect(units).toMatchObject({ rowsAccepted: 3, changes: { added: 3 } });
  const course = await fetch(`${w.url}/api/courses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ code: 'KURS-A', title: 'Kurs A', kind: 'web' }),
  });
  expect(course.status).toBe(201);
  page = await w.page();
  page.on('request', (req) => {
    const url = new URL(req.url());
    const m = /^\/api\/imports\/(\w+)$/.exec(url.pathname);
    if (m && req.method() === 'POST') posted.push({ kind: m[1], query: Object.fromEntries(url.searchParams) });
  });
  page.on('response', (res) => {
    if (res.request().method() === 'POST' && /^\/api\/imports\/\w+$/.test(new URL(res.url()).pathname)) answered.push(res.status());
  });
}, 300_000);
afterAll(async () => w?.close(), 60_000);

describe('<kk-import> on the Worker, uploads queued (202)', () => {
  it('says a staff list is being dry-run in the background, then shows its figures, and commits it the same way', async () => {
    // Polls are held until the waiting state is checked.
    let release: () => void = () => undefined;
    let hold: Promise<void> | null = new Promise((r) => (release = () => ((hold = null), r())));
    const polls = async (route: Route) => {
      if (route.request().method() === 'GET' && hold) await hold;
      await route.continue();
    };
    await page.route(/\/api\/imports\/\d+$/, polls);

    await mount(page, TAG, { kind: 'roster', mode: 'history' }, token);
    await watch();
    await shadow('#file').setInputFiles({ name: 'personal.csv', mimeType: 'text/csv', buffer: Buffer.from(HISTORY) });
    await blur();
    await tabTo(page, (a) => a.id === 'dry');
    await page.keyboard.press('Enter');

    // Waiting: the notice in the live region, the progress labelled beside it, the form busy.
    await expect.poll(() => text('[role=status]'), { timeout: 15_000 }).toBe(sv.impQueuedDry);
    expect(await text('label[for=bg]')).toBe(sv.impBgLabel);
    expect(await text('#bg-text')).toBe(sv.impBgQueued);
    // No figure yet: the bar is indeterminate.
    expect(await shadow('#bg').evaluate((e) => (e as HTMLProgressElement).position)).toBe(-1);
    expect(await shadow('#dry').isDisabled()).toBe(true);
    expect(await shadow('[part=result]').count()).toBe(0);
    await expectNoAxeViolations(page, 'queued dry run');
    release();

    await expect.poll(() => shadow('[data-count=rowsTotal]').count(), { timeout: 30_000 }).toBe(1);
    await page.unroute(/\/api\/imports\/\d+$/, polls);
    expect(digits(await shadow('[data-count=rowsTotal]').textContent())).toBe(30);
    expect(digits(await shadow('[data-count=rowsAccepted]').textContent())).toBe(29);
    expect(digits(await shadow('[data-count=rowsRejected]').textContent())).toBe(1);
    expect(digits(await shadow('[data-count="changes.started"]').textContent())).toBe(29);
    expect(await text('[part=result] p.warn')).toBe(sv.impDryRunWarn);
    expect(await shadow('table[part=rejected] tbody').count()).toBe(1);
    expect(await shadow('tbody[data-row="18"] td').allTextContents()).toEqual(['Enhetskod', 'Enheten KKW-X finns inte (2020-01-01).']);
    expect(await text('table[part=changes] caption')).toContain('Visar 1–29 av 29.');
    // The change list as a workbook is made only by a small upload's request: not offered here.
    expect(await shadow('#changes-xlsx').count()).toBe(0);
    expect(await shadow('#background').count()).toBe(0);
    expect((await deepActive(page))?.id).toBe('result-heading');
    await announcedOnce(sv.impQueuedDry);
    await expectNoAxeViolations(page, 'queued dry run result');

    // The commit: the same file, queued too.
    await watch();
    await blur();
    await tabTo(page, (a) => a.id === 'commit', 120);
    await page.keyboard.press('Enter');
    await expect.poll(() => text('[part=result]'), { timeout: 30_000 }).toContain(sv.impCommitDone);
    await announcedOnce(sv.impQueued);
    expect(posted.map((p) => p.query.dryRun)).toEqual(['true', 'false']);
    expect(digits(await shadow('[data-count=rowsTotal]').textContent())).toBe(30);
    expect(digits(await shadow('[data-count=rowsAccepted]').textContent())).toBe(29);
    expect(digits(await shadow('[data-count=rowsRejected]').textContent())).toBe(1);
    expect(digits(await shadow('[data-count="changes.started"]').textContent())).toBe(29);
    expect(digits(await shadow('[data-count="changes.peopleAdded"]').textContent())).toBe(29);
    expect(await shadow('tbody[data-row="18"] td').allTextContents()).toEqual(['Enhetskod', 'Enheten KKW-X finns inte (2020-01-01).']);
    expect((await deepActive(page))?.id).toBe('result-heading');
    await expectNoAxeViolations(page, 'queued commit result');

    // The committed batch's rejected rows, as a workbook.
    const download = page.waitForEvent('download', { timeout: 15_000 });
    await tabTo(page, (a) => a.id === 'rejected');
    await page.keyboard.press('Enter');
    const book = XLSX.read(readFileSync((await (await download).path())!));
    const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(book.Sheets[book.SheetNames[0]]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ 'Rad / Row': 18, Anställningsnummer: '500017', Enhetskod: 'KKW-X' });
  }, 120_000);

  it('stops polling while it is off the page, and goes on to the result when it is back', async () => {
    const polls: number[] = [];
    const onRequest = (req: { url(): string; method(): string }) => {
      if (req.method() === 'GET' && /\/api\/imports\/\d+$/.test(new URL(req.url()).pathname)) polls.push(Date.now());
    };
    page.on('request', onRequest);
    try {
      await mount(page, TAG, { kind: 'roster', mode: 'history' }, token);
      await shadow('#file').setInputFiles({ name: 'personal.csv', mimeType: 'text/csv', buffer: Buffer.from(HISTORY) });
      await shadow('#dry').click();
      await expect.poll(() => text('[role=status]'), { timeout: 15_000 }).toBe(sv.impQueuedDry);
      // Off the page before its first poll (2 s after the 202), for three times that.
      const off = await page.evaluate(() => {
        const el = document.querySelector('kk-import')!;
        (window as any).__parked = el;
        el.remove();
        return Date.now();
      });
      await page.waitForTimeout(6_000);
      expect(polls.filter((t) => t >= off)).toEqual([]);
      const back = await page.evaluate(() => {
        document.querySelector('main')!.append((window as any).__parked);
        return Date.now();
      });
      await expect.poll(() => shadow('[data-count=rowsTotal]').count(), { timeout: 30_000 }).toBe(1);
      expect(polls.filter((t) => t >= off).length).toBeGreaterThan(0);
      expect(polls.filter((t) => t >= off && t < back)).toEqual([]);
      expect(digits(await shadow('[data-count=rowsAccepted]').textContent())).toBe(29);
    } finally {
      page.off('request', onRequest);
    }
  }, 90_000);

  it('shows a completions file moving through its slices, in English, with the live region said once', async () => {
    await mount(page, TAG, { kind: 'completions', lang: 'en' }, token);
    await shadow('#file').setInputFiles({ name: 'lms.csv', mimeType: 'text/csv', buffer: Buffer.from(COMPLETIONS) });
    await shadow('#dry').click();
    await expect.poll(() => shadow('[data-count=rowsTotal]').count(), { timeout: 30_000 }).toBe(1);
    expect(digits(await shadow('[data-count=rowsAccepted]').textContent())).toBe(290);
    expect(digits(await shadow('[data-count=rowsRejected]').textContent())).toBe(10);
    expect(await shadow('table[part=rejected] tbody').count()).toBe(10);

    await watch();
    await blur();
    await tabTo(page, (a) => a.id === 'commit', 120);
    await page.keyboard.press('Enter');
    await expect.poll(() => text('[role=status]'), { timeout: 15_000 }).toBe(en.impQueued);
    expect(await swedishLeft(page, TAG)).toEqual([]);
    await expectNoAxeViolations(page, 'queued commit, English');
    await expect.poll(() => text('[part=result]'), { timeout: 60_000 }).toContain(en.impCommitDone);
    const { bg } = await seen();
    if (process.env.KK_SHOW_POLLS) console.log(bg);
    // 301 records in slices of 2: 151 slices, each a queue message, then the commit.
    const running = bg.filter((t) => /^Part \d+ of 151 done, \d+ rows read\.$/.test(t));
    expect(bg.length, JSON.stringify(bg)).toBeGreaterThan(1);
    expect(running.length + bg.filter((t) => t === 'All 300 rows read. Finishing …').length, JSON.stringify(bg)).toBeGreaterThan(0);
    // The polls saw the slices move forward, never back.
    const done = running.map((t) => Number(/Part (\d+)/.exec(t)![1]));
    expect(done).toEqual([...done].sort((a, b) => a - b));
    await announcedOnce(en.impQueued);
    expect(digits(await shadow('[data-count=rowsTotal]').textContent())).toBe(300);
    expect(digits(await shadow('[data-count=rowsAccepted]').textContent())).toBe(290);
    expect(digits(await shadow('[data-count=rowsRejected]').textContent())).toBe(10);
    expect(digits(await shadow('[data-count="changes.added"]').textContent())).toBe(290);
    // 500017's rows: 18, 48, …, 288 (header = row 1), each with the reason in English.
    expect(await shadow('table[part=rejected] tbody').evaluateAll((b) => b.map((x) => Number(x.getAttribute('data-row'))))).toEqual(
      Array.from({ length: 10 }, (_, k) => 18 + 30 * k),
    );
    expect(await text('tbody[data-row="18"] td.reason')).toMatch(/500017/);
    // The rejected rows' column is the file's own header, Swedish in any language.
    expect((await swedishLeft(page, TAG)).filter((s) => s.text !== 'Anställningsnummer')).toEqual([]);
    await expectNoAxeViolations(page, 'queued completions result, English');
  }, 150_000);

  it('offers the file\'s own columns when the queue refuses a dry run for a missing column (422), and dry-runs again with the choice', async () => {
    await page.evaluate(() => localStorage.clear());
    // The person column under a name no synonym knows. By hand, once mapped: 3 rows, 500017 rejected.
    const csv = ['Personalnummer;Kurs;Status;Datum', '500001;KURS-A;Genomförd;2024-05-01', '500002;KURS-A;Genomförd;2024-05-02', '500017;KURS-A;Genomförd;2024-05-03'].join('\r\n');
    await mount(page, TAG, { kind: 'completions' }, token);
    const from = answered.length;
    await shadow('#file').setInputFiles({ name: 'lms.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await shadow('#dry').click();
    await expect.poll(() => shadow('[role=alert]').count(), { timeout: 30_000 }).toBe(1);
    expect(await text('[role=alert]')).toContain('Anställningsnummer');
    expect(await shadow('[data-count=rowsTotal]').count()).toBe(0);
    expect(await shadow('#map-0 option').allTextContents()).toEqual(['Används inte', 'Anställningsnummer', 'E-postadress']);
    await shadow('#map-0').selectOption('employeeNumber');
    await blur();
    await tabTo(page, (a) => a.id === 'rerun', 60);
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('[data-count=rowsTotal]').count(), { timeout: 30_000 }).toBe(1);
    expect(digits(await shadow('[data-count=rowsTotal]').textContent())).toBe(3);
    expect(digits(await shadow('[data-count=rowsAccepted]').textContent())).toBe(2);
    expect(digits(await shadow('[data-count=rowsRejected]').textContent())).toBe(1);
    expect(await shadow('[role=alert]').count()).toBe(0);
    expect(await page.evaluate(() => localStorage.getItem('kk-import-mapping:completions'))).toBe('{"Personalnummer":"employeeNumber"}');
    // Both went the queued way: the 422 was the consumer's, not a small upload's.
    expect(answered.slice(from)).toEqual([202, 202]);
    await page.evaluate(() => localStorage.clear());
  }, 90_000);

  it('dry-runs a snapshot in the background with its change list and confirmation; a commit the queue refuses (409) asks again with the new number', async () => {
    await mount(page, TAG, { kind: 'roster', mode: 'snapshot', unit: 'KKW', 'as-of': AS_OF }, token);
    await shadow('#file').setInputFiles({ name: 'ogonblick.csv', mimeType: 'text/csv', buffer: Buffer.from(SNAPSHOT) });
    await blur();
    await tabTo(page, (a) => a.id === 'dry');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('#confirm').count(), { timeout: 30_000 }).toBe(1);
    expect(digits(await shadow('[data-count="changes.ended"]').textContent())).toBe(23);
    expect(digits(await shadow('[data-count="changes.moved"]').textContent())).toBe(1);
    expect(digits(await shadow('[data-count="changes.started"]').textContent())).toBe(1);
    expect(await text('label[for=confirm]')).toBe('23 anställningar avslutas — skriv 23 för att bekräfta');
    expect(await shadow('#warnings li').allTextContents()).toEqual(['23 anställningar avslutas av 29 som gäller i förvaltningen.']);
    expect(await text('table[part=changes] caption')).toContain('Visar 1–25 av 25.');
    expect(await shadow('#chg-filter option').allTextContents()).toEqual(['Alla (25)', 'Börjar (1)', 'Slutar (23)', 'Flyttas (1)']);
    const cells = (i: number) => shadow('table[part=changes] tbody tr').nth(i).locator('td').allTextContents().then((c) => c.map((t) => t.replace(/\s+/g, ' ').trim()));
    expect(await cells(0)).toEqual(['Flyttas', '500006', 'Person 500006', 'Enhet A (KKW-A) →till Enhet B (KKW-B)', 'från 2025-11-30']);
    expect(await cells(1)).toEqual(['Börjar', '500100', 'Ny Person', '– →till Enhet A (KKW-A)', 'från 2025-11-30']);
    expect(await shadow('#commit').isDisabled()).toBe(true);
    await expectNoAxeViolations(page, 'queued snapshot dry run');

    // Someone adds three people to KKW-A meanwhile: the same file now ends 23 + 3.
    const added = ['Anställningsnummer;Namn;Enhetskod;Fr.o.m.', ...[31, 32, 33].map((i) => `${500000 + i};Person ${500000 + i};KKW-A;2021-01-01`)].join('\r\n');
    expect(await apiImport('/api/imports/roster?mode=history&dryRun=false', added)).toMatchObject({ changes: { started: 3 } });

    const from = posted.length;
    await shadow('#confirm').focus();
    await page.keyboard.type('23');
    await page.keyboard.press('Enter');
    // The queue consumer refuses it; the element says why and asks for the number it gave.
    await expect.poll(() => shadow('[role=alert]').count(), { timeout: 30_000 }).toBe(1);
    expect(await text('[role=alert]')).toContain('Importen avslutar nu 26 anställningar, inte 23 som bekräftades.');
    expect(await text('label[for=confirm]')).toBe('26 anställningar avslutas — skriv 26 för att bekräfta');
    expect((await deepActive(page))?.id).toBe('confirm');
    expect(await shadow('#commit').isDisabled()).toBe(true);
    await expectNoAxeViolations(page, 'queued commit refused');

    await page.keyboard.press('Control+A');
    await page.keyboard.type('26');
    await page.keyboard.press('Tab');
    expect((await deepActive(page))?.id).toBe('commit');
    await page.keyboard.press('Enter');
    await expect.poll(() => text('[part=result]'), { timeout: 30_000 }).toContain(sv.impCommitDone);
    expect(posted.slice(from).map((p) => p.query)).toEqual([
      { dryRun: 'false', mode: 'snapshot', asOf: AS_OF, scope: 'KKW', confirmEnded: '23' },
      { dryRun: 'false', mode: 'snapshot', asOf: AS_OF, scope: 'KKW', confirmEnded: '26' },
    ]);
    expect(digits(await shadow('[data-count="changes.ended"]').textContent())).toBe(26);
    expect(digits(await shadow('[data-count="changes.moved"]').textContent())).toBe(1);
    expect(digits(await shadow('[data-count="changes.started"]').textContent())).toBe(1);
    expect(await shadow('[role=alert]').count()).toBe(0);

    // As the API has it: the snapshot committed with those figures.
    const list = await (await fetch(`${w.url}/api/imports`, { headers: { authorization: `Bearer ${token}` } })).json();
    // Every upload of this file went the queued way.
    expect(answered).toHaveLength(posted.length);
    expect(answered.every((status) => status === 202)).toBe(true);
    expect(list.imports[0]).toMatchObject({ kind: 'roster', mode: 'snapshot', status: 'committed', rowsTotal: 7, rowsAccepted: 7, changes: { started: 1, ended: 26, moved: 1 } });
  }, 150_000);
});
