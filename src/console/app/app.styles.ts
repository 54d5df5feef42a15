import { css } from 'lit';

/**
 * The frame: a header (brand, environment, language, theme, sign-out) over the nav and the page.
 * Production gets a coloured band so nobody changes it by mistake. Under 640 px the controls wrap
 * under the brand (the environment on a row of its own) and the nav wraps.
 */
export const appStyles = css`
  :host {
    display: block;
    min-height: 100dvh;
    background: var(--_c-page, #f1f3f6);
  }
  button.skip {
    position: absolute;
    top: 8px;
    left: 8px;
    z-index: 10;
    padding: 8px 12px;
    border-radius: var(--_radius-small);
    background: var(--_surface);
    transform: translateY(-200%);
  }
  button.skip:focus {
    transform: none;
  }
  header {
    border-bottom: 1px solid var(--_line);
    background: var(--_surface);
  }
  header.production {
    border-top: 4px solid var(--_danger);
  }
  .bar {
    display: flex;
    flex-wrap: wrap;
    gap: 12px 20px;
    align-items: center;
    justify-content: space-between;
    max-width: 1200px;
    margin: 0 auto;
    padding: 12px 20px;
  }
  .brand {
    font-size: 17px;
    font-weight: 700;
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    gap: 8px 12px;
    align-items: end;
  }
  .controls label {
    display: grid;
    gap: 2px;
    font-size: 12px;
  }
  .controls select {
    width: auto;
    min-height: 36px;
    padding: 4px 8px;
    font-size: 14px;
  }
  .controls button {
    min-height: 36px;
  }
  .user {
    display: flex;
    gap: 8px;
    align-items: center;
    font-size: 14px;
  }
  .env-badge {
    padding: 2px 8px;
    border-radius: 999px;
    background: var(--_danger);
    color: var(--_surface);
    font-size: 12px;
    font-weight: 700;
  }
  nav ul {
    display: flex;
    gap: 4px;
    max-width: 1200px;
    margin: 0 auto;
    padding: 0 12px;
    list-style: none;
    overflow-x: auto;
  }
  nav a {
    display: block;
    padding: 10px 12px;
    border-bottom: 3px solid transparent;
    color: var(--_text);
    text-decoration: none;
    white-space: nowrap;
  }
  nav a:hover {
    color: var(--_primary);
  }
  nav a[aria-current='page'] {
    border-bottom-color: var(--_primary);
    color: var(--_primary);
    font-weight: 600;
  }
  main {
    max-width: 1200px;
    margin: 0 auto;
    padding: 24px 20px 48px;
  }
  main:focus {
    outline: none;
  }
  .centered {
    display: grid;
    place-items: start center;
    padding: 48px 16px;
  }
  .centered .card {
    width: min(480px, 100%);
  }
  @media (max-width: 639px) {
    .bar {
      padding: 10px 12px;
    }
    .controls {
      width: 100%;
    }
    .controls label {
      flex: 1 1 96px;
    }
    .controls label:first-child {
      flex-basis: 100%;
    }
    nav ul {
      flex-wrap: wrap;
    }
    .controls select {
      width: 100%;
    }
    main {
      padding: 16px 12px 32px;
    }
    .centered {
      padding: 16px 12px;
    }
  }
`;
