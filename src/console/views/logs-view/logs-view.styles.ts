import { css } from 'lit';
import { viewStyles } from '../shared/view-styles.js';

export const logsViewStyles = [
  viewStyles,
  css`
    .facts {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 200px), 1fr));
      gap: 10px 16px;
    }
    .facts div {
      display: grid;
    }
    .facts dt {
      color: var(--_muted);
      font-size: 0.87em;
    }
    .facts dd.user {
      display: grid;
      justify-items: start;
      min-width: 0;
    }
    .facts dd.user code {
      overflow-wrap: anywhere;
      white-space: normal;
    }
    /* Room for a whole email on one line beside its id. */
    @media (min-width: 640px) {
      .facts .user-fact {
        grid-column: span 2;
      }
    }
    .user-id {
      font-size: 0.8em;
    }
    td.date {
      white-space: nowrap;
    }
    /* A long workflow name keeps a readable width; the table scrolls in its region on a phone. */
    td.workflow {
      min-width: 12em;
    }
    .blocks {
      display: grid;
      gap: 16px;
    }
    .block {
      display: grid;
      gap: 10px;
    }
    .block-head {
      display: flex;
      flex-wrap: wrap;
      gap: 6px 12px;
      align-items: baseline;
    }
    .io {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 280px), 1fr));
      gap: 12px;
    }
    .io h4 {
      margin: 0 0 4px;
      font-size: 0.93em;
    }
    .block-error {
      color: var(--_danger);
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
    }
  `,
];
