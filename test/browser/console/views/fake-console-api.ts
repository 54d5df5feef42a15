import * as z from 'zod/mini';
import * as endpoints from '../../../../src/contract/endpoints.js';
import type { Endpoint } from '../../../../src/contract/endpoints.js';
import {
  ConsoleIntegrationListResponse,
  ConsoleLinkListResponse,
  ConsoleUserListResponse,
  ConsoleUserSearchQuery,
} from '../../../../src/contract/console.js';
import {
  ConsoleConnectorListResponse,
  ConsoleIntegrationDetail,
  ConsoleWorkflowDetail,
  CreateIntegrationBody,
  CreateWorkflowBody,
  ReleaseResponse,
  SaveDraftBody,
  SaveDraftResponse,
  SetActiveBody,
  SetActiveResponse,
  TestRunBody,
  TestRunResponse,
} from '../../../../src/contract/console-builder.js';
import type * as builder from '../../../../src/contract/console-builder.js';
import {
  ConsoleApiError,
  type ConsoleApi,
  type ConsoleEnvironment,
  type ConsoleLinkQuery,
  type ConsoleRequest,
  type ConsoleUserSearch,
} from '../../../../src/console/api-types.js';

/** A handler answers one request; it may throw a `ConsoleApiError` or return a promise. */
export type Handler = (request: ConsoleRequest, params: Record<string, string>) => unknown;

/** An operation of the endpoint table (its export name is its operationId). */
export type Operation = Exclude<keyof typeof endpoints, 'endpointPath'>;

const ENDPOINTS: Endpoint[] = (Object.values(endpoints) as unknown[]).filter(
  (value): value is Endpoint => typeof value === 'object' && value !== null && 'operationId' in value,
);

/** The endpoint of the contract table a console request names, and its decoded path parameters. */
function match(method: string, path: string): { endpoint: Endpoint; params: Record<string, string> } | undefined {
  const bare = path.replace(/^\/2024-03(?=\/)/, '');
  for (const endpoint of ENDPOINTS) {
    if (endpoint.method !== method || endpoint.auth === 'userToken') continue;
    const names: string[] = [];
    const pattern = endpoint.path.replace(/:(\w+)/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const found = new RegExp(`^${pattern}$`).exec(bare);
    if (found) {
      return {
        endpoint,
        params: Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1]!)])),
      };
    }
  }
  return undefined;
}

/** The builder's calls of `ConsoleApi`. */
export type BuilderCall =
  'connectors' | 'integration' | 'createIntegration' | 'createWorkflow' | 'workflow' | 'saveDraft' | 'release';

/** The draft's outline is what the contract checks; the builder reads it as the file format's types. */
const WorkflowDetail = ConsoleWorkflowDetail as unknown as z.ZodMiniType<builder.ConsoleWorkflowDetail>;

/**
 * A `ConsoleApi` double. Every request must name an ISV endpoint of the contract (dated path), pass
 * its params/query/body schemas (query values as strings, as they travel in a URL), and be parsed
 * with that endpoint's response schema; the handler's answer goes through that schema too, so the
 * fixtures cannot drift from the contract. Records every call. The console's own
 * `integrations()` answers what `onIntegrations` set, parsed through its contract schema too, and
 * is recorded in `calls` as `GET /console/api/integrations`; `searchUsers()` likewise
 * (`onSearchUsers`, `GET /console/api/users`).
 */
export class FakeConsoleApi implements ConsoleApi {
  readonly calls: ConsoleRequest[] = [];
  private readonly handlers = new Map<string, Handler>();
  private integrationsHandler: (() => unknown) | undefined;
  private searchUsersHandler: ((search: ConsoleUserSearch) => unknown) | undefined;

  constructor(readonly env: ConsoleEnvironment = 'development') {}

  /** Answers `method operationId` (e.g. `GET listUsers`) with `answer` or a handler's result. */
  on(operationId: Operation, answer: unknown): this {
    this.handlers.set(operationId, typeof answer === 'function' ? (answer as Handler) : () => structuredClone(answer));
    return this;
  }

  /** Answers `integrations()` (`GET /console/api/integrations`) with `answer` or a function's result. */
  onIntegrations(answer: unknown): this {
    this.integrationsHandler = typeof answer === 'function' ? (answer as () => unknown) : () => structuredClone(answer);
    return this;
  }

  async integrations(): Promise<ConsoleIntegrationListResponse> {
    this.calls.push({ method: 'GET', path: '/console/api/integrations' });
    if (!this.integrationsHandler) throw new Error('no answer for integrations()');
    return z.parse(ConsoleIntegrationListResponse, await this.integrationsHandler());
  }

  private linksHandler: ((query: ConsoleLinkQuery) => unknown) | undefined;

  /**
   * Answers `links(query)` (`GET /console/api/links`) with `answer` or a function's result; recorded
   * in `calls` as that path with the query. Without an answer, an empty list.
   */
  onLinks(answer: unknown): this {
    this.linksHandler =
      typeof answer === 'function' ? (answer as (query: ConsoleLinkQuery) => unknown) : () => structuredClone(answer);
    return this;
  }

  async links(query: ConsoleLinkQuery): Promise<ConsoleLinkListResponse> {
    this.calls.push({ method: 'GET', path: '/console/api/links', query: { ...query } });
    return z.parse(ConsoleLinkListResponse, this.linksHandler ? await this.linksHandler(query) : { data: [] });
  }

  /** Answers `searchUsers()` (`GET /console/api/users`) with `answer` or a function of the search's result. */
  onSearchUsers(answer: unknown): this {
    this.searchUsersHandler =
      typeof answer === 'function' ? (answer as (search: ConsoleUserSearch) => unknown) : () => structuredClone(answer);
    return this;
  }

  /** The searches made with `searchUsers()`, in order. */
  readonly searches: ConsoleUserSearch[] = [];

  /**
   * `searchUsers()`: recorded in `searches` and in `calls` as `GET /console/api/users`; the query
   * must pass the server's schema (as strings, as in a URL) and the answer the contract's.
   */
  async searchUsers(search: ConsoleUserSearch): Promise<ConsoleUserListResponse> {
    this.searches.push({ ...search });
    const query = Object.fromEntries(
      Object.entries(search)
        .filter(([, v]) => v !== undefined && v !== '')
        .map(([k, v]) => [k, String(v)]),
    );
    z.parse(ConsoleUserSearchQuery, query);
    this.calls.push({ method: 'GET', path: '/console/api/users', query });
    if (!this.searchUsersHandler) throw new Error('no answer for searchUsers()');
    return z.parse(ConsoleUserListResponse, await this.searchUsersHandler(search));
  }

  private setActiveHandler: ((integrationId: string, active: boolean) => unknown) | undefined;

  /**
   * Answers `setActive()` (`PUT /console/api/integrations/:id/active`) with `answer` or a function's
   * result (it may throw or hold); without one, the server's echo `{ integrationId, active }`.
   */
  onSetActive(answer: unknown): this {
    this.setActiveHandler =
      typeof answer === 'function'
        ? (answer as (integrationId: string, active: boolean) => unknown)
        : () => structuredClone(answer);
    return this;
  }

  /** `setActive()`: recorded in `calls` with its body (checked against `SetActiveBody`); the answer parsed. */
  async setActive(integrationId: string, active: boolean): Promise<SetActiveResponse> {
    const body = z.parse(SetActiveBody, { active });
    this.calls.push({
      method: 'PUT',
      path: `/console/api/integrations/${encodeURIComponent(integrationId)}/active`,
      body,
    });
    const answer = this.setActiveHandler
      ? await this.setActiveHandler(integrationId, active)
      : { integrationId, active };
    return z.parse(SetActiveResponse, answer);
  }

  private testRunHandler: ((body: TestRunBody) => unknown) | undefined;
  /** The bodies sent with `testRun()`, in order. */
  readonly testRuns: TestRunBody[] = [];

  /** Answers `testRun()` (`POST /console/api/test-run`) with `answer` or a function of the body's result. */
  onTestRun(answer: unknown): this {
    this.testRunHandler =
      typeof answer === 'function' ? (answer as (body: TestRunBody) => unknown) : () => structuredClone(answer);
    return this;
  }

  /** `testRun()`: the body must pass the server's schema, the answer the contract's. */
  async testRun(body: TestRunBody): Promise<TestRunResponse> {
    z.parse(TestRunBody, body);
    this.testRuns.push(structuredClone(body));
    this.calls.push({ method: 'POST', path: '/console/api/test-run', body });
    if (!this.testRunHandler) throw new Error('no answer for testRun()');
    return z.parse(TestRunResponse, await this.testRunHandler(body));
  }

  // The builder's calls (`/console/api/...`): each is recorded in `calls` with its path and body,
  // its body must pass the contract's body schema and its answer the contract's response schema.
  private readonly builderHandlers = new Map<BuilderCall, (request: ConsoleRequest) => unknown>();

  /** Answers one builder call with `answer` or a function of the request's result (it may throw). */
  onBuilder(name: BuilderCall, answer: unknown): this {
    this.builderHandlers.set(
      name,
      typeof answer === 'function' ? (answer as (request: ConsoleRequest) => unknown) : () => structuredClone(answer),
    );
    return this;
  }

  private async builderCall<T>(
    name: BuilderCall,
    request: ConsoleRequest,
    bodySchema: z.ZodMiniType | undefined,
    schema: z.ZodMiniType<T>,
  ): Promise<T> {
    this.calls.push(request);
    if (bodySchema) z.parse(bodySchema, request.body);
    const handler = this.builderHandlers.get(name);
    if (!handler) throw new Error(`no answer for ${name}()`);
    return z.parse(schema, await handler(request));
  }

  connectors(): Promise<builder.ConsoleConnectorListResponse> {
    const request = { method: 'GET', path: '/console/api/connectors' } as const;
    return this.builderCall('connectors', request, undefined, ConsoleConnectorListResponse);
  }

  integration(integrationId: string): Promise<builder.ConsoleIntegrationDetail> {
    const request = { method: 'GET', path: `/console/api/integrations/${integrationId}` } as const;
    return this.builderCall('integration', request, undefined, ConsoleIntegrationDetail);
  }

  createIntegration(body: builder.CreateIntegrationBody): Promise<builder.ConsoleIntegrationDetail> {
    const request = { method: 'POST', path: '/console/api/integrations', body } as const;
    return this.builderCall('createIntegration', request, CreateIntegrationBody, ConsoleIntegrationDetail);
  }

  createWorkflow(integrationId: string, body: builder.CreateWorkflowBody): Promise<builder.ConsoleWorkflowDetail> {
    const request = { method: 'POST', path: `/console/api/integrations/${integrationId}/workflows`, body } as const;
    return this.builderCall('createWorkflow', request, CreateWorkflowBody, WorkflowDetail);
  }

  workflow(workflowId: string): Promise<builder.ConsoleWorkflowDetail> {
    const request = { method: 'GET', path: `/console/api/workflows/${workflowId}` } as const;
    return this.builderCall('workflow', request, undefined, WorkflowDetail);
  }

  saveDraft(workflowId: string, body: builder.SaveDraftBody): Promise<builder.SaveDraftResponse> {
    const request = {
      method: 'PUT',
      path: `/console/api/workflows/${workflowId}/draft`,
      body: structuredClone(body),
    } as const;
    return this.builderCall('saveDraft', request, SaveDraftBody, SaveDraftResponse);
  }

  release(workflowId: string): Promise<builder.ReleaseResponse> {
    const request = { method: 'POST', path: `/console/api/workflows/${workflowId}/release` } as const;
    return this.builderCall('release', request, undefined, ReleaseResponse);
  }

  /** The calls made to one operation. */
  callsTo(operationId: Operation): ConsoleRequest[] {
    return this.calls.filter((c) => match(c.method, c.path)?.endpoint.operationId === operationId);
  }

  async isv<T>(request: ConsoleRequest, schema: z.ZodMiniType<T>): Promise<T> {
    this.calls.push(request);
    if (!request.path.startsWith('/2024-03/')) throw new Error(`not a dated path: ${request.path}`);
    const found = match(request.method, request.path);
    if (!found) throw new Error(`no ISV endpoint for ${request.method} ${request.path}`);
    const { endpoint, params } = found;
    if (endpoint.response !== schema) throw new Error(`${endpoint.operationId}: parsed with another schema`);
    if (endpoint.params) z.parse(endpoint.params, params);
    const query = Object.fromEntries(
      Object.entries(request.query ?? {})
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    );
    if (endpoint.query) z.parse(endpoint.query, query);
    else if (Object.keys(query).length) throw new Error(`${endpoint.operationId} takes no query`);
    if (endpoint.body) z.parse(endpoint.body, request.body);
    else if (request.body !== undefined) throw new Error(`${endpoint.operationId} takes no body`);
    const handler = this.handlers.get(endpoint.operationId);
    if (!handler) throw new Error(`no answer for ${endpoint.operationId}`);
    return z.parse(schema, await handler(request, params));
  }
}

export const apiError = (message = 'The server is down for maintenance.', status = 503, code = 'unavailable') =>
  new ConsoleApiError(message, code, status, 'req_0123456789abcdef');

/** A promise with its resolver, to hold a call in flight. */
export function deferred<T = unknown>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
