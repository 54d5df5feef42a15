import { sql } from 'kysely';
import { changed, type Conn } from '../platform/db/index.js';

/**
 * All SQL on `idempotency_keys` (owned by the HTTP layer's idempotency wrapper). A row is first
 * claimed as pending (`status` 0: no HTTP status is 0, `response` empty), then completed with the
 * answer; a failed attempt's claim is released so the client's retry can run.
 */
export interface IdempotencyRecord {
  requestHash: string;
  /** 0 while the first request is still running. */
  status: number;
  /** The stored JSON answer; empty while pending. */
  response: string;
  createdAt: string;
}

export const PENDING_STATUS = 0;

/** Inserts the key as pending; false when the key already has a row (ON CONFLICT DO NOTHING). */
export async function claimKey(
  conn: Conn,
  key: { scope: string; key: string; requestHash: string; now: string },
): Promise<boolean> {
  const inserted = await conn
    .insertInto('idempotency_keys')
    .values({
      scope: key.scope,
      key: key.key,
      request_hash: key.requestHash,
      status: PENDING_STATUS,
      response: '',
      created_at: key.now,
    })
    .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findKey(conn: Conn, scope: string, key: string): Promise<IdempotencyRecord | undefined> {
  const row = await conn
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status', 'response', 'created_at'])
    .where('scope', '=', scope)
    .where('key', '=', key)
    .executeTakeFirst();
  return (
    row && { requestHash: row.request_hash, status: row.status, response: row.response, createdAt: row.created_at }
  );
}

/** Stores the answer of a claimed key. */
export async function completeKey(
  conn: Conn,
  scope: string,
  key: string,
  answer: { status: number; response: string },
): Promise<void> {
  await conn
    .updateTable('idempotency_keys')
    .set({ status: answer.status, response: answer.response })
    .where('scope', '=', scope)
    .where('key', '=', key)
    .execute();
}

/** Drops a pending claim whose work failed (a completed answer is never dropped). */
export async function releaseKey(conn: Conn, scope: string, key: string): Promise<void> {
  await conn
    .deleteFrom('idempotency_keys')
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('status', '=', PENDING_STATUS)
    .execute();
}

/**
 * Takes over a pending claim that has been pending since `claimedAt` (its process died): true for
 * exactly one of several callers that try at once.
 */
export async function takeOverKey(
  conn: Conn,
  scope: string,
  key: string,
  claimedAt: string,
  now: string,
): Promise<boolean> {
  const taken = await conn
    .updateTable('idempotency_keys')
    .set({ created_at: now })
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('status', '=', PENDING_STATUS)
    .where('created_at', '=', claimedAt)
    .returning('key')
    .executeTakeFirst();
  return taken !== undefined;
}

/**
 * Retention: forgets at most `limit` keys claimed before `cutoff`, in one statement; the number
 * deleted (the retention job repeats it until a batch comes back short).
 */
export async function deleteKeysBefore(conn: Conn, cutoff: string, limit: number): Promise<number> {
  return changed(
    await sql`DELETE FROM idempotency_keys WHERE (scope, key) IN (
      SELECT scope, key FROM idempotency_keys WHERE created_at < ${cutoff} LIMIT ${limit})`.execute(conn),
  );
}
