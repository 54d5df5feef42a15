import { css } from 'lit';

/** Field styles; they read the modal's private `--_*` tokens, which resolve the public `--alloy-*` ones. */
export const configFieldStyles = css`
  .field {
    display: grid;
    gap: 6px;
    min-width: 0;
    margin: 0 0 18px;
    padding: 0;
    border: 0;
  }
  label,
  legend {
    padding: 0;
    font-weight: 600;
  }
  .optional,
  .help {
    color: var(--_muted);
    font-weight: 400;
  }
  .help {
    font-size: 13px;
  }
  input,
  textarea,
  select,
  .reveal {
    min-width: 0;
    min-height: 42px;
    padding: 9px 12px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius-small);
    background: var(--_surface);
    color: var(--_text);
    font: inherit;
  }
  input,
  textarea,
  select {
    width: 100%;
  }
  textarea {
    resize: vertical;
  }
  ::placeholder {
    color: var(--_muted);
  }
  :is(input, textarea, select):focus-visible {
    outline: 2px solid var(--_primary);
    outline-offset: -1px;
  }
  [aria-invalid='true'] {
    border-color: var(--_danger);
    box-shadow: inset 4px 0 0 -1px var(--_danger);
  }
  [type='checkbox'] {
    flex: none;
    width: 18px;
    height: 18px;
    min-height: 0;
    margin: 2px 0 0;
    padding: 0;
    accent-color: var(--_primary);
    box-shadow: none;
  }
  .field-error {
    display: flex;
    gap: 6px;
    color: var(--_danger);
    font-size: 13px;
    font-weight: 500;
  }
  .field-error .icon {
    flex: none;
    width: 16px;
  }
  .check {
    grid-template-columns: auto 1fr;
    column-gap: 10px;
  }
  .check > :not(input) {
    grid-column: 2;
  }
  .choice {
    display: flex;
    gap: 10px;
    padding: 4px 0;
    font-weight: 400;
  }
  .secret {
    display: flex;
    gap: 8px;
  }
  .secret input {
    flex: 1;
  }
  .reveal {
    display: flex;
    gap: 6px;
    align-items: center;
  }
`;
