import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { load } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';

// Courses and requirements: create, read, change, and the 400s that name the bad field.

let h: Harness;
let admin: string;
beforeEach(async () => {
  h = await nodeHarness();
  admin = await h.token('ADMIN', [{ role: 'admin' }]);
  await load(h.db, {
    units: [
      ['CITY', 'Staden', null, 'stad'],
      ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
    ],
  });
});
afterEach(() => h.close());

const send = (method: string, path: string, body: unknown, token = admin) =>
  h.request(path, { method, token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const vbe = {
  code: 'VBE-GRUND',
  title: { sv: 'Webbaserad grundutbildning om våldsbejakande extremism', en: 'Basic course on violent extremism' },
  kind: 'web',
  url: 'https://utbildning.stockholm.se/vbe',
  xapiActivityId: 'https://utbildning.stockholm.se/xapi/vbe',
};

const rek1 = {
  code: 'VBE-ALLA',
  title: 'Alla medarbetare',
  courses: ['VBE-GRUND'],
  scope: ['CITY'],
  effectiveFrom: '2019-06-01',
  dueDate: '2020-12-31',
  graceDays: 90,
  targetRate: 0.7,
  source: 'Stadsrevisionen rek. 1, dnr 3.1.3-91/2019',
  responsible: 'Avdelningschefer',
  followUp: 'VB 2020',
};

describe('courses', () => {
  it('creates, lists, reads and changes a course', async () => {
    const created = await send('POST', '/api/courses', vbe);
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({
      code: 'VBE-GRUND',
      title: { sv: vbe.title.sv, en: vbe.title.en },
      titleEn: vbe.title.en,
      kind: 'web',
      url: vbe.url,
      validityMonths: null,
      xapiActivityId: vbe.xapiActivityId,
      versionNotes: null,
    });
    const changed = await send('PUT', '/api/courses/VBE-GRUND', { ...vbe, validityMonths: 24, versionNotes: 'Version 2026' });
    expect(changed.status).toBe(200);
    expect((await changed.json()).validityMonths).toBe(24);
    const list = await h.json('/api/courses', await h.token('ANYONE'));
    expect(list.courses.map((c: any) => [c.code, c.validityMonths])).toEqual([['VBE-GRUND', 24]]);
  });

  it('refuses a duplicate code (409), an unknown one on PUT (404) and a mismatched code (400)', async () => {
    expect((await send('POST', '/api/courses', vbe)).status).toBe(201);
    expect((await send('POST', '/api/courses', vbe)).status).toBe(409);
    expect((await send('PUT', '/api/courses/NOPE', { ...vbe, code: 'NOPE' })).status).toBe(404);
    expect((await send('PUT', '/api/courses/VBE-GRUND', { ...vbe, code: 'OTHER' })).status).toBe(400);
    const taken = await send('POST', '/api/courses', { ...vbe, code: 'OTHER' });
    expect(taken.status).toBe(409);
    expect((await taken.json()).detail).toContain(vbe.xapiActivityId);
  });

  it('answers a bad body with 400 naming the field in the words of the form, in Swedish', async () => {
    const cases: [unknown, string, string][] = [
      [{ ...vbe, kind: 'video' }, 'kind', 'Typ: ska vara ett av: web, seminar, acknowledgement.'],
      [{ ...vbe, validityMonths: 0 }, 'validityMonths', 'Giltighet i månader: ska vara minst 1.'],
      [{ ...vbe, url: 'not a url' }, 'url', 'Länk till kursen: ska vara en fullständig webbadress (https://…).'],
      [{ ...vbe, code: '' }, 'code', 'Kod: får inte vara tomt.'],
      [{ ...vbe, extra: 1 }, '', 'Innehållet: okända fält: extra.'],
    ];
    for (const [body, field, detail] of cases) {
      const res = await send('POST', '/api/courses', body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const problem = await res.json();
      expect(problem.detail).toBe(detail);
      // The API path stays in `errors` for a form to mark its field.
      expect(problem.errors[0].field).toBe(field);
    }
    const notJson = await h.request('/api/courses', { method: 'POST', token: admin, headers: { 'content-type': 'application/json' }, body: '{"code":' });
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('requirements', () => {
  beforeEach(async () => {
    expect((await send('POST', '/api/courses', vbe)).status).toBe(201);
    expect((await send('POST', '/api/courses', { code: 'VBE-SEM', title: 'Seminarium', kind: 'seminar' })).status).toBe(201);
  });

  it('creates a requirement with its source, responsible and follow-up, and changes it', async () => {
    const res = await send('POST', '/api/requirements', rek1);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      ...rek1,
      titleEn: null,
      employmentTypes: [],
      titles: [],
      effectiveTo: null,
      reminders: null, // no schedule given: no reminders (issue 19)
    });
    const changed = await send('PUT', '/api/requirements/VBE-ALLA', {
      ...rek1,
      courses: ['VBE-SEM', 'VBE-GRUND'],
      employmentTypes: ['tillsvidare'],
      titles: ['Socialsekreterare'],
      targetRate: '0.85',
    });
    expect(changed.status).toBe(200);
    const body = await changed.json();
    // The courses keep the order they were given in: the first is the one offered to staff.
    expect(body.courses).toEqual(['VBE-SEM', 'VBE-GRUND']);
    expect(body.employmentTypes).toEqual(['tillsvidare']);
    expect(body.targetRate).toBe(0.85);
    const list = await h.json('/api/requirements', admin);
    expect(list.requirements).toHaveLength(1);
    const english = await send('PUT', '/api/requirements/VBE-ALLA', { ...rek1, titleEn: 'Basic course for all staff' });
    expect((await english.json()).titleEn).toBe('Basic course for all staff');
    expect((await h.json('/api/requirements/VBE-ALLA', admin)).titleEn).toBe('Basic course for all staff');
  });

  it('takes a course’s English title as titleEn as well as title.en', async () => {
    const res = await send('POST', '/api/courses', { code: 'ORO', title: 'Oro för radikalisering', titleEn: 'Concern about radicalisation', kind: 'web' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ title: { sv: 'Oro för radikalisering', en: 'Concern about radicalisation' }, titleEn: 'Concern about radicalisation' });
  });

  it('refuses unknown courses or units (422), duplicates (409) and bad fields (400)', async () => {
    expect((await send('POST', '/api/requirements', { ...rek1, courses: ['NOPE'] })).status).toBe(422);
    const units = await send('POST', '/api/requirements', { ...rek1, scope: ['MARS'] });
    expect(units.status).toBe(422);
    expect((await units.json()).detail).toContain('MARS');
    expect((await send('POST', '/api/requirements', rek1)).status).toBe(201);
    expect((await send('POST', '/api/requirements', rek1)).status).toBe(409);
    const bad: [unknown, string, string][] = [
      [{ ...rek1, code: 'X', targetRate: 1.5 }, 'targetRate', 'Mål: ska vara en andel från 0 till 1 med högst sex decimaler (85,5 % är 0,855).'],
      [{ ...rek1, code: 'X', effectiveFrom: '2020-02-31' }, 'effectiveFrom', 'Gäller från: ska vara ett datum ÅÅÅÅ-MM-DD.'],
      [{ ...rek1, code: 'X', effectiveTo: '2019-01-01' }, 'effectiveTo', 'Gäller till och med: får inte ligga före Gäller från.'],
      [{ ...rek1, code: 'X', employmentTypes: ['konsult'] }, 'employmentTypes.0', 'Anställningsformer (nummer 1): ska vara ett av: tillsvidare, visstid, timavlonad.'],
      [{ ...rek1, code: 'X', courses: [] }, 'courses', 'Kurser: ska ha minst ett val.'],
      [{ ...rek1, code: 'X', source: undefined }, 'source', 'Beslut eller källa: saknas.'],
      [{ ...rek1, code: 'X', graceDays: -1 }, 'graceDays', 'Dagar efter anställning: ska vara minst 0.'],
    ];
    for (const [body, field, detail] of bad) {
      const res = await send('POST', '/api/requirements', body);
      expect(res.status, field).toBe(400);
      const problem = await res.json();
      expect(problem.detail).toBe(detail);
      expect(problem.errors[0]).toEqual({ field, message: detail.slice(detail.indexOf(': ') + 2).replace(/^./, (c) => c.toUpperCase()) });
    }
    const en = await h.request('/api/requirements?lang=en', {
      method: 'POST', token: admin, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...rek1, code: 'X', effectiveTo: '2019-01-01' }),
    });
    expect((await en.json()).detail).toBe('In force until: must not be before In force from.');
  });

  it('keeps an audit entry for each change', async () => {
    await send('POST', '/api/requirements', rek1);
    await send('PUT', '/api/requirements/VBE-ALLA', { ...rek1, targetRate: 0.9 });
    const entries = await h.db.selectFrom('audit_log').select(['actor', 'kind', 'action']).orderBy('id').execute();
    expect(entries).toEqual([
      { actor: 'ADMIN', kind: 'course', action: 'create' },
      { actor: 'ADMIN', kind: 'course', action: 'create' },
      { actor: 'ADMIN', kind: 'requirement', action: 'create' },
      { actor: 'ADMIN', kind: 'requirement', action: 'update' },
    ]);
  });
});
