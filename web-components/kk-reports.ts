import { css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ApiError, apiFetch, fileNameOf, formatNumber, formatPercent, langOf, ok, saveBlob, todayStockholm } from './api.ts';
import { asApiError, KkElement } from './base.ts';
import { UnitSearch } from './unit-search.ts';
import { trendChart } from './trend-chart.ts';
import { icon } from './icons.ts';
import type { StringKey } from './strings/sv.ts';
import { baseStyles, sectionFormStyles } from './styles.ts';
// The answers' shapes are the server's own (type-only imports, erased from the bundle).
import type { Figures } from '../server/domain/coverage.ts';
import type { ChangeReason, ReportChange, Standing } from '../server/domain/report-changes.ts';
import type { FigureSet } from '../server/domain/report-figures.ts';
import type { ReportSummary, ReportView } from '../server/domain/reports.ts';

interface Unit {
  code: string;
  name: string;
}
type RequirementFigures = FigureSet;
type Publisher = ReportView['publishedBy'];
type ReportListed = ReportSummary;
type Report = ReportView;
type Reason = ChangeReason;
type Change = ReportChange;
interface Opened {
  report: Report;
  now: { figures: RequirementFigures[] };
  changes: Change[];
}
type Tab = 'reported' | 'now' | 'changes';

const TABS: [Tab, StringKey][] = [
  ['reported', 'repTabReported'],
  ['now', 'repTabNow'],
  ['changes', 'repTabChanges'],
];
const REASONS: Record<Reason, StringKey> = {
  late_record: 'repReasonLateRecord',
  annulled: 'repReasonAnnulled',
  exemption: 'repReasonExemption',
  roster: 'repReasonRoster',
  requirement: 'repReasonRequirement',
};
const STATUS: Record<string, StringKey> = { completed: 'statusCompleted', started: 'statusStarted', not_started: 'statusNotStarted', exempt: 'statusExempt' };
const COLUMNS: [keyof Figures, StringKey][] = [
  ['population', 'covPopulation'],
  ['completed', 'covCompleted'],
  ['started', 'covStarted'],
  ['notStarted', 'covNotStarted'],
  ['overdue', 'covOverdue'],
  ['exempt', 'covExempt'],
];

/** The last tertial end (30 April, 31 August, 31 December) on or before `today`. */
export function lastTertialEnd(today: string): string {
  const y = Number(today.slice(0, 4));
  const md = today.slice(5);
  if (md >= '12-31') return `${y}-12-31`;
  if (md >= '08-31') return `${y}-08-31`;
  if (md >= '04-30') return `${y}-04-30`;
  return `${y - 1}-12-31`;
}

const meets = (f: Figures) => f.population > 0 && f.gap === 0;

/**
 * The page's print rules, adopted into the host document while a report's printable page is shown:
 * A4 with margins, and everything on the page but that element left out of the print.
 */
let printSheet: CSSStyleSheet | null = null;
function pagePrintSheet(): CSSStyleSheet | null {
  if (printSheet || typeof CSSStyleSheet === 'undefined') return printSheet;
  try {
    printSheet = new CSSStyleSheet();
    printSheet.replaceSync(`@page { size: A4; margin: 16mm 14mm 16mm 14mm; }
@media print {
  body:has(kk-reports[view="print"]) *:not(:has(kk-reports[view="print"])):not(kk-reports[view="print"]) { display: none !important; }
  body:has(kk-reports[view="print"]), body:has(kk-reports[view="print"]) :has(kk-reports[view="print"]) { margin: 0 !important; padding: 0 !important; background: #fff !important; display: block !important; }
}`);
  } catch {
    printSheet = null;
  }
  return printSheet;
}

/**
 * Published reports that stand (rapporter som står sig): a coordinator publishes a tertial report
 * for a unit (its figures are frozen at publishing), and anyone who may read it opens it later
 * with three parts — Rapporterat (the frozen figures per unit against target), Nu (the same
 * counted today, with the difference) and Ändringar (each person whose standing differs, with the
 * reason in words) — downloads its workbook, or shows its printable page (A4: the table per unit,
 * the tertial trend as a chart with a text and table alternative, the analysis, who published it
 * and when, the changes since). Auditors read every unit's reports, managers their units', staff
 * get a short neutral text. What the caller may not do is not offered (GET /api/me's capabilities).
 *
 * While the printable page is shown the element reflects `view="print"` and adds a print sheet to
 * the document (`@page` A4; the rest of the host page is left out of the print), so the browser's
 * own Print prints the report alone.
 *
 * @summary Rapporter som står sig / Reports that stand.
 * @attr api-base - where the API lives (empty: same origin)
 * @attr lang - `sv` (default) or `en`
 * @attr unit - the unit whose reports are listed and published (absent: the caller's own unit, else the top of their reach)
 * @attr report - the id of a report to open at once
 * @attr view - `list` (default) or `print`: the printable page of the open report (reflected)
 * @fires kk-token-request - when no `token` is set; detail `{ resolve(token), reject() }`
 * @fires kk-report-published - a report was published; detail `{ id, title, unit, asOf }`
 * @fires kk-report-opened - a report was opened; detail `{ id, title, unit, asOf }`
 * @fires kk-unit-change - another unit was chosen; detail `{ unit }`
 * @csspart controls - the unit choice and search
 * @csspart section - the publish form, the list and the open report
 * @csspart form - the publish form
 * @csspart table - tables
 * @csspart button - buttons
 * @csspart tabs - the tab list of an open report
 * @csspart chart - the trend chart
 * @csspart print - the printable page
 * @csspart error - an error message
 * @csspart loading - the loading message
 * @cssproperty --kk-color-primary - buttons, links, the trend line
 * @cssproperty --kk-color-target - the target line in the chart
 * @cssproperty --kk-color-text - text
 * @cssproperty --kk-color-danger - errors, below target
 * @cssproperty --kk-font-family - font
 */
@customElement('kk-reports')
export class KkReports extends KkElement {
  static override styles = [
    baseStyles,
    sectionFormStyles,
    css`
      textarea { min-height: 5rem; }
      .buttons { display: flex; gap: 0.75rem; flex-wrap: wrap; margin: 0.5rem 0; }
      .find { display: flex; flex-wrap: wrap; gap: 0.75rem 1rem; align-items: flex-end; margin: 0 0 0.5rem; }
      .find .field { margin: 0; }
      .hits { list-style: none; margin: 0.25rem 0 0; padding: 0; max-width: 36rem; }
      .hits li { border-bottom: 1px solid #e1e4e8; }
      .hits button { width: 100%; justify-content: flex-start; min-height: 2.75rem; font-weight: normal; }
      [role='tablist'] { display: flex; flex-wrap: wrap; gap: 0.25rem; border-bottom: 2px solid var(--_border); margin: 0.75rem 0 0.5rem; }
      [role='tab'] { background: var(--_surface); color: var(--_primary); border: 2px solid var(--_border); border-bottom: none; border-radius: var(--_radius) var(--_radius) 0 0; }
      [role='tab'][aria-selected='true'] { background: var(--_primary); color: var(--_on-primary); border-color: var(--_primary); }
      [role='tabpanel'] { padding: 0.25rem 0; }
      .meta { color: var(--_muted); }
      .analysis { white-space: pre-wrap; background: var(--_subtle); border-left: 4px solid var(--_primary); padding: 0.5rem 0.75rem; }
      tr.total th, tr.total td { font-weight: 700; border-bottom: 2px solid var(--_border); }
      .chart { margin: 0.25rem 0; }
      .chart > svg { width: 100%; max-width: 32rem; height: auto; display: block; }
      .chart text { font-size: 11px; fill: #454545; }
      .legend { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; margin: 0.25rem 0; font-size: 0.9rem; color: var(--_muted); }
      .legend span { display: inline-flex; align-items: center; gap: 0.35rem; }
      .print h2 { font-size: 1.5rem; }
      .print dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; margin: 0 0 0.75rem; }
      .print dt { font-weight: 600; }
      .print dd { margin: 0; }
      .print .req { margin-top: 1rem; }
      @media print {
        :host { border: none; padding: 0; font-size: 10pt; color: #000; background: #fff; }
        .no-print { display: none !important; }
        .print h2 { font-size: 16pt; margin-top: 0; }
        h3 { font-size: 12pt; break-after: avoid; }
        table { font-size: 7.5pt; }
        th, td { padding: 0.15rem 0.2rem; }
        .status { white-space: normal; }
        th { background: #eee; }
        tr, .chart, .analysis, dl { break-inside: avoid; }
        thead { display: table-header-group; }
        .table-wrap { overflow: visible; }
        .chart > svg { max-width: 12cm; }
        th.num, td.num { white-space: normal; }
        th { hyphens: auto; }
      }
    `,
  ];

  /** The unit whose reports are listed and published. */
  @property() unit = '';
  /** A report to open at once (its id). */
  @property() report = '';
  /** `list` or `print` (the printable page of the open report); reflected for the page's print rules. */
  @property({ reflect: true }) view: 'list' | 'print' = 'list';

  @state() private chosen: Unit | null = null;
  @state() private nothing = false;
  @state() private reports: ReportListed[] | null = null;
  @state() private requirements: { code: string; title: string; titleEn?: string | null }[] = [];
  @state() private opened: Opened | null = null;
  @state() private openError: ApiError | null = null;
  @state() private tab: Tab = 'reported';
  @state() private form = { title: '', asOf: lastTertialEnd(todayStockholm()), analysis: '', requirements: [] as string[] };
  @state() private formError: ApiError | null = null;
  @state() private publishing = false;
  @state() private said = '';
  private finder = new UnitSearch(this, (e) => (this.error = asApiError(e, this.lang)));

  protected override loadKey() {
    return JSON.stringify([this.unit, this.report]);
  }

  override willUpdate(changed: PropertyValues) {
    super.willUpdate(changed);
    // Someone else signed in (the portal's switch): their units, their reports.
    if (changed.has('token') || changed.has('apiBase') || changed.has('unit')) {
      this.chosen = null;
      this.reports = null;
      this.opened = null;
      this.openError = null;
      this.finder.reset();
      if (changed.get('token') !== undefined || changed.get('apiBase') !== undefined) this.view = 'list';
    }
  }

  override updated(changed: PropertyValues) {
    super.updated(changed);
    if (changed.has('view')) this.adoptPrintSheet(this.view === 'print');
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.adoptPrintSheet(false);
  }

  private adoptPrintSheet(on: boolean) {
    const sheet = pagePrintSheet();
    if (!sheet || typeof document === 'undefined') return;
    const others = document.adoptedStyleSheets.filter((s) => s !== sheet);
    // Kept while any element on the page shows its printable page.
    const anyPrinting = on || !!document.querySelector('kk-reports[view="print"]');
    document.adoptedStyleSheets = anyPrinting && this.isConnected ? [...others, sheet] : others;
  }

  private requirementTitle(r: { code: string; title: string; titleEn?: string | null }) {
    return (langOf(this.lang) === 'en' && r.titleEn) || r.title;
  }

  private date(iso: string) {
    return iso.slice(0, 10);
  }

  private when(iso: string) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return new Intl.DateTimeFormat(langOf(this.lang) === 'en' ? 'en-GB' : 'sv-SE', { timeZone: 'Europe/Stockholm', dateStyle: 'short', timeStyle: 'short' }).format(d);
  }

  private by(p: Publisher) {
    return p.name ? `${p.name} (${p.employeeNumber})` : p.employeeNumber;
  }

  private async focusOn(selector: string) {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  protected override async load(signal: { stale(): boolean }) {
    this.nothing = false;
    const me = await this.askWho();
    if (signal.stale()) return;
    if (me && !this.may('report.read') && !this.may('report.publish')) {
      this.nothing = true;
      return;
    }
    if (this.may('report.publish') && !this.requirements.length) {
      const r = await ok(this.client.api.requirements.$get());
      if (signal.stale()) return;
      this.requirements = r.requirements;
      if (!this.form.requirements.length && this.requirements.length) this.form = { ...this.form, requirements: [this.requirements[0].code] };
    }
    if (!this.chosen || (this.unit && this.chosen.code !== this.unit)) {
      let start: Unit | null = null;
      if (this.unit) start = me?.units.find((u) => u.code === this.unit) ?? { code: this.unit, name: this.unit };
      else if (me?.units.length) start = me.units[0];
      else {
        const top = await ok(this.client.api.units.$get({ query: { q: '' } }));
        if (signal.stale()) return;
        if (top.units.length) start = { code: top.units[0].code, name: top.units[0].name };
      }
      if (!start) {
        this.nothing = true;
        return;
      }
      this.chosen = start;
    }
    await this.loadList(signal);
    if (this.report && String(this.opened?.report.id) !== this.report) await this.open(this.report, { focus: false });
  }

  private async loadList(signal?: { stale(): boolean }) {
    if (!this.chosen) return;
    const answer = await ok(this.client.api.reports.$get({ query: { unit: this.chosen.code } }));
    if (signal?.stale()) return;
    this.reports = [...answer.reports].sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : -1));
    // The unit's name as the API knows it (a `unit` attribute gives only the code).
    const named = answer.reports.find((r) => r.unit.code === this.chosen?.code);
    if (named && this.chosen.name === this.chosen.code) this.chosen = named.unit;
  }

  private async choose(u: Unit) {
    this.chosen = u;
    this.finder.reset();
    this.opened = null;
    this.fire('kk-unit-change', { unit: u.code });
    try {
      await this.loadList();
      this.said = this.t('repUnitShown', { unit: u.name });
    } catch (e) {
      this.error = asApiError(e, this.lang);
    }
  }

  private async open(id: string | number, opts: { focus?: boolean } = {}) {
    this.openError = null;
    try {
      // hono/client does not encode path parameters.
      const answer: Opened = await ok(this.client.api.reports[':id'].$get({ param: { id: encodeURIComponent(String(id)) } }));
      this.opened = answer;
      this.tab = 'reported';
      const r = answer.report;
      this.fire('kk-report-opened', { id: r.id, title: r.title, unit: r.unit.code, asOf: r.asOf });
      if (opts.focus !== false) await this.focusOn(this.view === 'print' ? '#print-heading' : '#report-heading');
    } catch (e) {
      this.opened = null;
      this.openError = asApiError(e, this.lang);
    }
  }

  private async close() {
    const id = this.opened?.report.id;
    this.opened = null;
    this.view = 'list';
    await this.focusOn(`tr[data-id="${id}"] button`);
  }

  private async publish(e: Event) {
    e.preventDefault();
    const f = this.form;
    if (!f.title.trim()) {
      this.formError = new ApiError(400, this.t('repNeedTitle'));
      return this.focusOn('#rep-title');
    }
    if (!f.requirements.length) {
      this.formError = new ApiError(400, this.t('repNeedRequirement'));
      return this.focusOn('#rep-reqs input');
    }
    this.publishing = true;
    try {
      const body = { title: f.title.trim(), unit: this.chosen!.code, requirements: f.requirements, asOf: f.asOf, analysis: f.analysis.trim() || null };
      const r: Report = await ok(this.client.api.reports.$post({ json: body }));
      this.formError = null;
      this.fire('kk-report-published', { id: r.id, title: r.title, unit: r.unit.code, asOf: r.asOf });
      this.said = this.t('repPublished', { title: r.title });
      this.form = { ...this.form, title: '', analysis: '' };
      await this.loadList();
      await this.open(r.id);
    } catch (err) {
      this.formError = asApiError(err, this.lang);
      await this.focusOn('#rep-form-error');
    } finally {
      this.publishing = false;
    }
  }

  private async download() {
    const r = this.opened?.report;
    if (!r) return;
    try {
      const res = await apiFetch(this, this.url(`/api/reports/${encodeURIComponent(String(r.id))}.xlsx`), {
        headers: { accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      });
      saveBlob(await res.blob(), fileNameOf(res, `rapport-${r.id}.xlsx`));
      this.said = this.t('repSaved');
    } catch (e) {
      this.openError = asApiError(e, this.lang);
    }
  }

  private async showPrint() {
    this.view = 'print';
    await this.focusOn('#print-heading');
  }

  private async leavePrint() {
    this.view = 'list';
    await this.focusOn('#print-view-button');
  }

  private selectTab(tab: Tab, focus = false) {
    this.tab = tab;
    if (focus) void this.focusOn(`#tab-${tab}`);
  }

  private tabKeys(e: KeyboardEvent) {
    const i = TABS.findIndex(([t]) => t === this.tab);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    this.selectTab(TABS[(next + TABS.length) % TABS.length][0], true);
  }

  // --- rendering ---

  override render() {
    if (this.view === 'print' && this.opened) return this.renderPrint(this.opened);
    // A page that asks for one report's printable page shows only that, once it has come.
    if (this.view === 'print' && this.report && !this.error && !this.openError && !this.nothing) return this.renderLoading('repLoading');
    return html`<section aria-labelledby="rep-heading">
      <h2 id="rep-heading">${this.t('repTitle')}</h2>
      ${this.renderError()}
      ${this.busy && !this.reports && !this.nothing ? this.renderLoading('repLoading') : nothing}
      <p class="visually-hidden" role="status">${this.said}</p>
      ${this.nothing
        ? html`<p class="empty" data-state="nothing">${this.t('repNothing')}</p>`
        : html`${this.renderFind()}${this.chosen && this.may('report.publish') ? this.renderForm() : nothing}${this.renderList()}${this.renderOpened()}`}
    </section>`;
  }

  private renderFind() {
    const own = this.me?.units ?? [];
    const searches = this.holds('auditor', 'admin');
    if (own.length < 2 && !searches) return this.chosen ? html`<p><strong>${this.t('repUnitChoice')}:</strong> ${this.chosen.name}</p>` : nothing;
    return html`<div class="find" part="controls">
      ${own.length > 1
        ? html`<div class="field"><label for="rep-unit">${this.t('covOwnUnit')}</label>
            <select id="rep-unit" @change=${(e: Event) => {
              const u = own.find((x) => x.code === (e.target as HTMLSelectElement).value);
              if (u) void this.choose(u);
            }}>${own.map((u) => html`<option value=${u.code} ?selected=${u.code === this.chosen?.code}>${u.name}</option>`)}</select></div>`
        : nothing}
      ${searches
        ? this.finder.render((k, p) => this.t(k, p), {
            input: 'rep-unit-search',
            list: 'rep-hits',
            hit: (u) => `${u.name} (${u.code})`,
            choose: (u) => void this.choose({ code: u.code, name: u.name }),
          })
        : nothing}
      ${this.chosen ? html`<p id="rep-unit-shown"><strong>${this.t('repUnitShown', { unit: this.chosen.name })}</strong></p>` : nothing}
    </div>`;
  }

  private renderForm() {
    const f = this.form;
    const set = (k: 'title' | 'asOf' | 'analysis') => (e: Event) => (this.form = { ...this.form, [k]: (e.target as HTMLInputElement).value });
    const toggle = (code: string, on: boolean) =>
      (this.form = { ...this.form, requirements: on ? [...new Set([...this.form.requirements, code])] : this.form.requirements.filter((c) => c !== code) });
    return html`<section class="part" part="section" aria-labelledby="rep-publish-title">
      <h3 id="rep-publish-title">${this.t('repPublishTitle')}</h3>
      <p class="hint">${this.t('repPublishIntro')}</p>
      <form part="form" novalidate aria-labelledby="rep-publish-title" @submit=${this.publish}>
        <div class="grid">
          ${this.field('rep-title', 'repTitleField', html`<input id="rep-title" type="text" required aria-required="true" aria-describedby="rep-title-hint" .value=${f.title} @input=${set('title')} />`, { hint: 'repTitleHint' })}
          ${this.field('rep-asof', 'repAsOf', html`<input id="rep-asof" type="date" required aria-required="true" aria-describedby="rep-asof-hint" .value=${f.asOf} @input=${set('asOf')} />`, { hint: 'repAsOfHint' })}
          <fieldset class="wide" id="rep-reqs"><legend>${this.t('repRequirements')}</legend>
            ${this.requirements.map((r) => html`<label class="check"><input type="checkbox" value=${r.code} .checked=${f.requirements.includes(r.code)}
              @change=${(e: Event) => toggle(r.code, (e.target as HTMLInputElement).checked)} />${this.requirementTitle(r)} (${r.code})</label>`)}
          </fieldset>
          ${this.field('rep-analysis', 'repAnalysis', html`<textarea id="rep-analysis" aria-describedby="rep-analysis-hint" .value=${f.analysis} @input=${set('analysis')}></textarea>`, { wide: true, hint: 'repAnalysisHint' })}
        </div>
        <p><strong>${this.t('repUnitChoice')}:</strong> ${this.chosen?.name}</p>
        ${this.formError ? html`<div id="rep-form-error" tabindex="-1">${this.renderError(this.formError, false)}</div>` : nothing}
        <div class="buttons"><button type="submit" part="button" ?disabled=${this.publishing}>${this.t('repPublish')}</button></div>
      </form>
    </section>`;
  }

  private renderList() {
    const list = this.reports;
    if (!list || !this.chosen) return nothing;
    return html`<section class="part" part="section" aria-labelledby="rep-list-title">
      <h3 id="rep-list-title">${this.t('repListTitle')}</h3>
      ${list.length
        ? html`<div class="table-wrap" tabindex="0" role="region" aria-labelledby="rep-list-title"><table part="table" id="rep-list">
            <caption>${this.t('repListCaption', { unit: this.chosen.name })}</caption>
            <thead><tr><th scope="col">${this.t('repTitleField')}</th><th scope="col">${this.t('repAsOf')}</th><th scope="col">${this.t('repRequirements')}</th>
              <th scope="col">${this.t('repPublishedAt')}</th><th scope="col">${this.t('repPublishedBy')}</th><th scope="col"><span class="visually-hidden">${this.t('repOpen')}</span></th></tr></thead>
            <tbody>${list.map((r) => html`<tr data-id=${r.id}>
              <th scope="row">${r.title}</th><td>${r.asOf}</td><td>${r.requirements.join(', ')}</td><td>${this.when(r.publishedAt)}</td><td>${this.by(r.publishedBy)}</td>
              <td><button type="button" class="secondary" part="button" aria-label=${this.t('repOpenNamed', { title: r.title })} @click=${() => this.open(r.id)}>${this.t('repOpen')}</button></td>
            </tr>`)}</tbody>
          </table></div>`
        : html`<p class="empty" data-state="no-reports">${this.t('repNone', { unit: this.chosen.name })}</p>`}
    </section>`;
  }

  private renderOpened() {
    if (this.openError) return html`<div id="rep-open-error">${this.renderError(this.openError, false)}</div>`;
    const o = this.opened;
    if (!o) return nothing;
    const r = o.report;
    return html`<section class="part" part="section" aria-labelledby="report-heading" id="report">
      <h3 id="report-heading" tabindex="-1">${r.title}</h3>
      <p class="meta">${this.t('repMeta', { unit: r.unit.name, asOf: r.asOf, at: this.when(r.publishedAt), by: this.by(r.publishedBy) })}</p>
      ${r.analysis ? html`<p class="analysis">${r.analysis}</p>` : nothing}
      <div class="buttons">
        <button type="button" part="button" class="secondary" id="download" @click=${() => this.download()}>${icon('download')} ${this.t('repDownload')}</button>
        <button type="button" part="button" class="secondary" id="print-view-button" @click=${() => this.showPrint()}>${this.t('repPrintView')}</button>
        <button type="button" part="button" class="secondary" @click=${() => this.close()}>${this.t('repClose')}</button>
      </div>
      <div role="tablist" part="tabs" aria-label=${this.t('repTabs')} @keydown=${this.tabKeys}>
        ${TABS.map(([tab, label]) => html`<button type="button" role="tab" id="tab-${tab}" aria-controls="panel-${tab}" aria-selected=${this.tab === tab ? 'true' : 'false'}
          tabindex=${this.tab === tab ? '0' : '-1'} @click=${() => this.selectTab(tab)}>${this.t(label)}${tab === 'changes' ? ` (${o.changes.length})` : ''}</button>`)}
      </div>
      ${TABS.map(([tab]) => html`<div role="tabpanel" id="panel-${tab}" aria-labelledby="tab-${tab}" tabindex="0" ?hidden=${this.tab !== tab}>
        ${this.tab === tab ? this.renderPanel(tab, o) : nothing}</div>`)}
    </section>`;
  }

  private renderPanel(tab: Tab, o: Opened) {
    const r = o.report;
    if (tab === 'reported') return html`<p>${this.t('repReportedIntro')}</p>${r.figures.map((f) => this.renderFigures(f, r))}`;
    if (tab === 'now') return html`<p>${this.t('repNowIntro')}</p>${o.now.figures.map((f) => this.renderNow(f, r.figures.find((x) => x.requirement.code === f.requirement.code), r))}`;
    return html`<p>${this.t('repChangesIntro', { asOf: r.asOf })}</p>${this.renderChanges(o)}`;
  }

  /** A wide table scrolls inside its own box on a narrow screen; the box is then reachable by keyboard. */
  private wrap(label: string, table: unknown) {
    return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${label}>${table}</div>`;
  }

  private meetsCell(f: Figures) {
    if (f.population === 0) return html`<span class="status">${icon('not_started')} ${this.t('covNoPopulation')}</span>`;
    return meets(f) ? html`<span class="status ok">${icon('completed')} ${this.t('covReached')}</span>` : html`<span class="status bad">${icon('below')} ${this.t('covBelow')}</span>`;
  }

  private figureCells(f: Figures) {
    const n = (x: number | undefined) => formatNumber(this.lang, x ?? 0);
    return html`${COLUMNS.map(([k]) => html`<td class="num" data-col=${k}>${n(f[k] as number | undefined)}</td>`)}
      <td class="num" data-col="rate">${f.rate === null ? this.t('none') : formatPercent(this.lang, f.rate)}</td>
      <td class="num" data-col="target">${formatPercent(this.lang, f.target)}</td>
      <td class="num" data-col="gap">${n(f.gap)}</td>
      <td>${this.meetsCell(f)}</td>`;
  }

  private renderFigures(f: RequirementFigures, r: Report, print = false) {
    const title = this.requirementTitle(f.requirement);
    const table = html`<table part="table" data-requirement=${f.requirement.code} data-view="reported">
      <caption>${this.t('repFiguresCaption', { requirement: title, asOf: r.asOf })}</caption>
      <thead><tr><th scope="col">${this.t('covUnitColumn')}</th>${COLUMNS.map(([, label]) => html`<th scope="col" class="num">${this.t(label)}</th>`)}
        <th scope="col" class="num">${this.t('covRate')}</th><th scope="col" class="num">${this.t('covTarget')}</th><th scope="col" class="num">${this.t('covGap')}</th><th scope="col">${this.t('repAgainst')}</th></tr></thead>
      <tbody>
        <tr class="total" data-unit=${r.unit.code}><th scope="row">${this.t('repTotalRow', { unit: r.unit.name })}</th>${this.figureCells(f.total)}</tr>
        ${f.children.map((c) => html`<tr data-unit=${c.unit.code}><th scope="row">${c.unit.name}</th>${this.figureCells(c)}</tr>`)}
      </tbody>
    </table>`;
    // On the printable page a requirement is a section of its own (h3 under the report's h2).
    return html`${print ? html`<h3>${title} (${f.requirement.code})</h3>` : html`<h4>${title} (${f.requirement.code})</h4>`}
      ${this.wrap(this.t('repFiguresCaption', { requirement: title, asOf: r.asOf }), table)}`;
  }

  private diff(now: Figures, then: Figures | undefined) {
    if (!then) return this.t('none');
    const signed = (x: number, digits = 0) =>
      new Intl.NumberFormat(langOf(this.lang) === 'en' ? 'en-GB' : 'sv-SE', { signDisplay: 'exceptZero', maximumFractionDigits: digits }).format(x);
    const parts: string[] = [];
    if (now.completed !== then.completed) parts.push(this.t('repDiffCompleted', { n: signed(now.completed - then.completed) }));
    if (now.population !== then.population) parts.push(this.t('repDiffPopulation', { n: signed(now.population - then.population) }));
    if (now.rate !== null && then.rate !== null && Math.round((now.rate - then.rate) * 1000) !== 0) parts.push(this.t('repDiffRate', { n: signed(Math.round((now.rate - then.rate) * 1000) / 10, 1) }));
    return parts.length ? parts.join(', ') : this.t('repDiffNone');
  }

  private renderNow(f: RequirementFigures, then: RequirementFigures | undefined, r: Report) {
    const title = this.requirementTitle(f.requirement);
    const n = (x: number) => formatNumber(this.lang, x);
    const row = (label: unknown, now: Figures, was: Figures | undefined, code: string, total = false) => html`<tr class=${total ? 'total' : ''} data-unit=${code}>
      <th scope="row">${label}</th><td class="num" data-col="population">${n(now.population)}</td><td class="num" data-col="completed">${n(now.completed)}</td>
      <td class="num" data-col="rate">${now.rate === null ? this.t('none') : formatPercent(this.lang, now.rate)}</td>
      <td class="num" data-col="reported-rate">${was ? (was.rate === null ? this.t('none') : formatPercent(this.lang, was.rate)) : this.t('none')}</td>
      <td data-col="diff">${this.diff(now, was)}</td><td>${this.meetsCell(now)}</td></tr>`;
    const caption = this.t('repNowCaption', { requirement: title, asOf: r.asOf });
    return html`<h4>${title} (${f.requirement.code})</h4>
      ${this.wrap(caption, html`<table part="table" data-requirement=${f.requirement.code} data-view="now">
        <caption>${caption}</caption>
        <thead><tr><th scope="col">${this.t('covUnitColumn')}</th><th scope="col" class="num">${this.t('covPopulation')}</th><th scope="col" class="num">${this.t('covCompleted')}</th>
          <th scope="col" class="num">${this.t('covRate')}</th><th scope="col" class="num">${this.t('repReportedRate')}</th><th scope="col">${this.t('repDiff')}</th><th scope="col">${this.t('repAgainst')}</th></tr></thead>
        <tbody>
          ${row(this.t('repTotalRow', { unit: r.unit.name }), f.total, then?.total, r.unit.code, true)}
          ${f.children.map((c) => row(c.unit.name, c, then?.children.find((x) => x.unit.code === c.unit.code), c.unit.code))}
        </tbody>
      </table>`)}`;
  }

  private standing(s: Standing | null) {
    if (!s) return this.t('repNotIncluded');
    const status = this.t(STATUS[s.status] ?? 'none');
    const parts = [s.overdue ? `${status}, ${this.t('overdue').toLowerCase()}` : status];
    if (s.dueDate && s.status !== 'completed' && s.status !== 'exempt') parts.push(this.t('repDueOn', { date: s.dueDate }));
    return parts.join(', ');
  }

  private renderChanges(o: Opened) {
    if (!o.changes.length) return html`<p class="empty" data-state="no-changes">${this.t('repNoChanges')}</p>`;
    const caption = this.t('repChangesCount', { n: o.changes.length });
    const table = html`<table part="table" id="changes-table">
      <caption>${caption}</caption>
      <thead><tr><th scope="col">${this.t('repPerson')}</th><th scope="col">${this.t('unitLabel')}</th><th scope="col">${this.t('requirementLabel')}</th>
        <th scope="col">${this.t('repReportedStatus')}</th><th scope="col">${this.t('repNowStatus')}</th><th scope="col">${this.t('repReason')}</th></tr></thead>
      <tbody>${o.changes.map((c) => html`<tr data-person=${c.employeeNumber} data-reason=${c.reason}>
        <th scope="row">${c.name} (${c.employeeNumber})</th><td>${c.unit.name}</td>
        <td>${c.requirement}</td>
        <td>${this.standing(c.reported)}</td><td>${this.standing(c.now)}</td><td>${this.t(REASONS[c.reason] ?? 'none')}</td></tr>`)}</tbody>
    </table>`;
    return this.wrap(caption, table);
  }

  // --- the printable page ---

  private renderPrint(o: Opened) {
    const r = o.report;
    return html`<article class="print" part="print" aria-labelledby="print-heading">
      <div class="buttons no-print">
        <button type="button" part="button" id="print-button" @click=${() => window.print()}>${this.t('repPrint')}</button>
        <button type="button" part="button" class="secondary" id="print-back" @click=${() => this.leavePrint()}>${this.t('repBack')}</button>
      </div>
      <p class="hint no-print">${this.t('repPrintNote')}</p>
      <h2 id="print-heading" tabindex="-1">${r.title}</h2>
      <dl>
        <dt>${this.t('unitLabel')}</dt><dd>${r.unit.name} (${r.unit.code})</dd>
        <dt>${this.t('repAsOf')}</dt><dd>${r.asOf}</dd>
        <dt>${this.t('repPublishedAt')}</dt><dd>${this.when(r.publishedAt)}</dd>
        <dt>${this.t('repPublishedBy')}</dt><dd>${this.by(r.publishedBy)}</dd>
      </dl>
      ${r.figures.map((f) => {
        const now = o.now.figures.find((x) => x.requirement.code === f.requirement.code);
        return html`<section class="req" data-requirement=${f.requirement.code}>
          ${this.renderFigures(f, r, true)}
          ${now
            ? html`<p data-col="now-summary">${this.t('repNowSummary', {
                rate: formatPercent(this.lang, now.total.rate),
                completed: formatNumber(this.lang, now.total.completed),
                population: formatNumber(this.lang, now.total.population),
                reportedRate: formatPercent(this.lang, f.total.rate),
                reportedCompleted: formatNumber(this.lang, f.total.completed),
                reportedPopulation: formatNumber(this.lang, f.total.population),
              })}</p>`
            : nothing}
          ${this.renderTrend(f, r)}
        </section>`;
      })}
      <h3>${this.t('repAnalysis')}</h3>
      ${r.analysis ? html`<p class="analysis" id="print-analysis">${r.analysis}</p>` : html`<p class="empty">${this.t('repAnalysisNone')}</p>`}
      <h3>${this.t('repChangesSince')}</h3>
      ${this.renderChanges(o)}
      <p class="meta">${this.t('repPublishedLine', { at: this.when(r.publishedAt), by: this.by(r.publishedBy) })}</p>
    </article>`;
  }

  private renderTrend(f: RequirementFigures, r: Report) {
    const title = this.requirementTitle(f.requirement);
    const points = f.trend ?? [];
    const heading = html`<h4>${this.t('repTrend', { requirement: title })}</h4>`;
    if (!points.length || points.every((p) => p.population === 0)) return html`${heading}<p class="empty">${this.t('repNoTrend')}</p>`;
    const first = points[0];
    const last = points[points.length - 1];
    const target = f.total.target;
    const altId = `alt-${f.requirement.code}`;
    const alt = this.t('repTrendAlt', {
      unit: r.unit.name,
      requirement: title,
      from: first.asOf,
      fromRate: formatPercent(this.lang, first.rate),
      to: last.asOf,
      toRate: formatPercent(this.lang, last.rate),
      target: formatPercent(this.lang, target),
    });
    return html`${heading}<figure class="chart" part="chart">
      ${trendChart(points, target, { width: 360, height: 160, left: 38, bottom: 24, right: 12, dot: 3.5 }, altId, { rate: this.t('covRate'), target: `${this.t('covTarget')} ${formatPercent(this.lang, target)}` })}
      <figcaption id=${altId} class="hint">${alt}</figcaption>
    </figure>
    ${this.wrap(this.t('repTrend', { requirement: title }), html`<table part="table" data-trend=${f.requirement.code}>
      <caption>${this.t('repTrendCaption')}</caption>
      <thead><tr><th scope="col">${this.t('covTrendDate')}</th><th scope="col" class="num">${this.t('covPopulation')}</th><th scope="col" class="num">${this.t('covCompleted')}</th><th scope="col" class="num">${this.t('covRate')}</th></tr></thead>
      <tbody>${points.map((p) => html`<tr><th scope="row">${p.asOf}</th><td class="num">${formatNumber(this.lang, p.population)}</td><td class="num">${formatNumber(this.lang, p.completed)}</td><td class="num">${formatPercent(this.lang, p.rate)}</td></tr>`)}</tbody>
    </table>`)}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kk-reports': KkReports;
  }
}
