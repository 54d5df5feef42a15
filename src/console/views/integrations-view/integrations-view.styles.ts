import { css } from 'lit';
import { viewStyles } from '../shared/view-styles.js';

export const integrationsViewStyles = [
  viewStyles,
  css`
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 280px), 1fr));
      gap: 16px;
    }
    .integration {
      display: grid;
      grid-template-rows: auto 1fr auto;
      gap: 12px;
    }
    .head {
      display: flex;
      gap: 12px;
      align-items: center;
    }
    .icon {
      flex: none;
      width: 40px;
      height: 40px;
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
    .counts {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 16px;
      color: var(--_muted);
      font-size: 0.93em;
    }
    .foot {
      display: flex;
      flex-wrap: wrap;
      gap: 16px;
      align-items: center;
      justify-content: flex-end;
    }
    .foot alloy-console-active-switch {
      margin-inline-end: auto;
    }
    .source {
      font-size: 0.87em;
    }
    .export {
      display: inline-flex;
      align-items: center;
      min-height: 40px;
    }
  `,
];
