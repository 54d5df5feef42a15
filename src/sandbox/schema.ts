import { randomCredential, sha256Hex } from './crypto.js';
import type { SandboxDatabase } from './db.js';
import { insertClient } from './oauth-repository.js';
import { insertStoreIfAbsent } from './store-repository.js';

export const DEFAULT_STORE = { id: 'acme-shop', name: 'Acme Shop', subdomain: 'acme-shop' } as const;
export const EMBEDDED_CLIENT_ID = 'alloy-embedded';
export const EMBEDDED_CLIENT_NAME = 'Alloy Embedded';

export const newStoreApiKey = (): string => randomCredential('dsk', 24);
export const newClientSecret = (): string => randomCredential('dscs');

/**
 * Seeds the demo store and the Embedded OAuth client. Safe on every start: each insert does
 * nothing when the row is there.
 */
export async function seedSandbox(database: SandboxDatabase): Promise<void> {
  const now = new Date().toISOString();
  const apiKey = newStoreApiKey();
  await insertStoreIfAbsent(
    database,
    {
      id: DEFAULT_STORE.id,
      name: DEFAULT_STORE.name,
      subdomain: DEFAULT_STORE.subdomain,
      api_key: apiKey,
      api_key_hash: sha256Hex(apiKey),
      owner_secret_hash: null,
      created_at: now,
    },
    'id',
  );
  // The Embedded server's callback URL depends on its public URL, which is only known at request
  // time; it is added to this client's list when redirect URIs are checked (see oauth.ts).
  await insertClient(
    database,
    {
      client_id: EMBEDDED_CLIENT_ID,
      name: EMBEDDED_CLIENT_NAME,
      client_secret: newClientSecret(),
      redirect_uris: '[]',
      created_at: now,
    },
    { ifAbsent: true },
  );
}
