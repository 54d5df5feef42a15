/** The console module: the ISV console's admin, sessions, setup token and API keys, its API under /console/api and its pages. */
export {
  ConsoleService,
  SESSION_TTL_MS,
  SETUP_TOKEN_TTL_MS,
  WRONG_CREDENTIALS,
  type ConsoleKey,
  type ConsoleOptions,
  type CreatedKey,
  type SessionState,
  type SignedIn,
} from './console.js';
export { SCRYPT_COST, type ScryptCost } from './passwords.js';
export {
  consoleActiveRoutes,
  type SetIntegrationActive,
  consoleApiRoutes,
  consoleBuilderRoutes,
  consoleExportRoutes,
  consoleIsvCredential,
  consoleLinkRoutes,
  consoleTestRunRoutes,
  type ConsoleBuilder,
  type ConsoleUserSearch,
  CSRF_HEADER,
  ENV_HEADER,
  LOGIN_FAILURES_ALLOWED,
  LOGIN_FAILURE_WINDOW_MS,
  SESSION_COOKIE,
  type ExportedIntegration,
} from './routes.js';
export { CONSOLE_CSP, consolePageRoutes, type ConsolePagesOptions } from './pages.js';
