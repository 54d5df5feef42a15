import { css } from 'lit';

export const settingsStyles = css`
  .keys {
    display: grid;
    gap: 12px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .key {
    display: flex;
    flex-wrap: wrap;
    gap: 12px;
    align-items: center;
    justify-content: space-between;
    padding: 12px 14px;
    border: 1px solid var(--_line);
    border-radius: var(--_radius-small);
  }
  .key h3 {
    font-size: 15px;
  }
  .copy-row {
    display: flex;
    gap: 8px;
  }
  .copy-row input {
    flex: 1;
    min-width: 0;
  }
  .warning {
    font-weight: 600;
  }
  form.urls {
    display: grid;
    gap: 16px;
  }
  @media (max-width: 479px) {
    .card {
      padding: 16px;
    }
    .key .row {
      width: 100%;
    }
    .key .row button {
      flex: 1;
    }
  }
`;

/** The page's sections stack with the shell's gap. */
export const settingsHostStyles = css`
  :host {
    display: grid;
    gap: 20px;
  }
`;
