import { css } from 'lit';

/**
 * The console's design tokens, on `<html>` (the shell adopts this sheet into the document), so
 * every shadow tree inherits them. They read the same public `--alloy-*` properties as the install
 * modal (`--alloy-color-primary`, `--alloy-dark-color-primary`, ...) with the modal's fallbacks, so
 * one set of brand colours themes both. `data-theme` on `<html>` is auto, light or dark; auto follows
 * `prefers-color-scheme`.
 */
export const consoleDocumentStyles = css`
  html {
    --_c-primary: var(--alloy-color-primary, #4338ca);
    --_c-on-primary: var(--alloy-color-on-primary, #fff);
    --_c-surface: var(--alloy-color-surface, #fff);
    --_c-page: color-mix(in srgb, var(--_c-surface) 94%, #64748b);
    --_c-text: var(--alloy-color-text, #1f2937);
    --_c-muted: var(--alloy-color-text-muted, #4b5563);
    --_c-border: var(--alloy-color-border, #8a9099);
    --_c-danger: var(--alloy-color-danger, #b91c1c);
    --_c-success: var(--alloy-color-success, #15803d);
    --_c-focus: var(--alloy-focus-ring, #2563eb);
    --_c-radius: var(--alloy-radius, 14px);
    --_c-font: var(--alloy-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    color-scheme: light;
    background: var(--_c-page);
    color: var(--_c-text);
    font-family: var(--_c-font);
  }
  html[data-theme='dark'] {
    --_c-primary: var(--alloy-dark-color-primary, #a5b4fc);
    --_c-on-primary: var(--alloy-dark-color-on-primary, #1e1b4b);
    --_c-surface: var(--alloy-dark-color-surface, #1c1c21);
    --_c-page: #111114;
    --_c-text: var(--alloy-dark-color-text, #f4f4f5);
    --_c-muted: var(--alloy-dark-color-text-muted, #b4b4bd);
    --_c-border: var(--alloy-dark-color-border, #6b6b76);
    --_c-danger: var(--alloy-dark-color-danger, #fca5a5);
    --_c-success: var(--alloy-dark-color-success, #86efac);
    --_c-focus: var(--alloy-dark-focus-ring, #93c5fd);
    color-scheme: dark;
  }
  @media (prefers-color-scheme: dark) {
    html:not([data-theme='light']):not([data-theme='dark']) {
      --_c-primary: var(--alloy-dark-color-primary, #a5b4fc);
      --_c-on-primary: var(--alloy-dark-color-on-primary, #1e1b4b);
      --_c-surface: var(--alloy-dark-color-surface, #1c1c21);
      --_c-page: #111114;
      --_c-text: var(--alloy-dark-color-text, #f4f4f5);
      --_c-muted: var(--alloy-dark-color-text-muted, #b4b4bd);
      --_c-border: var(--alloy-dark-color-border, #6b6b76);
      --_c-danger: var(--alloy-dark-color-danger, #fca5a5);
      --_c-success: var(--alloy-dark-color-success, #86efac);
      --_c-focus: var(--alloy-dark-focus-ring, #93c5fd);
      color-scheme: dark;
    }
  }
  body {
    margin: 0;
  }
`;

/**
 * What every console component shares inside its shadow root: the tokens (with light fallbacks, so
 * a component outside the shell still renders), text, buttons, fields, notices and `<dialog>`.
 */
export const consoleBaseStyles = css`
  :host {
    --_primary: var(--_c-primary, #4338ca);
    --_on-primary: var(--_c-on-primary, #fff);
    --_surface: var(--_c-surface, #fff);
    --_text: var(--_c-text, #1f2937);
    --_muted: var(--_c-muted, #4b5563);
    --_border: var(--_c-border, #8a9099);
    --_danger: var(--_c-danger, #b91c1c);
    --_success: var(--_c-success, #15803d);
    --_focus: var(--_c-focus, #2563eb);
    --_radius: var(--_c-radius, 14px);
    --_radius-small: calc(var(--_radius) * 0.6);
    --_line: color-mix(in srgb, var(--_text) 13%, transparent);
    display: block;
    color: var(--_text);
    font-family: var(--_c-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: 15px;
    line-height: 1.5;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  h1,
  h2,
  h3,
  p {
    margin: 0;
    overflow-wrap: anywhere;
  }
  h1 {
    font-size: 24px;
    line-height: 1.25;
  }
  h2 {
    font-size: 18px;
    line-height: 1.3;
  }
  h1:focus,
  h2:focus {
    outline: none;
  }
  .muted,
  .help {
    color: var(--_muted);
  }
  .help {
    font-size: 13px;
  }
  .card {
    padding: 20px;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .stack {
    display: grid;
    gap: 16px;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  button,
  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    min-height: 40px;
    padding: 8px 16px;
    border: 1px solid var(--_primary);
    border-radius: var(--_radius-small);
    background: var(--_primary);
    color: var(--_on-primary);
    font: inherit;
    font-weight: 600;
    text-decoration: none;
    cursor: pointer;
  }
  button.secondary,
  .button.secondary {
    background: transparent;
    color: var(--_primary);
  }
  button.danger {
    border-color: var(--_danger);
    background: var(--_danger);
    color: var(--_surface);
  }
  button.danger.secondary {
    background: transparent;
    color: var(--_danger);
  }
  button[disabled],
  button[aria-disabled='true'] {
    opacity: 0.6;
    cursor: not-allowed;
  }
  a {
    color: var(--_primary);
  }
  :focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  label {
    display: block;
    font-weight: 600;
  }
  input,
  select {
    width: 100%;
    min-height: 40px;
    padding: 8px 10px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius-small);
    background: var(--_surface);
    color: var(--_text);
    font: inherit;
  }
  input[readonly] {
    background: color-mix(in srgb, var(--_text) 5%, var(--_surface));
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  }
  input[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .field {
    display: grid;
    gap: 4px;
  }
  .field-error,
  .error {
    color: var(--_danger);
  }
  .success {
    color: var(--_success);
  }
  .notice {
    padding: 12px 14px;
    border-radius: var(--_radius-small);
    border: 1px solid currentColor;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  dialog {
    width: min(480px, 100vw - 32px);
    padding: 24px;
    border: 0;
    border-radius: var(--_radius);
    background: var(--_surface);
    color: var(--_text);
    box-shadow: 0 24px 64px #0f172a4d;
  }
  dialog::backdrop {
    background: var(--alloy-backdrop, #0f172a8c);
  }
  dialog form,
  dialog .stack {
    display: grid;
    gap: 16px;
  }
  dialog .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    justify-content: flex-end;
  }
`;
