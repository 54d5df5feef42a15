/** The installs module: what users installed (integrations, workflows, headless installs, Embedded Links). */
export {
  IntegrationService,
  type InstallListener,
  type InstallOptions,
  type InstalledEvent,
  type SettleUser,
  type StoredConfig,
} from './integrations.js';
export { WorkflowService, installedVersionCounts, upgradeBlockers, type WorkflowRef } from './workflows.js';
export { HeadlessInstallService, PENDING_INSTALLATION_TTL_MS } from './headless.js';
export { LINK_LIST_LIMIT, LinkService, type LinkState } from './links.js';
export { LINK_PAGE_SESSION_TTL_MS, MAX_LINK_PAGE_SESSIONS_PER_LINK } from './link-pages.js';
export { openConfig, sealConfig, sealLegacyConfigs } from './config-answers.js';
export { appsNeeded } from './needed-apps.js';
export type { InstalledWorkflow } from './repository.js';
export { integrationRoutes } from './integration-routes.js';
export { workflowRoutes } from './workflow-routes.js';
export { linkPageRoutes } from './link-page-routes.js';
