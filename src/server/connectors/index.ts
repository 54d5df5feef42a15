import type { CredentialMetadata } from '../../contract/index.js';
import { demoStore } from './demo-store.js';
import type { Connector } from './types.js';

export type { Connector, ConnectorAction, ConnectorAuth, ConnectorEvent, ConnectorProperty } from './types.js';

/** The connector catalog: every app an integration may use. */
export const CONNECTORS: readonly Connector[] = [demoStore];

export function findConnector(id: string): Connector | undefined {
  return CONNECTORS.find((c) => c.id === id);
}

/** Only OAuth connectors have an authorize URL; none exist until the sandbox OAuth provider lands. */
export function isOauth(connector: Connector): boolean {
  return connector.auth.type !== 'apiKey';
}

/** The public description of how to connect an app (`GET /metadata/credentials`). */
export function credentialMetadata(connector: Connector, absoluteUrl: (path: string) => string): CredentialMetadata {
  return {
    connector: connector.id,
    displayName: connector.displayName,
    icon: absoluteUrl(connector.icon),
    isOauth: isOauth(connector),
    properties: connector.auth.properties.map((p) => ({
      name: p.name,
      displayName: p.displayName,
      description: p.description,
      type: p.type,
      required: p.required,
      ...(p.rules ? { rules: p.rules } : {}),
    })),
  };
}
