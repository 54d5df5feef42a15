import type { Environment } from '../users/index.js';
import { ENVIRONMENT_HEADER, signatureHeaders, type EnvironmentSigningKeys } from './webhook-signing.js';
import { OutboundError, type OutboundHttp } from '../platform/outbound-http.js';
import { isRetryableStatus, parseRetryAfter } from '../platform/retry.js';

export const USER_AGENT = 'Alloy-Embedded-Webhooks/1.0';

export interface SignedRequest {
  /** The `webhook-id`: the same on every attempt of one delivery, so receivers can deduplicate. */
  id: string;
  /** Whose request this is: picks the signing material and is sent as `x-alloy-environment`. */
  env: Environment;
  method: string;
  url: string;
  /** JSON text, signed as is; undefined for a bodyless request (signed as ""). */
  body: string | undefined;
  /** Extra headers (the error stream's X-Alloy-*, an HTTP block's own). */
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** Paths of this server the URL may be on (see OutboundHttp's SendOptions). */
  ownPathPrefixes?: readonly string[];
}

export type SendResult =
  | { ok: true; status: number; contentType: string | undefined; body: string }
  | {
      ok: false;
      /** Worth another attempt later (network, timeout, 408/425/429/5xx). */
      retryable: boolean;
      /** The server is stopping: not an attempt at all. */
      aborted: boolean;
      status: number | null;
      error: string;
      retryAfterMs?: number | undefined;
      body?: string | undefined;
    };

/**
 * Sends one attempt of an outgoing request, signed twice: `X-Alloy-Signature` (RSA over method +
 * URL + body, as Alloy documents) and Standard Webhooks (`webhook-id`, a fresh `webhook-timestamp`
 * and `webhook-signature` per attempt), each with the key of the request's environment, which
 * `x-alloy-environment` names. Only 2xx counts as delivered; a redirect is not followed.
 */
export class SignedSender {
  constructor(
    private readonly keys: EnvironmentSigningKeys,
    private readonly http: OutboundHttp,
    private readonly timeoutMs: number,
  ) {}

  async send(request: SignedRequest): Promise<SendResult> {
    const body = request.body ?? '';
    const signed = signatureHeaders(this.keys[request.env], {
      method: request.method,
      url: request.url,
      body,
      id: request.id,
      timestamp: Math.floor(Date.now() / 1000),
    });
    try {
      const response = await this.http.send(
        {
          method: request.method,
          url: request.url,
          headers: {
            'user-agent': USER_AGENT,
            ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...request.headers,
            [ENVIRONMENT_HEADER]: request.env,
            ...signed,
          },
          body: request.body,
          timeoutMs: this.timeoutMs,
          signal: request.signal,
        },
        request.ownPathPrefixes === undefined ? {} : { ownPathPrefixes: request.ownPathPrefixes },
      );
      const contentType = response.headers['content-type'];
      if (response.status >= 200 && response.status < 300) {
        return { ok: true, status: response.status, contentType, body: response.body };
      }
      const redirect = response.status >= 300 && response.status < 400;
      return {
        ok: false,
        retryable: isRetryableStatus(response.status),
        aborted: false,
        status: response.status,
        error: redirect
          ? `The receiver answered ${response.status} (a redirect, not followed); point the URL at the final address.`
          : response.status === 410
            ? 'The receiver answered 410 Gone: it no longer accepts these requests.'
            : `The receiver answered ${response.status}.`,
        retryAfterMs:
          response.status === 429 || response.status === 503
            ? parseRetryAfter(response.headers['retry-after'])
            : undefined,
        body: response.body,
      };
    } catch (error) {
      if (!(error instanceof OutboundError)) throw error;
      return {
        ok: false,
        retryable: error.failure === 'network' || error.failure === 'timeout',
        aborted: error.failure === 'aborted',
        status: null,
        error: error.message,
      };
    }
  }
}
