import { OutboundError, type OutboundResponse } from '../../platform/outbound-http.js';
import { isRetryableStatus, parseRetryAfter } from '../../platform/retry.js';
import { ConnectorError, type ConnectorContext } from './types.js';

export interface AppRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  /**
   * For an app served by this server (the sandbox): the paths of this server the call may go to.
   * Other URLs get the server's private-target policy like any outside address.
   */
  ownPathPrefixes?: readonly string[];
}

/** App answers are JSON pages of at most a few hundred records. */
const MAX_APP_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface AppResponse {
  status: number;
  json: unknown;
}

/** The message of an `{error:{message}}` body, or a generic one. */
function messageOf(json: unknown, status: number): string {
  const error = (json as { error?: { message?: unknown } } | null)?.error;
  return typeof error?.message === 'string' ? error.message : `The app answered ${status}.`;
}

/**
 * Calls a connector's app (a URL the connector builds, not one a user typed) with a timeout, and
 * turns failures into ConnectorErrors: network trouble, timeouts, 429 and 5xx are retryable;
 * 401 means the credential is bad; other 4xx are the app refusing the request. Statuses listed in
 * `accept` come back as responses instead (e.g. 404 on a delete, 409 on a create).
 */
export async function callApp(ctx: ConnectorContext, request: AppRequest, accept: number[] = []): Promise<AppResponse> {
  let response: OutboundResponse;
  try {
    response = await ctx.http.send(
      {
        method: request.method,
        url: request.url,
        headers: {
          accept: 'application/json',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...request.headers,
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
        maxResponseBytes: MAX_APP_RESPONSE_BYTES,
      },
      request.ownPathPrefixes === undefined ? {} : { ownPathPrefixes: request.ownPathPrefixes },
    );
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    if (error.failure === 'aborted')
      throw new ConnectorError('aborted', 'The call was cancelled (the server is stopping).');
    if (error.failure === 'timeout') {
      throw new ConnectorError('unreachable', `The app did not answer within ${ctx.timeoutMs} ms.`);
    }
    // A refused or malformed address will not get better by retrying.
    if (error.failure === 'refused' || error.failure === 'invalid_url')
      throw new ConnectorError('rejected', error.message);
    throw new ConnectorError('unreachable', `Could not reach the app: ${error.message}`);
  }
  const text = response.body;
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  if ((response.status >= 200 && response.status < 300) || accept.includes(response.status)) {
    return { status: response.status, json };
  }
  const message = messageOf(json, response.status);
  if (isRetryableStatus(response.status)) {
    throw new ConnectorError(
      'unreachable',
      `${message} (HTTP ${response.status})`,
      response.status,
      parseRetryAfter(response.headers['retry-after']),
    );
  }
  if (response.status === 401) throw new ConnectorError('credential_invalid', message, 401);
  throw new ConnectorError('rejected', message, response.status);
}
