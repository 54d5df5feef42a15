import type * as z from 'zod/mini';
import type {
  ActivateWorkflowResponse,
  AppListResponse,
  BatchCreateUsersResponse,
  CompleteInstallationRequest,
  CompleteInstallationResponse,
  CreateCredentialResponse,
  CreateUserRequest,
  CreateUserResponse,
  CredentialListResponse,
  CredentialMetadataListResponse,
  CredentialMetadataResponse,
  DeactivateWorkflowResponse,
  DeleteWorkflowResponse,
  EventListResponse,
  ExecutionResponse,
  InstallationListResponse,
  InstallUrlResponse,
  IntegrationListResponse,
  IntegrationResponse,
  LegacyOAuthRedirectResponse,
  LogFilter,
  LogSearchQuery,
  LogSearchResponse,
  MessageResponse,
  OAuthUrlResponse,
  ReloadDefinitionsResponse,
  RunEventResponse,
  RunWorkflowResponse,
  Settings,
  StartInstallationResponse,
  SuccessResponse,
  UpdateSettingsRequest,
  UpdateUserRequest,
  UpgradeWorkflowResponse,
  User,
  UserListResponse,
  UserTokenResponse,
  UserWorkflowDetailResponse,
  UserWorkflowListResponse,
  WorkflowErrorsQuery,
  WorkflowErrorsResponse,
  WorkflowLogsQuery,
  WorkflowLogsResponse,
  WorkflowUsersResponse,
  WorkflowVersionsResponse,
} from '../contract/index.js';

// Every answer type is the output of the contract schema the client parses it with, so the
// types cannot drift from what is checked at run time.
export type UserResult = z.output<typeof User>;
export type UserListResult = z.output<typeof UserListResponse>;
export type CreateUserResult = z.output<typeof CreateUserResponse>;
export type BatchCreateUsersResult = z.output<typeof BatchCreateUsersResponse>;
export type SuccessResult = z.output<typeof SuccessResponse>;
export type MessageResult = z.output<typeof MessageResponse>;
export type UserTokenResult = z.output<typeof UserTokenResponse>;
export type UserWorkflowListResult = z.output<typeof UserWorkflowListResponse>;
export type UserWorkflowDetailResult = z.output<typeof UserWorkflowDetailResponse>;
export type DeleteWorkflowResult = z.output<typeof DeleteWorkflowResponse>;
export type WorkflowVersionListResult = z.output<typeof WorkflowVersionsResponse>;
export type WorkflowUserListResult = z.output<typeof WorkflowUsersResponse>;
export type ActivateWorkflowResult = z.output<typeof ActivateWorkflowResponse>;
export type DeactivateWorkflowResult = z.output<typeof DeactivateWorkflowResponse>;
export type UpgradeWorkflowResult = z.output<typeof UpgradeWorkflowResponse>;
export type WorkflowLogsResult = z.output<typeof WorkflowLogsResponse>;
export type WorkflowErrorsResult = z.output<typeof WorkflowErrorsResponse>;
export type LogSearchResult = z.output<typeof LogSearchResponse>;
export type ExecutionResult = z.output<typeof ExecutionResponse>;
export type IntegrationListResult = z.output<typeof IntegrationListResponse>;
export type IntegrationResult = z.output<typeof IntegrationResponse>;
export type InstallationListResult = z.output<typeof InstallationListResponse>;
export type EventListResult = z.output<typeof EventListResponse>;
export type RunEventResult = z.output<typeof RunEventResponse>;
export type RunWorkflowResult = z.output<typeof RunWorkflowResponse>;
export type InstallUrlResult = z.output<typeof InstallUrlResponse>;
export type AppListResult = z.output<typeof AppListResponse>;
export type CredentialMetadataListResult = z.output<typeof CredentialMetadataListResponse>;
export type CredentialMetadataResult = z.output<typeof CredentialMetadataResponse>;
export type CredentialListResult = z.output<typeof CredentialListResponse>;
export type CreateCredentialResult = z.output<typeof CreateCredentialResponse>;
export type OAuthRedirectResult = z.output<typeof LegacyOAuthRedirectResponse>;
export type OAuthUrlResult = z.output<typeof OAuthUrlResponse>;
export type StartInstallationResult = z.output<typeof StartInstallationResponse>;
export type CompleteInstallationResult = z.output<typeof CompleteInstallationResponse>;
export type SettingsResult = z.output<typeof Settings>;
export type ReloadDefinitionsResult = z.output<typeof ReloadDefinitionsResponse>;

// Inputs are what the server's request schemas accept.
export type CreateUserInput = z.input<typeof CreateUserRequest>;
export type UpdateUserInput = z.input<typeof UpdateUserRequest>;
export type UpdateSettingsInput = z.input<typeof UpdateSettingsRequest>;
export type CompleteInstallationInput = z.input<typeof CompleteInstallationRequest>;

/** A workflow named by id or by name, as `PUT /workflows/activate|deactivate` take it. */
export type WorkflowRef =
  | { workflowId: string; workflowName?: never; userId?: string }
  | { workflowName: string; workflowId?: never; userId?: string };

export interface StartInstallationInput {
  integrationId: string;
  /** Needed only when the user has more than one credential for an app the integration uses. */
  credentialIds?: string[];
  /** A subset of the integration's workflows; all of them when absent. */
  workflowIds?: string[];
}

export type WorkflowLogsQueryInput = Omit<z.input<typeof WorkflowLogsQuery>, 'page' | 'limit'> & {
  page?: number;
  limit?: number;
};
export type WorkflowErrorsQueryInput = Omit<z.input<typeof WorkflowErrorsQuery>, 'page' | 'limit'> & {
  page?: number;
  limit?: number;
};

/** `GET /logs` with `filters` as objects (the client sends them as the JSON string the API wants). */
export type LogSearchInput = Omit<z.input<typeof LogSearchQuery>, 'filters' | 'skip' | 'limit'> & {
  filters?: z.input<typeof LogFilter>[];
  skip?: number;
  limit?: number;
};

export interface CallOptions {
  /** Cancels the call (and its retries); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface RunOptions extends CallOptions {
  /**
   * Defaults to a fresh random key per call, reused by its retries. Pass your own (e.g.
   * `order-123-fulfilled`) to make repeats across calls or processes run once too.
   */
  idempotencyKey?: string;
}
