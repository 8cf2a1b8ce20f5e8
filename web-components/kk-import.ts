import { css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { fileNameOf, formatNumber, saveBlob, todayStockholm, uploadImport, type ImportResult, type Progress } from './api.ts';
import { asApiError, KkElement } from './base.ts';
import { baseStyles } from './styles.ts';
import { icon } from './icons.ts';
import type { StringKey } from './strings/sv.ts';

type Kind = 'units' | 'roster' | 'completions';
type Mode = 'snapshot' | 'history';
const KINDS: [Kind, StringKey][] = [
  ['units', 'impKindUnits'],
  ['roster', 'impKindRoster'],
  ['completions', 'impKindCompletions'],
];
const PHASES: Record<string, StringKey> = {
  read: 'phaseRead',
  parse: 'phaseParse',
  validate: 'phaseValidate',
  check: 'phaseValidate',
  match: 'phaseMatch',
  write: 'phaseWrite',
  commit: 'phaseCommit',
};
const ERRORS_SHOWN = 100;

/**
 * Imports units, a staff list or completions from xlsx/csv: choose, upload with progress, see a
 * dry run's counts and rejected rows, then commit, and download the rejected rows.
 *
 * @summary Importera / Import.
 * @attr kind - `units`, `roster` (default) or `completions`
 * @attr mode - `snapshot` (default) or `history`, for a staff list
 * @attr unit - the förvaltning a snapshot covers (sent as `scope`: rows outside it are rejected
 *   rather than ending the staff of another förvaltning); the portal sets the coordinator's
 * @attr as-of - the date of a snapshot staff list (default today)
 * @attr api-base - where the API lives
 * @attr lang - `sv` (default) or `en`
 * @fires kk-token-request - when no `token` is set; detail `{ resolve(token), reject() }`
 * @fires kk-import-done - a dry run or commit finished; detail `{ dryRun, kind, result }`
 * @csspart form - the form
 * @csspart dropzone - the area a file can be dropped on
 * @csspart progress - the progress bars
 * @csspart result - the counts
 * @csspart rejected - the table of rejected rows
 * @csspart button - buttons
 * @csspart error - an error message
 * @cssproperty --kk-color-primary - buttons and the drop area when a file is over it
 * @cssproperty --kk-color-text - text
 * @cssproperty --kk-color-danger - rejected rows and errors
 * @cssproperty --kk-font-family - font
 */
@customElement('kk-import')
export class KkImport extends KkElement {
  static override styles = [
    baseStyles,
    css`
      .drop { position: relative; border: 2px dashed var(--_border); border-radius: var(--_radius); padding: 0.9rem; background: var(--_subtle); }
      .drop.over { border-color: var(--_primary); background: #e8f1fa; }
      .drop p { margin: 0.4rem 0 0; color: var(--_muted); }
      .drop input[type='file'] { position: absolute; opacity: 0; width: 1px; height: 1px; overflow: hidden; }
      .drop .pick { margin-top: 0.25rem; }
      .drop input[type='file']:focus-visible + .pick { outline: 3px solid var(--_focus); outline-offset: 2px; }
      td.reason { min-width: 14rem; }
      .buttons { display: flex; flex-wrap: wrap; gap: 0.75rem; margin: 1rem 0; }
      progress { width: 100%; max-width: 28rem; height: 1rem; accent-color: var(--_primary); }
      .counts { display: grid; grid-template-columns: max-content auto; gap: 0.15rem 1.25rem; margin: 0 0 0.75rem; }
      .counts dt { color: var(--_muted); }
      .counts dd { margin: 0; font-weight: 700; font-variant-numeric: tabular-nums; }
      .progress-block { margin: 0.5rem 0; }
      .radios label { font-weight: normal; }
    `,
  ];

  @property() kind: Kind = 'roster';
  @property() mode: Mode = 'snapshot';
  @property({ attribute: 'as-of' }) asOf = '';
  @property() unit = '';

  @state() private file: File | null = null;
  @state() private over = false;
  @state() private uploading: { loaded: number; total: number } | null = null;
  @state() private progress: Progress | null = null;
  @state() private working: 'dry' | 'commit' | null = null;
  @state() private result: ImportResult | null = null;
  @state() private resultDry = true;
  @state() private fileError = '';
  @state() private chosenDate = '';

  protected override willUpdate(changed: Map<string, unknown>) {
    if (changed.has('asOf')) this.chosenDate = this.asOf || todayStockholm();
  }

  private setFile(f: File | null | undefined) {
    this.file = f ?? null;
    this.fileError = '';
    this.result = null;
    this.error = null;
  }

  private async run(dryRun: boolean) {
    if (!this.file) {
      this.fileError = this.t('impNoFile');
      this.renderRoot.querySelector<HTMLInputElement>('#file')?.focus();
      return;
    }
    this.working = dryRun ? 'dry' : 'commit';
    this.error = null;
    this.result = null;
    this.uploading = { loaded: 0, total: this.file.size };
    this.progress = null;
    const query: Record<string, string> = { dryRun: String(dryRun) };
    if (this.kind === 'roster') {
      query.mode = this.mode;
      if (this.mode === 'snapshot' && this.chosenDate) query.asOf = this.chosenDate;
      if (this.mode === 'snapshot' && this.unit) query.scope = this.unit;
    }
    try {
      const result = await uploadImport(
        this,
        this.url(`/api/imports/${this.kind}`, query),
        this.file,
        (loaded, total) => (this.uploading = { loaded, total }),
        (p) => (this.progress = p),
      );
      this.result = result;
      this.resultDry = dryRun;
      this.fire('kk-import-done', { dryRun, kind: this.kind, result });
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#result-heading')?.focus();
    } catch (e) {
      this.error = asApiError(e, this.lang);
    } finally {
      this.working = null;
      this.uploading = null;
      this.progress = null;
    }
  }

  private async downloadRejected() {
    if (!this.result) return;
    this.error = null;
    try {
      const res = await this.client.api.imports[':id']['rejected.xlsx'].$get({ param: { id: encodeURIComponent(String(this.result.batchId)) } });
      saveBlob(await res.blob(), fileNameOf(res, `avvisade-rader-${this.result.batchId}.xlsx`));
    } catch (e) {
      this.error = asApiError(e, this.lang);
    }
  }

  private onDrop(e: DragEvent) {
    e.preventDefault();
    this.over = false;
    this.setFile(e.dataTransfer?.files?.[0]);
  }

  override render() {
    const busy = this.working !== null;
    return html`<section aria-labelledby="title">
      <h2 id="title">${this.t('impTitle')}</h2>
      <p>${this.t('impIntro')}</p>
      <form part="form" novalidate @submit=${(e: Event) => { e.preventDefault(); void this.run(true); }}>
        <fieldset class="radios">
          <legend>${this.t('impKind')}</legend>
          ${KINDS.map(([k, label]) => html`<label class="check"><input type="radio" name="kind" value=${k} .checked=${this.kind === k}
            @change=${() => { this.kind = k; this.result = null; }} /> ${this.t(label)}</label>`)}
        </fieldset>
        ${this.kind === 'roster'
          ? html`<fieldset class="radios">
              <legend>${this.t('impMode')}</legend>
              <label class="check"><input type="radio" name="mode" value="snapshot" .checked=${this.mode === 'snapshot'} @change=${() => (this.mode = 'snapshot')} /> ${this.t('impModeSnapshot')}</label>
              <label class="check"><input type="radio" name="mode" value="history" .checked=${this.mode === 'history'} @change=${() => (this.mode = 'history')} /> ${this.t('impModeHistory')}</label>
              ${this.mode === 'snapshot'
                ? html`<div class="field"><label for="asof">${this.t('impAsOf')}</label>
                    <input id="asof" type="date" .value=${this.chosenDate} @change=${(e: Event) => (this.chosenDate = (e.target as HTMLInputElement).value)} /></div>`
                : nothing}
            </fieldset>`
          : nothing}
        <div class="field drop ${this.over ? 'over' : ''}" part="dropzone"
          @dragover=${(e: DragEvent) => { e.preventDefault(); this.over = true; }}
          @dragleave=${() => (this.over = false)} @drop=${this.onDrop}>
          <label for="file">${this.t('impFile')}</label>
          <input id="file" type="file" accept=".xlsx,.xls,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            aria-describedby="drop-hint ${this.fileError ? 'file-error' : ''}" aria-invalid=${this.fileError ? 'true' : 'false'}
            @change=${(e: Event) => this.setFile((e.target as HTMLInputElement).files?.[0])} />
          <label for="file" class="button secondary pick">${icon('upload')} ${this.t('impChoose')}</label>
          <p id="drop-hint">${this.file ? this.t('impChosen', { name: this.file.name, size: this.t('impBytes', { n: formatNumber(this.lang, Math.max(1, Math.round(this.file.size / 1024))) }) }) : this.t('impDrop')}</p>
          ${this.fileError ? html`<p class="field-error" id="file-error">${icon('overdue')} ${this.fileError}</p>` : nothing}
        </div>
        <div class="buttons">
          <button type="submit" part="button" id="dry" ?disabled=${busy}>${icon('upload')} ${this.t('impDryRun')}</button>
          ${this.result && this.resultDry
            ? html`<button type="button" part="button" id="commit" ?disabled=${busy} @click=${() => this.run(false)}>${icon('completed')} ${this.t('impCommit')}</button>`
            : nothing}
        </div>
      </form>
      <div role="status" aria-live="polite" part="progress">${this.renderProgress()}</div>
      ${this.renderError(this.error, false)}
      ${this.result ? this.renderResult(this.result) : nothing}
    </section>`;
  }

  private renderProgress() {
    if (!this.working) return nothing;
    const up = this.uploading;
    const p = this.progress;
    const pct = up && up.total ? up.loaded / up.total : 0;
    const phase = p ? this.t(PHASES[p.phase] ?? 'phaseOther') : '';
    return html`<div class="progress-block">
        <label for="up">${this.t('impUploadLabel')}</label>
        <progress id="up" max="100" .value=${Math.round(pct * 100)}></progress>
        <p>${this.t('impUploading', { pct: `${Math.round(pct * 100)} %` })}</p>
      </div>
      ${p
        ? html`<div class="progress-block">
            <label for="proc">${this.t('impProcessLabel')}</label>
            ${p.total ? html`<progress id="proc" max=${p.total} .value=${p.done}></progress>` : html`<progress id="proc"></progress>`}
            <p>${p.total ? this.t('impProcessing', { phase, done: formatNumber(this.lang, p.done), total: formatNumber(this.lang, p.total) }) : this.t('impProcessingNoTotal', { phase })}</p>
          </div>`
        : nothing}`;
  }

  private renderResult(r: ImportResult) {
    const n = (x: number) => formatNumber(this.lang, x);
    const changes = Object.entries(r.changes ?? {}).filter(([, v]) => typeof v === 'number');
    const changeLabel = (k: string) => {
      const key = `impChange_${k}` as StringKey;
      const text = this.t(key);
      return text === key ? k : text;
    };
    return html`<div part="result">
      <h3 id="result-heading" tabindex="-1">${this.t('impSummary')}</h3>
      <p class="success">${icon('completed')} ${this.resultDry ? this.t('impDryRunDone') : this.t('impCommitDone')}</p>
      <dl class="counts">
        <dt>${this.t('impRowsTotal')}</dt><dd data-count="rowsTotal">${n(r.rowsTotal)}</dd>
        <dt>${this.t('impRowsAccepted')}</dt><dd data-count="rowsAccepted">${n(r.rowsAccepted)}</dd>
        <dt>${this.t('impRowsRejected')}</dt><dd data-count="rowsRejected" class=${r.rowsRejected ? 'bad' : ''}>${n(r.rowsRejected)}</dd>
        ${changes.map(([k, v]) => html`<dt>${changeLabel(k)}</dt><dd data-count=${`changes.${k}`}>${n(v)}</dd>`)}
      </dl>
      ${r.errors?.length
        ? html`<h3>${this.t('impRejected')}</h3>
            <div class="table-wrap" tabindex="0" role="region" aria-label=${this.t('impRejected')}><table part="rejected">
              <caption>${this.t('impRejectedCaption')}</caption>
              <thead><tr><th scope="col" class="num">${this.t('impRow')}</th><th scope="col">${this.t('impColumn')}</th><th scope="col">${this.t('impMessage')}</th></tr></thead>
              <tbody>${r.errors.slice(0, ERRORS_SHOWN).map((e) => html`<tr><td class="num">${e.row}</td><td>${e.column ?? this.t('none')}</td><td class="reason">${e.message}</td></tr>`)}</tbody>
            </table></div>
            ${r.errors.length > ERRORS_SHOWN ? html`<p class="hint">${this.t('impRejectedMore', { shown: ERRORS_SHOWN, n: r.errors.length })}</p>` : nothing}`
        : nothing}
      ${r.rowsRejected && r.batchId !== undefined && r.batchId !== null
        ? html`<p><button type="button" class="secondary" part="button" id="rejected" @click=${() => this.downloadRejected()}>${icon('download')} ${this.t('impDownloadRejected')}</button></p>`
        : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kk-import': KkImport;
  }
}
