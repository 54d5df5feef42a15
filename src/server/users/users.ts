import * as z from 'zod/mini';
import {
  CreateUserRequest,
  DEFAULT_USERS_PAGE_SIZE,
  type BatchCreateUsersResponse,
  type InvalidUser,
  type UpdateUserRequest,
} from '../../contract/index.js';
import { inTransaction, nowIso, type Conn, type Database } from '../platform/db/index.js';
import { DomainError, notFound } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Environment } from './environment.js';
import {
  deleteUser,
  envOfUser,
  findUser,
  insertUser,
  listUsers,
  searchUsers,
  updateUser,
  usernameTaken,
  usersByIds,
  type UserListRow,
  type UserRecord,
} from './repository.js';

export type { UserListRow, UserRecord };

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

/** End users (the ISV's tenants). Every query filters on the environment of the API key. */
export class UserService {
  constructor(private readonly database: Database) {}

  async create(
    env: Environment,
    username: string,
    fullName: string | undefined,
    conn: Conn = this.database,
  ): Promise<UserRecord> {
    const id = newId();
    const user = { userId: id, username, fullName: fullName ?? null };
    if (!(await insertUser(conn, { id, env, username, fullName: user.fullName, createdAt: nowIso() }))) {
      throw usernameTaken(username);
    }
    return user;
  }

  /**
   * Creates the valid entries and reports each invalid one (bad shape, duplicate in the batch,
   * username taken) with its reason. One transaction: the batch is on disk before the answer.
   */
  async createBatch(env: Environment, entries: unknown[]): Promise<BatchCreateUsersResponse> {
    return inTransaction(this.database, async (trx) => {
      const invalidUsers: InvalidUser[] = [];
      const users: { userId: string; username: string }[] = [];
      const seen = new Set<string>();
      const now = nowIso();
      for (const [index, entry] of entries.entries()) {
        const echo = entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? entry : { value: entry };
        const parsed = CreateUserRequest.safeParse(entry);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
          invalidUsers.push({ ...echo, index, reason: `${where}${issue?.message ?? 'invalid user'}` });
          continue;
        }
        const { username, fullName } = parsed.data;
        if (seen.has(username)) {
          invalidUsers.push({ ...echo, index, reason: 'username appears more than once in this batch' });
          continue;
        }
        seen.add(username);
        const id = newId();
        if (!(await insertUser(trx, { id, env, username, fullName: fullName ?? null, createdAt: now }))) {
          invalidUsers.push({ ...echo, index, reason: 'a user with this username already exists' });
          continue;
        }
        users.push({ userId: id, username });
      }
      return { message: 'success' as const, invalidUsers, users };
    });
  }

  /**
   * One page of the environment's users in creation order (ties by id), after `cursor`: keyset
   * paging, so a page costs the same wherever it is and users created meanwhile are neither
   * skipped nor repeated; with a workflow id, only those who installed it. `nextCursor` is set
   * when more users follow.
   */
  async list(
    env: Environment,
    options: { parentWorkflowId?: string | undefined; limit?: number; cursor?: string | undefined } = {},
  ): Promise<UserPage> {
    const limit = options.limit ?? DEFAULT_USERS_PAGE_SIZE;
    const rows = await listUsers(this.database, env, {
      parentWorkflowId: options.parentWorkflowId,
      ...(options.cursor === undefined ? {} : { after: decodeUserCursor(options.cursor) }),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map(({ userId, username, fullName }) => ({ userId, username, fullName })),
      ...(rows.length > limit && last ? { nextCursor: encodeUserCursor(last.createdAt, last.userId) } : {}),
    };
  }

  /**
   * The console's search: a page of the environment's users whose username or full name starts
   * with `search` (case-insensitive, literal), or every user when it is empty, in creation order
   * after `cursor` (the same keyset cursor as `list`). Each row keeps its `createdAt`.
   */
  async search(
    env: Environment,
    options: { search?: string | undefined; limit: number; cursor?: string | undefined },
  ): Promise<{ data: UserListRow[]; nextCursor?: string }> {
    const after = options.cursor === undefined ? {} : { after: decodeUserCursor(options.cursor) };
    const prefix = options.search?.trim() ?? '';
    const rows =
      prefix === ''
        ? await listUsers(this.database, env, { ...after, limit: options.limit + 1 })
        : await searchUsers(this.database, env, { prefix, ...after, limit: options.limit + 1 });
    const page = rows.slice(0, options.limit);
    const last = page[page.length - 1];
    return {
      data: page,
      ...(rows.length > options.limit && last ? { nextCursor: encodeUserCursor(last.createdAt, last.userId) } : {}),
    };
  }

  /** The environment of a user id (ids are unique across environments), or undefined when no such user. */
  envOf(userId: string, conn: Conn = this.database): Promise<Environment | undefined> {
    return envOfUser(conn, userId);
  }

  /** The users of `env` among `userIds`, by id (unknown ids are absent); one query for a page of rows. */
  async namesOf(
    env: Environment,
    userIds: Iterable<string>,
    conn: Conn = this.database,
  ): Promise<Map<string, UserRecord>> {
    const users = await usersByIds(conn, env, [...new Set(userIds)]);
    return new Map(users.map((u) => [u.userId, u]));
  }

  /** Finds a user of this environment by id or, as the docs allow, by username. */
  find(env: Environment, idOrUsername: string, conn: Conn = this.database): Promise<UserRecord | undefined> {
    return findUser(conn, env, idOrUsername);
  }

  /** As `find`, but a user of another environment is indistinguishable from an unknown one. */
  async require(env: Environment, idOrUsername: string, conn: Conn = this.database): Promise<UserRecord> {
    const user = await this.find(env, idOrUsername, conn);
    if (!user) throw notFound('The user');
    return user;
  }

  /**
   * The user a user token names. The token outlives a deleted user, so this is where such a
   * token stops working: the one answer every user-token route gives.
   */
  async requireTokenUser(
    caller: { env: Environment; userId?: string | undefined },
    conn: Conn = this.database,
  ): Promise<UserRecord> {
    const user = caller.userId === undefined ? undefined : await this.find(caller.env, caller.userId, conn);
    if (!user) throw new DomainError('token_invalid', 'The user of this token no longer exists.');
    return user;
  }

  /** One conditional statement: no user is a 404, a username taken meanwhile a 409, never anything else. */
  async update(env: Environment, idOrUsername: string, patch: UpdateUserRequest): Promise<UserRecord> {
    const user = await updateUser(this.database, env, idOrUsername, patch);
    if (!user) throw notFound('The user');
    return user;
  }

  /**
   * Deletes the user with their installations, credentials, pending runs and links. Logs stay
   * (as the docs say) until `DELETE /users/:userId/logs`.
   */
  async delete(env: Environment, idOrUsername: string): Promise<void> {
    const user = await this.require(env, idOrUsername);
    if (!(await deleteUser(this.database, env, user.userId))) throw notFound('The user');
  }
}
