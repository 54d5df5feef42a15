import { css } from 'lit';

/**
 * The console views' shared look: the install modal's public `--alloy-*` tokens (same names, same
 * literal fallbacks, `--alloy-dark-*` for dark), so one theme styles the modal and the console.
 * Light or dark follows the inherited `color-scheme` through `light-dark()`: the shell's
 * `data-theme` on `<html>` (auto/light/dark) sets it, and `:host-context` below also maps it where
 * supported. Sizes stay usable down to a 375 px wide screen: tables scroll inside their own box.
 */
export const viewStyles = css`
  :host {
    --_primary: light-dark(var(--alloy-color-primary, #4338ca), var(--alloy-dark-color-primary, #a5b4fc));
    --_on-primary: light-dark(var(--alloy-color-on-primary, #fff), var(--alloy-dark-color-on-primary, #1e1b4b));
    --_surface: light-dark(var(--alloy-color-surface, #fff), var(--alloy-dark-color-surface, #1c1c21));
    --_text: light-dark(var(--alloy-color-text, #1f2937), var(--alloy-dark-color-text, #f4f4f5));
    --_muted: light-dark(var(--alloy-color-text-muted, #4b5563), var(--alloy-dark-color-text-muted, #b4b4bd));
    --_border: light-dark(var(--alloy-color-border, #8a9099), var(--alloy-dark-color-border, #6b6b76));
    --_danger: light-dark(var(--alloy-color-danger, #b91c1c), var(--alloy-dark-color-danger, #fca5a5));
    --_success: light-dark(var(--alloy-color-success, #15803d), var(--alloy-dark-color-success, #86efac));
    --_focus: light-dark(var(--alloy-focus-ring, #2563eb), var(--alloy-dark-focus-ring, #93c5fd));
    --_line: color-mix(in srgb, var(--_text) 13%, transparent);
    --_radius: var(--alloy-radius, 14px);
    --_radius-small: calc(var(--_radius) * 0.6);
    display: block;
    min-width: 0;
    color: var(--_text);
    font-family: var(--alloy-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: var(--alloy-font-size, 15px);
    line-height: 1.5;
  }
  :host-context([data-theme='light']) {
    color-scheme: light;
  }
  :host-context([data-theme='dark']) {
    color-scheme: dark;
  }
  :host-context([data-theme='auto']) {
    color-scheme: light dark;
  }
  * {
    box-sizing: border-box;
  }
  h1,
  h2,
  h3,
  p,
  ul,
  ol,
  dl,
  dd {
    margin: 0;
    padding: 0;
  }
  h1 {
    font-size: 1.5em;
  }
  h2 {
    font-size: 1.2em;
  }
  h3 {
    font-size: 1em;
  }
  ul,
  ol {
    list-style: none;
  }
  .card ul {
    display: grid;
    gap: 10px;
  }
  .page {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: 20px;
    overflow-wrap: anywhere;
  }
  .page-header {
    display: flex;
    flex-wrap: wrap;
    gap: 12px;
    align-items: center;
    justify-content: space-between;
  }
  .muted,
  .loading {
    color: var(--_muted);
  }
  a {
    color: var(--_primary);
    text-underline-offset: 2px;
  }
  button,
  input,
  select {
    font: inherit;
    color: inherit;
  }
  button {
    min-height: 40px;
    padding: 8px 16px;
    border: 1px solid var(--_primary);
    border-radius: var(--_radius-small);
    background: var(--_primary);
    color: var(--_on-primary);
    cursor: pointer;
  }
  button.secondary {
    background: transparent;
    color: var(--_primary);
  }
  button:disabled {
    opacity: 0.6;
    cursor: not-allowed;
  }
  input,
  select {
    min-height: 40px;
    width: 100%;
    padding: 8px 10px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius-small);
    background: var(--_surface);
  }
  label {
    display: grid;
    gap: 4px;
    font-weight: 600;
  }
  label > input,
  label > select {
    font-weight: 400;
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  .card {
    padding: 16px;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .filters {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(160px, 1fr));
    gap: 12px;
    align-items: end;
  }
  .table-wrap {
    position: relative;
    overflow-x: auto;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
  }
  table {
    width: 100%;
    border-collapse: collapse;
    background: var(--_surface);
    overflow-wrap: normal;
  }
  td {
    min-width: 96px;
  }
  td code {
    white-space: nowrap;
  }
  th,
  td {
    padding: 10px 12px;
    border-bottom: 1px solid var(--_line);
    text-align: start;
    vertical-align: top;
  }
  th {
    font-size: 0.87em;
    color: var(--_muted);
    white-space: nowrap;
  }
  tr:last-child td {
    border-bottom: 0;
  }
  .status {
    display: inline-block;
    padding: 1px 8px;
    border: 1px solid currentColor;
    border-radius: 999px;
    font-size: 0.87em;
    white-space: nowrap;
  }
  .status-success,
  .status-delivered {
    color: var(--_success);
  }
  .status-error,
  .status-failed {
    color: var(--_danger);
  }
  .error {
    display: grid;
    gap: 8px;
    justify-items: start;
    padding: 16px;
    border: 1px solid var(--_danger);
    border-radius: var(--_radius);
    color: var(--_text);
  }
  .error-title {
    color: var(--_danger);
    font-weight: 600;
  }
  code,
  pre {
    font-family: var(--alloy-font-family-mono, ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace);
    font-size: 0.87em;
  }
  pre {
    margin: 0;
    padding: 10px;
    max-height: 320px;
    overflow: auto;
    border: 1px solid var(--_line);
    border-radius: var(--_radius-small);
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .notice {
    color: var(--_success);
  }
  .more {
    justify-self: start;
  }
  @media (max-width: 480px) {
    .page {
      gap: 14px;
    }
    .card {
      padding: 12px;
    }
  }
`;
