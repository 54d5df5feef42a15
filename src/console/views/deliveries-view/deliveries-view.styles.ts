import { css } from 'lit';
import { viewStyles } from '../shared/view-styles.js';

/**
 * A table on wide screens: dates on one line, the URL wrapping between path segments, the last
 * error on its own row under the delivery. Under 640 px each delivery (`tbody`) is a stacked card
 * with the column names as labels, so nothing is cut off.
 */
export const deliveriesViewStyles = [
  viewStyles,
  css`
    .url {
      min-width: 180px;
      max-width: 360px;
    }
    .url code {
      white-space: normal;
      overflow-wrap: break-word;
    }
    td.date,
    td.number {
      min-width: 0;
      white-space: nowrap;
    }
    td.date .next {
      display: block;
      color: var(--_muted);
      font-size: 0.87em;
    }
    td.actions {
      min-width: 0;
      text-align: end;
    }
    td button {
      min-height: 36px;
      padding: 4px 12px;
    }
    tbody.delivery:not(:last-child) tr:last-child td {
      border-bottom: 1px solid var(--_line);
    }
    tr.delivery-row:has(+ tr.error-row) td {
      border-bottom: 0;
      padding-bottom: 4px;
    }
    tr.error-row td {
      padding-top: 0;
      color: var(--_muted);
      overflow-wrap: anywhere;
    }
    .error-label {
      color: var(--_danger);
      font-weight: 600;
    }
    @media (max-width: 639px) {
      .table-wrap {
        overflow: visible;
        border: 0;
      }
      table,
      tbody,
      tr,
      td {
        display: block;
        background: none;
      }
      thead {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip-path: inset(50%);
      }
      tbody.delivery {
        display: grid;
        margin-bottom: 12px;
        padding: 4px 12px 8px;
        border: 1px solid var(--_line);
        border-radius: var(--_radius);
        background: var(--_surface);
      }
      tr.delivery-row {
        display: grid;
        grid-template-columns: 1fr 1fr;
        gap: 0 12px;
      }
      tbody.delivery td,
      tbody.delivery:not(:last-child) tr:last-child td,
      tr.delivery-row:has(+ tr.error-row) td {
        min-width: 0;
        padding: 6px 0;
        border: 0;
      }
      td[data-label]::before {
        content: attr(data-label);
        display: block;
        color: var(--_muted);
        font-size: 0.8em;
      }
      td.kind,
      td.url,
      td.date {
        grid-column: 1 / -1;
        max-width: none;
      }
      td.actions {
        grid-column: 1 / -1;
        text-align: start;
      }
      td.actions.empty {
        display: none;
      }
      tr.error-row td {
        padding-top: 6px;
        border-top: 1px solid var(--_line);
      }
    }
  `,
];
