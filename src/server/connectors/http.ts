import { isRetryableStatus, parseRetryAfter } from '../runtime/retry.js';
import { ConnectorError, type ConnectorContext } from './types.js';

export interface AppRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

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
  const signals = [AbortSignal.timeout(ctx.timeoutMs), ...(ctx.signal ? [ctx.signal] : [])];
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: {
        accept: 'application/json',
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...request.headers,
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      redirect: 'manual',
      signal: AbortSignal.any(signals),
    });
  } catch (error) {
    if (ctx.signal?.aborted) throw new ConnectorError('aborted', 'The call was cancelled (the server is stopping).');
    const timedOut = (error as Error).name === 'TimeoutError';
    throw new ConnectorError(
      'unreachable',
      timedOut
        ? `The app did not answer within ${ctx.timeoutMs} ms.`
        : `Could not reach the app: ${(error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message}.`,
    );
  }
  const text = await response.text().catch(() => '');
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
      parseRetryAfter(response.headers.get('retry-after') ?? undefined),
    );
  }
  if (response.status === 401) throw new ConnectorError('credential_invalid', message, 401);
  throw new ConnectorError('rejected', message, response.status);
}
