import type { ErrorMessages } from '../i18n/error-messages.js';

/** Which end-user sentence a failure gets. */
export type ErrorCopyKind = keyof Pick<
  ErrorMessages,
  'unreachable' | 'timeout' | 'unavailable' | 'busy' | 'session' | 'notFound' | 'rejected' | 'unexpected'
>;

/**
 * What the modal reads of a failure: the SDK's `AlloyError` fields, duck-typed (the modal never
 * imports the SDK; an API client of the host's own may throw anything).
 */
interface ErrorLike {
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
  TOKEN_MISSING: 'session',
  TOKEN_INVALID: 'session',
  TOKEN_EXPIRED: 'session',
  TOKEN_REFRESH_FAILED: 'session',
  NOT_FOUND: 'notFound',
  VALIDATION_FAILED: 'rejected',
};

const fieldsOf = (error: unknown): ErrorLike => (typeof error === 'object' && error !== null ? error : {});

/** The SDK's error code decides; without one, the HTTP status; else it is unexpected. */
export function errorCopyKind(error: unknown): ErrorCopyKind {
  const { code, status } = fieldsOf(error);
  const byCode = typeof code === 'string' ? KIND_BY_CODE[code] : undefined;
  if (byCode) return byCode;
  if (typeof status !== 'number') return 'unexpected';
  if (status >= 500) return 'unavailable';
  if (status === 429) return 'busy';
  if (status === 401) return 'session';
  if (status === 404) return 'notFound';
  return status >= 400 ? 'rejected' : 'unexpected';
}

/**
 * The sentence an end user reads: what happened and what to do, never how to configure CORS or a
 * base URL (that stays in the error's message, for the console and the Details view).
 */
export function humanErrorSentence(error: unknown, messages: ErrorMessages, service?: string): string {
  const kind = errorCopyKind(error);
  const entry = messages[kind];
  return typeof entry === 'function' ? entry(service || undefined) : entry;
}

/** The technical part of a failure, each line only when known. */
export interface ErrorDetailsData {
  status?: number;
  /** Method and path of the call that failed. */
  request?: string;
  message?: string;
  requestId?: string;
}

/** What the Details view shows; undefined when there is nothing technical to show. */
export function errorDetailsOf(error: unknown): ErrorDetailsData | undefined {
  const { status, request, message, requestId } = fieldsOf(error);
  const details: ErrorDetailsData = {
    ...(typeof status === 'number' ? { status } : {}),
    ...(typeof request === 'string' && request ? { request } : {}),
    ...(typeof message === 'string' && message ? { message } : {}),
    ...(typeof requestId === 'string' && requestId ? { requestId } : {}),
  };
  return Object.keys(details).length > 0 ? details : undefined;
}
