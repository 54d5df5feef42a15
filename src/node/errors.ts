import type { ApiErrorCode, ValidationIssue } from '../contract/index.js';

/**
 * Codes the client sets itself, for failures that have no server answer. They never collide with
 * the server's codes (`API_ERROR_CODES`), so one `switch (error.code)` covers both.
 */
export const CLIENT_ERROR_CODES = [
  /** No response: connection refused or reset, DNS failure. */
  'network_error',
  /** No complete response within `timeoutMs`. */
  'timeout',
  /** A 2xx response whose body is not JSON or does not match the contract schema. */
  'invalid_response',
  /** A non-2xx response without the API's `{error:{code,message}}` body (a proxy's page, say). */
  'http_error',
  /** A method that acts for a user was called before `identify()` (or outside `forUser()`). */
  'not_identified',
  /** A bad constructor option or argument, refused before any request. */
  'invalid_argument',
] as const;

export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

/** The server's codes, the client's own, or a code a newer server added. */
export type AlloyApiErrorCode = ApiErrorCode | ClientErrorCode | (string & {});

export interface AlloyApiErrorDetails {
  status?: number;
  issues?: readonly ValidationIssue[];
  requestId?: string;
  retryAfterMs?: number;
  method?: string;
  path?: string;
  attempts?: number;
  cause?: unknown;
}

/**
 * Every failure of the Node client. `status` is the HTTP status when there was a response;
 * `code` is the server's error code (`not_found`, `validation_failed`...) or one of
 * `CLIENT_ERROR_CODES`; `issues` lists bad fields with their paths (empty when none).
 * The API key never appears in it.
 */
export class AlloyApiError extends Error {
  override readonly name = 'AlloyApiError';
  readonly status: number | undefined;
  readonly issues: readonly ValidationIssue[];
  /** Set on 500s: quote it when reporting the problem. */
  readonly requestId: string | undefined;
  /** The server's `Retry-After`, in ms, when it sent one. */
  readonly retryAfterMs: number | undefined;
  /** The request that failed, e.g. `GET` `/2024-03/users/gregg` (no query string, no key). */
  readonly method: string | undefined;
  readonly path: string | undefined;
  /** How many times the request was sent (retries included); 0 when refused before sending. */
  readonly attempts: number;

  constructor(
    readonly code: AlloyApiErrorCode,
    message: string,
    details: AlloyApiErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.issues = details.issues ?? [];
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
    this.method = details.method;
    this.path = details.path;
    this.attempts = details.attempts ?? 0;
  }
}

export const isAlloyApiError = (value: unknown): value is AlloyApiError => value instanceof AlloyApiError;
