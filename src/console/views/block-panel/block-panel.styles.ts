import { css } from 'lit';
import { viewStyles } from '../shared/view-styles.js';

export const blockPanelStyles = [
  viewStyles,
  css`
    :host {
      display: block;
    }
    section {
      display: grid;
      gap: 14px;
    }
    .head {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
      justify-content: space-between;
    }
    h2,
    h3 {
      margin: 0;
    }
    h2 {
      font-size: 1.15rem;
    }
    h3 {
      font-size: 1rem;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 200px), 1fr));
      gap: 10px;
    }
    label {
      display: grid;
      gap: 4px;
    }
    input,
    select {
      min-width: 0;
      font: inherit;
    }
    .schema-row {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: end;
    }
    .schema-row label.check {
      display: flex;
      gap: 6px;
      align-items: center;
    }
    ul {
      display: grid;
      gap: 12px;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .issue {
      margin: 0;
      color: var(--_danger, #b91c1c);
    }
  `,
];
