import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { OBJECT_ID_PATTERN } from '../contract/index.js';
import * as endpoints from '../contract/endpoints.js';
import { AlloyApiError } from './errors.js';
import { Transport, type CallSpec } from './transport.js';
import type {
  ActivateWorkflowResult,
  AppListResult,
  BatchCreateUsersResult,
  CallOptions,
  CompleteInstallationInput,
  CompleteInstallationResult,
  CreateCredentialResult,
  CreateUserInput,
  CreateUserResult,
  CredentialListResult,
  CredentialMetadataListResult,
  CredentialMetadataResult,
  DeactivateWorkflowResult,
  DeleteWorkflowResult,
  EventListResult,
  ExecutionResult,
  InstallationListResult,
  InstallUrlResult,
  IntegrationListResult,
  IntegrationResult,
  LogSearchInput,
  LogSearchResult,
  MessageResult,
  OAuthRedirectResult,
  OAuthUrlResult,
  ReloadDefinitionsResult,
  RunEventResult,
  RunOptions,
  RunWorkflowResult,
  SettingsResult,
  StartInstallationInput,
  StartInstallationResult,
  SuccessResult,
  UpdateSettingsInput,
  UpdateUserInput,
  UpgradeWorkflowResult,
  UserListResult,
  UserResult,
  UserTokenResult,
  UserWorkflowDetailResult,
  UserWorkflowListResult,
  WorkflowErrorsQueryInput,
  WorkflowErrorsResult,
  WorkflowLogsQueryInput,
  WorkflowLogsResult,
  WorkflowRef,
  WorkflowUserListResult,
  WorkflowVersionListResult,
} from './types.js';

/** The version prefix sent by default; the server routes every dated version to the same handlers. */
export const DEFAULT_API_VERSION = '2024-03';
export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_RETRIES = 2;

export interface AlloyOptions {
  /** Your Embedded API server, e.g. `http://localhost:4000` (no version: the client adds it). */
  baseUrl: string;
  /** The dated API version for the path prefix (`YYYY-MM`); `2024-03` by default. */
  apiVersion?: string;
  /** Per attempt, in ms; 15 000 by default. */
  timeoutMs?: number;
  /** Extra attempts for calls that are safe to repeat (see docs/node-client.md); 2 by default, 0 to turn off. */
  retries?: number;
  /** Another `fetch` (a proxy agent, a test double); the platform's by default. */
  fetch?: typeof fetch;
}

const ApiKeySchema = z.string({
  error: (issue) =>
    issue.input === undefined ? 'apiKey is required: new Alloy(apiKey, { baseUrl })' : 'apiKey must be a string',
});

/** zod/mini ships no messages (that keeps it small), so each option says its own. */
const OptionsSchema = z.strictObject(
  {
    baseUrl: z.string({
      error: (issue) =>
        issue.input === undefined
          ? 'baseUrl is required: the URL of your Embedded API server, e.g. http://localhost:4000'
          : 'baseUrl must be a string',
    }),
    apiVersion: z.optional(
      z
        .string({ error: 'apiVersion must be a string' })
        .check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'apiVersion must look like 2024-03')),
    ),
    timeoutMs: z.optional(
      z
        .number({ error: 'timeoutMs must be a number' })
        .check(z.int('timeoutMs must be a whole number of ms'), z.positive('timeoutMs must be more than 0')),
    ),
    retries: z.optional(
      z
        .number({ error: 'retries must be a number' })
        .check(
          z.int('retries must be a whole number'),
          z.minimum(0, 'retries must be 0 or more'),
          z.maximum(10, 'retries must be 10 or fewer'),
        ),
    ),
    fetch: z.optional(
      z.custom<typeof fetch>((value) => typeof value === 'function', { error: 'fetch must be a function' }),
    ),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown option${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')} (options are baseUrl, apiVersion, timeoutMs, retries, fetch)`
        : 'options must be an object: new Alloy(apiKey, { baseUrl })',
  },
);

function invalid(message: string): AlloyApiError {
  return new AlloyApiError('invalid_argument', message);
}

function normalizeBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`baseUrl is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('baseUrl must be an http(s) URL');
  if (url.username || url.password) throw invalid('baseUrl must not contain credentials: pass the API key instead');
  if (url.search || url.hash) throw invalid('baseUrl must not have a query or a fragment');
  if (/\/\d{4}-\d{2}\/?$/.test(url.pathname)) {
    throw invalid('baseUrl must not end with a version (the client adds it): use the apiVersion option');
  }
  return url.href.replace(/\/+$/, '');
}

function requireText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(`${name} must be a non-empty string`);
  return value;
}

/**
 * The server-side client for ISV backends, with the method names and behaviour of alloy-node
 * 2.2.1: `identify(username)` remembers a user, and the user-scoped methods act for them.
 *
 * An instance's identity is shared by everything that uses it. In a server handling requests for
 * many users at once, use `alloy.forUser(userId)` per request instead of `identify`.
 */
export class Alloy {
  /** The identified user's id (set by `identify`, `forUser`, `updateUser`). */
  userId: string | null = null;
  /** The identified user's username (set by `identify` and `updateUser`). */
  username: string | null = null;

  // Private fields keep the key out of console.log, util.inspect and JSON.stringify.
  readonly #apiKey: string;
  readonly #options: AlloyOptions;
  readonly #transport: Transport;

  constructor(apiKey: string, options: AlloyOptions) {
    const key = ApiKeySchema.safeParse(apiKey);
    if (!key.success) throw invalid(key.error.issues[0]!.message);
    if (key.data.trim() === '') throw invalid('apiKey must not be empty');
    const parsed = OptionsSchema.safeParse(options);
    if (!parsed.success) throw invalid(parsed.error.issues[0]!.message);
    this.#apiKey = key.data;
    this.#options = { ...parsed.data };
    this.#transport = new Transport({
      baseUrl: normalizeBaseUrl(parsed.data.baseUrl),
      apiVersion: parsed.data.apiVersion ?? DEFAULT_API_VERSION,
      apiKey: key.data,
      timeoutMs: parsed.data.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retries: parsed.data.retries ?? DEFAULT_RETRIES,
      fetch: parsed.data.fetch ?? globalThis.fetch.bind(globalThis),
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Identity

  /**
   * Looks the user up (`GET /users/:username`; a userId works too) and acts for them from now on.
   * On failure the instance forgets any previous identity, so it never acts for the wrong user.
   */
  async identify(username: string, options: CallOptions = {}): Promise<UserResult> {
    try {
      const user = await this.#call(
        endpoints.getUser,
        { userId: requireText(username, 'username') },
        { signal: options.signal },
      );
      this.userId = user.userId;
      this.username = user.username;
      return user;
    } catch (error) {
      this.clear();
      throw error;
    }
  }

  /** Forgets the identified user. */
  clear(): void {
    this.userId = null;
    this.username = null;
  }

  /**
   * A new client with the same key and options acting for `userId` (or a username: the API takes
   * either), without a request. Use one per request in a server; the original is not changed.
   */
  forUser(userId: string): Alloy {
    const client = new Alloy(this.#apiKey, this.#options);
    client.userId = requireText(userId, 'userId');
    return client;
  }

  // ---------------------------------------------------------------------------------------------
  // Users

  /** `GET /users/:userId`: by userId or username; the identified user when left out. */
  async getUser(user?: string, options: CallOptions = {}): Promise<UserResult> {
    const ref = user === undefined ? this.#requireUser('getUser') : requireText(user, 'user');
    return this.#call(endpoints.getUser, { userId: ref }, { signal: options.signal });
  }

  /**
   * `GET /users`: the environment's users (or those who installed `parentWorkflowId`), `limit` per
   * page (1000 by default); when more follow, `nextCursor` is set: pass it as `cursor`.
   */
  async getUsers(
    query: { parentWorkflowId?: string; limit?: number; cursor?: string } = {},
    options: CallOptions = {},
  ): Promise<UserListResult> {
    return this.#call(endpoints.listUsers, {}, { query, signal: options.signal });
  }

  /** `POST /users`. Does not identify the new user (as alloy-node). A taken username is a 409. */
  async createUser(data: CreateUserInput, options: CallOptions = {}): Promise<CreateUserResult> {
    return this.#call(endpoints.createUser, {}, { body: data, signal: options.signal });
  }

  /** `POST /users/batch`: up to 1000; the bad entries come back in `invalidUsers` with a `reason`. */
  async batchCreateUsers(users: CreateUserInput[], options: CallOptions = {}): Promise<BatchCreateUsersResult> {
    return this.#call(endpoints.createUsersBatch, {}, { body: { users }, signal: options.signal });
  }

  /** `PUT /users/:userId` for the identified user; the identity follows a new username. */
  async updateUser(data: UpdateUserInput, options: CallOptions = {}): Promise<UserResult> {
    const userId = this.#requireUser('updateUser');
    const user = await this.#call(endpoints.updateUser, { userId: userId }, { body: data, signal: options.signal });
    if (this.userId === userId) {
      this.userId = user.userId;
      this.username = user.username;
    }
    return user;
  }

  /** `DELETE /users/:userId` for the identified user, then forgets them. Logs stay (see `deleteLogs`). */
  async deleteUser(options: CallOptions = {}): Promise<SuccessResult> {
    const userId = this.#requireUser('deleteUser');
    const result = await this.#call(endpoints.deleteUser, { userId: userId }, { signal: options.signal });
    if (this.userId === userId) this.clear();
    return result;
  }

  /** `GET /users/:userId/token`: a one-hour JWT for the browser SDK (`Alloy.setToken`). */
  async getUserToken(options: CallOptions = {}): Promise<UserTokenResult> {
    const userId = this.#requireUser('getUserToken');
    return this.#call(endpoints.getUserToken, { userId: userId }, { signal: options.signal });
  }

  /** `PUT /users/:userId/deactivate-workflows`: pauses every workflow of the identified user. */
  async disableAllWorkflows(options: CallOptions = {}): Promise<MessageResult> {
    const userId = this.#requireUser('disableAllWorkflows');
    return this.#call(endpoints.deactivateUserWorkflows, { userId: userId }, { signal: options.signal });
  }

  // ---------------------------------------------------------------------------------------------
  // Workflows (per user)

  /** `GET /workflows?userId=`: the identified user's installed workflows. */
  async getWorkflows(options: CallOptions = {}): Promise<UserWorkflowListResult> {
    const userId = this.#requireUser('getWorkflows');
    return this.#call(endpoints.listUserWorkflows, {}, { query: { userId }, signal: options.signal });
  }

  /** `GET /workflows/:workflowId?userId=`: one workflow at the version the user installed. */
  async getWorkflow(workflowId: string, options: CallOptions = {}): Promise<UserWorkflowDetailResult> {
    const userId = this.#requireUser('getWorkflow');
    return this.#call(
      endpoints.getUserWorkflow,
      { workflowId: requireText(workflowId, 'workflowId') },
      { query: { userId }, signal: options.signal },
    );
  }

  /** `DELETE /workflows/:workflowId?userId=`: removes it for the identified user only. */
  async deleteWorkflow(workflowId: string, options: CallOptions = {}): Promise<DeleteWorkflowResult> {
    const userId = this.#requireUser('deleteWorkflow');
    return this.#call(
      endpoints.deleteUserWorkflow,
      { workflowId: requireText(workflowId, 'workflowId') },
      { query: { userId }, signal: options.signal },
    );
  }

  /** `GET /workflows/:workflowId/versions?userId=`: released versions, which one the user runs. */
  async getVersions(workflowId: string, options: CallOptions = {}): Promise<WorkflowVersionListResult> {
    const userId = this.#requireUser('getVersions');
    return this.#call(
      endpoints.listWorkflowVersions,
      { workflowId: requireText(workflowId, 'workflowId') },
      { query: { userId }, signal: options.signal },
    );
  }

  /** `GET /workflows/:workflowId/users?userId=`: the identified user's entry for the workflow. */
  async getWorkflowDetails(workflowId: string, options: CallOptions = {}): Promise<WorkflowUserListResult> {
    const userId = this.#requireUser('getWorkflowDetails');
    return this.#call(
      endpoints.listWorkflowUsers,
      { workflowId: requireText(workflowId, 'workflowId') },
      { query: { userId }, signal: options.signal },
    );
  }

  /** `PUT /workflows/activate`: `{ workflowId }` or `{ workflowName }`, for the identified user. */
  async reactivate(data: WorkflowRef, options: CallOptions = {}): Promise<ActivateWorkflowResult> {
    return this.#call(
      endpoints.activateWorkflow,
      {},
      { body: { ...data, userId: data.userId ?? this.#requireUser('reactivate') }, signal: options.signal },
    );
  }

  /** `PUT /workflows/deactivate`: stops future runs of the workflow for the identified user. */
  async deactivate(data: WorkflowRef, options: CallOptions = {}): Promise<DeactivateWorkflowResult> {
    return this.#call(
      endpoints.deactivateWorkflow,
      {},
      { body: { ...data, userId: data.userId ?? this.#requireUser('deactivate') }, signal: options.signal },
    );
  }

  /** `PUT /workflows/:workflowId/upgrade?userId=`: to the latest version, keeping the answers (or 409). */
  async upgradeWorkflow(workflowId: string, options: CallOptions = {}): Promise<UpgradeWorkflowResult> {
    const userId = this.#requireUser('upgradeWorkflow');
    return this.#call(
      endpoints.upgradeUserWorkflow,
      { workflowId: requireText(workflowId, 'workflowId') },
      { query: { userId }, signal: options.signal },
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Runs

  /**
   * `POST /run/event` for the identified user: every active workflow of theirs listening to the
   * event runs. Sends an `Idempotency-Key` (one per call, kept across retries), so a retried call
   * never runs a workflow twice.
   */
  async event(eventName: string, payload: Record<string, unknown>, options: RunOptions = {}): Promise<RunEventResult> {
    const userId = this.#requireUser('event');
    return this.#call(
      endpoints.runEvent,
      {},
      {
        body: { event: eventName, userId, data: payload },
        idempotencyKey: options.idempotencyKey ?? randomUUID(),
        signal: options.signal,
      },
    );
  }

  /**
   * `POST /run/workflow` for the identified user: runs a webhook-trigger workflow, named by its id
   * (24 hex characters) or its name. Idempotent like `event`.
   */
  async run(workflow: string, payload: Record<string, unknown>, options: RunOptions = {}): Promise<RunWorkflowResult> {
    const userId = this.#requireUser('run');
    const ref = requireText(workflow, 'workflow');
    const named = OBJECT_ID_PATTERN.test(ref) ? { workflowId: ref } : { workflowName: ref };
    return this.#call(
      endpoints.runWorkflow,
      {},
      {
        body: { ...named, userId, data: payload },
        idempotencyKey: options.idempotencyKey ?? randomUUID(),
        signal: options.signal,
      },
    );
  }

  /** `GET /events`: custom events and their schemas; with `userId`, those reaching that user's workflows. */
  async getEvents(query: { userId?: string } = {}, options: CallOptions = {}): Promise<EventListResult> {
    return this.#call(endpoints.listCustomEvents, {}, { query, signal: options.signal });
  }

  // ---------------------------------------------------------------------------------------------
  // Logs

  /** `GET /workflows/:workflowId/logs`: executions of every user, or `userId`'s; `limit` ≤ 30. */
  async getLogs(
    workflowId: string,
    query: WorkflowLogsQueryInput = {},
    options: CallOptions = {},
  ): Promise<WorkflowLogsResult> {
    return this.#call(
      endpoints.listWorkflowLogs,
      { workflowId: requireText(workflowId, 'workflowId') },
      { query, signal: options.signal },
    );
  }

  /** `GET /workflows/:workflowId/errors`: failed executions, newest first; `limit` ≤ 100. */
  async getErrors(
    workflowId: string,
    query: WorkflowErrorsQueryInput = {},
    options: CallOptions = {},
  ): Promise<WorkflowErrorsResult> {
    return this.#call(
      endpoints.listWorkflowErrors,
      { workflowId: requireText(workflowId, 'workflowId') },
      { query, signal: options.signal },
    );
  }

  /** `GET /logs`: searches all executions (`filters` as objects; sent as the JSON the API wants). */
  async searchLogs(query: LogSearchInput = {}, options: CallOptions = {}): Promise<LogSearchResult> {
    const { filters, ...rest } = query;
    return this.#call(
      endpoints.searchLogs,
      {},
      {
        query: { ...rest, filters: filters === undefined ? undefined : JSON.stringify(filters) },
        signal: options.signal,
      },
    );
  }

  /** `GET /logs/:executionId`: one execution with each block's input, output and timing. */
  async getExecution(executionId: string, options: CallOptions = {}): Promise<ExecutionResult> {
    return this.#call(
      endpoints.getExecution,
      { executionId: requireText(executionId, 'executionId') },
      { signal: options.signal },
    );
  }

  /** `DELETE /users/:userId/logs`: erases the identified user's logs for good (GDPR). */
  async deleteLogs(options: CallOptions = {}): Promise<MessageResult> {
    const userId = this.#requireUser('deleteLogs');
    return this.#call(endpoints.deleteUserLogs, { userId: userId }, { signal: options.signal });
  }

  // ---------------------------------------------------------------------------------------------
  // Integrations and installations

  /** `GET /integrations?userId=`: every integration with the identified user's state. */
  async getIntegrations(options: CallOptions = {}): Promise<IntegrationListResult> {
    const userId = this.#requireUser('getIntegrations');
    return this.#call(endpoints.listIntegrations, {}, { query: { userId }, signal: options.signal });
  }

  /** `GET /integrations/:integration?userId=`: by integrationId or by name (as alloy-node calls it). */
  async getIntegration(integration: string, options: CallOptions = {}): Promise<IntegrationResult> {
    const userId = this.#requireUser('getIntegration');
    return this.#call(
      endpoints.getIntegration,
      { integrationId: requireText(integration, 'integration') },
      { query: { userId }, signal: options.signal },
    );
  }

  /** `GET /installations`: every installation, optionally for one user and/or integration. */
  async getInstallations(
    query: { userId?: string; integrationId?: string } = {},
    options: CallOptions = {},
  ): Promise<InstallationListResult> {
    return this.#call(endpoints.listInstallations, {}, { query, signal: options.signal });
  }

  /**
   * `GET /users/:userId/integrations/:integrationId/install-url`: a single-use Embedded Link for
   * the identified user, valid 7 days unless `expiresIn` (seconds, 60 to 2 592 000) says otherwise.
   */
  async generateLink(
    integrationId: string,
    query: { expiresIn?: number } = {},
    options: CallOptions = {},
  ): Promise<InstallUrlResult> {
    const userId = this.#requireUser('generateLink');
    return this.#call(
      endpoints.createInstallUrl,
      { userId: userId, integrationId: requireText(integrationId, 'integrationId') },
      { query, signal: options.signal },
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Apps and credentials

  /** `GET /apps`: the connector catalogue with each app's events and actions. */
  async getApps(options: CallOptions = {}): Promise<AppListResult> {
    return this.#call(endpoints.listApps, {}, { signal: options.signal });
  }

  /** `GET /metadata/credentials`: how to connect each app (OAuth or the properties to fill). */
  async getCredentialMetadata(options: CallOptions = {}): Promise<CredentialMetadataListResult> {
    return this.#call(endpoints.listCredentialMetadata, {}, { signal: options.signal });
  }

  /** `GET /credentials/:credentialName` (alloy-node's path): how to connect one app, e.g. `demoStore`. */
  async getCredential(credentialName: string, options: CallOptions = {}): Promise<CredentialMetadataResult> {
    return this.#call(
      endpoints.getCredentialMetadataLegacy,
      { credentialName: requireText(credentialName, 'credentialName') },
      { signal: options.signal },
    );
  }

  /** `GET /users/:userId/credentials`: the identified user's credentials (metadata; data never leaves). */
  async getCredentials(options: CallOptions = {}): Promise<CredentialListResult> {
    const userId = this.#requireUser('getCredentials');
    return this.#call(endpoints.listUserCredentials, { userId: userId }, { signal: options.signal });
  }

  /** `POST /headless/credentials`: stores a credential (encrypted) for the identified user. */
  async createCredential(
    type: string,
    data: Record<string, string>,
    options: CallOptions = {},
  ): Promise<CreateCredentialResult> {
    const userId = this.#requireUser('createCredential');
    return this.#call(
      endpoints.createCredential,
      {},
      { body: { userId, credential: { type, data } }, signal: options.signal },
    );
  }

  /** `DELETE /users/:userId/credentials/:credentialId`. */
  async deleteCredential(credentialId: string, options: CallOptions = {}): Promise<SuccessResult> {
    const userId = this.#requireUser('deleteCredential');
    return this.#call(
      endpoints.deleteUserCredential,
      { userId: userId, credentialId: requireText(credentialId, 'credentialId') },
      { signal: options.signal },
    );
  }

  /**
   * `GET /users/:userId/credentials/:credentialName` (legacy OAuth redirect): `credentialName`
   * plus the app's pre-OAuth properties (e.g. `shopSubdomain`), sent as the query.
   */
  async getUserOauthRedirect(
    data: { credentialName: string } & Record<string, string>,
    options: CallOptions = {},
  ): Promise<OAuthRedirectResult> {
    const userId = this.#requireUser('getUserOauthRedirect');
    const { credentialName, ...properties } = data;
    return this.#call(
      endpoints.getLegacyOAuthRedirect,
      { userId: userId, credentialName: requireText(credentialName, 'credentialName') },
      { query: properties, signal: options.signal },
    );
  }

  /** `GET /headless/oauthUrl`: the authorize URL of an OAuth app for the identified user. */
  async getOAuthUrl(
    app: string,
    properties: Record<string, string> = {},
    options: CallOptions = {},
  ): Promise<OAuthUrlResult> {
    const userId = this.#requireUser('getOAuthUrl');
    return this.#call(
      endpoints.getOAuthUrl,
      {},
      { query: { ...properties, userId, app: requireText(app, 'app') }, signal: options.signal },
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Headless installation

  /** `POST /headless/startInstallation` for the identified user: the fields to fill. */
  async startInstallation(
    request: StartInstallationInput,
    options: CallOptions = {},
  ): Promise<StartInstallationResult> {
    const userId = this.#requireUser('startInstallation');
    return this.#call(endpoints.startInstallation, {}, { body: { ...request, userId }, signal: options.signal });
  }

  /** `POST /headless/completeInstallation`: installs with the answers. Idempotent like `event`. */
  async completeInstallation(
    request: CompleteInstallationInput,
    options: RunOptions = {},
  ): Promise<CompleteInstallationResult> {
    return this.#call(
      endpoints.completeInstallation,
      {},
      { body: request, idempotencyKey: options.idempotencyKey ?? randomUUID(), signal: options.signal },
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Account

  /** `GET /settings`: the environment's installation webhook and error stream URLs. */
  async getSettings(options: CallOptions = {}): Promise<SettingsResult> {
    return this.#call(endpoints.getSettings, {}, { signal: options.signal });
  }

  /** `PUT /settings`: `null` clears a value. */
  async updateSettings(settings: UpdateSettingsInput, options: CallOptions = {}): Promise<SettingsResult> {
    return this.#call(endpoints.updateSettings, {}, { body: settings, signal: options.signal });
  }

  /**
   * `POST /admin/definitions/reload`: re-reads the integration definition files (409 if refused).
   * Production API key only (403 with the development key): the definitions serve both environments.
   */
  async reloadDefinitions(options: CallOptions = {}): Promise<ReloadDefinitionsResult> {
    return this.#call(endpoints.reloadDefinitions, {}, { signal: options.signal });
  }

  #requireUser(method: string): string {
    if (typeof this.userId !== 'string' || this.userId === '') {
      throw new AlloyApiError(
        'not_identified',
        `${method}() acts for a user: call identify(username) first, or use alloy.forUser(userId).${method}().`,
      );
    }
    return this.userId;
  }

  /** One operation of the endpoint table (src/contract/endpoints.ts): its method, path and response schema. */
  #call<E extends endpoints.Endpoint>(
    endpoint: E,
    params: endpoints.PathParams<E>,
    options: Omit<CallSpec<E['response']>, 'method' | 'path' | 'response'>,
  ): Promise<z.output<E['response']>> {
    return this.#transport.call({
      ...options,
      method: endpoint.method,
      path: endpoints.endpointPath(endpoint, params),
      response: endpoint.response as E['response'],
    });
  }
}
