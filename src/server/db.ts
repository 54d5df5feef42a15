import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Ordered schema migrations. Never edit a released entry: append a new one.
 * `PRAGMA user_version` records how many have run.
 */
const MIGRATIONS: readonly string[] = [
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
];

export function openDatabase(dataDir: string): Db {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'alloy.db'));
  db.pragma('journal_mode = WAL');
  // FULL: a 2xx is only sent after the commit is on disk, so an acknowledged write survives a crash.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let i = current; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}
