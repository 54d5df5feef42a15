import type { PayloadEnvironment as Environment } from '../../../contract/index.js';

/**
 * The tables as Kysely sees them, one interface per table, written from the migrations in
 * `sqlite.ts` (the migrations are the truth; keep this in step when one is added).
 * Timestamps are ISO-8601 text; booleans are 0/1 integers; JSON columns are text.
 */
export interface DB {
  definition_generation: DefinitionGenerationTable;
  settings: SettingsTable;
  users: UsersTable;
  installations: InstallationsTable;
  user_workflows: UserWorkflowsTable;
  idempotency_keys: IdempotencyKeysTable;
  released_versions: ReleasedVersionsTable;
  environment_settings: EnvironmentSettingsTable;
  credentials: CredentialsTable;
  installation_credentials: InstallationCredentialsTable;
  pending_installations: PendingInstallationsTable;
  link_tokens: LinkTokensTable;
  run_queue: RunQueueTable;
  executions: ExecutionsTable;
  execution_counts: ExecutionCountsTable;
  execution_blocks: ExecutionBlocksTable;
  outbound_deliveries: OutboundDeliveriesTable;
  app_subscriptions: AppSubscriptionsTable;
  app_subscription_retries: AppSubscriptionRetriesTable;
  oauth_sessions: OAuthSessionsTable;
  link_sessions: LinkSessionsTable;
  console_admins: ConsoleAdminsTable;
  console_sessions: ConsoleSessionsTable;
  console_setup_tokens: ConsoleSetupTokensTable;
  console_api_keys: ConsoleApiKeysTable;
  integration_states: IntegrationStatesTable;
  console_integrations: ConsoleIntegrationsTable;
  console_workflows: ConsoleWorkflowsTable;
  console_workflow_versions: ConsoleWorkflowVersionsTable;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface UsersTable {
  id: string;
  env: Environment;
  username: string;
  full_name: string | null;
  created_at: string;
}

export interface InstallationsTable {
  id: string;
  user_id: string;
  integration_id: string;
  created_at: string;
  updated_at: string;
}

export interface UserWorkflowsTable {
  user_id: string;
  workflow_id: string;
  installation_id: string;
  version: number;
  active: number;
  config: string;
  installed_at: string;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  status: number;
  response: string;
  created_at: string;
}

export interface ReleasedVersionsTable {
  workflow_id: string;
  version: number;
  content_hash: string;
  released_at: string;
}

export interface EnvironmentSettingsTable {
  env: Environment;
  key: string;
  value: string;
}

/** Sealed with AES-256-GCM: the key never enters the database. */
interface SealedColumns {
  key_id: string;
  iv: Buffer;
  ciphertext: Buffer;
  auth_tag: Buffer;
}

export interface CredentialsTable extends SealedColumns {
  id: string;
  user_id: string;
  connector: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface InstallationCredentialsTable {
  installation_id: string;
  connector: string;
  credential_id: string;
}

export interface PendingInstallationsTable {
  id: string;
  user_id: string;
  integration_id: string;
  workflow_ids: string;
  credential_ids: string;
  created_at: string;
  expires_at: string;
}

export interface LinkTokensTable {
  token_hash: string;
  user_id: string;
  integration_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  claimed_session_hash: string | null;
}

export type RunKind = 'event' | 'workflow' | 'appEvent' | 'installation' | 'rerun';
export type RunStatus = 'queued' | 'running' | 'done' | 'failed';

export interface RunQueueTable {
  id: string;
  env: Environment;
  user_id: string;
  kind: RunKind;
  event_name: string | null;
  workflow_id: string | null;
  payload: string;
  status: RunStatus;
  attempts: number;
  available_at: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  last_error: string | null;
  dedupe_key: string | null;
  rerun_of: string | null;
  created_at: string;
  updated_at: string;
}

export type ExecutionMode = 'trigger' | 'webhook' | 'manual' | 'retry' | 'internal';
export type ExecutionStatus = 'running' | 'success' | 'error';

/** Executions per environment, workflow and status, kept by triggers (see the migration); sum the shards. */
export interface ExecutionCountsTable {
  env: Environment;
  workflow_id: string;
  status: ExecutionsTable['status'];
  shard: number;
  n: number;
}

export interface ExecutionsTable {
  id: string;
  env: Environment;
  user_id: string;
  workflow_id: string;
  workflow_version: number;
  integration_id: string;
  run_id: string | null;
  mode: ExecutionMode;
  status: ExecutionStatus;
  started_at: string;
  stopped_at: string | null;
  error_block_id: string | null;
  error_message: string | null;
  created_at: string;
}

export interface ExecutionBlocksTable {
  execution_id: string;
  position: number;
  block_id: string;
  block_type: string;
  connector: string | null;
  status: 'success' | 'error' | 'skipped';
  input: string | null;
  output: string | null;
  error: string | null;
  started_at: string;
  stopped_at: string | null;
}

export type DeliveryKind = 'installationWebhook' | 'errorStream';
export type DeliveryStatus = 'pending' | 'sending' | 'delivered' | 'failed';

export interface OutboundDeliveriesTable {
  id: string;
  env: Environment;
  kind: DeliveryKind;
  url: string;
  headers: string;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  response_status: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

export interface AppSubscriptionsTable extends SealedColumns {
  user_id: string;
  workflow_id: string;
  env: Environment;
  connector: string;
  event: string;
  credential_id: string;
  external_id: string;
  target_url: string;
  created_at: string;
}

/** A user whose app subscriptions are out of date: the failed sync is retried from here, on any node. */
export interface AppSubscriptionRetriesTable {
  user_id: string;
  /** Failed syncs since the last success (or since the retries were given up). */
  attempts: number;
  /** When the next attempt is due (or a claim's lease ends); null: given up until the next change or start. */
  next_attempt_at: string | null;
  last_error: string | null;
  /** Grows with every write: a sync deletes the row only if it is still the one it saw. */
  revision: number;
  updated_at: string;
}

export type OAuthSessionStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled' | 'expired';

export interface OAuthSessionsTable {
  id: string;
  user_id: string;
  connector: string;
  origin: string;
  state: string;
  code_verifier: string;
  fields: string;
  status: OAuthSessionStatus;
  credential_id: string | null;
  message: string | null;
  created_at: string;
  expires_at: string;
  completed_at: string | null;
  browser_hash: string | null;
  started_at: string | null;
}

export interface LinkSessionsTable {
  id_hash: string;
  token_hash: string;
  created_at: string;
  expires_at: string;
}

export interface DefinitionGenerationTable {
  id: number;
  fingerprint: string;
  generation: number;
  updated_at: string;
}

/** The console's admin: `password_hash` is `scrypt$N$r$p$<salt>$<key>` (base64url). */
export interface ConsoleAdminsTable {
  username: string;
  password_hash: string;
  created_at: string;
}

/** A console sign-in: the cookie's SHA-256 (hex) and the CSRF token the page sends back. */
export interface ConsoleSessionsTable {
  id_hash: string;
  username: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

/** The one-time setup token's SHA-256 (hex), while no admin exists. */
export interface ConsoleSetupTokensTable {
  token_hash: string;
  created_at: string;
  expires_at: string;
}

/**
 * What the console shows of an environment's API key: the SHA-256 (hex) of the key it made or
 * saw, its last four characters (null once revoked) and when. `active` is 0 after a revocation.
 */
export interface ConsoleApiKeysTable {
  env: Environment;
  key_sha256: string;
  hint: string | null;
  active: number;
  created_at: string;
}

export interface IntegrationStatesTable {
  env: Environment;
  integration_id: string;
  active: number;
  updated_at: string;
}

/** An integration made in the console (definitions module). */
export interface ConsoleIntegrationsTable {
  id: string;
  name: string;
  app: string;
  description: string;
  icon: string;
  created_at: string;
}

/** A console-made workflow and its draft (`WorkflowDraft` as JSON). */
export interface ConsoleWorkflowsTable {
  id: string;
  integration_id: string;
  draft: string;
  draft_saved_at: string;
  created_at: string;
}

/** A released version of a console-made workflow: `content` is `{trigger, blocks}` as JSON. */
export interface ConsoleWorkflowVersionsTable {
  workflow_id: string;
  version: number;
  name: string;
  description: string | null;
  content: string;
  released_at: string;
}
