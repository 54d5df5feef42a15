import { css } from 'lit';
import { viewStyles } from '../shared/view-styles.js';

export const deliveriesViewStyles = [
  viewStyles,
  css`
    .url {
      max-width: 320px;
    }
    td button {
      min-height: 36px;
      padding: 4px 12px;
    }
  `,
];
