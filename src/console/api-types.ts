/**
 * The seam between the console's shell and its views: the shell owns the session, the CSRF token
 * and the environment switch and hands every view a `ConsoleApi`; a view only says which ISV
 * endpoint it wants and which contract schema its answer must match (or calls one of the console's
 * own endpoints, such as `integrations()`). A view never calls `fetch`
 * itself, so the session rules live in one place and views are tested with any `ConsoleApi`.
 */
import type * as z from 'zod/mini';
import type {
  ConsoleIntegrationListResponse,
  ConsoleLinkListResponse,
  ConsoleUserListResponse,
} from '../contract/console.js';
import type {
  ConsoleConnectorListResponse,
  ConsoleIntegrationDetail,
  ConsoleWorkflowDetail,
  CreateIntegrationBody,
  CreateWorkflowBody,
  ReleaseResponse,
  SaveDraftBody,
  SaveDraftResponse,
  SetActiveResponse,
  TestRunBody,
  TestRunResponse,
} from '../contract/console-builder.js';

export type ConsoleEnvironment = 'development' | 'production';
export const CONSOLE_ENVIRONMENTS: readonly ConsoleEnvironment[] = ['development', 'production'];

export type ConsoleLanguage = 'en' | 'es' | 'fr' | 'de';

export type ConsoleQuery = Readonly<Record<string, string | number | boolean | undefined>>;

export interface ConsoleRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A documented ISV REST path, dated or not, e.g. `/2024-03/integrations` or `/logs/:id` filled in. */
  path: string;
  query?: ConsoleQuery;
  body?: unknown;
}

export interface ConsoleApi {
  /** The environment every call of this object acts in; the shell hands out a new object on a switch. */
  readonly env: ConsoleEnvironment;
  /**
   * Calls the ISV REST API as the signed-in admin (`/console/api/isv<path>` with the session cookie,
   * the CSRF header and `x-alloy-env`), and parses the answer with `schema`. Throws `ConsoleApiError`.
   */
  isv<T>(request: ConsoleRequest, schema: z.ZodMiniType<T>): Promise<T>;
  /**
   * The console's own list of the integrations as defined, with their install counts
   * (`GET /console/api/integrations` in this api's environment). Throws `ConsoleApiError`.
   */
  integrations(): Promise<ConsoleIntegrationListResponse>;
  /**
   * The Embedded Links made in this api's environment, newest first (at most 50), with their
   * status; optionally one user's and/or one integration's (`GET /console/api/links`). Throws
   * `ConsoleApiError`.
   */
  links(query: ConsoleLinkQuery): Promise<ConsoleLinkListResponse>;
  /**
   * The console's user search (`GET /console/api/users` in this api's environment): the users whose
   * username or full name starts with `search` (case-insensitive), or every user without it, in
   * creation order; pass the previous page's `nextCursor` as `cursor`. Throws `ConsoleApiError`.
   */
  searchUsers(options: ConsoleUserSearch): Promise<ConsoleUserListResponse>;
  // The builder (`/console/api/...`, src/contract/console-builder.ts). Each throws `ConsoleApiError`.
  /** The connector catalogue with events (and their data schemas), actions and option loaders. */
  connectors(): Promise<ConsoleConnectorListResponse>;
  integration(integrationId: string): Promise<ConsoleIntegrationDetail>;
  createIntegration(body: CreateIntegrationBody): Promise<ConsoleIntegrationDetail>;
  createWorkflow(integrationId: string, body: CreateWorkflowBody): Promise<ConsoleWorkflowDetail>;
  workflow(workflowId: string): Promise<ConsoleWorkflowDetail>;
  /** Autosave; 409 `conflict` when `baseSavedAt` is not the stored draft's. */
  saveDraft(workflowId: string, body: SaveDraftBody): Promise<SaveDraftResponse>;
  release(workflowId: string): Promise<ReleaseResponse>;
  setActive(integrationId: string, active: boolean): Promise<SetActiveResponse>;
  testRun(body: TestRunBody): Promise<TestRunResponse>;
}

/** The filters of `ConsoleApi.links`. */
export interface ConsoleLinkQuery {
  userId?: string;
  integrationId?: string;
}

export interface ConsoleUserSearch {
  search?: string | undefined;
  cursor?: string | undefined;
  /** Users per page, 1-100 (the server's default, 25, when absent). */
  limit?: number | undefined;
}

/** Why a console call failed: the API's error code and message, or `network` / `invalid_response`. */
export class ConsoleApiError extends Error {
  override readonly name = 'ConsoleApiError';
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly requestId?: string,
  ) {
    super(message);
  }
}
