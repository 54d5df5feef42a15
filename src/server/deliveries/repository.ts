import type { Selectable } from 'kysely';
import {
  changed,
  type Conn,
  type DB,
  type DeliveryKind,
  type DeliveryStatus,
  type OutboundDeliveriesTable,
} from '../platform/db/index.js';
import {
  anyLeaseDue,
  claimLeases,
  nextLeaseDueAt,
  recoverExpiredLeases,
  renewLease as renewLeaseRow,
  type LeaseTable,
} from '../platform/lease-worker.js';
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

/** The outbox as a leased table for the shared lease SQL: one tenant per receiving URL. */
const DELIVERY_LEASES: LeaseTable = {
  table: 'outbound_deliveries',
  tenant: 'url',
  due: 'next_attempt_at',
  waiting: 'pending',
  leased: 'sending',
};

/** Whether anything is due (`now` pins the clock; absent, the lease clock): a cheap look before the claim. */
export function anyDue(conn: Conn, now?: number): Promise<boolean> {
  return anyLeaseDue(conn, DELIVERY_LEASES, now);
}

export interface ClaimRequest {
  owner: string;
  /** The most rows to lease. */
  limit: number;
  /** The most rows of one URL leased at once, by every worker together (held leases count). */
  targetLimit: number;
  leaseMs: number;
  /** Pins the clock (ms since the epoch); absent, the lease clock (the database's on PostgreSQL). */
  now?: number;
}

/**
 * Leases due deliveries in ONE statement, fair per receiving URL, with the claim the run queue
 * uses (platform/lease-worker.ts `claimLeases`): two workers or processes claiming at once never
 * lease the same row, and one URL never holds more than `targetLimit` live leases.
 */
export async function claimDue(conn: Conn, request: ClaimRequest): Promise<OutboundDelivery[]> {
  const rows = await claimLeases<Selectable<DB['outbound_deliveries']>>(conn, DELIVERY_LEASES, {
    owner: request.owner,
    limit: request.limit,
    leaseMs: request.leaseMs,
    now: request.now,
    tenantLimit: request.targetLimit,
  });
  return rows.map(toDelivery);
}

/** Extends a lease this owner still holds. */
export function renewLease(conn: Conn, id: string, owner: string, leaseMs: number): Promise<boolean> {
  return renewLeaseRow(conn, DELIVERY_LEASES, id, owner, leaseMs);
}

/** Gives leases that ran out back to the queue. */
export function releaseExpired(conn: Conn): Promise<number> {
  return recoverExpiredLeases(conn, DELIVERY_LEASES);
}

/** The first time (ms) after `after` (absent: any) a pending row becomes due or a lease runs out. */
export function nextDueAt(conn: Conn, after?: number): Promise<number | undefined> {
  return nextLeaseDueAt(conn, DELIVERY_LEASES, after);
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

/**
 * Deletes at most `limit` finished deliveries (delivered or failed) last touched before `before`,
 * in one statement; for log retention.
 */
export async function deleteFinishedBefore(conn: Conn, before: string, limit: number): Promise<number> {
  const result = await conn
    .deleteFrom('outbound_deliveries')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('outbound_deliveries')
        .select('id')
        .where('status', 'in', ['delivered', 'failed'])
        .where('updated_at', '<', before)
        .limit(limit),
    )
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
