import { MESSAGE_TABLES } from './locale.js';
import type { ModalMessages } from './messages.js';
/** Strings of the auth step and dynamic selects; in their own tables so the base modal chunk stays small. */
export interface AuthMessages {
  authTitle: (app: string) => string;
  authIntro: (app: string) => string;
  connectedAs: (account: string) => string;
  /** An edit's auth step: the connection the installation uses now, with `change` next to it. */
  connectedTo: (account: string) => string;
  change: string;
  useDifferentAccount: string;
  useExisting: (account: string) => string;
  /** The footer button that opens the sign-in popup. */
  connect: (app: string) => string;
  /** Under the pre-OAuth fields: what pressing Connect will do. */
  oauthHint: (app: string) => string;
  /** The disclosure from signing in to typed credentials (an API key, or other credentials), and back. */
  useApiKeyInstead: string;
  useCredentialsInstead: string;
  signInInstead: (app: string) => string;
  /** The footer button after the browser blocked the popup: a fresh click may open it. */
  openSignInWindow: string;
  waitingForSignIn: (app: string) => string;
  /** The footer button while the popup is open, and while typed credentials are checked. */
  waitingShort: string;
  checking: string;
  cancel: string;
  popupBlocked: string;
  popupClosed: string;
  signInCancelled: string;
  signInFailed: string;
  signInExpired: string;
  connectFailed: string;
  checkingConnection: string;
  filterOptions: (field: string) => string;
  reloadOptions: (field: string) => string;
  loadingOptions: string;
  optionsFailed: string;
  noMatches: string;
}

const en: AuthMessages = {
  authTitle: (app) => `Connect ${app}`,
  authIntro: (app) => `This integration works with your ${app} account.`,
  connectedAs: (account) => `Connected as ${account}`,
  connectedTo: (account) => `Connected to ${account}`,
  change: 'Change',
  useDifferentAccount: 'Use a different account',
  useExisting: (account) => `Use ${account}`,
  connect: (app) => `Connect ${app}`,
  oauthHint: (app) => `${app} opens in a new window, where you sign in and allow access.`,
  useApiKeyInstead: 'Use an API key instead',
  useCredentialsInstead: 'Enter credentials instead',
  signInInstead: (app) => `Sign in with ${app} instead`,
  openSignInWindow: 'Open sign-in window',
  waitingForSignIn: (app) => `Finish signing in to ${app} in the window that opened.`,
  waitingShort: 'Waiting for sign-in…',
  checking: 'Checking…',
  cancel: 'Cancel',
  popupBlocked: 'Your browser blocked the sign-in window. Press “Open sign-in window” to try again.',
  popupClosed: 'The sign-in window was closed before you finished. Try again.',
  signInCancelled: 'Access was not granted. Try again when you are ready.',
  signInFailed: 'Signing in did not work. Try again.',
  signInExpired: 'Signing in took too long. Try again.',
  connectFailed: 'We could not connect the account. Try again.',
  checkingConnection: 'Checking the connection…',
  filterOptions: (field) => `Search ${field}`,
  reloadOptions: (field) => `Reload ${field}`,
  loadingOptions: 'Loading options…',
  optionsFailed: 'We could not load the options.',
  noMatches: 'No options match your search.',
};

/**
 * The host's own auth strings, else those of the built-in table of the modal's language (each
 * carries its own, so a language's strings load with its table), else English.
 */
export const authMessages = (messages: ModalMessages): AuthMessages =>
  messages.auth ?? MESSAGE_TABLES[messages.locale]?.auth ?? en;
