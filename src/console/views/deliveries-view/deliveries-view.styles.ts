import { css } from 'lit';
import { viewStyles } from '../shared/view-styles.js';

export const deliveriesViewStyles = [
  viewStyles,
  css`
    .url {
      min-width: 200px;
      max-width: 320px;
      overflow-wrap: anywhere;
    }
    .url code {
      white-space: normal;
    }
    td button {
      min-height: 36px;
      padding: 4px 12px;
    }
  `,
];
