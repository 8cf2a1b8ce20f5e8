import { css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { fileNameOf, ok, saveBlob, todayStockholm, type Answer, type Client } from './api.ts';
import { asApiError, KkElement } from './base.ts';
import { baseStyles } from './styles.ts';
import { icon } from './icons.ts';

type RequirementView = Answer<Client['api']['requirements']['$get']>['requirements'][number];

/**
 * Downloads the coverage workbook (xlsx) for a unit, date and requirement, with or without names.
 * Without `unit` the caller's own unit is filled in; names (Personer) are offered only to those
 * who may export them, and someone who may export nothing sees a short text.
 *
 * @summary Exportera till Excel / Export to Excel.
 * @attr unit - the unit code filled in at first, e.g. STHLM
 * @attr requirement - the requirement chosen at first (default: all requirements)
 * @attr as-of - the date filled in at first (default today)
 * @attr api-base - where the API lives
 * @attr lang - `sv` (default) or `en`
 * @fires kk-token-request - when no `token` is set; detail `{ resolve(token), reject() }`
 * @fires kk-export-done - the workbook was downloaded; detail `{ filename, size }`
 * @csspart form - the form
 * @csspart button - the download button
 * @csspart status - the progress and result message
 * @csspart error - an error message
 * @cssproperty --kk-color-primary - the button
 * @cssproperty --kk-color-text - text
 * @cssproperty --kk-color-danger - errors
 * @cssproperty --kk-font-family - font
 */
@customElement('kk-coverage-export')
export class KkCoverageExport extends KkElement {
  static override styles = [
    baseStyles,
    css`
      form { display: grid; gap: 0.25rem; }
      .controls input[type='text'] { width: 10rem; }
      .controls select { width: 100%; max-width: 24rem; }
      .controls .field:last-child { flex: 1 1 14rem; }
      .status-line { min-height: 1.5rem; }
    `,
  ];

  @property() unit = '';
  @property() requirement = '';
  @property({ attribute: 'as-of' }) asOf = '';

  @state() private requirements: RequirementView[] = [];
  @state() private chosenUnit = '';
  @state() private chosenDate = '';
  @state() private chosenRequirement = '';
  @state() private withPeople = false;
  @state() private working = false;
  @state() private done = '';
  @state() private unitError = '';

  protected override willUpdate(changed: Map<string, unknown>) {
    if (changed.has('unit') || changed.has('token')) this.chosenUnit = this.unit;
    if (changed.has('asOf')) this.chosenDate = this.asOf || todayStockholm();
    if (changed.has('requirement')) this.chosenRequirement = this.requirement;
  }

  protected override async load(signal: { stale(): boolean }) {
    const [r, me] = await Promise.all([ok(this.client.api.requirements.$get()), this.askWho()]);
    if (signal.stale()) return;
    this.requirements = r.requirements;
    // Without a unit from the page, the caller's own is filled in.
    if (!this.chosenUnit && me?.units.length) this.chosenUnit = me.units[0].code;
    if (!this.may('export.people')) this.withPeople = false;
  }

  private async download(e: Event) {
    e.preventDefault();
    this.done = '';
    this.error = null;
    const unit = this.chosenUnit.trim();
    if (!unit) {
      this.unitError = this.t('expUnitRequired');
      this.renderRoot.querySelector<HTMLInputElement>('#unit')?.focus();
      return;
    }
    this.unitError = '';
    this.working = true;
    try {
      const res = await this.client.api.exports['coverage.xlsx'].$get({
        query: {
          unit,
          asOf: this.chosenDate || undefined,
          requirement: this.chosenRequirement || undefined,
          people: this.withPeople ? '1' : '0',
        },
      });
      const blob = await res.blob();
      const filename = fileNameOf(res, `kompetenskoll-${unit}-${this.chosenDate || todayStockholm()}.xlsx`);
      saveBlob(blob, filename);
      this.done = this.t('expDone', { file: filename });
      this.fire('kk-export-done', { filename, size: blob.size });
    } catch (err) {
      this.error = asApiError(err, this.lang);
    } finally {
      this.working = false;
    }
  }

  override render() {
    if (!this.may('export.read')) {
      return html`<section aria-labelledby="title"><h2 id="title">${this.t('expTitle')}</h2><p class="empty" data-state="nothing">${this.t('expNothing')}</p></section>`;
    }
    const own = this.me?.units ?? [];
    return html`<section aria-labelledby="title">
      <h2 id="title">${this.t('expTitle')}</h2>
      <p>${this.t('expIntro')}</p>
      <form part="form" novalidate @submit=${this.download}>
        <div class="controls">
          <div class="field">
            <label for="unit">${this.t('unitLabel')}</label>
            <p class="hint" id="unit-hint">${this.t('expUnitHint')}${own.length ? html` ${this.t('expOwnUnits', { units: own.map((u) => `${u.name} (${u.code})`).join(', ') })}` : nothing}</p>
            <input id="unit" type="text" autocomplete="off" spellcheck="false" .value=${this.chosenUnit}
              aria-describedby="unit-hint ${this.unitError ? 'unit-error' : ''}" aria-invalid=${this.unitError ? 'true' : 'false'}
              @input=${(e: Event) => (this.chosenUnit = (e.target as HTMLInputElement).value)} />
            ${this.unitError ? html`<p class="field-error" id="unit-error">${icon('overdue')} ${this.unitError}</p>` : nothing}
          </div>
          <div class="field">
            <label for="date">${this.t('asOfLabel')}</label>
            <input id="date" type="date" .value=${this.chosenDate} @change=${(e: Event) => (this.chosenDate = (e.target as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="req">${this.t('requirementLabel')}</label>
            <select id="req" @change=${(e: Event) => (this.chosenRequirement = (e.target as HTMLSelectElement).value)}>
              <option value="" ?selected=${!this.chosenRequirement}>${this.t('expAllRequirements')}</option>
              ${this.requirements.map((r) => {
                const en = this.lang === 'en' && r.titleEn;
                return html`<option value=${r.code} ?selected=${r.code === this.chosenRequirement} lang=${en ? 'en' : 'sv'}>${r.code}: ${en || r.title}</option>`;
              })}
            </select>
          </div>
        </div>
        ${this.may('export.people')
          ? html`<div class="field">
              <label class="check"><input type="checkbox" id="people" .checked=${this.withPeople} aria-describedby="people-hint"
                @change=${(e: Event) => (this.withPeople = (e.target as HTMLInputElement).checked)} /> ${this.t('expPeople')}</label>
              <p class="hint" id="people-hint">${this.t('expPeopleHint')}</p>
            </div>`
          : nothing}
        <div><button type="submit" part="button" ?disabled=${this.working}>${icon('download')} ${this.t('expDownload')}</button></div>
      </form>
      <div class="status-line" role="status" part="status">
        ${this.working ? html`<p class="loading"><span class="spinner" aria-hidden="true"></span>${this.t('expWorking')}</p>` : nothing}
        ${this.done ? html`<p class="success">${icon('completed')} ${this.done}</p>` : nothing}
      </div>
      ${this.renderError(this.error, false)}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kk-coverage-export': KkCoverageExport;
  }
}
