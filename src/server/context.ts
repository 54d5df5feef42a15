import type { Database } from './platform/db/index.js';
import type { ServerBrand } from './platform/config.js';
import type { DefinitionRegistry } from './definitions/index.js';
import type { RetentionJob } from './runs/index.js';
import type { Runtime } from './runs/index.js';
import type { ServerSecrets } from './users/index.js';
import type { CredentialService, OAuthClientFlow } from './connections/index.js';
import type { ExecutionStore } from './runs/index.js';
import type { HeadlessInstallService } from './installs/index.js';
import type { IntegrationService } from './installs/index.js';
import type { LinkService } from './installs/index.js';
import type { RunService } from './runs/index.js';
import type { UserService } from './users/index.js';
import type { WorkflowService } from './installs/index.js';
import type { EnvironmentSigningKeys, SettingsService } from './deliveries/index.js';

/** The long-lived parts every route needs, built once by `createServer`. */
export interface AppContext {
  /** The storage seam (Kysely). */
  database: Database;
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
  /** The ISV's name and logo on the hosted pages (`ALLOY_BRAND_NAME`, `ALLOY_BRAND_LOGO_URL`). */
  brand: ServerBrand;
}
