import { css } from 'lit';
import { viewStyles } from '../shared/view-styles.js';

export const integrationPageStyles = [
  viewStyles,
  css`
    .head {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      align-items: center;
    }
    .icon {
      flex: none;
      width: 48px;
      height: 48px;
      border-radius: var(--_radius-small);
      object-fit: contain;
    }
    .monogram {
      display: grid;
      place-items: center;
      background: color-mix(in srgb, var(--_primary) 14%, transparent);
      color: var(--_primary);
      font-weight: 700;
    }
    .badge {
      display: inline-block;
      padding: 2px 10px;
      border: 1px solid var(--_border);
      border-radius: 999px;
      font-size: 0.87em;
      overflow-wrap: anywhere;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      align-items: center;
    }
    .export {
      display: inline-flex;
      align-items: center;
      min-height: 40px;
    }
    ul.workflows {
      display: grid;
      gap: 8px;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    ul.workflows li {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 16px;
      align-items: baseline;
      padding: 10px 12px;
    }
    .new-workflow {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: end;
    }
    .new-workflow {
      margin-top: 8px;
    }
    .new-workflow .control {
      display: grid;
      flex: 1 1 220px;
      gap: 4px;
      min-width: 0;
    }
    input {
      min-width: 0;
      font: inherit;
    }
  `,
];
