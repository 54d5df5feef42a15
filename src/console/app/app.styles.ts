import { css } from 'lit';

/**
 * The frame: a header (brand, environment, language, theme, sign-out) over the nav and the page.
 * Production gets a coloured band and badge so nobody changes it by mistake. Under 640 px the
 * header is one row (brand, environment switch, a Menu button); the menu opens the nav, language,
 * theme and sign-out under it.
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
    margin-inline-end: auto;
    font-size: 17px;
    font-weight: 700;
  }
  .menu-toggle {
    display: none;
  }
  .env,
  .controls label {
    display: grid;
    gap: 2px;
    font-size: 12px;
  }
  .env select,
  .controls select {
    width: auto;
    min-height: 36px;
    padding: 4px 8px;
    font-size: 14px;
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    gap: 8px 12px;
    align-items: end;
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
      flex-wrap: wrap;
      gap: 8px;
      padding: 8px 12px;
    }
    .brand {
      display: flex;
      flex: 1 1 0;
      flex-wrap: wrap;
      gap: 2px 6px;
      align-items: center;
      min-width: 0;
      font-size: 16px;
      line-height: 1.2;
    }
    .env-badge {
      font-size: 11px;
    }
    .env-label {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
    .env select {
      max-width: 40vw;
    }
    .menu-toggle {
      display: inline-block;
      min-height: 36px;
      padding: 4px 12px;
    }
    .controls,
    nav {
      display: none;
    }
    header[data-menu-open] .controls {
      display: grid;
      grid-template-columns: 1fr 1fr;
      flex-basis: 100%;
      gap: 8px 12px;
      padding-top: 8px;
      border-top: 1px solid var(--_line);
    }
    header[data-menu-open] .controls select {
      width: 100%;
    }
    header[data-menu-open] .user {
      grid-column: 1 / -1;
      justify-content: space-between;
    }
    header[data-menu-open] nav {
      display: block;
      border-top: 1px solid var(--_line);
    }
    nav ul {
      flex-direction: column;
      gap: 0;
      padding: 4px 0;
    }
    nav a {
      padding: 10px 12px;
      border-bottom: 0;
      border-inline-start: 3px solid transparent;
    }
    nav a[aria-current='page'] {
      border-inline-start-color: var(--_primary);
    }
    main {
      padding: 16px 12px 32px;
    }
    .centered {
      padding: 16px 12px;
    }
  }
`;
