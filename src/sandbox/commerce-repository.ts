import type { Selectable } from 'kysely';
import { changed } from '../server/platform/db/index.js';
import { inserted } from './db.js';
import type { SandboxConn, SandboxDB } from './db.js';
import type { OrderStatus } from './schemas.js';

/** All SQL on `sandbox_customers` and `sandbox_orders`. */

export type CustomerRow = Selectable<SandboxDB['sandbox_customers']>;
export type OrderRow = Selectable<SandboxDB['sandbox_orders']> & {
  customer_email: string;
  customer_name: string;
  customer_created_at: string;
};

export async function listCustomers(
  conn: SandboxConn,
  storeId: string,
  options: { limit: number; email?: string; after?: { t: string; id: string } },
): Promise<CustomerRow[]> {
  let query = conn.selectFrom('sandbox_customers').selectAll().where('store_id', '=', storeId);
  if (options.email !== undefined) query = query.where('email', '=', options.email);
  const after = options.after;
  if (after) {
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', after.t), eb.and([eb('created_at', '=', after.t), eb('id', '<', after.id)])]),
    );
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}

export async function findCustomer(
  conn: SandboxConn,
  storeId: string,
  by: { id: string } | { email: string },
): Promise<CustomerRow | undefined> {
  const query = conn.selectFrom('sandbox_customers').selectAll().where('store_id', '=', storeId);
  return ('id' in by ? query.where('id', '=', by.id) : query.where('email', '=', by.email)).executeTakeFirst();
}

/** False when the store already has a customer with that email. */
export async function insertCustomerIfAbsent(conn: SandboxConn, row: CustomerRow): Promise<boolean> {
  const result = await conn
    .insertInto('sandbox_customers')
    .values(row)
    .onConflict((oc) => oc.columns(['store_id', 'email']).doNothing())
    .executeTakeFirst();
  return inserted(result);
}

const orders = (conn: SandboxConn) =>
  conn
    .selectFrom('sandbox_orders as o')
    .innerJoin('sandbox_customers as c', 'c.id', 'o.customer_id')
    .selectAll('o')
    .select(['c.email as customer_email', 'c.name as customer_name', 'c.created_at as customer_created_at']);

export async function listOrders(
  conn: SandboxConn,
  storeId: string,
  options: { limit: number; status?: OrderStatus; beforeNumber?: number },
): Promise<OrderRow[]> {
  let query = orders(conn).where('o.store_id', '=', storeId);
  if (options.status !== undefined) query = query.where('o.status', '=', options.status);
  if (options.beforeNumber !== undefined) query = query.where('o.number', '<', options.beforeNumber);
  return query.orderBy('o.number', 'desc').limit(options.limit).execute();
}

export async function findOrder(conn: SandboxConn, storeId: string, orderId: string): Promise<OrderRow | undefined> {
  return orders(conn).where('o.store_id', '=', storeId).where('o.id', '=', orderId).executeTakeFirst();
}

export async function insertOrder(conn: SandboxConn, row: Selectable<SandboxDB['sandbox_orders']>): Promise<void> {
  await conn.insertInto('sandbox_orders').values(row).execute();
}

/** Sets the status only while the order is in one of `from`; false when it was not (or is gone). */
export async function moveOrderStatus(
  conn: SandboxConn,
  storeId: string,
  orderId: string,
  from: readonly OrderStatus[],
  to: OrderStatus,
  at: string,
): Promise<boolean> {
  if (from.length === 0) return false;
  const result = await conn
    .updateTable('sandbox_orders')
    .set({ status: to, updated_at: at })
    .where('store_id', '=', storeId)
    .where('id', '=', orderId)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return changed(result) === 1;
}
