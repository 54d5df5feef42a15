import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrationsFor } from './migrations.js';

export type Db = Database.Database;

/** The data dir holds the database and the keys: only the server's own user may enter it. */
export const DATA_DIR_MODE = 0o700;
/** The database, its WAL and shared-memory files, and every key file. */
export const DATA_FILE_MODE = 0o600;
const DB_FILE = 'alloy.db';

/**
 * Creates the data dir (0700) and narrows an existing one and its database files to 0700/0600.
 * chmod, not the umask-filtered mode of mkdir/open: a permissive umask (0000) cannot widen them,
 * and a data dir made by an older version (0755 dir, 0644 files) is fixed on start.
 */
export function secureDataDir(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  if (process.platform === 'win32') return;
  fs.chmodSync(dataDir, DATA_DIR_MODE);
  for (const name of [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, `${DB_FILE}-journal`]) {
    restrictFile(path.join(dataDir, name));
  }
}

/** chmod 0600 when the file exists (other key files call this too). */
export function restrictFile(file: string): void {
  if (process.platform === 'win32') return;
  try {
    if ((fs.statSync(file).mode & 0o777) !== DATA_FILE_MODE) fs.chmodSync(file, DATA_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

export function openDatabase(dataDir: string): Db {
  secureDataDir(dataDir);
  const file = path.join(dataDir, DB_FILE);
  // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database's mode.
  fs.closeSync(fs.openSync(file, 'a', DATA_FILE_MODE));
  restrictFile(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL: a 2xx is only sent after the commit is on disk, so an acknowledged write survives a crash.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Deleted rows (purged logs, removed credentials) are overwritten, not left in free pages.
  db.pragma('secure_delete = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  // Planner statistics (sqlite_stat1) for tables that have none or grew a lot since: without them
  // SQLite cannot tell that `env` has two values and `user_id` 100,000, and may walk an index by
  // environment and date instead of seeking the user's rows. analysis_limit samples each index, so
  // this takes milliseconds even on millions of rows (the SQLite docs' advice for every open).
  db.pragma('analysis_limit = 400');
  db.pragma('optimize = 0x10002');
  // The WAL and shm files exist now (journal_mode and the migrations wrote): same mode as the database.
  secureDataDir(dataDir);
  return db;
}

function migrate(db: Db): void {
  const migrations = migrationsFor('sqlite');
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let i = current; i < migrations.length; i++) {
    db.transaction(() => {
      db.exec(migrations[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}
