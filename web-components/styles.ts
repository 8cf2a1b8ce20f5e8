import { css } from 'lit';

/**
 * The shared look. Every colour is a custom property with a default that meets 4.5:1 on white,
 * so a portal can theme the elements without breaking contrast if it keeps to that.
 */
export const baseStyles = css`
  :host {
    --_primary: var(--kk-color-primary, #005ba4);
    --_on-primary: var(--kk-color-on-primary, #ffffff);
    --_text: var(--kk-color-text, #1b1b1b);
    --_muted: var(--kk-color-muted, #575757);
    --_surface: var(--kk-color-surface, #ffffff);
    --_subtle: var(--kk-color-subtle, #f3f5f8);
    --_border: var(--kk-color-border, #8a8f98);
    --_danger: var(--kk-color-danger, #b3261e);
    --_success: var(--kk-color-success, #1d6b35);
    --_warning: var(--kk-color-warning, #8a4b00);
    --_focus: var(--kk-color-focus, #005ba4);
    --_radius: var(--kk-radius, 6px);
    display: block;
    position: relative;
    box-sizing: border-box;
    max-width: 100%;
    font-family: var(--kk-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif);
    font-size: var(--kk-font-size, 1rem);
    line-height: 1.5;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--kk-color-frame, #d5d9df);
    border-radius: var(--_radius);
    padding: var(--kk-padding, 1rem 1.25rem);
  }
  :host([hidden]) { display: none; }
  *, *::before, *::after { box-sizing: border-box; }
  h2 { font-size: 1.25rem; margin: 0 0 0.75rem; line-height: 1.3; }
  h3 { font-size: 1.05rem; margin: 1.25rem 0 0.5rem; }
  p { margin: 0.25rem 0 0.75rem; }
  a { color: var(--_primary); }
  a:hover { text-decoration-thickness: 2px; }
  :focus-visible { outline: 3px solid var(--_focus); outline-offset: 2px; border-radius: 2px; }
  button, .button {
    font: inherit; font-weight: 600; cursor: pointer; display: inline-flex; align-items: center; gap: 0.4rem;
    min-height: 2.5rem; padding: 0.4rem 1rem; border-radius: var(--_radius);
    border: 2px solid var(--_primary); background: var(--_primary); color: var(--_on-primary); text-decoration: none;
  }
  button.secondary, .button.secondary { background: var(--_surface); color: var(--_primary); }
  button.link { background: none; border: none; color: var(--_primary); padding: 0; min-height: 0; text-decoration: underline; font-weight: inherit; text-align: left; }
  button:disabled { cursor: not-allowed; opacity: 0.6; }
  label { font-weight: 600; display: block; margin-bottom: 0.2rem; }
  input, select, textarea {
    font: inherit; color: var(--_text); background: var(--_surface); min-height: 2.5rem; max-width: 100%;
    padding: 0.35rem 0.5rem; border: 1px solid var(--_border); border-radius: var(--_radius);
  }
  input[type='checkbox'], input[type='radio'] { min-height: 0; width: 1.1rem; height: 1.1rem; margin: 0; accent-color: var(--_primary); }
  .field { margin: 0 0 0.9rem; }
  .hint { color: var(--_muted); font-size: 0.9rem; margin: 0.1rem 0 0.3rem; font-weight: normal; }
  .field-error { color: var(--_danger); font-size: 0.95rem; margin: 0.25rem 0 0; display: flex; gap: 0.3rem; align-items: flex-start; }
  [aria-invalid='true'] { border-color: var(--_danger); border-width: 2px; }
  .controls { display: flex; flex-wrap: wrap; gap: 0.75rem 1rem; align-items: flex-end; margin-bottom: 1rem; }
  .controls .field { margin: 0; min-width: 0; }
  .check { display: flex; align-items: center; gap: 0.5rem; font-weight: normal; margin: 0.3rem 0; }
  fieldset { border: 1px solid var(--kk-color-frame, #d5d9df); border-radius: var(--_radius); margin: 0 0 1rem; padding: 0.5rem 0.9rem 0.7rem; min-width: 0; }
  legend { font-weight: 600; padding: 0 0.3rem; }
  .table-wrap { overflow-x: auto; max-width: 100%; position: relative; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  caption { text-align: left; color: var(--_muted); font-size: 0.9rem; padding-bottom: 0.4rem; caption-side: top; }
  th, td { text-align: left; padding: 0.45rem 0.5rem; border-bottom: 1px solid #e1e4e8; vertical-align: top; }
  th { font-weight: 600; background: var(--_subtle); }
  td.num, th.num { text-align: right; white-space: nowrap; }
  .icon { width: 1em; height: 1em; flex: none; vertical-align: -0.125em; }
  .status { display: inline-flex; align-items: center; gap: 0.35rem; font-weight: 600; white-space: nowrap; }
  .status.completed, .ok { color: var(--_success); }
  .status.started { color: var(--_warning); }
  .status.not_started { color: var(--_text); }
  .status.exempt { color: var(--_muted); }
  .overdue, .bad { color: var(--_danger); font-weight: 600; }
  .error { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; color: var(--_danger); border: 2px solid var(--_danger); border-radius: var(--_radius); padding: 0.6rem 0.8rem; margin: 0.5rem 0 1rem; background: #fdf3f2; }
  .error span { flex: 1 1 14rem; color: var(--_text); }
  .error .icon { color: var(--_danger); }
  .loading { color: var(--_muted); display: flex; gap: 0.5rem; align-items: center; }
  .spinner { width: 1rem; height: 1rem; border: 2px solid #c6cbd2; border-top-color: var(--_primary); border-radius: 50%; animation: spin 0.9s linear infinite; }
  @keyframes spin { to { transform: rotate(360deg); } }
  @media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
  .empty { color: var(--_muted); font-style: italic; }
  .success { color: var(--_success); font-weight: 600; }
  .visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; margin: -1px; padding: 0; border: 0; }
`;


/** The form-in-sections layout shared by <kk-corrections> and <kk-reports>: parted sections and a grid of fields. */
export const sectionFormStyles = css`
  section.part { border-top: 1px solid var(--kk-color-frame, #d5d9df); margin-top: 1rem; padding-top: 0.25rem; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: 0 1rem; }
  .field input, .field select, .field textarea { width: 100%; }
  .wide { grid-column: 1 / -1; }
`;
