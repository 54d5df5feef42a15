import type { InstallationResponse } from '../contract/index.js';

export type CloseReason = 'installed' | 'close-button' | 'escape' | 'api' | 'error';

export type InstallOutcome =
  ({ success: true } & InstallationResponse) | { success: false; reason: Exclude<CloseReason, 'installed'> };

/** Fired when the installation has been stored. */
export type AlloyInstalledEvent = CustomEvent<InstallationResponse>;
/** Fired once when the modal closes, with why. */
export type AlloyCloseEvent = CustomEvent<{ reason: CloseReason }>;

declare global {
  interface GlobalEventHandlersEventMap {
    'alloy-installed': AlloyInstalledEvent;
    'alloy-close': AlloyCloseEvent;
  }
}
