import type { OAuthSessionStatus } from '../../contract/index.js';
import { changed, type Conn, type OAuthSessionsTable } from '../platform/db/index.js';

/** All SQL on `oauth_sessions`: the modal's and headless OAuth sessions. */

export interface OAuthSessionRecord {
  id: string;
  userId: string;
  connector: string;
  origin: string;
  /** The one-time state; `used:<id>` once a callback claimed the session. */
  state: string;
  /** The PKCE verifier, sealed (plaintext in rows an older version wrote); '' once finished. */
  codeVerifier: string;
  /** The connector's pre-OAuth fields, JSON. */
  fields: string;
  status: OAuthSessionStatus;
  credentialId: string | null;
  message: string | null;
  createdAt: string;
  expiresAt: string;
  /** SHA-256 of the browser-binding cookie set by the first navigation to the start URL; null until then. */
  browserHash: string | null;
}

/** A claimed session's state is replaced (the column is unique), so it cannot be used again. */
export const USED_STATE_PREFIX = 'used:';

/** The columns the session queries select (completed_at and started_at stay in the database). */
type SessionRow = Omit<OAuthSessionsTable, 'completed_at' | 'started_at'>;

const toRecord = (row: SessionRow): OAuthSessionRecord => ({
  id: row.id,
  userId: row.user_id,
  connector: row.connector,
  origin: row.origin,
  state: row.state,
  codeVerifier: row.code_verifier,
  fields: row.fields,
  status: row.status,
  credentialId: row.credential_id,
  message: row.message,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  browserHash: row.browser_hash,
});

const COLUMNS = [
  'id',
  'user_id',
  'connector',
  'origin',
  'state',
  'code_verifier',
  'fields',
  'status',
  'credential_id',
  'message',
  'created_at',
  'expires_at',
  'browser_hash',
] as const;

export async function insertSession(
  conn: Conn,
  session: Pick<
    OAuthSessionRecord,
    'id' | 'userId' | 'connector' | 'origin' | 'state' | 'codeVerifier' | 'fields' | 'createdAt' | 'expiresAt'
  >,
): Promise<void> {
  await conn
    .insertInto('oauth_sessions')
    .values({
      id: session.id,
      user_id: session.userId,
      connector: session.connector,
      origin: session.origin,
      state: session.state,
      code_verifier: session.codeVerifier,
      fields: session.fields,
      status: 'pending',
      created_at: session.createdAt,
      expires_at: session.expiresAt,
    })
    .execute();
}

export async function findSession(conn: Conn, sessionId: string): Promise<OAuthSessionRecord | undefined> {
  const row = await conn.selectFrom('oauth_sessions').select(COLUMNS).where('id', '=', sessionId).executeTakeFirst();
  return row && toRecord(row);
}

/** The pending session a callback's state belongs to (used states never match: they were replaced). */
export async function findPendingByState(conn: Conn, state: string): Promise<OAuthSessionRecord | undefined> {
  const row = await conn
    .selectFrom('oauth_sessions')
    .select(COLUMNS)
    .where('state', '=', state)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row && toRecord(row);
}

/**
 * Binds a pending session to the first browser that opens its start URL: one conditional UPDATE,
 * so of two browsers racing exactly one gets the row back. Only a session that is still pending,
 * unclaimed by a callback, unbound, within its deadline and opened within `openedAfter` (its
 * creation time must be later) is bound.
 */
export async function bindBrowser(
  conn: Conn,
  input: { sessionId: string; browserHash: string; now: string; openedAfter: string },
): Promise<OAuthSessionRecord | undefined> {
  const row = await conn
    .updateTable('oauth_sessions')
    .set({ browser_hash: input.browserHash, started_at: input.now })
    .where('id', '=', input.sessionId)
    .where('status', '=', 'pending')
    .where('browser_hash', 'is', null)
    .where('state', 'not like', `${USED_STATE_PREFIX}%`)
    .where('expires_at', '>', input.now)
    .where('created_at', '>', input.openedAfter)
    .returning(COLUMNS)
    .executeTakeFirst();
  return row && toRecord(row);
}

/**
 * Claims a session for its callback by retiring its state: one conditional UPDATE on the state,
 * the pending status and the browser binding, so of two callbacks with the same state exactly
 * one gets the row back; a replayed one finds nothing. The session stays `pending` (what a poll
 * should see) until `finishSession`.
 */
export async function claimCallback(
  conn: Conn,
  input: { sessionId: string; state: string; browserHash: string },
): Promise<OAuthSessionRecord | undefined> {
  const row = await conn
    .updateTable('oauth_sessions')
    .set({ state: `${USED_STATE_PREFIX}${input.sessionId}` })
    .where('id', '=', input.sessionId)
    .where('state', '=', input.state)
    .where('status', '=', 'pending')
    .where('browser_hash', '=', input.browserHash)
    .returning(COLUMNS)
    .executeTakeFirst();
  return row && toRecord(row);
}

/** Records a claimed session's outcome and forgets its verifier; whether it was still pending. */
export async function finishSession(
  conn: Conn,
  sessionId: string,
  outcome: { status: OAuthSessionStatus; message: string | null; credentialId: string | null; now: string },
): Promise<boolean> {
  const result = await conn
    .updateTable('oauth_sessions')
    .set({
      status: outcome.status,
      message: outcome.message,
      credential_id: outcome.credentialId,
      completed_at: outcome.now,
      code_verifier: '',
    })
    .where('id', '=', sessionId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return changed(result) === 1;
}

/** Sessions whose PKCE verifier an older version stored in plaintext. */
export async function plaintextVerifiers(conn: Conn): Promise<{ id: string; codeVerifier: string }[]> {
  const rows = await conn
    .selectFrom('oauth_sessions')
    .select(['id', 'code_verifier'])
    .where('code_verifier', '!=', '')
    .where('code_verifier', 'not like', 'sealed:%')
    .execute();
  return rows.map((row) => ({ id: row.id, codeVerifier: row.code_verifier }));
}

/** Replaces a verifier if it is still the one read (a concurrent change wins). */
export async function replaceVerifier(conn: Conn, sessionId: string, from: string, to: string): Promise<boolean> {
  const result = await conn
    .updateTable('oauth_sessions')
    .set({ code_verifier: to })
    .where('id', '=', sessionId)
    .where('code_verifier', '=', from)
    .executeTakeFirst();
  return changed(result) === 1;
}

/** Deletes sessions that expired before `cutoff` (retention); how many. */
export async function deleteSessionsExpiredBefore(conn: Conn, cutoff: string, limit: number): Promise<number> {
  return changed(
    await conn
      .deleteFrom('oauth_sessions')
      .where('id', 'in', (eb) =>
        eb.selectFrom('oauth_sessions').select('id').where('expires_at', '<', cutoff).limit(limit),
      )
      .executeTakeFirst(),
  );
}
