import type { Db } from '../server/platform/db/sqlite.js';
import { randomCredential, sha256Hex } from './crypto.js';

/**
 * The sandbox owns its tables (all prefixed `sandbox_`) in the server's SQLite file. They are
 * created here rather than in the server's migration list so the sandbox can evolve on its own:
 * entries are append-only and `sandbox_meta.schema_version` records how many have run.
 */
const SANDBOX_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sandbox_stores (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    subdomain TEXT NOT NULL UNIQUE,
    -- Kept readable because the store dashboard shows it; lookups go through the hash.
    api_key TEXT NOT NULL,
    api_key_hash TEXT NOT NULL UNIQUE,
    next_order_number INTEGER NOT NULL DEFAULT 1001,
    created_at TEXT NOT NULL
  );
  CREATE TABLE sandbox_customers (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES sandbox_stores (id) ON DELETE CASCADE,
    email TEXT NOT NULL COLLATE NOCASE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (store_id, email)
  );
  CREATE INDEX sandbox_customers_page ON sandbox_customers (store_id, created_at DESC, id DESC);
  CREATE TABLE sandbox_orders (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES sandbox_stores (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    customer_id TEXT NOT NULL REFERENCES sandbox_customers (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'fulfilled', 'shipped', 'cancelled')),
    currency TEXT NOT NULL,
    total_amount INTEGER NOT NULL,
    items TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (store_id, number)
  );
  CREATE TABLE sandbox_webhooks (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES sandbox_stores (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    topic TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (store_id, topic, url)
  );
  CREATE TABLE sandbox_webhook_deliveries (
    id TEXT PRIMARY KEY,
    -- NULL once the subscription is deleted: the history stays, further attempts stop.
    webhook_id TEXT REFERENCES sandbox_webhooks (id) ON DELETE SET NULL,
    store_id TEXT NOT NULL REFERENCES sandbox_stores (id) ON DELETE CASCADE,
    topic TEXT NOT NULL,
    url TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    response_status INTEGER,
    last_error TEXT,
    next_attempt_at INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX sandbox_webhook_deliveries_recent ON sandbox_webhook_deliveries (store_id, created_at DESC);
  CREATE INDEX sandbox_webhook_deliveries_pending ON sandbox_webhook_deliveries (status) WHERE status = 'pending';
  CREATE TABLE sandbox_oauth_clients (
    client_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE sandbox_oauth_requests (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES sandbox_oauth_clients (client_id) ON DELETE CASCADE,
    store_id TEXT NOT NULL REFERENCES sandbox_stores (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    state TEXT NOT NULL,
    scope TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    csrf_hash TEXT NOT NULL,
    browser_hash TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    answered_at INTEGER
  );
  CREATE TABLE sandbox_oauth_grants (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES sandbox_oauth_clients (client_id) ON DELETE CASCADE,
    store_id TEXT NOT NULL REFERENCES sandbox_stores (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE TABLE sandbox_oauth_codes (
    code_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES sandbox_oauth_clients (client_id) ON DELETE CASCADE,
    store_id TEXT NOT NULL REFERENCES sandbox_stores (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    -- The grant this code was exchanged for, so a replayed code can revoke what it produced.
    grant_id TEXT REFERENCES sandbox_oauth_grants (id) ON DELETE CASCADE
  );
  CREATE TABLE sandbox_oauth_tokens (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    grant_id TEXT NOT NULL REFERENCES sandbox_oauth_grants (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    created_at TEXT NOT NULL
  );
  CREATE INDEX sandbox_oauth_tokens_grant ON sandbox_oauth_tokens (grant_id);
  `,
  // Store owners sign in to the dashboard and to OAuth consent with a per-store secret.
  `
  ALTER TABLE sandbox_stores ADD COLUMN owner_secret_hash TEXT;
  CREATE TABLE sandbox_owner_sessions (
    token_hash TEXT NOT NULL,
    store_id TEXT NOT NULL REFERENCES sandbox_stores (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (token_hash, store_id)
  );
  CREATE INDEX sandbox_owner_sessions_expiry ON sandbox_owner_sessions (expires_at);
  `,
];

export const DEFAULT_STORE = { id: 'acme-shop', name: 'Acme Shop', subdomain: 'acme-shop' } as const;
export const EMBEDDED_CLIENT_ID = 'alloy-embedded';
export const EMBEDDED_CLIENT_NAME = 'Alloy Embedded';

export const newStoreApiKey = (): string => randomCredential('dsk', 24);
export const newClientSecret = (): string => randomCredential('dscs');

/** Database handles whose sandbox schema is known to be current. */
const ensured = new WeakSet<Db>();

/**
 * Creates or upgrades the sandbox tables and seeds the demo store and the Embedded OAuth client.
 * Safe to call on every start and from several places: each step checks before it writes.
 */
export function ensureSandboxSchema(db: Db): void {
  if (ensured.has(db)) return;
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS sandbox_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const row = db.prepare("SELECT value FROM sandbox_meta WHERE key = 'schema_version'").get() as
      { value: string } | undefined;
    const current = row ? Number(row.value) : 0;
    for (let i = current; i < SANDBOX_MIGRATIONS.length; i++) db.exec(SANDBOX_MIGRATIONS[i]!);
    if (current < SANDBOX_MIGRATIONS.length) {
      db.prepare(
        "INSERT INTO sandbox_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ).run(String(SANDBOX_MIGRATIONS.length));
    }

    const now = new Date().toISOString();
    const apiKey = newStoreApiKey();
    db.prepare(
      `INSERT INTO sandbox_stores (id, name, subdomain, api_key, api_key_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ).run(DEFAULT_STORE.id, DEFAULT_STORE.name, DEFAULT_STORE.subdomain, apiKey, sha256Hex(apiKey), now);
    // The Embedded server's callback URL depends on its public URL, which is only known at request
    // time; it is added to this client's list when redirect URIs are checked (see oauth.ts).
    db.prepare(
      `INSERT INTO sandbox_oauth_clients (client_id, name, client_secret, redirect_uris, created_at)
       VALUES (?, ?, ?, '[]', ?) ON CONFLICT DO NOTHING`,
    ).run(EMBEDDED_CLIENT_ID, EMBEDDED_CLIENT_NAME, newClientSecret(), now);
  })();
  ensured.add(db);
}
