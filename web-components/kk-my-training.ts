import { css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ok, todayStockholm, type Answer, type Client } from './api.ts';
import { KkElement } from './base.ts';
import { baseStyles } from './styles.ts';
import { icon } from './icons.ts';
import type { StringKey } from './strings/sv.ts';

export type MyRequirement = Answer<Client['api']['me']['training']['$get']>['requirements'][number];

export const STATUS_KEY: Record<MyRequirement['status'], StringKey> = {
  completed: 'statusCompleted',
  started: 'statusStarted',
  not_started: 'statusNotStarted',
  exempt: 'statusExempt',
};

/**
 * The courses required of the signed-in employee, with status, due date and a link to each course.
 *
 * @summary Min utbildning / My training.
 * @attr api-base - where the API lives (empty: same origin)
 * @attr lang - `sv` (default) or `en`
 * @attr as-of - the date to report on, YYYY-MM-DD (default today)
 * @fires kk-token-request - when no `token` is set; detail `{ resolve(token), reject() }`
 * @fires kk-loaded - after the courses are shown; detail `{ count }`
 * @csspart list - the list of courses
 * @csspart item - one course
 * @csspart status - the status (icon and words)
 * @csspart link - the link to the course
 * @csspart error - an error message
 * @csspart loading - the loading message
 * @csspart button - buttons
 * @cssproperty --kk-color-primary - links and buttons
 * @cssproperty --kk-color-text - text
 * @cssproperty --kk-color-success - completed
 * @cssproperty --kk-color-warning - started
 * @cssproperty --kk-color-muted - exempted
 * @cssproperty --kk-color-danger - overdue and errors
 * @cssproperty --kk-font-family - font
 */
@customElement('kk-my-training')
export class KkMyTraining extends KkElement {
  static override styles = [
    baseStyles,
    css`
      ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.75rem; }
      li { border: 1px solid var(--kk-color-frame, #d5d9df); border-left: 6px solid var(--_border); border-radius: var(--_radius); padding: 0.75rem 1rem; }
      li.completed { border-left-color: var(--_success); }
      li.started { border-left-color: var(--_warning); }
      li.is-overdue { border-left-color: var(--_danger); }
      h3 { margin: 0 0 0.25rem; font-size: 1.05rem; }
      .req { color: var(--_muted); margin: 0 0 0.5rem; font-size: 0.95rem; }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; margin: 0 0 0.6rem; }
      dt { color: var(--_muted); }
      dd { margin: 0; }
      .row { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin-bottom: 0.4rem; }
      .count { color: var(--_muted); }
    `,
  ];

  @property({ attribute: 'as-of' }) asOf = '';
  @state() private items: MyRequirement[] | null = null;

  protected override loadKey() {
    return this.asOf;
  }

  protected override async load(signal: { stale(): boolean }) {
    this.items = null;
    const answer = await ok(this.client.api.me.training.$get({ query: { asOf: this.asOf || undefined } }));
    if (signal.stale()) return;
    this.items = answer.requirements;
    this.fire('kk-loaded', { count: this.items.length });
  }

  override render() {
    const items = this.items;
    const done = items?.filter((i) => i.status === 'completed').length ?? 0;
    return html`<section aria-labelledby="title">
      <h2 id="title">${this.t('myTitle')}</h2>
      ${this.renderError()}
      ${this.busy && !items ? this.renderLoading('myLoading') : nothing}
      ${items && !items.length ? html`<p class="empty">${this.t('myEmpty')}</p>` : nothing}
      ${items?.length
        ? html`<p>${this.t('myIntro', { date: this.asOf || todayStockholm() })} <span class="count">${this.t('myCount', { done, total: items.length })}</span></p>
            <ul part="list">${items.map((i) => this.renderItem(i))}</ul>`
        : nothing}
    </section>`;
  }

  private renderItem(i: MyRequirement) {
    const cls = i.overdue ? 'is-overdue' : i.status;
    return html`<li part="item" class=${cls} data-course=${i.course.code}>
      <h3>${i.course.title}</h3>
      <p class="req">${this.t('myRequirement')}: ${i.requirement.title}</p>
      <div class="row">
        <span class="status ${i.status}" part="status">${icon(i.status)} ${this.t(STATUS_KEY[i.status])}</span>
        ${i.overdue ? html`<span class="overdue status" part="status">${icon('overdue')} ${this.t('overdue')}</span>` : nothing}
      </div>
      <dl>
        ${i.status !== 'completed' && i.status !== 'exempt' ? html`<dt>${this.t('myDue')}</dt><dd class=${i.overdue ? 'overdue' : ''}>${i.dueDate ?? this.t('myNoDue')}</dd>` : nothing}
        ${i.status === 'completed' && i.occurredAt ? html`<dt>${this.t('myCompletedOn')}</dt><dd>${i.occurredAt}</dd>` : nothing}
        ${i.status === 'started' && i.occurredAt ? html`<dt>${this.t('myStartedOn')}</dt><dd>${i.occurredAt}</dd>` : nothing}
        ${i.validUntil ? html`<dt>${this.t('myValidUntil')}</dt><dd>${i.validUntil}</dd>` : nothing}
      </dl>
      ${i.course.url
        ? html`<a part="link" href=${i.course.url} target="_blank" rel="noopener" aria-label=${this.t('myOpenCourseNamed', { title: i.course.title })}>${this.t('myOpenCourse')} ${icon('external')}</a>`
        : nothing}
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kk-my-training': KkMyTraining;
  }
}
