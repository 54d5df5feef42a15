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
    .names {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 240px), 1fr));
      gap: 10px;
    }
    label {
      display: grid;
      gap: 4px;
    }
    input {
      min-width: 0;
      font: inherit;
    }
    .issues ul {
      display: grid;
      gap: 4px;
      padding-left: 1.2em;
    }
    .issues button {
      padding: 0;
      border: 0;
      background: none;
      color: var(--_danger);
      text-align: start;
      text-decoration: underline;
      cursor: pointer;
    }
    .banner {
      padding: 12px;
      border-left: 4px solid var(--_primary);
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
      margin: 0;
      padding-left: 1.2em;
    }
    h2 {
      font-size: 1.15rem;
    }
  `,
];
