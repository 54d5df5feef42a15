import type { Db } from '../db.js';
import { nowIso } from '../db.js';
import { ApiError, notFound } from '../http-errors.js';
import { newId } from '../ids.js';
import type { Environment } from '../secrets.js';

export interface UserRecord {
  userId: string;
  username: string;
  fullName: string | null;
}

interface UserRow {
  id: string;
  username: string;
  full_name: string | null;
}

const toRecord = (row: UserRow): UserRecord => ({ userId: row.id, username: row.username, fullName: row.full_name });

export class UserService {
  constructor(private readonly db: Db) {}

  create(env: Environment, username: string, fullName: string | undefined): UserRecord {
    const id = newId();
    const result = this.db
      .prepare(
        `INSERT INTO users (id, env, username, full_name, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (env, username) DO NOTHING`,
      )
      .run(id, env, username, fullName ?? null, nowIso());
    if (result.changes === 0) {
      throw new ApiError(409, 'conflict', `A user with username "${username}" already exists.`);
    }
    return { userId: id, username, fullName: fullName ?? null };
  }

  /** Finds a user of this environment by id or, as the docs allow, by username. */
  find(env: Environment, idOrUsername: string): UserRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT id, username, full_name FROM users WHERE env = ? AND id = ?
         UNION ALL
         SELECT id, username, full_name FROM users WHERE env = ? AND username = ? LIMIT 1`,
      )
      .get(env, idOrUsername, env, idOrUsername) as UserRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** As `find`, but a user of another environment is indistinguishable from an unknown one. */
  require(env: Environment, idOrUsername: string): UserRecord {
    const user = this.find(env, idOrUsername);
    if (!user) throw notFound('The user');
    return user;
  }
}
