import { css } from 'lit';
import { dialogFrameStyles } from '../shared/form-styles.js';
import { viewStyles } from '../shared/view-styles.js';

/** The share dialog: a native modal `<dialog>`, a sheet on narrow screens. */
export const shareDialogStyles = [
  viewStyles,
  dialogFrameStyles,
  css`
    dialog {
      width: min(520px, 100vw - 32px);
    }
    form {
      display: grid;
      gap: 16px;
      padding: 20px 24px;
    }
    fieldset {
      display: grid;
      gap: 10px;
      margin: 0;
      padding: 0;
      border: 0;
    }
    legend {
      margin-bottom: 6px;
      padding: 0;
      font-weight: 600;
    }
    .choice {
      display: flex;
      gap: 8px;
      align-items: center;
      font-weight: 400;
    }
    .choice input {
      width: auto;
      min-height: 0;
    }
    select[size] {
      min-height: 0;
      max-width: 100%;
    }
    /* Long "username (Full Name)" entries wrap inside the list instead of running off its side. */
    select[size] option {
      white-space: normal;
      overflow-wrap: anywhere;
      padding-block: 2px;
    }
    .created {
      margin: 0;
    }
    .help {
      color: var(--_muted);
      font-size: 0.87em;
      font-weight: 400;
    }
    .result {
      display: grid;
      gap: 8px;
    }
    .copy-row {
      display: flex;
      gap: 8px;
    }
    .copy-row input {
      flex: 1;
      min-width: 0;
    }
    .copy-failed {
      color: var(--_danger);
    }
    .recent-links {
      display: grid;
      gap: 8px;
    }
    .recent-links h3 {
      margin: 0;
      font-size: 1em;
    }
    .recent-links ul {
      display: grid;
      gap: 6px;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .recent-links li {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 8px;
      align-items: center;
      font-size: 0.93em;
    }
    .link-used {
      color: var(--_success);
    }
    .link-expired {
      color: var(--_muted);
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      justify-content: flex-end;
    }
    @media (max-width: 480px) {
      dialog {
        width: 100vw;
        max-width: 100vw;
        max-height: 100dvh;
        margin: auto 0 0;
        border-radius: var(--_radius) var(--_radius) 0 0;
      }
      form {
        padding: 16px;
      }
      .copy-row {
        flex-direction: column;
      }
    }
  `,
];
