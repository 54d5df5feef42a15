import type { FastifyServerOptions } from 'fastify';

/**
 * What the server's logs must never hold (OWASP Logging: no tokens, keys or passwords). Request
 * logs carry the URL, and some URLs are credentials: the Embedded Link's single-use token is a
 * path segment, OAuth callbacks carry `code` and `state`, and a client may put a token in a query
 * string by mistake. Error messages can quote a value too. So URLs are rewritten before they are
 * logged and every logged string is scrubbed of anything shaped like one of our credentials.
 */

export const REDACTED = '[redacted]';

/** Query parameters whose value is a credential or a one-time secret, whatever it looks like. */
const SENSITIVE_QUERY_PARAMS = new Set([
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'code_verifier',
  'state',
  'client_secret',
  'password',
  'secret',
  'api_key',
  'apikey',
  'key',
  'signature',
  'sig',
  'authorization',
  'x-alloy-user-token',
  'usertoken',
  'user_token',
]);

/**
 * Paths whose segment after the prefix is a capability: the Embedded Link token, an OAuth session's
 * start link. Not anchored at the end and tolerant of repeated slashes and case, because a client
 * may send `/link/<token>//` or `//LINK/<token>`; the router refuses those, the log still gets them.
 */
const CAPABILITY_PATHS = [
  /^(\/+link\/+)(?!link\.js(?:$|\/)|ended(?:$|\/))([^/?#]+)/i,
  /^(\/+oauth\/+start\/+)([^/?#]+)/i,
];

/**
 * Strings shaped like one of our credentials: a JWT, an Alloy API key, a Demo Store key, client
 * secret, OAuth code or token, a consent CSRF or browser secret, a webhook signing secret.
 */
const CREDENTIAL_PATTERN =
  /eyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*|\b(?:ak_(?:dev|prod)|dsk|dscs|dsat|dsrt|dsac|csrf|brw|whsec)_[\w-]{4,}/g;

/** Replaces anything shaped like a credential in free text. */
export function scrubSecrets(text: string): string {
  return text.replace(CREDENTIAL_PATTERN, REDACTED);
}

/** The URL as it may be logged: capability path segments and sensitive query values replaced. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
  const rawQuery = queryStart === -1 ? '' : url.slice(queryStart + 1);
  let pathname = rawPath;
  for (const pattern of CAPABILITY_PATHS) pathname = pathname.replace(pattern, `$1${REDACTED}`);
  const query = rawQuery
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // A malformed escape: judge the raw name.
      }
      return equals !== -1 && SENSITIVE_QUERY_PARAMS.has(decoded.toLowerCase()) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return scrubSecrets(query === '' ? pathname : `${pathname}?${query}`);
}

interface LoggedRequest {
  method: string;
  url: string;
  originalUrl?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

interface LoggedError {
  type?: string;
  message?: string;
  stack?: string;
  code?: unknown;
  statusCode?: unknown;
  cause?: unknown;
}

interface SerializedError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
}

function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { type: typeof error, message: scrubSecrets(String(error)), stack: '' };
  const e = error as Error & LoggedError;
  return {
    type: e.name,
    message: scrubSecrets(e.message),
    stack: scrubSecrets(e.stack ?? ''),
    ...(e.code !== undefined ? { code: e.code } : {}),
    ...(e.statusCode !== undefined ? { statusCode: e.statusCode } : {}),
    // Only the chain of causes: an error's other properties (a request's headers, a body) stay out.
    ...(e.cause !== undefined && depth < 3 ? { cause: serializeError(e.cause, depth + 1) } : {}),
  };
}

/**
 * Logger options for Fastify (pino): request lines carry a redacted URL and no headers, errors
 * only their type, scrubbed message, stack and causes, and any header or body a caller logs by
 * mistake is censored by path. `file` appends to that file instead of stdout.
 */
export function loggerOptions(level: string, file?: string): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    ...(file ? { file } : {}),
    serializers: {
      req: (request: LoggedRequest) => ({
        method: request.method,
        url: redactUrl(request.originalUrl ?? request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
      err: (error: unknown) => serializeError(error),
    },
    redact: {
      paths: [
        'headers.authorization',
        'headers.cookie',
        'headers["x-alloy-user-token"]',
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-alloy-user-token"]',
        'res.headers["set-cookie"]',
        'body',
        'payload',
        'token',
        'apiKey',
        'password',
        'clientSecret',
        'credential',
      ],
      censor: REDACTED,
    },
  };
}
