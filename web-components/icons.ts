import { html, svg } from 'lit';

/** Icons sit next to words and never carry meaning alone, so they are hidden from screen readers. */
const PATHS = {
  completed: svg`<circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M4.5 8.3l2.3 2.3L11.6 5.8" fill="none" stroke="currentColor" stroke-width="1.8"/>`,
  started: svg`<circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M8 1a7 7 0 0 1 0 14z" fill="currentColor"/>`,
  not_started: svg`<circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.6"/>`,
  exempt: svg`<circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M4.5 8h7" stroke="currentColor" stroke-width="1.8"/>`,
  overdue: svg`<path d="M8 1.5L15 14.5H1z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/><path d="M8 6v4M8 11.5v1.5" stroke="currentColor" stroke-width="1.6"/>`,
  below: svg`<path d="M8 3v9M4 8.5l4 4 4-4" fill="none" stroke="currentColor" stroke-width="1.8"/>`,
  up: svg`<path d="M4 10l4-4 4 4" fill="none" stroke="currentColor" stroke-width="1.8"/>`,
  down: svg`<path d="M4 6l4 4 4-4" fill="none" stroke="currentColor" stroke-width="1.8"/>`,
  sort: svg`<path d="M5 6l3-3 3 3M5 10l3 3 3-3" fill="none" stroke="currentColor" stroke-width="1.5"/>`,
  external: svg`<path d="M9 2h5v5M14 2L7 9M12 9.5V14H2V4h4.5" fill="none" stroke="currentColor" stroke-width="1.5"/>`,
  upload: svg`<path d="M8 11V2M4 6l4-4 4 4M2 11v3h12v-3" fill="none" stroke="currentColor" stroke-width="1.6"/>`,
  download: svg`<path d="M8 2v9M4 7l4 4 4-4M2 11v3h12v-3" fill="none" stroke="currentColor" stroke-width="1.6"/>`,
};

export type IconName = keyof typeof PATHS;

export function icon(name: IconName) {
  return html`<svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">${PATHS[name]}</svg>`;
}
