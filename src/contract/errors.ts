import * as z from 'zod/mini';

/**
 * Error codes the API puts in `{ error: { code } }`. Stable: clients branch on them.
 * `token_expired` is separate from `token_invalid` because the SDK refreshes on the first
 * and gives up on the second.
 */
export const API_ERROR_CODES = [
  'bad_request',
  'validation_failed',
  'unauthorized',
  'token_expired',
  'token_invalid',
  'forbidden',
  'not_found',
  'conflict',
  'idempotency_conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'internal',
  /** Upgrading would change the workflow's configurable fields or connections: reinstall instead. */
  'reinstall_required',
  /** The integration needs a connection (credential) the user does not have or did not choose. */
  'credential_required',
  /** `GET /headless/oauthUrl` for a connector that connects with an API key, not OAuth. */
  'oauth_not_supported',
  /** The user deactivated this workflow; activate it before running it. */
  'workflow_inactive',
  /** The workflow's trigger cannot be run this way (e.g. `/run/workflow` on a Custom Event workflow). */
  'wrong_trigger',
  /** The definition files on disk are invalid or change a released version; the old ones stay loaded. */
  'definitions_invalid',
  /** The third-party app refused the credential (wrong key, another store, revoked). */
  'credential_invalid',
  /** The third-party app could not be reached or answered with a server error; try again later. */
  'app_unreachable',
  /** The third-party app refused the request (e.g. an unknown order); the message says why. */
  'app_error',
  /** The execution cannot be rerun (it recorded no trigger data, or its workflow changed trigger). */
  'not_rerunnable',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export const ValidationIssue = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});
export type ValidationIssue = z.infer<typeof ValidationIssue>;

export const ApiErrorDetail = z.object({
  code: z.string(),
  message: z.string(),
  issues: z.optional(z.array(ValidationIssue)),
  requestId: z.optional(z.string()),
});

/**
 * Every non-2xx response body. `code` is a plain string so newer servers do not break older clients.
 * The top-level `message` repeats `error.message` because alloy-node 2.2.1 throws
 * `err.response.data.message`: without it every error reaches its callers as `undefined`.
 */
export const ApiErrorBody = z.object({
  message: z.string().check(z.describe('The same text as `error.message` (what alloy-node 2.2.1 throws).')),
  error: ApiErrorDetail,
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/**
 * What our clients read from an error answer: only `error`, so a body from an older server or a
 * proxy that copied our shape without the top-level `message` is still understood.
 */
export const ApiErrorReply = z.object({ error: ApiErrorDetail });
