import { css } from 'lit';
import { viewStyles } from '../shared/view-styles.js';

export const variablePickerStyles = [
  viewStyles,
  css`
    :host {
      display: block;
    }
    .picker {
      display: grid;
      gap: 6px;
      padding: 10px;
      border: 1px solid var(--_border, #cbd5e1);
      border-radius: var(--_radius, 8px);
      background: var(--_surface, #fff);
    }
    ul {
      display: flex;
      flex-wrap: wrap;
      gap: 6px;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    button {
      font-family: ui-monospace, monospace;
      font-size: 0.85rem;
      overflow-wrap: anywhere;
    }
    .title {
      margin: 0;
      font-weight: 600;
    }
  `,
];
