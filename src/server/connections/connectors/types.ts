import type { OutboundHttp } from '../../platform/outbound-http.js';
import type { FieldRules } from '../../../contract/index.js';

/** One field a user fills in to connect the app. `secret` values are encrypted and never returned. */
export interface ConnectorProperty {
  name: string;
  displayName: string;
  description: string;
  type: 'text' | 'secret';
  required: boolean;
  rules?: FieldRules;
}

/** A stored credential's decrypted data (e.g. `{apiKey, storeId}`), only ever held in memory. */
export type CredentialData = Readonly<Record<string, string>>;

/** What a connector needs to call its app. */
export interface ConnectorContext {
  /** This server's public base URL (sandbox apps are served under it). */
  publicUrl: string;
  /** The process's guarded HTTP client: every call to an app goes through it. */
  http: OutboundHttp;
  /** Cancels the call (the server is stopping). */
  signal?: AbortSignal | undefined;
  /** Per request; a slower app counts as unreachable. */
  timeoutMs: number;
}

export type ConnectorErrorKind =
  /** The app refused the credential: wrong key, another account, revoked. */
  | 'credential_invalid'
  /** Network failure, timeout, 429 or 5xx: worth retrying later. */
  | 'unreachable'
  /** The app refused the request itself (unknown record, bad value, conflict). */
  | 'rejected'
  /** The server is stopping; the call did not happen or its answer is unknown. */
  | 'aborted';

/** Why a call to the app failed; `retryable` drives the runtime's backoff. */
export class ConnectorError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly kind: ConnectorErrorKind,
    message: string,
    readonly status: number | null = null,
    readonly retryAfterMs?: number,
    /** For `credential_invalid`: the auth property the app refused, when it says which. */
    readonly field?: string,
  ) {
    super(message);
    this.retryable = kind === 'unreachable';
  }
}

/** A verified, parsed delivery from the app. */
export interface AppDelivery {
  /** The app's event (topic) name, e.g. `order.created`. */
  event: string;
  /** The app's id for this delivery, the same on its retries: one run per id. */
  deliveryId: string;
  /** The trigger's data for the workflow (`{{trigger.*}}`). */
  data: Record<string, unknown>;
}

/** A trigger the app can fire (`appEvent` triggers name one), with how to subscribe to it. */
export interface ConnectorEvent {
  name: string;
  description: string;
  /**
   * What the delivery's `data` holds, in the custom-event schema notation (`"String"`, `"Number?"`,
   * nested objects, one-element arrays): what a workflow's `{{trigger.*}}` can name.
   */
  schema: Record<string, unknown>;
  /** Registers `url` with the app; returns the app's id for the subscription and its signing secret. */
  subscribe(
    ctx: ConnectorContext,
    credential: CredentialData,
    url: string,
  ): Promise<{ externalId: string; secret: string }>;
  /** Removes the subscription; one the app no longer knows is not an error. */
  unsubscribe(ctx: ConnectorContext, credential: CredentialData, externalId: string): Promise<void>;
  /** Checks the delivery's signature over the raw body with the subscription's secret. */
  verify(delivery: {
    headers: Readonly<Record<string, string | string[] | undefined>>;
    rawBody: string;
    secret: string;
  }): boolean;
  /** Reads a verified delivery; a string says what is wrong with it. */
  parse(delivery: {
    headers: Readonly<Record<string, string | string[] | undefined>>;
    body: unknown;
  }): AppDelivery | string;
}

/** Something a `connectorAction` block can do in the app, with the inputs it takes. */
export interface ConnectorAction {
  name: string;
  description: string;
  inputs: { name: string; required: boolean; description?: string }[];
  /** Calls the app; the result is the block's output (`{{blocks.<id>.*}}`). */
  run(ctx: ConnectorContext, credential: CredentialData, input: Readonly<Record<string, unknown>>): Promise<unknown>;
}

/** Loads the choices of a `dynamicSelect` field from the app, with the user's credential. */
export interface OptionLoader {
  name: string;
  description: string;
  load(ctx: ConnectorContext, credential: CredentialData): Promise<{ value: string; label: string }[]>;
}

/** Connecting with fields the user types (API key and friends). */
export interface ApiKeyAuth {
  type: 'apiKey';
  properties: ConnectorProperty[];
}

/**
 * Connecting with OAuth 2 (authorization code + PKCE S256). `properties` are asked before the
 * redirect (e.g. the shop subdomain) and passed to the authorize URL; paths are on this server's
 * public URL for sandbox apps.
 */
export interface OAuth2Auth {
  type: 'oauth2';
  properties: ConnectorProperty[];
  authorizePath: string;
  tokenPath: string;
  revokePath: string;
  clientId: string;
  scopes: string[];
}

/** Everything the server knows about one third-party app. Every connector follows this shape. */
export interface Connector {
  /** The camelCase name the API uses (`credential.type`, `/metadata/credentials/:name`). */
  id: string;
  displayName: string;
  /** A path under the server (`/static/...`) or an absolute URL. */
  icon: string;
  /** The default way to connect (for API-key apps, what `POST /headless/credentials` takes). */
  auth: ApiKeyAuth | OAuth2Auth;
  /** OAuth offered next to an API key (`auth`), when the app supports both. */
  oauth?: OAuth2Auth;
  /**
   * Checks a credential against the app before it is stored; throws a ConnectorError
   * (`credential_invalid` or `unreachable`) saying what is wrong.
   */
  testCredential(ctx: ConnectorContext, credential: CredentialData): Promise<void>;
  events: ConnectorEvent[];
  actions: ConnectorAction[];
  optionLoaders: OptionLoader[];
  /** A readable label for a stored credential, from its non-secret properties. */
  credentialLabel(data: CredentialData): string;
}
