import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { course, load, requirement } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await nodeHarness();
  await load(h.db, {
    units: [
      ['CITY', 'Staden', null, 'stad'],
      ['SOC', 'Socialtjänsten', 'CITY', 'avdelning'],
      ['FSK', 'Förskolan', 'CITY', 'avdelning'],
    ],
    people: [['P1', 'Sara Socialsekreterare'], ['P2', 'Per Pedagog']],
    employments: [
      { p: 'P1', unit: 'SOC', from: '2022-03-01', title: 'Socialsekreterare' },
      { p: 'P2', unit: 'FSK', from: '2021-01-01' },
    ],
    courses: [
      course('GRUND', { title: { sv: 'Grundutbildning', en: 'Basic course' }, url: 'https://lms.example/grund' }),
      course('VITMAKT', { title: { sv: 'Vit makt-miljön', en: 'The white-power movement' } }),
      course('SEMINAR', { title: { sv: 'Seminarium', en: 'Seminar' }, kind: 'seminar' }),
      course('ORO', { title: { sv: 'Oro för radikalisering' }, validityMonths: 24 }),
    ],
    requirements: [
      requirement({ code: 'ALLA', courses: ['GRUND'], scope: ['CITY'], dueDate: '2022-06-30' }),
      requirement({ code: 'FORDJ', courses: ['VITMAKT', 'SEMINAR'], scope: ['SOC'], graceDays: 180 }),
      requirement({ code: 'ORO', courses: ['ORO'], scope: ['CITY'], titles: ['Socialsekreterare'] }),
    ],
    completions: [
      { p: 'P1', course: 'SEMINAR', status: 'completed', at: '2022-05-10' },
      { p: 'P1', course: 'ORO', status: 'completed', at: '2022-08-31' },
      { p: 'P1', course: 'GRUND', status: 'started', at: '2022-07-01T10:15:00' },
    ],
  });
});
afterEach(() => h.close());

describe('my training', () => {
  it('lists the requirements that apply to me with status, due date and validity', async () => {
    const me = await h.json('/api/me/training?asOf=2022-09-01', await h.token('P1'));
    expect(me.person).toEqual({ employeeNumber: 'P1', name: 'Sara Socialsekreterare' });
    expect(me.requirements).toEqual([
      {
        requirement: { code: 'ALLA', title: 'ALLA' },
        course: { code: 'GRUND', title: 'Grundutbildning', url: 'https://lms.example/grund' },
        status: 'started',
        dueDate: '2022-06-30',
        overdue: true,
        occurredAt: '2022-07-01',
        validUntil: null,
      },
      {
        requirement: { code: 'FORDJ', title: 'FORDJ' },
        // Any of the courses satisfies: the one that did is the one shown.
        course: { code: 'SEMINAR', title: 'Seminarium', url: null },
        status: 'completed',
        dueDate: '2022-08-28',
        overdue: false,
        occurredAt: '2022-05-10',
        validUntil: null,
      },
      {
        requirement: { code: 'ORO', title: 'ORO' },
        course: { code: 'ORO', title: 'Oro för radikalisering', url: null },
        status: 'completed',
        dueDate: null,
        overdue: false,
        occurredAt: '2022-08-31',
        // 2022-08-31 + 24 months expires on 2024-08-31: it counts up to the day before.
        validUntil: '2024-08-30',
      },
    ]);
  });

  it('shows course titles in English when asked', async () => {
    const res = await h.request('/api/me/training?asOf=2022-09-01&lang=en', { token: await h.token('P1') });
    const me = await res.json();
    expect(me.requirements.map((r: any) => r.course.title)).toEqual(['Basic course', 'Seminar', 'Oro för radikalisering']);
  });

  it('shows only what applies to me, and nothing before I was hired', async () => {
    const p2 = await h.json('/api/me/training?asOf=2022-09-01', await h.token('P2'));
    expect(p2.requirements.map((r: any) => [r.requirement.code, r.status])).toEqual([['ALLA', 'not_started']]);
    const early = await h.json('/api/me/training?asOf=2022-01-01', await h.token('P1'));
    expect(early.requirements).toEqual([]);
  });

  it('follows a reorganised unit: a requirement reaches me through the parent my unit has on the day', async () => {
    await load(h.db, {
      units: [
        ['OLD', 'Gamla förvaltningen', 'CITY', 'forvaltning', '2000-01-01', '2023-06-30'],
        ['NEW', 'Nya förvaltningen', 'CITY', 'forvaltning', '2023-07-01'],
        ['TEAM', 'Teamet', 'OLD', 'avdelning', '2000-01-01', '2023-06-30'],
        ['TEAM', 'Teamet', 'NEW', 'avdelning', '2023-07-01'],
      ],
      people: [['P3', 'Tea Team']],
      employments: [{ p: 'P3', unit: 'TEAM', from: '2020-01-01' }],
      courses: [course('NYTT')],
      requirements: [requirement({ code: 'NYA', courses: ['NYTT'], scope: ['NEW'] })],
    });
    const on = async (d: string) =>
      (await h.json(`/api/me/training?asOf=${d}`, await h.token('P3'))).requirements.map((r: any) => [r.requirement.code, r.status, r.dueDate]);
    // Under OLD until 2023-06-30: only the city-wide requirement, due on its fixed date.
    expect(await on('2023-06-30')).toEqual([['ALLA', 'not_started', '2022-06-30']]);
    // From 2023-07-01 TEAM sits under NEW, which NYA's scope names.
    expect(await on('2023-07-01')).toEqual([
      ['ALLA', 'not_started', '2022-06-30'],
      ['NYA', 'not_started', null],
    ]);
  });

  it('answers someone on no roster with nothing required', async () => {
    const me = await h.json('/api/me/training', await h.token('BOOTSTRAP', [{ role: 'admin' }]));
    expect(me.person).toEqual({ employeeNumber: 'BOOTSTRAP', name: null });
    expect(me.requirements).toEqual([]);
  });
});
