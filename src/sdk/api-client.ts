import {
  ApiErrorReply,
  type ActivateWorkflowResponse,
  type DeactivateWorkflowResponse,
  type FieldOptionsResponse,
  type InstallationResponse,
  type IntegrationListResponse,
  type OAuthSession,
  type OAuthSessionView,
  type RegionsResponse,
  type UserWorkflowListResponse,
  type WidgetAppsResponse,
  type WidgetCredentialResponse,
  type WidgetIntegration,
  type CreateInstallationRequest,
  type CreateWidgetCredentialRequest,
  type FieldOptionsParams,
  type StartOAuthRequest,
  type UninstallResponse,
  type WidgetApi,
} from '../contract/index.js';
import type * as z from 'zod/mini';
import * as endpoints from '../contract/endpoints.js';
import { backoffDelay, parseRetryAfter, type BackoffPolicy } from '../contract/retry.js';
import { AlloyError } from './errors.js';
import type { TokenStore } from './token.js';

/** The API version alloy-frontend pins; our server routes every dated prefix the same way. */
export const API_VERSION_PREFIX = '/2024-03';
export const DEFAULT_TIMEOUT_MS = 15_000;

/** Capped full jitter (AWS "Exponential Backoff and Jitter"): sleep = random(0, min(cap, base·2^n)). */
export const RETRY_POLICY = {
  maxRetries: 3,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
  /** A `Retry-After` longer than this is not waited for: the caller gets RATE_LIMITED/SERVER_ERROR. */
  maxRetryAfterMs: 10_000,
  /** No retry starts after this much time since the first attempt. */
  totalBudgetMs: 30_000,
} as const;

const SDK_BACKOFF: BackoffPolicy = {
  baseDelayMs: RETRY_POLICY.baseDelayMs,
  maxDelayMs: RETRY_POLICY.maxDelayMs,
  retryAfter: 'plusJitter',
  maxRetryAfterMs: RETRY_POLICY.maxRetryAfterMs,
};

export type UserWorkflowList = z.infer<typeof UserWorkflowListResponse>;
export type WorkflowActivated = z.infer<typeof ActivateWorkflowResponse>;
export type WorkflowDeactivated = z.infer<typeof DeactivateWorkflowResponse>;

/** Which workflow to (de)activate: its id (as `GET /integrations` shows it) or its name. */
export type WorkflowSelector = { workflowId: string } | { workflowName: string };

const RETRYABLE_STATUSES = new Set([500, 502, 503, 504]);

interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestInitOptions {
  body?: unknown;
  idempotencyKey?: string;
  signal?: AbortSignal | undefined;
  /** Another server than the current one (the region lookup asks the server the SDK talks to now). */
  baseUrl?: string;
}

export interface ApiClientOptions {
  /** Read before each request; a Promise while `setRegion` asks the server where its region is. */
  baseUrl: () => string | Promise<string>;
  tokens: TokenStore;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Injected in tests; `Math.random` otherwise. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Calls the Embedded API with the user token in the `x-alloy-user-token` header (never in a URL),
 * times every request out, retries what is safe to retry, refreshes an expired token once through
 * the host's provider (so the modal never notices), and checks every response against the contract.
 */
export class ApiClient implements WidgetApi {
  constructor(private readonly options: ApiClientOptions) {}

  getIntegration(integrationId: string, signal?: AbortSignal): Promise<WidgetIntegration> {
    return this.call(endpoints.widgetGetIntegration, { integrationId }, { signal });
  }

  createInstallation(request: CreateInstallationRequest, idempotencyKey: string): Promise<InstallationResponse> {
    return this.call(endpoints.widgetCreateInstallation, {}, { body: request, idempotencyKey });
  }

  /** Not retried on its own: a DELETE whose answer was lost may have removed the installation (a repeat is a 404). */
  deleteInstallation(integrationId: string): Promise<UninstallResponse> {
    return this.call(endpoints.widgetDeleteInstallation, { integrationId }, {});
  }

  getApps(integrationId: string, signal?: AbortSignal): Promise<WidgetAppsResponse> {
    return this.call(endpoints.widgetListApps, { integrationId }, { signal });
  }

  createCredential(request: CreateWidgetCredentialRequest): Promise<WidgetCredentialResponse> {
    return this.call(endpoints.widgetCreateCredential, {}, { body: request });
  }

  startOAuth(request: StartOAuthRequest): Promise<OAuthSession> {
    return this.call(endpoints.widgetStartOAuth, {}, { body: request });
  }

  getOAuthSession(sessionId: string, signal?: AbortSignal): Promise<OAuthSessionView> {
    return this.call(endpoints.widgetGetOAuthSession, { sessionId }, { signal });
  }

  getFieldOptions(
    field: FieldOptionsParams,
    credentialId: string | undefined,
    signal?: AbortSignal,
  ): Promise<FieldOptionsResponse> {
    const { integrationId, workflowId, blockId, fieldName } = field;
    return this.call(
      endpoints.widgetFieldOptions,
      { integrationId, workflowId, blockId, fieldName },
      { signal, query: credentialId === undefined ? undefined : { credentialId } },
    );
  }

  getIntegrations(signal?: AbortSignal): Promise<IntegrationListResponse> {
    return this.call(endpoints.listIntegrations, {}, { signal });
  }

  getWorkflows(signal?: AbortSignal): Promise<UserWorkflowList> {
    return this.call(endpoints.listUserWorkflows, {}, { signal });
  }

  activateWorkflow(selector: WorkflowSelector): Promise<WorkflowActivated> {
    return this.call(endpoints.activateWorkflow, {}, { body: selector });
  }

  deactivateWorkflow(selector: WorkflowSelector): Promise<WorkflowDeactivated> {
    return this.call(endpoints.deactivateWorkflow, {}, { body: selector });
  }

  /** The region base URLs the server at `baseUrl` declares (`GET /widget/regions`). */
  getRegions(baseUrl: string): Promise<RegionsResponse> {
    return this.call(endpoints.widgetGetRegions, {}, { baseUrl });
  }

  /**
   * One operation of the endpoint table (src/contract/endpoints.ts). Each caller reads the entry's
   * method, path and response schema itself, so the bundle keeps no more of the entry (its input
   * schemas are the server's).
   */
  private call<P extends string, T>(
    endpoint: { method: endpoints.HttpMethod; path: P; response: Schema<T> },
    params: endpoints.PathParams<{ path: P }>,
    init: RequestInitOptions & { query?: Record<string, string> | undefined },
  ): Promise<T> {
    const { query, ...rest } = init;
    const search = query ? `?${new URLSearchParams(query).toString()}` : '';
    return this.request(
      endpoint.method,
      `${endpoints.endpointPath(endpoint, params)}${search}`,
      endpoint.response,
      rest,
    );
  }

  async request<T>(method: Method, path: string, schema: Schema<T>, init: RequestInitOptions): Promise<T> {
    // GET and PUT are idempotent by HTTP; a POST only when it carries an Idempotency-Key.
    const retryable = method === 'GET' || method === 'PUT' || init.idempotencyKey !== undefined;
    const started = Date.now();
    const random = this.options.random ?? Math.random;
    const sleep = this.options.sleep ?? abortableSleep;
    const tokens = this.options.tokens;
    let token = await tokens.current();
    let refreshed = false;
    for (let attempt = 0; ; attempt += 1) {
      init.signal?.throwIfAborted();
      try {
        return await this.send(method, path, schema, init, token);
      } catch (error) {
        if (!(error instanceof AlloyError)) throw error;
        if (error.code === 'TOKEN_EXPIRED' && tokens.canRefresh && !refreshed) {
          // One refresh, one replay; a second token_expired goes to the caller (no loop).
          refreshed = true;
          token = await tokens.refreshAfterRejection(token);
          attempt -= 1;
          continue;
        }
        if (!retryable || attempt >= RETRY_POLICY.maxRetries || !isRetryable(error)) throw error;
        const delay = retryDelay(attempt, error.retryAfterMs, random);
        if (delay === undefined || Date.now() - started + delay > RETRY_POLICY.totalBudgetMs) throw error;
        await sleep(delay, init.signal);
        // A long wait may have outlived the token; current() refreshes it if a provider is set.
        token = await tokens.current();
      }
    }
  }

  private async send<T>(method: Method, path: string, schema: Schema<T>, init: RequestInitOptions, token: string) {
    const headers: Record<string, string> = { accept: 'application/json', 'x-alloy-user-token': token };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.idempotencyKey !== undefined) headers['idempotency-key'] = init.idempotencyKey;

    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? anySignal([init.signal, timeout]) : timeout;
    const doFetch = this.options.fetch ?? globalThis.fetch.bind(globalThis);
    const baseUrl = init.baseUrl ?? (await this.options.baseUrl());
    const url = `${baseUrl}${API_VERSION_PREFIX}${path}`;
    const where = `${method} ${API_VERSION_PREFIX}${path}`;

    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, {
        method,
        headers,
        body: init.body === undefined ? null : JSON.stringify(init.body),
        signal,
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        cache: 'no-store',
      });
      // The body can hang too; it is read under the same signal.
      text = await response.text();
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason ?? error;
      if (timeout.aborted) {
        throw new AlloyError('TIMEOUT', `The Alloy API did not answer ${where} within ${timeoutMs / 1000} s.`, {
          cause: error,
          request: where,
        });
      }
      throw new AlloyError(
        'NETWORK_ERROR',
        `Could not reach the Alloy API at ${baseUrl} (${where}). Check the connection, the base URL and that the server allows this origin (CORS).`,
        { cause: error, request: where },
      );
    }

    const payload = parseJson(text);
    if (!response.ok) throw errorFromResponse(response, payload, where);
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      throw new AlloyError(
        'BAD_RESPONSE',
        `The Alloy API sent an unexpected response to ${where}${payload === undefined ? ' (not JSON)' : ''}. Check that the base URL points at an Alloy Embedded API.`,
        { status: response.status, request: where, ...requestIdOf(response) },
      );
    }
    return parsed.data;
  }
}

const isRetryable = (error: AlloyError): boolean =>
  error.code === 'NETWORK_ERROR' ||
  error.code === 'RATE_LIMITED' ||
  (error.code === 'SERVER_ERROR' && error.status !== undefined && RETRYABLE_STATUSES.has(error.status));

/** Full jitter, but never sooner than the server's Retry-After; undefined when that is too long to wait. */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number | undefined {
  return backoffDelay(SDK_BACKOFF, attempt, retryAfterMs, random);
}

export { parseRetryAfter };

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The server's `X-Request-Id` answer header (exposed through CORS), when it sent one. */
function requestIdOf(response: Response): { requestId?: string } {
  const id = response.headers.get('x-request-id');
  return id ? { requestId: id } : {};
}

function errorFromResponse(response: Response, payload: unknown, where: string): AlloyError {
  const parsed = ApiErrorReply.safeParse(payload);
  const body = parsed.success ? parsed.data.error : undefined;
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  const details = {
    status: response.status,
    request: where,
    ...requestIdOf(response),
    ...(body
      ? {
          serverCode: body.code,
          ...(body.issues ? { issues: body.issues } : {}),
          // The server's body as sent (what alloy-frontend resolved with), `message` always on top.
          body: { message: body.message, ...(payload as object), error: body },
        }
      : {}),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
  const message = body?.message ?? `The Alloy API answered ${response.status} to ${where}.`;
  if (response.status === 401) {
    return new AlloyError(body?.code === 'token_expired' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID', message, details);
  }
  if (response.status === 429) return new AlloyError('RATE_LIMITED', message, details);
  if (response.status >= 500) return new AlloyError('SERVER_ERROR', message, details);
  if (response.status === 404) return new AlloyError('NOT_FOUND', message, details);
  if (!body) return new AlloyError('BAD_RESPONSE', message, details);
  return new AlloyError('VALIDATION_FAILED', message, details);
}

/** `AbortSignal.any` where the browser has it (Chrome 116, Safari 17.4, Firefox 124), a listener pair otherwise. */
function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true, signal: controller.signal });
  }
  return controller.signal;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
