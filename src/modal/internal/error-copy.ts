import { errorMessages } from '../i18n/error-copy-messages.js';
import type { ErrorMessages } from '../i18n/error-messages.js';
import type { ModalMessages } from '../i18n/messages.js';

/** Which end-user sentence a failure gets. */
export type ErrorCopyKind = keyof Pick<
  ErrorMessages,
  'unreachable' | 'timeout' | 'unavailable' | 'busy' | 'session' | 'notFound' | 'rejected' | 'unexpected'
>;

/**
 * What the modal reads of a failure: the SDK's `AlloyError` fields, duck-typed (the modal never
 * imports the SDK; an API client of the host's own may throw anything).
 */
export interface ErrorLike {
  code?: unknown;
  status?: unknown;
  message?: unknown;
  request?: unknown;
  requestId?: unknown;
}

const KIND_BY_CODE: Readonly<Record<string, ErrorCopyKind>> = {
  NETWORK_ERROR: 'unreachable',
  LOAD_FAILED: 'unreachable',
  TIMEOUT: 'timeout',
  SERVER_ERROR: 'unavailable',
  BAD_RESPONSE: 'unavailable',
  RATE_LIMITED: 'busy',
  NOT_FOUND: 'notFound',
  VALIDATION_FAILED: 'rejected',
};

export const fieldsOf = (error: unknown): ErrorLike => (typeof error === 'object' && error !== null ? error : {});

/** The SDK's error code decides; without one, a 5xx status is the service's trouble; else it is unexpected. */
export function errorCopyKind(error: unknown): ErrorCopyKind {
  const { code, status } = fieldsOf(error);
  // TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REFRESH_FAILED: the user's session.
  const byCode = typeof code === 'string' ? (code.startsWith('TOKEN_') ? 'session' : KIND_BY_CODE[code]) : undefined;
  if (byCode) return byCode;
  return typeof status === 'number' && status >= 500 ? 'unavailable' : 'unexpected';
}

/**
 * The sentence an end user reads: what happened and what to do, never how to configure CORS or a
 * base URL (that stays in the error's message, for the console and the Details view).
 */
export function humanErrorSentence(error: unknown, messages: ModalMessages, service?: string): string {
  const entry = errorMessages(messages)[errorCopyKind(error)];
  return typeof entry === 'function' ? entry(service || undefined) : entry;
}
