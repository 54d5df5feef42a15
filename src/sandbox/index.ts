import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { adminRoutes } from './admin-routes.js';
import { apiRoutes } from './api-routes.js';
import { CommerceService } from './commerce.js';
import { addFormParser } from './forms.js';
import { getEmbeddedOAuthClient, OAuthService, registerOAuthClient, type OAuthClientCredentials } from './oauth.js';
import { oauthMetadataRoute, oauthRoutes } from './oauth-routes.js';
import { newOwnerSecret, OwnerService } from './owners.js';
import { DEFAULT_STORE, seedSandbox } from './schema.js';
import { weakPinnedKeyReason } from '../server/platform/config.js';
import { FailureGuard } from '../server/platform/failure-guard.js';
import type { OutboundHttp } from '../server/platform/outbound-http.js';
import { openSandboxDatabase, type SandboxDatabase } from './db.js';
import { StoreService } from './stores.js';
import { DEFAULT_DELIVERY_OPTIONS, WebhookService, type WebhookDeliveryOptions } from './webhooks.js';

export { DEFAULT_STORE, EMBEDDED_CLIENT_ID } from './schema.js';
export type { OAuthClientCredentials } from './oauth.js';
export { SANDBOX_DB_FILE, type SandboxDatabase, type SandboxDB } from './db.js';
export { STORE_API_KEY_HEADER } from './api-routes.js';
export { CSRF_HEADER as DEMO_STORE_CSRF_HEADER } from './admin-routes.js';
export { OWNER_COOKIE as DEMO_STORE_OWNER_COOKIE } from './owners.js';
export {
  SIGNATURE_HEADER as DEMO_STORE_SIGNATURE_HEADER,
  verifyDemoStoreWebhook,
  type VerifyDemoStoreWebhookInput,
} from './webhook-signature.js';
export { OAUTH_SCOPES, ORDER_STATUSES, WEBHOOK_TOPICS, type OAuthScope, type OrderStatus } from './schemas.js';

/** Where the sandbox app lives on the server. */
export const DEMO_STORE_PATH = '/sandbox/demo-store';

const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');

export interface SandboxOptions {
  /** The server's data dir: the sandbox keeps its data in its own file there (`sandbox.db`). */
  dataDir: string;
  /** Tests: fail a sandbox transaction that awaits anything but its database (see createDatabase). */
  guardTransactions?: boolean;
  /** The server's public base URL (read per request, since the port may be known only after listen). */
  publicUrl: string | (() => string);
  /** The process's guarded HTTP client: store webhooks go out through it. */
  http: OutboundHttp;
  /**
   * The seeded store's (acme-shop) owner secret, pinned (ALLOY_SANDBOX_OWNER_SECRET); without it
   * a new one is made at every start, for the start-up banner to print.
   */
  ownerSecret?: string | undefined;
  /** Outgoing webhook retries and timeout (tests shorten them). */
  webhookDelivery?: Partial<WebhookDeliveryOptions>;
  /** Wrong owner secrets (dashboard sign-in and consent) allowed per client address and minute. */
  ownerFailuresPerMinute?: number;
  /**
   * The name the consent page shows for the Embedded server's client (the ISV's brand, as the name
   * its OAuth app is registered under); the seeded "Alloy Embedded" when unset.
   */
  embeddedClientName?: string | undefined;
}

export const DEFAULT_OWNER_FAILURES_PER_MINUTE = 10;

export interface MountedSandbox {
  /** The seeded store's owner secret (sign in to the dashboard and approve OAuth with it). */
  seededStore: { shop: string; ownerSecret: string };
  /**
   * The Embedded server's OAuth client at this store (`alloy-embedded`), as a real app's
   * registration would hand it over; the secret is generated on the sandbox's first start.
   */
  embeddedClient(): Promise<OAuthClientCredentials>;
  /** Registers another OAuth client (tests use it for clients with their own redirect URIs). */
  registerOAuthClient(options: {
    name: string;
    redirectUris: readonly string[];
    clientId?: string;
  }): Promise<OAuthClientCredentials>;
  /** The sandbox's own database (tests inspect and age its rows). */
  database: SandboxDatabase;
}

/**
 * Mounts "Demo Store", the sandbox commerce app, under /sandbox/demo-store: its public API
 * (/api/v1), its OAuth 2 provider (/oauth/*), and the store dashboard (/). The rest of the server
 * talks to it only over HTTP, like to any third-party app.
 */
export async function registerSandbox(app: FastifyInstance, options: SandboxOptions): Promise<MountedSandbox> {
  const publicUrl = typeof options.publicUrl === 'function' ? options.publicUrl : () => options.publicUrl as string;
  if (options.ownerSecret !== undefined) {
    const weak = weakPinnedKeyReason('The pinned sandbox owner secret', options.ownerSecret);
    if (weak) throw new Error(weak);
  }
  const database = openSandboxDatabase(options.dataDir, { guardTransactions: options.guardTransactions ?? false });
  try {
    await seedSandbox(database);
  } catch (error) {
    await database.destroy();
    throw error;
  }

  const stores = new StoreService(database);
  const owners = new OwnerService(database);
  const ownerSecret = options.ownerSecret ?? newOwnerSecret();
  await owners.setSecret(DEFAULT_STORE.id, ownerSecret);
  const ownerFailures = new FailureGuard({
    maxFailures: options.ownerFailuresPerMinute ?? DEFAULT_OWNER_FAILURES_PER_MINUTE,
    windowMs: 60_000,
  });
  const webhooks = new WebhookService(
    database,
    { ...DEFAULT_DELIVERY_OPTIONS, ...options.webhookDelivery },
    options.http,
    app.log,
  );
  const commerce = new CommerceService(database, webhooks);
  const oauth = new OAuthService(database, () => `${publicUrl()}/oauth/callback`);

  app.addHook('onReady', async () => webhooks.resumePending());
  app.addHook('onClose', async () => {
    await webhooks.close();
    await database.destroy();
  });

  oauthMetadataRoute(app, { basePath: DEMO_STORE_PATH, issuer: () => `${publicUrl()}${DEMO_STORE_PATH}` });
  await app.register(
    async (sandbox) => {
      addFormParser(sandbox);
      oauthRoutes(sandbox, {
        oauth,
        stores,
        owners,
        basePath: DEMO_STORE_PATH,
        ownerFailures,
        embeddedClientName: options.embeddedClientName,
      });
      await adminRoutes(sandbox, {
        stores,
        owners,
        webhooks,
        publicDir: PUBLIC_DIR,
        publicUrl,
        basePath: DEMO_STORE_PATH,
        ownerFailures,
      });
      await sandbox.register(async (api) => apiRoutes(api, { stores, commerce, webhooks, oauth }), {
        prefix: '/api/v1',
      });
    },
    { prefix: DEMO_STORE_PATH },
  );
  return {
    seededStore: { shop: DEFAULT_STORE.subdomain, ownerSecret },
    embeddedClient: () => getEmbeddedOAuthClient(database),
    registerOAuthClient: (client) => registerOAuthClient(database, client),
    database,
  };
}
