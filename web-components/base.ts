import { LitElement, html, nothing, type CSSResultGroup, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ApiError, client, forgetToken, t as translate, url, whoAmI, type ApiHost, type Client, type Me } from './api.ts';
import type { StringKey } from './strings/sv.ts';
import { baseStyles } from './styles.ts';

/**
 * What all five elements share: `api-base`, `lang`, the token, a load that re-runs when what it
 * depends on changes, and the loading / error states.
 */
export class KkElement extends LitElement implements ApiHost {
  static override styles: CSSResultGroup = [baseStyles];

  /** Where the API lives, e.g. `https://kompetenskoll.stockholm.se` (empty: the page's origin). */
  @property({ attribute: 'api-base' }) apiBase = '';
  /** `sv` (default) or `en`. */
  @property({ reflect: true }) override lang = 'sv';
  /** A bearer token; when absent the element fires `kk-token-request`. */
  @property({ attribute: false }) token?: string;

  @state() protected busy = false;
  @state() protected error: ApiError | null = null;
  /** Who is signed in (GET /api/me), once the element has asked; null while unknown. */
  @state() protected me: Me | null = null;

  private lastKey: string | null = null;
  private loadSeq = 0;

  protected t(key: StringKey, params?: Record<string, string | number>) {
    return translate(this.lang, key, params);
  }

  protected url(path: string, query?: Parameters<typeof url>[2]) {
    return url(this, path, query);
  }

  /** The API, typed from the server's routes (see api.ts `client` and `ok`). */
  protected get client(): Client {
    return client(this);
  }

  /** What the element's data depends on besides api-base, token and lang. */
  protected loadKey(): string {
    return '';
  }

  /** Fetches the element's data; called when loadKey, api-base, token or lang change. */
  protected async load(_signal: { stale(): boolean }): Promise<void> {}

  override updated(changed: PropertyValues) {
    super.updated(changed);
    if (changed.has('token') && !this.token) forgetToken(this);
    const key = JSON.stringify([this.apiBase, this.token ?? '', this.lang, this.loadKey()]);
    if (key !== this.lastKey) {
      this.lastKey = key;
      void this.reload();
    }
  }

  /** Whether the signed-in person may do `action` somewhere (true while not known: the API decides). */
  protected may(action: string): boolean {
    return !this.me || this.me.capabilities.includes(action);
  }

  /** Whether the person holds one of `roles` (for those who may look anywhere in their reach). */
  protected holds(...roles: string[]): boolean {
    return !!this.me?.roles.some((r) => roles.includes(r.role));
  }

  /** Asks who is signed in; an API without /api/me (or a failed answer) leaves `me` unknown. */
  protected async askWho(): Promise<Me | null> {
    try {
      this.me = await whoAmI(this);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) throw e;
      this.me = null;
    }
    return this.me;
  }

  /** Loads again; answers that arrive after a newer load started are dropped. */
  async reload() {
    const seq = ++this.loadSeq;
    const signal = { stale: () => seq !== this.loadSeq };
    this.busy = true;
    this.error = null;
    try {
      // An element the signed-in person may not use at all is not shown (GATES).
      const gate = GATES[this.localName];
      if (gate) {
        const me = await this.askWho();
        if (signal.stale()) return;
        this.hidden = !!me && !me.capabilities.includes(gate);
        if (this.hidden) return;
      }
      await this.load(signal);
    } catch (e) {
      if (!signal.stale()) this.error = asApiError(e, this.lang);
    } finally {
      if (!signal.stale()) this.busy = false;
    }
  }

  protected renderError(error: ApiError | null = this.error, retry = true) {
    if (!error) return nothing;
    return html`<div class="error" role="alert" part="error">
      <svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="2"/><path d="M8 4v5M8 11v1.5" stroke="currentColor" stroke-width="2"/></svg>
      <span><strong>${this.t(errorHeading(error.status))}:</strong> ${error.message}</span>
      ${retry ? html`<button type="button" part="button" @click=${() => this.reload()}>${this.t('retry')}</button>` : nothing}
    </div>`;
  }

  protected renderLoading(key: StringKey) {
    return html`<p class="loading" role="status" part="loading"><span class="spinner" aria-hidden="true"></span>${this.t(key)}</p>`;
  }

  /** A labelled form field: the label, an optional hint (id `<id>-hint`, for aria-describedby) and the control. */
  protected field(id: string, label: StringKey, control: unknown, opts: { wide?: boolean; hint?: StringKey } = {}) {
    return html`<div class="field ${opts.wide ? 'wide' : ''}"><label for=${id}>${this.t(label)}</label>
      ${opts.hint ? html`<p class="hint" id="${id}-hint">${this.t(opts.hint)}</p>` : nothing}${control}</div>`;
  }

  protected fire<T>(name: string, detail: T) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}

/** Elements shown only to those who may do the action (the rest ask /api/me as they need). */
const GATES: Record<string, string> = { 'kk-import': 'import.write' };

export function asApiError(e: unknown, lang: string): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError(0, translate(lang, 'errorNetwork'));
}

/**
 * The alert's heading: a refusal that says why (403, 404, a 4xx with its reason) is not "something
 * went wrong" — that is for what the person cannot act on (5xx, the network).
 */
function errorHeading(status: number): StringKey {
  if (status === 403) return 'errorForbidden';
  if (status === 404) return 'errorNotFound';
  return status >= 400 && status < 500 ? 'errorRefused' : 'errorTitle';
}
