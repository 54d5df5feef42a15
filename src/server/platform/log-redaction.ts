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
 * Paths whose segment after the prefix is a capability: the Embedded Link token (`/link/:token`),
 * an OAuth session's start link (`/oauth/start/:sessionId`). Prefixes compare case-insensitively.
 */
const CAPABILITY_PREFIXES: readonly (readonly string[])[] = [['link'], ['oauth', 'start']];
/** The fixed routes beside `/link/:token` (`/link/link.js`, `/link/ended/:reason`): not tokens. */
const LINK_PAGE_NAMES = new Set(['link.js', 'ended']);

/** Credential prefixes (each followed by at least four `[\w-]`), found at a word boundary. */
const CREDENTIAL_PREFIXES = [
  'ak_dev_',
  'ak_prod_',
  'dsk_',
  'dscs_',
  'dsat_',
  'dsrt_',
  'dsac_',
  // The Demo Store's owner secrets and owner dashboard sessions, and its webhook signing secrets.
  'dsown_',
  'dsos_',
  'dswhsec_',
  'csrf_',
  'brw_',
  'whsec_',
];
/** The shortest credential body after a prefix, and the shortest JWT header and payload bodies. */
const MIN_PREFIXED_BODY = 4;
const MIN_JWT_PART = 2;

/**
 * Runs of the characters a credential is made of. Matching a whole run is linear (greedy, nothing
 * after it to backtrack for); each run is then searched by scrubRun in one pass.
 */
const CREDENTIAL_RUN = /[\w.-]+/g;

/**
 * Replaces anything shaped like a credential in free text: a JWT
 * (`eyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*`, anywhere), an Alloy API key, a Demo Store key, client
 * secret, OAuth code or token, owner secret or owner session, a consent CSRF or browser secret, a
 * webhook signing secret
 * (`\b(?:ak_dev|ak_prod|dsk|dscs|dsat|dsrt|dsac|dsown|dsos|dswhsec|csrf|brw|whsec)_[\w-]{4,}`).
 *
 * Not one regex: that one backtracked from every `eyJ` to the end of its run, so 16 KB of `eyJeyJ…`
 * cost ~130 ms of CPU per logged URL (security audit, issue 13 item 13). This scanner finds the same
 * matches (test/server/security-log-redaction.test.ts compares it with the regex on random input)
 * in time linear in the text.
 */
export function scrubSecrets(text: string): string {
  return text.replace(CREDENTIAL_RUN, scrubRun);
}

/**
 * One run of `[\w.-]`, split at its dots: a JWT starts in one segment and ends at the end of the
 * second after it; a prefixed credential starts at a word boundary and ends at its segment's end.
 * Within a segment only the first candidate can match (a later one has less room), so each segment
 * is looked at a bounded number of times.
 */
function scrubRun(run: string): string {
  const segments = run.split('.');
  const out: string[] = [];
  let i = 0;
  while (i < segments.length) {
    const segment = segments[i]!;
    const jwtStart = jwtStartIn(segment, segments[i + 1], i + 2 < segments.length);
    const prefixedStart = prefixedCredentialStartIn(segment);
    if (jwtStart !== -1 && (prefixedStart === -1 || jwtStart < prefixedStart)) {
      out.push(segment.slice(0, jwtStart) + REDACTED);
      i += 3;
    } else if (prefixedStart !== -1) {
      out.push(segment.slice(0, prefixedStart) + REDACTED);
      i += 1;
    } else {
      out.push(segment);
      i += 1;
    }
  }
  return out.join('.');
}

function jwtStartIn(segment: string, next: string | undefined, dotAfterNext: boolean): number {
  const start = segment.indexOf('eyJ');
  if (start === -1 || segment.length - start - 3 < MIN_JWT_PART) return -1;
  return next !== undefined && next.length >= MIN_JWT_PART && dotAfterNext ? start : -1;
}

function prefixedCredentialStartIn(segment: string): number {
  // A segment holds only `[\w-]` and follows a non-word character, so the word boundaries before a
  // word character are at its start and after each hyphen.
  let at = 0;
  while (at < segment.length) {
    for (const prefix of CREDENTIAL_PREFIXES) {
      if (segment.startsWith(prefix, at) && segment.length - at - prefix.length >= MIN_PREFIXED_BODY) return at;
    }
    const hyphen = segment.indexOf('-', at);
    if (hyphen === -1) return -1;
    at = hyphen + 1;
  }
  return -1;
}

/** `%XX` escapes, for decoding what decodeURIComponent refuses. */
const PERCENT_ESCAPE = /%[0-9a-f]{2}/gi;

/**
 * Percent-decodes as far as possible: `clean` is false when some `%` is not a valid escape or the
 * bytes are not UTF-8 (such malformed escapes are kept literally, bad bytes become U+FFFD).
 */
function decodeLeniently(text: string): { text: string; clean: boolean } {
  if (!text.includes('%')) return { text, clean: true };
  try {
    return { text: decodeURIComponent(text), clean: true };
  } catch {
    const parts: Buffer[] = [];
    let last = 0;
    for (const match of text.matchAll(PERCENT_ESCAPE)) {
      parts.push(Buffer.from(text.slice(last, match.index), 'utf8'), Buffer.from([parseInt(match[0].slice(1), 16)]));
      last = match.index + 3;
    }
    parts.push(Buffer.from(text.slice(last), 'utf8'));
    return { text: Buffer.concat(parts).toString('utf8'), clean: false };
  }
}

/** `http://host` of an absolute-form request target (`GET http://host/link/x HTTP/1.1`). */
const ABSOLUTE_FORM = /^[a-z][a-z\d+.-]*:\/\//i;

/**
 * The URL as it may be logged: capability path segments, sensitive query values, userinfo and any
 * fragment replaced, then anything credential-shaped scrubbed.
 *
 * Found by the security audit (issue 13 item 12): matching the raw path let `/%6cink/<token>`,
 * `/oauth/%73tart/<id>`, `http://host/link/<token>` and `*link/<token>` through, and the router
 * serves all of them (find-my-way decodes escapes, routes absolute-form targets by their path and
 * skips a target's first character whatever it is). So the path is judged the way the router reads
 * it and more: decoded (`%2F` and `\` count as slashes), repeated slashes and dot segments
 * collapsed, `;` parameters dropped from prefix segments, prefixes in any case. A segment that
 * does not decode is not logged, nor is anything after it.
 */
export function redactUrl(url: string): string {
  let origin = '';
  let target = url;
  const scheme = ABSOLUTE_FORM.exec(url);
  if (scheme) {
    const authorityStart = scheme[0].length;
    const authorityEnd = firstIndexOf(url, ['/', '\\', '?', '#'], authorityStart);
    const authority = url.slice(authorityStart, authorityEnd);
    const at = authority.lastIndexOf('@');
    origin = scheme[0] + (at === -1 ? authority : `${REDACTED}@${authority.slice(at + 1)}`);
    target = url.slice(authorityEnd);
  }
  // The router ends the path at `?` or `#`; a fragment has no business in a request target.
  const pathEnd = firstIndexOf(target, ['?', '#'], 0);
  const fragmentStart = target.indexOf('#', pathEnd);
  const queryEnd = fragmentStart === -1 ? target.length : fragmentStart;
  const query = target[pathEnd] === '?' ? `?${redactQuery(target.slice(pathEnd + 1, queryEnd))}` : '';
  const fragment = fragmentStart === -1 ? '' : fragmentStart === target.length - 1 ? '#' : `#${REDACTED}`;
  return scrubSecrets(origin + redactPath(target.slice(0, pathEnd)) + query + fragment);
}

function firstIndexOf(text: string, needles: readonly string[], from: number): number {
  let first = text.length;
  for (const needle of needles) {
    const at = text.indexOf(needle, from);
    if (at !== -1 && at < first) first = at;
  }
  return first;
}

function redactPath(rawPath: string): string {
  if (rawPath === '') return '';
  // The router skips the first character without looking at it, so it counts as a slash.
  const pieces = rawPath.slice(1).split(/([/\\])/);
  const segments: string[] = [];
  for (let p = 0; p < pieces.length; p += 2) {
    const decoded = decodeLeniently(pieces[p]!);
    if (!decoded.clean) {
      pieces.length = p;
      pieces.push(REDACTED);
      break;
    }
    segments.push(decoded.text);
  }
  for (const s of capabilitySegments(segments)) pieces[2 * s] = REDACTED;
  segments.forEach((decoded, s) => {
    if (hidesSecret(pieces[2 * s]!, decoded)) pieces[2 * s] = REDACTED;
  });
  return rawPath[0]! + pieces.join('');
}

/** Indexes of the (decoded) segments that hold a capability once the path is normalised. */
function capabilitySegments(segments: readonly string[]): Set<number> {
  const redacted = new Set<number>();
  const stack: { name: string; exact: string; segment: number }[] = [];
  segments.forEach((decoded, segment) => {
    if (decoded === '') return;
    for (const piece of decoded.includes('/') || decoded.includes('\\') ? decoded.split(/[/\\]/) : [decoded]) {
      if (piece === '') continue;
      const name = (piece.includes(';') ? piece.slice(0, piece.indexOf(';')) : piece).toLowerCase();
      if (name === '.') continue;
      if (name === '..') {
        stack.pop();
        continue;
      }
      stack.push({ name, exact: piece, segment });
      // Checked at every step, so a token later popped by `..` is still caught.
      for (const prefix of CAPABILITY_PREFIXES) {
        if (stack.length !== prefix.length + 1 || !prefix.every((p, k) => stack[k]!.name === p)) continue;
        const capability = stack[prefix.length]!;
        if (prefix[0] === 'link' && LINK_PAGE_NAMES.has(capability.exact)) continue;
        redacted.add(capability.segment);
      }
    }
  });
  return redacted;
}

/**
 * Whether decoding revealed something credential-shaped: the final scrub sees only the raw text, and
 * `%65yJ…` is a JWT the moment a client decodes it.
 */
function hidesSecret(raw: string, decoded: string): boolean {
  return decoded !== raw && scrubSecrets(decoded) !== decoded;
}

/** Query pairs with a sensitive name get their value replaced; an undecodable pair goes whole. */
function redactQuery(query: string): string {
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const rawName = equals === -1 ? pair : pair.slice(0, equals);
      const rawValue = equals === -1 ? '' : pair.slice(equals + 1);
      const name = decodeLeniently(rawName.replaceAll('+', ' '));
      if (!name.clean || hidesSecret(rawName, name.text)) return REDACTED;
      if (equals === -1) return pair;
      const value = decodeLeniently(rawValue.replaceAll('+', ' '));
      const sensitive = SENSITIVE_QUERY_PARAMS.has(name.text.toLowerCase());
      return sensitive || !value.clean || hidesSecret(rawValue, value.text) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
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
