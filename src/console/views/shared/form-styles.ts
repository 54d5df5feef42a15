import { css } from 'lit';

/**
 * The console's modal `<dialog>` frame (the share and New integration dialogs): surface, radius,
 * shadow and backdrop. Each dialog sets its own width.
 */
export const dialogFrameStyles = css`
  :host {
    display: contents;
  }
  dialog {
    max-height: min(720px, 100dvh - 32px);
    padding: 0;
    border: 0;
    border-radius: var(--_radius);
    background: var(--_surface);
    color: var(--_text);
    box-shadow: 0 24px 64px #0f172a4d;
  }
  dialog::backdrop {
    background: var(--alloy-backdrop, #0f172a8c);
  }
`;

/** A labelled control stacked under its label, and a real-size checkbox beside its label. */
export const controlStyles = css`
  .control {
    display: grid;
    gap: 4px;
    align-content: start;
    min-width: 0;
  }
  input[type='checkbox'] {
    flex: none;
    width: 18px;
    min-height: 0;
    height: 18px;
    margin: 0;
    padding: 0;
    accent-color: var(--_primary);
  }
  label.check {
    display: flex;
    gap: 8px;
    align-items: center;
    font-weight: 400;
  }
`;
