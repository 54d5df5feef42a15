import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { Generated, InsertResult, Kysely } from 'kysely';
import {
  createDatabase,
  DATA_DIR_MODE,
  DATA_FILE_MODE,
  inTransaction,
  restrictFile,
  type Conn,
} from '../server/platform/db/index.js';

/**
 * The sandbox is a third party: it keeps its data in its own SQLite file beside the server's
 * (`<dataDir>/sandbox.db`, 0600 like `alloy.db`), with its own migrations and its own Kysely
 * instance. Nothing of the server reads these tables; the server talks to the sandbox over HTTP.
 */
export const SANDBOX_DB_FILE = 'sandbox.db';

/**
 * Ordered schema migrations. Never edit a released entry: append a new one (and keep the table
 * interfaces below in step). `sandbox_meta.schema_version` records how many have run.
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

/** The schema version this code writes (the number of migrations). */
export const SANDBOX_SCHEMA_VERSION = SANDBOX_MIGRATIONS.length;

/** Times in `*_at` INTEGER columns are epoch milliseconds; TEXT ones are ISO-8601. */
export interface SandboxDB {
  sandbox_meta: { key: string; value: string };
  sandbox_stores: {
    id: string;
    name: string;
    subdomain: string;
    api_key: string;
    api_key_hash: string;
    next_order_number: Generated<number>;
    created_at: string;
    owner_secret_hash: string | null;
  };
  sandbox_owner_sessions: { token_hash: string; store_id: string; expires_at: number };
  sandbox_customers: { id: string; store_id: string; email: string; name: string; created_at: string };
  sandbox_orders: {
    id: string;
    store_id: string;
    number: number;
    customer_id: string;
    status: 'pending' | 'paid' | 'fulfilled' | 'shipped' | 'cancelled';
    currency: string;
    total_amount: number;
    items: string;
    note: string | null;
    created_at: string;
    updated_at: string;
  };
  sandbox_webhooks: { id: string; store_id: string; url: string; topic: string; secret: string; created_at: string };
  sandbox_webhook_deliveries: {
    id: string;
    webhook_id: string | null;
    store_id: string;
    topic: string;
    url: string;
    payload: string;
    status: 'pending' | 'succeeded' | 'failed';
    attempts: number;
    response_status: number | null;
    last_error: string | null;
    next_attempt_at: number | null;
    created_at: string;
    updated_at: string;
  };
  sandbox_oauth_clients: {
    client_id: string;
    name: string;
    client_secret: string;
    redirect_uris: string;
    created_at: string;
  };
  sandbox_oauth_requests: {
    id: string;
    client_id: string;
    store_id: string;
    redirect_uri: string;
    state: string;
    scope: string;
    code_challenge: string;
    csrf_hash: string;
    browser_hash: string;
    expires_at: number;
    answered_at: number | null;
  };
  sandbox_oauth_grants: {
    id: string;
    client_id: string;
    store_id: string;
    scope: string;
    created_at: string;
    revoked_at: string | null;
  };
  sandbox_oauth_codes: {
    code_hash: string;
    client_id: string;
    store_id: string;
    redirect_uri: string;
    scope: string;
    code_challenge: string;
    expires_at: number;
    used_at: number | null;
    grant_id: string | null;
  };
  sandbox_oauth_tokens: {
    token_hash: string;
    kind: 'access' | 'refresh';
    grant_id: string;
    scope: string;
    expires_at: number;
    used_at: number | null;
    created_at: string;
  };
}

/** Whether an INSERT … ON CONFLICT DO NOTHING wrote its row. */
export const inserted = (result: InsertResult | undefined): boolean =>
  Number(result?.numInsertedOrUpdatedRows ?? 0n) > 0;

/** The sandbox's database, or a transaction on it: repositories accept either. */
export type SandboxConn = Kysely<SandboxDB>;
export type SandboxDatabase = Kysely<SandboxDB>;

/**
 * Runs `work` in a transaction on the sandbox's database (nested: a savepoint). The platform's
 * helper is typed for the server's schema; the mechanism (one connection, savepoints, the test
 * guard against awaiting anything but the database) is the same for any schema.
 */
export function inSandboxTransaction<T>(conn: SandboxConn, work: (trx: SandboxConn) => Promise<T>): Promise<T> {
  return inTransaction(conn as unknown as Conn, (trx) => work(trx as unknown as SandboxConn));
}

/** The server's file, where the sandbox kept its tables before it had its own. */
const LEGACY_DB_FILE = 'alloy.db';

/** The sandbox's tables in foreign-key order (a table comes after those it references). */
const TABLES_IN_ORDER = [
  'sandbox_stores',
  'sandbox_customers',
  'sandbox_orders',
  'sandbox_webhooks',
  'sandbox_webhook_deliveries',
  'sandbox_oauth_clients',
  'sandbox_oauth_requests',
  'sandbox_oauth_grants',
  'sandbox_oauth_codes',
  'sandbox_oauth_tokens',
  'sandbox_owner_sessions',
] as const;

/**
 * Opens (creating and migrating) `<dataDir>/sandbox.db` with the same hardening as the server's
 * database: the file is made 0600 before SQLite opens it (its -wal and -shm inherit that mode),
 * WAL, synchronous FULL, foreign keys, secure_delete.
 *
 * Data dirs from before the sandbox had its own file have its tables in `alloy.db`: when
 * `sandbox.db` is new, their rows are copied over once (same transaction as the migrations), so
 * stores, API keys, the Embedded client's secret and live grants carry on. The old tables are left
 * in `alloy.db`, unread (the server's own migrations may drop them).
 */
export function openSandboxDatabase(dataDir: string, options: { guardTransactions?: boolean } = {}): SandboxDatabase {
  fs.mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  const file = path.join(dataDir, SANDBOX_DB_FILE);
  fs.closeSync(fs.openSync(file, 'a', DATA_FILE_MODE));
  restrictFile(file);
  const sqlite = new SqliteDatabase(file);
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('secure_delete = ON');
    sqlite.pragma('busy_timeout = 5000');
    migrate(sqlite, path.join(dataDir, LEGACY_DB_FILE));
  } catch (error) {
    sqlite.close();
    throw error;
  }
  for (const suffix of ['-wal', '-shm', '-journal']) restrictFile(`${file}${suffix}`);
  return createDatabase(sqlite, options) as unknown as SandboxDatabase;
}

function schemaVersion(sqlite: SqliteDatabase.Database, schema: 'main' | 'legacy'): number {
  const table = sqlite
    .prepare(`SELECT 1 FROM ${schema}.sqlite_master WHERE type = 'table' AND name = 'sandbox_meta'`)
    .get();
  if (!table) return 0;
  const row = sqlite.prepare(`SELECT value FROM ${schema}.sandbox_meta WHERE key = 'schema_version'`).get() as
    { value: string } | undefined;
  return row ? Number(row.value) : 0;
}

function migrate(sqlite: SqliteDatabase.Database, legacyFile: string): void {
  const current = schemaVersion(sqlite, 'main');
  // ATTACH cannot run inside a transaction; the file is only read.
  const legacy = current === 0 && fs.existsSync(legacyFile);
  if (legacy) sqlite.prepare('ATTACH DATABASE ? AS legacy').run(legacyFile);
  try {
    sqlite.transaction(() => {
      sqlite.exec('CREATE TABLE IF NOT EXISTS sandbox_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      for (let i = current; i < SANDBOX_MIGRATIONS.length; i++) sqlite.exec(SANDBOX_MIGRATIONS[i]!);
      if (current < SANDBOX_MIGRATIONS.length) {
        sqlite
          .prepare(
            "INSERT INTO sandbox_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          )
          .run(String(SANDBOX_MIGRATIONS.length));
      }
      if (legacy && schemaVersion(sqlite, 'legacy') > 0) copyLegacyTables(sqlite);
    })();
  } finally {
    if (legacy) sqlite.exec('DETACH DATABASE legacy');
  }
}

/** Copies each old table's rows, column by column (an old schema may lack later columns). */
function copyLegacyTables(sqlite: SqliteDatabase.Database): void {
  for (const table of TABLES_IN_ORDER) {
    const columnsOf = (schema: 'main' | 'legacy') =>
      (sqlite.prepare(`SELECT name FROM pragma_table_info(?, ?)`).all(table, schema) as { name: string }[]).map(
        (column) => column.name,
      );
    const legacyColumns = new Set(columnsOf('legacy'));
    if (legacyColumns.size === 0) continue;
    const columns = columnsOf('main')
      .filter((name) => legacyColumns.has(name))
      .map((name) => `"${name}"`)
      .join(', ');
    sqlite.exec(`INSERT INTO main.${table} (${columns}) SELECT ${columns} FROM legacy.${table}`);
  }
}
