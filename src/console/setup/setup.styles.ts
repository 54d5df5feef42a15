import { css } from 'lit';

/** Setup has the sign-in page's frame; only the hints under the password differ. */
export const setupStyles = css`
  .hint {
    font-size: 13px;
  }
`;
