import type { InstallationResponse, UninstallResponse } from '../contract/index.js';

/** `uninstalled`: the user uninstalled the integration from an edit (the Promise resolves `success: false`). */
export type CloseReason = 'installed' | 'uninstalled' | 'close-button' | 'escape' | 'backdrop' | 'api' | 'error';

export type InstallOutcome =
  ({ success: true } & InstallationResponse) | { success: false; reason: Exclude<CloseReason, 'installed'> };

/** The steps the modal moves through, in order; `auth` repeats per app that needs a credential. */
export type ModalStep = 'loading' | 'auth' | 'workflows' | 'config' | 'success' | 'error';

/** Fired when the integration has loaded and the first step is on screen. */
export type AlloyReadyEvent = CustomEvent<{ integrationId: string }>;
/** Fired on every step change. */
export type AlloyStepEvent = CustomEvent<{ step: ModalStep }>;
/** Fired when the user starts connecting an app (OAuth popup opened or credential form submitted). */
export type AlloyAuthStartedEvent = CustomEvent<{ app: string }>;
export type AlloyAuthSucceededEvent = CustomEvent<{ app: string; credentialId: string }>;
export type AlloyAuthFailedEvent = CustomEvent<{ app: string; message: string }>;
/** Fired when the installation has been stored. */
export type AlloyInstalledEvent = CustomEvent<InstallationResponse>;
/** Fired when the user uninstalled the integration (confirmed in an edit); the modal then closes. */
export type AlloyUninstalledEvent = CustomEvent<UninstallResponse>;
/** Fired when something failed that the user sees as an error state. */
export type AlloyErrorEvent = CustomEvent<{ error: unknown }>;
/** Fired once when the modal closes, with why. */
export type AlloyCloseEvent = CustomEvent<{ reason: CloseReason }>;
/**
 * Fired after a shown modal closed, once focus has gone back: `to` says where. `opener` is the
 * element that had focus when the modal opened (possibly after waiting for it to be enabled again),
 * `ancestor` its nearest focusable ancestor, `none` when neither could take focus.
 */
export type AlloyFocusReturnEvent = CustomEvent<{ to: 'opener' | 'ancestor' | 'none'; element: HTMLElement | null }>;

/** Event names and their `detail`, so the element can only dispatch what listeners are typed for. */
export interface ModalEventDetails {
  'alloy-ready': AlloyReadyEvent['detail'];
  'alloy-step': AlloyStepEvent['detail'];
  'alloy-auth-started': AlloyAuthStartedEvent['detail'];
  'alloy-auth-succeeded': AlloyAuthSucceededEvent['detail'];
  'alloy-auth-failed': AlloyAuthFailedEvent['detail'];
  'alloy-installed': AlloyInstalledEvent['detail'];
  'alloy-uninstalled': AlloyUninstalledEvent['detail'];
  'alloy-error': AlloyErrorEvent['detail'];
  'alloy-close': AlloyCloseEvent['detail'];
  'alloy-focus-return': AlloyFocusReturnEvent['detail'];
}

declare global {
  interface GlobalEventHandlersEventMap {
    'alloy-ready': AlloyReadyEvent;
    'alloy-step': AlloyStepEvent;
    'alloy-auth-started': AlloyAuthStartedEvent;
    'alloy-auth-succeeded': AlloyAuthSucceededEvent;
    'alloy-auth-failed': AlloyAuthFailedEvent;
    'alloy-installed': AlloyInstalledEvent;
    'alloy-uninstalled': AlloyUninstalledEvent;
    'alloy-error': AlloyErrorEvent;
    'alloy-close': AlloyCloseEvent;
    'alloy-focus-return': AlloyFocusReturnEvent;
  }
}
