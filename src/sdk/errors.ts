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
  'POPUP_BLOCKED',
  'OAUTH_CANCELLED',
  'ALREADY_OPEN',
  'USER_CANCELLED',
  'LOAD_FAILED',
] as const;

export type AlloyErrorCode = (typeof ALLOY_ERROR_CODES)[number];

export interface AlloyErrorDetails {
  /** HTTP status, when the error came from a response. */
  status?: number;
  /** The server's own error code, e.g. `validation_failed`. */
  serverCode?: string;
  /** Field-level problems, with paths into the request. */
  issues?: { path: (string | number)[]; message: string }[];
  cause?: unknown;
}

export class AlloyError extends Error {
  override readonly name = 'AlloyError';
  readonly status: number | undefined;
  readonly serverCode: string | undefined;
  readonly issues: { path: (string | number)[]; message: string }[] | undefined;

  constructor(
    readonly code: AlloyErrorCode,
    message: string,
    details: AlloyErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.serverCode = details.serverCode;
    this.issues = details.issues;
  }
}

export const isAlloyError = (value: unknown): value is AlloyError => value instanceof AlloyError;
