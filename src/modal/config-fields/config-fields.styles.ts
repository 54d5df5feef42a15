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
    overflow-wrap: anywhere;
  }
  .optional {
    color: var(--_muted);
    font-weight: 400;
  }
  .help {
    margin: -2px 0 2px;
    color: var(--_muted);
    font-size: 13px;
    overflow-wrap: anywhere;
  }
  input:not([type='checkbox']),
  textarea,
  select {
    box-sizing: border-box;
    width: 100%;
    min-width: 0;
    min-height: 42px;
    margin: 0;
    padding: 9px 12px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius-small);
    background: var(--_field);
    color: var(--_text);
    font: inherit;
    text-align: start;
  }
  textarea {
    resize: vertical;
  }
  select {
    appearance: auto;
  }
  ::placeholder {
    color: var(--_muted);
    opacity: 0.8;
  }
  input:not([type='checkbox']):focus-visible,
  textarea:focus-visible,
  select:focus-visible {
    outline: 2px solid var(--_primary);
    outline-offset: -1px;
    border-color: var(--_primary);
  }
  [aria-invalid='true']:not([type='checkbox']) {
    border-color: var(--_danger);
    box-shadow: inset 4px 0 0 -1px var(--_danger);
  }
  input[type='checkbox'] {
    flex: none;
    width: 18px;
    height: 18px;
    margin: 2px 0 0;
    accent-color: var(--_primary);
  }
  .field-error {
    display: flex;
    gap: 6px;
    align-items: flex-start;
    margin: 0;
    color: var(--_danger);
    font-size: 13px;
    font-weight: 500;
    overflow-wrap: anywhere;
  }
  .field-error .icon {
    flex: none;
    width: 16px;
    height: 16px;
    margin-top: 1px;
  }

  .check {
    grid-template-columns: auto 1fr;
    column-gap: 10px;
    align-items: start;
  }
  .check > :not(input) {
    grid-column: 2;
  }
  .check .help {
    margin: 0;
  }

  .choices {
    display: grid;
    gap: 2px;
  }
  .choice {
    display: flex;
    gap: 10px;
    align-items: flex-start;
    padding: 6px 0;
    font-weight: 400;
    cursor: pointer;
  }

  .secret {
    display: flex;
    gap: 8px;
  }
  .secret input {
    flex: 1;
  }
  .reveal {
    display: inline-flex;
    flex: none;
    gap: 6px;
    align-items: center;
    min-height: 42px;
    padding: 0 12px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius-small);
    background: transparent;
    color: var(--_text);
  }
  .reveal .icon {
    width: 18px;
    height: 18px;
  }
`;
