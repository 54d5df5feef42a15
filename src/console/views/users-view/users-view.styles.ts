import { css } from 'lit';
import { viewStyles } from '../shared/view-styles.js';

export const usersViewStyles = [
  viewStyles,
  css`
    .search {
      max-width: 420px;
    }
    .hint {
      margin-top: -4px;
    }
    .copy-row {
      display: flex;
      gap: 8px;
    }
    .copy-row input {
      flex: 1;
      min-width: 0;
      font-family: ui-monospace, monospace;
    }
    .copy-failed {
      color: var(--_danger);
    }
    .rows li {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 12px;
      align-items: baseline;
      padding: 10px 12px;
      border-bottom: 1px solid var(--_line);
    }
    .rows li:last-child {
      border-bottom: 0;
    }
    .rows {
      border: 1px solid var(--_line);
      border-radius: var(--_radius);
      background: var(--_surface);
    }
    .sections {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 320px), 1fr));
      gap: 16px;
    }
    section.card {
      display: grid;
      align-content: start;
      gap: 10px;
    }
    .facts {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 4px 12px;
    }
    .facts dt {
      color: var(--_muted);
    }
  `,
];
