import type { SignedInSession } from '../session-schemas.js';

/** Sign-in or setup succeeded: the shell shows the console for this session. */
export type AlloyConsoleSignedInEvent = CustomEvent<SignedInSession>;
/**
 * Any console element may ask the shell to show another console page (bubbles, composed): the shell
 * pushes `path` (e.g. `/console/logs/exe_123`) onto the history. Plain `<a href="/console/...">`
 * links work too: the shell intercepts their clicks.
 */
export type AlloyConsoleNavigateEvent = CustomEvent<{ path: string }>;

declare global {
  interface GlobalEventHandlersEventMap {
    'alloy-console-signed-in': AlloyConsoleSignedInEvent;
    'alloy-console-navigate': AlloyConsoleNavigateEvent;
  }
}
