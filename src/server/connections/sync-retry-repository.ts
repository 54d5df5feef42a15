import type { Conn } from '../platform/db/index.js';

/**
 * All SQL on `app_subscription_retries`: users whose app subscriptions are out of date because a
 * sync failed, with when to try again. Any node may retry a row; a claim (one conditional UPDATE)
 * decides which, and `revision` (grown by every write) lets a sync delete only the row it saw.
 */

export interface SyncRetry {
  userId: string;
  attempts: number;
  /** ISO; null: given up until the next change or start. */
  nextAttemptAt: string | null;
  revision: number;
}

export async function findSyncRetry(conn: Conn, userId: string): Promise<SyncRetry | undefined> {
  const row = await conn
    .selectFrom('app_subscription_retries')
    .select(['user_id', 'attempts', 'next_attempt_at', 'revision'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return (
    row && {
      userId: row.user_id,
      attempts: Number(row.attempts),
      nextAttemptAt: row.next_attempt_at,
      revision: Number(row.revision),
    }
  );
}

/** Records a failed sync (one statement: insert, or update the user's row and grow its revision). */
export async function recordSyncFailure(
  conn: Conn,
  failure: { userId: string; attempts: number; nextAttemptAt: string | null; lastError: string },
  now: string,
): Promise<void> {
  await conn
    .insertInto('app_subscription_retries')
    .values({
      user_id: failure.userId,
      attempts: failure.attempts,
      next_attempt_at: failure.nextAttemptAt,
      last_error: failure.lastError,
      revision: 1,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet((eb) => ({
        attempts: eb.ref('excluded.attempts'),
        next_attempt_at: eb.ref('excluded.next_attempt_at'),
        last_error: eb.ref('excluded.last_error'),
        revision: eb('app_subscription_retries.revision', '+', 1),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/**
 * A change committed with `conn` leaves the user's subscriptions owing a sync: the row exists (due
 * at `dueAt`, when a sweep takes it if no sync here cleared it first) before the sync starts, so a
 * node that stops in between leaves it to another. An existing row keeps its attempts and the
 * earlier due time (a given-up row is due again); its revision grows, so a sync already under way
 * (it began before this change) does not delete it.
 */
export async function oweSync(conn: Conn, userId: string, dueAt: string, now: string): Promise<void> {
  await conn
    .insertInto('app_subscription_retries')
    .values({ user_id: userId, attempts: 0, next_attempt_at: dueAt, last_error: null, revision: 1, updated_at: now })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet((eb) => ({
        next_attempt_at: eb
          .case()
          .when('app_subscription_retries.next_attempt_at', 'is', null)
          .then(eb.ref('excluded.next_attempt_at'))
          .when('app_subscription_retries.next_attempt_at', '<', eb.ref('excluded.next_attempt_at'))
          .then(eb.ref('app_subscription_retries.next_attempt_at'))
          .else(eb.ref('excluded.next_attempt_at'))
          .end(),
        revision: eb('app_subscription_retries.revision', '+', 1),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/** After a successful sync: deletes the row if it is still at `revision`; false if it changed meanwhile. */
export async function clearSyncRetry(conn: Conn, userId: string, revision: number): Promise<boolean> {
  const deleted = await conn
    .deleteFrom('app_subscription_retries')
    .where('user_id', '=', userId)
    .where('revision', '=', revision)
    .returning('user_id')
    .executeTakeFirst();
  return deleted !== undefined;
}

/** Users whose retry is due at `now`, the longest waiting first. */
export async function dueSyncRetries(conn: Conn, now: string, limit: number): Promise<string[]> {
  const rows = await conn
    .selectFrom('app_subscription_retries')
    .select('user_id')
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .orderBy('user_id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.user_id);
}

/**
 * Takes a due retry for this node: moves it to `until` (the claim's lease) if it is still due.
 * Two nodes claiming at once: one UPDATE changes the row, the other's re-check finds it no longer
 * due. The row's new revision, or undefined when another node (or a sync) took it first.
 */
export async function claimSyncRetry(
  conn: Conn,
  userId: string,
  now: string,
  until: string,
): Promise<number | undefined> {
  const row = await conn
    .updateTable('app_subscription_retries')
    .set((eb) => ({ next_attempt_at: until, revision: eb('revision', '+', 1), updated_at: now }))
    .where('user_id', '=', userId)
    .where('next_attempt_at', '<=', now)
    .returning('revision')
    .executeTakeFirst();
  return row && Number(row.revision);
}

/** Gives back a claim no sync used (the node is closing, or the user's lock timed out): due now. */
export async function releaseSyncRetry(conn: Conn, userId: string, revision: number, now: string): Promise<void> {
  await conn
    .updateTable('app_subscription_retries')
    .set((eb) => ({ next_attempt_at: now, revision: eb('revision', '+', 1), updated_at: now }))
    .where('user_id', '=', userId)
    .where('revision', '=', revision)
    .execute();
}

/** When the next retry (or claim lease) falls due, in ms since the epoch. */
export async function nextSyncRetryAt(conn: Conn): Promise<number | undefined> {
  const row = await conn
    .selectFrom('app_subscription_retries')
    .select((eb) => eb.fn.min('next_attempt_at').as('at'))
    .executeTakeFirst();
  const at = row?.at ?? null;
  return at === null ? undefined : Date.parse(at);
}
