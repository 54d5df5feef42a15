/**
 * The server-side entry (`alloy-embedded-kit/node`): the ISV backend's API client and the
 * verifiers for the requests our server sends to the ISV. Node only (it uses `node:crypto`);
 * browser code never imports it.
 */
import { Alloy } from './client.js';

export { Alloy, DEFAULT_API_VERSION, DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, type AlloyOptions } from './client.js';
export {
  AlloyApiError,
  CLIENT_ERROR_CODES,
  isAlloyApiError,
  type AlloyApiErrorCode,
  type AlloyApiErrorDetails,
  type ClientErrorCode,
} from './errors.js';
export { NODE_CLIENT_VERSION } from './transport.js';
export type * from './types.js';
export type { ApiErrorCode, ValidationIssue } from '../contract/index.js';
export {
  ALLOY_ENVIRONMENTS,
  ENVIRONMENT_HEADER,
  standardWebhookSignature,
  verifyAlloyRequest,
  verifyAlloySignature,
  verifyStandardWebhook,
  WebhookVerificationError,
  WEBHOOK_TOLERANCE_SECONDS,
  type AlloyEnvironment,
  type AlloyRequest,
  type AlloySignatureInput,
  type EnvironmentVerificationKeys,
  type HeaderBag,
  type StandardWebhookOptions,
} from './webhooks.js';

export default Alloy;
