import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db.js';
import { adminRoutes } from './admin-routes.js';
import { apiRoutes } from './api-routes.js';
import { CommerceService } from './commerce.js';
import { addFormParser } from './forms.js';
import { OAuthService } from './oauth.js';
import { oauthMetadataRoute, oauthRoutes } from './oauth-routes.js';
import { ensureSandboxSchema } from './schema.js';
import { StoreService } from './stores.js';
import { DEFAULT_DELIVERY_OPTIONS, WebhookService, type WebhookDeliveryOptions } from './webhooks.js';

export { DEFAULT_STORE, EMBEDDED_CLIENT_ID } from './schema.js';
export { getEmbeddedOAuthClient, registerOAuthClient, type OAuthClientCredentials } from './oauth.js';
export { STORE_API_KEY_HEADER } from './api-routes.js';
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
  /** Outgoing webhook retries and timeout (tests shorten them). */
  webhookDelivery?: Partial<WebhookDeliveryOptions>;
}

/**
 * Mounts "Demo Store", the sandbox commerce app, under /sandbox/demo-store: its public API
 * (/api/v1), its OAuth 2 provider (/oauth/*), and the store dashboard (/). The rest of the server
 * talks to it only over HTTP, like to any third-party app.
 */
export async function registerSandbox(app: FastifyInstance, options: SandboxOptions): Promise<void> {
  const { db } = options;
  const publicUrl = typeof options.publicUrl === 'function' ? options.publicUrl : () => options.publicUrl as string;
  ensureSandboxSchema(db);

  const stores = new StoreService(db);
  const webhooks = new WebhookService(db, { ...DEFAULT_DELIVERY_OPTIONS, ...options.webhookDelivery }, app.log);
  const commerce = new CommerceService(db, webhooks);
  const oauth = new OAuthService(db, () => `${publicUrl()}/oauth/callback`);

  app.addHook('onReady', async () => webhooks.resumePending());
  app.addHook('onClose', async () => webhooks.close());

  oauthMetadataRoute(app, { basePath: DEMO_STORE_PATH, issuer: () => `${publicUrl()}${DEMO_STORE_PATH}` });
  await app.register(
    async (sandbox) => {
      addFormParser(sandbox);
      oauthRoutes(sandbox, { oauth, stores, basePath: DEMO_STORE_PATH });
      await adminRoutes(sandbox, { stores, webhooks, publicDir: PUBLIC_DIR, publicUrl });
      await sandbox.register(async (api) => apiRoutes(api, { stores, commerce, webhooks, oauth }), {
        prefix: '/api/v1',
      });
    },
    { prefix: DEMO_STORE_PATH },
  );
}
