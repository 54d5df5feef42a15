/** The database seam: the only way into storage (lint keeps everything else out of better-sqlite3). */
export {
  afterCommit,
  changed,
  commitGrouped,
  groupCommitStats,
  type GroupCommitStats,
  createDatabase,
  inTransaction,
  isTransaction,
  isUniqueViolation,
  prepared,
  type Conn,
  type Database,
  type DatabaseOptions,
} from './database.js';
export type * from './schema.js';
export { engineOf, openStorage, type Engine, type Storage, type StorageOptions } from './storage.js';
export { dropSchema } from './postgres.js';
export { DATA_DIR_MODE, DATA_FILE_MODE, nowIso, openDatabase, restrictFile, secureDataDir, type Db } from './sqlite.js';
