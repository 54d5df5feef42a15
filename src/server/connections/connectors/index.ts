import type { CredentialMetadata } from '../../../contract/index.js';
import { demoStore } from './demo-store.js';
import type { Connector, ConnectorProperty, OAuth2Auth } from './types.js';

export type {
  AppDelivery,
  Connector,
  ConnectorAction,
  ConnectorContext,
  ConnectorEvent,
  ConnectorProperty,
  CredentialData,
  OAuth2Auth,
  OptionLoader,
} from './types.js';
export { ConnectorError } from './types.js';

/** The connector catalog: every app an integration may use. */
export const CONNECTORS: readonly Connector[] = [demoStore];

export function findConnector(id: string): Connector | undefined {
  return CONNECTORS.find((c) => c.id === id);
}

/** An app's display name for the console (`appName`), when a connector knows the app. */
export function appNameOf(app: string): { appName?: string } {
  const connector = findConnector(app);
  return connector ? { appName: connector.displayName } : {};
}

/**
 * The connector's OAuth variant: its main way to connect, or the one offered next to an API key
 * (Demo Store); undefined when it connects with an API key only. A connector with one is `isOauth`
 * in the API (alloy-frontend and headless integrators branch on it to offer the OAuth redirect);
 * `properties` still lists the API-key fields and `oauth.properties` what to ask before redirecting.
 */
export function oauthOf(connector: Connector): (Connector & { oauth: OAuth2Auth }) | undefined {
  if (connector.oauth) return connector as Connector & { oauth: OAuth2Auth };
  if (connector.auth.type === 'oauth2') return { ...connector, oauth: connector.auth };
  return undefined;
}

const publicProperty = (p: ConnectorProperty) => ({
  name: p.name,
  displayName: p.displayName,
  description: p.description,
  type: p.type,
  required: p.required,
  ...(p.rules ? { rules: p.rules } : {}),
});

/** The public description of how to connect an app (`GET /metadata/credentials`). */
export function credentialMetadata(connector: Connector, absoluteUrl: (path: string) => string): CredentialMetadata {
  return {
    connector: connector.id,
    displayName: connector.displayName,
    icon: absoluteUrl(connector.icon),
    isOauth: oauthOf(connector) !== undefined,
    properties: connector.auth.properties.map(publicProperty),
    ...(connector.oauth
      ? { oauth: { properties: connector.oauth.properties.map(publicProperty), scopes: connector.oauth.scopes } }
      : {}),
  };
}
