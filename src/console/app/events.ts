import type { SignedInSession } from '../session-schemas.js';

/** Sign-in or setup succeeded: the shell shows the console for this session. */
export type AlloyConsoleSignedInEvent = CustomEvent<SignedInSession>;
/** `alloy-console-navigate` is declared with the views that send it (views/shared/events.ts). */
export type { AlloyConsoleNavigateEvent } from '../views/shared/events.js';

declare global {
  interface GlobalEventHandlersEventMap {
    'alloy-console-signed-in': AlloyConsoleSignedInEvent;
  }
}
