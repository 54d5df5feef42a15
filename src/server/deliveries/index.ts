/** The deliveries module: the outbox of signed outgoing webhooks, the environment settings, signing. */
export { DeliveryOutbox, newMessageId, type OutboundDelivery } from './deliveries.js';
export { SettingsService, type UrlSettings } from './settings.js';
export { SignedSender, USER_AGENT, type SendResult, type SignedRequest } from './signed-sender.js';
export {
  ENVIRONMENT_HEADER,
  SIGNING_FILES,
  loadSigningKeys,
  signingKeyFiles,
  signatureHeaders,
  type EnvironmentSigningKeys,
  type OutgoingRequest,
  type SigningKeys,
} from './webhook-signing.js';
export { accountRoutes } from './settings-routes.js';
export { PUBLIC_KEY_PATH, publicKeyPath, securityRoutes } from './security-routes.js';
