import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { InferRequestType } from 'hono/client';
import { ApiError, formatPercent, ok, type Answer, type Client } from './api.ts';
import { asApiError, KkElement } from './base.ts';
import { baseStyles } from './styles.ts';
import { icon } from './icons.ts';
import type { StringKey } from './strings/sv.ts';

type Requirement = Answer<Client['api']['requirements']['$get']>['requirements'][number];
type Course = Answer<Client['api']['courses']['$get']>['courses'][number];
// What the form sends; the server's schema checks it (and answers field by field when it disagrees).
type CourseBody = InferRequestType<Client['api']['courses']['$post']>['json'];
type RequirementBody = InferRequestType<Client['api']['requirements']['$post']>['json'];
/** DESIGN.md "Reminders": a requirement's schedule, as the form builds it. */
interface Reminders {
  beforeDue?: number[];
  overdueEvery?: number;
  overdueMax?: number;
  beforeExpiry?: number[];
  managerDigest?: 'monthly' | 'weekly' | null;
}
type Form = { kind: 'requirement' | 'course'; editing: string | null; values: Record<string, string | string[]> };

const TYPES: [string, StringKey][] = [
  ['tillsvidare', 'typeTillsvidare'],
  ['visstid', 'typeVisstid'],
  ['timavlonad', 'typeTimavlonad'],
];
const KINDS: [Course['kind'], StringKey][] = [
  ['web', 'kindWeb'],
  ['seminar', 'kindSeminar'],
  ['acknowledgement', 'kindAcknowledgement'],
];
/** Server error codes that belong to one field. */
const CODE_FIELD: Record<string, string> = {
  'requirement.exists': 'code',
  'course.exists': 'code',
  'requirement.unknownCourses': 'courses',
  'requirement.unknownUnits': 'scope',
  'course.xapiTaken': 'xapiActivityId',
};

const list = (s: string | string[] | undefined) =>
  (Array.isArray(s) ? s : (s ?? '').split(','))
    .map((x) => x.trim())
    .filter(Boolean);
const orNull = (s: string | string[] | undefined) => (typeof s === 'string' && s.trim() ? s.trim() : null);

/**
 * Lists, creates and edits requirements and courses: editing is offered to those who may
 * (coordinators, admins, by GET /api/me); others see the lists, read-only.
 *
 * @summary Krav och kurser / Requirements and courses.
 * @attr api-base - where the API lives
 * @attr lang - `sv` (default) or `en`
 * @fires kk-token-request - when no `token` is set; detail `{ resolve(token), reject() }`
 * @fires kk-saved - a requirement or course was saved; detail `{ kind, code }`
 * @csspart table - the lists
 * @csspart form - the edit form
 * @csspart button - buttons
 * @csspart error - an error message
 * @csspart loading - the loading message
 * @cssproperty --kk-color-primary - buttons and links
 * @cssproperty --kk-color-text - text
 * @cssproperty --kk-color-danger - field errors
 * @cssproperty --kk-font-family - font
 */
@customElement('kk-requirements')
export class KkRequirements extends KkElement {
  static override styles = [
    baseStyles,
    css`
      .head { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 0.5rem; margin-top: 1rem; }
      .head h3 { margin: 0; }
      form { border: 1px solid var(--kk-color-frame, #d5d9df); border-radius: var(--_radius); padding: 1rem; margin: 1rem 0; background: var(--_subtle); }
      form h3 { margin-top: 0; }
      .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 0 1rem; }
      .field input:not([type='checkbox']), .field select, .field textarea { width: 100%; }
      textarea { min-height: 4rem; }
      .wide { grid-column: 1 / -1; }
      .buttons { display: flex; gap: 0.75rem; flex-wrap: wrap; }
      td .codes { font-family: ui-monospace, monospace; font-size: 0.9rem; }
      .saved { margin: 0.5rem 0; }
      .nowrap { white-space: nowrap; }
    `,
  ];

  @state() private requirements: Requirement[] | null = null;
  @state() private courses: Course[] | null = null;
  @state() private form: Form | null = null;
  @state() private fieldErrors: Record<string, string> = {};
  @state() private formError: ApiError | null = null;
  @state() private saved = '';
  @state() private saving = false;
  /** Today's messages under the stored schedule of the requirement being edited (admins' dry run); null: not known. */
  @state() private preview: number | null = null;
  private returnFocus: HTMLElement | null = null;

  protected override async load(signal: { stale(): boolean }) {
    const [r, c] = await Promise.all([
      ok(this.client.api.requirements.$get()),
      ok(this.client.api.courses.$get()),
      this.askWho(),
    ]);
    if (signal.stale()) return;
    this.requirements = r.requirements;
    this.courses = c.courses;
  }

  private courseTitle(c: Course) {
    return (this.lang === 'en' && c.title.en) || c.title.sv;
  }

  /** A title in the element's language where there is one, marked with the language it is in. */
  private titled(sv: string, en: string | null | undefined) {
    const english = this.lang === 'en' && en;
    return html`<span lang=${english ? 'en' : 'sv'}>${english || sv}</span>`;
  }

  private async open(kind: Form['kind'], item: Requirement | Course | null, e: Event) {
    this.returnFocus = e.currentTarget as HTMLElement;
    this.fieldErrors = {};
    this.formError = null;
    this.saved = '';
    let values: Form['values'];
    if (kind === 'requirement') {
      const r = item as Requirement | null;
      values = {
        code: r?.code ?? '', title: r?.title ?? '', titleEn: r?.titleEn ?? '', courses: r?.courses ?? [], scope: (r?.scope ?? []).join(', '),
        employmentTypes: r?.employmentTypes ?? [], titles: (r?.titles ?? []).join(', '), effectiveFrom: r?.effectiveFrom ?? '',
        effectiveTo: r?.effectiveTo ?? '', dueDate: r?.dueDate ?? '', graceDays: r?.graceDays?.toString() ?? '',
        targetRate: r ? String(Math.round(r.targetRate * 1e6) / 1e4) : '100', source: r?.source ?? '', responsible: r?.responsible ?? '', followUp: r?.followUp ?? '',
        remBeforeDue: (r?.reminders?.beforeDue ?? []).join(', '), remOverdueEvery: r?.reminders?.overdueEvery?.toString() ?? '',
        remOverdueMax: r?.reminders?.overdueMax?.toString() ?? '', remBeforeExpiry: (r?.reminders?.beforeExpiry ?? []).join(', '),
        remDigest: r?.reminders?.managerDigest ?? '',
      };
      this.preview = null;
      if (r && this.may('reminder.run')) void this.loadPreview(r.code);
    } else {
      const c = item as Course | null;
      values = {
        code: c?.code ?? '', titleSv: c?.title.sv ?? '', titleEn: c?.title.en ?? '', kind: c?.kind ?? 'web', url: c?.url ?? '',
        validityMonths: c?.validityMonths?.toString() ?? '', xapiActivityId: c?.xapiActivityId ?? '',
      };
    }
    this.form = { kind, editing: item?.code ?? null, values };
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('form input:not([readonly])')?.focus();
  }

  /** "i dag skulle N påminnelser gå ut": the dry run for this requirement (admins; others see no preview). */
  private async loadPreview(code: string) {
    try {
      const answer = await ok(this.client.api.reminders.run.$post({ query: { dryRun: '1', requirement: code } }));
      if (this.form?.editing === code) this.preview = answer.messages.length;
    } catch {
      this.preview = null;
    }
  }

  private reminders(v: Form['values']): Reminders | null {
    const days = (s: string | string[] | undefined) => list(s).map(Number);
    const out: Reminders = {};
    if (list(v.remBeforeDue).length) out.beforeDue = days(v.remBeforeDue);
    if (orNull(v.remOverdueEvery)) out.overdueEvery = Number(v.remOverdueEvery);
    if (orNull(v.remOverdueMax)) out.overdueMax = Number(v.remOverdueMax);
    if (list(v.remBeforeExpiry).length) out.beforeExpiry = days(v.remBeforeExpiry);
    if (orNull(v.remDigest)) out.managerDigest = v.remDigest as 'monthly' | 'weekly';
    return Object.keys(out).length ? out : null;
  }

  private close() {
    this.form = null;
    this.fieldErrors = {};
    this.formError = null;
    const back = this.returnFocus;
    this.returnFocus = null;
    void this.updateComplete.then(() => back?.isConnected && back.focus());
  }

  private set(name: string, value: string | string[]) {
    if (!this.form) return;
    this.form = { ...this.form, values: { ...this.form.values, [name]: value } };
  }

  private toggle(name: string, value: string, on: boolean) {
    const now = new Set(list(this.form?.values[name]));
    if (on) now.add(value);
    else now.delete(value);
    this.set(name, [...now]);
  }

  private body(): Record<string, unknown> {
    const v = this.form!.values;
    if (this.form!.kind === 'course') {
      return {
        code: String(v.code).trim(),
        title: orNull(v.titleEn) ? { sv: String(v.titleSv).trim(), en: orNull(v.titleEn) } : String(v.titleSv).trim(),
        kind: v.kind,
        url: orNull(v.url),
        validityMonths: orNull(v.validityMonths) ? Number(v.validityMonths) : null,
        xapiActivityId: orNull(v.xapiActivityId),
      };
    }
    const pct = orNull(v.targetRate);
    return {
      code: String(v.code).trim(),
      title: String(v.title).trim(),
      titleEn: orNull(v.titleEn),
      courses: list(v.courses),
      scope: list(v.scope),
      employmentTypes: list(v.employmentTypes).length ? list(v.employmentTypes) : null,
      titles: list(v.titles).length ? list(v.titles) : null,
      effectiveFrom: String(v.effectiveFrom),
      effectiveTo: orNull(v.effectiveTo),
      dueDate: orNull(v.dueDate),
      graceDays: orNull(v.graceDays) ? Number(v.graceDays) : null,
      // Percent to a rate as text, so 33.3 % is sent as 0.333 exactly.
      targetRate: pct === null ? null : String(Number((Number(pct.replace(',', '.')) / 100).toFixed(6))),
      source: String(v.source).trim(),
      responsible: orNull(v.responsible),
      followUp: orNull(v.followUp),
      reminders: this.reminders(v),
    };
  }

  private required(): [string, StringKey][] {
    return this.form!.kind === 'course'
      ? [['code', 'crsCode'], ['titleSv', 'crsTitleSv']]
      : [['code', 'reqCode'], ['title', 'reqName'], ['courses', 'reqCourses'], ['scope', 'reqScope'], ['effectiveFrom', 'reqEffectiveFrom'], ['source', 'reqSource']];
  }

  private async submit(e: Event) {
    e.preventDefault();
    if (!this.form) return;
    const errors: Record<string, string> = {};
    for (const [name, label] of this.required()) {
      if (!list(this.form.values[name]).length) errors[name] = this.t('fieldRequired', { field: this.t(label).toLowerCase() });
    }
    const target = this.form.kind === 'requirement' ? orNull(this.form.values.targetRate) : null;
    // 85,5 and 85.5 are both a percentage; the API takes the rate (0.855).
    if (target !== null && !(/^\d{1,3}([.,]\d{1,4})?$/.test(target) && Number(target.replace(',', '.')) <= 100)) errors.targetRate = this.t('reqTargetInvalid');
    this.fieldErrors = errors;
    this.formError = null;
    if (Object.keys(errors).length) {
      this.formError = new ApiError(400, this.t('formHasErrors'));
      await this.focusFirstError();
      return;
    }
    const { kind, editing } = this.form;
    const body = this.body();
    this.saving = true;
    try {
      const api = this.client.api;
      const param = { code: encodeURIComponent(editing ?? '') };
      if (kind === 'course') {
        const json = body as CourseBody;
        await (editing ? api.courses[':code'].$put({ param, json }) : api.courses.$post({ json }));
      } else {
        const json = body as RequirementBody;
        await (editing ? api.requirements[':code'].$put({ param, json }) : api.requirements.$post({ json }));
      }
      const code = String(body.code);
      this.close();
      this.saved = this.t(kind === 'course' ? 'crsSaved' : 'reqSaved', { code });
      this.fire('kk-saved', { kind, code });
      await this.reload();
    } catch (err) {
      const apiErr = asApiError(err, this.lang);
      this.formError = apiErr;
      const fe: Record<string, string> = {};
      for (const x of apiErr.problem?.errors ?? []) {
        const name = x.field.split('.')[0] === 'title' && kind === 'course' ? 'titleSv' : x.field.split('.')[0];
        fe[name] ??= x.message;
      }
      const code = apiErr.problem?.code;
      if (code && CODE_FIELD[code]) fe[CODE_FIELD[code]] = apiErr.message;
      this.fieldErrors = fe;
      await this.focusFirstError();
    } finally {
      this.saving = false;
    }
  }

  private async focusFirstError() {
    await this.updateComplete;
    const el = this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]') ?? this.renderRoot.querySelector<HTMLElement>('#form-error');
    el?.focus();
  }

  override render() {
    return html`<section aria-labelledby="title">
      <h2 id="title">${this.t('reqTitle')}</h2>
      ${this.renderError()}
      ${this.busy && !this.requirements ? this.renderLoading('reqLoading') : nothing}
      <div role="status">${this.saved ? html`<p class="success saved">${icon('completed')} ${this.saved}</p>` : nothing}</div>
      ${this.form ? this.renderForm(this.form) : nothing}
      ${this.me && !this.may('requirement.write') && !this.may('course.write') ? html`<p class="hint" data-state="read-only">${this.t('reqReadOnly')}</p>` : nothing}
      ${this.requirements ? this.renderRequirements(this.requirements) : nothing}
      ${this.courses ? this.renderCourses(this.courses) : nothing}
    </section>`;
  }

  private renderRequirements(rs: Requirement[]) {
    const edit = this.may('requirement.write');
    return html`<div class="head"><h3>${this.t('reqList')}</h3>
        ${edit ? html`<button type="button" part="button" class="secondary" id="new-requirement" @click=${(e: Event) => this.open('requirement', null, e)}>${this.t('reqNew')}</button>` : nothing}</div>
      ${!rs.length
        ? html`<p class="empty">${this.t('reqEmpty')}</p>`
        : html`<div class="table-wrap" tabindex="0" role="region" aria-label=${this.t('reqList')}><table part="table">
            <caption>${this.t('reqListCaption')}</caption>
            <thead><tr>
              <th scope="col">${this.t('reqCode')}</th><th scope="col">${this.t('reqName')}</th><th scope="col">${this.t('crsList')}</th>
              <th scope="col">${this.t('unitLabel')}</th><th scope="col">${this.t('reqPeriod')}</th><th scope="col" class="num">${this.t('covTarget')}</th>${edit ? html`<th scope="col"><span class="visually-hidden">${this.t('edit')}</span></th>` : nothing}
            </tr></thead>
            <tbody>${rs.map((r) => html`<tr data-code=${r.code}>
              <th scope="row"><span class="codes">${r.code}</span></th><td>${this.titled(r.title, r.titleEn)}</td><td class="codes">${r.courses.join(', ')}</td>
              <td class="codes">${r.scope.join(', ')}</td><td class="nowrap">${r.effectiveTo ? this.t('reqFromTo', { from: r.effectiveFrom, to: r.effectiveTo }) : this.t('reqFromOnly', { from: r.effectiveFrom })}</td><td class="num">${formatPercent(this.lang, r.targetRate)}</td>
              ${edit ? html`<td><button type="button" class="link" @click=${(e: Event) => this.open('requirement', r, e)}>${this.t('edit')}<span class="visually-hidden"> ${r.code}</span></button></td>` : nothing}
            </tr>`)}</tbody>
          </table></div>`}`;
  }

  private renderCourses(cs: Course[]) {
    const edit = this.may('course.write');
    return html`<div class="head"><h3>${this.t('crsList')}</h3>
        ${edit ? html`<button type="button" part="button" class="secondary" id="new-course" @click=${(e: Event) => this.open('course', null, e)}>${this.t('crsNew')}</button>` : nothing}</div>
      ${!cs.length
        ? html`<p class="empty">${this.t('crsEmpty')}</p>`
        : html`<div class="table-wrap" tabindex="0" role="region" aria-label=${this.t('crsList')}><table part="table">
            <caption>${this.t('crsListCaption')}</caption>
            <thead><tr><th scope="col">${this.t('crsCode')}</th><th scope="col">${this.t('reqName')}</th><th scope="col">${this.t('crsKind')}</th><th scope="col">${this.t('crsValidityShort')}</th>${edit ? html`<th scope="col"><span class="visually-hidden">${this.t('edit')}</span></th>` : nothing}</tr></thead>
            <tbody>${cs.map((c) => html`<tr data-code=${c.code}>
              <th scope="row"><span class="codes">${c.code}</span></th>
              <td>${c.url ? html`<a href=${c.url} target="_blank" rel="noopener">${this.titled(c.title.sv, c.title.en)}</a>` : this.titled(c.title.sv, c.title.en)}</td>
              <td>${this.t(KINDS.find(([k]) => k === c.kind)?.[1] ?? 'kindWeb')}</td>
              <td>${c.validityMonths ? this.t('crsValidityMonths', { n: c.validityMonths }) : this.t('none')}</td>
              ${edit ? html`<td><button type="button" class="link" @click=${(e: Event) => this.open('course', c, e)}>${this.t('edit')}<span class="visually-hidden"> ${c.code}</span></button></td>` : nothing}
            </tr>`)}</tbody>
          </table></div>`}`;
  }

  private input(name: string, label: StringKey, type = 'text', opts: { wide?: boolean; readonly?: boolean; hint?: StringKey; decimal?: boolean; lang?: string } = {}) {
    const v = this.form!.values[name];
    const err = this.fieldErrors[name];
    const required = this.required().some(([n]) => n === name);
    return html`<div class="field ${opts.wide ? 'wide' : ''}">
      <label for="f-${name}">${this.t(label)}${required ? html` <span aria-hidden="true">*</span>` : nothing}</label>
      ${type === 'textarea'
        ? html`<textarea id="f-${name}" .value=${String(v ?? '')} aria-required=${required ? 'true' : 'false'} aria-invalid=${err ? 'true' : 'false'} aria-describedby=${err ? `e-${name}` : nothing}
            @input=${(e: Event) => this.set(name, (e.target as HTMLTextAreaElement).value)}></textarea>`
        : html`${opts.hint ? html`<p class="hint" id="h-${name}">${this.t(opts.hint)}</p>` : nothing}<input id="f-${name}" type=${type} .value=${String(v ?? '')} ?readonly=${opts.readonly} aria-required=${required ? 'true' : 'false'}
            lang=${opts.lang ?? nothing}
            aria-invalid=${err ? 'true' : 'false'} aria-describedby=${[opts.hint ? `h-${name}` : '', err ? `e-${name}` : ''].join(' ').trim() || nothing} inputmode=${type === 'number' || opts.decimal ? 'decimal' : nothing}
            @input=${(e: Event) => this.set(name, (e.target as HTMLInputElement).value)} />`}
      ${err ? html`<p class="field-error" id="e-${name}">${icon('overdue')} ${this.t('fieldError', { message: err })}</p>` : nothing}
    </div>`;
  }

  private checks(name: string, legend: StringKey, options: [string, string][]) {
    const chosen = new Set(list(this.form!.values[name]));
    const err = this.fieldErrors[name];
    return html`<fieldset class="wide" aria-invalid=${err ? 'true' : 'false'} aria-describedby=${err ? `e-${name}` : nothing} tabindex=${err ? '-1' : nothing}>
      <legend>${this.t(legend)}</legend>
      ${options.map(([value, label]) => html`<label class="check"><input type="checkbox" .checked=${chosen.has(value)} @change=${(e: Event) => this.toggle(name, value, (e.target as HTMLInputElement).checked)} /> ${label}</label>`)}
      ${err ? html`<p class="field-error" id="e-${name}">${icon('overdue')} ${this.t('fieldError', { message: err })}</p>` : nothing}
    </fieldset>`;
  }

  private renderForm(f: Form) {
    const editing = f.editing !== null;
    const title = f.kind === 'course' ? (editing ? this.t('crsEditTitle', { code: f.editing! }) : this.t('crsNewTitle')) : editing ? this.t('reqEditTitle', { code: f.editing! }) : this.t('reqNewTitle');
    return html`<form part="form" novalidate aria-labelledby="form-title" @submit=${this.submit} @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.close()}>
      <h3 id="form-title">${title}</h3>
      ${this.formError ? html`<div id="form-error" tabindex="-1">${this.renderError(this.formError, false)}</div>` : nothing}
      <div class="grid">
        ${f.kind === 'course'
          ? html`${this.input('code', 'crsCode', 'text', { readonly: editing })}
              ${this.input('titleSv', 'crsTitleSv')}
              ${this.input('titleEn', 'crsTitleEn', 'text', { lang: 'en' })}
              <div class="field"><label for="f-kind">${this.t('crsKind')}</label>
                <select id="f-kind" @change=${(e: Event) => this.set('kind', (e.target as HTMLSelectElement).value)}>
                  ${KINDS.map(([k, label]) => html`<option value=${k} ?selected=${f.values.kind === k}>${this.t(label)}</option>`)}
                </select></div>
              ${this.input('url', 'crsUrl', 'url')}
              ${this.input('validityMonths', 'crsValidity', 'number')}
              ${this.input('xapiActivityId', 'crsXapi', 'url', { wide: true })}`
          : html`${this.input('code', 'reqCode', 'text', { readonly: editing })}
              ${this.input('title', 'reqName', 'text', { wide: true })}
              ${this.input('titleEn', 'reqTitleEn', 'text', { wide: true, lang: 'en' })}
              ${this.checks('courses', 'reqCourses', (this.courses ?? []).map((c) => [c.code, `${c.code}: ${this.courseTitle(c)}`]))}
              ${this.input('scope', 'reqScope', 'text', { wide: true })}
              ${this.checks('employmentTypes', 'reqEmploymentTypes', TYPES.map(([v, l]) => [v, this.t(l)]))}
              ${this.input('titles', 'reqTitles', 'text', { wide: true })}
              ${this.input('effectiveFrom', 'reqEffectiveFrom', 'date')}
              ${this.input('effectiveTo', 'reqEffectiveTo', 'date')}
              ${this.input('dueDate', 'reqDueDate', 'date')}
              ${this.input('graceDays', 'reqGraceDays', 'number')}
              ${this.input('targetRate', 'reqTarget', 'text', { decimal: true, hint: 'reqTargetHint' })}
              ${this.input('source', 'reqSource', 'textarea', { wide: true })}
              ${this.input('responsible', 'reqResponsible')}
              ${this.input('followUp', 'reqFollowUp')}
              <fieldset class="wide">
                <legend>${this.t('remTitle')}</legend>
                <div class="grid">
                  ${this.input('remBeforeDue', 'remBeforeDue')}
                  ${this.input('remOverdueEvery', 'remOverdueEvery', 'number')}
                  ${this.input('remOverdueMax', 'remOverdueMax', 'number')}
                  ${this.input('remBeforeExpiry', 'remBeforeExpiry')}
                  <div class="field"><label for="f-remDigest">${this.t('remDigest')}</label>
                    <select id="f-remDigest" @change=${(e: Event) => this.set('remDigest', (e.target as HTMLSelectElement).value)}>
                      ${([['', 'remDigestNone'], ['monthly', 'remDigestMonthly'], ['weekly', 'remDigestWeekly']] as [string, StringKey][]).map(
                        ([k, label]) => html`<option value=${k} ?selected=${(f.values.remDigest ?? '') === k}>${this.t(label)}</option>`,
                      )}
                    </select></div>
                </div>
                <p class="hint" role="status">${this.preview === null ? nothing : this.t('remPreview', { n: this.preview })}</p>
              </fieldset>`}
      </div>
      <div class="buttons">
        <button type="submit" part="button" ?disabled=${this.saving}>${this.t('save')}</button>
        <button type="button" class="secondary" part="button" @click=${() => this.close()}>${this.t('cancel')}</button>
      </div>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kk-requirements': KkRequirements;
  }
}
