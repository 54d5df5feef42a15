import { sql, type Selectable } from 'kysely';
import {
  changed,
  type Conn,
  type DeliveryKind,
  type DeliveryStatus,
  type OutboundDeliveriesTable,
} from '../platform/db/index.js';
import type { Environment } from '../users/index.js';

/**
 * All SQL on the deliveries module's tables: `outbound_deliveries` (the outbox) and
 * `environment_settings`. Every function takes the connection first (the database or the
 * caller's transaction) and returns plain objects. Timestamps are ISO text from JS.
 */

/** One outgoing delivery as the module sees it. */
export interface OutboundDelivery {
  id: string;
  env: Environment;
  kind: DeliveryKind;
  url: string;
  /** JSON object of extra headers. */
  headers: string;
  /** JSON text, sent and signed as is. */
  body: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  responseStatus: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

const toDelivery = (row: Selectable<OutboundDeliveriesTable>): OutboundDelivery => ({
  id: row.id,
  env: row.env,
  kind: row.kind,
  url: row.url,
  headers: row.headers,
  body: row.body,
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  leaseOwner: row.lease_owner,
  leaseExpiresAt: row.lease_expires_at,
  responseStatus: row.response_status,
  lastError: row.last_error,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  deliveredAt: row.delivered_at,
});

export async function insertDelivery(
  conn: Conn,
  delivery: Pick<OutboundDelivery, 'id' | 'env' | 'kind' | 'url' | 'headers' | 'body'> & { now: string },
): Promise<void> {
  const { now, ...row } = delivery;
  await conn
    .insertInto('outbound_deliveries')
    .values({ ...row, status: 'pending', attempts: 0, next_attempt_at: now, created_at: now, updated_at: now })
    .execute();
}

/**
 * A row is claimable when it is pending and due, or its lease has run out (its worker died).
 * One expression (no index matches it), so that the claim's outer UPDATE finds its rows by
 * primary key rather than through the status indexes.
 */
const dueAt = sql<string>`CASE status WHEN 'pending' THEN next_attempt_at WHEN 'sending' THEN lease_expires_at END`;

/** Whether anything is due at `now`: a cheap look before the claim. */
export async function anyDue(conn: Conn, now: string): Promise<boolean> {
  const row = await conn
    .selectFrom('outbound_deliveries')
    .select(sql<number>`1`.as('due'))
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
        eb.and([eb('status', '=', 'sending'), eb('lease_expires_at', '<=', now)]),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export interface ClaimRequest {
  owner: string;
  /** The most rows to lease. */
  limit: number;
  /** The most rows of one URL leased at once, by every worker together (held leases count). */
  targetLimit: number;
  now: string;
  until: string;
}

/**
 * Leases due deliveries in ONE statement: `UPDATE … WHERE id IN (the due rows, fair per URL)
 * AND <still due> RETURNING *`. Two workers (or processes) claiming at once cannot both get a
 * row: SQLite runs the statement alone, and on PostgreSQL the row-level recheck (`dueAt <= now`,
 * re-evaluated on the locked row) drops a row another claim has just leased.
 *
 * The candidates: `target` steps through the URLs with due rows, one index seek each
 * (outbound_deliveries_target_due); each URL gives its oldest `perTarget` due rows; expired
 * leases come back whatever their URL. Each URL's rows are ranked after its live leases, none
 * beyond `targetLimit`, then served round-robin (turn), fresh before retries, oldest first. Ties
 * go by id, which is time-ordered (newMessageId); within one URL's rows the index order decides
 * which of several due in the same millisecond come first (insertion order on SQLite), so the
 * seek stays a walk down outbound_deliveries_target_due with no sort. Written as SQL text: the
 * builder cannot say the stepping recursive CTE readably.
 */
export async function claimDue(conn: Conn, request: ClaimRequest): Promise<OutboundDelivery[]> {
  const { owner, limit, targetLimit, now, until } = request;
  const perTarget = Math.min(targetLimit, limit);
  const candidates = sql<string>`(
    WITH RECURSIVE
    target (url) AS (
      SELECT (SELECT url FROM outbound_deliveries WHERE status = 'pending' AND next_attempt_at <= ${now}
              ORDER BY url LIMIT 1)
      UNION ALL
      SELECT (SELECT url FROM outbound_deliveries WHERE status = 'pending' AND url > target.url
                AND next_attempt_at <= ${now} ORDER BY url LIMIT 1)
      FROM target WHERE target.url IS NOT NULL
    ),
    candidate AS (
      SELECT d.id, d.url, d.attempts, d.next_attempt_at AS due_at
      FROM target JOIN outbound_deliveries AS d ON d.id IN (
        SELECT id FROM outbound_deliveries WHERE status = 'pending' AND url = target.url AND next_attempt_at <= ${now}
        ORDER BY next_attempt_at LIMIT ${perTarget})
      UNION ALL
      SELECT id, url, attempts, lease_expires_at FROM outbound_deliveries
      WHERE status = 'sending' AND lease_expires_at <= ${now}
    ),
    held AS (
      SELECT url, COUNT(*) AS leases FROM outbound_deliveries
      WHERE status = 'sending' AND lease_expires_at > ${now} GROUP BY url
    ),
    ranked AS (
      SELECT candidate.*, ROW_NUMBER() OVER (PARTITION BY url ORDER BY due_at, id) + COALESCE(held.leases, 0) AS turn
      FROM candidate LEFT JOIN held USING (url)
    )
    SELECT id FROM ranked WHERE turn <= ${targetLimit}
    ORDER BY turn, attempts > 0, due_at, id
    LIMIT ${limit}
  )`;
  const rows = await conn
    .updateTable('outbound_deliveries')
    .set({ status: 'sending', lease_owner: owner, lease_expires_at: until, updated_at: now })
    .where('id', 'in', candidates)
    .where(dueAt, '<=', now)
    .returningAll()
    .execute();
  return rows.map(toDelivery);
}

/** Extends a lease this owner still holds. */
export async function renewLease(conn: Conn, id: string, owner: string, until: string): Promise<boolean> {
  const result = await conn
    .updateTable('outbound_deliveries')
    .set({ lease_expires_at: until })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return changed(result) === 1;
}

/** Gives leases that ran out back to the queue. */
export async function releaseExpired(conn: Conn, now: string): Promise<number> {
  const result = await conn
    .updateTable('outbound_deliveries')
    .set({ status: 'pending', lease_owner: null, lease_expires_at: null, updated_at: now })
    .where('status', '=', 'sending')
    .where('lease_expires_at', '<=', now)
    .executeTakeFirst();
  return changed(result);
}

/** The first time after `after` ('' for any) a pending row becomes due or a lease runs out. */
export async function nextDueAt(conn: Conn, after: string): Promise<string | null> {
  const pending = await conn
    .selectFrom('outbound_deliveries')
    .select((eb) => eb.fn.min('next_attempt_at').as('t'))
    .where('status', '=', 'pending')
    .where('next_attempt_at', '>', after)
    .executeTakeFirst();
  const leased = await conn
    .selectFrom('outbound_deliveries')
    .select((eb) => eb.fn.min('lease_expires_at').as('t'))
    .where('status', '=', 'sending')
    .where('lease_expires_at', '>', after)
    .executeTakeFirst();
  const times = [pending?.t, leased?.t].filter((t): t is string => typeof t === 'string');
  return times.length === 0 ? null : times.reduce((a, b) => (a < b ? a : b));
}

/** How an attempt ended, written only while this owner holds the lease. */
export type AttemptOutcome =
  | { status: 'delivered'; responseStatus: number; now: string }
  | { status: 'released'; now: string }
  | {
      status: 'pending' | 'failed';
      attempts: number;
      responseStatus: number | null;
      error: string;
      nextAttemptAt: string;
      now: string;
    };

export async function recordAttempt(conn: Conn, id: string, owner: string, outcome: AttemptOutcome): Promise<void> {
  const mine = conn.updateTable('outbound_deliveries').where('id', '=', id).where('lease_owner', '=', owner);
  const unleased = { lease_owner: null, lease_expires_at: null, updated_at: outcome.now };
  if (outcome.status === 'delivered') {
    await mine
      .set((eb) => ({
        ...unleased,
        status: 'delivered',
        attempts: eb('attempts', '+', 1),
        response_status: outcome.responseStatus,
        last_error: null,
        delivered_at: outcome.now,
      }))
      .execute();
  } else if (outcome.status === 'released') {
    // Not an attempt (the server is stopping): due again at once, for whoever runs next.
    await mine.set({ ...unleased, status: 'pending', next_attempt_at: outcome.now }).execute();
  } else {
    await mine
      .set({
        ...unleased,
        status: outcome.status,
        attempts: outcome.attempts,
        response_status: outcome.responseStatus,
        last_error: outcome.error,
        next_attempt_at: outcome.nextAttemptAt,
      })
      .execute();
  }
}

export async function listDeliveries(
  conn: Conn,
  env: Environment,
  filter: { status?: DeliveryStatus | undefined; kind?: DeliveryKind | undefined; limit: number },
): Promise<OutboundDelivery[]> {
  let query = conn.selectFrom('outbound_deliveries').selectAll().where('env', '=', env);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map(toDelivery);
}

export async function findDelivery(conn: Conn, env: Environment, id: string): Promise<OutboundDelivery | undefined> {
  const row = await conn
    .selectFrom('outbound_deliveries')
    .selectAll()
    .where('env', '=', env)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toDelivery(row);
}

/**
 * Queues a delivery again at once with a full set of attempts, unless it is being sent: one
 * conditional statement; undefined when no row qualified (absent, or leased right now).
 */
export async function requeueDelivery(
  conn: Conn,
  env: Environment,
  id: string,
  now: string,
): Promise<OutboundDelivery | undefined> {
  const row = await conn
    .updateTable('outbound_deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now, updated_at: now })
    .where('env', '=', env)
    .where('id', '=', id)
    .where('status', 'in', ['failed', 'delivered', 'pending'])
    .returningAll()
    .executeTakeFirst();
  return row && toDelivery(row);
}

/** Deletes finished deliveries (delivered or failed) last touched before `before`; for log retention. */
export async function deleteFinishedBefore(conn: Conn, before: string): Promise<number> {
  const result = await conn
    .deleteFrom('outbound_deliveries')
    .where('status', 'in', ['delivered', 'failed'])
    .where('updated_at', '<', before)
    .executeTakeFirst();
  return changed(result);
}

/* environment_settings */

export async function readSettings(conn: Conn, env: Environment): Promise<Map<string, string>> {
  const rows = await conn.selectFrom('environment_settings').select(['key', 'value']).where('env', '=', env).execute();
  return new Map(rows.map((r) => [r.key, r.value]));
}

/** Sets one value: a single INSERT … ON CONFLICT DO UPDATE, so concurrent writers never collide. */
export async function upsertSetting(conn: Conn, env: Environment, key: string, value: string): Promise<void> {
  await conn
    .insertInto('environment_settings')
    .values({ env, key, value })
    .onConflict((oc) => oc.columns(['env', 'key']).doUpdateSet({ value: (eb) => eb.ref('excluded.value') }))
    .execute();
}

export async function deleteSetting(conn: Conn, env: Environment, key: string): Promise<void> {
  await conn.deleteFrom('environment_settings').where('env', '=', env).where('key', '=', key).execute();
}
