import { css } from 'lit';

/** Styles of the lazily loaded auth step and dynamic selects, adopted by the modal when they load. */
export const authStepStyles = css`
  .auth-fields {
    min-width: 0;
    margin: 0;
    padding: 0;
    border: 0;
  }
  .connection,
  .waiting,
  .waiting p,
  .options-state {
    display: flex;
    gap: 10px;
    align-items: center;
  }
  .connection {
    margin: 0 0 16px;
    padding: 12px 14px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius-small);
  }
  .connection .change {
    min-height: 36px;
    margin-inline-start: auto;
    padding: 6px 14px;
  }
  .connected-mark {
    display: inline-flex;
    color: var(--_success);
  }
  .waiting {
    flex-wrap: wrap;
    justify-content: space-between;
    margin: 0 0 16px;
  }
  .or {
    margin: 4px 0 12px;
    color: var(--_muted);
  }
  .existing {
    margin: 0 0 16px;
  }
  .primary-inline {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    min-height: 42px;
    padding: 9px 18px;
    border: 0;
    border-radius: var(--_radius-small);
    background: var(--_primary);
    color: var(--_on-primary);
    font-weight: 600;
  }
  .primary-inline:hover {
    filter: brightness(0.92);
  }
  .option-tools {
    display: flex;
    gap: 8px;
  }
  .option-tools input {
    flex: 1;
  }
  .reload {
    display: inline-flex;
    gap: 6px;
    align-items: center;
    padding-inline: 12px;
  }
  .options-state {
    margin: 0;
    color: var(--_muted);
    font-size: 13px;
  }
`;
