/**
 * The console's one door to the server: the session calls (`/console/api/session`, `/setup`,
 * `/keys`) and, per environment, a `ConsoleApi` for the ISV REST API under `/console/api/isv` and
 * the console's own per-environment calls (`/console/api/integrations`).
 * The session cookie travels by itself (same origin); this object adds the CSRF header to every
 * write, parses every answer with a schema and turns every failure into a `ConsoleApiError`.
 */
import * as z from 'zod/mini';
import {
  ConsoleIntegrationListResponse,
  ConsoleLinkListResponse,
  ConsoleUserListResponse,
} from '../contract/console.js';
import {
  ConsoleConnectorListResponse,
  ConsoleIntegrationDetail,
  ConsoleWorkflowDetail,
  ReleaseResponse,
  SaveDraftResponse,
  SetActiveResponse,
  TestRunResponse,
  type ConsoleWorkflowDetail as WorkflowDetail,
} from '../contract/console-builder.js';
import { ApiErrorReply } from '../contract/errors.js';
import {
  ConsoleApiError,
  type ConsoleApi,
  type ConsoleEnvironment,
  type ConsoleQuery,
  type ConsoleRequest,
} from './api-types.js';
import {
  ConsoleKeyList,
  ConsoleSession,
  CreatedConsoleKey,
  SignedInSession,
  type ConsoleKey,
} from './session-schemas.js';

/** A 429 from sign-in: `retryAfterSeconds` is the server's Retry-After (undefined if it gave none). */
export class ConsoleRateLimitedError extends ConsoleApiError {
  constructor(
    message: string,
    status: number,
    requestId: string | undefined,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(message, 'rate_limited', status, requestId);
  }
}

export interface ConsoleClientOptions {
  /** The fetch to use (tests pass a fake); the page's by default. */
  fetch?: typeof fetch;
  /** Where the console API lives; `/console/api` by default. */
  base?: string;
  /** Called when a call made with the session answers 401: the session ended (expired, signed out elsewhere). */
  onUnauthorized?: () => void;
}

type Method = ConsoleRequest['method'];

interface CallOptions {
  method: Method;
  path: string;
  query?: ConsoleQuery | undefined;
  body?: unknown;
  headers?: Record<string, string>;
  /** Whether a 401 means "the session ended" (true for everything except signing in). */
  sessionCall: boolean;
}

const EMPTY = z.unknown();

function queryString(query: ConsoleQuery | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.append(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * The contract checks a draft's outline only (a half-made draft is never lost); the builder reads
 * its trigger and blocks as the file format's types and tolerates missing parts.
 */
const WorkflowDetailSchema = ConsoleWorkflowDetail as unknown as z.ZodMiniType<WorkflowDetail>;

/** One path segment, encoded (ids never carry a slash into the path). */
const segment = (value: string): string => encodeURIComponent(value);

function retryAfter(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export class ConsoleClient {
  /** The signed-in session's CSRF token; every write sends it as `x-alloy-csrf`. */
  csrfToken: string | undefined;
  private readonly fetcher: typeof fetch;
  private readonly base: string;
  /** Called when a session call answers 401 (the shell sets it to show sign-in again). */
  onUnauthorized: (() => void) | undefined;

  constructor(options: ConsoleClientOptions = {}) {
    this.fetcher = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.base = (options.base ?? '/console/api').replace(/\/$/, '');
    this.onUnauthorized = options.onUnauthorized;
  }

  async getSession(): Promise<ConsoleSession> {
    const session = await this.call({ method: 'GET', path: '/session', sessionCall: false }, ConsoleSession);
    this.csrfToken = session.state === 'signed-in' ? session.csrfToken : undefined;
    return session;
  }

  async signIn(username: string, password: string): Promise<SignedInSession> {
    const body = { username, password };
    const session = await this.call({ method: 'POST', path: '/session', body, sessionCall: false }, SignedInSession);
    this.csrfToken = session.csrfToken;
    return session;
  }

  async setup(token: string, username: string, password: string): Promise<SignedInSession> {
    const body = { token, username, password };
    const session = await this.call({ method: 'POST', path: '/setup', body, sessionCall: false }, SignedInSession);
    this.csrfToken = session.csrfToken;
    return session;
  }

  async signOut(): Promise<void> {
    try {
      await this.call({ method: 'DELETE', path: '/session', sessionCall: false }, EMPTY);
    } finally {
      this.csrfToken = undefined;
    }
  }

  async listKeys(): Promise<ConsoleKey[]> {
    return (await this.call({ method: 'GET', path: '/keys', sessionCall: true }, ConsoleKeyList)).keys;
  }

  /** Creates or rotates `env`'s API key; the answer is the only time the key is ever shown. */
  createKey(env: ConsoleEnvironment): Promise<CreatedConsoleKey> {
    return this.call({ method: 'POST', path: `/keys/${env}`, sessionCall: true }, CreatedConsoleKey);
  }

  async revokeKey(env: ConsoleEnvironment): Promise<void> {
    await this.call({ method: 'DELETE', path: `/keys/${env}`, sessionCall: true }, EMPTY);
  }

  /** A `ConsoleApi` acting in `env`; the shell hands views a new one when the environment switches. */
  api(env: ConsoleEnvironment): ConsoleApi {
    return {
      env,
      isv: <T>(request: ConsoleRequest, schema: z.ZodMiniType<T>): Promise<T> => {
        if (!request.path.startsWith('/') || request.path.startsWith('//') || request.path.includes('..'))
          return Promise.reject(new ConsoleApiError(`Not an ISV API path: ${request.path}`, 'invalid_request', 0));
        return this.call(
          {
            method: request.method,
            path: `/isv${request.path}`,
            query: request.query,
            body: request.body,
            headers: { 'x-alloy-env': env },
            sessionCall: true,
          },
          schema,
        );
      },
      integrations: () =>
        this.call(
          { method: 'GET', path: '/integrations', headers: { 'x-alloy-env': env }, sessionCall: true },
          ConsoleIntegrationListResponse,
        ),
      links: (query) =>
        this.call(
          {
            method: 'GET',
            path: '/links',
            query: { userId: query.userId, integrationId: query.integrationId },
            headers: { 'x-alloy-env': env },
            sessionCall: true,
          },
          ConsoleLinkListResponse,
        ),
      searchUsers: ({ search, cursor, limit }) =>
        this.call(
          {
            method: 'GET',
            path: '/users',
            query: { search: search === '' ? undefined : search, cursor, limit },
            headers: { 'x-alloy-env': env },
            sessionCall: true,
          },
          ConsoleUserListResponse,
        ),
      connectors: () => this.envCall(env, 'GET', '/connectors', undefined, ConsoleConnectorListResponse),
      integration: (integrationId) =>
        this.envCall(env, 'GET', `/integrations/${segment(integrationId)}`, undefined, ConsoleIntegrationDetail),
      createIntegration: (body) => this.envCall(env, 'POST', '/integrations', body, ConsoleIntegrationDetail),
      createWorkflow: (integrationId, body) =>
        this.envCall(env, 'POST', `/integrations/${segment(integrationId)}/workflows`, body, WorkflowDetailSchema),
      workflow: (workflowId) =>
        this.envCall(env, 'GET', `/workflows/${segment(workflowId)}`, undefined, WorkflowDetailSchema),
      saveDraft: (workflowId, body) =>
        this.envCall(env, 'PUT', `/workflows/${segment(workflowId)}/draft`, body, SaveDraftResponse),
      release: (workflowId) =>
        this.envCall(env, 'POST', `/workflows/${segment(workflowId)}/release`, undefined, ReleaseResponse),
      setActive: (integrationId, active) =>
        this.envCall(env, 'PUT', `/integrations/${segment(integrationId)}/active`, { active }, SetActiveResponse),
      testRun: (body) => this.envCall(env, 'POST', '/test-run', body, TestRunResponse),
    };
  }

  /** A console call in `env` (`x-alloy-env`), with the session. */
  private envCall<T>(
    env: ConsoleEnvironment,
    method: Method,
    path: string,
    body: unknown,
    schema: z.ZodMiniType<T>,
  ): Promise<T> {
    return this.call({ method, path, body, headers: { 'x-alloy-env': env }, sessionCall: true }, schema);
  }

  private async call<T>(options: CallOptions, schema: z.ZodMiniType<T>): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.method !== 'GET' && this.csrfToken) headers['x-alloy-csrf'] = this.csrfToken;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await this.fetcher(`${this.base}${options.path}${queryString(options.query)}`, {
        method: options.method,
        headers,
        body,
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (error) {
      throw new ConsoleApiError(
        error instanceof Error && error.message ? error.message : 'The server could not be reached.',
        'network',
        0,
      );
    }
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const text = await response.text().catch(() => '');
    let json: unknown = undefined;
    let parsed = text === '';
    if (text !== '') {
      try {
        json = JSON.parse(text);
        parsed = true;
      } catch {
        parsed = false;
      }
    }
    if (!response.ok) {
      const reply = parsed ? ApiErrorReply.safeParse(json) : undefined;
      const detail = reply?.success ? reply.data.error : undefined;
      const message = detail?.message ?? `The server answered ${response.status}.`;
      const id = detail?.requestId ?? requestId;
      if (response.status === 429)
        throw new ConsoleRateLimitedError(message, response.status, id, retryAfter(response));
      if (response.status === 401 && options.sessionCall) this.onUnauthorized?.();
      throw new ConsoleApiError(message, detail?.code ?? `http_${response.status}`, response.status, id);
    }
    if (!parsed)
      throw new ConsoleApiError(
        'The server sent an answer that is not JSON.',
        'invalid_response',
        response.status,
        requestId,
      );
    const result = schema.safeParse(json);
    if (!result.success)
      throw new ConsoleApiError(
        'The server sent an answer the console does not understand.',
        'invalid_response',
        response.status,
        requestId,
      );
    return result.data;
  }
}
