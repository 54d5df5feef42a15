import { css } from 'lit';

/**
 * Every colour and size reads a public `--alloy-*` custom property with a literal fallback, so a host
 * can theme the modal without a build step. Host CSS reaches a shadow tree only through inheritance
 * and the host element itself, so `.shell` cuts inheritance with `all: initial`, the dialog box pins
 * the few inherited properties that change its own rendering, and sizes are in px (a host's huge
 * `html { font-size }` cannot scale the layout).
 *
 * Texts use `unicode-bidi: plaintext`, so each takes its direction from its own first letters (an
 * Arabic label on an English page, an English sentence on an RTL page); `--_start` pins alignment to
 * the page's side, which plaintext alone would also flip. Headings take focus only from code (on
 * open, on a new step), never from Tab, so they show no ring.
 *
 * The frame holds still: the dialog has one height per viewport class (up to 640px, or a full-screen
 * sheet under 480px), so neither its height nor its top moves between steps; only the body scrolls,
 * with the footer always in view and a shadow at an edge while content is hidden past it (covers
 * attached to the content, shadows to the box). After the first step the header is one line, and
 * under 480px the progress reads "Step 2 of 3 · Settings". Comments live here, not in the CSS,
 * which ships as-is.
 */
export const installModalStyles = css`
  :host {
    display: contents;
  }
  dialog {
    --_primary: var(--alloy-color-primary, #4338ca);
    --_on-primary: var(--alloy-color-on-primary, #fff);
    --_surface: var(--alloy-color-surface, #fff);
    --_text: var(--alloy-color-text, #1f2937);
    --_muted: var(--alloy-color-text-muted, #4b5563);
    --_border: var(--alloy-color-border, #8a9099);
    --_danger: var(--alloy-color-danger, #b91c1c);
    --_success: var(--alloy-color-success, #15803d);
    --_focus: var(--alloy-focus-ring, #2563eb);
    --_line: color-mix(in srgb, var(--_text) 13%, transparent);
    --_shade: color-mix(in srgb, var(--_text) 22%, transparent);
    --_radius: var(--alloy-radius, 14px);
    --_radius-small: calc(var(--_radius) * 0.6);
    --_start: left;
    color-scheme: light;
    box-sizing: border-box;
    width: min(var(--alloy-width, 480px), 100vw - 32px);
    max-width: none;
    height: min(640px, 100dvh - 32px);
    max-height: none;
    padding: 0;
    border: 0;
    border-radius: var(--_radius);
    background: var(--_surface);
    box-shadow: 0 24px 64px #0f172a4d;
    overflow: hidden;
    visibility: visible;
    pointer-events: auto;
    writing-mode: horizontal-tb;
  }
  [dir='rtl'] {
    --_start: right;
  }
  .dark {
    --_primary: var(--alloy-dark-color-primary, #a5b4fc);
    --_on-primary: var(--alloy-dark-color-on-primary, #1e1b4b);
    --_surface: var(--alloy-dark-color-surface, #1c1c21);
    --_text: var(--alloy-dark-color-text, #f4f4f5);
    --_muted: var(--alloy-dark-color-text-muted, #b4b4bd);
    --_border: var(--alloy-dark-color-border, #6b6b76);
    --_danger: var(--alloy-dark-color-danger, #fca5a5);
    --_success: var(--alloy-dark-color-success, #86efac);
    --_focus: var(--alloy-dark-focus-ring, #93c5fd);
    color-scheme: dark;
    outline: 1px solid #ffffff1a;
  }
  dialog[open] {
    display: flex;
    animation: alloy-in 0.2s ease-out;
  }
  dialog::backdrop {
    background: var(--alloy-backdrop, #0f172a8c);
    animation: alloy-fade 0.2s;
  }
  .shell {
    all: initial;
    position: relative;
    display: flex;
    flex: 1;
    flex-direction: column;
    min-height: 0;
    color: var(--_text);
    font-family: var(--alloy-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: var(--alloy-font-size, 15px);
    line-height: 1.5;
    text-align: start;
  }
  .shell * {
    box-sizing: border-box;
  }
  p,
  h2,
  h3,
  label,
  legend,
  li,
  input,
  textarea,
  select,
  ::placeholder {
    margin: 0;
    unicode-bidi: plaintext;
    text-align: var(--_start);
    overflow-wrap: anywhere;
  }
  img,
  .icon {
    display: block;
    width: 20px;
    height: 20px;
  }
  .description,
  .intro,
  .changes,
  .version,
  .steps li:not(.current) {
    color: var(--_muted);
  }

  header {
    position: relative;
    padding: 20px 24px 0;
  }
  .brand,
  .title-row {
    display: flex;
    gap: 14px;
    align-items: center;
    margin-inline-end: 36px;
  }
  .brand {
    gap: 10px;
    margin-bottom: 18px;
    font-size: 14px;
  }
  .brand img {
    width: auto;
    height: 28px;
    max-width: 120px;
  }
  .avatar {
    flex: none;
    width: 48px;
    height: 48px;
    border: 1px solid var(--_line);
    border-radius: var(--_radius-small);
    background: #fff;
    object-fit: cover;
  }
  .letter {
    display: grid;
    place-items: center;
    background: color-mix(in srgb, var(--_primary) 14%, var(--_surface));
    color: var(--_primary);
    font-size: 22px;
    font-weight: 700;
    text-transform: uppercase;
  }
  .titles {
    flex: 1;
    min-width: 0;
  }
  h2 {
    font-size: 20px;
    line-height: 1.25;
  }
  .description {
    margin-top: 3px;
    font-size: 13.5px;
  }
  .description {
    display: -webkit-box;
    overflow: hidden;
    -webkit-box-orient: vertical;
    -webkit-line-clamp: 2;
  }
  .compact .brand {
    margin-bottom: 10px;
  }
  .compact .avatar {
    width: 32px;
    height: 32px;
  }
  .compact h2 {
    overflow: hidden;
    font-size: 17px;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .compact .description {
    display: none;
  }
  .compact .steps {
    margin-top: 14px;
    padding-bottom: 12px;
  }
  .close {
    position: absolute;
    top: 14px;
    inset-inline-end: 14px;
    display: grid;
    place-items: center;
    width: 40px;
    height: 40px;
    border: 0;
    border-radius: 50%;
    background: none;
    color: var(--_muted);
  }

  .steps {
    display: flex;
    gap: 8px;
    margin: 20px 0 0;
    padding: 0 0 16px;
    border-bottom: 1px solid var(--_line);
    font-size: 13px;
    font-weight: 600;
  }
  .steps li {
    display: flex;
    flex: 1;
    gap: 8px;
    align-items: center;
    min-width: 0;
  }
  .steps li:last-child {
    flex: none;
  }
  .steps li:not(:last-child)::after {
    content: '';
    flex: 1;
    min-width: 12px;
    height: 2px;
    background: var(--_line);
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
    border: 2px solid var(--_line);
    border-radius: 50%;
    font-size: 12px;
  }
  .dot .icon {
    width: 14px;
    stroke-width: 3;
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
  }
  .body {
    flex: 1;
    min-height: 120px;
    overflow: auto;
    overscroll-behavior: contain;
    padding: 20px 24px 6px;
    background:
      linear-gradient(var(--_surface) 40%, transparent) top / 100% 28px no-repeat local,
      linear-gradient(transparent, var(--_surface) 60%) bottom / 100% 28px no-repeat local,
      radial-gradient(farthest-side at 50% 0, var(--_shade), transparent) top / 100% 10px no-repeat,
      radial-gradient(farthest-side at 50% 100%, var(--_shade), transparent) bottom / 100% 10px no-repeat;
  }
  [aria-busy='true'] .body {
    opacity: 0.55;
    transition: opacity 0.2s;
  }
  .step-title {
    font-size: 16px;
  }
  h2:focus,
  .step-title:focus {
    outline: none;
  }
  .intro,
  .changes,
  .form-error,
  .workflows {
    margin-bottom: 18px;
  }
  .form-error {
    display: flex;
    gap: 8px;
    padding: 10px 12px;
    border-radius: var(--_radius-small);
    background: color-mix(in srgb, var(--_danger) 10%, var(--_surface));
    color: var(--_danger);
    font-weight: 600;
  }
  .changes {
    padding-inline-start: 18px;
  }
  .version {
    display: block;
    font-size: 13px;
  }
  .changes .version {
    display: inline;
  }
  .workflows {
    display: grid;
    gap: 10px;
  }
  .workflow {
    display: flex;
    gap: 12px;
    padding: 12px 14px;
    border: 1px solid var(--_line);
    border-radius: var(--_radius-small);
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
    --_start: center;
  }
  .result-icon {
    display: grid;
    place-items: center;
    width: 64px;
    height: 64px;
    border-radius: 50%;
    background: color-mix(in srgb, currentColor 15%, var(--_surface));
    color: var(--_danger);
  }
  .success .result-icon {
    color: var(--_success);
    animation: alloy-in 0.3s;
  }
  .result-icon .icon {
    width: 32px;
    height: 32px;
  }
  .result .step-title {
    font-size: 18px;
  }

  footer,
  .confirm {
    display: flex;
    flex-wrap: wrap;
    gap: 10px;
    justify-content: flex-end;
    padding: 14px 24px 20px;
    border-top: 1px solid var(--_line);
  }
  .back {
    margin-inline-end: auto;
  }
  button {
    font: inherit;
    cursor: pointer;
  }
  button:disabled {
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
    border: 1px solid var(--_line);
    border-radius: var(--_radius-small);
    background: none;
    color: var(--_text);
    font-weight: 600;
  }
  .primary {
    border: 0;
    background: var(--_primary);
    color: var(--_on-primary);
  }
  .danger {
    border: 0;
    background: var(--_danger);
    color: var(--_surface);
  }
  .primary:hover,
  .danger:hover {
    filter: brightness(0.92);
  }
  .secondary:hover,
  .close:hover {
    background: var(--_line);
    color: var(--_text);
  }
  .spinner {
    width: 16px;
    height: 16px;
    border: 2px solid;
    border-inline-end-color: transparent;
    border-radius: 50%;
    animation: alloy-spin 0.8s linear infinite;
  }
  .confirm {
    background: color-mix(in srgb, var(--_danger) 7%, var(--_surface));
  }
  .confirm p {
    flex: 1 1 100%;
  }
  :focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }

  .skeleton {
    display: block;
    height: 12px;
    margin-bottom: 12px;
    border-radius: 6px;
    background: var(--_line);
    animation: alloy-pulse 1.4s infinite;
  }
  h2 .skeleton {
    width: 60%;
    height: 20px;
  }
  .skeleton.short {
    width: 45%;
    margin-bottom: 26px;
  }
  .skeleton.box {
    height: 42px;
    margin-bottom: 22px;
  }
  .avatar.skeleton {
    height: 48px;
    margin: 0;
  }

  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }

  @keyframes alloy-in {
    from {
      opacity: 0;
      transform: translateY(12px);
    }
  }
  @keyframes alloy-fade {
    from {
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
      opacity: 0.4;
    }
  }

  @media (max-width: 480px) {
    dialog {
      width: 100%;
      height: 100%;
      max-height: none;
      border-radius: 0;
    }
    header,
    .body,
    footer,
    .confirm {
      padding-inline: 16px;
    }
    footer > button,
    .confirm button {
      flex: 1;
    }
    .steps li:not(.current),
    .steps .dot {
      position: absolute;
      width: 1px;
      overflow: hidden;
      clip-path: inset(50%);
    }
    .steps li::after {
      display: none;
    }
    .steps .label {
      white-space: normal;
    }
    .current .label::before {
      content: attr(data-count);
    }
  }

  @media (prefers-reduced-motion: reduce) {
    *,
    ::backdrop {
      animation: none !important;
    }
  }

  @media (forced-colors: active) {
    dialog,
    button {
      border: 1px solid;
    }
  }
`;
