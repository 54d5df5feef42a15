/** Stable codes an integrator can branch on; the message says what to do about it. */
export const ALLOY_ERROR_CODES = [
  'TOKEN_MISSING',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'TOKEN_REFRESH_FAILED',
  'NETWORK_ERROR',
  'TIMEOUT',
  'RATE_LIMITED',
  'SERVER_ERROR',
  'BAD_RESPONSE',
  'VALIDATION_FAILED',
  /** The server answered 404: an unknown integration, workflow or user (or a wrong base URL). */
  'NOT_FOUND',
  'POPUP_BLOCKED',
  'OAUTH_CANCELLED',
  'ALREADY_OPEN',
  'USER_CANCELLED',
  'LOAD_FAILED',
] as const;

export type AlloyErrorCode = (typeof ALLOY_ERROR_CODES)[number];

export interface AlloyErrorIssue {
  path: (string | number)[];
  message: string;
}

export interface AlloyErrorDetails {
  /** HTTP status, when the error came from a response. */
  status?: number;
  /** The server's own error code, e.g. `validation_failed`. */
  serverCode?: string;
  /** Field-level problems, with paths into the request or the options. */
  issues?: AlloyErrorIssue[];
  /** How long the server asked us to wait (`Retry-After`), when it did. */
  retryAfterMs?: number;
  /** The server's error body, when it answered with one. */
  body?: AlloyErrorBody;
  /** The server's id for the request (`X-Request-Id`), when it answered. */
  requestId?: string;
  /** Which call failed: method and path, e.g. `GET /2024-03/widget/integrations/…`. */
  request?: string;
  cause?: unknown;
}

/**
 * The server's error body: `{ message, error: { code, message, issues?, requestId? } }`. alloy-frontend
 * resolved data calls with it; `.catch((e) => e.body)` gives code written for that the same value.
 */
export interface AlloyErrorBody {
  message: string;
  error: { code: string; message: string; issues?: AlloyErrorIssue[]; requestId?: string };
}

/**
 * Shared by every copy of the SDK on a page (CDN loader, CDN runtime, an npm copy): `instanceof`
 * checks the brand rather than the class, so an error from one copy is an `AlloyError` to all.
 */
const BRAND = Symbol.for('alloy-embedded.AlloyError');

export class AlloyError extends Error {
  override readonly name = 'AlloyError';
  readonly status: number | undefined;
  readonly serverCode: string | undefined;
  readonly issues: AlloyErrorIssue[] | undefined;
  readonly retryAfterMs: number | undefined;
  /**
   * The server's id for the failed request (its `X-Request-Id` answer header, else the body's
   * `error.requestId`): what a user quotes to support and what the server's log is searched by.
   */
  readonly requestId: string | undefined;
  /** The call that failed, as method and path (`GET /2024-03/widget/integrations/…`). */
  readonly request: string | undefined;
  /**
   * The server's error body as it sent it; for a failure with no server answer (network, timeout,
   * a missing token) the same shape, built from this error's `code` and `message`.
   */
  readonly body: AlloyErrorBody;

  constructor(
    readonly code: AlloyErrorCode,
    message: string,
    details: AlloyErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.serverCode = details.serverCode;
    this.issues = details.issues;
    this.retryAfterMs = details.retryAfterMs;
    this.requestId = details.requestId ?? details.body?.error.requestId;
    this.request = details.request;
    this.body = details.body ?? { message, error: { code, message } };
    Object.defineProperty(this, BRAND, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

export const isAlloyError = (value: unknown): value is AlloyError => value instanceof AlloyError;
