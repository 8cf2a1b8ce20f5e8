// Depends on POST /api/imports/* and GET /api/imports/:id/rejected.xlsx (built on another branch):
// the upload tests pass once they are merged.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import * as XLSX from 'xlsx';
import { contractStandIn, type StandIn } from './import-contract-stand-in.ts';
import { deepActive, digits, expectNoAxeViolations, mount, screenshots, startWorld, swedishLeft, tabTo, type World } from './support.ts';

let w: World;
let page: Page;
let token: string;
const TAG = 'kk-import';
const shadow = (sel: string) => page.locator(`${TAG} ${sel}`);

// Two known people, one unknown employee number and one unreadable date: two rows rejected.
const CSV = [
  'Anställningsnummer;Kurs;Status;Datum',
  '100042;VBE-VITMAKT;Genomförd;2025-10-01',
  '100043;VBE-GRUND;Påbörjad;2025-10-02',
  '999999;VBE-GRUND;Genomförd;2025-10-01',
  '100044;VBE-GRUND;Genomförd;inte ett datum',
].join('\r\n');

beforeAll(async () => {
  w = await startWorld({ staff: 200 });
  page = await w.page();
  token = await w.token();
});
afterAll(async () => w?.close());

async function apiDryRun() {
  const form = new FormData();
  form.append('file', new Blob([CSV], { type: 'text/csv' }), 'genomforda.csv');
  const res = await w.h.request('/api/imports/completions?dryRun=true', { token, method: 'POST', body: form });
  expect(res.status).toBe(200);
  return res.json();
}

describe('<kk-import>', () => {
  it('shows kind, mode, date and file, labelled, with no axe violations', async () => {
    await mount(page, TAG, { kind: 'roster', 'as-of': '2025-11-30' }, token);
    expect(await shadow('input[name=kind][value=roster]').isChecked()).toBe(true);
    expect(await shadow('input[name=mode][value=snapshot]').isChecked()).toBe(true);
    expect(await shadow('#asof').inputValue()).toBe('2025-11-30');
    await expectNoAxeViolations(page, 'form');
    await screenshots(page, TAG, 'kk-import');
    // History mode carries its own dates: no list date asked.
    await shadow('input[name=mode][value=history]').check();
    await expect.poll(() => shadow('#asof').count()).toBe(0);
  });

  it('asks for a file in words next to the field', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.id === 'dry');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('#file-error').textContent()).toContain('Välj en fil först.');
    expect((await deepActive(page))?.id).toBe('file');
    await expectNoAxeViolations(page, 'no file');
  });

  it('dry-runs and commits a completions file from the keyboard, with progress, counts and rejected rows as the API gives them', async () => {
    await mount(page, TAG, { kind: 'completions' }, token);
    await shadow('#file').setInputFiles({ name: 'genomforda.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await expect.poll(() => shadow('#drop-hint').textContent()).toContain('genomforda.csv');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.id === 'dry');
    await page.keyboard.press('Enter');
    await expect.poll(() => shadow('[data-count=rowsTotal]').count(), { timeout: 15_000 }).toBe(1);
    const api = await apiDryRun();
    for (const k of ['rowsTotal', 'rowsAccepted', 'rowsRejected']) expect(digits(await shadow(`[data-count=${k}]`).textContent()), k).toBe(api[k]);
    expect(api.rowsRejected).toBe(2);
    expect(await shadow('table[part=rejected] tbody tr').count()).toBe(api.errors.length);
    expect(await shadow('[part=result]').textContent()).toContain('Inget har sparats ännu');
    for (const [k, v] of Object.entries(api.changes as Record<string, number>)) expect(digits(await shadow(`[data-count="changes.${k}"]`).textContent()), k).toBe(v);
    // Focus moved to the result so a keyboard and screen-reader user lands on it.
    expect((await deepActive(page))?.id).toBe('result-heading');
    await expectNoAxeViolations(page, 'dry run');
    await screenshots(page, TAG, 'kk-import-dry-run');

    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.id === 'commit');
    await page.keyboard.press('Space');
    await expect.poll(() => shadow('[part=result]').textContent(), { timeout: 15_000 }).toContain('Importen är genomförd');
    expect(digits(await shadow('[data-count=rowsAccepted]').textContent())).toBe(api.rowsAccepted);
    await expectNoAxeViolations(page, 'committed');
    await screenshots(page, TAG, 'kk-import-committed');
    // A committed batch keeps its rejected rows; they download as a workbook.
    expect(digits(await shadow('[data-count=rowsRejected]').textContent())).toBe(2);
    const rejected = page.waitForEvent('download', { timeout: 10_000 });
    await tabTo(page, (a) => a.id === 'rejected');
    await page.keyboard.press('Enter');
    const file = await rejected;
    expect(readFileSync((await file.path())!).subarray(0, 2).toString()).toBe('PK');

    const me = await w.h.json('/api/me/training?asOf=2025-11-30', await w.token({ employeeNumber: '100042', roles: [] }));
    expect(me.requirements.find((r: any) => r.requirement.code === 'VBE-FORDJ-SOC').status).toBe('completed');
  });

  it('reports upload progress from XHR and processing progress from the ndjson stream', async () => {
    await mount(page, TAG, { kind: 'completions' }, token);
    const big = [CSV.split('\r\n')[0], ...Array.from({ length: 4000 }, (_, i) => `${100001 + (i % 150)};VBE-GRUND;Genomförd;2025-0${1 + (i % 9)}-1${i % 10}`)].join('\r\n');
    await shadow('#file').setInputFiles({ name: 'stor.csv', mimeType: 'text/csv', buffer: Buffer.from(big) });
    await page.evaluate(() => {
      const seen: string[] = ((window as any).__progress = []);
      const root = document.querySelector('kk-import')!.shadowRoot!;
      new MutationObserver(() => {
        const t = root.querySelector('[part=progress]')?.textContent?.replace(/\s+/g, ' ').trim();
        if (t) seen.push(t);
      }).observe(root, { subtree: true, childList: true, characterData: true });
    });
    await shadow('#dry').click();
    await expect.poll(() => shadow('[data-count=rowsTotal]').count(), { timeout: 20_000 }).toBe(1);
    const seen: string[] = await page.evaluate(() => (window as any).__progress);
    expect(seen.some((t) => /Laddar upp: \d+ %/.test(t))).toBe(true);
    expect(seen.some((t) => /Bearbetar/.test(t))).toBe(true);
  });

  it('switches every visible string to English with lang="en"', async () => {
    await mount(page, TAG, { kind: 'roster', lang: 'en' }, token);
    await shadow('#dry').click();
    await expect.poll(() => shadow('#file-error').count()).toBe(1);
    expect(await swedishLeft(page, TAG)).toEqual([]);
    await expectNoAxeViolations(page, 'english');
    await screenshots(page, TAG, 'kk-import-en');
  });
  it('sends its unit as the scope of a staff-list snapshot: a row from another förvaltning is rejected, not counted', async () => {
    await mount(page, TAG, { kind: 'roster', mode: 'snapshot', unit: 'HAV', 'as-of': '2025-11-30' }, token);
    const roster = ['Anställningsnummer;Namn;Enhetskod', '100042;Demo Person;HAV-IFO-VUX', '100043;Annan Person;SKH-AO-HT'].join('\r\n');
    await shadow('#file').setInputFiles({ name: 'personal.csv', mimeType: 'text/csv', buffer: Buffer.from(roster) });
    await shadow('#dry').click();
    await expect.poll(() => shadow('[data-count=rowsRejected]').count(), { timeout: 15_000 }).toBe(1);
    expect(digits(await shadow('[data-count=rowsRejected]').textContent())).toBe(1);
    expect(await shadow('table[part=rejected] tbody tr').count()).toBe(1);
    expect(await shadow('table[part=rejected] tbody tr').textContent()).toContain('3');
  });
});

// ---------------------------------------------------------------------------------------------
// Issue 15: imports that cannot hurt. Driven against contractStandIn (replace with the real server
// after i15-server merges), which answers by the fixed contract; the same flows against the real
// server follow in "against the real server (issue 15)".

/** 39 of HAV's 700 stay, one of them moves to HAV-B, one person is new: 661 end. */
const SNAPSHOT_661 = [
  'Anställningsnummer;Namn;Enhetskod',
  ...Array.from({ length: 39 }, (_, i) => `${300001 + i};Person ${300001 + i};${i === 1 ? 'HAV-B' : 'HAV-A'}`),
  '400001;Ny Person;HAV-A',
].join('\r\n');

describe('<kk-import> by the issue 15 contract (stand-in server)', () => {
  let s: StandIn;
  let sp: Page;
  const el = (sel: string) => sp.locator(`${TAG} ${sel}`);
  const text = async (sel: string) => ((await el(sel).textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const newPage = async (init?: () => void) => {
    const p = await w.browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    p.on('pageerror', (e) => { throw e; });
    if (init) await p.addInitScript(init);
    await p.goto(`${s.base}/blank.html`);
    await p.waitForFunction(() => !!customElements.get('kk-import'));
    return p;
  };
  const snapshot = async (csv: string, attrs: Record<string, string> = {}) => {
    await mount(sp, TAG, { kind: 'roster', mode: 'snapshot', unit: 'HAV', 'as-of': '2025-11-30', ...attrs }, token);
    await el('#file').setInputFiles({ name: 'personal.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await el('#dry').click();
    await expect.poll(() => el('[data-count=rowsTotal]').count(), { timeout: 15_000 }).toBe(1);
  };

  beforeAll(async () => {
    s = await contractStandIn(w);
    sp = await newPage();
  });
  afterEach(() => {
    s.staff = 700;
  });
  afterAll(async () => {
    await sp?.close();
    await s?.close();
  });

  it('offers no commit for a snapshot in which no row was accepted, and says why in words', async () => {
    // The HAV case: every row rejected (unknown units, an unreadable date).
    await snapshot(['Anställningsnummer;Namn;Enhetskod;Fr.o.m.', '300001;A;Vuxenenheten;5/1/2024', '300002;B;Vuxenenheten;2024-01-05'].join('\r\n'));
    expect(s.seen.at(-1)).toMatchObject({ kind: 'roster', query: { dryRun: 'true', mode: 'snapshot', scope: 'HAV', asOf: '2025-11-30' }, ndjson: true });
    expect(await el('#commit').count()).toBe(0);
    expect(await el('#confirm').count()).toBe(0);
    expect(await text('[part=result] p.warn')).toBe('Provkörningen är klar. Filen kan inte genomföras. Inget har sparats ännu.');
    expect(await el('[part=result] p.success').count()).toBe(0);
    const warnings = await el('#warnings li').allTextContents();
    expect(warnings[0]).toContain('ingen rad kunde godkännas');
    expect(warnings.slice(1)).toEqual(['2 rader avvisades och kommer inte med.']);
    // Row 2 has two errors (unit and date), grouped under one row number.
    expect(await el('tbody[data-row="2"] tr').count()).toBe(2);
    expect(await el('tbody[data-row="2"] th[scope=rowgroup]').getAttribute('rowspan')).toBe('2');
    expect(await el('tbody[data-row="3"] tr').count()).toBe(1);
    await expectNoAxeViolations(sp, 'blocked');
    await screenshots(sp, TAG, 'kk-import-blocked');

    // A file with only its header row: blocked too.
    await snapshot('Anställningsnummer;Namn;Enhetskod');
    expect(await el('#commit').count()).toBe(0);
    // Nobody is ended by a file that cannot be committed: no count nor list of who would be.
    expect(await el('#warnings li').allTextContents()).toEqual(['Filen kan inte genomföras: ingen rad kunde godkännas. Inget kommer att sparas. Rätta filen och provkör igen.']);
    expect(await el('[data-count="changes.ended"]').count()).toBe(0);
    expect(await el('table[part=changes]').count()).toBe(0);
    expect(s.seen.filter((x) => x.query.dryRun === 'false')).toEqual([]);
  });

  it('asks for the number of ended employments typed before a commit that ends many, and sends it as confirmEnded', async () => {
    await snapshot(SNAPSHOT_661);
    expect(digits(await el('[data-count="changes.ended"]').textContent())).toBe(661);
    // Not a green "klar": a warning in words.
    expect(await el('[part=result] p.success').count()).toBe(0);
    expect(await text('[part=result] p.warn')).toContain('läs varningarna');
    expect(await el('#warnings li').allTextContents()).toEqual(['661 anställningar avslutas av 700 som gäller i förvaltningen.']);
    // Change counts carry words, never the answer's keys.
    const result = await text('[part=result] dl');
    expect(result).toContain('Nya personer');
    expect(result).not.toMatch(/peopleAdded|peopleUpdated/);
    expect(await text('label[for=confirm]')).toBe('661 anställningar avslutas — skriv 661 för att bekräfta');
    expect(await el('#commit').isDisabled()).toBe(true);
    await expectNoAxeViolations(sp, 'confirm');
    await screenshots(sp, TAG, 'kk-import-confirm');

    // Keyboard only: Tab to the field, a wrong number keeps the button disabled, the right one enables it.
    await sp.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(sp, (a) => a.id === 'confirm', 80);
    await sp.keyboard.type('616');
    expect(await el('#commit').isDisabled()).toBe(true);
    await sp.keyboard.press('Enter');
    expect(await text('#confirm-error')).toBe('Skriv 661 för att bekräfta.');
    expect(await el('#confirm').getAttribute('aria-invalid')).toBe('true');
    expect(s.seen.filter((x) => x.query.dryRun === 'false')).toEqual([]);
    await sp.keyboard.press('Control+A');
    await sp.keyboard.type('661');
    expect(await el('#commit').isDisabled()).toBe(false);
    await sp.keyboard.press('Tab');
    expect((await deepActive(sp))?.id).toBe('commit');
    await sp.keyboard.press('Enter');
    await expect.poll(() => text('[part=result]'), { timeout: 15_000 }).toContain('Importen är genomförd');
    const commits = s.seen.filter((x) => x.query.dryRun === 'false');
    expect(commits).toHaveLength(1);
    expect(commits[0].query).toMatchObject({ confirmEnded: '661', mode: 'snapshot', scope: 'HAV', asOf: '2025-11-30' });
    expect((await deepActive(sp))?.id).toBe('result-heading');
  });

  it('turns a 409 on commit into the confirmation step with the server\'s number (staff changed since the dry run)', async () => {
    await snapshot(SNAPSHOT_661);
    const from = s.seen.length;
    s.staff = 710; // someone else's import added ten people in between
    await sp.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await el('#confirm').fill('661');
    await el('#commit').click();
    await expect.poll(() => el('[role=alert]').count(), { timeout: 15_000 }).toBe(1);
    expect(await text('[role=alert]')).toContain('confirmEnded=671');
    // The dry run stays; the step now asks for the number the server gave.
    expect(await text('label[for=confirm]')).toBe('671 anställningar avslutas — skriv 671 för att bekräfta');
    expect(await el('#commit').isDisabled()).toBe(true);
    expect((await deepActive(sp))?.id).toBe('confirm');
    await el('#confirm').fill('671');
    await el('#commit').click();
    await expect.poll(() => text('[part=result]'), { timeout: 15_000 }).toContain('Importen är genomförd');
    expect(s.seen.slice(from).map((x) => [x.query.dryRun, x.query.confirmEnded])).toEqual([['false', '661'], ['false', '671']]);
  });

  it('lists the changes a page at a time, filters them, and downloads them as a workbook', async () => {
    await snapshot(SNAPSHOT_661);
    const rows = el('table[part=changes] tbody tr');
    expect(await rows.count()).toBe(50);
    expect(await text('table[part=changes] caption')).toContain('Visar 1–50 av 663.');
    expect(await el('table[part=changes] thead th').allTextContents()).toEqual(['Ändring', 'Anställningsnummer', 'Namn', 'Enhet från → till', 'Datum']);
    // Accepted rows first in the stand-in's order: the mover (row 3), the new person, then the ended.
    const cells = (i: number) => rows.nth(i).locator('td').allTextContents().then((c) => c.map((t) => t.replace(/\s+/g, ' ').trim()));
    expect(await cells(0)).toEqual(['Flyttas', '300002', 'Person 300002', 'Enhet A (HAV-A) →till Enhet B (HAV-B)', 'från 2025-11-30']);
    expect(await cells(1)).toEqual(['Börjar', '400001', 'Ny Person', '– →till Enhet A (HAV-A)', 'från 2025-11-30']);
    expect(await cells(2)).toEqual(['Slutar', '300040', 'Person 300040', 'Enhet A (HAV-A) →till –', '2020-01-01 – 2025-11-30']);
    await sp.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(sp, (a) => a.id === 'chg-next', 80);
    await sp.keyboard.press('Enter');
    await expect.poll(() => text('table[part=changes] caption')).toContain('Visar 51–100 av 663.');
    expect(await text('#chg-page')).toBe('Sida 2 av 14');
    expect(await el('#chg-page').getAttribute('aria-live')).toBe('polite');
    for (let i = 0; i < 12; i++) await sp.keyboard.press('Enter');
    await expect.poll(() => text('table[part=changes] caption')).toContain('Visar 651–663 av 663.');
    expect(await rows.count()).toBe(13);
    // The next button is disabled on the last page; focus went to the previous one, not lost.
    expect(await el('#chg-next').isDisabled()).toBe(true);
    expect((await deepActive(sp))?.id).toBe('chg-prev');
    await expectNoAxeViolations(sp, 'changes');

    expect(await el('#chg-filter option').allTextContents()).toEqual(['Alla (663)', 'Börjar (1)', 'Slutar (661)', 'Flyttas (1)']);
    await el('#chg-filter').selectOption('started');
    expect(await rows.count()).toBe(1);
    expect(await text('table[part=changes] tbody tr')).toContain('400001');
    expect(await el('#chg-next').count()).toBe(0);

    const download = sp.waitForEvent('download', { timeout: 10_000 });
    await el('#changes-xlsx').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('andringar.xlsx');
    const book = XLSX.read(readFileSync((await file.path())!));
    const sheet = XLSX.utils.sheet_to_json<Record<string, string>>(book.Sheets[book.SheetNames[0]]);
    expect(sheet).toHaveLength(663);
    expect(sheet.filter((r) => r['Ändring'] === 'ended')).toHaveLength(661);
    expect(s.seen.at(-1)!.query).toMatchObject({ dryRun: 'true', format: 'xlsx', mode: 'snapshot', scope: 'HAV', asOf: '2025-11-30' });
  });

  it('maps an unrecognised column to a field, dry-runs again with it, and remembers it for the next file of the kind', async () => {
    await sp.evaluate(() => localStorage.clear());
    const csv = ['Anställningsnummer;Namn;Enhetskod;Sista dag', ...Array.from({ length: 700 }, (_, i) => `${300001 + i};P;HAV-A;${i < 3 ? '2026-06-30' : ''}`)].join('\r\n');
    await snapshot(csv);
    expect(s.seen.at(-1)!.mapping).toBeNull();
    expect(await el('#commit').isDisabled()).toBe(false); // nothing ends, nothing rejected: a plain commit
    expect(await text('label[for=map-0]')).toBe('Kolumnen ”Sista dag” läses som');
    const options = await el('#map-0 option').allTextContents();
    expect(options[0]).toBe('Används inte');
    expect(options).toContain('Slutdatum');
    expect(options).toHaveLength(1 + 11); // the 14 roster fields less the three taken
    expect(options.join(' ')).not.toMatch(/endDate|employmentType/);
    expect(await el('[data-count="changes.updated"]').textContent()).toBe('0');
    await el('#map-0').selectOption('endDate');
    // The shown dry run was made without the choice: no commit until it runs again.
    expect(await el('#commit').count()).toBe(0);
    expect(await text('#rerun-first')).toContain('Provkör igen');
    await sp.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(sp, (a) => a.id === 'rerun', 80);
    await sp.keyboard.press('Enter');
    await expect.poll(() => s.seen.at(-1)!.mapping).toEqual({ 'Sista dag': 'endDate' });
    await expect.poll(() => el('[data-count="changes.updated"]').textContent(), { timeout: 15_000 }).toBe('3');
    // Still listed, with its choice, so that it can be undone.
    expect(await el('#map-0').inputValue()).toBe('endDate');
    expect(await el('#commit').isDisabled()).toBe(false);
    await expectNoAxeViolations(sp, 'mapping');
    expect(await sp.evaluate(() => localStorage.getItem('kk-import-mapping:roster'))).toBe('{"Sista dag":"endDate"}');

    // The next staff-list file: the choice goes with its first dry run. Other kinds keep their own.
    await snapshot(csv);
    expect(s.seen.at(-1)!.mapping).toEqual({ 'Sista dag': 'endDate' });
    expect(await el('[data-count="changes.updated"]').textContent()).toBe('3');
    await mount(sp, TAG, { kind: 'completions' }, token);
    await el('#file').setInputFiles({ name: 'k.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await el('#dry').click();
    await expect.poll(() => s.seen.at(-1)!.kind).toBe('completions');
    expect(s.seen.at(-1)!.mapping).toBeNull();

    // Undone: "Används inte" drops it from what is sent and what is kept.
    await snapshot(csv);
    await el('#map-0').selectOption('');
    await el('#rerun').click();
    await expect.poll(() => s.seen.at(-1)!.mapping).toBeNull();
    await expect.poll(() => sp.evaluate(() => localStorage.getItem('kk-import-mapping:roster'))).toBeNull();
  });

  it('still maps columns when the page may not use storage', async () => {
    const blocked = await newPage(() => {
      Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('denied', 'SecurityError'); } });
    });
    try {
      await mount(blocked, TAG, { kind: 'roster', mode: 'snapshot', unit: 'HAV', 'as-of': '2025-11-30' }, token);
      const b = (sel: string) => blocked.locator(`${TAG} ${sel}`);
      await b('#file').setInputFiles({ name: 'p.csv', mimeType: 'text/csv', buffer: Buffer.from('Anställningsnummer;Namn;Enhetskod;Sista dag\r\n300001;P;HAV-A;2026-06-30') });
      await b('#dry').click();
      await expect.poll(() => b('#map-0').count(), { timeout: 15_000 }).toBe(1);
      await b('#map-0').selectOption('endDate');
      await b('#rerun').click();
      await expect.poll(() => s.seen.at(-1)!.mapping).toEqual({ 'Sista dag': 'endDate' });
      await expect.poll(() => b('[data-count="changes.updated"]').textContent(), { timeout: 15_000 }).toBe('1');
    } finally {
      await blocked.close();
    }
  });

  it('counts blank and total rows as skipped, not rejected', async () => {
    await snapshot([SNAPSHOT_661, ';;', 'Summa;40;', ''].join('\r\n'));
    expect(digits(await el('[data-count=skippedRows]').textContent())).toBe(3);
    expect(digits(await el('[data-count=rowsRejected]').textContent())).toBe(0);
    expect(await el('dl.counts dt').allTextContents()).toContain('Överhoppade rader (tomma rader och summarader)');
  });

  it('says all of it in English with lang="en"', async () => {
    await snapshot(SNAPSHOT_661.replace('Namn;Enhetskod', 'Namn;Enhetskod;Sista dag').replace(/(HAV-[AB])\r\n/g, '$1;\r\n') + ';', { lang: 'en' });
    expect(await text('label[for=confirm]')).toBe('661 employments end — type 661 to confirm');
    expect(await text('label[for=map-0]')).toBe('Column “Sista dag” is read as');
    expect(await el('#map-0 option').allTextContents()).toContain('End date');
    expect(await swedishLeft(sp, TAG)).toEqual([]);
    await expectNoAxeViolations(sp, 'english issue 15');
    await screenshots(sp, TAG, 'kk-import-confirm-en');
  });
});

// Issue 15 against the real server.
describe('<kk-import> against the real server (issue 15)', () => {
  const AS_OF = '2025-11-30';
  const text = async (sel: string) => ((await shadow(sel).textContent()) ?? '').replace(/\s+/g, ' ').trim();
  async function apiImport(kind: string, query: Record<string, string>, csv: string, mapping?: Record<string, string>) {
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'fil.csv');
    if (mapping) form.append('mapping', JSON.stringify(mapping));
    return w.h.request(`/api/imports/${kind}?${new URLSearchParams(query)}`, { token, method: 'POST', body: form });
  }
  async function drive(attrs: Record<string, string>, csv: string) {
    await mount(page, TAG, attrs, token);
    await shadow('#file').setInputFiles({ name: 'fil.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await shadow('#dry').click();
    await expect.poll(() => shadow('[data-count=rowsTotal]').count(), { timeout: 15_000 }).toBe(1);
  }
  /**
   * HAV's employments active on AS_OF, as the database holds them: the förvaltning's own unit
   * (the demo's förvaltningschef is employed on HAV itself) and every unit under it.
   */
  const havActive = () =>
    w.h.db
      .selectFrom('employment as e')
      .innerJoin('person as p', 'p.id', 'e.person_id')
      .select(['p.employee_number as number', 'p.name', 'e.unit_code as unit'])
      .where((eb) => eb.or([eb('e.unit_code', '=', 'HAV'), eb('e.unit_code', 'like', 'HAV-%')]))
      .where('e.start_date', '<=', AS_OF)
      .where((eb) => eb.or([eb('e.end_date', 'is', null), eb('e.end_date', '>=', AS_OF)]))
      .orderBy('p.employee_number')
      .execute();
  const snapshotQuery = { mode: 'snapshot', scope: 'HAV', asOf: AS_OF, dryRun: 'true' };
  const snapshotAttrs = { kind: 'roster', mode: 'snapshot', unit: 'HAV', 'as-of': AS_OF };

  it('offers no commit for the issue\'s HAV snapshot with every row rejected, nor for a file with only its header', async () => {
    const [someone] = await havActive();
    const csv = ['Anställningsnummer;Namn;Enhetskod', `${someone.number};${someone.name};FINNS-INTE`, '100999;Okänd Person;FINNS-INTE'].join('\r\n');
    const api = await (await apiImport('roster', snapshotQuery, csv)).json();
    expect(api.rowsAccepted).toBe(0);
    expect(api.safety).toMatchObject({ blocked: true });
    expect(api.safety.reasons).toContain('noAcceptedRows');
    expect((await apiImport('roster', { ...snapshotQuery, dryRun: 'false' }, csv)).status).toBe(422);
    await drive(snapshotAttrs, csv);
    expect(await shadow('#commit').count()).toBe(0);
    expect(await shadow('#confirm').count()).toBe(0);
    expect(await shadow('[part=result] p.success').count()).toBe(0);
    expect((await shadow('#warnings li').allTextContents())[0]).toContain('ingen rad kunde godkännas');
    await expectNoAxeViolations(page, 'real blocked');

    await drive(snapshotAttrs, 'Anställningsnummer;Namn;Enhetskod');
    expect(await shadow('#commit').count()).toBe(0);
  });

  it('groups every error of a row under it and counts blank and total rows as skipped', async () => {
    const csv = ['Anställningsnummer;Kurs;Status;Datum', '100042;VBE-GRUND;Genomförd;2025-10-01', ';;;', '100044;VBE-GRUND;Konstig;inte ett datum', 'Summa;;;'].join('\r\n');
    const api = await (await apiImport('completions', { dryRun: 'true' }, csv)).json();
    // By hand: row 3 blank and row 5 a total are skipped; row 4 has a bad status and a bad date.
    expect(api.skippedRows).toBe(2);
    expect(api.rowsRejected).toBe(1);
    expect(api.errors.filter((e: { row: number }) => e.row === 4)).toHaveLength(2);
    await drive({ kind: 'completions' }, csv);
    expect(digits(await shadow('[data-count=skippedRows]').textContent())).toBe(2);
    expect(await shadow('tbody[data-row="4"] tr').count()).toBe(2);
    expect(await shadow('table[part=rejected] tbody').count()).toBe(1);
  });

  it('maps an ignored column to a field no column took, and sends the remembered choice with the next file', async () => {
    await page.evaluate(() => localStorage.clear());
    const csv = ['Anställningsnummer;Kurs;Status;Datum;Mejladress (arbete)', '100042;VBE-GRUND;Genomförd;2025-10-01;'].join('\r\n');
    const before = await (await apiImport('completions', { dryRun: 'true' }, csv)).json();
    expect(before.ignoredColumns).toEqual(['Mejladress (arbete)']);
    expect(before.unmappedFields).toEqual(['email']);
    const after = await (await apiImport('completions', { dryRun: 'true' }, csv, { 'Mejladress (arbete)': 'email' })).json();
    expect(after.ignoredColumns).toEqual([]);
    expect(after.unmappedFields).toEqual([]);

    await drive({ kind: 'completions' }, csv);
    expect(await shadow('#map-0 option').allTextContents()).toEqual(['Används inte', 'E-postadress']);
    await shadow('#map-0').selectOption('email');
    await shadow('#rerun').click();
    await expect.poll(() => page.evaluate(() => localStorage.getItem('kk-import-mapping:completions')), { timeout: 15_000 }).toBe('{"Mejladress (arbete)":"email"}');
    await expect.poll(() => shadow('#commit').count(), { timeout: 15_000 }).toBe(1);
    // Taken now (not in unmappedFields), still listed with its choice.
    expect(await shadow('#map-0').inputValue()).toBe('email');

    // A new element, the same kind: the first dry run already carries the choice.
    await drive({ kind: 'completions' }, csv);
    expect(await shadow('#map-0').inputValue()).toBe('email');
    await page.evaluate(() => localStorage.clear());
  });

  it('lists who a HAV snapshot would end, offers the list as a workbook, and commits only with the number typed', async () => {
    const active = await havActive();
    const keep = active[0];
    const csv = ['Anställningsnummer;Namn;Enhetskod', `${keep.number};${keep.name};${keep.unit}`].join('\r\n');
    const api = await (await apiImport('roster', snapshotQuery, csv)).json();
    const n: number = api.safety.confirmEnded;
    // The file names one of HAV's active employments: every other one ends.
    expect(n).toBe(active.length - 1);
    expect(api.safety.activeInScope).toBe(active.length);
    expect(n).toBe(api.changes.ended);
    expect(n).toBeGreaterThan(api.safety.activeInScope / 10);
    expect(api.safety.reasons).toContain('manyEnded');
    expect(api.changeList.filter((c: { change: string }) => c.change === 'ended')).toHaveLength(n);
    expect((await apiImport('roster', { ...snapshotQuery, dryRun: 'false' }, csv)).status).toBe(409);

    await drive(snapshotAttrs, csv);
    expect(await text('label[for=confirm]')).toBe(`${n} anställningar avslutas — skriv ${n} för att bekräfta`);
    expect(await shadow('table[part=changes] tbody tr').count()).toBe(Math.min(50, api.changeList.length));
    expect(await text('table[part=changes] caption')).toContain(`av ${api.changeList.length}.`);
    expect(await shadow('table[part=changes] tbody tr td').nth(1).textContent()).toBe(api.changeList[0].employeeNumber);
    await expectNoAxeViolations(page, 'real confirm');

    const download = page.waitForEvent('download', { timeout: 10_000 });
    await shadow('#changes-xlsx').click();
    const book = XLSX.read(readFileSync((await (await download).path())!));
    const cells = new Set(book.SheetNames.flatMap((s) => XLSX.utils.sheet_to_json<unknown[]>(book.Sheets[s], { header: 1 }).flat().map(String)));
    for (const c of api.changeList) expect(cells.has(c.employeeNumber), c.employeeNumber).toBe(true);

    expect(await shadow('#commit').isDisabled()).toBe(true);
    await shadow('#confirm').fill(String(n - 1));
    expect(await shadow('#commit').isDisabled()).toBe(true);
    await shadow('#confirm').fill(String(n));
    await shadow('#commit').click();
    await expect.poll(() => text('[part=result]'), { timeout: 15_000 }).toContain('Importen är genomförd');
    expect(await havActive()).toEqual([keep]);
  });
});
