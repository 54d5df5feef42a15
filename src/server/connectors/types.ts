import type { FieldRules } from '../../contract/index.js';

/** One field a user fills in to connect the app. `secret` values are encrypted and never returned. */
export interface ConnectorProperty {
  name: string;
  displayName: string;
  description: string;
  type: 'text' | 'secret';
  required: boolean;
  rules?: FieldRules;
}

/** A trigger the app can fire (`appEvent` triggers name one). */
export interface ConnectorEvent {
  name: string;
  description: string;
}

/** Something a `connectorAction` block can do in the app, with the inputs it takes. */
export interface ConnectorAction {
  name: string;
  description: string;
  inputs: { name: string; required: boolean }[];
}

/** Connecting with fields the user types (API key and friends). */
export interface ApiKeyAuth {
  type: 'apiKey';
  properties: ConnectorProperty[];
}

/** How users connect the app. OAuth 2 joins this union with the sandbox OAuth provider. */
export type ConnectorAuth = ApiKeyAuth;

/** Everything the server knows about one third-party app. */
export interface Connector {
  /** The camelCase name the API uses (`credential.type`, `/metadata/credentials/:name`). */
  id: string;
  displayName: string;
  /** A path under the server (`/static/...`) or an absolute URL. */
  icon: string;
  auth: ConnectorAuth;
  events: ConnectorEvent[];
  actions: ConnectorAction[];
  /** A readable label for a stored credential, from its non-secret properties. */
  credentialLabel(data: Readonly<Record<string, string>>): string;
}
