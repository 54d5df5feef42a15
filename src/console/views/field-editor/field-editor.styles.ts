import { css } from 'lit';
import { viewStyles } from '../shared/view-styles.js';

export const fieldEditorStyles = [
  viewStyles,
  css`
    :host {
      display: block;
    }
    fieldset {
      display: grid;
      gap: 10px;
      margin: 0;
      padding: 12px;
      border: 1px solid var(--_border, #cbd5e1);
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
      display: flex;
      gap: 8px;
      align-items: center;
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
    .value-row label {
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
