import type * as z from 'zod/mini';
import { EmptyBody } from './common.js';
import { ReloadDefinitionsResponse } from './admin.js';
import {
  AppListResponse,
  CompleteInstallationRequest,
  CompleteInstallationResponse,
  CreateCredentialRequest,
  CreateCredentialResponse,
  CredentialListResponse,
  CredentialMetadataListResponse,
  CredentialMetadataResponse,
  CredentialNameParams,
  DeleteCredentialResponse,
  LegacyCredentialParams,
  LegacyOAuthRedirectQuery,
  LegacyOAuthRedirectResponse,
  OAuthUrlQuery,
  OAuthUrlResponse,
  StartInstallationRequest,
  StartInstallationResponse,
  UserCredentialParams,
} from './credentials.js';
import {
  CreateInstallationRequest,
  InstallationListResponse,
  InstallationResponse,
  IntegrationListResponse,
  IntegrationParams,
  IntegrationQuery,
  IntegrationRefParams,
  IntegrationResponse,
  ListInstallationsQuery,
  ListIntegrationsQuery,
  UninstallResponse,
  WidgetIntegration,
} from './integrations.js';
import { InstallUrlParams, InstallUrlQuery, InstallUrlResponse } from './links.js';
import {
  DeleteUserLogsResponse,
  ExecutionParams,
  ExecutionResponse,
  LogSearchQuery,
  LogSearchResponse,
  WorkflowAnalyticsQuery,
  WorkflowAnalyticsResponse,
  WorkflowErrorsQuery,
  WorkflowErrorsResponse,
  WorkflowLogsQuery,
  WorkflowLogsResponse,
} from './logs.js';
import { RegionsResponse } from './regions.js';
import {
  EventListResponse,
  RunEventRequest,
  RunEventResponse,
  RunWorkflowRequest,
  RunWorkflowResponse,
} from './run.js';
import {
  FieldOptionsParams,
  FieldOptionsQuery,
  FieldOptionsResponse,
  RerunParams,
  RerunQuery,
  RerunResponse,
  WebhookDeliveryListQuery,
  WebhookDeliveryListResponse,
  WebhookDeliveryParams,
  WebhookDeliveryResponse,
} from './runtime.js';
import { Settings, UpdateSettingsRequest } from './settings.js';
import {
  BatchCreateUsersRequest,
  BatchCreateUsersResponse,
  CreateUserRequest,
  CreateUserResponse,
  DeactivateUserWorkflowsResponse,
  DeleteUserResponse,
  ListUsersQuery,
  UpdateUserRequest,
  User,
  UserListResponse,
  UserParams,
  UserTokenQuery,
  UserTokenResponse,
} from './users.js';
import {
  CreateWidgetCredentialRequest,
  OAuthSession,
  OAuthSessionParams,
  OAuthSessionView,
  StartOAuthRequest,
  WidgetAppsResponse,
  WidgetCredentialResponse,
} from './widget-auth.js';
import {
  ActivateWorkflowResponse,
  DeactivateWorkflowResponse,
  DeleteWorkflowResponse,
  OptionalUserQuery,
  RequiredUserQuery,
  UpgradeWorkflowResponse,
  UserWorkflowDetailResponse,
  UserWorkflowListResponse,
  WorkflowParams,
  WorkflowRefRequest,
  WorkflowUsersResponse,
  WorkflowVersionsResponse,
} from './workflows.js';

/**
 * The API's one endpoint table: for every operation its method, path, schemas, credential and
 * whether it honours `Idempotency-Key`. The server registers each route by naming its entry
 * (src/server/http/router.ts), and the browser SDK and the Node client build their requests from
 * the same entries, so a path or a schema is written once.
 *
 * Each entry is its own export (import the module as a namespace: `import * as endpoints from`):
 * a bundle keeps only the entries it names, so the browser SDK carries the widget's few and none
 * of the server-only schemas. Paths are relative to the dated version prefix (`/2024-03`), in
 * the router's syntax (`:name` for a path parameter).
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** `apiKey`: the ISV's backend (`Authorization: Bearer`); `userToken`: the browser (`x-alloy-user-token`). */
export type AuthMode = 'apiKey' | 'apiKeyOrUserToken' | 'userToken';

export interface Endpoint {
  method: HttpMethod;
  path: string;
  operationId: string;
  auth: AuthMode;
  params?: z.ZodMiniType;
  /** Absent: the operation takes no query parameters (any is refused). */
  query?: z.ZodMiniType;
  body?: z.ZodMiniType;
  response: z.ZodMiniType;
  /** The success status; 200 when absent. */
  status?: number;
  /** Honours an `Idempotency-Key` header: a repeat gets the first answer, the work runs once. */
  idempotent?: boolean;
}

type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** The values of an endpoint's path parameters, by name. */
export type PathParams<E extends Pick<Endpoint, 'path'>> = Record<ParamNames<E['path']>, string>;

/** The endpoint's path with each `:name` replaced by its value, URL-encoded. */
export function endpointPath<E extends Pick<Endpoint, 'path'>>(endpoint: E, params: PathParams<E>): string {
  const values = params as Record<string, string>;
  return endpoint.path.replace(/:(\w+)/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new TypeError(`${endpoint.path}: no value for :${name}`);
    return encodeURIComponent(value);
  });
}

// ---------------------------------------------------------------------------------------------
// Users

export const createUser = {
  method: 'POST',
  path: '/users',
  operationId: 'createUser',
  auth: 'apiKey',
  body: CreateUserRequest,
  response: CreateUserResponse,
} as const satisfies Endpoint;

export const createUsersBatch = {
  method: 'POST',
  path: '/users/batch',
  operationId: 'createUsersBatch',
  auth: 'apiKey',
  body: BatchCreateUsersRequest,
  response: BatchCreateUsersResponse,
} as const satisfies Endpoint;

export const listUsers = {
  method: 'GET',
  path: '/users',
  operationId: 'listUsers',
  auth: 'apiKey',
  query: ListUsersQuery,
  response: UserListResponse,
} as const satisfies Endpoint;

export const getUser = {
  method: 'GET',
  path: '/users/:userId',
  operationId: 'getUser',
  auth: 'apiKey',
  params: UserParams,
  response: User,
} as const satisfies Endpoint;

export const updateUser = {
  method: 'PUT',
  path: '/users/:userId',
  operationId: 'updateUser',
  auth: 'apiKey',
  params: UserParams,
  body: UpdateUserRequest,
  response: User,
} as const satisfies Endpoint;

export const deleteUser = {
  method: 'DELETE',
  path: '/users/:userId',
  operationId: 'deleteUser',
  auth: 'apiKey',
  params: UserParams,
  response: DeleteUserResponse,
} as const satisfies Endpoint;

export const deactivateUserWorkflows = {
  method: 'PUT',
  path: '/users/:userId/deactivate-workflows',
  operationId: 'deactivateUserWorkflows',
  auth: 'apiKey',
  params: UserParams,
  body: EmptyBody,
  response: DeactivateUserWorkflowsResponse,
} as const satisfies Endpoint;

export const getUserToken = {
  method: 'GET',
  path: '/users/:userId/token',
  operationId: 'getUserToken',
  auth: 'apiKey',
  params: UserParams,
  query: UserTokenQuery,
  response: UserTokenResponse,
} as const satisfies Endpoint;

/** alloy-node's path for the same operation. */
export const getUserTokenLegacy = {
  ...getUserToken,
  path: '/user/:userId/token',
  operationId: 'getUserTokenLegacy',
} as const satisfies Endpoint;

// ---------------------------------------------------------------------------------------------
// Account

export const getSettings = {
  method: 'GET',
  path: '/settings',
  operationId: 'getSettings',
  auth: 'apiKey',
  response: Settings,
} as const satisfies Endpoint;

export const updateSettings = {
  method: 'PUT',
  path: '/settings',
  operationId: 'updateSettings',
  auth: 'apiKey',
  body: UpdateSettingsRequest,
  response: Settings,
} as const satisfies Endpoint;

export const reloadDefinitions = {
  method: 'POST',
  path: '/admin/definitions/reload',
  operationId: 'reloadDefinitions',
  auth: 'apiKey',
  body: EmptyBody,
  response: ReloadDefinitionsResponse,
} as const satisfies Endpoint;

// ---------------------------------------------------------------------------------------------
// Workflows (per user)

export const listUserWorkflows = {
  method: 'GET',
  path: '/workflows',
  operationId: 'listUserWorkflows',
  auth: 'apiKeyOrUserToken',
  query: OptionalUserQuery,
  response: UserWorkflowListResponse,
} as const satisfies Endpoint;

export const getUserWorkflow = {
  method: 'GET',
  path: '/workflows/:workflowId',
  operationId: 'getUserWorkflow',
  auth: 'apiKeyOrUserToken',
  params: WorkflowParams,
  query: OptionalUserQuery,
  response: UserWorkflowDetailResponse,
} as const satisfies Endpoint;

export const activateWorkflow = {
  method: 'PUT',
  path: '/workflows/activate',
  operationId: 'activateWorkflow',
  auth: 'apiKeyOrUserToken',
  body: WorkflowRefRequest,
  response: ActivateWorkflowResponse,
} as const satisfies Endpoint;

export const deactivateWorkflow = {
  method: 'PUT',
  path: '/workflows/deactivate',
  operationId: 'deactivateWorkflow',
  auth: 'apiKeyOrUserToken',
  body: WorkflowRefRequest,
  response: DeactivateWorkflowResponse,
} as const satisfies Endpoint;

export const upgradeUserWorkflow = {
  method: 'PUT',
  path: '/workflows/:workflowId/upgrade',
  operationId: 'upgradeUserWorkflow',
  auth: 'apiKey',
  params: WorkflowParams,
  query: RequiredUserQuery,
  body: EmptyBody,
  response: UpgradeWorkflowResponse,
} as const satisfies Endpoint;

export const deleteUserWorkflow = {
  method: 'DELETE',
  path: '/workflows/:workflowId',
  operationId: 'deleteUserWorkflow',
  auth: 'apiKey',
  params: WorkflowParams,
  query: RequiredUserQuery,
  response: DeleteWorkflowResponse,
} as const satisfies Endpoint;

export const listWorkflowVersions = {
  method: 'GET',
  path: '/workflows/:workflowId/versions',
  operationId: 'listWorkflowVersions',
  auth: 'apiKey',
  params: WorkflowParams,
  query: OptionalUserQuery,
  response: WorkflowVersionsResponse,
} as const satisfies Endpoint;

export const listWorkflowUsers = {
  method: 'GET',
  path: '/workflows/:workflowId/users',
  operationId: 'listWorkflowUsers',
  auth: 'apiKey',
  params: WorkflowParams,
  query: OptionalUserQuery,
  response: WorkflowUsersResponse,
} as const satisfies Endpoint;

// ---------------------------------------------------------------------------------------------
// Integrations and installations

export const listIntegrations = {
  method: 'GET',
  path: '/integrations',
  operationId: 'listIntegrations',
  auth: 'apiKeyOrUserToken',
  query: ListIntegrationsQuery,
  response: IntegrationListResponse,
} as const satisfies Endpoint;

export const getIntegration = {
  method: 'GET',
  path: '/integrations/:integrationId',
  operationId: 'getIntegration',
  auth: 'apiKeyOrUserToken',
  params: IntegrationRefParams,
  query: IntegrationQuery,
  response: IntegrationResponse,
} as const satisfies Endpoint;

export const listInstallations = {
  method: 'GET',
  path: '/installations',
  operationId: 'listInstallations',
  auth: 'apiKey',
  query: ListInstallationsQuery,
  response: InstallationListResponse,
} as const satisfies Endpoint;

export const listCustomEvents = {
  method: 'GET',
  path: '/events',
  operationId: 'listCustomEvents',
  auth: 'apiKey',
  query: OptionalUserQuery,
  response: EventListResponse,
} as const satisfies Endpoint;

export const createInstallUrl = {
  method: 'GET',
  path: '/users/:userId/integrations/:integrationId/install-url',
  operationId: 'createInstallUrl',
  auth: 'apiKey',
  params: InstallUrlParams,
  query: InstallUrlQuery,
  response: InstallUrlResponse,
} as const satisfies Endpoint;

// ---------------------------------------------------------------------------------------------
// Apps, credentials and headless installation

export const listCredentialMetadata = {
  method: 'GET',
  path: '/metadata/credentials',
  operationId: 'listCredentialMetadata',
  auth: 'apiKey',
  response: CredentialMetadataListResponse,
} as const satisfies Endpoint;

export const listApps = {
  method: 'GET',
  path: '/apps',
  operationId: 'listApps',
  auth: 'apiKey',
  response: AppListResponse,
} as const satisfies Endpoint;

export const getCredentialMetadata = {
  method: 'GET',
  path: '/metadata/credentials/:credentialName',
  operationId: 'getCredentialMetadata',
  auth: 'apiKey',
  params: CredentialNameParams,
  response: CredentialMetadataResponse,
} as const satisfies Endpoint;

/** alloy-node's path for the same operation. */
export const getCredentialMetadataLegacy = {
  ...getCredentialMetadata,
  path: '/credentials/:credentialName',
  operationId: 'getCredentialMetadataLegacy',
} as const satisfies Endpoint;

export const getLegacyOAuthRedirect = {
  method: 'GET',
  path: '/users/:userId/credentials/:credentialName',
  operationId: 'getLegacyOAuthRedirect',
  auth: 'apiKey',
  params: LegacyCredentialParams,
  query: LegacyOAuthRedirectQuery,
  response: LegacyOAuthRedirectResponse,
} as const satisfies Endpoint;

export const listUserCredentials = {
  method: 'GET',
  path: '/users/:userId/credentials',
  operationId: 'listUserCredentials',
  auth: 'apiKey',
  params: UserParams,
  response: CredentialListResponse,
} as const satisfies Endpoint;

/** The 2025-09 path for the same operation. */
export const listUserCredentialsV2 = {
  ...listUserCredentials,
  path: '/credentials/users/:userId',
  operationId: 'listUserCredentialsV2',
} as const satisfies Endpoint;

export const deleteUserCredential = {
  method: 'DELETE',
  path: '/users/:userId/credentials/:credentialId',
  operationId: 'deleteUserCredential',
  auth: 'apiKey',
  params: UserCredentialParams,
  response: DeleteCredentialResponse,
} as const satisfies Endpoint;

export const createCredential = {
  method: 'POST',
  path: '/headless/credentials',
  operationId: 'createCredential',
  auth: 'apiKey',
  body: CreateCredentialRequest,
  response: CreateCredentialResponse,
} as const satisfies Endpoint;

export const getOAuthUrl = {
  method: 'GET',
  path: '/headless/oauthUrl',
  operationId: 'getOAuthUrl',
  auth: 'apiKey',
  query: OAuthUrlQuery,
  response: OAuthUrlResponse,
} as const satisfies Endpoint;

export const startInstallation = {
  method: 'POST',
  path: '/headless/startInstallation',
  operationId: 'startInstallation',
  auth: 'apiKey',
  body: StartInstallationRequest,
  response: StartInstallationResponse,
} as const satisfies Endpoint;

export const completeInstallation = {
  method: 'POST',
  path: '/headless/completeInstallation',
  operationId: 'completeInstallation',
  auth: 'apiKey',
  body: CompleteInstallationRequest,
  response: CompleteInstallationResponse,
  idempotent: true,
} as const satisfies Endpoint;

// ---------------------------------------------------------------------------------------------
// Runs and logs

export const runEvent = {
  method: 'POST',
  path: '/run/event',
  operationId: 'runEvent',
  auth: 'apiKey',
  body: RunEventRequest,
  response: RunEventResponse,
  idempotent: true,
} as const satisfies Endpoint;

export const runWorkflow = {
  method: 'POST',
  path: '/run/workflow',
  operationId: 'runWorkflow',
  auth: 'apiKey',
  body: RunWorkflowRequest,
  response: RunWorkflowResponse,
  idempotent: true,
} as const satisfies Endpoint;

export const listWorkflowLogs = {
  method: 'GET',
  path: '/workflows/:workflowId/logs',
  operationId: 'listWorkflowLogs',
  auth: 'apiKey',
  params: WorkflowParams,
  query: WorkflowLogsQuery,
  response: WorkflowLogsResponse,
} as const satisfies Endpoint;

export const getWorkflowAnalytics = {
  method: 'GET',
  path: '/workflows/:workflowId/analytics',
  operationId: 'getWorkflowAnalytics',
  auth: 'apiKey',
  params: WorkflowParams,
  query: WorkflowAnalyticsQuery,
  response: WorkflowAnalyticsResponse,
} as const satisfies Endpoint;

export const listWorkflowErrors = {
  method: 'GET',
  path: '/workflows/:workflowId/errors',
  operationId: 'listWorkflowErrors',
  auth: 'apiKey',
  params: WorkflowParams,
  query: WorkflowErrorsQuery,
  response: WorkflowErrorsResponse,
} as const satisfies Endpoint;

export const searchLogs = {
  method: 'GET',
  path: '/logs',
  operationId: 'searchLogs',
  auth: 'apiKey',
  query: LogSearchQuery,
  response: LogSearchResponse,
} as const satisfies Endpoint;

export const getExecution = {
  method: 'GET',
  path: '/logs/:executionId',
  operationId: 'getExecution',
  auth: 'apiKey',
  params: ExecutionParams,
  response: ExecutionResponse,
} as const satisfies Endpoint;

export const deleteUserLogs = {
  method: 'DELETE',
  path: '/users/:userId/logs',
  operationId: 'deleteUserLogs',
  auth: 'apiKey',
  params: UserParams,
  query: OptionalUserQuery,
  response: DeleteUserLogsResponse,
} as const satisfies Endpoint;

export const rerunExecution = {
  method: 'POST',
  path: '/workflows/:workflowId/rerun/:executionId',
  operationId: 'rerunExecution',
  auth: 'apiKey',
  params: RerunParams,
  query: RerunQuery,
  body: EmptyBody,
  response: RerunResponse,
  idempotent: true,
} as const satisfies Endpoint;

export const listWebhookDeliveries = {
  method: 'GET',
  path: '/webhook-deliveries',
  operationId: 'listWebhookDeliveries',
  auth: 'apiKey',
  query: WebhookDeliveryListQuery,
  response: WebhookDeliveryListResponse,
} as const satisfies Endpoint;

export const getWebhookDelivery = {
  method: 'GET',
  path: '/webhook-deliveries/:deliveryId',
  operationId: 'getWebhookDelivery',
  auth: 'apiKey',
  params: WebhookDeliveryParams,
  response: WebhookDeliveryResponse,
} as const satisfies Endpoint;

export const retryWebhookDelivery = {
  method: 'POST',
  path: '/webhook-deliveries/:deliveryId/retry',
  operationId: 'retryWebhookDelivery',
  auth: 'apiKey',
  params: WebhookDeliveryParams,
  body: EmptyBody,
  response: WebhookDeliveryResponse,
} as const satisfies Endpoint;

// ---------------------------------------------------------------------------------------------
// Widget: what the browser SDK and the install modal call with the user token

export const widgetGetIntegration = {
  method: 'GET',
  path: '/widget/integrations/:integrationId',
  operationId: 'widgetGetIntegration',
  auth: 'userToken',
  params: IntegrationParams,
  response: WidgetIntegration,
} as const satisfies Endpoint;

export const widgetCreateInstallation = {
  method: 'POST',
  path: '/widget/installations',
  operationId: 'widgetCreateInstallation',
  auth: 'userToken',
  body: CreateInstallationRequest,
  response: InstallationResponse,
  status: 201,
  idempotent: true,
} as const satisfies Endpoint;

export const widgetDeleteInstallation = {
  method: 'DELETE',
  path: '/widget/integrations/:integrationId/installation',
  operationId: 'widgetDeleteInstallation',
  auth: 'userToken',
  params: IntegrationParams,
  response: UninstallResponse,
} as const satisfies Endpoint;

export const widgetListApps = {
  method: 'GET',
  path: '/widget/integrations/:integrationId/apps',
  operationId: 'widgetListApps',
  auth: 'userToken',
  params: IntegrationParams,
  response: WidgetAppsResponse,
} as const satisfies Endpoint;

export const widgetCreateCredential = {
  method: 'POST',
  path: '/widget/credentials',
  operationId: 'widgetCreateCredential',
  auth: 'userToken',
  body: CreateWidgetCredentialRequest,
  response: WidgetCredentialResponse,
} as const satisfies Endpoint;

export const widgetStartOAuth = {
  method: 'POST',
  path: '/widget/oauth/sessions',
  operationId: 'widgetStartOAuth',
  auth: 'userToken',
  body: StartOAuthRequest,
  response: OAuthSession,
  status: 201,
} as const satisfies Endpoint;

export const widgetGetOAuthSession = {
  method: 'GET',
  path: '/widget/oauth/sessions/:sessionId',
  operationId: 'widgetGetOAuthSession',
  auth: 'userToken',
  params: OAuthSessionParams,
  response: OAuthSessionView,
} as const satisfies Endpoint;

export const widgetFieldOptions = {
  method: 'GET',
  path: '/widget/integrations/:integrationId/fields/:workflowId/:blockId/:fieldName/options',
  operationId: 'widgetFieldOptions',
  auth: 'userToken',
  params: FieldOptionsParams,
  query: FieldOptionsQuery,
  response: FieldOptionsResponse,
} as const satisfies Endpoint;

export const widgetGetRegions = {
  method: 'GET',
  path: '/widget/regions',
  operationId: 'widgetGetRegions',
  auth: 'userToken',
  response: RegionsResponse,
} as const satisfies Endpoint;
