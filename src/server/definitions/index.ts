/** The definitions module's public face: what other modules may import. */
export {
  type ActionBlock,
  type AnyBlock,
  DefinitionError,
  type DefinitionSet,
  type DefinitionSource,
  type IntegrationDefinition,
  type TriggerDefinition,
  type WorkflowDefinition,
  type WorkflowEntry,
  type WorkflowVersionDefinition,
  blockConnector,
  blockIcon,
  checkDraftVersion,
  configurableFields,
  findVersion,
  latestVersion,
  optionsConnector,
  userConfigurableFields,
  versionBlocks,
  versionConnectors,
} from './definitions.js';
export { type EventValidator } from './event-schema.js';
export { checkTextRules, checkValue, isEmpty, normalise } from './field-values.js';
export { DefinitionRegistry } from './registry.js';
export { DefinitionBuilder, type BuilderHooks, type ConsoleExport, type ConsoleMadeIntegration } from './builder.js';
