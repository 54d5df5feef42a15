import type * as z from 'zod/mini';
import { ApiErrorReply } from '../contract/index.js';
import { backoffDelay, parseRetryAfter, type BackoffPolicy } from '../contract/retry.js';
import { AlloyApiError } from './errors.js';

export const NODE_CLIENT_VERSION = '0.1.0';

/** Statuses worth another try: the request was not handled, or the failure is transient. */
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
export const RETRY_BASE_DELAY_MS = 250;
export const RETRY_MAX_DELAY_MS = 8_000;
/** A longer `Retry-After` is not waited out: the error (with `retryAfterMs`) goes to the caller. */
export const MAX_RETRY_AFTER_MS = 60_000;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface TransportConfig {
  baseUrl: string;
  apiVersion: string;
  apiKey: string;
  timeoutMs: number;
  retries: number;
  fetch: typeof fetch;
}

export interface CallSpec<S extends z.ZodMiniType> {
  method: HttpMethod;
  /** Relative to the version prefix, with every dynamic segment already encoded. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  response: S;
  /** Sent as `Idempotency-Key`, the same on every attempt; makes a POST safe to retry. */
  idempotencyKey?: string;
  signal?: AbortSignal | undefined;
}

const NODE_BACKOFF: BackoffPolicy = {
  baseDelayMs: RETRY_BASE_DELAY_MS,
  maxDelayMs: RETRY_MAX_DELAY_MS,
  retryAfter: 'exact',
  maxRetryAfterMs: MAX_RETRY_AFTER_MS,
};

/**
 * Full jitter (a random delay up to the capped exponential), or exactly what `Retry-After` asks;
 * undefined when that is longer than MAX_RETRY_AFTER_MS (the error goes to the caller).
 */
export function retryDelayMs(
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  return backoffDelay(NODE_BACKOFF, retry, retryAfterMs, random);
}

export { parseRetryAfter };

/** True when the error chain says the connection was refused: nothing reached the server. */
function connectionRefused(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { code, errors } = current as { code?: unknown; errors?: unknown };
    if (code === 'ECONNREFUSED') return true;
    if (Array.isArray(errors) && errors.length > 0 && errors.every((e) => connectionRefused(e))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface Outcome {
  error: AlloyApiError;
  /** Whether another attempt may help; the caller still decides whether the method allows it. */
  transient: boolean;
  /** Nothing reached the server, so even a non-idempotent request can be sent again. */
  notSent: boolean;
}

/**
 * One request with the API key, a per-attempt timeout, retries and a response checked against its
 * contract schema. GET, PUT and DELETE are idempotent and retried on network errors, timeouts,
 * 408/429/5xx; a POST is retried only with an `Idempotency-Key` (the server then answers a repeat
 * from its record), or when the connection was refused or answered 429 (nothing was done).
 */
export class Transport {
  constructor(private readonly config: TransportConfig) {}

  async call<S extends z.ZodMiniType>(spec: CallSpec<S>): Promise<z.output<S>> {
    const path = `/${this.config.apiVersion}${spec.path}`;
    const idempotent = spec.method !== 'POST' || spec.idempotencyKey !== undefined;
    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt(spec, path, attempt);
      if (!('error' in result)) return result.data;
      const { error, transient, notSent } = result;
      const allowed = idempotent || notSent || error.status === 429;
      const delay = retryDelayMs(attempt - 1, error.retryAfterMs);
      if (!transient || !allowed || attempt > this.config.retries || delay === undefined) throw error;
      await sleep(delay, spec.signal);
    }
  }

  private async attempt<S extends z.ZodMiniType>(
    spec: CallSpec<S>,
    path: string,
    attempt: number,
  ): Promise<{ data: z.output<S> } | Outcome> {
    const url = new URL(`${this.config.baseUrl}${path}`);
    for (const [name, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.config.apiKey}`,
      'user-agent': `alloy-embedded-kit-node/${NODE_CLIENT_VERSION}`,
    };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    if (spec.idempotencyKey !== undefined) headers['idempotency-key'] = spec.idempotencyKey;

    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    const where = { method: spec.method, path, attempts: attempt };

    let response: Response;
    let text: string;
    try {
      response = await this.config.fetch(url, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? null : JSON.stringify(spec.body),
        signal,
        // Followed redirects would resend the API key elsewhere; a 3xx becomes an error below.
        redirect: 'manual',
      });
      text = await response.text();
    } catch (cause) {
      if (spec.signal?.aborted) throw spec.signal.reason;
      if (timeout.aborted) {
        const message = `${spec.method} ${path}: no answer within ${this.config.timeoutMs} ms.`;
        return { error: new AlloyApiError('timeout', message, { ...where, cause }), transient: true, notSent: false };
      }
      const refused = connectionRefused(cause);
      const message = `${spec.method} ${path}: could not reach the Alloy API at ${this.config.baseUrl}${refused ? ' (connection refused)' : ''}.`;
      return {
        error: new AlloyApiError('network_error', message, { ...where, cause }),
        transient: true,
        notSent: refused,
      };
    }

    let payload: unknown;
    let isJson = true;
    try {
      payload = text === '' ? undefined : JSON.parse(text);
    } catch {
      isJson = false;
    }

    if (response.ok) {
      const parsed = isJson ? spec.response.safeParse(payload) : undefined;
      if (parsed?.success) return { data: parsed.data as z.output<S> };
      const issues = parsed
        ? parsed.error.issues.map((issue) => ({
            path: issue.path.map((p) => (typeof p === 'number' ? p : String(p))),
            message: describeIssue(issue),
          }))
        : [];
      const detail = issues[0] ? ` (${issues[0].path.join('.') || 'body'}: ${issues[0].message})` : ' (not JSON)';
      return {
        error: new AlloyApiError(
          'invalid_response',
          `${spec.method} ${path}: the Alloy API answered ${response.status} with a body this client does not understand${detail}.`,
          { ...where, status: response.status, issues },
        ),
        transient: false,
        notSent: false,
      };
    }

    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location') ?? 'elsewhere';
      const message = `${spec.method} ${path}: the Alloy API redirected to ${location}; set baseUrl to the final URL (redirects are not followed, so the API key stays where you sent it).`;
      return {
        error: new AlloyApiError('http_error', message, { ...where, status: response.status }),
        transient: false,
        notSent: false,
      };
    }

    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    const transient = RETRYABLE_STATUSES.has(response.status);
    const body = ApiErrorReply.safeParse(payload);
    if (body.success) {
      const { code, message, issues, requestId } = body.data.error;
      return {
        error: new AlloyApiError(code, message, {
          ...where,
          status: response.status,
          ...(issues ? { issues } : {}),
          ...(requestId ? { requestId } : {}),
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        }),
        transient,
        notSent: false,
      };
    }
    const message = `${spec.method} ${path}: the Alloy API answered ${response.status} ${response.statusText}`.trim();
    return {
      error: new AlloyApiError('http_error', `${message}.`, {
        ...where,
        status: response.status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      }),
      transient,
      notSent: false,
    };
  }
}

/** zod/mini carries no messages (no locale is loaded: that would be a global side effect), so say it here. */
function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return `expected the ${issue.format} format`;
    default:
      return issue.code;
  }
}
