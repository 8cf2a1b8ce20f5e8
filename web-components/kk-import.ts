import { css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { apiFetch, fileNameOf, formatNumber, saveBlob, todayStockholm, uploadImport, type ImportResult, type Progress, type RosterChange } from './api.ts';
import { followImport, type JobProgress } from './import-poll.ts';
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
/** Rows with errors shown; the rejected-rows workbook has them all. */
const ERRORS_SHOWN = 100;
/** Changes a page: thousands of them stay readable and the table stays quick to render. */
const CHANGES_PER_PAGE = 50;
const CHANGE_KINDS: RosterChange['change'][] = ['started', 'ended', 'moved', 'changed'];
/** The count keys the answers carry that have a label; any other key is not shown rather than shown raw. */
const COUNT_KEYS = ['started', 'ended', 'moved', 'updated', 'peopleAdded', 'peopleUpdated', 'created', 'added', 'inserted', 'unchanged', 'duplicates'];

type Mapping = Record<string, string>;
const storageKey = (kind: Kind) => `kk-import-mapping:${kind}`;

/** The column choices last used for this kind; {} when storage is unavailable (private mode, a sandboxed frame). */
function loadMapping(kind: Kind): Mapping {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(storageKey(kind)) ?? '{}');
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
  } catch {
    return {};
  }
}

function saveMapping(kind: Kind, mapping: Mapping) {
  try {
    if (Object.keys(mapping).length) localStorage.setItem(storageKey(kind), JSON.stringify(mapping));
    else localStorage.removeItem(storageKey(kind));
  } catch {
    // Not remembered; the choice still applies to this file.
  }
}

const sameMapping = (a: Mapping, b: Mapping) => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

/**
 * Imports units, a staff list or completions from xlsx/csv: choose, upload with progress, see a
 * dry run's counts, warnings, changes and rejected rows, map columns it did not recognise, then
 * commit (a staff-list snapshot that would end many employments only after typing how many), and
 * download the changes and the rejected rows.
 *
 * Column choices are sent as the form field `mapping` and kept in localStorage per kind
 * (`kk-import-mapping:<kind>`) for the next file.
 *
 * An upload the server queues (202: a large CSV on Workers) is followed on `GET /api/imports/:id`
 * until it is planned, committed or failed, with a notice that it runs in the background and its
 * progress; its result is shown as a small upload's is. Polling pauses while the element is off
 * the page and goes on when it is back.
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
 * @fires kk-import-done - a dry run or commit finished; detail `{ dryRun, kind, result, queued }` (`queued`: it ran in the background)
 * @csspart form - the form
 * @csspart dropzone - the area a file can be dropped on
 * @csspart progress - the progress bars
 * @csspart result - the counts
 * @csspart rejected - the table of rejected rows
 * @csspart changes - the table of a staff list's changes
 * @csspart warning - the dry run's warnings
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
      .counts { display: grid; grid-template-columns: minmax(0, max-content) auto; gap: 0.15rem 1.25rem; margin: 0 0 0.75rem; }
      .counts dt { color: var(--_muted); }
      .counts dd { margin: 0; font-weight: 700; font-variant-numeric: tabular-nums; }
      .progress-block { margin: 0.5rem 0; }
      .radios label { font-weight: normal; }
      .warn { color: var(--_warning); font-weight: 600; }
      .warnbox { border: 2px solid var(--_warning); border-radius: var(--_radius); background: #fff8ec; padding: 0.5rem 0.9rem; margin: 0 0 0.9rem; }
      .warnbox h4 { margin: 0 0 0.3rem; font-size: 1rem; display: flex; gap: 0.4rem; align-items: center; color: var(--_warning); }
      .warnbox ul { margin: 0; padding-left: 1.2rem; }
      .confirm input { width: 10rem; }
      .mapping { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(16rem, 100%), 1fr)); gap: 0 1rem; }
      .mapping select { width: 100%; }
      .pager { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin: 0.5rem 0 1rem; }
      th[scope='rowgroup'] { background: none; font-weight: 600; }
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
  /** Column choices being edited (header as written → field key). */
  @state() private mapping: Mapping = {};
  /** The choices the shown dry run was made with; a commit sends these. */
  @state() private sentMapping: Mapping = {};
  /** Ended employments the coordinator must type before a commit; from the dry run or a 409. */
  @state() private confirmNeeded: number | null = null;
  @state() private confirmText = '';
  /** Enter was pressed in the confirmation field with another number: say what to type. */
  @state() private confirmTried = false;
  /** The server refused a commit of this file outright (422). */
  @state() private refused = false;
  /** A file refused for a missing column (422): the columns it has, to map one before the next dry run. */
  @state() private columnFix: Pick<ImportResult, 'ignoredColumns' | 'unmappedFields'> | null = null;
  @state() private changeFilter: 'all' | RosterChange['change'] = 'all';
  @state() private changePage = 0;
  @state() private downloading = false;
  /** An upload the server queued (202), followed until it ends. */
  @state() private queued: { dry: boolean } | null = null;
  @state() private jobProgress: JobProgress | null = null;
  /** The shown result came from a queued import (no change-list workbook: the server makes none for those). */
  @state() private resultQueued = false;
  /** The wait before the next poll; its timer is stopped while the element is off the page. */
  private parked: { ms: number; resolve: () => void; timer?: ReturnType<typeof setTimeout> } | null = null;

  override connectedCallback() {
    super.connectedCallback();
    this.armPause();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    if (this.parked?.timer !== undefined) {
      clearTimeout(this.parked.timer);
      this.parked.timer = undefined;
    }
  }

  /** Resolves `ms` after it is asked while the element is on the page; off the page it waits for its return. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.parked = { ms, resolve };
      if (this.isConnected) this.armPause();
    });
  }

  private armPause() {
    const p = this.parked;
    if (!p || p.timer !== undefined) return;
    p.timer = setTimeout(() => {
      this.parked = null;
      p.resolve();
    }, p.ms);
  }

  protected override willUpdate(changed: Map<string, unknown>) {
    if (changed.has('asOf')) this.chosenDate = this.asOf || todayStockholm();
    if (changed.has('kind')) this.mapping = loadMapping(this.kind);
  }

  private setFile(f: File | null | undefined) {
    this.file = f ?? null;
    this.fileError = '';
    this.clearResult();
    this.error = null;
  }

  /** A result belongs to one file, kind, mode and date: any change makes it stale. */
  private clearResult() {
    this.result = null;
    this.confirmNeeded = null;
    this.confirmText = '';
    this.confirmTried = false;
    this.refused = false;
    this.columnFix = null;
  }

  private query(dryRun: boolean): Record<string, string> {
    const query: Record<string, string> = { dryRun: String(dryRun) };
    if (this.kind === 'roster') {
      query.mode = this.mode;
      if (this.mode === 'snapshot' && this.chosenDate) query.asOf = this.chosenDate;
      if (this.mode === 'snapshot' && this.unit) query.scope = this.unit;
    }
    return query;
  }

  private fields(mapping: Mapping): Record<string, string> {
    return Object.keys(mapping).length ? { mapping: JSON.stringify(mapping) } : {};
  }

  private async run(dryRun: boolean) {
    if (!this.file) {
      this.fileError = this.t('impNoFile');
      this.renderRoot.querySelector<HTMLInputElement>('#file')?.focus();
      return;
    }
    const before = { result: this.result, dry: this.resultDry, queued: this.resultQueued };
    const mapping = dryRun ? { ...this.mapping } : this.sentMapping;
    const query = this.query(dryRun);
    if (!dryRun && this.confirmNeeded !== null) query.confirmEnded = String(this.confirmNeeded);
    this.working = dryRun ? 'dry' : 'commit';
    this.error = null;
    this.result = null;
    this.columnFix = null;
    this.uploading = { loaded: 0, total: this.file.size };
    this.progress = null;
    try {
      const uploaded = await uploadImport(
        this,
        this.url(`/api/imports/${this.kind}`, query),
        this.file,
        (loaded, total) => (this.uploading = { loaded, total }),
        (p) => (this.progress = p),
        this.fields(mapping),
      );
      let result: ImportResult;
      if ('queued' in uploaded) {
        this.uploading = null;
        this.queued = { dry: dryRun };
        result = await followImport(this, uploaded.queued.batchId, { onProgress: (p) => (this.jobProgress = p), pause: (ms) => this.pause(ms) });
      } else result = uploaded.result;
      this.clearResult();
      this.result = result;
      this.resultDry = dryRun;
      this.resultQueued = 'queued' in uploaded;
      this.changeFilter = 'all';
      this.changePage = 0;
      if (dryRun) {
        this.sentMapping = mapping;
        saveMapping(this.kind, mapping);
        this.confirmNeeded = result.safety && !result.safety.blocked ? (result.safety.confirmEnded ?? null) : null;
      }
      this.fire('kk-import-done', { dryRun, kind: this.kind, result, queued: 'queued' in uploaded });
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#result-heading')?.focus();
    } catch (e) {
      const error = asApiError(e, this.lang);
      this.error = error;
      const p = error.problem;
      if (dryRun && error.status === 422 && Array.isArray(p?.ignoredColumns) && Array.isArray(p?.unmappedFields) && p.ignoredColumns.length) {
        // The file lacks a column it needs under a name we know: one of its own may be it.
        this.columnFix = { ignoredColumns: p.ignoredColumns as string[], unmappedFields: p.unmappedFields as string[] };
        this.sentMapping = mapping;
      }
      if (!dryRun && before.result) {
        // The dry run stays on screen so the coordinator can act on the refusal.
        this.result = before.result;
        this.resultDry = before.dry;
        this.resultQueued = before.queued;
        const ended = error.problem?.ended;
        if (error.status === 409 && typeof ended === 'number') {
          this.confirmNeeded = ended;
          this.confirmText = '';
          this.confirmTried = false;
        } else if (error.status === 422) this.refused = true;
        // The commit button is disabled or gone now: focus goes where the next step is.
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLElement>(this.confirmNeeded !== null ? '#confirm' : '#result-heading')?.focus();
      }
    } finally {
      this.working = null;
      this.uploading = null;
      this.progress = null;
      this.queued = null;
      this.jobProgress = null;
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

  /** The dry run's changes as a workbook: the same upload with `format=xlsx`. */
  private async downloadChanges() {
    if (!this.file) return;
    this.error = null;
    this.downloading = true;
    try {
      const form = new FormData();
      form.append('file', this.file, this.file.name);
      for (const [k, v] of Object.entries(this.fields(this.sentMapping))) form.append(k, v);
      const res = await apiFetch(this, this.url(`/api/imports/${this.kind}`, { ...this.query(true), format: 'xlsx' }), { method: 'POST', body: form });
      saveBlob(await res.blob(), fileNameOf(res, this.lang === 'en' ? 'changes.xlsx' : 'andringar.xlsx'));
    } catch (e) {
      this.error = asApiError(e, this.lang);
    } finally {
      this.downloading = false;
    }
  }

  private setMapping(header: string, field: string) {
    const next = { ...this.mapping };
    if (field) next[header] = field;
    else delete next[header];
    this.mapping = next;
  }

  private async turnPage(delta: number, pages: number) {
    this.changePage = Math.min(pages - 1, Math.max(0, this.changePage + delta));
    await this.updateComplete;
    // A button that just became disabled loses focus: hand it to the other one.
    const [self, other] = delta > 0 ? ['#chg-next', '#chg-prev'] : ['#chg-prev', '#chg-next'];
    if (this.renderRoot.querySelector<HTMLButtonElement>(self)?.disabled) this.renderRoot.querySelector<HTMLElement>(other)?.focus();
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
            @change=${() => { this.kind = k; this.clearResult(); }} /> ${this.t(label)}</label>`)}
        </fieldset>
        ${this.kind === 'roster'
          ? html`<fieldset class="radios">
              <legend>${this.t('impMode')}</legend>
              <label class="check"><input type="radio" name="mode" value="snapshot" .checked=${this.mode === 'snapshot'} @change=${() => { this.mode = 'snapshot'; this.clearResult(); }} /> ${this.t('impModeSnapshot')}</label>
              <label class="check"><input type="radio" name="mode" value="history" .checked=${this.mode === 'history'} @change=${() => { this.mode = 'history'; this.clearResult(); }} /> ${this.t('impModeHistory')}</label>
              ${this.mode === 'snapshot'
                ? html`<div class="field"><label for="asof">${this.t('impAsOf')}</label>
                    <input id="asof" type="date" .value=${this.chosenDate} @change=${(e: Event) => { this.chosenDate = (e.target as HTMLInputElement).value; this.clearResult(); }} /></div>`
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
        </div>
      </form>
      <div role="status" aria-live="polite" part="progress">${this.renderProgress()}</div>
      ${this.queued ? this.renderBackground() : nothing}
      ${this.renderError(this.error, false)}
      ${this.result ? this.renderResult(this.result) : this.columnFix ? this.renderColumns(this.columnFix, true) : nothing}
    </section>`;
  }

  private renderProgress() {
    if (this.downloading) return html`<p>${this.t('expWorking')}</p>`;
    if (!this.working) return nothing;
    // Said once when the server has the file: the figures below change without being read out at every poll.
    if (this.queued) return html`<p id="queued-notice">${icon('upload')} ${this.t(this.queued.dry ? 'impQueuedDry' : 'impQueued')}</p>`;
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

  /** A queued import's progress as the last poll saw it, outside the live region. */
  private renderBackground() {
    const p = this.jobProgress;
    const n = (x: number) => formatNumber(this.lang, x);
    const started = p && p.state !== 'queued';
    const text = !started
      ? this.t('impBgQueued')
      : p.slicesDone < p.slices
        ? this.t('impBgRunning', { done: n(p.slicesDone), total: n(p.slices), rows: n(p.rowsDone) })
        : this.t('impBgFinishing', { rows: n(p.rowsDone) });
    return html`<div class="progress-block" part="progress" id="background">
      <label for="bg">${this.t('impBgLabel')}</label>
      ${started ? html`<progress id="bg" max=${p.slices} .value=${p.slicesDone} aria-describedby="bg-text"></progress>` : html`<progress id="bg" aria-describedby="bg-text"></progress>`}
      <p id="bg-text">${text}</p>
    </div>`;
  }

  private renderResult(r: ImportResult) {
    const n = (x: number) => formatNumber(this.lang, x);
    const dry = this.resultDry;
    const blocked = dry && (!!r.safety?.blocked || this.refused);
    const warnings = dry ? this.warnings(r, blocked) : [];
    const counts = blocked ? [] : COUNT_KEYS.filter((k) => typeof r.changes?.[k] === 'number');
    const status = !dry
      ? html`<p class="success">${icon('completed')} ${this.t('impCommitDone')}</p>`
      : warnings.length
        ? html`<p class="warn">${icon('overdue')} ${this.t(blocked ? 'impDryRunBlocked' : 'impDryRunWarn')}</p>`
        : html`<p class="success">${icon('completed')} ${this.t('impDryRunDone')}</p>`;
    return html`<div part="result">
      <h3 id="result-heading" tabindex="-1">${this.t('impSummary')}</h3>
      ${status}
      ${warnings.length
        ? html`<div class="warnbox" part="warning" id="warnings"><h4>${icon('overdue')} ${this.t('impWarnings')}</h4>
            <ul>${warnings.map((w) => html`<li>${w}</li>`)}</ul></div>`
        : nothing}
      <dl class="counts">
        <dt>${this.t('impRowsTotal')}</dt><dd data-count="rowsTotal">${n(r.rowsTotal)}</dd>
        <dt>${this.t('impRowsAccepted')}</dt><dd data-count="rowsAccepted">${n(r.rowsAccepted)}</dd>
        <dt>${this.t('impRowsRejected')}</dt><dd data-count="rowsRejected" class=${r.rowsRejected ? 'bad' : ''}>${n(r.rowsRejected)}</dd>
        ${typeof r.skippedRows === 'number' ? html`<dt>${this.t('impRowsSkipped')}</dt><dd data-count="skippedRows">${n(r.skippedRows)}</dd>` : nothing}
        ${counts.map((k) => html`<dt>${this.t(`impChange_${k}` as StringKey)}</dt><dd data-count=${`changes.${k}`}>${n(r.changes![k])}</dd>`)}
      </dl>
      ${this.renderColumns(r, dry)}
      ${r.changeList && !blocked ? this.renderChanges(r.changeList, dry) : nothing}
      ${this.renderErrors(r)}
      ${r.rowsRejected && r.batchId !== undefined && r.batchId !== null
        ? html`<p><button type="button" class="secondary" part="button" id="rejected" @click=${() => this.downloadRejected()}>${icon('download')} ${this.t('impDownloadRejected')}</button></p>`
        : nothing}
      ${dry && !blocked ? this.renderCommit() : nothing}
    </div>`;
  }

  /** What a coordinator must read before committing: in words, never by colour alone. */
  private warnings(r: ImportResult, blocked: boolean): string[] {
    const n = (x: number) => formatNumber(this.lang, x);
    // A file that cannot be committed ends nobody: its would-be changes are not news.
    if (blocked) return [this.t('impBlocked'), ...(r.rowsRejected ? [this.t('impWarnRejected', { n: n(r.rowsRejected) })] : [])];
    const out: string[] = [];
    if (r.rowsRejected) {
      const snapshot = this.kind === 'roster' && this.mode === 'snapshot';
      out.push(this.t(snapshot ? 'impWarnRejectedSnapshot' : 'impWarnRejected', { n: n(r.rowsRejected) }));
    }
    const ended = r.safety?.confirmEnded ?? r.changes?.ended ?? 0;
    if (r.safety?.reasons.includes('manyEnded')) out.push(this.t('impWarnManyEnded', { n: n(ended), active: n(r.safety.activeInScope) }));
    else if (this.confirmNeeded !== null && !r.safety?.reasons.length) out.push(this.t('impWarnEnded', { n: n(this.confirmNeeded) }));
    return out;
  }

  private renderCommit() {
    const busy = this.working !== null;
    if (!sameMapping(this.mapping, this.sentMapping)) return html`<p class="warn" id="rerun-first">${icon('overdue')} ${this.t('impRerunFirst')}</p>`;
    const need = this.confirmNeeded;
    const ok = need === null || this.confirmText.replace(/\s/g, '') === String(need);
    const commit = () => {
      if (!ok) this.confirmTried = true;
      else if (!busy) void this.run(false);
    };
    const wrong = need !== null && this.confirmTried && !ok;
    return html`${need !== null
        ? html`<div class="field confirm">
            <label for="confirm">${this.t('impConfirmLabel', { n: String(need) })}</label>
            <p class="hint" id="confirm-hint">${this.t('impConfirmHint')}</p>
            <input id="confirm" inputmode="numeric" autocomplete="off" aria-describedby="confirm-hint${wrong ? ' confirm-error' : ''}"
              aria-invalid=${wrong ? 'true' : 'false'} .value=${this.confirmText}
              @input=${(e: Event) => (this.confirmText = (e.target as HTMLInputElement).value)}
              @keydown=${(e: KeyboardEvent) => { if (e.key === 'Enter') commit(); }} />
            ${wrong ? html`<p class="field-error" id="confirm-error">${icon('overdue')} ${this.t('impConfirmMismatch', { n: String(need) })}</p>` : nothing}
          </div>`
        : nothing}
      <div class="buttons">
        <button type="button" part="button" id="commit" ?disabled=${busy || !ok} @click=${commit}>${icon('completed')} ${this.t('impCommit')}</button>
      </div>`;
  }

  /** Columns no field took, each with a choice of the fields no column took. */
  private renderColumns(r: Pick<ImportResult, 'ignoredColumns' | 'unmappedFields'>, dry: boolean) {
    const ignored = r.ignoredColumns ?? [];
    const unmapped = r.unmappedFields ?? [];
    // Columns mapped by hand are no longer ignored; they stay listed so the choice can be undone.
    const mapped = Object.keys(this.sentMapping).filter((h) => !ignored.includes(h) && !unmapped.includes(this.sentMapping[h]));
    const headers = [...ignored, ...mapped];
    if (!headers.length) return nothing;
    const label = (f: string) => {
      const text = this.t(`fld_${f}` as StringKey);
      return text === `fld_${f}` ? f : text;
    };
    if (!dry || (!unmapped.length && !mapped.length)) {
      if (!ignored.length) return nothing;
      return html`<h3 id="columns-heading">${this.t('impColumns')}</h3><ul id="ignored">${ignored.map((h) => html`<li>${h}</li>`)}</ul>`;
    }
    return html`<h3 id="columns-heading">${this.t('impColumns')}</h3>
      <p class="hint">${this.t('impColumnsIntro')}</p>
      <div class="mapping" id="ignored">
        ${headers.map((h, i) => {
          const chosen = this.mapping[h] ?? '';
          const taken = new Set(Object.entries(this.mapping).filter(([k]) => k !== h).map(([, f]) => f));
          const options = [...new Set([...unmapped, ...(chosen ? [chosen] : []), ...(this.sentMapping[h] ? [this.sentMapping[h]] : [])])].filter((f) => !taken.has(f));
          return html`<div class="field"><label for=${`map-${i}`}>${this.t('impColumnFor', { name: h })}</label>
            <select id=${`map-${i}`} data-header=${h} @change=${(e: Event) => this.setMapping(h, (e.target as HTMLSelectElement).value)}>
              <option value="" ?selected=${!chosen}>${this.t('impColumnUnused')}</option>
              ${options.map((f) => html`<option value=${f} ?selected=${f === chosen}>${label(f)}</option>`)}
            </select></div>`;
        })}
      </div>
      <p><button type="button" class="secondary" part="button" id="rerun" ?disabled=${this.working !== null} @click=${() => this.run(true)}>${icon('upload')} ${this.t('impRerun')}</button></p>`;
  }

  private renderChanges(list: RosterChange[], dry: boolean) {
    const n = (x: number) => formatNumber(this.lang, x);
    const shown = this.changeFilter === 'all' ? list : list.filter((c) => c.change === this.changeFilter);
    const pages = Math.max(1, Math.ceil(shown.length / CHANGES_PER_PAGE));
    const page = Math.min(this.changePage, pages - 1);
    const first = page * CHANGES_PER_PAGE;
    const rows = shown.slice(first, first + CHANGES_PER_PAGE);
    const unit = (u: RosterChange['from']) => (u ? `${u.name} (${u.code})` : this.t('none'));
    const dates = (c: RosterChange) =>
      c.startDate && c.endDate ? this.t('impDateRange', { from: c.startDate, to: c.endDate })
        : c.startDate ? this.t('impDateFrom', { date: c.startDate })
          : c.endDate ? this.t('impDateTo', { date: c.endDate }) : this.t('none');
    const count = (k: RosterChange['change']) => list.filter((c) => c.change === k).length;
    return html`<h3 id="changes-heading">${this.t('impChangeList')}</h3>
      ${list.length
        ? html`<div class="controls">
              <div class="field"><label for="chg-filter">${this.t('impChangeFilter')}</label>
                <select id="chg-filter" @change=${(e: Event) => { this.changeFilter = (e.target as HTMLSelectElement).value as typeof this.changeFilter; this.changePage = 0; }}>
                  <option value="all" ?selected=${this.changeFilter === 'all'}>${this.t('impChangeAll', { n: n(list.length) })}</option>
                  ${CHANGE_KINDS.filter(count).map((k) => html`<option value=${k} ?selected=${this.changeFilter === k}>${this.t('impChangeOne', { label: this.t(`chg_${k}`), n: n(count(k)) })}</option>`)}
                </select></div>
              ${dry && this.file && !this.resultQueued
                ? html`<button type="button" class="secondary" part="button" id="changes-xlsx" ?disabled=${this.downloading} @click=${() => this.downloadChanges()}>${icon('download')} ${this.t('impDownloadChanges')}</button>`
                : nothing}
            </div>
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="changes-heading"><table part="changes">
              <caption>${this.t('impChangeListCaption', { from: n(shown.length ? first + 1 : 0), to: n(first + rows.length), n: n(shown.length) })}</caption>
              <thead><tr><th scope="col">${this.t('impChangeCol')}</th><th scope="col">${this.t('impEmployeeNumber')}</th><th scope="col">${this.t('impName')}</th><th scope="col">${this.t('impUnitFromTo')}</th><th scope="col">${this.t('impDates')}</th></tr></thead>
              <tbody>${rows.map((c) => html`<tr data-change=${c.change}><td>${this.t(`chg_${c.change}`)}</td><td>${c.employeeNumber}</td><td>${c.name ?? this.t('none')}</td>
                <td>${unit(c.from)} <span aria-hidden="true">→</span><span class="visually-hidden">${this.t('impUnitTo')}</span> ${unit(c.to)}</td><td>${dates(c)}</td></tr>`)}</tbody>
            </table></div>
            ${pages > 1
              ? html`<div class="pager">
                  <button type="button" class="secondary" part="button" id="chg-prev" ?disabled=${page === 0} @click=${() => this.turnPage(-1, pages)}>${this.t('impPrev')}</button>
                  <span id="chg-page" aria-live="polite">${this.t('impPage', { page: n(page + 1), pages: n(pages) })}</span>
                  <button type="button" class="secondary" part="button" id="chg-next" ?disabled=${page >= pages - 1} @click=${() => this.turnPage(1, pages)}>${this.t('impNext')}</button>
                </div>`
              : nothing}`
        : html`<p class="empty">${this.t('impChangeListEmpty')}</p>`}`;
  }

  /** Several errors of one row sit together under the row's number. */
  private renderErrors(r: ImportResult) {
    if (!r.errors?.length) return nothing;
    const byRow = new Map<number, ImportResult['errors']>();
    for (const e of r.errors) {
      const list = byRow.get(e.row);
      if (list) list.push(e);
      else byRow.set(e.row, [e]);
    }
    const groups = [...byRow.entries()];
    return html`<h3>${this.t('impRejected')}</h3>
      <div class="table-wrap" tabindex="0" role="region" aria-label=${this.t('impRejected')}><table part="rejected">
        <caption>${this.t('impRejectedCaption')}</caption>
        <thead><tr><th scope="col" class="num">${this.t('impRow')}</th><th scope="col">${this.t('impColumn')}</th><th scope="col">${this.t('impMessage')}</th></tr></thead>
        ${groups.slice(0, ERRORS_SHOWN).map(([row, errs]) => html`<tbody data-row=${row}>${errs.map((e, i) => html`<tr>
          ${i === 0 ? html`<th scope="rowgroup" rowspan=${errs.length} class="num">${row}</th>` : nothing}
          <td>${e.column ?? this.t('none')}</td><td class="reason">${e.message}</td></tr>`)}</tbody>`)}
      </table></div>
      ${groups.length > ERRORS_SHOWN ? html`<p class="hint">${this.t('impRejectedMore', { shown: ERRORS_SHOWN, n: Math.max(groups.length, r.rowsRejected) })}</p>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kk-import': KkImport;
  }
}
