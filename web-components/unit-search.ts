import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { client, ok, type Answer, type ApiHost, type Client } from './api.ts';
import type { StringKey } from './strings/sv.ts';

export type UnitHit = Answer<Client['api']['units']['$get']>['units'][number];
type Host = ReactiveControllerHost & ApiHost & { renderRoot: HTMLElement | DocumentFragment };

/**
 * The type-ahead over the units in the caller's reach (GET /api/units), shared by the elements
 * that let one choose a unit: the text typed, the hits, and a sequence number so that an answer
 * overtaken by a newer question is dropped.
 */
export class UnitSearch implements ReactiveController {
  text = '';
  hits: UnitHit[] | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;

  /** `asOf`: the date the units are looked up on (absent: the API's default, today). */
  constructor(
    private readonly host: Host,
    private readonly fail: (e: unknown) => void,
    private readonly asOf?: () => string,
  ) {
    host.addController(this);
  }

  // Nothing to do on connect; declared so the class is a ReactiveController (TS weak-type check).
  hostConnected() {}

  /** Forgets the text and the hits (a unit chosen, someone else signed in). */
  reset() {
    this.text = '';
    this.hits = null;
    this.host.requestUpdate();
  }

  search(q: string) {
    this.text = q;
    clearTimeout(this.timer);
    if (!q.trim()) {
      this.hits = null;
      this.host.requestUpdate();
      return;
    }
    this.host.requestUpdate();
    // Asked a moment after the last key, so typing does not send a request per letter.
    this.timer = setTimeout(async () => {
      const seq = ++this.seq;
      try {
        const query = this.asOf ? { q, asOf: this.asOf() } : { q };
        const found = await ok(client(this.host).api.units.$get({ query }));
        if (seq === this.seq) {
          this.hits = found.units;
          this.host.requestUpdate();
        }
      } catch (e) {
        if (seq === this.seq) this.fail(e);
      }
    }, 200);
  }

  /**
   * The search field with its hint, a live count and the list of hits. `input` and `list` are the
   * ids; `linked` ties the field to the list (aria-controls, and the id on the "none found" text);
   * `hit` renders a hit's button text.
   */
  render(
    t: (key: StringKey, params?: Record<string, string | number>) => string,
    o: { input: string; list: string; linked?: boolean; hit: (u: UnitHit) => unknown; choose: (u: UnitHit) => void },
  ): TemplateResult {
    const hits = this.hits;
    return html`<div class="field" role="search">
      <label for=${o.input}>${t('covSearch')}</label>
      <p class="hint" id="${o.input}-hint">${t('covSearchHint')}</p>
      <input id=${o.input} type="search" autocomplete="off" spellcheck="false" aria-describedby="${o.input}-hint" aria-controls=${o.linked && hits?.length ? o.list : nothing}
        .value=${this.text} @input=${(e: Event) => this.search((e.target as HTMLInputElement).value)}
        @keydown=${(e: KeyboardEvent) => {
          if (e.key === 'Escape') this.search('');
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            this.host.renderRoot.querySelector<HTMLElement>(`#${o.list} button`)?.focus();
          }
        }} />
      <p class="visually-hidden" role="status">${hits ? t('covSearchFound', { n: hits.length }) : ''}</p>
      ${hits?.length
        ? html`<ul class="hits" id=${o.list} aria-label=${t('covSearchResults')}>
            ${hits.map((u) => html`<li><button type="button" class="secondary" data-unit=${u.code} @click=${() => o.choose(u)}>${o.hit(u)}</button></li>`)}
          </ul>`
        : hits
          ? html`<p class="empty" id=${o.linked ? o.list : nothing}>${t('covSearchNone')}</p>`
          : nothing}
    </div>`;
  }
}
