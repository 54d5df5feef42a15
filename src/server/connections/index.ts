/**
 * The connections module's public face: users' credentials (sealed at rest), our OAuth client
 * flow, which connection a run uses (with token refresh), app-event triggers, the connector
 * catalogue, and the module's routes. Other modules import only this file.
 */
export { AppTriggers, type ReceiverOutcome } from './app-triggers.js';
export { Connections, MissingConnectionError, type CredentialRefresher } from './connections.js';
export {
  CONNECTORS,
  ConnectorError,
  credentialMetadata,
  appNameOf,
  findConnector,
  oauthOf,
  type AppDelivery,
  type Connector,
  type ConnectorAction,
  type ConnectorContext,
  type ConnectorEvent,
  type ConnectorProperty,
  type CredentialData,
  type OAuth2Auth,
  type OptionLoader,
} from './connectors/index.js';
export { credentialRoutes } from './credential-routes.js';
export { checkProperties, CredentialService, type ConnectionChangeHooks } from './credentials.js';
export {
  checkOrigin,
  OAUTH_OPEN_TTL_MS,
  OAUTH_SESSION_TTL_MS,
  OAuthClientFlow,
  OAuthTokenError,
  oauthBrowserCookie,
  REFRESH_MARGIN_MS,
  sealLegacyVerifiers,
} from './oauth.js';
export { oauthCallbackRoutes } from './oauth-callback-routes.js';
export { receiverRoutes } from './receiver-routes.js';
