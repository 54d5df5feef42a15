import { css } from 'lit';
import { dialogFrameStyles } from '../shared/form-styles.js';
import { viewStyles } from '../shared/view-styles.js';

/** The New integration dialog: a native modal `<dialog>`. */
export const newIntegrationDialogStyles = [
  viewStyles,
  dialogFrameStyles,
  css`
    dialog {
      width: min(480px, 100vw - 32px);
    }
    form {
      display: grid;
      gap: 14px;
      padding: 20px 24px;
    }
    .control {
      display: grid;
      gap: 4px;
      align-content: start;
      min-width: 0;
    }
    textarea {
      width: 100%;
      padding: 8px 10px;
      border: 1px solid var(--_border);
      border-radius: var(--_radius-small);
      background: var(--_surface);
      color: inherit;
      resize: vertical;
    }
    input,
    textarea,
    select {
      min-width: 0;
      font: inherit;
    }
    h2 {
      margin: 0;
      font-size: 1.2rem;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      justify-content: end;
    }
  `,
];
