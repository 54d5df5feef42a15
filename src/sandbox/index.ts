import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../server/platform/db/sqlite.js';
import { adminRoutes } from './admin-routes.js';
import { apiRoutes } from './api-routes.js';
import { CommerceService } from './commerce.js';
import { addFormParser } from './forms.js';
import { OAuthService } from './oauth.js';
import { oauthMetadataRoute, oauthRoutes } from './oauth-routes.js';
import { newOwnerSecret, OwnerService } from './owners.js';
import { DEFAULT_STORE, ensureSandboxSchema } from './schema.js';
import type { OutboundHttp } from '../server/platform/outbound-http.js';
import { StoreService } from './stores.js';
import { DEFAULT_DELIVERY_OPTIONS, WebhookService, type WebhookDeliveryOptions } from './webhooks.js';

export { DEFAULT_STORE, EMBEDDED_CLIENT_ID } from './schema.js';
export { getEmbeddedOAuthClient, registerOAuthClient, type OAuthClientCredentials } from './oauth.js';
export { STORE_API_KEY_HEADER } from './api-routes.js';
export { CSRF_HEADER as DEMO_STORE_CSRF_HEADER } from './admin-routes.js';
export { MIN_OWNER_SECRET_LENGTH, OWNER_COOKIE as DEMO_STORE_OWNER_COOKIE } from './owners.js';
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
  /** The server's database; the sandbox keeps its data in its own `sandbox_*` tables. */
  db: Db;
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
}

export interface MountedSandbox {
  /** The seeded store's owner secret (sign in to the dashboard and approve OAuth with it). */
  seededStore: { shop: string; ownerSecret: string };
}

/**
 * Mounts "Demo Store", the sandbox commerce app, under /sandbox/demo-store: its public API
 * (/api/v1), its OAuth 2 provider (/oauth/*), and the store dashboard (/). The rest of the server
 * talks to it only over HTTP, like to any third-party app.
 */
export async function registerSandbox(app: FastifyInstance, options: SandboxOptions): Promise<MountedSandbox> {
  const { db } = options;
  const publicUrl = typeof options.publicUrl === 'function' ? options.publicUrl : () => options.publicUrl as string;
  ensureSandboxSchema(db);

  const stores = new StoreService(db);
  const owners = new OwnerService(db);
  const ownerSecret = options.ownerSecret ?? newOwnerSecret();
  owners.setSecret(DEFAULT_STORE.id, ownerSecret);
  const webhooks = new WebhookService(
    db,
    { ...DEFAULT_DELIVERY_OPTIONS, ...options.webhookDelivery },
    options.http,
    app.log,
  );
  const commerce = new CommerceService(db, webhooks);
  const oauth = new OAuthService(db, () => `${publicUrl()}/oauth/callback`);

  app.addHook('onReady', async () => webhooks.resumePending());
  app.addHook('onClose', async () => webhooks.close());

  oauthMetadataRoute(app, { basePath: DEMO_STORE_PATH, issuer: () => `${publicUrl()}${DEMO_STORE_PATH}` });
  await app.register(
    async (sandbox) => {
      addFormParser(sandbox);
      oauthRoutes(sandbox, { oauth, stores, owners, basePath: DEMO_STORE_PATH });
      await adminRoutes(sandbox, {
        stores,
        owners,
        webhooks,
        publicDir: PUBLIC_DIR,
        publicUrl,
        basePath: DEMO_STORE_PATH,
      });
      await sandbox.register(async (api) => apiRoutes(api, { stores, commerce, webhooks, oauth }), {
        prefix: '/api/v1',
      });
    },
    { prefix: DEMO_STORE_PATH },
  );
  return { seededStore: { shop: DEFAULT_STORE.subdomain, ownerSecret } };
}
