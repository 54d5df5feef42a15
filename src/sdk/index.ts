import { createAlloyFactory, type AlloyFactory } from './factory.js';

export { createAlloy, SDK_VERSION } from './alloy.js';
export type {
  AlloyInstance,
  AuthenticateCallbackResult,
  AuthenticateOptions,
  AuthenticateResult,
  CreateAlloyOptions,
  InstallCallbackResult,
  InstallOptions,
  InstallResult,
  Region,
  UninstallCallbackResult,
  UninstallOptions,
  UninstallResult,
  WorkflowTarget,
} from './alloy.js';
export type { AlloyFactory } from './factory.js';
export type { AlloyEventListener, AlloyEventMap, AlloyEventType } from './events.js';
export type { Appearance, ConfigureOptions, Operation } from './options.js';
export type { TokenProvider } from './token.js';
export {
  AlloyError,
  ALLOY_ERROR_CODES,
  isAlloyError,
  type AlloyErrorBody,
  type AlloyErrorCode,
  type AlloyErrorDetails,
  type AlloyErrorIssue,
} from './errors.js';
export type { UserWorkflowList, WorkflowActivated, WorkflowDeactivated } from './api-client.js';
export type {
  IntegrationListResponse,
  IntegrationSummary,
  UserWorkflow,
  InstallationResponse,
  UninstallResponse,
} from '../contract/index.js';

/**
 * A ready instance that is also a factory: `Alloy.setToken(...)`, `Alloy.install(...)` as with the
 * CDN global, and `const alloy = Alloy()` as with alloy-frontend.
 */
const Alloy: AlloyFactory = createAlloyFactory();
export default Alloy;
