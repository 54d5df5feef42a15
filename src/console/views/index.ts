/**
 * The console's data views: importing this module defines `alloy-console-integrations`,
 * `alloy-console-users`, `alloy-console-logs`, `alloy-console-deliveries` and
 * `alloy-console-share-dialog`. Each takes `api: ConsoleApi` and `lang: ConsoleLanguage` from the
 * shell (users and logs also a `route`), and asks the shell to change page with
 * `alloy-console-navigate` or plain links.
 */
export { AlloyConsoleIntegrations } from './integrations-view/integrations-view.js';
export { AlloyConsoleUsers } from './users-view/users-view.js';
export { AlloyConsoleLogs, logsQuery, type LogsFilters } from './logs-view/logs-view.js';
export { AlloyConsoleDeliveries } from './deliveries-view/deliveries-view.js';
export {
  AlloyConsoleShareDialog,
  LINK_EXPIRY_DAYS,
  type AlloyConsoleLinkCreatedEvent,
  type ShareIntegration,
  type ShareOptions,
} from './share-dialog/share-dialog.js';
export { navigate, type AlloyConsoleNavigateEvent } from './shared/events.js';
export { VIEW_STRINGS, viewStrings, type ViewStrings } from './strings.js';
