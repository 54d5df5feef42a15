import {
  ApiErrorBody,
  InstallationResponse,
  IntegrationListResponse,
  WidgetIntegration,
  type CreateInstallationRequest,
  type WidgetApi,
} from '../contract/index.js';
import { AlloyError } from './errors.js';

/** The API version alloy-frontend pins; our server routes every dated prefix the same way. */
export const API_VERSION_PREFIX = '/2024-03';
export const DEFAULT_TIMEOUT_MS = 15_000;

interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

export interface ApiClientOptions {
  baseUrl: () => string;
  token: () => string | undefined;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * Calls the Embedded API with the user token in the `x-alloy-user-token` header (never in a URL)
 * and checks every response against the contract, so the UI never renders `undefined`.
 */
export class ApiClient implements WidgetApi {
  constructor(private readonly options: ApiClientOptions) {}

  getIntegration(integrationId: string, signal?: AbortSignal): Promise<WidgetIntegration> {
    return this.request('GET', `/widget/integrations/${encodeURIComponent(integrationId)}`, WidgetIntegration, {
      signal,
    });
  }

  createInstallation(request: CreateInstallationRequest, idempotencyKey: string): Promise<InstallationResponse> {
    return this.request('POST', '/widget/installations', InstallationResponse, { body: request, idempotencyKey });
  }

  getIntegrations(): Promise<IntegrationListResponse> {
    return this.request('GET', '/integrations', IntegrationListResponse, {});
  }

  async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    schema: Schema<T>,
    init: { body?: unknown; idempotencyKey?: string; signal?: AbortSignal | undefined },
  ): Promise<T> {
    const token = this.options.token();
    if (!token) {
      throw new AlloyError('TOKEN_MISSING', 'No user token is set. Call Alloy.setToken(token) before this call.');
    }
    const headers: Record<string, string> = { accept: 'application/json', 'x-alloy-user-token': token };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.idempotencyKey) headers['idempotency-key'] = init.idempotencyKey;

    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const doFetch = this.options.fetch ?? globalThis.fetch.bind(globalThis);
    const url = `${this.options.baseUrl()}${API_VERSION_PREFIX}${path}`;

    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        headers,
        body: init.body === undefined ? null : JSON.stringify(init.body),
        signal,
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch (error) {
      if (timeout.aborted) {
        throw new AlloyError('TIMEOUT', `The Alloy API did not answer within ${timeoutMs} ms.`, { cause: error });
      }
      if (init.signal?.aborted) throw error;
      throw new AlloyError('NETWORK_ERROR', 'Could not reach the Alloy API. Check the connection and try again.', {
        cause: error,
      });
    }

    const payload = await readJson(response);
    if (!response.ok) throw errorFromResponse(response, payload);
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      throw new AlloyError('BAD_RESPONSE', `The Alloy API sent an unexpected response to ${method} ${path}.`, {
        status: response.status,
      });
    }
    return parsed.data;
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function errorFromResponse(response: Response, payload: unknown): AlloyError {
  const parsed = ApiErrorBody.safeParse(payload);
  const body = parsed.success ? parsed.data.error : undefined;
  const details = {
    status: response.status,
    ...(body ? { serverCode: body.code, ...(body.issues ? { issues: body.issues } : {}) } : {}),
  };
  const message = body?.message ?? `The Alloy API answered ${response.status}.`;
  if (response.status === 401) {
    return new AlloyError(body?.code === 'token_expired' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID', message, details);
  }
  if (response.status === 429) return new AlloyError('RATE_LIMITED', message, details);
  if (response.status >= 500) return new AlloyError('SERVER_ERROR', message, details);
  if (!body) return new AlloyError('BAD_RESPONSE', message, details);
  return new AlloyError('VALIDATION_FAILED', message, details);
}
