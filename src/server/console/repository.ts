import type { Environment } from '../users/index.js';
import { changed, type Conn } from '../platform/db/index.js';

/**
 * The console module's tables: `console_admins`, `console_sessions`, `console_setup_tokens`,
 * `console_api_keys`. Every function takes the database or a transaction first and returns plain
 * objects; every read-then-write is one conditional statement.
 */

// ── console_admins ──────────────────────────────────────────────────────────────────────────

export interface AdminRow {
  username: string;
  passwordHash: string;
}

export async function anyAdmin(conn: Conn): Promise<boolean> {
  const row = await conn.selectFrom('console_admins').select('username').limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function findAdmin(conn: Conn, username: string): Promise<AdminRow | undefined> {
  const row = await conn
    .selectFrom('console_admins')
    .select(['username', 'password_hash'])
    .where('username', '=', username)
    .executeTakeFirst();
  return row && { username: row.username, passwordHash: row.password_hash };
}

/** Inserts the admin only while there is none: true when this call made the first one. */
export async function insertFirstAdmin(
  conn: Conn,
  admin: { username: string; passwordHash: string; createdAt: string },
): Promise<boolean> {
  const result = await conn
    .insertInto('console_admins')
    .columns(['username', 'password_hash', 'created_at'])
    .expression(
      conn
        .selectNoFrom((eb) => [
          eb.val(admin.username).as('username'),
          eb.val(admin.passwordHash).as('password_hash'),
          eb.val(admin.createdAt).as('created_at'),
        ])
        .where((eb) => eb.not(eb.exists(eb.selectFrom('console_admins').select('username')))),
    )
    .onConflict((oc) => oc.column('username').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

// ── console_setup_tokens ────────────────────────────────────────────────────────────────────

/** Replaces any earlier setup token with this one (the last printed is the one that works). */
export async function replaceSetupToken(
  conn: Conn,
  token: { tokenHash: string; createdAt: string; expiresAt: string },
): Promise<void> {
  await conn.deleteFrom('console_setup_tokens').execute();
  await conn
    .insertInto('console_setup_tokens')
    .values({ token_hash: token.tokenHash, created_at: token.createdAt, expires_at: token.expiresAt })
    .execute();
}

/** Uses up the setup token if it is this one and unexpired: true for the one caller that did. */
export async function consumeSetupToken(conn: Conn, tokenHash: string, now: string): Promise<boolean> {
  const result = await conn
    .deleteFrom('console_setup_tokens')
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return changed(result) > 0;
}

export async function deleteSetupTokens(conn: Conn): Promise<void> {
  await conn.deleteFrom('console_setup_tokens').execute();
}

// ── console_sessions ────────────────────────────────────────────────────────────────────────

export interface SessionRow {
  username: string;
  csrfToken: string;
  expiresAt: string;
}

export async function insertSession(
  conn: Conn,
  session: { idHash: string; username: string; csrfToken: string; createdAt: string; expiresAt: string },
): Promise<void> {
  await conn
    .insertInto('console_sessions')
    .values({
      id_hash: session.idHash,
      username: session.username,
      csrf_token: session.csrfToken,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
    })
    .execute();
}

/** The unexpired session with this digest. */
export async function findSession(conn: Conn, idHash: string, now: string): Promise<SessionRow | undefined> {
  const row = await conn
    .selectFrom('console_sessions')
    .select(['username', 'csrf_token', 'expires_at'])
    .where('id_hash', '=', idHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row && { username: row.username, csrfToken: row.csrf_token, expiresAt: row.expires_at };
}

export async function deleteSession(conn: Conn, idHash: string): Promise<void> {
  await conn.deleteFrom('console_sessions').where('id_hash', '=', idHash).execute();
}

/** Deletes up to `limit` sessions that expired before `cutoff`; returns how many. */
export async function deleteExpiredSessions(conn: Conn, cutoff: string, limit: number): Promise<number> {
  const result = await conn
    .deleteFrom('console_sessions')
    .where(
      'id_hash',
      'in',
      conn.selectFrom('console_sessions').select('id_hash').where('expires_at', '<=', cutoff).limit(limit),
    )
    .executeTakeFirst();
  return changed(result);
}

// ── console_api_keys ────────────────────────────────────────────────────────────────────────

export interface ApiKeyRecord {
  env: Environment;
  keySha256: string;
  hint: string | null;
  active: boolean;
  createdAt: string;
}

export async function listApiKeyRecords(conn: Conn): Promise<ApiKeyRecord[]> {
  const rows = await conn
    .selectFrom('console_api_keys')
    .select(['env', 'key_sha256', 'hint', 'active', 'created_at'])
    .execute();
  return rows.map((row) => ({
    env: row.env,
    keySha256: row.key_sha256,
    hint: row.hint,
    active: Number(row.active) === 1,
    createdAt: row.created_at,
  }));
}

export async function upsertApiKeyRecord(conn: Conn, record: ApiKeyRecord): Promise<void> {
  await conn
    .insertInto('console_api_keys')
    .values({
      env: record.env,
      key_sha256: record.keySha256,
      hint: record.hint,
      active: record.active ? 1 : 0,
      created_at: record.createdAt,
    })
    .onConflict((oc) =>
      oc.column('env').doUpdateSet((eb) => ({
        key_sha256: eb.ref('excluded.key_sha256'),
        hint: eb.ref('excluded.hint'),
        active: eb.ref('excluded.active'),
        created_at: eb.ref('excluded.created_at'),
      })),
    )
    .execute();
}

/** Records a key the console did not make (pinned, or generated at start) unless this key is already recorded. */
export async function recordSeenApiKey(conn: Conn, record: ApiKeyRecord): Promise<void> {
  await conn
    .insertInto('console_api_keys')
    .values({
      env: record.env,
      key_sha256: record.keySha256,
      hint: record.hint,
      active: record.active ? 1 : 0,
      created_at: record.createdAt,
    })
    .onConflict((oc) =>
      oc
        .column('env')
        .doUpdateSet((eb) => ({
          key_sha256: eb.ref('excluded.key_sha256'),
          hint: eb.ref('excluded.hint'),
          active: eb.ref('excluded.active'),
          created_at: eb.ref('excluded.created_at'),
        }))
        .where('console_api_keys.key_sha256', '<>', record.keySha256),
    )
    .execute();
}
