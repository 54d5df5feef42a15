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
  .hint {
    margin: 0 0 16px;
    color: var(--_muted);
  }
  .existing {
    margin: 0 0 16px;
  }
  /* The disclosure between signing in and typed credentials: a text button, as wide as a tap. */
  .method-switch {
    display: inline-flex;
    gap: 8px;
    align-items: center;
    min-height: 44px;
    margin: 0 0 12px;
    padding: 0 4px;
    border: 0;
    background: none;
    color: var(--_primary);
    font-weight: 600;
    text-align: start;
  }
  .method-switch:hover {
    text-decoration: underline;
  }
  .chevron {
    flex: none;
    width: 7px;
    height: 7px;
    border: solid currentColor;
    border-width: 0 2px 2px 0;
    transform: rotate(-45deg);
    transition: transform 0.15s;
  }
  :dir(rtl) .chevron {
    transform: rotate(135deg);
  }
  .method-switch[aria-expanded='true'] .chevron {
    transform: rotate(45deg);
  }
  @media (prefers-reduced-motion: reduce) {
    .chevron {
      transition: none;
    }
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
