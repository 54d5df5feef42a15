import * as z from 'zod/mini';
import {
  CreateUserRequest,
  DEFAULT_USERS_PAGE_SIZE,
  type BatchCreateUsersResponse,
  type InvalidUser,
  type UpdateUserRequest,
  type User,
} from '../../contract/index.js';
import type { Db } from '../platform/db/sqlite.js';
import { nowIso } from '../platform/db/sqlite.js';
import { DomainError, notFound } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Environment } from '../platform/secrets.js';

export type UserRecord = User;

export interface UserPage {
  data: UserRecord[];
  nextCursor?: string;
}

/** A cursor is where the previous page ended: opaque to clients (base64url JSON), checked on the way in. */
const UserCursor = z.tuple([
  z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/)),
  z.string().check(z.regex(/^[0-9a-f]{24}$/)),
]);

function encodeUserCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

function decodeUserCursor(cursor: string): { createdAt: string; id: string } {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const parsed = UserCursor.safeParse(decoded);
  if (!parsed.success) {
    throw new DomainError('validation_failed', 'Invalid request query. cursor: not a nextCursor this API returned.', [
      { path: ['cursor'], message: 'not a nextCursor this API returned' },
    ]);
  }
  return { createdAt: parsed.data[0], id: parsed.data[1] };
}

interface UserRow {
  id: string;
  username: string;
  full_name: string | null;
}

const toRecord = (row: UserRow): UserRecord => ({ userId: row.id, username: row.username, fullName: row.full_name });

/** End users (the ISV's tenants). Every query filters on the environment of the API key. */
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
      throw new DomainError('conflict', `A user with username "${username}" already exists.`);
    }
    return { userId: id, username, fullName: fullName ?? null };
  }

  /**
   * Creates the valid entries and reports each invalid one (bad shape, duplicate in the batch,
   * username taken) with its reason. One transaction: the batch is on disk before the answer.
   */
  createBatch(env: Environment, entries: unknown[]): BatchCreateUsersResponse {
    return this.db.transaction(() => {
      const invalidUsers: InvalidUser[] = [];
      const users: { userId: string; username: string }[] = [];
      const seen = new Set<string>();
      const now = nowIso();
      const insert = this.db.prepare(
        `INSERT INTO users (id, env, username, full_name, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (env, username) DO NOTHING`,
      );
      entries.forEach((entry, index) => {
        const echo = entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? entry : { value: entry };
        const parsed = CreateUserRequest.safeParse(entry);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
          invalidUsers.push({ ...echo, index, reason: `${where}${issue?.message ?? 'invalid user'}` });
          return;
        }
        const { username, fullName } = parsed.data;
        if (seen.has(username)) {
          invalidUsers.push({ ...echo, index, reason: 'username appears more than once in this batch' });
          return;
        }
        seen.add(username);
        const id = newId();
        if (insert.run(id, env, username, fullName ?? null, now).changes === 0) {
          invalidUsers.push({ ...echo, index, reason: 'a user with this username already exists' });
          return;
        }
        users.push({ userId: id, username });
      });
      return { message: 'success' as const, invalidUsers, users };
    })();
  }

  /** All users of the environment, oldest first; with a workflow id, only those who installed it. */
  /**
   * One page of the environment's users in creation order (ties by id), after `cursor`: keyset
   * paging, so a page costs the same wherever it is and users created meanwhile are neither
   * skipped nor repeated. `nextCursor` is set when more users follow.
   */
  list(
    env: Environment,
    options: { parentWorkflowId?: string | undefined; limit?: number; cursor?: string | undefined } = {},
  ): UserPage {
    const limit = options.limit ?? DEFAULT_USERS_PAGE_SIZE;
    const after = options.cursor === undefined ? undefined : decodeUserCursor(options.cursor);
    const conditions = ['u.env = ?'];
    const values: unknown[] = [env];
    if (options.parentWorkflowId !== undefined) {
      // TODO(i15): user_workflows belongs to installs; filter by its WorkflowService once users is async.
      conditions.push('EXISTS (SELECT 1 FROM user_workflows w WHERE w.user_id = u.id AND w.workflow_id = ?)');
      values.push(options.parentWorkflowId);
    }
    if (after !== undefined) {
      conditions.push('(u.created_at > ? OR (u.created_at = ? AND u.id > ?))');
      values.push(after.createdAt, after.createdAt, after.id);
    }
    const rows = this.db
      .prepare(
        `SELECT u.id, u.username, u.full_name, u.created_at FROM users u WHERE ${conditions.join(' AND ')}
         ORDER BY u.created_at, u.id LIMIT ?`,
      )
      .all(...values, limit + 1) as (UserRow & { created_at: string })[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map(toRecord),
      ...(rows.length > limit && last ? { nextCursor: encodeUserCursor(last.created_at, last.id) } : {}),
    };
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

  update(env: Environment, idOrUsername: string, patch: UpdateUserRequest): UserRecord {
    return this.db.transaction(() => {
      const user = this.require(env, idOrUsername);
      const username = patch.username ?? user.username;
      const fullName = patch.fullName === undefined ? user.fullName : patch.fullName;
      if (username !== user.username) {
        const taken = this.db.prepare('SELECT 1 FROM users WHERE env = ? AND username = ?').get(env, username);
        if (taken) throw new DomainError('conflict', `A user with username "${username}" already exists.`);
      }
      this.db.prepare('UPDATE users SET username = ?, full_name = ? WHERE id = ?').run(username, fullName, user.userId);
      return { userId: user.userId, username, fullName };
    })();
  }

  /**
   * Deletes the user with their installations, credentials, pending runs and links. Logs stay
   * (as the docs say) until `DELETE /users/:userId/logs`.
   */
  delete(env: Environment, idOrUsername: string): void {
    const user = this.require(env, idOrUsername);
    this.db.prepare('DELETE FROM users WHERE id = ?').run(user.userId);
  }
}
