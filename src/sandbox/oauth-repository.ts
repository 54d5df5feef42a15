import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { changed } from '../server/platform/db/index.js';
import type { SandboxConn, SandboxDB } from './db.js';

/** All SQL on the sandbox's OAuth tables: clients, authorization requests, codes, grants, tokens. */

export type ClientRow = Pick<
  Selectable<SandboxDB['sandbox_oauth_clients']>,
  'client_id' | 'name' | 'client_secret' | 'redirect_uris'
>;
export type AuthorizationRequestRow = Selectable<SandboxDB['sandbox_oauth_requests']>;
export type CodeRow = Selectable<SandboxDB['sandbox_oauth_codes']>;

export async function insertClient(
  conn: SandboxConn,
  row: ClientRow & { created_at: string },
  options: { ifAbsent: boolean },
): Promise<void> {
  let query = conn.insertInto('sandbox_oauth_clients').values(row);
  if (options.ifAbsent) query = query.onConflict((oc) => oc.doNothing());
  await query.execute();
}

export async function findClient(conn: SandboxConn, clientId: string): Promise<ClientRow | undefined> {
  return conn
    .selectFrom('sandbox_oauth_clients')
    .select(['client_id', 'name', 'client_secret', 'redirect_uris'])
    .where('client_id', '=', clientId)
    .executeTakeFirst();
}

export async function deleteRequestsExpiredBefore(conn: SandboxConn, before: number): Promise<void> {
  await conn.deleteFrom('sandbox_oauth_requests').where('expires_at', '<', before).execute();
}

export async function insertRequest(conn: SandboxConn, row: AuthorizationRequestRow): Promise<void> {
  await conn.insertInto('sandbox_oauth_requests').values(row).execute();
}

/** Keeps a store's newest `keep` consent requests, deletes the rest. */
export async function trimRequests(conn: SandboxConn, storeId: string, keep: number): Promise<void> {
  await conn
    .deleteFrom('sandbox_oauth_requests')
    .where('store_id', '=', storeId)
    .where('id', 'not in', (eb) =>
      eb
        .selectFrom('sandbox_oauth_requests')
        .select('id')
        .where('store_id', '=', storeId)
        .orderBy('expires_at', 'desc')
        .orderBy(sql`rowid`, 'desc')
        .limit(keep),
    )
    .execute();
}

export async function findRequest(conn: SandboxConn, id: string): Promise<AuthorizationRequestRow | undefined> {
  return conn.selectFrom('sandbox_oauth_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Marks an open, unexpired request answered; false when another answer (or the clock) got there first. */
export async function claimRequest(conn: SandboxConn, id: string, now: number): Promise<boolean> {
  const result = await conn
    .updateTable('sandbox_oauth_requests')
    .set({ answered_at: now })
    .where('id', '=', id)
    .where('answered_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return changed(result) === 1;
}

export async function deleteCodesExpiredBefore(conn: SandboxConn, before: number): Promise<void> {
  await conn.deleteFrom('sandbox_oauth_codes').where('expires_at', '<', before).execute();
}

export async function insertCode(conn: SandboxConn, row: Omit<CodeRow, 'used_at' | 'grant_id'>): Promise<void> {
  await conn.insertInto('sandbox_oauth_codes').values(row).execute();
}

/**
 * Spends a code: one conditional UPDATE, so of two exchanges at once exactly one gets the row.
 * Undefined when the code is unknown, another client's, or already spent (a code presented by
 * the wrong client is not burned).
 */
export async function spendCode(
  conn: SandboxConn,
  codeHash: string,
  clientId: string,
  now: number,
): Promise<CodeRow | undefined> {
  return conn
    .updateTable('sandbox_oauth_codes')
    .set({ used_at: now })
    .where('code_hash', '=', codeHash)
    .where('client_id', '=', clientId)
    .where('used_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export async function findCode(conn: SandboxConn, codeHash: string): Promise<CodeRow | undefined> {
  return conn.selectFrom('sandbox_oauth_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
}

export async function setCodeGrant(conn: SandboxConn, codeHash: string, grantId: string): Promise<void> {
  await conn.updateTable('sandbox_oauth_codes').set({ grant_id: grantId }).where('code_hash', '=', codeHash).execute();
}

export async function insertGrant(
  conn: SandboxConn,
  row: { id: string; client_id: string; store_id: string; scope: string; created_at: string },
): Promise<void> {
  await conn.insertInto('sandbox_oauth_grants').values(row).execute();
}

export async function revokeGrant(conn: SandboxConn, grantId: string, at: string): Promise<void> {
  await conn
    .updateTable('sandbox_oauth_grants')
    .set({ revoked_at: at })
    .where('id', '=', grantId)
    .where('revoked_at', 'is', null)
    .execute();
}

export interface TokenWithGrant {
  grant_id: string;
  kind: 'access' | 'refresh';
  scope: string;
  expires_at: number;
  used_at: number | null;
  client_id: string;
  store_id: string;
  revoked_at: string | null;
}

export async function findTokenWithGrant(
  conn: SandboxConn,
  tokenHash: string,
  kind?: 'access' | 'refresh',
): Promise<TokenWithGrant | undefined> {
  let query = conn
    .selectFrom('sandbox_oauth_tokens as t')
    .innerJoin('sandbox_oauth_grants as g', 'g.id', 't.grant_id')
    .select([
      't.grant_id',
      't.kind',
      't.scope',
      't.expires_at',
      't.used_at',
      'g.client_id',
      'g.store_id',
      'g.revoked_at',
    ])
    .where('t.token_hash', '=', tokenHash);
  if (kind) query = query.where('t.kind', '=', kind);
  return query.executeTakeFirst();
}

/**
 * Spends a refresh token of a live grant: one conditional UPDATE, so of two refreshes at once
 * exactly one rotates. False when the token was already used (or is unknown).
 */
export async function spendRefreshToken(conn: SandboxConn, tokenHash: string, now: number): Promise<boolean> {
  const result = await conn
    .updateTable('sandbox_oauth_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('kind', '=', 'refresh')
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return changed(result) === 1;
}

export async function deleteTokensExpiredBefore(conn: SandboxConn, before: number): Promise<void> {
  await conn.deleteFrom('sandbox_oauth_tokens').where('expires_at', '<', before).execute();
}

export async function insertTokens(
  conn: SandboxConn,
  rows: {
    token_hash: string;
    kind: 'access' | 'refresh';
    grant_id: string;
    scope: string;
    expires_at: number;
    created_at: string;
  }[],
): Promise<void> {
  await conn.insertInto('sandbox_oauth_tokens').values(rows).execute();
}
