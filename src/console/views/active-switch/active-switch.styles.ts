import { css } from 'lit';
import { viewStyles } from '../shared/view-styles.js';

export const activeSwitchStyles = [
  viewStyles,
  css`
    :host {
      display: inline-block;
    }
    .switch-row {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 12px;
      align-items: center;
    }
    button.switch {
      display: inline-flex;
      gap: 10px;
      align-items: center;
      min-height: 40px;
      padding: 4px 8px;
      border: 1px solid transparent;
      background: transparent;
      color: var(--_text);
      font-weight: 600;
    }
    button.switch[aria-disabled='true'] {
      cursor: progress;
    }
    .track {
      position: relative;
      flex: none;
      width: 40px;
      height: 22px;
      border: 2px solid var(--_border);
      border-radius: 999px;
      background: var(--_surface);
      transition: background-color 0.15s;
    }
    .thumb {
      position: absolute;
      top: 2px;
      left: 2px;
      width: 14px;
      height: 14px;
      border-radius: 50%;
      background: var(--_muted);
      transition: transform 0.15s;
    }
    [aria-checked='true'] .track {
      border-color: var(--_primary);
      background: var(--_primary);
    }
    [aria-checked='true'] .thumb {
      transform: translateX(18px);
      background: var(--_on-primary);
    }
    [aria-disabled='true'] .track {
      opacity: 0.6;
    }
    .state {
      min-width: 3ch;
      color: var(--_muted);
      font-weight: 400;
    }
    .pending {
      color: var(--_muted);
      font-size: 0.93em;
    }
    .failed {
      margin-top: 4px;
      color: var(--_danger);
      font-size: 0.93em;
    }
    @media (prefers-reduced-motion: reduce) {
      .track,
      .thumb {
        transition: none;
      }
    }
  `,
];
