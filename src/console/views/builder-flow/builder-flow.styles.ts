import { css } from 'lit';
import { viewStyles } from '../shared/view-styles.js';

export const builderFlowStyles = [
  viewStyles,
  css`
    :host {
      display: block;
    }
    ol {
      display: grid;
      gap: 8px;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .card {
      display: grid;
      gap: 8px;
      padding: 12px;
    }
    .card.selected {
      outline: 2px solid var(--_primary);
      outline-offset: 1px;
    }
    .card.invalid {
      border-color: var(--_danger, #b91c1c);
    }
    .card-head {
      display: flex;
      flex-wrap: wrap;
      gap: 8px 12px;
      align-items: center;
      justify-content: space-between;
    }
    .card-head > div:first-child {
      flex: 1 1 12em;
      min-width: 0;
    }
    .kind {
      margin: 0;
      font-size: 0.8rem;
      text-transform: uppercase;
      letter-spacing: 0.04em;
    }
    h3 {
      margin: 0;
      font-size: 1rem;
      overflow-wrap: anywhere;
    }
    .tools {
      display: flex;
      flex-wrap: wrap;
      gap: 6px;
    }
    .tools button {
      min-height: 32px;
      padding: 4px 10px;
      font-size: 0.875rem;
      white-space: nowrap;
    }
    .add {
      display: flex;
      justify-content: center;
    }
    .issue {
      margin: 0;
      color: var(--_danger, #b91c1c);
    }
    dl {
      display: grid;
      grid-template-columns: minmax(0, max-content) minmax(0, 1fr);
      gap: 4px 12px;
      margin: 0;
    }
    dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
  `,
];
