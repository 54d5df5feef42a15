import { css } from 'lit';
import { viewStyles } from '../shared/view-styles.js';

export const versionUsersStyles = [
  viewStyles,
  css`
    :host {
      display: block;
    }
    h3 {
      margin: 16px 0 8px;
      font-size: 1rem;
    }
    .table-wrap {
      overflow-x: auto;
    }
    .old {
      font-weight: 600;
    }
  `,
];
