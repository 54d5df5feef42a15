import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { ApiErrorBody, ApiErrorCode, ValidationIssue } from '../../contract/index.js';
import { DomainError } from '../platform/errors.js';

/** The one place a domain error's code becomes an HTTP status. */
export const STATUS_OF_CODE: Record<ApiErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  credential_required: 400,
  credential_invalid: 400,
  oauth_not_supported: 400,
  wrong_trigger: 400,
  unauthorized: 401,
  token_expired: 401,
  token_invalid: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  reinstall_required: 409,
  workflow_inactive: 409,
  definitions_invalid: 409,
  not_rerunnable: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_conflict: 422,
  rate_limited: 429,
  internal: 500,
  app_error: 502,
  app_unreachable: 502,
};

export const statusOf = (error: DomainError): number => STATUS_OF_CODE[error.code];

/**
 * The one error body shape: `{ message, error: { code, message, issues?, requestId? } }`. Every error
 * answer goes through here (error handler, 404, router and parser failures, rate limits), so the
 * top-level `message` that alloy-node throws is never missing.
 */
export function errorBody(
  code: ApiErrorCode,
  message: string,
  extra: { issues?: ValidationIssue[]; requestId?: string } = {},
): ApiErrorBody {
  return { message, error: { code, message, ...extra } };
}

interface ZodIssueLike {
  code?: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

interface SafeParser<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: readonly ZodIssueLike[] } };
}

/** zod issues as API issues; an unknown-keys issue becomes one issue per key, at that key's path. */
export function toValidationIssues(
  issues: readonly ZodIssueLike[],
  prefix: (string | number)[] = [],
): ValidationIssue[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
    if (issue.code === 'unrecognized_keys' && issue.keys && issue.keys.length > 0) {
      return issue.keys.map((key) => ({ path: [...path, key], message: 'unknown field' }));
    }
    return [{ path, message: issue.message }];
  });
}

/** Parses input with a contract schema, or throws a 400 listing every problem with its field path. */
export function parseInput<T>(schema: SafeParser<T>, value: unknown, where: 'body' | 'query' | 'params'): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = toValidationIssues(result.error.issues);
  const first = issues[0];
  const summary = first ? `${[where, ...first.path].join('.')}: ${first.message}` : `invalid ${where}`;
  return throwError(new DomainError('validation_failed', `Invalid request ${where}. ${summary}`, issues));
}

function throwError(error: DomainError): never {
  throw error;
}

const UNVERSIONED_API_PATH =
  /^\/(users|user|integrations|installations|workflows|run|logs|events|metadata|credentials|headless|settings|admin|widget|webhook-deliveries)(\/|$)/;

/** Request bodies deeper than this are refused: no contract needs more, and echoing or serialising one recursively overflows the stack. */
export const MAX_JSON_DEPTH = 512;

/** True when the JSON text nests arrays/objects more than `max` levels (strings skipped); one pass, no recursion. */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Maps every failure to the JSON error shape; unexpected ones become a 500 with a request id, never a stack. */
export function installErrorHandling(
  app: FastifyInstance,
  options: { notFoundPreHandler?: preHandlerAsyncHookHandler } = {},
): void {
  app.setErrorHandler((error: FastifyError | DomainError, request, reply) => {
    if (error instanceof DomainError) {
      return reply
        .status(statusOf(error))
        .send(errorBody(error.code, error.message, error.issues ? { issues: error.issues } : {}));
    }
    const mapped = mapFrameworkError(error);
    if (mapped) {
      return reply.status(mapped.status).send(errorBody(mapped.code, mapped.message));
    }
    request.log.error({ err: error, requestId: request.id }, 'unhandled error');
    return reply
      .status(500)
      .send(errorBody('internal', 'Something went wrong on our side.', { requestId: String(request.id) }));
  });

  // Unknown paths count against the client's rate limit too (scanners mostly find 404s).
  app.setNotFoundHandler({ preHandler: options.notFoundPreHandler }, (request, reply) => {
    const path = request.originalUrl.split('?')[0] ?? '/';
    // An ISV who forgot the version gets told how to send it rather than a bare 404.
    const hint = UNVERSIONED_API_PATH.test(path)
      ? ` API paths start with a version (e.g. /2024-03${path}), or send an x-api-version: YYYY-MM header.`
      : '';
    reply.status(404).send(errorBody('not_found', `No route for ${request.method} ${path}.${hint}`));
  });
}

function mapFrameworkError(error: FastifyError): { status: number; code: ApiErrorCode; message: string } | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'payload_too_large', message: 'The request body is too large.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'unsupported_media_type', message: 'Send the body as application/json.' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'bad_request', message: 'The JSON body is empty.' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'bad_request', message: 'The body is not valid JSON.' };
  }
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
    return { status: 400, code: 'bad_request', message: 'The body is not valid JSON.' };
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, code: 'bad_request', message: error.message };
  }
  return undefined;
}

/**
 * Failures Node's HTTP parser reports before there is a request for Fastify (headers over the
 * limit, a malformed request line, a client too slow to send its request): the same JSON error
 * shape as every other answer, with `Connection: close`, because the socket is destroyed right
 * after and a keep-alive client must not send its next request on it.
 */
export function handleClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'The request did not arrive in time.']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'The request headers are too large.']
        : [400, 'Bad Request', 'The request is not valid HTTP.'];
  // A response already under way on this socket cannot be followed by another one.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const body = JSON.stringify(errorBody('bad_request', message));
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
