/**
 * The console's data views: `alloy-console-integrations`, `alloy-console-users`,
 * `alloy-console-logs`, `alloy-console-deliveries`, `alloy-console-share-dialog`,
 * `alloy-console-active-switch` (an integration's Active switch) and the builder's
 * (`alloy-console-integration-page`, `alloy-console-new-integration-dialog`,
 * `alloy-console-workflow-builder` with its flow, block panel, field editor, variable picker and test
 * run panel). Each takes
 * `api: ConsoleApi` and `lang: ConsoleLanguage` from the shell (users and logs also a `route`), and
 * asks the shell to change page with `alloy-console-navigate` or plain links.
 *
 * Each component's module defines its element (Lit's `@customElement`) when it loads. This package
 * declares its modules side-effect free (`sideEffects` in package.json), so a bundler drops a bare
 * `import './views/index.js'`: call `defineConsoleViews()` (or use an export) to keep them.
 */
import { AlloyConsoleActiveSwitch } from './active-switch/active-switch.js';
import { AlloyConsoleDeliveries } from './deliveries-view/deliveries-view.js';
import { AlloyConsoleIntegrations } from './integrations-view/integrations-view.js';
import { AlloyConsoleLogs } from './logs-view/logs-view.js';
import { AlloyConsoleShareDialog } from './share-dialog/share-dialog.js';
import { AlloyConsoleUsers } from './users-view/users-view.js';
import { AlloyConsoleIntegrationPage } from './integration-page/integration-page.js';
import { AlloyConsoleNewIntegrationDialog } from './new-integration-dialog/new-integration-dialog.js';

export {
  AlloyConsoleIntegrations,
  AlloyConsoleUsers,
  AlloyConsoleLogs,
  AlloyConsoleDeliveries,
  AlloyConsoleShareDialog,
  AlloyConsoleActiveSwitch,
  AlloyConsoleIntegrationPage,
  AlloyConsoleNewIntegrationDialog,
};
export type { AlloyConsoleActiveChangeEvent } from './active-switch/active-switch.js';
// The workflow builder is its own chunk (./builder.js), loaded when a workflow is opened: only its types here.
export type {
  AlloyConsoleWorkflowBuilder,
  AlloyConsoleBuilderFlow,
  AlloyConsoleBlockPanel,
  AlloyConsoleFieldEditor,
  AlloyConsoleVariablePicker,
  AlloyConsoleTestRun,
  AlloyConsoleVersionUsers,
} from './builder.js';
export { logsQuery, type LogsFilters } from './logs-view/logs-view.js';
export {
  LINK_EXPIRY_DAYS,
  type AlloyConsoleLinkCreatedEvent,
  type ShareIntegration,
  type ShareOptions,
} from './share-dialog/share-dialog.js';
export { navigate, type AlloyConsoleNavigateEvent } from './shared/events.js';
export { VIEW_STRINGS, viewStrings, type ViewStrings } from './strings.js';

/** Every view element by tag. */
export const CONSOLE_VIEWS = {
  'alloy-console-integrations': AlloyConsoleIntegrations,
  'alloy-console-users': AlloyConsoleUsers,
  'alloy-console-logs': AlloyConsoleLogs,
  'alloy-console-deliveries': AlloyConsoleDeliveries,
  'alloy-console-share-dialog': AlloyConsoleShareDialog,
  'alloy-console-active-switch': AlloyConsoleActiveSwitch,
  'alloy-console-integration-page': AlloyConsoleIntegrationPage,
  'alloy-console-new-integration-dialog': AlloyConsoleNewIntegrationDialog,
} as const;

/**
 * Makes sure every view element is defined. Their modules already defined them on load; calling
 * this is what keeps those modules in a bundle that drops side-effect-only imports.
 */
export function defineConsoleViews(): void {
  for (const [tag, element] of Object.entries(CONSOLE_VIEWS)) {
    if (!customElements.get(tag)) customElements.define(tag, element);
  }
}
