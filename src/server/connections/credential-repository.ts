import { changed, type Conn } from '../platform/db/index.js';
import type { Sealed } from '../platform/encryption.js';

/** All SQL on `credentials`: metadata rows and their sealed data. */

export interface CredentialRecord {
  id: string;
  userId: string;
  connector: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface SealedCredential extends CredentialRecord {
  sealed: Sealed;
}

const METADATA = ['id', 'user_id', 'connector', 'name', 'created_at', 'updated_at'] as const;

interface MetadataRow {
  id: string;
  user_id: string;
  connector: string;
  name: string;
  created_at: string;
  updated_at: string;
}

const toRecord = (row: MetadataRow): CredentialRecord => ({
  id: row.id,
  userId: row.user_id,
  connector: row.connector,
  name: row.name,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The key id of any credential sealed with a key other than `keyId` (a wrong key at start-up). */
export async function otherKeyId(conn: Conn, keyId: string): Promise<string | undefined> {
  const row = await conn
    .selectFrom('credentials')
    .select('key_id')
    .where('key_id', '<>', keyId)
    .limit(1)
    .executeTakeFirst();
  return row?.key_id;
}

export async function insertCredential(conn: Conn, credential: CredentialRecord & { sealed: Sealed }): Promise<void> {
  await conn
    .insertInto('credentials')
    .values({
      id: credential.id,
      user_id: credential.userId,
      connector: credential.connector,
      name: credential.name,
      key_id: credential.sealed.keyId,
      iv: credential.sealed.iv,
      ciphertext: credential.sealed.ciphertext,
      auth_tag: credential.sealed.authTag,
      created_at: credential.createdAt,
      updated_at: credential.updatedAt,
    })
    .execute();
}

/** Replaces the sealed data of the user's credential; whether it existed. */
export async function updateCredentialData(
  conn: Conn,
  userId: string,
  credentialId: string,
  sealed: Sealed,
  now: string,
): Promise<boolean> {
  const updated = await conn
    .updateTable('credentials')
    .set({
      key_id: sealed.keyId,
      iv: sealed.iv,
      ciphertext: sealed.ciphertext,
      auth_tag: sealed.authTag,
      updated_at: now,
    })
    .where('id', '=', credentialId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return changed(updated) === 1;
}

/** The user's credentials (of one connector, when given), oldest first. */
export async function listCredentials(conn: Conn, userId: string, connector?: string): Promise<CredentialRecord[]> {
  let query = conn.selectFrom('credentials').select(METADATA).where('user_id', '=', userId);
  if (connector !== undefined) query = query.where('connector', '=', connector);
  const rows = await query.orderBy('created_at').orderBy('id').execute();
  return rows.map(toRecord);
}

/** The user's newest credential of one connector (the same order as `listCredentials`, last). */
export async function newestCredential(
  conn: Conn,
  userId: string,
  connector: string,
): Promise<CredentialRecord | undefined> {
  const row = await conn
    .selectFrom('credentials')
    .select(METADATA)
    .where('user_id', '=', userId)
    .where('connector', '=', connector)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toRecord(row);
}

export async function findCredential(
  conn: Conn,
  userId: string,
  credentialId: string,
): Promise<CredentialRecord | undefined> {
  const row = await conn
    .selectFrom('credentials')
    .select(METADATA)
    .where('id', '=', credentialId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row && toRecord(row);
}

export async function findSealedCredential(
  conn: Conn,
  userId: string,
  credentialId: string,
): Promise<SealedCredential | undefined> {
  const row = await conn
    .selectFrom('credentials')
    .selectAll()
    .where('id', '=', credentialId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return (
    row && {
      ...toRecord(row),
      sealed: { keyId: row.key_id, iv: row.iv, ciphertext: row.ciphertext, authTag: row.auth_tag },
    }
  );
}

/** Deletes the user's credential; whether it existed. */
export async function deleteCredential(conn: Conn, userId: string, credentialId: string): Promise<boolean> {
  const deleted = await conn
    .deleteFrom('credentials')
    .where('id', '=', credentialId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return changed(deleted) === 1;
}
