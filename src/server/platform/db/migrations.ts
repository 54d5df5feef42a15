export type Engine = 'sqlite' | 'postgres';

/**
 * The schema's migrations, one ordered list for both engines. Never edit a released entry: append
 * a new one. They are written in the SQL SQLite and PostgreSQL both accept (TEXT timestamps in ISO
 * 8601, which sort as they read; INTEGER flags); the one word that differs, the byte type, is
 * written `BLOB` and becomes `BYTEA` on PostgreSQL. SQLite counts the applied ones in `PRAGMA
 * user_version`, PostgreSQL in `schema_version` (see postgres.ts). Entries after the execution
 * counts create and drop with IF [NOT] EXISTS, so replaying them is harmless (a test rewinds a
 * database to the version before the counts and starts it again; see logs.test.ts).
 */
/** A migration in the SQL both engines accept, or (for what they spell differently, such as triggers) a common part and one per engine. */
type Migration = string | { common: string; sqlite: string; postgres: string };

const MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    env TEXT NOT NULL CHECK (env IN ('development', 'production')),
    username TEXT NOT NULL,
    full_name TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (env, username)
  );
  CREATE TABLE installations (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    integration_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (user_id, integration_id)
  );
  CREATE TABLE user_workflows (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workflow_id TEXT NOT NULL,
    installation_id TEXT NOT NULL REFERENCES installations (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    config TEXT NOT NULL,
    installed_at TEXT NOT NULL,
    PRIMARY KEY (user_id, workflow_id)
  );
  CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
  );
  `,
  `
  -- Integrations as code: the first load of a workflow version records its fingerprint; a file
  -- that later changes a recorded version is refused (released versions are immutable).
  CREATE TABLE released_versions (
    workflow_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    released_at TEXT NOT NULL,
    PRIMARY KEY (workflow_id, version)
  );
  CREATE TABLE environment_settings (
    env TEXT NOT NULL CHECK (env IN ('development', 'production')),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (env, key)
  );
  -- Third-party credentials: data is AES-256-GCM ciphertext; the key never enters the database.
  CREATE TABLE credentials (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    connector TEXT NOT NULL,
    name TEXT NOT NULL,
    key_id TEXT NOT NULL,
    iv BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    auth_tag BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX credentials_user ON credentials (user_id, connector);
  CREATE TABLE installation_credentials (
    installation_id TEXT NOT NULL REFERENCES installations (id) ON DELETE CASCADE,
    connector TEXT NOT NULL,
    credential_id TEXT NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
    PRIMARY KEY (installation_id, connector)
  );
  -- Headless installs between startInstallation and completeInstallation.
  CREATE TABLE pending_installations (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    integration_id TEXT NOT NULL,
    workflow_ids TEXT NOT NULL,
    credential_ids TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  -- Embedded Link tokens, stored as SHA-256 hashes; used_at makes them single use.
  CREATE TABLE link_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    integration_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
  );
  -- Accepted runs (custom events, webhook-trigger runs), written before the API answers; the
  -- workflow runtime consumes them.
  CREATE TABLE run_queue (
    id TEXT PRIMARY KEY,
    env TEXT NOT NULL CHECK (env IN ('development', 'production')),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('event', 'workflow')),
    event_name TEXT,
    workflow_id TEXT,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    available_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((kind = 'event') = (event_name IS NOT NULL)),
    CHECK ((kind = 'workflow') = (workflow_id IS NOT NULL))
  );
  CREATE INDEX run_queue_ready ON run_queue (status, available_at);
  CREATE INDEX run_queue_user ON run_queue (user_id);
  -- Workflow runs and each block's input, output, timing and status (written by the runtime).
  -- No foreign key to users: logs outlive a deleted user until DELETE /users/:userId/logs.
  CREATE TABLE executions (
    id TEXT PRIMARY KEY,
    env TEXT NOT NULL CHECK (env IN ('development', 'production')),
    user_id TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    workflow_version INTEGER NOT NULL,
    integration_id TEXT NOT NULL,
    run_id TEXT,
    mode TEXT NOT NULL CHECK (mode IN ('trigger', 'webhook', 'manual', 'retry', 'internal')),
    status TEXT NOT NULL CHECK (status IN ('running', 'success', 'error')),
    started_at TEXT NOT NULL,
    stopped_at TEXT,
    error_block_id TEXT,
    error_message TEXT,
    created_at TEXT NOT NULL
  );
  CREATE INDEX executions_workflow ON executions (env, workflow_id, started_at);
  CREATE INDEX executions_user ON executions (env, user_id, started_at);
  CREATE INDEX executions_created ON executions (created_at);
  CREATE TABLE execution_blocks (
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    block_id TEXT NOT NULL,
    block_type TEXT NOT NULL,
    connector TEXT,
    status TEXT NOT NULL CHECK (status IN ('success', 'error', 'skipped')),
    input TEXT,
    output TEXT,
    error TEXT,
    started_at TEXT NOT NULL,
    stopped_at TEXT,
    PRIMARY KEY (execution_id, position)
  );
  CREATE INDEX idempotency_created ON idempotency_keys (created_at);
  `,
  `
  -- The workflow runtime. The queue gains leases (a crashed worker's rows are claimed again once
  -- the lease expires), the kinds of run that name one workflow (app events, on-installation,
  -- reruns), and a dedupe key so a third party's redelivered webhook starts one run, not two.
  CREATE TABLE run_queue_v3 (
    id TEXT PRIMARY KEY,
    env TEXT NOT NULL CHECK (env IN ('development', 'production')),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('event', 'workflow', 'appEvent', 'installation', 'rerun')),
    event_name TEXT,
    workflow_id TEXT,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    available_at TEXT NOT NULL,
    lease_owner TEXT,
    lease_expires_at TEXT,
    last_error TEXT,
    dedupe_key TEXT,
    rerun_of TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((kind = 'event') = (event_name IS NOT NULL)),
    CHECK ((kind = 'event') = (workflow_id IS NULL))
  );
  INSERT INTO run_queue_v3 (id, env, user_id, kind, event_name, workflow_id, payload, status, attempts, available_at, created_at, updated_at)
    SELECT id, env, user_id, kind, event_name, workflow_id, payload, status, attempts, available_at, created_at, updated_at FROM run_queue;
  DROP TABLE run_queue;
  ALTER TABLE run_queue_v3 RENAME TO run_queue;
  CREATE INDEX run_queue_ready ON run_queue (status, available_at);
  CREATE INDEX run_queue_user ON run_queue (user_id);
  CREATE UNIQUE INDEX run_queue_dedupe ON run_queue (user_id, workflow_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
  -- One execution per run and workflow: a run resumed after a crash continues its execution.
  CREATE UNIQUE INDEX executions_run_workflow ON executions (run_id, workflow_id) WHERE run_id IS NOT NULL;
  CREATE INDEX executions_status ON executions (env, status);

  -- Outgoing installation webhooks and error-stream posts: written in the transaction that causes
  -- them, then sent and retried by the delivery worker. The id is the webhook-id receivers see.
  CREATE TABLE outbound_deliveries (
    id TEXT PRIMARY KEY,
    env TEXT NOT NULL CHECK (env IN ('development', 'production')),
    kind TEXT NOT NULL CHECK (kind IN ('installationWebhook', 'errorStream')),
    url TEXT NOT NULL,
    headers TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_owner TEXT,
    lease_expires_at TEXT,
    response_status INTEGER,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    delivered_at TEXT
  );
  CREATE INDEX outbound_deliveries_due ON outbound_deliveries (status, next_attempt_at);
  CREATE INDEX outbound_deliveries_env ON outbound_deliveries (env, created_at);

  -- Webhook subscriptions made in third-party apps for app-event triggers. The signing secret
  -- the app gave us is sealed like credentials. No foreign key to users: a deleted user's rows
  -- are still needed to unsubscribe.
  CREATE TABLE app_subscriptions (
    user_id TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    env TEXT NOT NULL CHECK (env IN ('development', 'production')),
    connector TEXT NOT NULL,
    event TEXT NOT NULL,
    credential_id TEXT NOT NULL,
    external_id TEXT NOT NULL,
    target_url TEXT NOT NULL,
    key_id TEXT NOT NULL,
    iv BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    auth_tag BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, workflow_id)
  );
  `,
  `
  -- The install modal's OAuth popups: PKCE verifier and one-time state live only here, server side.
  CREATE TABLE oauth_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    connector TEXT NOT NULL,
    origin TEXT NOT NULL,
    state TEXT NOT NULL UNIQUE,
    code_verifier TEXT NOT NULL,
    fields TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled', 'expired')),
    credential_id TEXT,
    message TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    completed_at TEXT
  );
  -- Embedded Link page sessions: the link token is swapped for one of these (an HttpOnly cookie).
  CREATE TABLE link_sessions (
    id_hash TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL REFERENCES link_tokens (token_hash) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  `,
  `
  -- The Embedded Link page session that redeemed the link (POST /link/session): the link is that
  -- session's alone until the install uses it up.
  ALTER TABLE link_tokens ADD COLUMN claimed_session_hash TEXT;
  `,
  `
  -- GET /users pages by keyset (creation order, ties by id) within an environment.
  CREATE INDEX IF NOT EXISTS users_env_created ON users (env, created_at, id);
  -- Opening a link keeps its newest page sessions only; found by link.
  CREATE INDEX link_sessions_token ON link_sessions (token_hash, created_at);
  `,
  `
  -- Fair claims: the workers step from one tenant's (one receiver's) due rows to the next's, so a
  -- claim costs one index seek per tenant, not a sort of the whole backlog.
  CREATE INDEX run_queue_tenant_due ON run_queue (status, user_id, available_at);
  CREATE INDEX outbound_deliveries_target_due ON outbound_deliveries (status, url, next_attempt_at);
  `,
  `
  -- OAuth sessions are bound to the browser whose navigation first opened the start URL: the hash
  -- of the HttpOnly cookie that navigation got, and when it happened.
  ALTER TABLE oauth_sessions ADD COLUMN browser_hash TEXT;
  ALTER TABLE oauth_sessions ADD COLUMN started_at TEXT;
  `,
  `
  -- Configuration answers an older version stored in plaintext: the start-up sealing pass reads
  -- this (usually empty) partial index instead of every installed workflow.
  CREATE INDEX user_workflows_unsealed_config ON user_workflows (user_id, workflow_id)
    WHERE substr(config, 1, 7) <> 'sealed:';
  `,
  `
  -- Which definitions the nodes should be running: the fingerprint of the set the last reload (or
  -- the first start) accepted, and a counter. A node whose own set differs is not ready.
  CREATE TABLE definition_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    generation INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  `
  -- App-trigger syncs that failed (an app was down): one row per user whose subscriptions are out
  -- of date, retried with backoff by whichever node claims it first (the claim moves
  -- next_attempt_at a lease ahead) and deleted by the sync that succeeds. next_attempt_at NULL:
  -- given up until the next change or start. revision grows with every write, so a sync deletes
  -- only the row it saw (a failure recorded meanwhile stays).
  CREATE TABLE app_subscription_retries (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT,
    last_error TEXT,
    revision INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX app_subscription_retries_due ON app_subscription_retries (next_attempt_at);
  `,
  `
  -- Flat as data grows (test/server/query-plans.test.ts explains every statement the API runs).
  -- Log lists page by keyset (sort key, then id): the indexes end in id so the next page is one
  -- seek, and COUNT(*) of a list reads the index only.
  DROP INDEX executions_workflow;
  DROP INDEX executions_user;
  DROP INDEX executions_created;
  CREATE INDEX executions_workflow_started ON executions (env, workflow_id, started_at, id);
  CREATE INDEX executions_user_workflow_started ON executions (env, user_id, workflow_id, started_at, id);
  CREATE INDEX executions_env_created ON executions (env, created_at, id);
  CREATE INDEX executions_workflow_created ON executions (env, workflow_id, created_at, id);
  -- A workflow's errors, newest first: only the failed executions, in the order the list shows.
  CREATE INDEX executions_workflow_errors ON executions (env, workflow_id, (COALESCE(stopped_at, started_at)), id)
    WHERE status = 'error';
  -- Retention passes find what expired by index, not by reading every row.
  CREATE INDEX executions_started ON executions (started_at);
  CREATE INDEX link_tokens_expires ON link_tokens (expires_at);
  CREATE INDEX link_sessions_expires ON link_sessions (expires_at);
  CREATE INDEX oauth_sessions_expires ON oauth_sessions (expires_at);
  CREATE INDEX pending_installations_expires ON pending_installations (expires_at);
  -- The child side of foreign keys: deleting a user, an installation or a credential finds the
  -- rows that go with it (and the link lookups by user and integration) without a scan.
  CREATE INDEX link_tokens_user ON link_tokens (user_id, integration_id);
  CREATE INDEX oauth_sessions_user ON oauth_sessions (user_id);
  CREATE INDEX pending_installations_user ON pending_installations (user_id);
  CREATE INDEX user_workflows_installation ON user_workflows (installation_id);
  CREATE INDEX installation_credentials_credential ON installation_credentials (credential_id);
  `,
  {
    // A list's `totalItems` must not cost a COUNT(*) over every execution of a busy workflow: the
    // executions per environment, workflow and status are counted as they are written, by triggers
    // (so every path that writes executions keeps them right: the runtime, erasure, retention,
    // cascades, the bench's seeder). A count is split over 8 rows (`shard`, picked at random per
    // write) so that concurrent transactions on PostgreSQL rarely wait for one row's lock; a
    // shard may go negative, the sum is exact.
    common: `
  CREATE TABLE execution_counts (
    env TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    status TEXT NOT NULL,
    shard INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (env, workflow_id, status, shard)
  );
  INSERT INTO execution_counts (env, workflow_id, status, shard, n)
    SELECT env, workflow_id, status, 0, COUNT(*) FROM executions GROUP BY env, workflow_id, status;
  `,
    sqlite: `
  CREATE TRIGGER executions_count_insert AFTER INSERT ON executions BEGIN
    INSERT INTO execution_counts (env, workflow_id, status, shard, n)
      VALUES (NEW.env, NEW.workflow_id, NEW.status, abs(random()) % 8, 1)
      ON CONFLICT (env, workflow_id, status, shard) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER executions_count_delete AFTER DELETE ON executions BEGIN
    INSERT INTO execution_counts (env, workflow_id, status, shard, n)
      VALUES (OLD.env, OLD.workflow_id, OLD.status, abs(random()) % 8, -1)
      ON CONFLICT (env, workflow_id, status, shard) DO UPDATE SET n = n - 1;
  END;
  CREATE TRIGGER executions_count_update AFTER UPDATE OF env, workflow_id, status ON executions
    WHEN OLD.env IS NOT NEW.env OR OLD.workflow_id IS NOT NEW.workflow_id OR OLD.status IS NOT NEW.status
  BEGIN
    INSERT INTO execution_counts (env, workflow_id, status, shard, n)
      VALUES (OLD.env, OLD.workflow_id, OLD.status, abs(random()) % 8, -1)
      ON CONFLICT (env, workflow_id, status, shard) DO UPDATE SET n = n - 1;
    INSERT INTO execution_counts (env, workflow_id, status, shard, n)
      VALUES (NEW.env, NEW.workflow_id, NEW.status, abs(random()) % 8, 1)
      ON CONFLICT (env, workflow_id, status, shard) DO UPDATE SET n = n + 1;
  END;
  `,
    postgres: `
  CREATE FUNCTION execution_counts_add(e TEXT, w TEXT, s TEXT, delta INTEGER) RETURNS void AS $$
    INSERT INTO execution_counts (env, workflow_id, status, shard, n)
      VALUES (e, w, s, floor(random() * 8)::integer, delta)
      ON CONFLICT (env, workflow_id, status, shard) DO UPDATE SET n = execution_counts.n + delta;
  $$ LANGUAGE sql;
  CREATE FUNCTION executions_count() RETURNS trigger AS $$
  BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
      PERFORM execution_counts_add(OLD.env, OLD.workflow_id, OLD.status, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
      PERFORM execution_counts_add(NEW.env, NEW.workflow_id, NEW.status, 1);
    END IF;
    RETURN NULL;
  END;
  $$ LANGUAGE plpgsql;
  CREATE TRIGGER executions_count_insert_delete AFTER INSERT OR DELETE ON executions
    FOR EACH ROW EXECUTE FUNCTION executions_count();
  CREATE TRIGGER executions_count_update AFTER UPDATE OF env, workflow_id, status ON executions
    FOR EACH ROW
    WHEN (OLD.env IS DISTINCT FROM NEW.env OR OLD.workflow_id IS DISTINCT FROM NEW.workflow_id
      OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION executions_count();
  `,
  },
  `
  -- Logs filtered by message (a status test: runs/repository.ts), newest first, with or without a
  -- workflow: one index seek per page instead of walking every newer execution of other statuses.
  -- The (env, status) index is a prefix of the first and goes.
  DROP INDEX IF EXISTS executions_status;
  CREATE INDEX IF NOT EXISTS executions_status_created ON executions (env, status, created_at, id);
  CREATE INDEX IF NOT EXISTS executions_workflow_status_created ON executions (env, workflow_id, status, created_at, id);
  `,
  `
  -- The ISV console (src/server/console): its admin (password as an scrypt hash), its sessions
  -- (the cookie only as a SHA-256 digest, beside the CSRF token it hands to the page), the one-time
  -- setup token (a digest) and what it shows of each environment's API key (never the key).
  CREATE TABLE IF NOT EXISTS console_admins (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS console_sessions (
    id_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES console_admins (username) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS console_sessions_expires ON console_sessions (expires_at);
  CREATE INDEX IF NOT EXISTS console_sessions_username ON console_sessions (username);
  CREATE TABLE IF NOT EXISTS console_setup_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS console_api_keys (
    env TEXT PRIMARY KEY CHECK (env IN ('development', 'production')),
    key_sha256 TEXT NOT NULL,
    hint TEXT,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  `
  -- The console lists a user's Embedded Links newest first (installs/repository.ts listLinkTokens).
  CREATE INDEX IF NOT EXISTS link_tokens_user_created ON link_tokens (user_id, created_at);
  `,
  {
    // The console's user search (src/server/users searchUsers): a prefix of the lower-cased username
    // or full name is a range on these expression indexes. PostgreSQL compares them in "C" order,
    // the byte order SQLite uses, so a prefix range is exact whatever the database's collation.
    common: '',
    sqlite: `
  CREATE INDEX IF NOT EXISTS users_env_username_lower ON users (env, lower(username));
  CREATE INDEX IF NOT EXISTS users_env_full_name_lower ON users (env, lower(full_name));
  `,
    postgres: `
  CREATE INDEX IF NOT EXISTS users_env_username_lower ON users (env, (lower(username) COLLATE "C"));
  CREATE INDEX IF NOT EXISTS users_env_full_name_lower ON users (env, (lower(full_name) COLLATE "C"));
  `,
  },
  `
  -- An integration's Active toggle per environment (installs/repository.ts): no row is active. An
  -- inactive one is hidden from that environment's end users and refuses new installs.
  CREATE TABLE IF NOT EXISTS integration_states (
    env TEXT NOT NULL CHECK (env IN ('development', 'production')),
    integration_id TEXT NOT NULL,
    active INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (env, integration_id)
  );
  `,
  `
  -- Integrations made in the console (src/server/definitions console-repository.ts): the
  -- integration, each workflow with its draft (the builder's autosave, JSON, possibly invalid) and
  -- its released versions (immutable; their fingerprints go to released_versions like a file's).
  CREATE TABLE IF NOT EXISTS console_integrations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    app TEXT NOT NULL,
    description TEXT NOT NULL,
    icon TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS console_workflows (
    id TEXT PRIMARY KEY,
    integration_id TEXT NOT NULL REFERENCES console_integrations (id),
    draft TEXT NOT NULL,
    draft_saved_at TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS console_workflows_integration ON console_workflows (integration_id, created_at);
  CREATE TABLE IF NOT EXISTS console_workflow_versions (
    workflow_id TEXT NOT NULL REFERENCES console_workflows (id),
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    content TEXT NOT NULL,
    released_at TEXT NOT NULL,
    PRIMARY KEY (workflow_id, version)
  );
  `,
];

/** The migrations in the engine's own SQL. */
export function migrationsFor(engine: Engine): readonly string[] {
  return MIGRATIONS.map((migration) => {
    const text = typeof migration === 'string' ? migration : `${migration.common}${migration[engine]}`;
    return engine === 'sqlite' ? text : text.replace(/\bBLOB\b/g, 'BYTEA');
  });
}
