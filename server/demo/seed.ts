import type { Insertable } from 'kysely';
import type { CompletionTable, Db, EmploymentTable, EmploymentType, NewOrgUnit } from '../db/schema.ts';
import { addDays } from '../domain/calendar.ts';
import { rng } from './rng.ts';
import { createCourse } from '../domain/courses.ts';
import { insertCompletions, insertEmployments, insertPeople, insertUnits } from '../domain/records.ts';
import { saveRequirement } from '../domain/requirements.ts';

/**
 * A small, seeded city for `npm start`: four stadsdelsförvaltningar (two of them merged into
 * Hägersten-Älvsjö on 2020-01-01) and Socialförvaltningen, ~2 000 staff hired, leaving and moving
 * over 2018–2025, the VBE programme and a course that expires after 24 months.
 */

export interface DemoUser {
  persona: 'staff' | 'manager' | 'coordinator' | 'auditor' | 'admin';
  employeeNumber: string;
  roles: { role: 'admin' | 'coordinator' | 'auditor' | 'manager'; unit: string | null }[];
}

/**
 * Whom the demo page can act as. It opens as the coordinator with admin rights (docs/api.md, "Sign-in"); the
 * manager is whoever the roster marks as chef of Hägersten-Älvsjö's individ- och familjeomsorg.
 */
export async function demoUsers(db: Db, today: string): Promise<DemoUser[]> {
  const chef = await db
    .selectFrom('employment as e')
    .innerJoin('person as p', 'p.id', 'e.person_id')
    .select('p.employee_number')
    .where('e.unit_code', '=', 'HAV-IFO')
    .where('e.is_manager', '=', 1)
    .where('e.start_date', '<=', today)
    .where((eb) => eb.or([eb('e.end_date', 'is', null), eb('e.end_date', '>=', today)]))
    .executeTakeFirst();
  return [
    { persona: 'coordinator', employeeNumber: '100007', roles: [{ role: 'coordinator', unit: 'HAV' }, { role: 'admin', unit: null }] },
    { persona: 'staff', employeeNumber: '100042', roles: [] },
    { persona: 'manager', employeeNumber: chef?.employee_number ?? '100001', roles: [] },
    { persona: 'auditor', employeeNumber: 'REV001', roles: [{ role: 'auditor', unit: null }] },
    { persona: 'admin', employeeNumber: 'ADM001', roles: [{ role: 'admin', unit: null }] },
  ];
}


const FIRST = ['Anna', 'Erik', 'Maria', 'Lars', 'Karin', 'Anders', 'Eva', 'Johan', 'Sara', 'Mikael', 'Fatima', 'Ahmed', 'Elin', 'Oskar', 'Leila', 'Per', 'Ingrid', 'Mohammed', 'Sofia', 'Nils', 'Amira', 'Gustav', 'Hanna', 'Ali', 'Linnéa', 'Björn', 'Åsa', 'Jonas', 'Emma', 'Hassan', 'Ylva', 'Dragan', 'Kristina', 'Pär', 'Zeynep', 'Olof'];
const LAST = ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson', 'Pettersson', 'Jonsson', 'Hassan', 'Ali', 'Lindqvist', 'Berg', 'Lindberg', 'Holm', 'Öberg', 'Åkesson', 'Yilmaz', 'Nordström', 'Sandberg', 'Ekström', 'Mohammadi', 'Jovanović', 'Lundgren', 'Wallin', 'Björk', 'Engström'];

interface DemoUnit {
  code: string;
  name: string;
  parent: string | null;
  kind: NewOrgUnit['kind'];
  from?: string;
  to?: string;
  social?: boolean;
  /** The share of staff who take the basic course: some units lag far behind. */
  uptake?: number;
}

const CITY_START = '2000-01-01';
const MERGER = '2020-01-01';

function departments(prefix: string, name: string, extra: Partial<DemoUnit> = {}): DemoUnit[] {
  const sdf = `${prefix}`;
  const u = (code: string, n: string, parent: string, kind: DemoUnit['kind'], more: Partial<DemoUnit> = {}): DemoUnit => ({
    code,
    name: n,
    parent,
    kind,
    ...extra,
    ...more,
  });
  return [
    u(sdf, `${name} stadsdelsförvaltning`, 'STHLM', 'forvaltning'),
    u(`${sdf}-IFO`, 'Avdelningen för individ- och familjeomsorg', sdf, 'avdelning', { social: true }),
    u(`${sdf}-IFO-VUX`, 'Vuxenenheten', `${sdf}-IFO`, 'enhet', { social: true }),
    u(`${sdf}-IFO-BOU`, 'Barn och ungdom', `${sdf}-IFO`, 'enhet', { social: true }),
    u(`${sdf}-IFO-MOT`, 'Mottagningsenheten', `${sdf}-IFO`, 'enhet', { social: true }),
    u(`${sdf}-FSK`, 'Avdelningen för förskola', sdf, 'avdelning'),
    u(`${sdf}-FSK-N`, 'Förskoleområde Norr', `${sdf}-FSK`, 'enhet'),
    u(`${sdf}-FSK-S`, 'Förskoleområde Söder', `${sdf}-FSK`, 'enhet'),
    u(`${sdf}-AO`, 'Avdelningen för äldreomsorg', sdf, 'avdelning'),
    u(`${sdf}-AO-HT`, 'Hemtjänsten', `${sdf}-AO`, 'enhet'),
    u(`${sdf}-AO-VB`, 'Vård- och omsorgsboende', `${sdf}-AO`, 'enhet'),
    u(`${sdf}-SOS`, 'Avdelningen för samhälle och service', sdf, 'avdelning'),
    u(`${sdf}-SOS-FRI`, 'Fritid och kultur', `${sdf}-SOS`, 'enhet'),
    u(`${sdf}-SOS-BRO`, 'Brottsförebyggande och trygghet', `${sdf}-SOS`, 'enhet'),
  ];
}

function demoUnits(): DemoUnit[] {
  const old = { to: '2019-12-31' };
  const merged = { from: MERGER };
  return [
    { code: 'STHLM', name: 'Stockholms stad', parent: null, kind: 'stad' },
    ...departments('HL', 'Hägersten-Liljeholmens', old),
    ...departments('ALV', 'Älvsjö', old),
    ...departments('HAV', 'Hägersten-Älvsjö', merged),
    ...departments('HV', 'Hässelby-Vällingby'),
    ...departments('SKH', 'Skärholmens'),
    { code: 'SOF', name: 'Socialförvaltningen', parent: 'STHLM', kind: 'forvaltning' },
    { code: 'SOF-SOC', name: 'Avdelningen för stöd och socialt skydd', parent: 'SOF', kind: 'avdelning', social: true },
    { code: 'SOF-SOC-SJ', name: 'Socialjouren', parent: 'SOF-SOC', kind: 'enhet', social: true },
    { code: 'SOF-SOC-UF', name: 'Uppsökarenheten', parent: 'SOF-SOC', kind: 'enhet', social: true },
    { code: 'SOF-KS', name: 'Avdelningen för kommunikation och stab', parent: 'SOF', kind: 'avdelning' },
    { code: 'SOF-KS-KOM', name: 'Kommunikationsenheten', parent: 'SOF-KS', kind: 'enhet' },
  ];
}

const TITLES: Record<string, string[]> = {
  IFO: ['Socialsekreterare', 'Socialsekreterare', 'Familjebehandlare', 'Handläggare', 'Biståndshandläggare'],
  FSK: ['Förskollärare', 'Barnskötare', 'Barnskötare', 'Pedagog'],
  AO: ['Undersköterska', 'Undersköterska', 'Vårdbiträde', 'Sjuksköterska'],
  SOS: ['Fritidsledare', 'Handläggare', 'Samordnare', 'Utvecklingsledare'],
  SOC: ['Socialsekreterare', 'Fältassistent', 'Handläggare'],
  KS: ['Kommunikatör', 'Utredare', 'Handläggare'],
};

function titleFor(unitCode: string, r: () => number): string {
  const key = Object.keys(TITLES).find((k) => unitCode.includes(`-${k}`)) ?? 'SOS';
  const list = TITLES[key];
  return list[Math.floor(r() * list.length)];
}

function randomDate(r: () => number, from: string, to: string): string {
  const a = Date.parse(from);
  const b = Date.parse(to);
  return new Date(a + Math.floor(r() * ((b - a) / 86_400_000 + 1)) * 86_400_000).toISOString().slice(0, 10);
}

/** For the units merged away, the unit its staff moved to on the merger date. */
function successor(code: string): string | null {
  if (code.startsWith('HL') || code.startsWith('ALV')) return code.replace(/^(HL|ALV)/, 'HAV');
  return null;
}

/** Seeds the demo city into an empty database; does nothing when any unit exists. */
export async function seedDemo(db: Db, opts: { staff?: number; seed?: number; today?: string } = {}): Promise<boolean> {
  const existing = await db.selectFrom('org_unit').select('id').limit(1).executeTakeFirst();
  if (existing) return false;
  const r = rng(opts.seed ?? 20191231);
  const staffCount = opts.staff ?? 2000;
  const today = opts.today ?? '2025-11-30';
  const now = new Date().toISOString();
  const units = demoUnits();
  const byCode = new Map(units.map((u) => [u.code, u]));

  await db.transaction().execute(async (tx) => {
    await insertUnits(
      tx,
      units.map((u) => ({
        code: u.code,
        name: u.name,
        parent_code: u.parent,
        kind: u.kind,
        valid_from: u.from ?? CITY_START,
        valid_to: u.to ?? null,
        import_batch_id: null,
      })),
    );

    // Staff work in enheter; a unit's uptake of the basic course is drawn once so some lag behind.
    const enheter = units.filter((u) => u.kind === 'enhet');
    for (const u of enheter) u.uptake = 0.25 + r() * 0.7;
    byCode.get('SKH-AO-HT')!.uptake = 0.18;
    byCode.get('HAV-FSK-S')!.uptake = 0.3;
    byCode.get('HV-IFO-VUX')!.uptake = 0.97;

    const people: { employee_number: string; name: string; email: string }[] = [];
    const employments: Insertable<EmploymentTable>[] = [];
    const home: { unit: string; start: string; end: string | null; type: EmploymentType }[] = [];
    for (let i = 0; i < staffCount; i++) {
      const employeeNumber = String(100001 + i);
      const first = FIRST[Math.floor(r() * FIRST.length)];
      const last = LAST[Math.floor(r() * LAST.length)];
      people.push({
        employee_number: employeeNumber,
        name: `${first} ${last}`,
        email: `${first}.${last}.${i}@demo.stockholm.se`.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, ''),
      });
      const p = r();
      const type: EmploymentType = p < 0.78 ? 'tillsvidare' : p < 0.93 ? 'visstid' : 'timavlonad';
      // A third were there before 2018; the rest were hired over 2018–2025.
      const start = r() < 0.35 ? randomDate(r, '2008-01-01', '2017-12-31') : randomDate(r, '2018-01-01', '2025-10-31');
      const leaves = r() < 0.22;
      const end = leaves ? randomDate(r, start > '2018-06-01' ? start : '2018-06-01', '2025-11-15') : null;
      let candidates = enheter.filter((u) => (u.from ?? CITY_START) <= start && (!u.to || u.to >= start));
      if (!candidates.length) candidates = enheter.filter((u) => !u.to);
      const unit = candidates[Math.floor(r() * candidates.length)];
      home.push({ unit: unit.code, start, end: end && end < start ? start : end, type });
    }

    // The demo coordinator and the demo staff member work in Hägersten-Älvsjö from 2021.
    home[6] = { unit: 'HAV-SOS-BRO', start: '2021-03-01', end: null, type: 'tillsvidare' };
    home[41] = { unit: 'HAV-IFO-VUX', start: '2023-09-01', end: null, type: 'tillsvidare' };

    const ids = await insertPeople(tx, people.map((p) => ({ ...p, anonymised_at: null })));
    const personIds: number[] = people.map((p) => ids.get(p.employee_number)!);

    home.forEach((h, i) => {
      const personId = personIds[i];
      const title = titleFor(h.unit, r);
      const base = { person_id: personId, title, employment_type: h.type, is_manager: 0, import_batch_id: null };
      const next = successor(h.unit);
      const stillThereAtMerger = h.start < MERGER && (!h.end || h.end >= MERGER);
      if (next && stillThereAtMerger) {
        // The merger: the old employment ends, one in the new förvaltning starts the next day.
        employments.push({ ...base, unit_code: h.unit, start_date: h.start, end_date: '2019-12-31' });
        employments.push({ ...base, unit_code: next, start_date: MERGER, end_date: h.end });
      } else if (i !== 6 && i !== 41 && r() < 0.12 && (!h.end || h.end > '2019-01-01') && h.start < '2024-01-01') {
        // A move within the city: a new unit from a date, sometimes with a gap of a few weeks.
        const moveOn = randomDate(r, h.start > '2019-01-01' ? h.start : '2019-01-01', h.end ?? '2025-06-30');
        const targets = enheter.filter((u) => !u.to && u.code !== h.unit);
        const to = targets[Math.floor(r() * targets.length)];
        const gap = r() < 0.3 ? 30 : 1;
        employments.push({ ...base, unit_code: h.unit, start_date: h.start, end_date: addDays(moveOn, -1) });
        const restart = addDays(moveOn, gap - 1);
        if (!h.end || restart <= h.end) {
          employments.push({ ...base, unit_code: to.code, title: titleFor(to.code, r), start_date: restart, end_date: h.end });
        }
      } else {
        employments.push({ ...base, unit_code: h.unit, start_date: h.start, end_date: h.end });
      }
    });

    // A chef for every avdelning and enhet, from before the period (and for new units, from their start).
    let n = staffCount;
    const chefs: { employee_number: string; name: string; email: string }[] = [];
    const chefUnits: DemoUnit[] = units.filter((u) => u.kind === 'avdelning' || u.kind === 'enhet' || u.kind === 'forvaltning');
    for (const u of chefUnits) {
      const first = FIRST[Math.floor(r() * FIRST.length)];
      const last = LAST[Math.floor(r() * LAST.length)];
      chefs.push({ employee_number: String(100001 + n++), name: `${first} ${last}`, email: `${first}.${last}.chef${n}@demo.stockholm.se`.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '') });
    }
    const chefIds = await insertPeople(tx, chefs.map((p) => ({ ...p, anonymised_at: null })));
    chefUnits.forEach((u, i) => {
      const personId = chefIds.get(chefs[i].employee_number)!;
      const title = u.kind === 'enhet' ? 'Enhetschef' : u.kind === 'avdelning' ? 'Avdelningschef' : 'Stadsdelsdirektör';
      employments.push({ person_id: personId, unit_code: u.code, title, employment_type: 'tillsvidare', is_manager: 1, start_date: u.from ?? '2015-01-01', end_date: u.to ?? null, import_batch_id: null });
      personIds.push(personId);
      home.push({ unit: u.code, start: u.from ?? '2015-01-01', end: u.to ?? null, type: 'tillsvidare' });
    });
    await insertEmployments(tx, employments);

    const course = (code: string, title: string, titleEn: string, kind: 'web' | 'seminar', validityMonths: number | null, url: string) =>
      createCourse(tx, { code, title: { sv: title, en: titleEn }, kind, url, validityMonths, xapiActivityId: `https://utbildning.stockholm.se/xapi/activities/${code.toLowerCase()}` }, now);
    const grund = await course('VBE-GRUND', 'Webbaserad grundutbildning om våldsbejakande extremism', 'Web-based basic course on violent extremism', 'web', null, 'https://utbildning.stockholm.se/kurs/vbe-grund');
    const vitmakt = await course('VBE-VITMAKT', 'Fördjupning: vit makt-miljön', 'Advanced: the white-power movement', 'web', null, 'https://utbildning.stockholm.se/kurs/vbe-vitmakt');
    const seminar = await course('VBE-SEMINARIUM', 'Seminarium om våldsbejakande extremism för socialtjänsten', 'Seminar on violent extremism for social services', 'seminar', null, 'https://utbildning.stockholm.se/kurs/vbe-seminarium');
    const oro = await course('VBE-OROSANMALAN', 'Oro för radikalisering: rutin och anmälan (repeteras vartannat år)', 'Concern about radicalisation: routine and reporting (renewed every two years)', 'web', 24, 'https://utbildning.stockholm.se/kurs/vbe-oro');

    await saveRequirement(tx, {
      code: 'VBE-ALLA',
      title: 'Grundutbildning om våldsbejakande extremism för alla medarbetare',
      courses: ['VBE-GRUND'],
      scope: ['STHLM'],
      effectiveFrom: '2019-06-01',
      dueDate: '2020-12-31',
      graceDays: 90,
      targetRate: 0.9,
      source: 'Stadsrevisionen rek. 1, dnr 3.1.3-91/2019: säkerställa att berörda medarbetare fullföljer stadens webbaserade utbildning',
      responsible: 'Avdelningschefer',
      followUp: 'VB 2020, därefter varje tertial',
      // Reminders (issue 19): without KK_SMTP_URL they are decided into the outbox only.
      reminders: { beforeDue: [30, 7], overdueEvery: 14, overdueMax: 3, managerDigest: 'monthly' },
    }, now);
    const socialUnits = units.filter((u) => u.kind === 'avdelning' && u.social && !u.to).map((u) => u.code);
    await saveRequirement(tx, {
      code: 'VBE-FORDJ-SOC',
      title: 'Fördjupning för socialtjänstens tillsvidareanställda',
      courses: ['VBE-VITMAKT', 'VBE-SEMINARIUM'],
      scope: socialUnits,
      employmentTypes: ['tillsvidare'],
      effectiveFrom: '2022-01-01',
      graceDays: 180,
      targetRate: 0.7,
      source: 'Handlingsplan Hässelby-Vällingby 2022: alla medarbetare inom vuxenenheten; utvidgat till socialtjänsten',
      responsible: 'Avdelningschef individ- och familjeomsorg',
      followUp: 'T2 2024',
      reminders: { beforeDue: [30], overdueEvery: 30, overdueMax: 2, managerDigest: 'weekly' },
    }, now);
    await saveRequirement(tx, {
      code: 'VBE-ORO-CHEF',
      title: 'Rutin vid oro för radikalisering, för chefer (förnyas vartannat år)',
      courses: ['VBE-OROSANMALAN'],
      scope: ['STHLM'],
      titles: ['Enhetschef', 'Avdelningschef', 'Stadsdelsdirektör'],
      effectiveFrom: '2021-01-01',
      dueDate: '2021-06-30',
      graceDays: 60,
      source: 'Stockholms stads riktlinjer mot våldsbejakande extremism (KF 2016, reviderade): chefers ansvar för rutiner',
      responsible: 'Förvaltningsledning',
      followUp: 'VB 2022',
      reminders: { beforeExpiry: [60, 30] },
    }, now);

    // Completions: the web course from autumn 2019, fördjupningar from 2022, the renewable course
    // every two years or so for chefer, some started and never finished.
    const completions: Insertable<CompletionTable>[] = [];
    const add = (personId: number, courseId: number, status: CompletionTable['status'], on: string) =>
      completions.push({ person_id: personId, course_id: courseId, status, occurred_at: on, source: 'import', source_ref: 'demo', recorded_by: 'demo', recorded_at: now, import_batch_id: null });
    home.forEach((h, i) => {
      const personId = personIds[i];
      const unit = byCode.get(h.unit)!;
      const uptake = unit.uptake ?? 0.6;
      const from = h.start > '2019-09-01' ? h.start : '2019-09-01';
      const until = h.end && h.end < today ? h.end : today;
      if (from > until) return;
      const roll = r();
      if (roll < uptake) {
        const done = randomDate(r, from, until);
        if (r() < 0.3) add(personId, grund.id, 'started', randomDate(r, from, done));
        add(personId, grund.id, 'completed', done);
      } else if (roll < uptake + 0.15) {
        add(personId, grund.id, 'started', randomDate(r, from, until));
      }
      const social = unit.social || successor(h.unit) !== null && byCode.get(successor(h.unit)!)?.social;
      if (social && h.type === 'tillsvidare' && until >= '2022-01-01') {
        const f = h.start > '2022-01-01' ? h.start : '2022-01-01';
        const x = r();
        if (x < uptake * 0.75) add(personId, r() < 0.6 ? vitmakt.id : seminar.id, 'completed', randomDate(r, f, until));
        else if (x < uptake * 0.75 + 0.1) add(personId, vitmakt.id, r() < 0.5 ? 'started' : 'failed', randomDate(r, f, until));
      }
      if (i >= staffCount) {
        // Chefer: the renewable course, renewed every 20–30 months, sometimes late.
        let at = randomDate(r, '2021-01-01', '2021-09-30');
        while (at <= until && r() < 0.85) {
          add(personId, oro.id, 'completed', at);
          at = addDays(at, 600 + Math.floor(r() * 320));
        }
        if (at <= until && r() < 0.5) add(personId, oro.id, 'started', at);
      }
    });
    // The demo staff member: the basic course done, the fördjupning begun.
    add(personIds[41], grund.id, 'completed', '2023-10-12');
    add(personIds[41], vitmakt.id, 'started', '2025-09-03');
    await insertCompletions(tx, completions);

    // A few exemptions in Hägersten-Älvsjö (no draws from the generator: the rest of the city stays
    // as it was): staff on leave, and one who does not work with the target group.
    const alla = await tx.selectFrom('requirement').select('id').where('code', '=', 'VBE-ALLA').executeTakeFirstOrThrow();
    const inHav = home.map((h, i) => ({ ...h, i })).filter((h) => h.unit.startsWith('HAV-') && h.end === null && h.i !== 41 && h.i !== 6 && h.i < staffCount);
    const reasons: [string, string, string | null][] = [
      ['Föräldraledig', '2025-03-01', '2026-02-28'],
      ['Långtidssjukskriven', '2025-06-15', null],
      ['Arbetar inte med målgruppen', '2024-01-01', null],
    ];
    const exemptions = reasons.slice(0, inHav.length).map(([reason, from, to], k) => ({
      person_id: personIds[inHav[k].i],
      requirement_id: alla.id,
      from_date: from,
      to_date: to,
      reason,
      created_by: '100007',
      created_at: now,
      ended_by: null,
      ended_at: null,
    }));
    if (exemptions.length) await tx.insertInto('exemption').values(exemptions).execute();
  });
  return true;
}
