import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { inserted } from './db.js';
import type { SandboxConn, SandboxDB } from './db.js';

/** All SQL on `sandbox_stores` and `sandbox_owner_sessions`. */

export type StoreRow = Pick<
  Selectable<SandboxDB['sandbox_stores']>,
  'id' | 'name' | 'subdomain' | 'api_key' | 'created_at'
>;

const STORE_COLUMNS = ['id', 'name', 'subdomain', 'api_key', 'created_at'] as const;

export async function insertStoreIfAbsent(
  conn: SandboxConn,
  row: StoreRow & { api_key_hash: string; owner_secret_hash: string | null },
  conflictOn: 'id' | 'subdomain',
): Promise<boolean> {
  const result = await conn
    .insertInto('sandbox_stores')
    .values(row)
    .onConflict((oc) => (conflictOn === 'id' ? oc.doNothing() : oc.column('subdomain').doNothing()))
    .executeTakeFirst();
  return inserted(result);
}

export async function storesByIds(conn: SandboxConn, ids: readonly string[]): Promise<StoreRow[]> {
  if (ids.length === 0) return [];
  return conn
    .selectFrom('sandbox_stores')
    .select(STORE_COLUMNS)
    .where('id', 'in', [...ids])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function storeBy(
  conn: SandboxConn,
  column: 'id' | 'subdomain' | 'api_key_hash',
  value: string,
): Promise<StoreRow | undefined> {
  return conn.selectFrom('sandbox_stores').select(STORE_COLUMNS).where(column, '=', value).executeTakeFirst();
}

/** Replaces the API key; false when there is no such store. */
export async function setApiKey(
  conn: SandboxConn,
  storeId: string,
  apiKey: string,
  apiKeyHash: string,
): Promise<StoreRow | undefined> {
  return conn
    .updateTable('sandbox_stores')
    .set({ api_key: apiKey, api_key_hash: apiKeyHash })
    .where('id', '=', storeId)
    .returning(STORE_COLUMNS)
    .executeTakeFirst();
}

/** Allocates the store's next order number (one statement: two orders never share a number). */
export async function takeOrderNumber(conn: SandboxConn, storeId: string): Promise<number | undefined> {
  const row = await conn
    .updateTable('sandbox_stores')
    .set((eb) => ({ next_order_number: eb('next_order_number', '+', 1) }))
    .where('id', '=', storeId)
    .returning('next_order_number')
    .executeTakeFirst();
  return row && row.next_order_number - 1;
}

export async function ownerSecretHash(conn: SandboxConn, storeId: string): Promise<string | null | undefined> {
  const row = await conn
    .selectFrom('sandbox_stores')
    .select('owner_secret_hash')
    .where('id', '=', storeId)
    .executeTakeFirst();
  return row?.owner_secret_hash;
}

export async function setOwnerSecretHash(conn: SandboxConn, storeId: string, hash: string): Promise<void> {
  await conn.updateTable('sandbox_stores').set({ owner_secret_hash: hash }).where('id', '=', storeId).execute();
}

export async function deleteOwnerSessionsOfStore(conn: SandboxConn, storeId: string): Promise<void> {
  await conn.deleteFrom('sandbox_owner_sessions').where('store_id', '=', storeId).execute();
}

export async function upsertOwnerSession(
  conn: SandboxConn,
  row: { token_hash: string; store_id: string; expires_at: number },
): Promise<void> {
  await conn
    .insertInto('sandbox_owner_sessions')
    .values(row)
    .onConflict((oc) => oc.columns(['token_hash', 'store_id']).doUpdateSet({ expires_at: row.expires_at }))
    .execute();
}

export async function deleteExpiredOwnerSessions(conn: SandboxConn, now: number): Promise<void> {
  await conn.deleteFrom('sandbox_owner_sessions').where('expires_at', '<=', now).execute();
}

/** The stores a session holds, in the order it signed in to them. */
export async function ownerSessionStoreIds(conn: SandboxConn, tokenHash: string, now: number): Promise<string[]> {
  const rows = await conn
    .selectFrom('sandbox_owner_sessions')
    .select('store_id')
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now)
    .orderBy(sql`rowid`)
    .execute();
  return rows.map((row) => row.store_id);
}

export async function deleteOwnerSession(conn: SandboxConn, tokenHash: string): Promise<void> {
  await conn.deleteFrom('sandbox_owner_sessions').where('token_hash', '=', tokenHash).execute();
}
