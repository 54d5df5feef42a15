import { css } from 'lit';
import { controlStyles } from '../shared/form-styles.js';
import { viewStyles } from '../shared/view-styles.js';

export const blockPanelStyles = [
  viewStyles,
  controlStyles,
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
    label.check {
      min-height: 40px;
    }
    fieldset.schema {
      display: grid;
      gap: 12px;
      margin: 0;
      padding: 12px;
      border: 1px solid var(--_line);
      border-radius: var(--_radius-small);
      min-width: 0;
    }
    legend {
      padding: 0 4px;
    }
    fieldset.schema ul {
      grid-template-columns: minmax(0, 2fr) minmax(0, 1.3fr) auto auto;
      column-gap: 10px;
    }
    .schema-row {
      display: grid;
      grid-column: 1 / -1;
      grid-template-columns: subgrid;
      gap: 8px 10px;
      align-items: end;
    }
    .schema-row button {
      white-space: nowrap;
    }
    @media (max-width: 560px) {
      fieldset.schema ul {
        grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      }
      .schema-row {
        padding-bottom: 12px;
        border-bottom: 1px solid var(--_line);
      }
      .schema-row button {
        min-width: 0;
        white-space: normal;
        overflow-wrap: anywhere;
      }
      .schema-row:last-child {
        padding-bottom: 0;
        border-bottom: 0;
      }
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
