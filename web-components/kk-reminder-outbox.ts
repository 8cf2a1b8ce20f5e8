import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { ok, type Answer, type Client } from './api.ts';
import { KkElement } from './base.ts';
import { baseStyles } from './styles.ts';
import type { StringKey } from './strings/sv.ts';

type OutboxMessage = Answer<Client['api']['reminders']['outbox']['$get']>['messages'][number];

const KIND_KEY: Record<OutboxMessage['kind'], StringKey> = {
  due_soon: 'outKindDueSoon',
  overdue: 'outKindOverdue',
  expiring: 'outKindExpiring',
  digest: 'outKindDigest',
  nudge: 'outKindNudge',
};
const STATUS_KEY: Record<OutboxMessage['status'], StringKey> = {
  pending: 'outPending',
  sending: 'outSending',
  sent: 'outSent',
  failed: 'outFailed',
};
const SHOWN = 200;

/**
 * The reminders' outbox (admins; coordinators see their scope's staff): what was decided, to
 * whom, and whether it was delivered or why not. Anyone else reads a short text saying who sees it.
 *
 * @summary Påminnelser, utkorg / Reminders outbox.
 * @attr api-base - where the API lives
 * @attr lang - `sv` (default) or `en`
 * @fires kk-token-request - when no `token` is set; detail `{ resolve(token), reject() }`
 * @csspart table - the list
 * @csspart error - an error message
 * @csspart loading - the loading message
 * @cssproperty --kk-color-primary - links and buttons
 * @cssproperty --kk-color-text - text
 * @cssproperty --kk-font-family - font
 */
@customElement('kk-reminder-outbox')
export class KkReminderOutbox extends KkElement {
  static override styles = [baseStyles, css`.filter { margin: 0.5rem 0 1rem; } td.error { max-width: 20rem; overflow-wrap: anywhere; }`];

  @state() private status: '' | OutboxMessage['status'] = '';
  @state() private messages: OutboxMessage[] | null = null;

  protected override loadKey() {
    return this.status;
  }

  protected override async load(signal: { stale(): boolean }) {
    // Someone without the outbox (staff, managers, auditors) reads a short text, not a refusal.
    await this.askWho();
    if (signal.stale() || !this.may('reminder.outbox')) return;
    const answer = await ok(this.client.api.reminders.outbox.$get({ query: { status: this.status || undefined, limit: String(SHOWN) } }));
    if (!signal.stale()) this.messages = answer.messages;
  }

  override render() {
    if (!this.may('reminder.outbox')) {
      return html`<section aria-labelledby="out-title"><h2 id="out-title">${this.t('outTitle')}</h2><p class="empty" data-state="nothing">${this.t('outNothing')}</p></section>`;
    }
    const ms = this.messages;
    return html`<section aria-labelledby="out-title">
      <h2 id="out-title">${this.t('outTitle')}</h2>
      <div class="field filter"><label for="out-status">${this.t('outStatus')}</label>
        <select id="out-status" @change=${(e: Event) => (this.status = (e.target as HTMLSelectElement).value as typeof this.status)}>
          <option value="" ?selected=${this.status === ''}>${this.t('outAll')}</option>
          ${(Object.keys(STATUS_KEY) as OutboxMessage['status'][]).map((s) => html`<option value=${s} ?selected=${this.status === s}>${this.t(STATUS_KEY[s])}</option>`)}
        </select></div>
      ${this.renderError()}
      ${this.busy && !ms ? this.renderLoading('outLoading') : nothing}
      ${ms && !ms.length ? html`<p class="empty">${this.t('outEmpty')}</p>` : nothing}
      ${ms && ms.length
        ? html`<div class="table-wrap" tabindex="0" role="region" aria-label=${this.t('outTitle')}><table part="table">
            <caption>${this.t('outCaption', { n: ms.length })}</caption>
            <thead><tr>
              <th scope="col">${this.t('outDecided')}</th><th scope="col">${this.t('outKind')}</th><th scope="col">${this.t('outTo')}</th>
              <th scope="col">${this.t('covPeopleNumber')}</th><th scope="col">${this.t('outRequirement')}</th><th scope="col">${this.t('covPeopleDue')}</th>
              <th scope="col">${this.t('outStatus')}</th><th scope="col" class="num">${this.t('outAttempts')}</th><th scope="col">${this.t('outError')}</th>
            </tr></thead>
            <tbody>${ms.map((m) => html`<tr data-id=${m.id}>
              <td>${m.decidedFor}</td><td>${this.t(KIND_KEY[m.kind])}</td><td>${m.to}</td><td>${m.employeeNumber}</td><td>${m.requirement}</td>
              <td>${m.dueDate ?? this.t('none')}</td><td>${this.t(STATUS_KEY[m.status])}</td><td class="num">${m.attempts}</td>
              <td class="error">${m.lastError ?? this.t('none')}</td>
            </tr>`)}</tbody>
          </table></div>`
        : nothing}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kk-reminder-outbox': KkReminderOutbox;
  }
}
