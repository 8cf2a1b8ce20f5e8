import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import * as XLSX from 'xlsx';
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

// Issue 15 (imports that cannot hurt) against the real server: the real app on its SQLite file;
// the förvaltningar the figures are worked out on are made through the import API itself.
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
  /** HAV's employments active on AS_OF, as the database holds them. */
  const havActive = () => activeIn('HAV');
  const snapshotQuery = { mode: 'snapshot', scope: 'HAV', asOf: AS_OF, dryRun: 'true' };
  const snapshotAttrs = { kind: 'roster', mode: 'snapshot', unit: 'HAV', 'as-of': AS_OF };

  /** Every import request the page sent, in order: its kind, query and how it asked for the answer. */
  interface Sent {
    kind: string;
    query: Record<string, string>;
    ndjson: boolean;
  }
  const seen: Sent[] = [];
  const record = (p: Page) =>
    p.on('request', (req) => {
      const url = new URL(req.url());
      const m = /^\/api\/imports\/(\w+)$/.exec(url.pathname);
      if (!m || req.method() !== 'POST') return;
      seen.push({ kind: m[1], query: Object.fromEntries(url.searchParams), ndjson: (req.headers().accept ?? '').includes('application/x-ndjson') });
    });
  /**
   * The form field `mapping` of each upload the page sends. Chromium does not hand a multipart
   * body holding a file to the request event, so the page notes the FormData XHR is given.
   */
  function watchMappings() {
    const send = XMLHttpRequest.prototype.send;
    const sent: (string | null)[] = ((window as unknown as { __kkMappings: (string | null)[] }).__kkMappings = []);
    XMLHttpRequest.prototype.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
      if (body instanceof FormData) sent.push((body.get('mapping') as string | null) ?? null);
      return send.call(this, body);
    };
  }
  const lastMapping = (p: Page = page): Promise<Record<string, string> | null> =>
    p.evaluate(() => {
      const m = (window as unknown as { __kkMappings: (string | null)[] }).__kkMappings.at(-1);
      return m ? JSON.parse(m) : null;
    });
  const commitsSince = (from: number) => seen.slice(from).filter((x) => x.query.dryRun === 'false');

  /**
   * A förvaltning of its own for a test, so that figures can be worked out by hand, made through
   * the API as a coordinator would: units `<code>` → `<code>-A` "Enhet A", `<code>-B` "Enhet B";
   * people base+1 … base+60 employed in A since 2020-01-01 (60 active on AS_OF), base+61 whose
   * employment ended 2025-11-29 (the day before AS_OF: no longer active) and base+62 who starts
   * 2025-12-15 (after AS_OF: a snapshot on AS_OF does not speak of them).
   */
  async function forvaltning(code: string, base: number) {
    const units = ['Enhetskod;Namn;Överordnad;Nivå;Giltig fr.o.m.', `${code};Förvaltning ${code};STHLM;förvaltning;2019-01-01`, `${code}-A;Enhet A;${code};enhet;2019-01-01`, `${code}-B;Enhet B;${code};enhet;2019-01-01`];
    expect((await apiImport('units', { dryRun: 'false' }, units.join('\r\n'))).status).toBe(200);
    const staff = [
      'Anställningsnummer;Namn;Enhetskod;Fr.o.m.;T.o.m.',
      ...Array.from({ length: 60 }, (_, i) => `${base + 1 + i};Person ${base + 1 + i};${code}-A;2020-01-01;`),
      `${base + 61};Person ${base + 61};${code}-A;2020-01-01;2025-11-29`,
      `${base + 62};Person ${base + 62};${code}-A;2025-12-15;`,
    ];
    expect((await apiImport('roster', { mode: 'history', dryRun: 'false' }, staff.join('\r\n'))).status).toBe(200);
  }
  /**
   * Its snapshot on AS_OF: base+1 … base+5 stay in A, base+6 moves to B, base+100 "Ny Person" is
   * new in A. By hand: 60 active − 6 named = 54 end (base+7 … base+60), more than a tenth of 60,
   * so the commit needs confirmEnded=54; the change list holds 54 + 1 move + 1 start = 56.
   */
  const snapshotOf = (code: string, base: number) =>
    ['Anställningsnummer;Namn;Enhetskod', ...[1, 2, 3, 4, 5, 6].map((i) => `${base + i};Person ${base + i};${code}-${i === 6 ? 'B' : 'A'}`), `${base + 100};Ny Person;${code}-A`].join('\r\n');
  const attrsOf = (code: string) => ({ kind: 'roster', mode: 'snapshot', unit: code, 'as-of': AS_OF });
  /** The employments of `code` and the units under it active on AS_OF. */
  function activeIn(code: string) {
    return w.h.db
      .selectFrom('employment as e')
      .innerJoin('person as p', 'p.id', 'e.person_id')
      .select(['p.employee_number as number', 'p.name', 'e.unit_code as unit'])
      .where((eb) => eb.or([eb('e.unit_code', '=', code), eb('e.unit_code', 'like', `${code}-%`)]))
      .where('e.start_date', '<=', AS_OF)
      .where((eb) => eb.or([eb('e.end_date', 'is', null), eb('e.end_date', '>=', AS_OF)]))
      .orderBy('p.employee_number')
      .execute();
  }
  /** By hand, after a committed snapshotOf: the five who stay, the one moved, the new one. */
  const afterSnapshot = (code: string, base: number) => [
    ...[1, 2, 3, 4, 5].map((i) => ({ number: String(base + i), name: `Person ${base + i}`, unit: `${code}-A` })),
    { number: String(base + 6), name: `Person ${base + 6}`, unit: `${code}-B` },
    { number: String(base + 100), name: 'Ny Person', unit: `${code}-A` },
  ];

  beforeAll(async () => {
    record(page);
    await page.evaluate(watchMappings);
    await forvaltning('KKA', 310000);
    await forvaltning('KKB', 320000);
    await forvaltning('KKC', 330000);
    await forvaltning('KKD', 340000);
  });

  it('offers no commit for the issue\'s HAV snapshot with every row rejected, nor for a file with only its header', async () => {
    // Every row rejected: an unknown unit on both, and on row 2 a date that does not exist too.
    const csv = ['Anställningsnummer;Namn;Enhetskod;Fr.o.m.', '300001;A;Vuxenenheten;2024-02-30', '300002;B;Vuxenenheten;2024-01-05'].join('\r\n');
    const api = await (await apiImport('roster', snapshotQuery, csv)).json();
    expect(api.rowsAccepted).toBe(0);
    expect(api.safety).toMatchObject({ blocked: true });
    expect(api.safety.reasons).toContain('noAcceptedRows');
    const before = await havActive();
    expect((await apiImport('roster', { ...snapshotQuery, dryRun: 'false' }, csv)).status).toBe(422);
    expect(await havActive()).toEqual(before);

    const from = seen.length;
    await drive(snapshotAttrs, csv);
    expect(seen.slice(from)).toEqual([{ kind: 'roster', query: { dryRun: 'true', mode: 'snapshot', scope: 'HAV', asOf: AS_OF }, ndjson: true }]);
    expect(await shadow('#commit').count()).toBe(0);
    expect(await shadow('#confirm').count()).toBe(0);
    expect(await text('[part=result] p.warn')).toBe('Provkörningen är klar. Filen kan inte genomföras. Inget har sparats ännu.');
    expect(await shadow('[part=result] p.success').count()).toBe(0);
    expect(await shadow('#warnings li').allTextContents()).toEqual([
      'Filen kan inte genomföras: ingen rad kunde godkännas. Inget kommer att sparas. Rätta filen och provkör igen.',
      '2 rader avvisades och kommer inte med.',
    ]);
    // Row 2 has two errors (date and unit), grouped under one row number; row 3 one.
    expect(await shadow('tbody[data-row="2"] tr').count()).toBe(2);
    expect(await shadow('tbody[data-row="2"] th[scope=rowgroup]').getAttribute('rowspan')).toBe('2');
    expect(await shadow('tbody[data-row="3"] tr').count()).toBe(1);
    await expectNoAxeViolations(page, 'blocked');
    await screenshots(page, TAG, 'kk-import-blocked');

    // A file with only its header row: blocked too, and nobody is listed as ended by it.
    await drive(snapshotAttrs, 'Anställningsnummer;Namn;Enhetskod');
    expect(await shadow('#commit').count()).toBe(0);
    expect(await shadow('#warnings li').allTextContents()).toEqual(['Filen kan inte genomföras: ingen rad kunde godkännas. Inget kommer att sparas. Rätta filen och provkör igen.']);
    expect(await shadow('[data-count="changes.ended"]').count()).toBe(0);
    expect(await shadow('table[part=changes]').count()).toBe(0);
    await expectNoAxeViolations(page, 'header only');
    expect(commitsSince(from)).toEqual([]);
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

  it('asks for the number of ended employments typed before a commit that ends many, and sends it as confirmEnded', async () => {
    await drive(attrsOf('KKA'), snapshotOf('KKA', 310000));
    expect(digits(await shadow('[data-count="changes.ended"]').textContent())).toBe(54);
    // Not a green "klar": a warning in words.
    expect(await shadow('[part=result] p.success').count()).toBe(0);
    expect(await text('[part=result] p.warn')).toContain('läs varningarna');
    expect(await shadow('#warnings li').allTextContents()).toEqual(['54 anställningar avslutas av 60 som gäller i förvaltningen.']);
    // Change counts carry words, never the answer's keys.
    const result = await text('[part=result] dl');
    expect(result).toContain('Nya personer');
    expect(result).not.toMatch(/peopleAdded|peopleUpdated/);
    expect(await text('label[for=confirm]')).toBe('54 anställningar avslutas — skriv 54 för att bekräfta');
    expect(await shadow('#commit').isDisabled()).toBe(true);
    await expectNoAxeViolations(page, 'confirm');
    await screenshots(page, TAG, 'kk-import-confirm');

    // Keyboard only: Tab to the field, a wrong number keeps the button disabled, the right one enables it.
    const from = seen.length;
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.id === 'confirm', 120);
    await page.keyboard.type('45');
    expect(await shadow('#commit').isDisabled()).toBe(true);
    await page.keyboard.press('Enter');
    expect(await text('#confirm-error')).toBe('Skriv 54 för att bekräfta.');
    expect(await shadow('#confirm').getAttribute('aria-invalid')).toBe('true');
    expect(commitsSince(from)).toEqual([]);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('54');
    expect(await shadow('#commit').isDisabled()).toBe(false);
    await page.keyboard.press('Tab');
    expect((await deepActive(page))?.id).toBe('commit');
    await page.keyboard.press('Enter');
    await expect.poll(() => text('[part=result]'), { timeout: 15_000 }).toContain('Importen är genomförd');
    const commits = commitsSince(from);
    expect(commits).toHaveLength(1);
    expect(commits[0].query).toMatchObject({ confirmEnded: '54', mode: 'snapshot', scope: 'KKA', asOf: AS_OF });
    expect((await deepActive(page))?.id).toBe('result-heading');
    expect(await activeIn('KKA')).toEqual(afterSnapshot('KKA', 310000));
  });

  it('turns a 409 on commit into the confirmation step with the server\'s number (staff added since the dry run)', async () => {
    await drive(attrsOf('KKB'), snapshotOf('KKB', 320000));
    expect(await text('label[for=confirm]')).toBe('54 anställningar avslutas — skriv 54 för att bekräfta');
    const from = seen.length;
    // Someone else's import adds three people to KKB-A in between: the same file now ends 54 + 3.
    const added = ['Anställningsnummer;Namn;Enhetskod;Fr.o.m.', ...[63, 64, 65].map((i) => `${320000 + i};Person ${320000 + i};KKB-A;2021-01-01`)];
    expect((await apiImport('roster', { mode: 'history', dryRun: 'false' }, added.join('\r\n'))).status).toBe(200);
    await shadow('#confirm').fill('54');
    await shadow('#commit').click();
    await expect.poll(() => shadow('[role=alert]').count(), { timeout: 15_000 }).toBe(1);
    expect(await text('[role=alert]')).toContain('Importen avslutar nu 57 anställningar, inte 54 som bekräftades.');
    // The dry run stays; the step now asks for the number the server gave, and focus is on it.
    expect(await text('label[for=confirm]')).toBe('57 anställningar avslutas — skriv 57 för att bekräfta');
    expect(await shadow('#commit').isDisabled()).toBe(true);
    expect((await deepActive(page))?.id).toBe('confirm');
    expect(await activeIn('KKB')).toHaveLength(63); // nothing written by the refused commit
    await expectNoAxeViolations(page, 'conflict');
    await shadow('#confirm').fill('57');
    await shadow('#commit').click();
    await expect.poll(() => text('[part=result]'), { timeout: 15_000 }).toContain('Importen är genomförd');
    expect(commitsSince(from).map((x) => x.query.confirmEnded)).toEqual(['54', '57']);
    expect(await activeIn('KKB')).toEqual(afterSnapshot('KKB', 320000));
  });

  it('lists the changes a page at a time, filters them, and downloads them as a workbook', async () => {
    await drive(attrsOf('KKC'), snapshotOf('KKC', 330000));
    const rows = shadow('table[part=changes] tbody tr');
    expect(await rows.count()).toBe(50);
    expect(await text('table[part=changes] caption')).toContain('Visar 1–50 av 56.');
    expect(await shadow('table[part=changes] thead th').allTextContents()).toEqual(['Ändring', 'Anställningsnummer', 'Namn', 'Enhet från → till', 'Datum']);
    // The file's rows first (the mover on row 7, the new person on row 8), then those who end, by hand.
    const cells = (i: number) => rows.nth(i).locator('td').allTextContents().then((c) => c.map((t) => t.replace(/\s+/g, ' ').trim()));
    expect(await cells(0)).toEqual(['Flyttas', '330006', 'Person 330006', 'Enhet A (KKC-A) →till Enhet B (KKC-B)', 'från 2025-11-30']);
    expect(await cells(1)).toEqual(['Börjar', '330100', 'Ny Person', '– →till Enhet A (KKC-A)', 'från 2025-11-30']);
    // Ended the day before the list's date.
    expect(await cells(2)).toEqual(['Slutar', '330007', 'Person 330007', 'Enhet A (KKC-A) →till –', '2020-01-01 – 2025-11-29']);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.id === 'chg-next', 120);
    await page.keyboard.press('Enter');
    await expect.poll(() => text('table[part=changes] caption')).toContain('Visar 51–56 av 56.');
    expect(await text('#chg-page')).toBe('Sida 2 av 2');
    expect(await shadow('#chg-page').getAttribute('aria-live')).toBe('polite');
    expect(await rows.count()).toBe(6);
    expect(await cells(5)).toEqual(['Slutar', '330060', 'Person 330060', 'Enhet A (KKC-A) →till –', '2020-01-01 – 2025-11-29']);
    // The next button is disabled on the last page; focus went to the previous one, not lost.
    expect(await shadow('#chg-next').isDisabled()).toBe(true);
    expect((await deepActive(page))?.id).toBe('chg-prev');
    await expectNoAxeViolations(page, 'changes');

    expect(await shadow('#chg-filter option').allTextContents()).toEqual(['Alla (56)', 'Börjar (1)', 'Slutar (54)', 'Flyttas (1)']);
    await shadow('#chg-filter').selectOption('started');
    expect(await rows.count()).toBe(1);
    expect(await text('table[part=changes] tbody tr')).toContain('330100');
    expect(await shadow('#chg-next').count()).toBe(0);

    const download = page.waitForEvent('download', { timeout: 10_000 });
    await shadow('#changes-xlsx').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('andringar-2025-11-30.xlsx');
    expect(seen.at(-1)!.query).toMatchObject({ dryRun: 'true', format: 'xlsx', mode: 'snapshot', scope: 'KKC', asOf: AS_OF });
    const book = XLSX.read(readFileSync((await file.path())!));
    expect(book.SheetNames).toEqual(['Ändringar']);
    const sheet = XLSX.utils.sheet_to_json<Record<string, string>>(book.Sheets['Ändringar'], { raw: false, dateNF: 'yyyy-mm-dd' });
    expect(sheet).toHaveLength(56);
    const ended = sheet.filter((r) => r['Ändring'] === 'Avslutas');
    expect(ended.map((r) => r['Anställningsnummer'])).toEqual(Array.from({ length: 54 }, (_, i) => String(330007 + i)));
    expect(sheet.filter((r) => r['Ändring'] === 'Flyttar')).toMatchObject([{ Anställningsnummer: '330006', 'Från enhet': 'Enhet A (KKC-A)', 'Till enhet': 'Enhet B (KKC-B)' }]);
    expect(sheet.filter((r) => r['Ändring'] === 'Börjar')).toMatchObject([{ Anställningsnummer: '330100', Namn: 'Ny Person', 'Till enhet': 'Enhet A (KKC-A)' }]);
    // Nothing was committed by looking.
    expect(await activeIn('KKC')).toHaveLength(60);
  });

  it('counts blank and total rows of a staff list as skipped, not rejected', async () => {
    // By hand: the seven rows of the snapshot, then a blank row and a total row.
    await drive(attrsOf('KKC'), [snapshotOf('KKC', 330000), ';;', 'Summa;7;'].join('\r\n'));
    expect(digits(await shadow('[data-count=skippedRows]').textContent())).toBe(2);
    expect(digits(await shadow('[data-count=rowsRejected]').textContent())).toBe(0);
    expect(digits(await shadow('[data-count="changes.ended"]').textContent())).toBe(54);
    expect(await shadow('dl.counts dt').allTextContents()).toContain('Överhoppade rader (tomma rader och summarader)');
  });

  it('maps an unrecognised column to a field, dry-runs again with it, and remembers it for the next file of the kind', async () => {
    await page.evaluate(() => localStorage.clear());
    // All 60 of KKD named where they are; three of them carry an end date in a column no synonym knows.
    const csv = ['Anställningsnummer;Namn;Enhetskod;Sista dag', ...Array.from({ length: 60 }, (_, i) => `${340001 + i};Person ${340001 + i};KKD-A;${i < 3 ? '2026-06-30' : ''}`)].join('\r\n');
    await drive(attrsOf('KKD'), csv);
    expect(await lastMapping()).toBeNull();
    expect(await shadow('#confirm').count()).toBe(0);
    expect(await shadow('#commit').isDisabled()).toBe(false); // nothing ends, nothing rejected: a plain commit
    expect(await text('label[for=map-0]')).toBe('Kolumnen ”Sista dag” läses som');
    const options = await shadow('#map-0 option').allTextContents();
    expect(options[0]).toBe('Används inte');
    expect(options).toContain('Slutdatum');
    expect(options).toHaveLength(1 + 11); // the 14 staff-list fields less the three taken
    expect(options.join(' ')).not.toMatch(/endDate|employmentType/);
    expect(await shadow('[data-count="changes.updated"]').textContent()).toBe('0');
    await shadow('#map-0').selectOption('endDate');
    // The shown dry run was made without the choice: no commit until it runs again.
    expect(await shadow('#commit').count()).toBe(0);
    expect(await text('#rerun-first')).toContain('Provkör igen');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, (a) => a.id === 'rerun', 120);
    await page.keyboard.press('Enter');
    await expect.poll(() => lastMapping()).toEqual({ 'Sista dag': 'endDate' });
    // By hand: the three end dates are read now, each a change to a held employment.
    await expect.poll(() => shadow('[data-count="changes.updated"]').textContent(), { timeout: 15_000 }).toBe('3');
    // Still listed, with its choice, so that it can be undone.
    expect(await shadow('#map-0').inputValue()).toBe('endDate');
    expect(await shadow('#commit').isDisabled()).toBe(false);
    await expectNoAxeViolations(page, 'mapping');
    expect(await page.evaluate(() => localStorage.getItem('kk-import-mapping:roster'))).toBe('{"Sista dag":"endDate"}');

    // The next staff-list file: the choice goes with its first dry run. Other kinds keep their own.
    await drive(attrsOf('KKD'), csv);
    expect(await lastMapping()).toEqual({ 'Sista dag': 'endDate' });
    expect(await shadow('[data-count="changes.updated"]').textContent()).toBe('3');
    await drive({ kind: 'completions' }, CSV);
    expect(seen.at(-1)!.kind).toBe('completions');
    expect(await lastMapping()).toBeNull();

    // Undone: "Används inte" drops it from what is sent and what is kept.
    await drive(attrsOf('KKD'), csv);
    await shadow('#map-0').selectOption('');
    await shadow('#rerun').click();
    await expect.poll(() => lastMapping()).toBeNull();
    await expect.poll(() => shadow('[data-count="changes.updated"]').textContent(), { timeout: 15_000 }).toBe('0');
    expect(await page.evaluate(() => localStorage.getItem('kk-import-mapping:roster'))).toBeNull();
  });

  it('still maps columns when the page may not use storage', async () => {
    const blocked = await w.browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await blocked.addInitScript(() => {
        Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('denied', 'SecurityError'); } });
      });
      await blocked.addInitScript(watchMappings);
      await blocked.goto(`${w.base}/blank.html`);
      await blocked.waitForFunction(() => !!customElements.get('kk-import'));
      expect(await blocked.evaluate(() => { try { return typeof localStorage; } catch { return 'blocked'; } })).toBe('blocked');
      await mount(blocked, TAG, attrsOf('KKD'), token);
      const b = (sel: string) => blocked.locator(`${TAG} ${sel}`);
      await b('#file').setInputFiles({ name: 'p.csv', mimeType: 'text/csv', buffer: Buffer.from('Anställningsnummer;Namn;Enhetskod;Sista dag\r\n340001;Person 340001;KKD-A;2026-06-30') });
      await b('#dry').click();
      await expect.poll(() => b('#map-0').count(), { timeout: 15_000 }).toBe(1);
      await b('#map-0').selectOption('endDate');
      await b('#rerun').click();
      await expect.poll(() => lastMapping(blocked)).toEqual({ 'Sista dag': 'endDate' });
      // By hand: one row, one end date read.
      await expect.poll(() => b('[data-count="changes.updated"]').textContent(), { timeout: 15_000 }).toBe('1');
      // Not remembering it is no error to show: the dry run stands, with its choice and the next step.
      expect(await b('[role=alert]').count()).toBe(0);
      expect(await b('#map-0').inputValue()).toBe('endDate');
      // By hand: 60 active in KKD, one named, 59 end.
      expect(await b('label[for=confirm]').textContent()).toContain('59 anställningar avslutas');
    } finally {
      await blocked.close();
    }
  });

  it('says all of the confirmation and the mapping in English with lang="en"', async () => {
    const csv = snapshotOf('KKC', 330000).replace('Namn;Enhetskod', 'Namn;Enhetskod;Sista dag').replace(/(KKC-[AB])(\r\n|$)/g, '$1;$2');
    await drive({ ...attrsOf('KKC'), lang: 'en' }, csv);
    expect(await text('label[for=confirm]')).toBe('54 employments end — type 54 to confirm');
    expect(await shadow('#warnings li').allTextContents()).toEqual(['54 employments end, of 60 current in the administration.']);
    expect(await text('label[for=map-0]')).toBe('Column “Sista dag” is read as');
    expect(await shadow('#map-0 option').allTextContents()).toContain('End date');
    expect(await text('table[part=changes] caption')).toContain('Showing 1–50 of 56.');
    expect(await swedishLeft(page, TAG)).toEqual([]);
    await expectNoAxeViolations(page, 'english issue 15');
    await screenshots(page, TAG, 'kk-import-confirm-en');
  });
});
