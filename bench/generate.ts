import type { EmploymentType, RecordStatus, UnitKind } from '../server/db/schema.ts';
import { addDays } from '../server/domain/calendar.ts';
import { rng } from '../server/demo/rng.ts';

/**
 * A seeded, deterministic city the size of Stockholm: 11 stadsdelsförvaltningar (14 before the
 * reorganisations: Hägersten-Liljeholmen + Älvsjö → Hägersten-Älvsjö on 2020-01-01; Rinkeby-Kista +
 * Spånga-Tensta → Järva and Norrmalm + Östermalm → Norra innerstaden on 2023-07-01), 15
 * fackförvaltningar, units in up to five levels, staff hired, moved, merged and leaving over ten
 * years, five requirements and their completion records. Same seed, same city, byte for byte.
 */

export interface Size {
  staff: number;
  /** Avdelningar per förvaltning, enheter per avdelning: [min, max]. */
  departments: [number, number];
  units: [number, number];
  /** Completion records are tuned toward this many. */
  completions: number;
}

export const FULL: Size = { staff: 48_000, departments: [6, 9], units: [4, 8], completions: 300_000 };
export const QUICK: Size = { staff: 2_400, departments: [2, 3], units: [2, 4], completions: 15_000 };

/**
 * `n` times the city: its staff and records times `n`, and its avdelningar per förvaltning and
 * enheter per avdelning times √n each, so that a unit has about the city's staff (a larger city has
 * more units, not four times the staff in each) and the units file grows with the rest.
 */
export function scaledSize(base: Size, n: number): Size {
  const k = Math.sqrt(n);
  const span = ([lo, hi]: [number, number]): [number, number] => [Math.round(lo * k), Math.round(hi * k)];
  return { staff: Math.round(base.staff * n), departments: span(base.departments), units: span(base.units), completions: Math.round(base.completions * n) };
}

/** The "today" of the generated city: every figure is asked as of a fixed date, never the clock. */
export const NOW = '2026-08-31';
const HISTORY_FROM = '2016-09-01';
const CITY_START = '2000-01-01';

export interface UnitRow {
  code: string;
  name: string;
  parent: string | null;
  kind: UnitKind;
  from: string;
  to: string | null;
}
export interface PersonRow {
  employeeNumber: string;
  name: string;
  email: string;
}
export interface EmploymentRow {
  person: number; // index into people
  unit: string;
  title: string;
  type: EmploymentType;
  manager: boolean;
  start: string;
  end: string | null;
}
export interface CompletionRow {
  person: number;
  course: string;
  status: RecordStatus;
  date: string;
}
/** An exemption (undantag): the person is not berörd for the requirement from `from` to `to`. */
export interface ExemptionRow {
  person: number;
  requirement: string;
  from: string;
  to: string | null;
  reason: string;
}
export interface CourseDef {
  code: string;
  title: { sv: string; en: string };
  kind: 'web' | 'seminar' | 'acknowledgement';
  url: string;
  validityMonths?: number;
}
export interface RequirementDef {
  code: string;
  title: string;
  courses: string[];
  scope: string[];
  employmentTypes?: string[];
  titles?: string[];
  effectiveFrom: string;
  effectiveTo?: string;
  dueDate?: string;
  graceDays?: number;
  targetRate?: number;
  source: string;
}

export interface City {
  root: string;
  units: UnitRow[];
  people: PersonRow[];
  employments: EmploymentRow[];
  completions: CompletionRow[];
  /** A second, disjoint batch of the same size, for the import that commits under load. */
  moreCompletions: CompletionRow[];
  courses: CourseDef[];
  requirements: RequirementDef[];
  /** A few thousand exemptions (one staff member in sixteen) of people employed at NOW. */
  exemptions: ExemptionRow[];
  /** Current förvaltningar (the root's children at NOW). */
  forvaltningar: string[];
}

const SDF_KEPT: [string, string][] = [
  ['BRO', 'Bromma stadsdelsförvaltning'],
  ['EAV', 'Enskede-Årsta-Vantörs stadsdelsförvaltning'],
  ['FAR', 'Farsta stadsdelsförvaltning'],
  ['HVV', 'Hässelby-Vällingby stadsdelsförvaltning'],
  ['KUN', 'Kungsholmens stadsdelsförvaltning'],
  ['SKN', 'Skarpnäcks stadsdelsförvaltning'],
  ['SKH', 'Skärholmens stadsdelsförvaltning'],
  ['SOD', 'Södermalms stadsdelsförvaltning'],
];
const MERGERS: { code: string; name: string; on: string; from: [string, string][] }[] = [
  { code: 'HAV', name: 'Hägersten-Älvsjö stadsdelsförvaltning', on: '2020-01-01', from: [['HL', 'Hägersten-Liljeholmens stadsdelsförvaltning'], ['ALV', 'Älvsjö stadsdelsförvaltning']] },
  { code: 'JAR', name: 'Järva stadsdelsförvaltning', on: '2023-07-01', from: [['RK', 'Rinkeby-Kista stadsdelsförvaltning'], ['ST', 'Spånga-Tensta stadsdelsförvaltning']] },
  { code: 'NIS', name: 'Norra innerstadens stadsdelsförvaltning', on: '2023-07-01', from: [['NM', 'Norrmalms stadsdelsförvaltning'], ['OM', 'Östermalms stadsdelsförvaltning']] },
];
const FACK: [string, string][] = [
  ['SOF', 'Socialförvaltningen'],
  ['UTB', 'Utbildningsförvaltningen'],
  ['SLK', 'Stadsledningskontoret'],
  ['AMF', 'Arbetsmarknadsförvaltningen'],
  ['AEF', 'Äldreförvaltningen'],
  ['KUF', 'Kulturförvaltningen'],
  ['IDF', 'Idrottsförvaltningen'],
  ['MHF', 'Miljöförvaltningen'],
  ['SBK', 'Stadsbyggnadskontoret'],
  ['TK', 'Trafikkontoret'],
  ['EXP', 'Exploateringskontoret'],
  ['FSK', 'Fastighetskontoret'],
  ['SEF', 'Serviceförvaltningen'],
  ['OFF', 'Överförmyndarförvaltningen'],
  ['SSA', 'Stadsarkivet'],
];
const DEPARTMENTS = ['Individ- och familjeomsorg', 'Äldreomsorg', 'Förskola', 'Stöd och service', 'Kultur och fritid', 'Stadsmiljö', 'Administration', 'Ekonomi', 'HR och kommunikation'];
const UNIT_WORDS = ['Barn och unga', 'Vuxenenheten', 'Mottagning', 'Hemtjänst', 'Boende', 'Fältgruppen', 'Öppenvård', 'Biståndsenheten', 'Förskoleområde', 'Fritidsgård', 'Parkenheten', 'Kansli', 'Controller', 'Rekrytering', 'Serviceenheten'];
const TITLES = ['Socialsekreterare', 'Undersköterska', 'Förskollärare', 'Barnskötare', 'Handläggare', 'Vårdbiträde', 'Fritidsledare', 'Administratör', 'Enhetschef', 'Utredare', 'Lärare', 'Stödassistent', 'Ingenjör', 'Ekonom', 'Kurator'];
const FIRST = ['Anna', 'Erik', 'Maria', 'Lars', 'Karin', 'Anders', 'Eva', 'Johan', 'Sara', 'Mikael', 'Fatima', 'Ahmed', 'Elin', 'Oskar', 'Leila', 'Per', 'Ingrid', 'Mohammed', 'Sofia', 'Nils', 'Amira', 'Gustav', 'Hanna', 'Ali', 'Linnéa', 'Björn', 'Åsa', 'Jonas', 'Emma', 'Hassan', 'Ylva', 'Dragan', 'Kristina', 'Pär', 'Zeynep', 'Olof'];
const LAST = ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson', 'Pettersson', 'Jonsson', 'Hassan', 'Ali', 'Lindqvist', 'Berg', 'Lindberg', 'Holm', 'Öberg', 'Åkesson', 'Yilmaz', 'Nordström', 'Sandberg', 'Ekström', 'Mohammadi', 'Jovanović', 'Lundgren', 'Wallin', 'Björk', 'Engström'];

const DAY = 86_400_000;
const toDays = (d: string) => Date.parse(`${d}T00:00:00Z`) / DAY;
const fromDays = (n: number) => new Date(Math.round(n) * DAY).toISOString().slice(0, 10);

export function generateCity(size: Size, seed = 20_190_301): City {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const between = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const units: UnitRow[] = [];
  const root = 'STHLM';
  units.push({ code: root, name: 'Stockholms stad', parent: null, kind: 'stad', from: CITY_START, to: null });

  /** Leaves of each förvaltning (where staff work), and each department's kind of work. */
  const leaves = new Map<string, { code: string; dept: string }[]>();
  const deptCodes = new Map<string, string[]>(); // department name → codes of avdelningar of that name

  function tree(forv: string, name: string, from: string, to: string | null) {
    units.push({ code: forv, name, parent: root, kind: 'forvaltning', from, to });
    const out: { code: string; dept: string }[] = [];
    const nd = between(...size.departments);
    for (let a = 1; a <= nd; a++) {
      const dept = DEPARTMENTS[(a - 1) % DEPARTMENTS.length];
      const ac = `${forv}-A${a}`;
      units.push({ code: ac, name: `${dept}, ${name}`, parent: forv, kind: 'avdelning', from, to });
      deptCodes.set(dept, [...(deptCodes.get(dept) ?? []), ac]);
      const ne = between(...size.units);
      for (let e = 1; e <= ne; e++) {
        const ec = `${ac}-E${e}`;
        units.push({ code: ec, name: `${pick(UNIT_WORDS)} ${e}, ${dept}`, parent: ac, kind: 'enhet', from, to });
        // Some units have sub-units: the fifth level.
        const subs = r() < 0.4 ? between(2, 4) : 0;
        if (!subs) out.push({ code: ec, dept });
        for (let s = 1; s <= subs; s++) {
          const sc = `${ec}-${s}`;
          units.push({ code: sc, name: `${pick(UNIT_WORDS)} ${e}.${s}`, parent: ec, kind: 'enhet', from, to });
          out.push({ code: sc, dept });
        }
      }
    }
    leaves.set(forv, out);
  }

  for (const [code, name] of SDF_KEPT) tree(code, name, CITY_START, null);
  /** New leaf → the old leaf it continues, for the staff moved by a merger. */
  const continues = new Map<string, { old: string; on: string }>();
  for (const m of MERGERS) {
    const newLeaves: { code: string; dept: string }[] = [];
    for (const [oc, on] of m.from) {
      tree(oc, on, CITY_START, addDays(m.on, -1));
      // The merged förvaltning takes over the old departments under new codes.
      for (const old of leaves.get(oc)!) {
        const nc = `${m.code}-${old.code.slice(oc.length + 1)}-${oc}`;
        newLeaves.push({ code: nc, dept: old.dept });
        continues.set(nc, { old: old.code, on: m.on });
      }
    }
    units.push({ code: m.code, name: m.name, parent: root, kind: 'forvaltning', from: m.on, to: null });
    // Copy the old subtrees' structure below the new förvaltning.
    for (const [oc] of m.from) {
      for (const u of units.filter((x) => x.code.startsWith(`${oc}-`) && x.from === CITY_START && x.to === addDays(m.on, -1))) {
        const rest = u.code.slice(oc.length + 1);
        const parent = u.parent === oc ? m.code : `${m.code}-${u.parent!.slice(oc.length + 1)}-${oc}`;
        units.push({ code: `${m.code}-${rest}-${oc}`, name: u.name.replace(/, [^,]+förvaltning$/, `, ${m.name}`), parent, kind: u.kind, from: m.on, to: null });
        if (u.kind === 'avdelning') {
          const dept = DEPARTMENTS.find((d) => u.name.startsWith(d))!;
          deptCodes.get(dept)!.push(`${m.code}-${rest}-${oc}`);
        }
      }
    }
    leaves.set(m.code, newLeaves);
  }
  for (const [code, name] of FACK) tree(code, name, CITY_START, null);

  const forvaltningar = units.filter((u) => u.kind === 'forvaltning' && u.to === null).map((u) => u.code);
  const currentLeaves = forvaltningar.flatMap((f) => leaves.get(f)!);
  const allLeaves = [...leaves.values()].flat();
  const leafWeight = new Map(allLeaves.map((l) => [l.code, 0.5 + r()]));
  const cumulative: number[] = [];
  let sum = 0;
  for (const l of currentLeaves) cumulative.push((sum += leafWeight.get(l.code)!));
  const weightedLeaf = () => {
    const x = r() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return currentLeaves[lo];
  };

  const people: PersonRow[] = [];
  const employments: EmploymentRow[] = [];
  const dept = new Map<number, string>(); // person → kind of work (for who takes which course)
  const managed = new Set<string>();
  const hFrom = toDays(HISTORY_FROM);
  const now = toDays(NOW);
  const randomType = (): EmploymentType => {
    const x = r();
    return x < 0.75 ? 'tillsvidare' : x < 0.9 ? 'visstid' : 'timavlonad';
  };
  const newPerson = () => {
    const i = people.length;
    const f = pick(FIRST);
    const l = pick(LAST);
    const employeeNumber = String(200_000 + i);
    people.push({ employeeNumber, name: `${f} ${l}`, email: `${f}.${l}.${employeeNumber}@stockholm.se`.toLowerCase() });
    return i;
  };
  /** An employment in `leaf` from start to end, split where a merger moved the unit's staff. */
  const employ = (person: number, leaf: string, start: string, end: string | null, type: EmploymentType, title: string) => {
    const manager = !managed.has(leaf) && end === null;
    if (manager) managed.add(leaf);
    const c = continues.get(leaf);
    if (c && start < c.on && end !== null && end < c.on) {
      // Left before the merger: only ever employed in the old unit.
      employments.push({ person, unit: c.old, title, type, manager: false, start, end });
    } else if (c && start < c.on) {
      employments.push({ person, unit: c.old, title, type, manager: false, start, end: addDays(c.on, -1) });
      employments.push({ person, unit: leaf, title, type, manager, start: c.on, end });
    } else {
      employments.push({ person, unit: leaf, title, type, manager, start, end });
    }
  };

  for (let i = 0; i < size.staff; i++) {
    const p = newPerson();
    const leaf = weightedLeaf();
    dept.set(p, leaf.dept);
    const start = r() < 0.3 ? fromDays(toDays('2005-01-01') + r() * (hFrom - toDays('2005-01-01'))) : fromDays(hFrom + r() * (now - hFrom));
    const title = pick(TITLES);
    const x = r();
    if (x < 0.04 && start > HISTORY_FROM) {
      // First a fixed-term employment in the same unit, then permanent: one unbroken chain.
      const earlier = fromDays(toDays(start) - 60 - r() * 600);
      employ(p, leaf.code, earlier, addDays(start, -1), 'visstid', title);
      employ(p, leaf.code, start, null, 'tillsvidare', title);
    } else if (x < 0.07 && start > '2017-06-01') {
      // Moved in from another unit of the city (a gap of a few weeks or none).
      const from = pick(allLeaves.filter((l) => !continues.has(l.code)));
      const fromUnit = units.find((u) => u.code === from.code)!;
      const earlier = fromDays(toDays(start) - 200 - r() * 900);
      const endEarlier = addDays(start, -1 - Math.floor(r() * 30));
      if (fromUnit.to === null || fromUnit.to >= endEarlier) employ(p, from.code, earlier < HISTORY_FROM ? HISTORY_FROM : earlier, endEarlier, randomType(), title);
      employ(p, leaf.code, start, null, randomType(), title);
    } else {
      employ(p, leaf.code, start, null, randomType(), title);
    }
    // A few hold a second, hourly employment elsewhere at the same time.
    if (r() < 0.01) employ(p, weightedLeaf().code, fromDays(now - 30 - r() * 700), null, 'timavlonad', pick(TITLES));
  }
  // Those who left during the ten years.
  const leavers = Math.round(size.staff * 0.05);
  for (let i = 0; i < leavers; i++) {
    const p = newPerson();
    const leaf = pick(allLeaves);
    dept.set(p, leaf.dept);
    const u = units.find((x) => x.code === leaf.code)!;
    const lo = Math.max(hFrom - 800, toDays(u.from));
    const hi = Math.min(now - 10, u.to ? toDays(u.to) : now - 10);
    const start = lo + r() * (hi - lo);
    const end = Math.min(hi, start + 30 + r() * 1500);
    employ(p, leaf.code, fromDays(start), fromDays(end), randomType(), pick(TITLES));
  }

  const firstStart = new Map<number, string>();
  const lastDay = new Map<number, number>();
  for (const e of employments) {
    if (!firstStart.has(e.person) || e.start < firstStart.get(e.person)!) firstStart.set(e.person, e.start);
    lastDay.set(e.person, Math.max(lastDay.get(e.person) ?? 0, e.end === null ? now : toDays(e.end)));
  }

  const courses: CourseDef[] = [
    { code: 'VBE-WEB', title: { sv: 'Webbaserad grundutbildning om våldsbejakande extremism', en: 'Web-based basic course on violent extremism' }, kind: 'web', url: 'https://utbildningsportalen.stockholm.se/vbe' },
    { code: 'VBE-VITMAKT', title: { sv: 'Fördjupning: vit makt-miljön', en: 'Advanced: the white-power movement' }, kind: 'seminar', url: 'https://utbildningsportalen.stockholm.se/vbe-vitmakt' },
    { code: 'VBE-ISLAMISM', title: { sv: 'Fördjupning: våldsbejakande islamism', en: 'Advanced: violent Islamism' }, kind: 'seminar', url: 'https://utbildningsportalen.stockholm.se/vbe-islamism' },
    { code: 'VBE-VANSTER', title: { sv: 'Fördjupning: autonoma miljön', en: 'Advanced: the autonomous movement' }, kind: 'seminar', url: 'https://utbildningsportalen.stockholm.se/vbe-autonoma' },
    { code: 'BRAND', title: { sv: 'Brandskydd grund', en: 'Fire safety basics' }, kind: 'web', url: 'https://utbildningsportalen.stockholm.se/brand', validityMonths: 36 },
    { code: 'GDPR', title: { sv: 'Dataskydd i vardagen', en: 'Data protection at work' }, kind: 'web', url: 'https://utbildningsportalen.stockholm.se/gdpr' },
    { code: 'HLR', title: { sv: 'Hjärt-lungräddning', en: 'CPR' }, kind: 'seminar', url: 'https://utbildningsportalen.stockholm.se/hlr', validityMonths: 24 },
  ];
  const sdfCodes = units.filter((u) => u.kind === 'forvaltning' && !FACK.some(([c]) => c === u.code)).map((u) => u.code);
  const requirements: RequirementDef[] = [
    { code: 'VBE-GRUND', title: 'Grundutbildning om våldsbejakande extremism', courses: ['VBE-WEB'], scope: [root], employmentTypes: ['tillsvidare', 'visstid'], effectiveFrom: '2019-03-01', dueDate: '2020-06-30', graceDays: 90, targetRate: 0.9, source: 'Stadsrevisionen rek. 1, dnr 3.1.3-91/2019' },
    { code: 'VBE-FORDJ', title: 'En fördjupning om våldsbejakande extremism', courses: ['VBE-VITMAKT', 'VBE-ISLAMISM', 'VBE-VANSTER'], scope: ['SOF', ...deptCodes.get('Individ- och familjeomsorg')!.filter((c) => sdfCodes.some((s) => c.startsWith(`${s}-`)))], effectiveFrom: '2020-01-01', graceDays: 365, targetRate: 0.5, source: 'Handlingsplan mot våldsbejakande extremism 2020' },
    { code: 'BRAND-3AR', title: 'Brandskydd, förnyas vart tredje år', courses: ['BRAND'], scope: [root], effectiveFrom: '2018-01-01', graceDays: 60, source: 'Arbetsmiljöverket AFS 2001:1, SAM' },
    { code: 'GDPR-HANDL', title: 'Dataskydd för handläggare', courses: ['GDPR'], scope: [root], titles: ['Handläggare', 'Socialsekreterare', 'Utredare'], effectiveFrom: '2018-05-25', dueDate: '2019-06-30', source: 'Dataskyddsförordningen, stadens riktlinjer' },
    { code: 'HLR-2AR', title: 'Hjärt-lungräddning vartannat år', courses: ['HLR'], scope: ['AEF', ...deptCodes.get('Äldreomsorg')!], effectiveFrom: '2019-01-01', effectiveTo: '2030-12-31', graceDays: 180, source: 'Äldrenämnden, riktlinje HLR' },
  ];

  // Completion records: roughly how staff behave, scaled toward the size asked for.
  const lists: CompletionRow[][] = [[], []];
  const at = (d: number) => fromDays(Math.min(d, now));
  const records = (out: CompletionRow[], shift: number) => {
    for (let p = 0; p < people.length; p++) {
      const s = Math.max(toDays(firstStart.get(p)!), toDays('2018-01-01')) + shift;
      const last = lastDay.get(p)!;
      const span = Math.max(1, last - s);
      const push = (course: string, status: RecordStatus, d: number) => {
        if (d <= now) out.push({ person: p, course, status, date: at(d) });
      };
      // VBE web course: launched spring 2019.
      if (r() < 0.8) {
        const t = Math.max(s, toDays('2019-03-01') + shift) + r() * Math.min(span, 900);
        push('VBE-WEB', 'started', t);
        if (r() < 0.85) push('VBE-WEB', 'completed', t + r() * 20);
      }
      const d = dept.get(p)!;
      if ((d === 'Individ- och familjeomsorg' && r() < 0.45) || r() < 0.03) {
        const t = Math.max(s, toDays('2020-01-01')) + r() * span;
        const c = pick(['VBE-VITMAKT', 'VBE-ISLAMISM', 'VBE-VANSTER']);
        push(c, r() < 0.9 ? 'completed' : 'failed', t);
      }
      // Fire safety every ~three years, renewals sometimes late.
      for (let t = s + r() * 200; t < last; t += 800 + r() * 600) {
        if (r() < 0.3) push('BRAND', 'started', t - 5);
        if (r() < 0.9) push('BRAND', 'completed', t);
      }
      if (r() < 0.55) {
        const t = Math.max(s, toDays('2018-05-25')) + r() * Math.min(span, 700);
        push('GDPR', 'started', t);
        push('GDPR', r() < 0.9 ? 'completed' : 'failed', t + 1 + r() * 10);
      }
      if (d === 'Äldreomsorg') {
        for (let t = s + r() * 150; t < last; t += 500 + r() * 300) {
          push('HLR', 'started', t);
          if (r() < 0.85) push('HLR', 'completed', t);
        }
      }
    }
  };
  records(lists[0], 0);
  // The later batch: the same people's records one day on, so every row is new to the database.
  lists[1] = lists[0].map((c) => ({ ...c, date: addDays(c.date, 1) }));
  // Trim or pad toward the size asked for, deterministically (extra GDPR refresher attempts).
  const fit = (xs: CompletionRow[]) => {
    if (xs.length > size.completions) {
      const keep = size.completions / xs.length;
      return xs.filter(() => r() < keep * 1.002).slice(0, size.completions);
    }
    const extra: CompletionRow[] = [];
    for (let i = 0; xs.length + extra.length < size.completions; i++) {
      extra.push({ person: Math.floor(r() * people.length), course: 'GDPR', status: 'started', date: fromDays(toDays('2024-01-01') + r() * 900 + (i % 7)) });
    }
    return [...xs, ...extra];
  };
  const completions = fit(lists[0]);
  const moreCompletions = fit(lists[1]);
  return {
    root,
    units,
    people,
    employments,
    completions,
    moreCompletions,
    courses,
    requirements,
    exemptions: exemptionsOf(people.length, lastDay, now, seed),
    forvaltningar,
  };
}

const REASONS = ['Föräldraledig', 'Långtidssjukskriven', 'Tjänstledig', 'Arbetar inte med målgruppen'];

/**
 * One in sixteen of the people employed at NOW exempted, most from the basic VBE requirement,
 * from some day in the two years before NOW, half until further notice, half for three to
 * eighteen months. From a generator of their own, so the rest of the city is the same as before
 * exemptions existed (a bench run with them compares with one without).
 */
function exemptionsOf(people: number, lastDay: Map<number, number>, now: number, seed: number): ExemptionRow[] {
  const r = rng(seed + 18);
  const out: ExemptionRow[] = [];
  const others = ['BRAND-3AR', 'GDPR-HANDL', 'VBE-FORDJ'];
  for (let p = 0; p < people; p++) {
    if (lastDay.get(p) !== now || r() >= 1 / 16) continue;
    const from = fromDays(now - 730 + Math.floor(r() * 700));
    const to = r() < 0.5 ? null : fromDays(Math.min(now + 400, toDays(from) + 90 + Math.floor(r() * 450)));
    const requirement = r() < 0.75 ? 'VBE-GRUND' : others[Math.floor(r() * others.length)];
    out.push({ person: p, requirement, from, to, reason: REASONS[Math.floor(r() * REASONS.length)] });
  }
  return out;
}
