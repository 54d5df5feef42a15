import { sql, type Selectable, type Updateable } from 'kysely';
import { changed } from '../server/platform/db/index.js';
import { inserted } from './db.js';
import type { SandboxConn, SandboxDB } from './db.js';

/** All SQL on `sandbox_webhooks` and `sandbox_webhook_deliveries`. */

export type SubscriptionRow = Selectable<SandboxDB['sandbox_webhooks']>;
export type DeliveryRow = Selectable<SandboxDB['sandbox_webhook_deliveries']>;

/** False when the store already sends that topic to that URL. */
export async function insertSubscriptionIfAbsent(conn: SandboxConn, row: SubscriptionRow): Promise<boolean> {
  const result = await conn
    .insertInto('sandbox_webhooks')
    .values(row)
    .onConflict((oc) => oc.columns(['store_id', 'topic', 'url']).doNothing())
    .executeTakeFirst();
  return inserted(result);
}

export async function listSubscriptions(
  conn: SandboxConn,
  storeId: string,
  topic?: string,
): Promise<SubscriptionRow[]> {
  let query = conn.selectFrom('sandbox_webhooks').selectAll().where('store_id', '=', storeId);
  if (topic !== undefined) query = query.where('topic', '=', topic);
  return query.orderBy('created_at').orderBy('id').execute();
}

export async function findSubscription(
  conn: SandboxConn,
  storeId: string,
  webhookId: string,
): Promise<SubscriptionRow | undefined> {
  return conn
    .selectFrom('sandbox_webhooks')
    .selectAll()
    .where('store_id', '=', storeId)
    .where('id', '=', webhookId)
    .executeTakeFirst();
}

export async function deleteSubscription(conn: SandboxConn, storeId: string, webhookId: string): Promise<boolean> {
  const result = await conn
    .deleteFrom('sandbox_webhooks')
    .where('store_id', '=', storeId)
    .where('id', '=', webhookId)
    .executeTakeFirst();
  return changed(result) === 1;
}

export async function recentDeliveries(conn: SandboxConn, storeId: string, limit: number): Promise<DeliveryRow[]> {
  return conn
    .selectFrom('sandbox_webhook_deliveries')
    .selectAll()
    .where('store_id', '=', storeId)
    .orderBy('created_at', 'desc')
    .orderBy(sql`rowid`, 'desc')
    .limit(limit)
    .execute();
}

/** Deletes finished deliveries created before `before` (ISO). */
export async function pruneFinishedDeliveries(conn: SandboxConn, before: string): Promise<void> {
  await conn
    .deleteFrom('sandbox_webhook_deliveries')
    .where('status', '!=', 'pending')
    .where('created_at', '<', before)
    .execute();
}

export async function insertDeliveries(conn: SandboxConn, rows: DeliveryRow[]): Promise<void> {
  if (rows.length > 0) await conn.insertInto('sandbox_webhook_deliveries').values(rows).execute();
}

export async function pendingDeliveries(conn: SandboxConn): Promise<{ id: string; next_attempt_at: number | null }[]> {
  return conn
    .selectFrom('sandbox_webhook_deliveries')
    .select(['id', 'next_attempt_at'])
    .where('status', '=', 'pending')
    .execute();
}

/** A pending delivery and its subscription's secret (null once the subscription is deleted). */
export async function pendingDeliveryWithSecret(
  conn: SandboxConn,
  id: string,
): Promise<(DeliveryRow & { secret: string | null }) | undefined> {
  return conn
    .selectFrom('sandbox_webhook_deliveries as d')
    .leftJoin('sandbox_webhooks as w', 'w.id', 'd.webhook_id')
    .selectAll('d')
    .select('w.secret as secret')
    .where('d.id', '=', id)
    .where('d.status', '=', 'pending')
    .executeTakeFirst();
}

/** Updates a delivery that is still pending (a finished one is never rewritten). */
export async function updatePendingDelivery(
  conn: SandboxConn,
  id: string,
  fields: Updateable<SandboxDB['sandbox_webhook_deliveries']>,
): Promise<void> {
  await conn
    .updateTable('sandbox_webhook_deliveries')
    .set(fields)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}
