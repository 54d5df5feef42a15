import { css } from 'lit';
import { controlStyles } from '../shared/form-styles.js';
import { viewStyles } from '../shared/view-styles.js';

export const fieldEditorStyles = [
  viewStyles,
  controlStyles,
  css`
    :host {
      display: block;
    }
    fieldset {
      display: grid;
      gap: 10px;
      margin: 0;
      padding: 12px;
      border: 1px solid var(--_line);
      border-radius: var(--_radius, 8px);
      min-width: 0;
    }
    legend {
      padding: 0 4px;
      font-weight: 600;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 180px), 1fr));
      gap: 10px;
    }
    label {
      display: grid;
      gap: 4px;
    }
    label.check {
      min-height: 32px;
    }
    .checks {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 20px;
    }
    details {
      display: grid;
      gap: 10px;
    }
    summary {
      width: fit-content;
      padding: 4px 0;
      color: var(--_primary);
      cursor: pointer;
    }
    details[open] > summary {
      margin-bottom: 10px;
    }
    textarea {
      width: 100%;
      padding: 8px 10px;
      border: 1px solid var(--_border);
      border-radius: var(--_radius-small);
      background: var(--_surface);
      color: inherit;
    }
    .fixed-key {
      display: grid;
      gap: 4px;
      align-content: start;
      margin: 0;
    }
    .fixed-key code {
      display: flex;
      align-items: center;
      min-height: 40px;
      overflow-wrap: anywhere;
    }

    input,
    textarea,
    select {
      min-width: 0;
      font: inherit;
    }
    .value-row {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: end;
    }
    .value-row .control {
      flex: 1 1 200px;
    }
    .issue {
      margin: 0;
      color: var(--_danger, #b91c1c);
    }
    .help {
      margin: 0;
      font-size: 0.875rem;
    }
    .actions {
      display: flex;
      justify-content: end;
    }
  `,
];
