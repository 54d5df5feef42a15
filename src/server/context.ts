import type { Db } from './db.js';
import type { DefinitionRegistry } from './definition-registry.js';
import type { RetentionJob } from './retention.js';
import type { Runtime } from './runtime/runtime.js';
import type { ServerSecrets } from './secrets.js';
import type { CredentialService } from './services/credentials.js';
import type { ExecutionStore } from './services/executions.js';
import type { HeadlessInstallService } from './services/headless.js';
import type { IntegrationService } from './services/integrations.js';
import type { LinkService } from './services/links.js';
import type { OAuthClientFlow } from './services/oauth.js';
import type { RunService } from './services/runs.js';
import type { SettingsService } from './services/settings.js';
import type { UserService } from './services/users.js';
import type { WorkflowService } from './services/workflows.js';
import type { EnvironmentSigningKeys } from './webhook-signing.js';

/** The long-lived parts every route needs, built once by `createServer`. */
export interface AppContext {
  db: Db;
  secrets: ServerSecrets;
  definitions: DefinitionRegistry;
  users: UserService;
  integrations: IntegrationService;
  workflows: WorkflowService;
  runs: RunService;
  executions: ExecutionStore;
  credentials: CredentialService;
  headless: HeadlessInstallService;
  links: LinkService;
  /** Our OAuth client: the modal's popup sessions, code exchange and token refresh. */
  oauth: OAuthClientFlow;
  settings: SettingsService;
  /** The workflow runtime: run queue and worker, app triggers, outgoing deliveries. */
  runtime: Runtime;
  /**
   * Each environment's signing material for outgoing requests; the public halves are served at
   * /security/{development,production}/alloy_public_key.pem.
   */
  signingKeys: EnvironmentSigningKeys;
  retention: RetentionJob;
  publicUrl: string;
  /** A definition's relative path (`/static/...`) as an absolute URL on this server. */
  absoluteUrl(pathOrUrl: string): string;
}
