import { css } from 'lit';

/**
 * Every colour and size reads a public `--alloy-*` custom property with a literal fallback, so a host
 * can theme the modal without a build step. Host CSS reaches a shadow tree only through inheritance
 * and the host element itself, so `.shell` cuts inheritance with `all: initial`, the dialog box pins
 * the few inherited properties that change its own rendering, and sizes are in px (a host's huge
 * `html { font-size }` cannot scale rem-based layout).
 */
export const installModalStyles = css`
  :host {
    display: contents;
  }

  dialog {
    --_primary: var(--alloy-color-primary, #4338ca);
    --_on-primary: var(--alloy-color-on-primary, #ffffff);
    --_surface: var(--alloy-color-surface, #ffffff);
    --_field: var(--alloy-color-surface, #ffffff);
    --_text: var(--alloy-color-text, #1f2937);
    --_muted: var(--alloy-color-text-muted, #4b5563);
    --_border: var(--alloy-color-border, #8a9099);
    --_danger: var(--alloy-color-danger, #b91c1c);
    --_success: var(--alloy-color-success, #15803d);
    --_focus: var(--alloy-focus-ring, #2563eb);
    --_radius: var(--alloy-radius, 14px);
    --_radius-small: calc(var(--_radius) * 0.6);
    color-scheme: light;

    box-sizing: border-box;
    width: min(var(--alloy-width, 480px), calc(100vw - 32px));
    max-width: none;
    max-height: min(760px, calc(100dvh - 32px));
    margin: auto;
    padding: 0;
    border: 0;
    border-radius: var(--_radius);
    background: var(--_surface);
    color: var(--_text);
    box-shadow:
      0 24px 64px rgb(15 23 42 / 0.3),
      0 2px 8px rgb(15 23 42 / 0.12);
    overflow: hidden;
    visibility: visible;
    pointer-events: auto;
    writing-mode: horizontal-tb;
    cursor: auto;
  }
  dialog.dark {
    --_primary: var(--alloy-dark-color-primary, #a5b4fc);
    --_on-primary: var(--alloy-dark-color-on-primary, #1e1b4b);
    --_surface: var(--alloy-dark-color-surface, #1c1c21);
    --_field: var(--alloy-dark-color-surface, #141417);
    --_text: var(--alloy-dark-color-text, #f4f4f5);
    --_muted: var(--alloy-dark-color-text-muted, #b4b4bd);
    --_border: var(--alloy-dark-color-border, #6b6b76);
    --_danger: var(--alloy-dark-color-danger, #fca5a5);
    --_success: var(--alloy-dark-color-success, #86efac);
    --_focus: var(--alloy-dark-focus-ring, #93c5fd);
    color-scheme: dark;
    box-shadow:
      0 24px 64px rgb(0 0 0 / 0.6),
      0 0 0 1px rgb(255 255 255 / 0.08);
  }
  dialog[open] {
    display: flex;
    flex-direction: column;
    animation: alloy-enter 200ms cubic-bezier(0.2, 0.8, 0.2, 1);
  }
  dialog::backdrop {
    background: var(--alloy-backdrop, rgb(15 23 42 / 0.55));
    animation: alloy-fade 200ms ease-out;
  }

  .shell {
    all: initial;
    position: relative;
    display: flex;
    flex: 1;
    flex-direction: column;
    min-height: 0;
    width: 100%;
    color: var(--_text);
    font-family: var(
      --alloy-font-family,
      system-ui,
      -apple-system,
      'Segoe UI',
      Roboto,
      'Helvetica Neue',
      Arial,
      sans-serif
    );
    font-size: var(--alloy-font-size, 15px);
    line-height: 1.5;
    text-align: start;
    -webkit-font-smoothing: antialiased;
  }
  .shell *,
  .shell *::before,
  .shell *::after {
    box-sizing: border-box;
  }
  p,
  h2,
  h3 {
    margin: 0;
  }
  img {
    display: block;
  }
  .icon {
    display: block;
    width: 20px;
    height: 20px;
  }

  header {
    position: relative;
    padding-block: 20px 0;
    padding-inline: 24px 60px;
  }
  .brand {
    display: flex;
    gap: 8px;
    align-items: center;
    margin-bottom: 16px;
    color: var(--_muted);
    font-size: 13px;
    font-weight: 600;
  }
  .brand img {
    height: 22px;
    max-width: 140px;
    object-fit: contain;
  }
  .title-row {
    display: flex;
    gap: 14px;
    align-items: center;
  }
  .titles {
    flex: 1;
    min-width: 0;
  }
  .avatar {
    flex: none;
    width: 48px;
    height: 48px;
    border-radius: var(--_radius-small);
    object-fit: cover;
  }
  img.avatar {
    border: 1px solid color-mix(in srgb, var(--_text) 12%, transparent);
    background: #ffffff;
  }
  .letter {
    display: grid;
    place-items: center;
    background: color-mix(in srgb, var(--_primary) 14%, var(--_surface));
    color: var(--_primary);
    font-size: 22px;
    font-weight: 700;
  }
  h2 {
    font-size: 20px;
    font-weight: 700;
    line-height: 1.25;
    overflow-wrap: anywhere;
  }
  .description {
    margin-top: 3px;
    color: var(--_muted);
    font-size: 13.5px;
    overflow-wrap: anywhere;
  }
  .close {
    position: absolute;
    inset-block-start: 14px;
    inset-inline-end: 14px;
    display: grid;
    place-items: center;
    width: 40px;
    height: 40px;
    padding: 0;
    border: 0;
    border-radius: 50%;
    background: transparent;
    color: var(--_muted);
  }
  .close:hover:not([disabled]) {
    background: color-mix(in srgb, var(--_text) 8%, transparent);
    color: var(--_text);
  }

  .steps {
    display: flex;
    gap: 8px;
    align-items: center;
    margin: 20px 0 0;
    padding: 0 0 16px;
    list-style: none;
    border-bottom: 1px solid color-mix(in srgb, var(--_text) 12%, transparent);
    color: var(--_muted);
    font-size: 13px;
    font-weight: 600;
  }
  .steps li {
    display: flex;
    flex: 1 1 auto;
    gap: 8px;
    align-items: center;
    min-width: 0;
  }
  .steps li:last-child {
    flex: 0 1 auto;
  }
  .steps li:not(:last-child)::after {
    content: '';
    flex: 1 1 12px;
    min-width: 12px;
    height: 2px;
    border-radius: 1px;
    background: color-mix(in srgb, var(--_text) 14%, transparent);
  }
  .steps li.done::after {
    background: var(--_primary);
  }
  .dot {
    display: grid;
    flex: none;
    place-items: center;
    width: 24px;
    height: 24px;
    border: 2px solid color-mix(in srgb, var(--_text) 22%, transparent);
    border-radius: 50%;
    font-size: 12px;
    font-variant-numeric: tabular-nums;
  }
  .dot .icon {
    width: 14px;
    height: 14px;
    stroke-width: 3;
  }
  .steps .current {
    color: var(--_text);
  }
  .current .dot {
    border-color: var(--_primary);
    background: var(--_primary);
    color: var(--_on-primary);
  }
  .done .dot {
    border-color: var(--_primary);
    color: var(--_primary);
  }
  .label {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  form {
    display: flex;
    flex: 1;
    flex-direction: column;
    min-height: 0;
    margin: 0;
  }
  .body {
    flex: 1;
    min-height: 120px;
    overflow: auto;
    overscroll-behavior: contain;
    padding: 20px 24px 6px;
  }
  .step-title {
    margin-bottom: 2px;
    font-size: 16px;
    font-weight: 650;
    overflow-wrap: anywhere;
  }
  .step-title:focus {
    outline: none;
  }
  .intro {
    margin-bottom: 18px;
    color: var(--_muted);
  }
  .form-error {
    display: flex;
    gap: 8px;
    align-items: flex-start;
    margin-bottom: 18px;
    padding: 10px 12px;
    border-radius: var(--_radius-small);
    background: color-mix(in srgb, var(--_danger) 10%, var(--_surface));
    color: var(--_danger);
    font-weight: 600;
  }
  .form-error .icon {
    flex: none;
    margin-top: 1px;
  }
  .changes {
    margin: -6px 0 18px;
    padding-inline-start: 18px;
    color: var(--_muted);
  }
  .version {
    display: block;
    color: var(--_muted);
    font-size: 13px;
  }
  .changes .version {
    display: inline;
  }

  .workflows {
    display: grid;
    gap: 10px;
    margin-bottom: 18px;
  }
  .workflow {
    display: flex;
    gap: 12px;
    align-items: flex-start;
    padding: 12px 14px;
    border: 1px solid color-mix(in srgb, var(--_text) 18%, transparent);
    border-radius: var(--_radius-small);
    font-weight: 500;
    overflow-wrap: anywhere;
    cursor: pointer;
  }
  .workflow:has(:checked) {
    border-color: var(--_primary);
    background: color-mix(in srgb, var(--_primary) 7%, var(--_surface));
  }

  .result {
    display: grid;
    gap: 10px;
    justify-items: center;
    padding: 20px 0 16px;
    text-align: center;
  }
  .result-icon {
    display: grid;
    place-items: center;
    width: 64px;
    height: 64px;
    border-radius: 50%;
  }
  .result-icon .icon {
    width: 32px;
    height: 32px;
  }
  .success .result-icon {
    background: color-mix(in srgb, var(--_success) 16%, var(--_surface));
    color: var(--_success);
    animation: alloy-pop 320ms cubic-bezier(0.2, 0.8, 0.2, 1.2);
  }
  .error .result-icon {
    background: color-mix(in srgb, var(--_danger) 13%, var(--_surface));
    color: var(--_danger);
  }
  .result .step-title {
    font-size: 18px;
  }
  .detail {
    max-width: 40ch;
    color: var(--_muted);
    font-size: 13.5px;
    overflow-wrap: anywhere;
  }

  footer,
  .confirm {
    display: flex;
    flex-wrap: wrap;
    gap: 10px;
    justify-content: flex-end;
    padding: 14px 24px 20px;
    border-top: 1px solid color-mix(in srgb, var(--_text) 12%, transparent);
  }
  .back {
    margin-inline-end: auto;
  }
  button {
    font: inherit;
    cursor: pointer;
  }
  button[disabled] {
    cursor: default;
    opacity: 0.5;
  }
  .primary,
  .secondary,
  .danger {
    display: inline-flex;
    gap: 8px;
    align-items: center;
    justify-content: center;
    min-height: 42px;
    padding: 9px 18px;
    border: 1px solid transparent;
    border-radius: var(--_radius-small);
    font-weight: 600;
    text-align: center;
  }
  .primary {
    background: var(--_primary);
    color: var(--_on-primary);
  }
  .primary:hover {
    background: color-mix(in srgb, var(--_primary) 88%, var(--_text));
  }
  .primary[aria-disabled='true'] {
    cursor: progress;
  }
  .secondary {
    border-color: color-mix(in srgb, var(--_text) 22%, transparent);
    background: transparent;
    color: var(--_text);
  }
  .secondary:hover {
    background: color-mix(in srgb, var(--_text) 6%, transparent);
  }
  .danger {
    background: var(--_danger);
    color: var(--_surface);
  }
  .spinner {
    width: 16px;
    height: 16px;
    border: 2px solid currentColor;
    border-inline-end-color: transparent;
    border-radius: 50%;
    animation: alloy-spin 0.8s linear infinite;
  }

  .confirm {
    align-items: center;
    background: color-mix(in srgb, var(--_danger) 7%, var(--_surface));
  }
  .confirm > p {
    flex: 1 1 100%;
  }
  .confirm-title {
    font-weight: 700;
  }
  .confirm .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 10px;
    justify-content: flex-end;
  }

  :focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }

  .skeleton {
    display: block;
    border-radius: 6px;
    background: color-mix(in srgb, var(--_text) 10%, transparent);
    animation: alloy-pulse 1.4s ease-in-out infinite;
  }
  .sk-title {
    width: 60%;
    height: 20px;
  }
  .sk-line {
    height: 12px;
    margin-bottom: 10px;
  }
  .sk-line.short {
    width: 55%;
    margin-bottom: 26px;
  }
  .sk-label {
    width: 38%;
    height: 12px;
    margin-bottom: 10px;
  }
  .sk-input {
    height: 42px;
    margin-bottom: 22px;
    border-radius: var(--_radius-small);
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

  @keyframes alloy-enter {
    from {
      opacity: 0;
      transform: translateY(12px) scale(0.98);
    }
  }
  @keyframes alloy-sheet {
    from {
      transform: translateY(40px);
      opacity: 0;
    }
  }
  @keyframes alloy-fade {
    from {
      opacity: 0;
    }
  }
  @keyframes alloy-pop {
    from {
      transform: scale(0.6);
      opacity: 0;
    }
  }
  @keyframes alloy-spin {
    to {
      transform: rotate(1turn);
    }
  }
  @keyframes alloy-pulse {
    50% {
      opacity: 0.45;
    }
  }

  /* Narrow screens: a full-screen sheet, with the actions always in reach. */
  @media (max-width: 480px) {
    dialog {
      width: 100%;
      height: 100%;
      max-height: none;
      border-radius: 0;
    }
    dialog[open] {
      animation-name: alloy-sheet;
    }
    header {
      padding-inline: 16px 56px;
    }
    .close {
      inset-block-start: 10px;
      inset-inline-end: 8px;
    }
    .body {
      padding-inline: 16px;
    }
    footer,
    .confirm {
      padding: 12px 16px 16px;
    }
    footer > button,
    .confirm .actions,
    .confirm button {
      flex: 1 1 auto;
    }
    .steps li:not(.current) .label {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
    .steps li:not(:last-child) {
      flex: 1 1 auto;
    }
  }

  @media (prefers-reduced-motion: reduce) {
    dialog[open],
    dialog::backdrop,
    .skeleton,
    .spinner,
    .result-icon {
      animation: none !important;
    }
  }

  @media (forced-colors: active) {
    dialog {
      border: 1px solid CanvasText;
    }
    .primary,
    .secondary,
    .danger,
    .close,
    .reveal {
      border: 1px solid ButtonText;
    }
    .current .dot {
      border-color: Highlight;
    }
  }
`;
