import type { AppSubscriptionsTable, Conn } from '../platform/db/index.js';
import type { Sealed } from '../platform/encryption.js';
import type { Environment } from '../users/index.js';

/** All SQL on `app_subscriptions`: the webhook subscriptions app-event triggers hold in apps. */

export interface SubscriptionRecord {
  userId: string;
  workflowId: string;
  env: Environment;
  connector: string;
  event: string;
  credentialId: string;
  externalId: string;
  targetUrl: string;
  /** The signing secret the app gave us. */
  sealed: Sealed;
}

type SubscriptionRow = Omit<AppSubscriptionsTable, 'created_at'>;

const COLUMNS = [
  'user_id',
  'workflow_id',
  'env',
  'connector',
  'event',
  'credential_id',
  'external_id',
  'target_url',
  'key_id',
  'iv',
  'ciphertext',
  'auth_tag',
] as const;

const toRecord = (row: SubscriptionRow): SubscriptionRecord => ({
  userId: row.user_id,
  workflowId: row.workflow_id,
  env: row.env,
  connector: row.connector,
  event: row.event,
  credentialId: row.credential_id,
  externalId: row.external_id,
  targetUrl: row.target_url,
  sealed: { keyId: row.key_id, iv: row.iv, ciphertext: row.ciphertext, authTag: row.auth_tag },
});

export async function listSubscriptions(conn: Conn, userId: string): Promise<SubscriptionRecord[]> {
  const rows = await conn.selectFrom('app_subscriptions').select(COLUMNS).where('user_id', '=', userId).execute();
  return rows.map(toRecord);
}

export async function findSubscription(
  conn: Conn,
  userId: string,
  workflowId: string,
): Promise<SubscriptionRecord | undefined> {
  const row = await conn
    .selectFrom('app_subscriptions')
    .select(COLUMNS)
    .where('user_id', '=', userId)
    .where('workflow_id', '=', workflowId)
    .executeTakeFirst();
  return row && toRecord(row);
}

/** Every user holding a subscription. */
export async function usersWithSubscriptions(conn: Conn): Promise<string[]> {
  const rows = await conn.selectFrom('app_subscriptions').select('user_id').distinct().execute();
  return rows.map((row) => row.user_id);
}

/** Records the workflow's subscription, replacing the one it had (one statement: insert or update). */
export async function saveSubscription(conn: Conn, record: SubscriptionRecord, now: string): Promise<void> {
  await conn
    .insertInto('app_subscriptions')
    .values({
      user_id: record.userId,
      workflow_id: record.workflowId,
      env: record.env,
      connector: record.connector,
      event: record.event,
      credential_id: record.credentialId,
      external_id: record.externalId,
      target_url: record.targetUrl,
      key_id: record.sealed.keyId,
      iv: record.sealed.iv,
      ciphertext: record.sealed.ciphertext,
      auth_tag: record.sealed.authTag,
      created_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['user_id', 'workflow_id']).doUpdateSet((eb) => ({
        env: eb.ref('excluded.env'),
        connector: eb.ref('excluded.connector'),
        event: eb.ref('excluded.event'),
        credential_id: eb.ref('excluded.credential_id'),
        external_id: eb.ref('excluded.external_id'),
        target_url: eb.ref('excluded.target_url'),
        key_id: eb.ref('excluded.key_id'),
        iv: eb.ref('excluded.iv'),
        ciphertext: eb.ref('excluded.ciphertext'),
        auth_tag: eb.ref('excluded.auth_tag'),
        created_at: eb.ref('excluded.created_at'),
      })),
    )
    .execute();
}

export async function deleteSubscription(conn: Conn, userId: string, workflowId: string): Promise<void> {
  await conn
    .deleteFrom('app_subscriptions')
    .where('user_id', '=', userId)
    .where('workflow_id', '=', workflowId)
    .execute();
}
