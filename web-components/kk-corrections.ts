import { css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ApiError, ok, t as translate, todayStockholm } from './api.ts';
import { asApiError, KkElement } from './base.ts';
import { icon } from './icons.ts';
import type { StringKey } from './strings/sv.ts';
import type { ExemptionView } from '../server/domain/exemptions.ts';
import type { RecordView } from '../server/domain/person-records.ts';
import type { FoundPerson } from '../server/domain/person-search.ts';
import { baseStyles, sectionFormStyles } from './styles.ts';

interface Course {
  code: string;
  title: { sv: string; en: string | null };
  kind: 'web' | 'seminar' | 'acknowledgement';
}
// The answers' shapes are the server's own (type-only imports, erased from the bundle).
type Found = FoundPerson;
type RecordRow = RecordView;
type Exemption = ExemptionView;
interface RecordsAnswer {
  recorded: number;
  unchanged: number;
  rejected: { employeeNumber: string; message: string }[];
}

const STATUS: [RecordRow['status'], StringKey][] = [
  ['completed', 'statusCompleted'],
  ['started', 'statusStarted'],
  ['failed', 'corStatusFailed'],
];
const SOURCE: Record<RecordRow['source'], StringKey> = { import: 'corSourceImport', xapi: 'corSourceXapi', manual: 'corSourceManual' };
/** The common reasons offered first; the last choice lets the coordinator write their own. */
const REASONS: StringKey[] = ['corReasonParental', 'corReasonSick', 'corReasonLeave', 'corReasonNotTarget'];
const OTHER = 'other';

/** Employee numbers pasted from a list: split on anything that is not part of a number. */
export const numbersIn = (text: string) => [...new Set(text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean))];

/**
 * The coordinator's corrections: register a seminar's attendance (find people in one's scope by
 * name or number, or paste a list of numbers), open a person's records and annul a wrong one with
 * a reason, and add, list and end exemptions. A manager sees the exemptions of their units; what
 * the caller may not do is not offered (GET /api/me's capabilities), and a unit out of reach hides
 * its exemptions rather than showing an error.
 *
 * @summary Rättelser och undantag / Corrections and exemptions.
 * @attr api-base - where the API lives (empty: same origin)
 * @attr lang - `sv` (default) or `en`
 * @attr unit - the unit whose exemptions are listed (a unit code; absent: the caller's own unit, else the top of their reach)
 * @fires kk-token-request - when no `token` is set; detail `{ resolve(token), reject() }`
 * @fires kk-recorded - a seminar's list was recorded; detail `{ course, occurredAt, recorded, unchanged, rejected }`
 * @fires kk-annulled - a record was annulled; detail `{ id, employeeNumber }`
 * @fires kk-exemption-changed - an exemption was added or ended; detail `{ id, action }`
 * @csspart section - each of the three parts
 * @csspart form - forms
 * @csspart table - tables
 * @csspart button - buttons
 * @csspart error - an error message
 * @csspart loading - the loading message
 * @cssproperty --kk-color-primary - buttons and links
 * @cssproperty --kk-color-text - text
 * @cssproperty --kk-color-danger - errors
 * @cssproperty --kk-font-family - font
 */
@customElement('kk-corrections')
export class KkCorrections extends KkElement {
  static override styles = [
    baseStyles,
    sectionFormStyles,
    css`
      .row { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: flex-end; }
      .row .field { flex: 1 1 12rem; margin: 0; }
      ul.plain { list-style: none; padding: 0; margin: 0.5rem 0; display: grid; gap: 0.25rem; }
      ul.plain li { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
      .annulled { color: var(--_muted); }
      .inline { background: var(--_subtle); border-radius: var(--_radius); padding: 0.75rem; margin: 0.5rem 0; }
      .buttons { display: flex; gap: 0.75rem; flex-wrap: wrap; margin-top: 0.5rem; }
      textarea { min-height: 4rem; }
    `,
  ];

  /** The unit whose exemptions are listed. */
  @property() unit = '';

  @state() private courses: Course[] = [];
  @state() private requirements: { code: string; title: string }[] = [];
  /** The unit whose exemptions are listed: `unit`, else the caller's own, else the top of their reach. */
  @state() private listUnit = '';
  @state() private exemptions: Exemption[] | null = null;
  @state() private exemptionsRefused = false;

  // Recording a seminar
  @state() private rec = { course: '', status: 'completed', occurredAt: todayStockholm(), note: '', paste: '' };
  @state() private chosen: Found[] = [];
  @state() private query = '';
  @state() private found: Found[] | null = null;
  @state() private recAnswer: RecordsAnswer | null = null;
  @state() private recError: ApiError | null = null;

  // A person's records
  @state() private personNumber = '';
  @state() private person: { employeeNumber: string; name: string; records: RecordRow[] } | null = null;
  @state() private personError: ApiError | null = null;
  @state() private annulling: number | null = null;
  @state() private annulReason = '';

  // Exemptions
  @state() private ex = { employeeNumber: '', requirement: '', from: todayStockholm(), to: '', reason: REASONS[0] as string, other: '' };
  @state() private exError: ApiError | null = null;
  @state() private ending: number | null = null;
  @state() private endTo = todayStockholm();
  @state() private said = '';

  protected override loadKey() {
    return this.unit;
  }

  protected override async load(signal: { stale(): boolean }) {
    // What to offer follows GET /api/me's capabilities (may()); the API still decides every call.
    const [courses, requirements, me] = await Promise.all([ok(this.client.api.courses.$get()), ok(this.client.api.requirements.$get()), this.askWho()]);
    if (signal.stale()) return;
    let listUnit = this.unit || me?.units[0]?.code || '';
    if (!listUnit && this.may('exemption.read')) {
      const top = await ok(this.client.api.units.$get({ query: { q: '' } }));
      if (signal.stale()) return;
      listUnit = top.units[0]?.code ?? '';
    }
    this.listUnit = listUnit;
    this.courses = [...courses.courses].sort((a, b) => Number(b.kind === 'seminar') - Number(a.kind === 'seminar'));
    this.requirements = requirements.requirements;
    if (!this.rec.course && this.courses.length) this.rec = { ...this.rec, course: this.courses[0].code };
    if (!this.ex.requirement && this.requirements.length) this.ex = { ...this.ex, requirement: this.requirements[0].code };
    await this.loadExemptions();
  }

  private async loadExemptions() {
    if (!this.listUnit || !this.may('exemption.read')) return;
    try {
      this.exemptions = (await ok(this.client.api.exemptions.$get({ query: { unit: this.listUnit } }))).exemptions;
      this.exemptionsRefused = false;
    } catch (e) {
      if (e instanceof ApiError && e.status === 403) this.exemptionsRefused = true;
      else throw e;
    }
  }

  private courseTitle(c: Course) {
    return (this.lang === 'en' && c.title.en) || c.title.sv;
  }

  private async focusOn(selector: string) {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  // --- recording a seminar ---

  private async search(e: Event) {
    e.preventDefault();
    this.recError = null;
    try {
      this.found = (await ok(this.client.api.people.$get({ query: { q: this.query, asOf: this.rec.occurredAt } }))).people;
    } catch (err) {
      this.found = null;
      this.recError = asApiError(err, this.lang);
    }
  }

  private choose(p: Found) {
    if (!this.chosen.some((c) => c.employeeNumber === p.employeeNumber)) this.chosen = [...this.chosen, p];
    this.said = this.t('corAdded', { name: p.name });
  }

  private unchoose(p: Found) {
    this.chosen = this.chosen.filter((c) => c.employeeNumber !== p.employeeNumber);
    this.said = this.t('corRemoved', { name: p.name });
    void this.focusOn('#rec-q');
  }

  private async record(e: Event) {
    e.preventDefault();
    const numbers = [...new Set([...this.chosen.map((c) => c.employeeNumber), ...numbersIn(this.rec.paste)])];
    this.recAnswer = null;
    if (!numbers.length) {
      this.recError = new ApiError(400, this.t('corNoPeople'));
      return this.focusOn('#rec-error');
    }
    try {
      const body = { course: this.rec.course, status: this.rec.status as RecordRow['status'], occurredAt: this.rec.occurredAt, employeeNumbers: numbers, note: this.rec.note.trim() || null };
      this.recAnswer = await ok(this.client.api.records.$post({ json: body }));
      this.recError = null;
      this.fire('kk-recorded', { course: body.course, occurredAt: body.occurredAt, recorded: this.recAnswer.recorded, unchanged: this.recAnswer.unchanged, rejected: this.recAnswer.rejected.length });
      this.chosen = [];
      this.rec = { ...this.rec, paste: '' };
      await this.focusOn('#rec-answer');
    } catch (err) {
      this.recError = asApiError(err, this.lang);
      await this.focusOn('#rec-error');
    }
  }

  // --- a person's records ---

  private async openPerson(e?: Event, number = this.personNumber) {
    e?.preventDefault();
    this.personError = null;
    this.annulling = null;
    const n = number.trim();
    if (!n) return;
    try {
      // hono/client does not encode path parameters.
      const a = await ok(this.client.api.people[':employeeNumber'].records.$get({ param: { employeeNumber: encodeURIComponent(n) } }));
      this.person = { ...a.person, records: a.records };
    } catch (err) {
      this.person = null;
      this.personError = asApiError(err, this.lang);
    }
  }

  private async annul(e: Event, r: RecordRow) {
    e.preventDefault();
    if (!this.annulReason.trim()) {
      this.personError = new ApiError(400, this.t('corReasonNeeded'));
      return this.focusOn('#annul-reason');
    }
    try {
      await ok(this.client.api.records[':id'].annul.$post({ param: { id: String(r.id) }, json: { reason: this.annulReason.trim() } }));
      const who = this.person!.employeeNumber;
      this.fire('kk-annulled', { id: r.id, employeeNumber: who });
      this.said = this.t('corAnnulled', { course: r.course.title, date: r.occurredAt });
      this.annulReason = '';
      await this.openPerson(undefined, who);
      await this.focusOn('#records-table');
    } catch (err) {
      this.personError = asApiError(err, this.lang);
    }
  }

  // --- exemptions ---

  private async addExemption(e: Event) {
    e.preventDefault();
    // A common reason is stored in Swedish whatever the page's language, and shown translated.
    const reason = this.ex.reason === OTHER ? this.ex.other.trim() : translate('sv', this.ex.reason as StringKey);
    if (!reason) {
      this.exError = new ApiError(400, this.t('corReasonNeeded'));
      return this.focusOn('#ex-other');
    }
    try {
      const x = await ok(this.client.api.exemptions.$post({ json: { employeeNumber: this.ex.employeeNumber.trim(), requirement: this.ex.requirement, from: this.ex.from, to: this.ex.to || null, reason } }));
      this.exError = null;
      this.said = this.t('corExemptionAdded', { name: x.name, requirement: x.requirement.code });
      this.fire('kk-exemption-changed', { id: x.id, action: 'create' });
      this.ex = { ...this.ex, employeeNumber: '', to: '', other: '' };
      await this.loadExemptions();
    } catch (err) {
      this.exError = asApiError(err, this.lang);
      await this.focusOn('#ex-error');
    }
  }

  private async endExemption(e: Event, x: Exemption) {
    e.preventDefault();
    try {
      await ok(this.client.api.exemptions[':id'].end.$post({ param: { id: String(x.id) }, json: { to: this.endTo } }));
      this.ending = null;
      this.exError = null;
      this.said = this.t('corExemptionEnded', { name: x.name, to: this.endTo });
      this.fire('kk-exemption-changed', { id: x.id, action: 'end' });
      await this.loadExemptions();
      await this.focusOn('#exemptions-table');
    } catch (err) {
      this.exError = asApiError(err, this.lang);
    }
  }

  // --- rendering ---

  override render() {
    return html`<section aria-labelledby="title">
      <h2 id="title">${this.t('corTitle')}</h2>
      ${this.renderError()}
      ${this.busy && !this.courses.length ? this.renderLoading('loading') : nothing}
      <p class="visually-hidden" role="status">${this.said}</p>
      ${this.may('record.write') ? this.renderRecordForm() : nothing}
      ${this.renderRecords()}
      ${this.renderExemptions()}
    </section>`;
  }

  private renderRecordForm() {
    const r = this.rec;
    const set = (k: keyof typeof r) => (e: Event) => (this.rec = { ...this.rec, [k]: (e.target as HTMLInputElement).value });
    return html`<section class="part" part="section" aria-labelledby="rec-title">
      <h3 id="rec-title">${this.t('corRecordTitle')}</h3>
      <form role="search" class="row" aria-label=${this.t('corSearchLabel')} @submit=${this.search}>
        ${this.field('rec-q', 'corSearch', html`<input id="rec-q" type="search" autocomplete="off" .value=${this.query} @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)} />`)}
        <button type="submit" part="button" class="secondary">${this.t('corSearchButton')}</button>
      </form>
      ${this.found
        ? this.found.length
          ? html`<ul class="plain" aria-label=${this.t('corFound')}>${this.found.map(
              (p) => html`<li><span>${p.name} (${p.employeeNumber}), ${p.unit.name}</span>
                <button type="button" class="link" ?disabled=${this.chosen.some((c) => c.employeeNumber === p.employeeNumber)} @click=${() => this.choose(p)}>${this.t('corAdd')}<span class="visually-hidden"> ${p.name}</span></button></li>`,
            )}</ul>`
          : html`<p class="empty">${this.t('corNoneFound')}</p>`
        : nothing}
      <form part="form" novalidate aria-labelledby="rec-title" @submit=${this.record}>
        <h4>${this.t('corChosen', { n: this.chosen.length })}</h4>
        ${this.chosen.length
          ? html`<ul class="plain">${this.chosen.map((p) => html`<li><span>${p.name} (${p.employeeNumber})</span>
              <button type="button" class="link" @click=${() => this.unchoose(p)}>${this.t('corRemove')}<span class="visually-hidden"> ${p.name}</span></button></li>`)}</ul>`
          : nothing}
        <div class="grid">
          ${this.field('rec-paste', 'corPaste', html`<textarea id="rec-paste" aria-describedby="rec-paste-hint" .value=${r.paste} @input=${set('paste')}></textarea>`, { wide: true, hint: 'corPasteHint' })}
          ${this.field('rec-course', 'fld_course', html`<select id="rec-course" @change=${set('course')}>${this.courses.map((c) => html`<option value=${c.code} ?selected=${c.code === r.course}>${this.courseTitle(c)} (${c.code})</option>`)}</select>`)}
          ${this.field('rec-status', 'covPeopleStatus', html`<select id="rec-status" @change=${set('status')}>${STATUS.map(([v, k]) => html`<option value=${v} ?selected=${v === r.status}>${this.t(k)}</option>`)}</select>`)}
          ${this.field('rec-date', 'fld_date', html`<input id="rec-date" type="date" .value=${r.occurredAt} @input=${set('occurredAt')} />`)}
          ${this.field('rec-note', 'corNote', html`<input id="rec-note" type="text" .value=${r.note} @input=${set('note')} />`)}
        </div>
        ${this.recError ? html`<div id="rec-error" tabindex="-1">${this.renderError(this.recError, false)}</div>` : nothing}
        <div class="buttons"><button type="submit" part="button">${this.t('corRecordButton')}</button></div>
      </form>
      ${this.recAnswer ? this.renderAnswer(this.recAnswer) : nothing}
    </section>`;
  }

  private renderAnswer(a: RecordsAnswer) {
    return html`<div id="rec-answer" tabindex="-1" class="inline">
      <p class="success">${icon('completed')} ${this.t('corRecorded', { recorded: a.recorded, unchanged: a.unchanged })}</p>
      ${a.rejected.length
        ? html`<div class="table-wrap"><table part="table">
            <caption>${this.t('corRejected', { n: a.rejected.length })}</caption>
            <thead><tr><th scope="col">${this.t('covPeopleNumber')}</th><th scope="col">${this.t('impMessage')}</th></tr></thead>
            <tbody>${a.rejected.map((x) => html`<tr><th scope="row">${x.employeeNumber}</th><td>${x.message}</td></tr>`)}</tbody>
          </table></div>`
        : nothing}
    </div>`;
  }

  private renderRecords() {
    const p = this.person;
    return html`<section class="part" part="section" aria-labelledby="records-title">
      <h3 id="records-title">${this.t('corRecordsTitle')}</h3>
      <form class="row" @submit=${(e: Event) => this.openPerson(e)}>
        ${this.field('records-n', 'covPeopleNumber', html`<input id="records-n" type="text" autocomplete="off" .value=${this.personNumber} @input=${(e: Event) => (this.personNumber = (e.target as HTMLInputElement).value)} />`)}
        <button type="submit" part="button" class="secondary">${this.t('covFilter')}</button>
      </form>
      ${this.personError ? this.renderError(this.personError, false) : nothing}
      ${p
        ? p.records.length
          ? html`<div class="table-wrap"><table part="table" id="records-table" tabindex="-1">
              <caption>${this.t('corRecordsOf', { name: p.name, n: p.employeeNumber })}</caption>
              <thead><tr><th scope="col">${this.t('fld_date')}</th><th scope="col">${this.t('fld_course')}</th><th scope="col">${this.t('covPeopleStatus')}</th>
                <th scope="col">${this.t('corSource')}</th><th scope="col">${this.t('corAnnulment')}</th></tr></thead>
              <tbody>${p.records.map((r) => this.renderRecord(r))}</tbody>
            </table></div>`
          : html`<p class="empty">${this.t('corNoRecords', { name: p.name })}</p>`
        : nothing}
    </section>`;
  }

  private renderRecord(r: RecordRow) {
    const status = this.t(STATUS.find(([v]) => v === r.status)![1]);
    return html`<tr data-id=${r.id} class=${r.annulment ? 'annulled' : ''}>
      <th scope="row">${r.occurredAt}</th><td>${r.course.title}</td><td>${status}</td>
      <td>${this.t(SOURCE[r.source])}${r.recordedBy ? html`, ${r.recordedBy}` : nothing}</td>
      <td>${r.annulment
        ? this.t('corAnnulledBy', { by: r.annulment.by, at: r.annulment.at.slice(0, 10), reason: r.annulment.reason })
        : this.may('record.annul')
          ? this.annulling === r.id
            ? html`<form class="inline" @submit=${(e: Event) => this.annul(e, r)}>
                ${this.field('annul-reason', 'corAnnulReason', html`<input id="annul-reason" type="text" required aria-required="true" .value=${this.annulReason} @input=${(e: Event) => (this.annulReason = (e.target as HTMLInputElement).value)} />`)}
                <div class="buttons"><button type="submit" part="button">${this.t('corAnnul')}</button>
                <button type="button" part="button" class="secondary" @click=${() => { this.annulling = null; void this.focusOn(`tr[data-id="${r.id}"] button`); }}>${this.t('cancel')}</button></div>
              </form>`
            : html`<button type="button" class="link" @click=${() => { this.annulling = r.id; this.annulReason = ''; void this.focusOn('#annul-reason'); }}>${this.t('corAnnul')}<span class="visually-hidden"> ${r.course.title} ${r.occurredAt}</span></button>`
          : this.t('none')}</td>
    </tr>`;
  }

  private renderExemptions() {
    if (!this.listUnit || this.exemptionsRefused || !this.may('exemption.read')) return nothing;
    const x = this.ex;
    const set = (k: keyof typeof x) => (e: Event) => (this.ex = { ...this.ex, [k]: (e.target as HTMLInputElement).value });
    return html`<section class="part" part="section" aria-labelledby="ex-title">
      <h3 id="ex-title">${this.t('corExemptionsTitle')}</h3>
      ${this.exemptions && !this.exemptions.length ? html`<p class="empty">${this.t('corNoExemptions')}</p>` : nothing}
      ${this.exemptions?.length
        ? html`<div class="table-wrap"><table part="table" id="exemptions-table" tabindex="-1">
            <caption>${this.t('corExemptionsCaption', { unit: this.listUnit })}</caption>
            <thead><tr><th scope="col">${this.t('corPerson')}</th><th scope="col">${this.t('unitLabel')}</th><th scope="col">${this.t('requirementLabel')}</th>
              <th scope="col">${this.t('corPeriod')}</th><th scope="col">${this.t('impMessage')}</th>${this.may('exemption.write') ? html`<th scope="col"><span class="visually-hidden">${this.t('corEnd')}</span></th>` : nothing}</tr></thead>
            <tbody>${this.exemptions.map((e) => this.renderExemption(e))}</tbody>
          </table></div>`
        : nothing}
      ${this.may('exemption.write')
        ? html`<form part="form" novalidate aria-labelledby="ex-new-title" @submit=${this.addExemption}>
            <h4 id="ex-new-title">${this.t('corNewExemption')}</h4>
            <div class="grid">
              ${this.field('ex-n', 'covPeopleNumber', html`<input id="ex-n" type="text" autocomplete="off" required aria-required="true" .value=${x.employeeNumber} @input=${set('employeeNumber')} />`)}
              ${this.field('ex-req', 'requirementLabel', html`<select id="ex-req" @change=${set('requirement')}>${this.requirements.map((r) => html`<option value=${r.code} ?selected=${r.code === x.requirement}>${r.title} (${r.code})</option>`)}</select>`)}
              ${this.field('ex-from', 'corFrom', html`<input id="ex-from" type="date" required aria-required="true" .value=${x.from} @input=${set('from')} />`)}
              ${this.field('ex-to', 'corTo', html`<input id="ex-to" type="date" aria-describedby="ex-to-hint" .value=${x.to} @input=${set('to')} />`, { hint: 'corToHint' })}
              ${this.field('ex-reason', 'impMessage', html`<select id="ex-reason" @change=${set('reason')}>
                ${REASONS.map((k) => html`<option value=${k} ?selected=${x.reason === k}>${this.t(k)}</option>`)}
                <option value=${OTHER} ?selected=${x.reason === OTHER}>${this.t('corReasonOther')}</option></select>`)}
              ${x.reason === OTHER ? this.field('ex-other', 'corReasonText', html`<input id="ex-other" type="text" required aria-required="true" .value=${x.other} @input=${set('other')} />`) : nothing}
            </div>
            ${this.exError ? html`<div id="ex-error" tabindex="-1">${this.renderError(this.exError, false)}</div>` : nothing}
            <div class="buttons"><button type="submit" part="button">${this.t('corAddExemption')}</button></div>
          </form>`
        : nothing}
    </section>`;
  }

  private reasonShown(stored: string) {
    const common = REASONS.find((k) => translate('sv', k) === stored);
    return common ? this.t(common) : stored;
  }

  private renderExemption(e: Exemption) {
    const period = e.to ? this.t('reqFromTo', { from: e.from, to: e.to }) : this.t('reqFromOnly', { from: e.from });
    return html`<tr data-id=${e.id}>
      <th scope="row">${e.name} (${e.employeeNumber})</th><td>${e.unit?.name ?? this.t('none')}</td><td>${e.requirement.code}</td><td>${period}</td><td>${this.reasonShown(e.reason)}</td>
      ${this.may('exemption.write')
        ? html`<td>${this.ending === e.id
            ? html`<form class="inline" @submit=${(ev: Event) => this.endExemption(ev, e)}>
                ${this.field('end-to', 'corLastDay', html`<input id="end-to" type="date" required aria-required="true" .value=${this.endTo} @input=${(ev: Event) => (this.endTo = (ev.target as HTMLInputElement).value)} />`)}
                <div class="buttons"><button type="submit" part="button">${this.t('corEnd')}</button>
                <button type="button" part="button" class="secondary" @click=${() => { this.ending = null; void this.focusOn(`#exemptions-table tr[data-id="${e.id}"] button`); }}>${this.t('cancel')}</button></div>
              </form>`
            : e.endedBy
              ? this.t('corEndedBy', { by: e.endedBy })
              : html`<button type="button" class="link" @click=${() => { this.ending = e.id; this.endTo = todayStockholm(); void this.focusOn('#end-to'); }}>${this.t('corEnd')}<span class="visually-hidden"> ${e.name} ${e.requirement.code}</span></button>`}</td>`
        : nothing}
    </tr>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kk-corrections': KkCorrections;
  }
}
