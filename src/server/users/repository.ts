import { sql } from 'kysely';
import { engineOf, isUniqueViolation, prepared, type Conn } from '../platform/db/index.js';
import { DomainError } from '../platform/errors.js';
import type { Environment } from './environment.js';

/** An end user as the API shows it. */
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

export const usernameTaken = (username: string): DomainError =>
  new DomainError('conflict', `A user with username "${username}" already exists.`);

/**
 * Adds a user unless the username is taken in the environment (then nothing is written and the
 * answer is false): the unique index decides, so two concurrent creates cannot both succeed.
 */
export async function insertUser(
  conn: Conn,
  user: { id: string; env: Environment; username: string; fullName: string | null; createdAt: string },
): Promise<boolean> {
  const inserted = await conn
    .insertInto('users')
    .values({
      id: user.id,
      env: user.env,
      username: user.username,
      full_name: user.fullName,
      created_at: user.createdAt,
    })
    .onConflict((oc) => oc.columns(['env', 'username']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Compiled once: these two run on nearly every API request. */
const userById = prepared((conn, env: Environment, id: string) =>
  conn.selectFrom('users').select(['id', 'username', 'full_name']).where('env', '=', env).where('id', '=', id),
);
const userByName = prepared((conn, env: Environment, username: string) =>
  conn
    .selectFrom('users')
    .select(['id', 'username', 'full_name'])
    .where('env', '=', env)
    .where('username', '=', username),
);

export async function findUser(conn: Conn, env: Environment, idOrUsername: string): Promise<UserRecord | undefined> {
  const [byId] = await userById(conn, env, idOrUsername);
  if (byId) return toRecord(byId);
  const [byName] = await userByName(conn, env, idOrUsername);
  return byName ? toRecord(byName) : undefined;
}

/** The environment a user id belongs to (ids are unique across environments), or undefined. */
export async function envOfUser(conn: Conn, userId: string): Promise<Environment | undefined> {
  const row = await conn.selectFrom('users').select('env').where('id', '=', userId).executeTakeFirst();
  return row?.env;
}

/** The users of `env` among `ids` (unknown ids are left out). */
export async function usersByIds(conn: Conn, env: Environment, ids: readonly string[]): Promise<UserRecord[]> {
  if (ids.length === 0) return [];
  const rows = await conn
    .selectFrom('users')
    .select(['id', 'username', 'full_name'])
    .where('env', '=', env)
    .where('id', 'in', [...ids])
    .execute();
  return rows.map(toRecord);
}

export interface UserListRow extends UserRecord {
  createdAt: string;
}

/** A page of `env`'s users in creation order (ties by id) after `after`, `limit` rows at most. */
export async function listUsers(
  conn: Conn,
  env: Environment,
  options: { parentWorkflowId?: string | undefined; after?: { createdAt: string; id: string }; limit: number },
): Promise<UserListRow[]> {
  let query = conn
    .selectFrom('users as u')
    .select(['u.id', 'u.username', 'u.full_name', 'u.created_at'])
    .where('u.env', '=', env);
  const { parentWorkflowId, after } = options;
  if (parentWorkflowId !== undefined) {
    // A documented read-only exception to table ownership: `user_workflows` belongs to installs,
    // but the filter must be part of this one keyset-paged query. Asking installs for "the user ids
    // with this workflow" first would hand over an unbounded id list (every user who installed it)
    // for each page, and filtering a page afterwards would return short pages. Installs' writes
    // never depend on this read.
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('user_workflows as w')
          .select('w.user_id')
          .whereRef('w.user_id', '=', 'u.id')
          .where('w.workflow_id', '=', parentWorkflowId),
      ),
    );
  }
  if (after !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('u.created_at', '>', after.createdAt),
        eb.and([eb('u.created_at', '=', after.createdAt), eb('u.id', '>', after.id)]),
      ]),
    );
  }
  const rows = await query.orderBy('u.created_at').orderBy('u.id').limit(options.limit).execute();
  return rows.map((row) => ({ ...toRecord(row), createdAt: row.created_at }));
}

/**
 * The smallest string greater than every string starting with `prefix`, in code point order (the
 * order of SQLite's BINARY collation and of PostgreSQL's "C" collation on UTF-8): the prefix with
 * its last code point incremented. Undefined for '' (no upper bound).
 */
function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last >= 0x10ffff) continue;
    const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
    return points.join('') + String.fromCodePoint(next);
  }
  return undefined;
}

/**
 * A page of `env`'s users whose username or full name starts with `prefix` (compared lower-cased,
 * as `lower()` does: ASCII letters on SQLite, every letter on PostgreSQL), in creation order (ties
 * by id) after `after`. A prefix is a range on the lower-cased value, never a LIKE pattern, so
 * `%`, `_` and `\` match only themselves, and each side reads its expression index
 * (`users_env_username_lower`, `users_env_full_name_lower`; PostgreSQL compares them in "C" order).
 */
export async function searchUsers(
  conn: Conn,
  env: Environment,
  options: { prefix: string; after?: { createdAt: string; id: string }; limit: number },
): Promise<UserListRow[]> {
  const lowered = options.prefix.toLowerCase();
  const upper = prefixUpperBound(lowered);
  const collate = engineOf(conn) === 'postgres' ? sql` COLLATE "C"` : sql``;
  const inRange = (column: 'username' | 'full_name') => {
    const value = sql`lower(${sql.ref(column)})${collate}`;
    return upper === undefined
      ? sql<boolean>`(env = ${env} AND ${value} >= ${lowered})`
      : sql<boolean>`(env = ${env} AND ${value} >= ${lowered} AND ${value} < ${upper})`;
  };
  let query = conn
    .selectFrom('users')
    .select(['id', 'username', 'full_name', 'created_at'])
    // The environment only inside each side: a top-level `env = ?` lets SQLite prefer walking the
    // whole environment in creation order (users_env_created) over the two prefix ranges.
    .where(sql<boolean>`(${inRange('username')} OR ${inRange('full_name')})`);
  const { after } = options;
  if (after !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '>', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)]),
      ]),
    );
  }
  const rows = await query.orderBy('created_at').orderBy('id').limit(options.limit).execute();
  return rows.map((row) => ({ ...toRecord(row), createdAt: row.created_at }));
}

/**
 * Renames the user and/or sets their full name in ONE statement (`fullName: null` clears it,
 * `undefined` leaves a field as it is). Undefined when no such user; a username already taken in
 * the environment is a conflict, decided by the unique index, so concurrent updates never fail
 * any other way.
 */
export async function updateUser(
  conn: Conn,
  env: Environment,
  idOrUsername: string,
  patch: { username?: string | undefined; fullName?: string | null | undefined },
): Promise<UserRecord | undefined> {
  try {
    const row = await conn
      .updateTable('users')
      .set((eb) => ({
        username: patch.username ?? eb.ref('username'),
        full_name: patch.fullName === undefined ? eb.ref('full_name') : patch.fullName,
      }))
      .where('env', '=', env)
      // The user `idOrUsername` names: by id first, else by username (the docs let either stand in the path).
      .where((eb) =>
        eb(
          'id',
          '=',
          eb.fn.coalesce(
            eb
              .selectFrom('users as byId')
              .select('byId.id')
              .where('byId.env', '=', env)
              .where('byId.id', '=', idOrUsername),
            eb
              .selectFrom('users as byName')
              .select('byName.id')
              .where('byName.env', '=', env)
              .where('byName.username', '=', idOrUsername),
          ),
        ),
      )
      .returning(['id', 'username', 'full_name'])
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  } catch (error) {
    if (isUniqueViolation(error) && patch.username !== undefined) throw usernameTaken(patch.username);
    throw error;
  }
}

/** Deletes the user (their rows in other tables go by foreign key); false when there was none. */
export async function deleteUser(conn: Conn, env: Environment, userId: string): Promise<boolean> {
  const deleted = await conn
    .deleteFrom('users')
    .where('env', '=', env)
    .where('id', '=', userId)
    .returning('id')
    .executeTakeFirst();
  return deleted !== undefined;
}
