import type { ChangeReason, ReportChange, Standing } from '../domain/report-changes.ts';
import type { FigureSet } from '../domain/report-figures.ts';
import type { ReportView } from '../domain/reports.ts';
import { bold, date, figureCells, headerRow, instant, num, pct, text } from './cells.ts';
import { FIGURE_HEADINGS, STATUS_SV } from './coverage-workbook.ts';
import { writeXlsx, type Cell, type SheetSpec } from './xlsx-writer.ts';

/**
 * A published report as a workbook (DESIGN.md "Reports that stand"): Rapporterat (the frozen
 * figures and trend), Nu (the same asked today), Ändringar (each person whose standing differs,
 * and why), Metod. Bytes only, through the one writer; every cell typed, so no text is a formula.
 */

export const REPORT_SHEETS = { reported: 'Rapporterat', now: 'Nu', changes: 'Ändringar', method: 'Metod' } as const;

export const REASON_SV: Record<ChangeReason, string> = {
  annulled: 'makulerad registrering',
  late_record: 'sen registrering',
  exemption: 'undantag',
  roster: 'anställningsuppgifter',
  requirement: 'ändrat krav',
};

/** The reasons in their precedence, as Metod explains them (docs/reports.md). */
const REASON_TEXT: [ChangeReason, string][] = [
  ['exemption', 'Ett undantag från kravet som börjar senast rapportens datum har lagts in eller avslutats efter publiceringen (när personen är undantagen i rapporten eller nu).'],
  ['annulled', 'En registrering av kravets kurser daterad senast rapportens datum har makulerats efter publiceringen (när statusen skiljer).'],
  ['late_record', 'En registrering av kravets kurser daterad senast rapportens datum har registrerats efter publiceringen (när statusen skiljer).'],
  ['roster', 'Personens anställningar, eller organisationen, har ändrats efter publiceringen (när personen har kommit till eller fallit bort, eller förfallodatumet har flyttats). Utan något annat spår: när personen har kommit till eller fallit bort.'],
  ['requirement', 'Kravet eller någon av dess kurser har ändrats efter publiceringen. Utan något annat spår: övriga skillnader.'],
];


/** One table per figures sheet: the total, the children and the trend points of each requirement. */
function figuresSheet(unit: { code: string; name: string }, asOf: string, sets: FigureSet[]): Cell[][] {
  const rows: Cell[][] = [headerRow(['Krav', 'Kravets namn', 'Del', 'Datum', 'Enhetskod', 'Enhet', ...FIGURE_HEADINGS])];
  for (const s of sets) {
    const r = [text(s.requirement.code), text(s.requirement.title)];
    rows.push([...r, text('Totalt'), date(asOf), text(unit.code), text(unit.name), ...figureCells(s.total)]);
    for (const { unit: u, ...f } of s.children) rows.push([...r, text('Underenhet'), date(asOf), text(u.code), text(u.name), ...figureCells(f)]);
    for (const { asOf: at, ...f } of s.trend) rows.push([...r, text('Trend (tertial)'), date(at), text(unit.code), text(unit.name), ...figureCells(f)]);
  }
  return rows;
}

const standingCells = (s: Standing | null): Cell[] => (s ? [text(STATUS_SV[s.status]), date(s.dueDate), text(s.overdue ? 'ja' : 'nej')] : [text('ej med'), undefined, undefined]);

function changesSheet(changes: ReportChange[]): Cell[][] {
  const rows: Cell[][] = [
    headerRow(['Anställningsnummer', 'Namn', 'Enhetskod', 'Enhet', 'Krav', 'Rapporterad status', 'Rapporterat förfallodatum', 'Rapporterad försenad', 'Status nu', 'Förfallodatum nu', 'Försenad nu', 'Orsak']),
  ];
  for (const c of changes) {
    rows.push([text(c.employeeNumber), text(c.name), text(c.unit.code), text(c.unit.name), text(c.requirement), ...standingCells(c.reported), ...standingCells(c.now), text(REASON_SV[c.reason])]);
  }
  return rows;
}

export interface ReportWorkbookData {
  report: ReportView;
  now: { figures: FigureSet[] };
  changes: ReportChange[];
  generatedAt: string;
  generatedBy: string;
}

function methodSheet(d: ReportWorkbookData): Cell[][] {
  const r = d.report;
  const rows: Cell[][] = [];
  const line = (...cells: Cell[]) => rows.push(cells);
  line(bold(`Kompetenskoll – publicerad rapport: ${r.title}`));
  line();
  line(text('Rapport'), text(r.title));
  line(text('Rapport nr'), num(r.id));
  line(text('Enhet'), text(`${r.unit.name} (${r.unit.code})`));
  line(text('Per datum'), date(r.asOf));
  line(text('Krav'), text(r.requirements.map((x) => `${x.code} ${x.title}`).join('; ')));
  line(text('Publicerad'), instant(r.publishedAt));
  line(text('Publicerad av'), text(r.publishedBy.name ? `${r.publishedBy.name} (${r.publishedBy.employeeNumber})` : r.publishedBy.employeeNumber));
  line(text('Analys'), r.analysis ? { t: 's', v: r.analysis.slice(0, 32_767), wrap: true } : text('–'));
  line(text('Skapad'), instant(d.generatedAt));
  line(text('Skapad av (anställningsnummer)'), text(d.generatedBy));
  line();
  line(bold('Bladen'));
  line(text(REPORT_SHEETS.reported), { t: 's', v: 'Siffrorna som de publicerades: enhetens total och underenheter per datumet, och tertialpunkterna från början av året före datumet (eller från kravets start) fram till datumet. De ändras aldrig.', wrap: true });
  line(text(REPORT_SHEETS.now), { t: 's', v: 'Samma fråga ställd i dag: samma enhet, krav och datum, räknat på det som är registrerat nu (sena registreringar, makuleringar, undantag och rättade anställningar inräknade).', wrap: true });
  line(text(REPORT_SHEETS.changes), { t: 's', v: 'Varje person vars status, förfallodatum eller försening per datumet skiljer sig mellan rapporten och i dag, med orsaken. "ej med": personen räknades inte (inte berörd och inte undantagen).', wrap: true });
  line();
  line(bold('Orsaker, i den ordning de prövas'));
  for (const [reason, why] of REASON_TEXT) line(text(REASON_SV[reason]), { t: 's', v: why, wrap: true });
  return rows;
}

export function reportWorkbook(d: ReportWorkbookData): Uint8Array {
  const r = d.report;
  const tables: [string, Cell[][], boolean][] = [
    [REPORT_SHEETS.reported, figuresSheet(r.unit, r.asOf, r.figures), true],
    [REPORT_SHEETS.now, figuresSheet(r.unit, r.asOf, d.now.figures), true],
    [REPORT_SHEETS.changes, changesSheet(d.changes), true],
    [REPORT_SHEETS.method, methodSheet(d), false],
  ];
  const sheets: SheetSpec[] = tables.map(([name, rows, table]) => ({ name, rows, table }));
  // Widths left out: the writer measures them (`xlsx-writer.ts`), as for the revision's workbook.
  return writeXlsx(sheets, { title: `Kompetenskoll rapport ${r.id} ${r.unit.code} ${r.asOf}`, created: d.generatedAt });
}

export function reportFileName(r: { id: number; unit: { code: string }; asOf: string }): string {
  return `kompetenskoll-rapport-${r.id}-${r.unit.code.replace(/[^A-Za-z0-9._-]/g, '_')}-${r.asOf}.xlsx`;
}
