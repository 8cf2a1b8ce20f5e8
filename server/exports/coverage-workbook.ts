import type { EmploymentType, UnitKind } from '../db/schema.ts';
import type { PersonPlace } from '../domain/coverage-report.ts';
import { tertialLabel } from '../domain/calendar.ts';
import type { PersonCoverage, PersonStatus } from '../domain/coverage.ts';
import type { CoverageExport, ExportUnit, ImportKind } from './coverage-export.ts';
import { bold, date, figureCells, headerRow, instant, num, pct, text } from './cells.ts';
import { writeXlsx, writeXlsxChunks, type Cell } from './xlsx-writer.ts';

/**
 * The revision's workbook from gathered data: bytes only, no database and no HTTP. Every cell is
 * written with an explicit type so that nothing a roster carries (a name like `=HYPERLINK(…)`) is
 * ever taken for a formula: text is text, numbers are numbers, dates are date serials with a date
 * format.
 */

export const SHEETS = {
  summary: 'Sammanfattning',
  units: 'Per enhet',
  trend: 'Trend',
  people: 'Personer',
  method: 'Metod',
} as const;

export const FIGURE_HEADINGS = [
  'Berörda',
  'Genomförda',
  'Påbörjade',
  'Ej påbörjade',
  'Försenade',
  'Andel genomförda',
  'Mål',
  'Avvikelse (personer)',
  'Undantagna',
] as const;

export const KIND_SV: Record<UnitKind, string> = {
  stad: 'stad',
  forvaltning: 'förvaltning',
  avdelning: 'avdelning',
  enhet: 'enhet',
};

export const STATUS_SV: Record<PersonStatus, string> = {
  completed: 'genomförd',
  started: 'påbörjad',
  not_started: 'ej påbörjad',
  exempt: 'undantagen',
};

const IMPORT_SV: Record<ImportKind, string> = {
  units: 'Organisation (enheter från HR)',
  roster: 'Personal (anställningar från HR)',
  completions: 'Genomförda utbildningar (import från utbildningsportalen)',
  xapi: 'Utbildningsportalen (xAPI)',
  manual: 'Manuell registrering (seminarier)',
};


interface Table {
  name: string;
  /** Personer for the export is a stream: made as it is written, never held whole. */
  rows: Cell[][] | Iterable<Cell[]>;
  /** Tables get a frozen, filterable header row; the method sheet is prose. */
  table: boolean;
}


const INDENT = '    ';

function summarySheet(d: CoverageExport): Table {
  const rows: Cell[][] = [headerRow(['Krav', 'Kravets namn', 'Enhetskod', 'Förvaltning', ...FIGURE_HEADINGS])];
  const withTotal = !(d.summaryUnits.length === 1 && d.summaryUnits[0].code === d.unit.code);
  for (const r of d.requirements) {
    const f = d.figures.get(r.code)!;
    for (const u of d.summaryUnits) rows.push([text(r.code), text(r.title), text(u.code), text(u.name), ...figureCells(f.get(u.code)!)]);
    if (withTotal) rows.push([text(r.code), text(r.title), text(d.unit.code), text(`Totalt: ${d.unit.name}`), ...figureCells(f.get(d.unit.code)!)]);
  }
  return { name: SHEETS.summary, rows, table: true };
}

function unitsSheet(d: CoverageExport): Table {
  const rows: Cell[][] = [headerRow(['Enhet', 'Enhetskod', 'Nivå', 'Överordnad enhetskod', 'Krav', ...FIGURE_HEADINGS])];
  for (const u of d.tree) {
    for (const r of d.requirements) {
      rows.push([
        text(INDENT.repeat(u.depth) + u.name),
        text(u.code),
        text(KIND_SV[u.kind]),
        text(u.parentCode),
        text(r.code),
        ...figureCells(d.figures.get(r.code)!.get(u.code)!),
      ]);
    }
  }
  return { name: SHEETS.units, rows, table: true };
}

function trendSheet(d: CoverageExport): Table {
  const rows: Cell[][] = [headerRow(['Krav', 'Tertial', 'Datum', ...FIGURE_HEADINGS])];
  for (const p of d.trend) rows.push([text(p.requirement), text(tertialLabel(p.asOf)), date(p.asOf), ...figureCells(p.figures)]);
  return { name: SHEETS.trend, rows, table: true };
}

export const EMPLOYMENT_TYPE_SV: Record<EmploymentType, string> = {
  tillsvidare: 'tillsvidare',
  visstid: 'visstid',
  timavlonad: 'timavlönad',
};

export const PEOPLE_HEADINGS = [
  'Anställningsnummer', 'Namn', 'Förvaltning', 'Avdelning', 'Enhetskod', 'Enhet', 'Anställningsform', 'Befattning',
  'Krav', 'Status', 'Förfallodatum', 'Försenad', 'Genomförd datum', 'Undantag',
] as const;

/** One person's row: where they sit and why the requirement reaches them, then their standing. */
export interface PeopleRow {
  requirement: string;
  person: Pick<PersonCoverage, 'employeeNumber' | 'name' | 'unitCode' | 'unitName' | 'status' | 'dueDate' | 'overdue' | 'occurredAt' | 'exemption'>;
  place: PersonPlace;
}

function peopleRow({ requirement, person: p, place }: PeopleRow): Cell[] {
  return [
    text(p.employeeNumber),
    text(p.name),
    text(place.forvaltning),
    text(place.avdelning),
    text(p.unitCode),
    text(p.unitName),
    text(place.employmentType ? EMPLOYMENT_TYPE_SV[place.employmentType] : null),
    text(place.title),
    text(requirement),
    text(STATUS_SV[p.status]),
    date(p.dueDate),
    text(p.overdue ? 'ja' : 'nej'),
    date(p.status === 'completed' ? p.occurredAt : null),
    text(p.exemption ? `${p.exemption.reason} (${p.exemption.from}–${p.exemption.to ?? ''})` : null),
  ];
}

export function peopleSheet(people: readonly PeopleRow[]): Table {
  return { name: SHEETS.people, rows: [headerRow(PEOPLE_HEADINGS), ...people.map(peopleRow)], table: true };
}

/** Personer made row by row as the writer takes them (`CoverageExport['people']`). */
function peopleStream(people: Iterable<PeopleRow>): Table {
  function* rows() {
    yield headerRow(PEOPLE_HEADINGS);
    for (const row of people) yield peopleRow(row);
  }
  return { name: SHEETS.people, rows: rows(), table: true };
}

/** The people list of the coverage element as its own workbook (one sheet, Personer). */
export function peopleWorkbook(people: readonly PeopleRow[], meta: { unit: string; asOf: string; generatedAt: string }): Uint8Array {
  return writeXlsx([peopleSheet(people)], { title: `Kompetenskoll ${meta.unit} ${meta.asOf}`, created: meta.generatedAt });
}

/** docs/coverage-rules.md, rules 1–6, in plain Swedish. */
export const DEFINITIONS: readonly [string, string][] = [
  ['Aktiv anställning', 'En anställning är aktiv ett datum när den har börjat senast det datumet och inte har slutat före det (start- och slutdatum räknas med).'],
  [
    'Berörda',
    'Personer som per datumet har minst en aktiv anställning i enheten eller i någon enhet under den (organisationen som den såg ut det datumet) och som omfattas av kravet (kravets enheter, och i förekommande fall anställningsformer och befattningar), när kravet gäller det datumet. En person räknas en gång i enheten även om hen är anställd i flera av dess enheter, och räknas också i varje underenhet där hen är anställd. Den som har ett undantag från kravet som gäller datumet räknas inte som berörd.',
  ],
  [
    'Undantagna',
    'Personer som skulle ha varit berörda men som har ett undantag från kravet som gäller datumet (från och med första dagen till och med sista, eller tills vidare), t.ex. vid föräldraledighet eller långvarig sjukskrivning. De räknas inte i berörda, andel eller avvikelse. Hur många som är undantagna av vilken orsak står under Undantag nedan.',
  ],
  [
    'Makulerade registreringar',
    'En registrering som samordnaren har makulerat (t.ex. registrerad på fel person) räknas inte något datum, som om den aldrig hade gjorts. Den finns kvar med vem som makulerade den, när och varför.',
  ],
  [
    'Förfallodatum',
    'Det senare av kravets fasta datum och första dagen i personens obrutna anställning inom kravet plus kravets antal dagar. Saknas när inget av dem är angivet. Obruten anställning: anställningar inom kravet där var och en börjar senast dagen efter att den föregående slutade.',
  ],
  [
    'Genomförd',
    'Personen har en registrerad genomförd utbildning (någon av kravets kurser) senast per datumet. Har kursen en giltighetstid gäller genomförandet till och med dagen före det datum då det löper ut: genomförandedatum plus giltighetstiden i månader, med dagen satt till månadens sista dag när månaden är kortare (2022-01-31 plus 1 månad löper ut 2022-02-28 och räknas alltså till och med 2022-02-27). En utbildning genomförd innan personen anställdes räknas (utbildningen följer personen).',
  ],
  [
    'Påbörjad',
    'Inte genomförd, men med en registrering som påbörjad eller underkänd av någon av kravets kurser senast per datumet, som är senare än varje genomförande. Ett utgånget genomförande gör ensamt personen ej påbörjad igen (förnyelsen har inte börjat).',
  ],
  ['Ej påbörjad', 'Berörda som varken är genomförda eller påbörjade: berörda − genomförda − påbörjade.'],
  ['Försenad', 'Inte genomförd och förfallodatumet ligger före datumet.'],
  ['Andel genomförda', 'Genomförda delat med berörda. Tom när enheten inte har några berörda.'],
  ['Mål', 'Kravets målnivå (andel av de berörda som ska ha genomfört utbildningen).'],
  [
    'Avvikelse (personer)',
    'Hur många fler som behöver genomföra utbildningen för att målet ska nås: mål × berörda avrundat uppåt till hela personer, minus genomförda, aldrig under noll. Räknas exakt: ett mål på 70 % av 10 berörda kräver 7 personer.',
  ],
  ['Flera krav', 'Varje krav redovisas för sig på egna rader; siffror för olika krav slås aldrig ihop eller medelvärdesbildas.'],
  [
    'Sammanfattning',
    'En rad per förvaltning och krav under den valda enheten, följd av en totalrad för den valda enheten per krav. Är den valda enheten en förvaltning eller en enhet under en förvaltning finns en rad per krav: den enheten.',
  ],
  ['Per enhet', 'Hela organisationen under den valda enheten som den såg ut per datumet, i trädordning, med namnet indraget efter nivå.'],
  [
    'Trend',
    'Samma siffror för den valda enheten per tertialskifte (30 april, 31 augusti, 31 december) under de tre senaste åren fram till datumet. Ett datum då enheten inte fanns redovisas inte.',
  ],
  ['Personer', 'De berörda och de undantagna med status per datumet; för de undantagna orsaken och undantagets period (Undantag). Enhet är personens enhet under den valda enheten (den med lägst enhetskod om personen har flera), Förvaltning och Avdelning de enheter den ligger under. Anställningsform och Befattning är anställningens i den enheten: det som gör att kravet omfattar personen. Genomförd datum är datumet för det genomförande som räknas.'],
];

function methodSheet(d: CoverageExport): Table {
  const rows: Cell[][] = [];
  const line = (...cells: Cell[]) => rows.push(cells);
  line(bold('Kompetenskoll – täckningsgrad för utbildningskrav'));
  line();
  line(text('Enhet'), text(`${d.unit.name} (${d.unit.code})`));
  line(text('Per datum'), date(d.asOf));
  line(text('Namn på medarbetare'), text(d.people ? 'ja (bladet Personer)' : 'nej'));
  line(text('Skapad'), instant(d.generatedAt));
  line(text('Skapad av (anställningsnummer)'), text(d.generatedBy));
  line();
  line(bold('Definitioner'));
  for (const [term, definition] of DEFINITIONS) line(text(term), { t: 's', v: definition, wrap: true });
  line();
  line(bold('Krav'));
  line(...headerRow(['Krav', 'Kravets namn', 'Kurser', 'Gäller från', 'Gäller till', 'Sista datum', 'Dagar efter anställning', 'Mål', 'Källa (beslut)', 'Ansvarig', 'Uppföljning']));
  for (const r of d.requirements) {
    line(
      text(r.code),
      text(r.title),
      text(r.courses.join(', ')),
      date(r.effectiveFrom),
      date(r.effectiveTo),
      date(r.dueDate),
      r.graceDays === null ? undefined : num(r.graceDays),
      pct(r.targetRate),
      text(r.source),
      text(r.responsible),
      text(r.followUp),
    );
  }
  if (!d.requirements.length) line(text('Inga krav gällde per datumet.'));
  line();
  line(bold('Undantag'));
  if (d.exemptions.length) {
    line(...headerRow(['Krav', 'Orsak', 'Undantagna']));
    for (const x of d.exemptions) line(text(x.requirement), text(x.reason), num(x.count));
  } else {
    line(text('Ingen i enheten var undantagen per datumet.'));
  }
  line();
  line(bold('Källor'));
  line(...headerRow(['Källa', 'Senaste import']));
  for (const [kind, label] of Object.entries(IMPORT_SV) as [ImportKind, string][]) {
    const at = d.lastImports[kind];
    line(text(label), at ? instant(at) : text('ingen import'));
  }
  if (d.reports) {
    line();
    line(bold('Publicerade rapporter'));
    if (d.reports.length) {
      line(...headerRow(['Rapport', 'Enhet', 'Per datum', 'Krav', 'Publicerad', 'Publicerad av']));
      for (const r of d.reports) {
        line(text(r.title), text(`${r.unit.name} (${r.unit.code})`), date(r.asOf), text(r.requirements.join(', ')), instant(r.publishedAt), text(r.publishedBy.employeeNumber));
      }
    } else {
      line(text('Inga rapporter har publicerats för enheten.'));
    }
  }
  return { name: SHEETS.method, rows, table: false };
}

/**
 * The workbook as the deflater hands it out (chunks for a streamed response). Personer, when
 * asked for, is read from the database as it is written, within this call.
 */
export function coverageWorkbook(d: CoverageExport): Uint8Array[] {
  const tables = [summarySheet(d), unitsSheet(d), trendSheet(d)];
  if (d.people) tables.push(peopleStream(d.people));
  tables.push(methodSheet(d));
  return writeXlsxChunks(tables, { title: `Kompetenskoll ${d.unit.code} ${d.asOf}`, created: d.generatedAt });
}

export function exportFileName(unit: ExportUnit | { code: string }, asOf: string): string {
  return `kompetenskoll-${unit.code.replace(/[^A-Za-z0-9._-]/g, '_')}-${asOf}.xlsx`;
}
