import { css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ApiError, apiFetch, fileNameOf, formatNumber, formatPercent, ok, saveBlob, todayStockholm, type Answer, type Client } from './api.ts';
import { asApiError, KkElement } from './base.ts';
import { UnitSearch } from './unit-search.ts';
import { trendChart } from './trend-chart.ts';
import { baseStyles } from './styles.ts';
import { icon } from './icons.ts';
import { STATUS_KEY } from './kk-my-training.ts';
import type { StringKey } from './strings/sv.ts';

// The API's own type (erased at build time): the element shows exactly what the engine answers.
import type { Figures } from '../server/domain/coverage.ts';
export type { Figures };
type CoverageAnswer = Answer<Client['api']['coverage']['$get']>;
type Unit = CoverageAnswer['unit'];
type Person = Answer<Client['api']['coverage']['people']['$get']>['people'][number];
type RequirementView = Answer<Client['api']['requirements']['$get']>['requirements'][number];

/** The people list's filters: the API's `status` values ('' = everyone). */
const PEOPLE_FILTERS: [string, StringKey][] = [
  ['not_completed', 'covFilterNotDone'],
  ['overdue', 'covFilterOverdue'],
  ['not_started', 'statusNotStarted'],
  ['started', 'statusStarted'],
  ['completed', 'statusCompleted'],
  ['', 'covFilterAll'],
];
type PeopleSortKey = 'name' | 'employeeNumber' | 'place' | 'status' | 'dueDate';
const STATUS_ORDER = { not_started: 0, started: 1, completed: 2, exempt: 3 } as const;
const placeOf = (p: Person) => [p.forvaltning, p.avdelning, p.unit.name].filter((x, i, all) => x && all.indexOf(x) === i).join(' › ');
type NudgeAnswer = Answer<Client['api']['reminders']['nudge']['$post']>;

type SortKey = 'name' | 'population' | 'completed' | 'started' | 'notStarted' | 'overdue' | 'rate' | 'gap';
const NUMBER_COLUMNS: { key: Exclude<SortKey, 'name' | 'rate'>; label: StringKey }[] = [
  { key: 'population', label: 'covPopulation' },
  { key: 'completed', label: 'covCompleted' },
  { key: 'started', label: 'covStarted' },
  { key: 'notStarted', label: 'covNotStarted' },
  { key: 'overdue', label: 'covOverdue' },
  { key: 'gap', label: 'covGap' },
];
const PEOPLE_SHOWN = 100;

function meetsTarget(f: Figures) {
  return f.population > 0 && f.gap === 0;
}

/**
 * Coverage of one unit for one requirement on a date: its figures, its child units with a bar
 * against the target, drill-down with a breadcrumb back, the staff not done (for those allowed to
 * see names) and the trend per tertial.
 *
 * @summary Täckningsgrad / Coverage.
 * @attr unit - the unit code to start from, e.g. STHLM or HAV
 * @attr requirement - the requirement code, e.g. VBE-ALLA (default: the first requirement)
 * @attr as-of - the date, YYYY-MM-DD (default today)
 * @attr api-base - where the API lives
 * @attr lang - `sv` (default) or `en`
 * @fires kk-token-request - when no `token` is set; detail `{ resolve(token), reject() }`
 * @fires kk-unit-change - the unit shown changed by drill-down or breadcrumb; detail `{ unit }`
 * @fires kk-loaded - after figures are shown; detail `{ unit, requirement, asOf }`
 * @csspart controls - the date and requirement pickers
 * @csspart breadcrumb - the path of units
 * @csspart summary - the unit's own figures
 * @csspart table - the table of child units
 * @csspart bar - a rate bar
 * @csspart bar-fill - the filled part of a rate bar
 * @csspart target - the target line on a bar and the chart
 * @csspart trend - the trend chart
 * @csspart people - the list of staff not done
 * @csspart button - buttons
 * @csspart error - an error message
 * @csspart loading - the loading message
 * @cssproperty --kk-color-primary - bars, links and buttons
 * @cssproperty --kk-color-target - the target line
 * @cssproperty --kk-color-text - text
 * @cssproperty --kk-color-danger - overdue and errors
 * @cssproperty --kk-color-success - target met
 * @cssproperty --kk-font-family - font
 */
@customElement('kk-unit-coverage')
export class KkUnitCoverage extends KkElement {
  static override styles = [
    baseStyles,
    css`
      nav ol { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem; padding: 0; margin: 0 0 0.75rem; }
      nav li + li::before { content: '›'; color: var(--_muted); margin-right: 0.25rem; }
      nav [aria-current] { font-weight: 600; }
      .summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(8.5rem, 1fr)); gap: 0.5rem; margin: 0 0 1rem; }
      .summary div { background: var(--_subtle); border-radius: var(--_radius); padding: 0.5rem 0.7rem; }
      .summary dt { color: var(--_muted); font-size: 0.9rem; }
      .summary dd { margin: 0; font-size: 1.35rem; font-weight: 700; font-variant-numeric: tabular-nums; }
      /* Nine columns fit a 1280 px page (the demo's, the intranet's) without clipping: names wrap. */
      .bar-cell { min-width: 6.5rem; }
      tbody th { min-width: 8rem; }
      thead th.num { white-space: normal; }
      th, td { padding: 0.4rem 0.3rem; }
      .legend { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; margin: 0.25rem 0; font-size: 0.9rem; color: var(--_muted); }
      .legend span { display: inline-flex; align-items: center; gap: 0.35rem; white-space: nowrap; }
      .bar { position: relative; height: 0.9rem; background: #e4e7eb; border-radius: 3px; border: 1px solid #767676; margin-top: 0.2rem; }
      .bar-fill { height: 100%; background: var(--_primary); border-radius: 2px 0 0 2px; }
      .target { position: absolute; top: -0.3rem; bottom: -0.3rem; width: 3px; background: var(--kk-color-target, #1b1b1b); }
      .rate { font-weight: 600; }
      th button.sort { background: none; border: none; color: inherit; padding: 0; min-height: 0; font-weight: 600; text-align: inherit; }
      th.num button.sort { margin-left: auto; }
      td button.link { font-weight: 600; }
      .trend svg { width: 100%; max-width: 30rem; height: auto; display: block; }
      .trend text { font-size: 11px; fill: var(--_muted); }
      details { margin-top: 0.5rem; }
      summary { cursor: pointer; color: var(--_primary); }
      .people-head { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; }
      .trend { max-width: 40rem; }
      .find { display: flex; flex-wrap: wrap; gap: 0.75rem 1rem; align-items: flex-end; margin: 0 0 1rem; }
      .find .field { margin: 0; }
      .hits { list-style: none; margin: 0.25rem 0 0; padding: 0; max-width: 36rem; }
      .hits li { border-bottom: 1px solid #e1e4e8; }
      .hits button { width: 100%; text-align: left; justify-content: flex-start; min-height: 2.75rem; padding: 0.35rem 0.5rem; font-weight: normal; }
      .hits .where { color: var(--_muted); font-size: 0.9rem; }
      .people-tools { display: flex; flex-wrap: wrap; gap: 0.75rem 1rem; align-items: flex-end; margin: 0.5rem 0 0.75rem; }
      .people-tools .field { margin: 0; }
      .note { background: var(--_subtle); border-left: 4px solid var(--_primary); padding: 0.4rem 0.7rem; }
    `,
  ];

  /** The unit to start from; without it (or outside the caller's reach) the caller's own unit. */
  @property() unit = '';
  @property() requirement = '';
  @property({ attribute: 'as-of' }) asOf = '';

  /** The drill-down path below `unit`: codes and names, the last one shown. */
  @state() private path: Unit[] = [];
  @state() private data: CoverageAnswer | null = null;
  @state() private requirements: RequirementView[] = [];
  @state() private trend: ({ asOf: string } & Figures)[] | null = null;
  @state() private trendError: ApiError | null = null;
  @state() private people: Person[] | null = null;
  @state() private peopleOpen = false;
  @state() private peopleError: ApiError | null = null;
  @state() private peopleBusy = false;
  @state() private nudgeBusy = false;
  @state() private nudged: NudgeAnswer | null = null;
  @state() private nudgeError: ApiError | null = null;
  /** A 403 on the nudge when /api/me was not known: the caller may see names but not remind; the button goes. */
  @state() private nudgeDenied = false;
  @state() private sortKey: SortKey = 'name';
  @state() private sortDesc = false;
  /** Where the element starts, once decided: the `unit` asked for, else the caller's own. */
  @state() private start: Unit | null = null;
  /** The asked `unit` was outside the caller's reach, so their own is shown instead. */
  @state() private fellBack = false;
  /** Nothing for this person to follow here: a short neutral text, never an error. */
  @state() private nothingToFollow = false;
  @state() private peopleFilter = 'not_completed';
  @state() private peopleQuery = '';
  @state() private peopleSort: PeopleSortKey = 'status';
  @state() private peopleDesc = false;
  @state() private peopleSaving = false;
  @state() private peopleSaved = '';
  private focusAfterLoad: 'table' | 'crumb' | null = null;
  private finder = new UnitSearch(this, (e) => (this.error = asApiError(e, this.lang)), () => this.date);

  private get current(): string {
    return this.path.length ? this.path[this.path.length - 1].code : (this.start?.code ?? '');
  }

  /** Coordinators, auditors and admins look anywhere in their reach; managers at their own units. */
  private get searches(): boolean {
    return this.holds('coordinator', 'auditor', 'admin');
  }

  private get date(): string {
    return this.asOf || todayStockholm();
  }

  protected override willUpdate(changed: Map<string, unknown>) {
    // A new starting unit from outside, or someone else signed in, starts afresh.
    if (changed.has('unit') || changed.has('token') || changed.has('apiBase')) {
      this.path = [];
      this.start = null;
      this.fellBack = false;
      this.finder.reset();
    }
  }

  protected override loadKey() {
    return JSON.stringify([this.current, this.requirement, this.asOf]);
  }

  /** The unit to start from: the one asked for, else the caller's first own unit, else the top of their reach. */
  private async decideStart(signal: { stale(): boolean }, skipAsked = false): Promise<Unit | null> {
    if (this.unit && !skipAsked) return { code: this.unit, name: this.unit };
    const own = this.me?.units ?? [];
    if (own.length) return own[0];
    if (this.searches) {
      const top = await ok(this.client.api.units.$get({ query: { q: '', asOf: this.date } }));
      if (signal.stale()) return null;
      if (top.units.length) return { code: top.units[0].code, name: top.units[0].name };
    }
    return null;
  }

  protected override async load(signal: { stale(): boolean }) {
    this.data = null;
    this.people = null;
    this.peopleOpen = false;
    this.peopleError = null;
    this.nudged = null;
    this.nudgeError = null;
    this.peopleSaved = '';
    this.trend = null;
    this.trendError = null;
    this.nothingToFollow = false;
    const me = await this.askWho();
    if (signal.stale()) return;
    if (me && !me.capabilities.includes('coverage.read')) {
      this.nothingToFollow = true;
      return;
    }
    if (!this.requirements.length) {
      const r = await ok(this.client.api.requirements.$get());
      if (signal.stale()) return;
      this.requirements = r.requirements;
    }
    if (!this.requirement) {
      if (!this.requirements.length) return;
      // The first requirement becomes the choice; this reload supersedes the current one.
      this.requirement = this.requirements[0].code;
      return;
    }
    if (!this.current) {
      const start = await this.decideStart(signal);
      if (signal.stale()) return;
      if (!start) this.nothingToFollow = true;
      // A decided start changes loadKey: the next load shows it.
      else this.start = start;
      return;
    }
    const q = { unit: this.current, requirement: this.requirement, asOf: this.date };
    const trend = ok(this.client.api.coverage.trend.$get({ query: { unit: this.current, requirement: this.requirement, to: this.date, interval: 'tertial' } }));
    trend.catch(() => undefined);
    let data: CoverageAnswer;
    try {
      data = await ok(this.client.api.coverage.$get({ query: q }));
    } catch (e) {
      // A unit the page asked for but the caller may not see: show their own instead.
      if (e instanceof ApiError && e.status === 403 && !this.path.length && this.unit && this.start?.code === this.unit && !this.fellBack) {
        const own = await this.decideStart(signal, true);
        if (signal.stale()) return;
        this.fellBack = true;
        if (own) this.start = own;
        else this.nothingToFollow = true;
        return;
      }
      throw e;
    }
    if (signal.stale()) return;
    if (this.start && this.start.name === this.start.code && !this.path.length) this.start = data.unit;
    this.data = data;
    this.fire('kk-loaded', { unit: data.unit.code, requirement: this.requirement, asOf: data.asOf });
    try {
      const t = await trend;
      if (!signal.stale()) this.trend = t.points;
    } catch (e) {
      if (!signal.stale()) this.trendError = asApiError(e, this.lang);
    }
  }

  override updated(changed: Map<string, unknown>) {
    super.updated(changed);
    if (this.data && this.focusAfterLoad) {
      const target = this.focusAfterLoad === 'table' ? this.renderRoot.querySelector<HTMLElement>('#unit-heading') : this.renderRoot.querySelector<HTMLElement>('nav [aria-current]');
      this.focusAfterLoad = null;
      target?.focus();
    }
  }

  private choose(unit: Unit) {
    this.start = unit;
    this.path = [];
    this.finder.reset();
    this.focusAfterLoad = 'table';
    this.fire('kk-unit-change', { unit: unit.code });
  }

  private drill(unit: Unit) {
    if (!this.path.length && this.data) this.path = [this.data.unit];
    this.path = [...this.path, unit];
    this.focusAfterLoad = 'table';
    this.fire('kk-unit-change', { unit: unit.code });
  }

  private back(index: number) {
    this.path = index === 0 ? [] : this.path.slice(0, index + 1);
    this.focusAfterLoad = 'table';
    this.fire('kk-unit-change', { unit: this.current });
  }

  private sortBy(key: SortKey) {
    if (this.sortKey === key) this.sortDesc = !this.sortDesc;
    else {
      this.sortKey = key;
      this.sortDesc = key !== 'name';
    }
  }

  private sorted() {
    const rows = [...(this.data?.children ?? [])];
    const k = this.sortKey;
    const value = (r: (typeof rows)[number]) => (k === 'name' ? r.unit.name : k === 'rate' ? (r.rate ?? -1) : r[k]);
    rows.sort((a, b) => {
      const x = value(a);
      const y = value(b);
      const c = typeof x === 'string' ? x.localeCompare(y as string, this.lang) : (x as number) - (y as number);
      return this.sortDesc ? -c : c;
    });
    return rows;
  }

  private async togglePeople() {
    this.peopleOpen = !this.peopleOpen;
    if (!this.peopleOpen || this.people) return;
    await this.fetchPeople();
  }

  private async fetchPeople() {
    this.peopleBusy = true;
    this.peopleError = null;
    try {
      const q = { unit: this.current, requirement: this.requirement, asOf: this.date, status: this.peopleFilter || undefined };
      this.people = (await ok(this.client.api.coverage.people.$get({ query: q }))).people;
    } catch (e) {
      const err = asApiError(e, this.lang);
      this.peopleError = err.status === 403 ? new ApiError(403, this.t('covPeopleDenied')) : err;
    } finally {
      this.peopleBusy = false;
    }
  }

  /** The "Påminn" button: one reminder to each person of the unit not done, at most once a week. */
  private async nudge() {
    // Not `disabled` while busy: a disabled button drops the keyboard focus.
    if (this.nudgeBusy) return;
    this.nudgeBusy = true;
    this.nudgeError = null;
    try {
      this.nudged = await ok(this.client.api.reminders.nudge.$post({ json: { unit: this.current, requirement: this.requirement } }));
    } catch (e) {
      const err = asApiError(e, this.lang);
      if (err.status === 403) this.nudgeDenied = true;
      else this.nudgeError = err;
    } finally {
      this.nudgeBusy = false;
    }
  }

  private renderNudge() {
    const n = this.nudged;
    // Hidden from those /api/me says may not remind (an auditor); a 403 still hides it when /api/me is not known.
    return html`${this.nudgeDenied || !this.may('reminder.nudge')
        ? nothing
        : html`<button type="button" part="button" class="nudge" aria-disabled=${this.nudgeBusy ? 'true' : 'false'} @click=${() => this.nudge()}>${this.t('covNudge')}</button>`}
      <p class="nudge-result" role="status">${n
        ? [
            this.t('covNudged', { n: formatNumber(this.lang, n.reminded) }),
            n.alreadyThisWeek ? ` ${this.t('covNudgedAlready', { n: formatNumber(this.lang, n.alreadyThisWeek) })}` : '',
            n.withoutEmail ? ` ${this.t('covNudgedNoEmail', { n: formatNumber(this.lang, n.withoutEmail) })}` : '',
            n.lastRemindedAt ? ` ${this.t('covNudgedLast', { date: n.lastRemindedAt.slice(0, 10) })}` : '',
          ].join('')
        : nothing}</p>
      ${this.nudgeError ? this.renderError(this.nudgeError, false) : nothing}`;
  }

  private setFilter(value: string) {
    this.peopleFilter = value;
    this.peopleSaved = '';
    void this.fetchPeople();
  }

  private sortPeople(key: PeopleSortKey) {
    if (this.peopleSort === key) this.peopleDesc = !this.peopleDesc;
    else {
      this.peopleSort = key;
      this.peopleDesc = false;
    }
  }

  /** The list as shown: searched by name, sorted by the chosen column (overdue first by status). */
  private shownPeople(people: Person[]): Person[] {
    const q = this.peopleQuery.trim().toLocaleLowerCase(this.lang);
    const rows = q ? people.filter((p) => p.name.toLocaleLowerCase(this.lang).includes(q) || p.employeeNumber.includes(q)) : [...people];
    const k = this.peopleSort;
    const cmp = (a: Person, b: Person): number => {
      switch (k) {
        case 'status':
          return Number(b.overdue) - Number(a.overdue) || STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
        case 'dueDate':
          return (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999');
        case 'place':
          return placeOf(a).localeCompare(placeOf(b), this.lang);
        case 'employeeNumber':
          return a.employeeNumber.localeCompare(b.employeeNumber, this.lang, { numeric: true });
        default:
          return 0;
      }
    };
    rows.sort((a, b) => {
      const c = cmp(a, b) || a.name.localeCompare(b.name, this.lang);
      return this.peopleDesc ? -c : c;
    });
    return rows;
  }

  private async downloadPeople() {
    this.peopleSaving = true;
    this.peopleSaved = '';
    this.peopleError = null;
    try {
      const res = await apiFetch(this, this.url('/api/coverage/people.xlsx', { unit: this.current, requirement: this.requirement, asOf: this.date, status: this.peopleFilter }));
      const blob = await res.blob();
      const filename = fileNameOf(res, `kompetenskoll-${this.current}-personer-${this.date}.xlsx`);
      saveBlob(blob, filename);
      this.peopleSaved = this.t('expDone', { file: filename });
    } catch (e) {
      this.peopleError = asApiError(e, this.lang);
    } finally {
      this.peopleSaving = false;
    }
  }

  /** Escape in the list closes it and returns to its button. */
  private escapePeople(e: KeyboardEvent) {
    if (e.key !== 'Escape' || !this.peopleOpen) return;
    this.peopleOpen = false;
    this.renderRoot.querySelector<HTMLElement>('[aria-controls="people"]')?.focus();
  }

  override render() {
    const d = this.data;
    return html`<section aria-labelledby="title">
      <h2 id="title">${this.t('covTitle')}</h2>
      ${this.nothingToFollow
        ? html`<p class="empty" data-state="nothing">${this.t('covNothing')}</p>`
        : html`${this.renderControls()}
            ${this.renderFind()}
            ${this.fellBack && d ? html`<p class="note" role="status">${this.t('covFellBack', { asked: this.unit, unit: d.unit.name })}</p>` : nothing}
            ${this.renderBreadcrumb()}
            ${this.renderError()}
            ${this.busy && !d ? this.renderLoading('covLoading') : nothing}
            ${!this.busy && !this.error && !this.requirements.length ? html`<p class="empty">${this.t('covNoRequirements')}</p>` : nothing}
            ${d ? this.renderData(d) : nothing}`}
    </section>`;
  }

  private renderControls() {
    return html`<div class="controls" part="controls">
      <div class="field">
        <label for="asof">${this.t('asOfLabel')}</label>
        <input id="asof" type="date" .value=${this.date} @change=${(e: Event) => {
          const v = (e.target as HTMLInputElement).value;
          if (v) this.asOf = v;
        }} />
      </div>
      <div class="field">
        <label for="req">${this.t('requirementLabel')}</label>
        <select id="req" @change=${(e: Event) => (this.requirement = (e.target as HTMLSelectElement).value)}>
          ${this.requirements.map((r) => {
            const en = this.lang === 'en' && r.titleEn;
            return html`<option value=${r.code} ?selected=${r.code === this.requirement} lang=${en ? 'en' : 'sv'}>${r.code}: ${en || r.title}</option>`;
          })}
        </select>
      </div>
    </div>`;
  }

  /** A choice among one's own units, and a type-ahead over the whole reach for those who may. */
  private renderFind() {
    const own = this.me?.units ?? [];
    const choice = own.length > 1;
    if (!choice && !this.searches) return nothing;
    return html`<div class="find" part="controls">
      ${choice
        ? html`<div class="field">
            <label for="own-unit">${this.t('covOwnUnit')}</label>
            <select id="own-unit" @change=${(e: Event) => {
              const u = own.find((x) => x.code === (e.target as HTMLSelectElement).value);
              if (u) this.choose(u);
            }}>
              ${own.map((u) => html`<option value=${u.code} ?selected=${u.code === this.start?.code}>${u.name}</option>`)}
            </select>
          </div>`
        : nothing}
      ${this.searches
        ? this.finder.render((k, p) => this.t(k, p), {
            input: 'unit-search',
            list: 'unit-hits',
            linked: true,
            hit: (u) => html`<span><strong>${u.name}</strong> (${u.code})${u.path.length ? html`<br /><span class="where">${u.path.join(' › ')}</span>` : nothing}</span>`,
            choose: (u) => this.choose(u),
          })
        : nothing}
    </div>`;
  }

  private renderBreadcrumb() {
    if (this.path.length < 2) return nothing;
    const last = this.path.length - 1;
    return html`<nav aria-label=${this.t('covBreadcrumb')} part="breadcrumb"><ol>
      ${this.path.map((u, i) =>
        i === last
          ? html`<li><span aria-current="location" tabindex="-1">${u.name}</span></li>`
          : html`<li><button type="button" class="link" @click=${() => this.back(i)} aria-label=${this.t('covBack', { unit: u.name })}>${u.name}</button></li>`,
      )}
    </ol></nav>`;
  }

  private renderData(d: CoverageAnswer) {
    const f = d.total;
    const n = (x: number) => formatNumber(this.lang, x);
    const items: [StringKey, string, string][] = [
      ['covPopulation', n(f.population), 'population'],
      ['covCompleted', n(f.completed), 'completed'],
      ['covStarted', n(f.started), 'started'],
      ['covNotStarted', n(f.notStarted), 'notStarted'],
      ['covOverdue', n(f.overdue), 'overdue'],
      ['covRate', formatPercent(this.lang, f.rate), 'rate'],
      ['covTarget', formatPercent(this.lang, f.target), 'target'],
      ['covGap', this.t('covGapPersons', { n: n(f.gap) }), 'gap'],
    ];
    // Undantagna are not berörda; shown where there are some.
    if (f.exempt) items.splice(1, 0, ['covExempt', n(f.exempt), 'exempt']);
    return html`
      <h3 id="unit-heading" tabindex="-1">${this.t('covSummary', { unit: d.unit.name })}</h3>
      <dl class="summary" part="summary">
        ${items.map(([label, value, key]) => html`<div data-figure=${key}><dt>${this.t(label)}</dt><dd>${value}</dd></div>`)}
      </dl>
      ${this.renderChildren(d)}
      ${this.renderTrend(d)}
      ${this.may('people.read') ? this.renderPeople(d) : nothing}
    `;
  }

  private renderChildren(d: CoverageAnswer) {
    if (!d.children.length) return html`<p class="empty">${this.t('covNoChildren')}</p>`;
    const header = (key: SortKey, label: StringKey, num = false) => {
      const active = this.sortKey === key;
      const sort = active ? (this.sortDesc ? 'descending' : 'ascending') : 'none';
      return html`<th scope="col" class=${num ? 'num' : ''} aria-sort=${sort}>
        <button type="button" class="sort" @click=${() => this.sortBy(key)}>
          ${this.t(label)} ${icon(active ? (this.sortDesc ? 'down' : 'up') : 'sort')}
        </button>
      </th>`;
    };
    return html`<h3>${this.t('covChildren', { unit: d.unit.name })}</h3>
      <p class="hint" aria-hidden="true">${this.t('covChildrenCaption', { unit: d.unit.name, date: d.asOf })}</p>
      <div class="table-wrap"><table part="table">
        <caption class="visually-hidden">${this.t('covChildrenCaption', { unit: d.unit.name, date: d.asOf })}</caption>
        <thead><tr>
          ${header('name', 'covUnitColumn')}
          ${header('rate', 'covBarColumn')}
          <th scope="col">${this.t('covStatusColumn')}</th>
          ${NUMBER_COLUMNS.map((c) => header(c.key, c.label, true))}
        </tr></thead>
        <tbody>
          ${this.sorted().map((c) => html`<tr data-unit=${c.unit.code}>
            <th scope="row"><button type="button" class="link" @click=${() => this.drill(c.unit)} aria-label=${this.t('covDrill', { unit: c.unit.name })}>${c.unit.name}</button></th>
            <td class="bar-cell">${this.renderBar(c)}</td>
            <td>${this.renderMeets(c)}</td>
            ${NUMBER_COLUMNS.map((col) => html`<td class="num" data-col=${col.key}>${formatNumber(this.lang, c[col.key])}</td>`)}
          </tr>`)}
        </tbody>
      </table></div>`;
  }

  private renderBar(f: Figures) {
    const pct = Math.round((f.rate ?? 0) * 1000) / 10;
    return html`<span class="rate" data-col="rate">${f.rate === null ? this.t('noRate') : formatPercent(this.lang, f.rate)}</span>
      <div class="bar" part="bar" aria-hidden="true">
        <div class="bar-fill" part="bar-fill" style="width:${pct}%"></div>
        <div class="target" part="target" style="left:calc(${f.target * 100}% - 1px)"></div>
      </div>`;
  }

  private renderMeets(f: Figures) {
    if (f.population === 0) return html`<span class="status">${icon('not_started')} ${this.t('covNoPopulation')}</span>`;
    return meetsTarget(f)
      ? html`<span class="status ok">${icon('completed')} ${this.t('covReached')}</span>`
      : html`<span class="status bad">${icon('below')} ${this.t('covBelow')}</span>`;
  }

  private renderTrend(d: CoverageAnswer) {
    const points = this.trend;
    const body = () => {
      if (this.trendError) return this.renderError(this.trendError, false);
      if (!points) return this.renderLoading('covTrendLoading');
      if (!points.length) return html`<p class="empty">${this.t('covTrendEmpty')}</p>`;
      // Nobody berörd at any point: a line at 0 % would say "nobody done", which is not so.
      if (points.every((p) => p.population === 0)) return html`<p class="empty">${this.t('covTrendNobody')}</p>`;
      return this.renderChart(d, points);
    };
    return html`<div class="trend" part="trend"><h3>${this.t('covTrend')}</h3>${body()}</div>`;
  }

  private renderChart(d: CoverageAnswer, points: ({ asOf: string } & Figures)[]) {
    const first = points[0];
    const last = points[points.length - 1];
    const target = last.target;
    const alt = this.t('covTrendAlt', {
      unit: d.unit.name,
      from: first.asOf,
      fromRate: formatPercent(this.lang, first.rate),
      to: last.asOf,
      toRate: formatPercent(this.lang, last.rate),
      target: formatPercent(this.lang, target),
    });
    return html`${trendChart(points, target, { width: 320, height: 150, left: 34, bottom: 22, right: 8, dot: 3 }, 'trend-alt', { rate: this.t('covRate'), target: `${this.t('covTarget')} ${formatPercent(this.lang, target)}` })}
      <p id="trend-alt" class="hint">${alt}</p>
      <details>
        <summary>${this.t('covTrendTable')}</summary>
        <div class="table-wrap" tabindex="0" role="region" aria-label=${this.t('covTrend')}><table>
          <thead><tr><th scope="col">${this.t('covTrendDate')}</th><th scope="col" class="num">${this.t('covRate')}</th><th scope="col" class="num">${this.t('covPopulation')}</th></tr></thead>
          <tbody>${points.map((p) => html`<tr><td>${p.asOf}</td><td class="num">${formatPercent(this.lang, p.rate)}</td><td class="num">${formatNumber(this.lang, p.population)}</td></tr>`)}</tbody>
        </table></div>
      </details>`;
  }

  private renderPeople(d: CoverageAnswer) {
    const people = this.people;
    return html`<div part="people">
      <div class="people-head">
        <h3>${this.t('covPeople')}</h3>
        <button type="button" class="secondary" part="button" aria-expanded=${this.peopleOpen ? 'true' : 'false'} aria-controls="people" @click=${() => this.togglePeople()}>
          ${this.peopleOpen ? this.t('covPeopleHide') : this.t('covPeopleShow')}
        </button>
      </div>
      <div id="people" @keydown=${(e: KeyboardEvent) => this.escapePeople(e)}>
        ${this.peopleOpen ? this.renderPeopleTools() : nothing}
        <div aria-live="polite">
        ${!this.peopleOpen
          ? nothing
          : this.peopleBusy
            ? this.renderLoading('covPeopleLoading')
            : this.peopleError
              ? this.renderError(this.peopleError, false)
              : people && !people.length
                ? html`<p class="empty">${this.peopleFilter === 'not_completed' ? this.t('covPeopleEmpty') : this.t('covPeopleNone')}</p>`
                : people
                  ? html`${this.renderPeopleTable(d, people)}${this.renderNudge()}`
                  : nothing}
        </div>
      </div>
    </div>`;
  }

  private renderPeopleTools() {
    return html`<div class="people-tools">
      <div class="field">
        <label for="people-filter">${this.t('covFilter')}</label>
        <select id="people-filter" @change=${(e: Event) => this.setFilter((e.target as HTMLSelectElement).value)}>
          ${PEOPLE_FILTERS.map(([v, label]) => html`<option value=${v} ?selected=${v === this.peopleFilter}>${this.t(label)}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="people-search">${this.t('covPeopleSearch')}</label>
        <input id="people-search" type="search" autocomplete="off" .value=${this.peopleQuery} @input=${(e: Event) => (this.peopleQuery = (e.target as HTMLInputElement).value)} />
      </div>
      ${this.may('export.people')
        ? html`<div><button type="button" class="secondary" part="button" id="people-download" ?disabled=${this.peopleSaving} @click=${() => this.downloadPeople()}>
            ${icon('download')} ${this.t('covPeopleDownload')}</button></div>`
        : nothing}
      <p class="success" role="status">${this.peopleSaved}</p>
    </div>`;
  }

  private renderPeopleTable(d: CoverageAnswer, all: Person[]) {
    const people = this.shownPeople(all);
    const header = (key: PeopleSortKey, label: StringKey) => {
      const active = this.peopleSort === key;
      return html`<th scope="col" aria-sort=${active ? (this.peopleDesc ? 'descending' : 'ascending') : 'none'}>
        <button type="button" class="sort" data-sort=${key} @click=${() => this.sortPeople(key)}>${this.t(label)} ${icon(active ? (this.peopleDesc ? 'down' : 'up') : 'sort')}</button>
      </th>`;
    };
    const filterWords = this.t(PEOPLE_FILTERS.find(([v]) => v === this.peopleFilter)?.[1] ?? 'covFilterAll').toLocaleLowerCase(this.lang);
    return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${this.t('covPeople')}><table>
        <caption>${this.t('covPeopleCaptionOf', { n: formatNumber(this.lang, people.length), filter: filterWords, unit: d.unit.name, date: d.asOf })}</caption>
        <thead><tr>
          ${header('name', 'covPeopleName')}${header('employeeNumber', 'covPeopleNumber')}${header('place', 'covPeoplePlace')}
          ${header('status', 'covPeopleStatus')}${header('dueDate', 'covPeopleDue')}
        </tr></thead>
        <tbody>${people.slice(0, PEOPLE_SHOWN).map((p) => html`<tr data-person=${p.employeeNumber}>
          <td>${p.name}</td><td>${p.employeeNumber}</td><td>${placeOf(p)}</td>
          <td><span class="status ${p.status}">${icon(p.status)} ${this.t(STATUS_KEY[p.status])}</span>
            ${p.overdue ? html`<span class="status overdue">${icon('overdue')} ${this.t('overdue')}</span>` : nothing}</td>
          <td>${p.dueDate ?? this.t('none')}</td>
        </tr>`)}</tbody>
      </table></div>
      ${people.length > PEOPLE_SHOWN ? html`<p class="hint">${this.t('covPeopleMore', { shown: PEOPLE_SHOWN, n: people.length })}</p>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kk-unit-coverage': KkUnitCoverage;
  }
}
