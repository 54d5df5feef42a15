import { css } from 'lit';
import { viewStyles } from '../shared/view-styles.js';

export const testRunStyles = [
  viewStyles,
  css`
    .test-run {
      display: grid;
      gap: 10px;
      overflow-wrap: anywhere;
    }
    .users {
      display: grid;
      gap: 6px;
    }
    label {
      margin-top: 4px;
    }
    .help {
      margin-top: -6px;
      font-size: 0.87em;
    }
    textarea {
      width: 100%;
      min-height: 140px;
      padding: 8px 10px;
      border: 1px solid var(--_border);
      border-radius: var(--_radius-small);
      background: var(--_surface);
      color: inherit;
      font-family: var(--alloy-font-family-mono, ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace);
      font-size: 0.87em;
      resize: vertical;
    }
    textarea[aria-invalid='true'] {
      border-color: var(--_danger);
    }
    .config {
      display: grid;
      gap: 10px;
      margin: 4px 0 0;
      padding: 12px;
      border: 1px solid var(--_line);
      border-radius: var(--_radius-small);
      min-width: 0;
    }
    .config legend {
      padding: 0 4px;
      font-weight: 600;
    }
    .config .help {
      margin: 0;
    }
    .control .help {
      margin-top: 0;
    }
    .config-grid {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 220px), 1fr));
      gap: 10px;
    }
    .control {
      display: grid;
      gap: 4px;
      align-content: start;
      min-width: 0;
    }
    .control label {
      margin-top: 0;
    }
    label.check {
      display: flex;
      gap: 8px;
      align-items: center;
      margin-top: 0;
      font-weight: 400;
    }
    label.check input {
      width: 18px;
      min-height: 0;
      height: 18px;
      margin: 0;
      padding: 0;
      accent-color: var(--_primary);
    }
    textarea.config-text {
      min-height: 0;
      font-family: inherit;
      font-size: inherit;
    }
    .field-error {
      color: var(--_danger);
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      align-items: center;
    }
    .outcome {
      display: grid;
      gap: 10px;
    }
    .blocks {
      display: grid;
      gap: 10px;
    }
    .block {
      display: grid;
      gap: 6px;
      padding: 12px;
      border: 1px solid var(--_line);
      border-radius: var(--_radius-small);
    }
    .block-error {
      border-color: var(--_danger);
    }
    .block-header {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: baseline;
    }
    h4 {
      margin: 0;
      font-size: 1em;
    }
    .label {
      font-size: 0.87em;
      font-weight: 600;
      color: var(--_muted);
    }
    .status-skipped {
      color: var(--_muted);
    }
  `,
];
