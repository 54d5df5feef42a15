import { css } from 'lit';

/**
 * Every colour and size reads a public `--alloy-*` custom property with a literal fallback, so a
 * host can theme the modal without a build step and host CSS cannot reach anything else.
 */
export const installModalStyles = css`
  :host {
    all: initial;
    display: contents;
    --_primary: var(--alloy-color-primary, #4338ca);
    --_on-primary: var(--alloy-color-on-primary, #ffffff);
    --_surface: var(--alloy-color-surface, #ffffff);
    --_text: var(--alloy-color-text, #1f2937);
    --_muted: var(--alloy-color-text-muted, #4b5563);
    --_border: var(--alloy-color-border, #d1d5db);
    --_danger: var(--alloy-color-danger, #b91c1c);
    --_radius: var(--alloy-radius, 12px);
    --_font: var(--alloy-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
  }

  dialog {
    box-sizing: border-box;
    width: min(440px, calc(100vw - 32px));
    max-height: min(680px, calc(100vh - 32px));
    padding: 0;
    border: none;
    border-radius: var(--_radius);
    background: var(--_surface);
    color: var(--_text);
    font: 15px/1.5 var(--_font);
    box-shadow: 0 24px 64px rgb(0 0 0 / 0.28);
    overflow: hidden;
  }
  dialog[open] {
    display: flex;
    flex-direction: column;
  }
  dialog::backdrop {
    background: var(--alloy-backdrop, rgb(15 23 42 / 0.55));
  }

  header {
    display: flex;
    align-items: center;
    gap: 12px;
    padding: 20px 20px 12px;
  }
  header img {
    width: 40px;
    height: 40px;
    border-radius: 10px;
    flex: none;
  }
  h2 {
    flex: 1;
    margin: 0;
    font-size: 18px;
    font-weight: 650;
    line-height: 1.3;
  }

  .body {
    flex: 1;
    overflow: auto;
    padding: 4px 20px 16px;
  }
  .intro {
    margin: 0 0 16px;
    color: var(--_muted);
  }

  .field {
    display: grid;
    gap: 6px;
    margin-bottom: 16px;
  }
  label {
    font-weight: 600;
  }
  .required-mark {
    color: var(--_danger);
  }
  input,
  textarea {
    box-sizing: border-box;
    width: 100%;
    min-height: 40px;
    padding: 8px 12px;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) / 2);
    background: var(--_surface);
    color: inherit;
    font: inherit;
  }
  input[aria-invalid='true'],
  textarea[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .help {
    margin: 0;
    color: var(--_muted);
    font-size: 13px;
  }
  .field-error,
  .error {
    margin: 0;
    color: var(--_danger);
    font-size: 13px;
  }
  .error {
    font-size: 14px;
    padding: 12px;
    border-radius: calc(var(--_radius) / 2);
    background: color-mix(in srgb, var(--_danger) 8%, transparent);
  }

  footer {
    display: flex;
    justify-content: flex-end;
    gap: 8px;
    padding: 12px 20px 20px;
  }
  button {
    font: inherit;
    cursor: pointer;
  }
  .primary {
    min-height: 40px;
    padding: 8px 18px;
    border: none;
    border-radius: calc(var(--_radius) / 2);
    background: var(--_primary);
    color: var(--_on-primary);
    font-weight: 600;
  }
  .primary[disabled] {
    opacity: 0.7;
    cursor: progress;
  }
  .close {
    display: inline-grid;
    place-items: center;
    width: 36px;
    height: 36px;
    border: none;
    border-radius: 50%;
    background: transparent;
    color: var(--_muted);
    font-size: 22px;
    line-height: 1;
  }
  .close:hover {
    background: color-mix(in srgb, var(--_text) 8%, transparent);
  }
  :focus-visible {
    outline: 3px solid var(--alloy-focus-ring, #2563eb);
    outline-offset: 2px;
  }

  .skeleton {
    height: 14px;
    margin: 10px 0;
    border-radius: 6px;
    background: color-mix(in srgb, var(--_text) 10%, transparent);
  }
  .skeleton.short {
    width: 55%;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }

  @media (max-width: 480px) {
    dialog {
      width: 100vw;
      max-width: 100vw;
      height: 100dvh;
      max-height: 100dvh;
      border-radius: 0;
    }
  }
`;
