import { css } from 'lit';
import { viewStyles } from '../shared/view-styles.js';

export const workflowBuilderStyles = [
  viewStyles,
  css`
    .layout {
      display: grid;
      grid-template-columns: minmax(0, 1fr);
      gap: 16px;
      align-items: start;
    }
    @media (min-width: 900px) {
      .layout.with-panel {
        grid-template-columns: minmax(0, 2fr) minmax(0, 3fr);
      }
    }
    .toolbar {
      display: flex;
      flex-wrap: wrap;
      gap: 8px 16px;
      align-items: center;
    }
    .save-status {
      margin: 0;
    }
    .save-status.failed,
    .issue,
    .conflict-alert {
      color: var(--_danger);
    }
    .control {
      display: grid;
      gap: 4px;
      align-content: start;
      min-width: 0;
    }
    .names {
      display: grid;
      grid-template-columns: minmax(0, 1fr);
      gap: 10px;
    }
    @media (min-width: 700px) {
      .names {
        grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
      }
    }

    input {
      min-width: 0;
      font: inherit;
    }
    .issues h2 {
      margin: 0 0 8px;
    }
    .issues ul {
      display: grid;
      gap: 6px;
      margin: 0;
      padding-left: 1.2em;
    }
    .issues li::marker {
      color: var(--_danger);
    }
    .issues button {
      min-height: 0;
      padding: 2px 0;
      border: 0;
      background: none;
      color: var(--_danger);
      text-align: start;
      text-decoration: underline;
      cursor: pointer;
    }
    .banner {
      margin: 0;
      padding: 12px 16px;
      border-left: 4px solid var(--_primary);
      border-radius: var(--_radius-small);
    }
    tbody th[scope='row'] {
      color: inherit;
      font-size: 1rem;
      font-weight: 600;
    }
    td {
      vertical-align: top;
    }
    dialog {
      width: min(480px, 100vw - 32px);
      padding: 20px 24px;
      border: 0;
      border-radius: var(--_radius);
      background: var(--_surface);
      color: var(--_text);
    }
    dialog::backdrop {
      background: var(--alloy-backdrop, #0f172a8c);
    }
    .dialog-actions {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      justify-content: end;
      margin-top: 16px;
    }
    .reasons {
      margin: 4px 0 0;
      padding-left: 1.2em;
      color: var(--_muted);
    }
    .layout > section {
      min-width: 0;
    }
    @media (min-width: 900px) {
      /* The panel stays beside the flow while its fields scroll past. */
      .layout.with-panel alloy-console-block-panel {
        position: sticky;
        top: 12px;
        max-height: calc(100dvh - 24px);
        overflow: auto;
        overscroll-behavior: contain;
      }
    }
    h2 {
      font-size: 1.15rem;
    }
  `,
];
