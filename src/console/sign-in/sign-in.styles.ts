import { css } from 'lit';

/** The sign-in and setup pages: one centred card, full width under 480 px. */
export const signInStyles = css`
  :host {
    display: grid;
    place-items: start center;
    min-height: 100dvh;
    padding: 48px 16px;
  }
  .card {
    width: min(420px, 100%);
  }
  form {
    display: grid;
    gap: 16px;
  }
  button[type='submit'] {
    width: 100%;
  }
  @media (max-width: 479px) {
    :host {
      padding: 16px 12px;
    }
    .card {
      padding: 16px;
    }
  }
`;
