import { sql } from 'kysely';
import { changed, engineOf, prepared, type Conn, type UserWorkflowsTable } from '../platform/db/index.js';
import type { Environment } from '../users/index.js';

/**
 * All SQL on the tables the installs module owns: `installations`, `user_workflows`,
 * `installation_credentials`, `pending_installations`, `link_tokens`, `link_sessions`,
 * `integration_states`. Every
 * function takes the database or a transaction first and returns plain objects.
 */

/** A user's copy of a parent workflow. `config` is the sealed answers (open with config-answers). */
export interface InstalledWorkflow {
  userId: string;
  workflowId: string;
  installationId: string;
  version: number;
  active: boolean;
  config: string;
  installedAt: string;
}

const workflowColumns = [
  'user_id',
  'workflow_id',
  'installation_id',
  'version',
  'active',
  'config',
  'installed_at',
] as const;

function toInstalledWorkflow(row: UserWorkflowsTable): InstalledWorkflow {
  return {
    userId: row.user_id,
    workflowId: row.workflow_id,
    installationId: row.installation_id,
    version: row.version,
    active: row.active === 1,
    config: row.config,
    installedAt: row.installed_at,
  };
}

// ── installations ────────────────────────────────────────────────────────────────────────────

/**
 * The user's installation of the integration, created with `id` when there is none: one
 * statement, so concurrent installs of one integration by one user end with one installation.
 */
export async function upsertInstallation(
  conn: Conn,
  row: { id: string; userId: string; integrationId: string; now: string },
): Promise<string> {
  const saved = await conn
    .insertInto('installations')
    .values({
      id: row.id,
      user_id: row.userId,
      integration_id: row.integrationId,
      created_at: row.now,
      updated_at: row.now,
    })
    .onConflict((oc) => oc.columns(['user_id', 'integration_id']).doUpdateSet({ updated_at: row.now }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return saved.id;
}

export async function findInstallationId(
  conn: Conn,
  userId: string,
  integrationId: string,
): Promise<string | undefined> {
  const row = await conn
    .selectFrom('installations')
    .select('id')
    .where('user_id', '=', userId)
    .where('integration_id', '=', integrationId)
    .executeTakeFirst();
  return row?.id;
}

export async function installationOwner(conn: Conn, installationId: string): Promise<string | undefined> {
  const row = await conn
    .selectFrom('installations')
    .select('user_id')
    .where('id', '=', installationId)
    .executeTakeFirst();
  return row?.user_id;
}

export interface InstallationRow {
  id: string;
  userId: string;
  integrationId: string;
  createdAt: string;
  updatedAt: string;
}

/** The installations of an environment (the users table says which), optionally filtered. */
export async function listInstallations(
  conn: Conn,
  env: Environment,
  filter: { userId?: string | undefined; integrationId?: string | undefined },
): Promise<InstallationRow[]> {
  let query = conn
    .selectFrom('installations as i')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .select(['i.id', 'i.user_id', 'i.integration_id', 'i.created_at', 'i.updated_at'])
    .where('u.env', '=', env);
  if (filter.userId !== undefined) query = query.where('i.user_id', '=', filter.userId);
  if (filter.integrationId !== undefined) query = query.where('i.integration_id', '=', filter.integrationId);
  const rows = await query.orderBy('i.created_at').orderBy('i.id').execute();
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    integrationId: r.integration_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

/** How many users of the environment have an installation of each integration (absent: none). */
export async function installCounts(conn: Conn, env: Environment): Promise<Map<string, number>> {
  const rows = await conn
    .selectFrom('installations as i')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .select((eb) => ['i.integration_id', eb.fn.countAll<number | string>().as('n')])
    .where('u.env', '=', env)
    .groupBy('i.integration_id')
    .execute();
  return new Map(rows.map((r) => [r.integration_id, Number(r.n)]));
}

/** Deletes the installation if no workflow of it is left (one conditional statement). */
export async function deleteInstallationIfEmpty(conn: Conn, installationId: string): Promise<boolean> {
  const result = await conn
    .deleteFrom('installations')
    .where('id', '=', installationId)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('user_workflows').select('workflow_id').where('installation_id', '=', installationId))),
    )
    .executeTakeFirst();
  return changed(result) > 0;
}

// ── user_workflows ───────────────────────────────────────────────────────────────────────────

const userWorkflowRows = prepared((conn, userId: string) =>
  conn
    .selectFrom('user_workflows')
    .select(workflowColumns)
    .where('user_id', '=', userId)
    .orderBy('installed_at')
    .orderBy('workflow_id'),
);

/** Compiled once: the integrations listing reads it on every request. */
export async function userWorkflows(conn: Conn, userId: string): Promise<InstalledWorkflow[]> {
  return (await userWorkflowRows(conn, userId)).map(toInstalledWorkflow);
}

export async function userWorkflow(
  conn: Conn,
  userId: string,
  workflowId: string,
): Promise<InstalledWorkflow | undefined> {
  const row = await conn
    .selectFrom('user_workflows')
    .select(workflowColumns)
    .where('user_id', '=', userId)
    .where('workflow_id', '=', workflowId)
    .executeTakeFirst();
  return row && toInstalledWorkflow(row);
}

export async function workflowsOfInstallation(conn: Conn, installationId: string): Promise<InstalledWorkflow[]> {
  const rows = await conn
    .selectFrom('user_workflows')
    .select(workflowColumns)
    .where('installation_id', '=', installationId)
    .orderBy('workflow_id')
    .execute();
  return rows.map(toInstalledWorkflow);
}

/** Installs or re-installs one workflow: active, at `version`, with the sealed answers. */
export async function upsertUserWorkflow(
  conn: Conn,
  row: { userId: string; workflowId: string; installationId: string; version: number; config: string; now: string },
): Promise<void> {
  await conn
    .insertInto('user_workflows')
    .values({
      user_id: row.userId,
      workflow_id: row.workflowId,
      installation_id: row.installationId,
      version: row.version,
      active: 1,
      config: row.config,
      installed_at: row.now,
    })
    .onConflict((oc) =>
      oc.columns(['user_id', 'workflow_id']).doUpdateSet({
        installation_id: row.installationId,
        version: row.version,
        active: 1,
        config: row.config,
        installed_at: row.now,
      }),
    )
    .execute();
}

/** Returns whether the user has the workflow (a missing one changes nothing). */
export async function setWorkflowActive(
  conn: Conn,
  userId: string,
  workflowId: string,
  active: boolean,
): Promise<boolean> {
  const result = await conn
    .updateTable('user_workflows')
    .set({ active: active ? 1 : 0 })
    .where('user_id', '=', userId)
    .where('workflow_id', '=', workflowId)
    .executeTakeFirst();
  return changed(result) > 0;
}

export async function deactivateAllWorkflows(conn: Conn, userId: string): Promise<number> {
  const result = await conn
    .updateTable('user_workflows')
    .set({ active: 0 })
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return changed(result);
}

/** Moves the workflow from `from` to `to`; false when another change moved it first. */
export async function upgradeWorkflowVersion(
  conn: Conn,
  row: { userId: string; workflowId: string; from: number; to: number; now: string },
): Promise<boolean> {
  const result = await conn
    .updateTable('user_workflows')
    .set({ version: row.to, installed_at: row.now })
    .where('user_id', '=', row.userId)
    .where('workflow_id', '=', row.workflowId)
    .where('version', '=', row.from)
    .executeTakeFirst();
  return changed(result) > 0;
}

/** Deletes the user's workflow; returns the installation it belonged to, or undefined if none. */
export async function deleteUserWorkflow(conn: Conn, userId: string, workflowId: string): Promise<string | undefined> {
  const row = await conn
    .deleteFrom('user_workflows')
    .where('user_id', '=', userId)
    .where('workflow_id', '=', workflowId)
    .returning('installation_id')
    .executeTakeFirst();
  return row?.installation_id;
}

export interface WorkflowUserRow {
  userId: string;
  username: string;
  fullName: string | null;
  active: boolean;
  version: number;
  installedAt: string;
}

/** The users of an environment who installed a workflow (joined with users for their names). */
export async function workflowUsers(conn: Conn, env: Environment, workflowId: string): Promise<WorkflowUserRow[]> {
  const rows = await conn
    .selectFrom('user_workflows as w')
    .innerJoin('users as u', 'u.id', 'w.user_id')
    .select(['u.id', 'u.username', 'u.full_name', 'w.active', 'w.version', 'w.installed_at'])
    .where('u.env', '=', env)
    .where('w.workflow_id', '=', workflowId)
    .orderBy('w.installed_at')
    .orderBy('u.id')
    .execute();
  return rows.map((r) => ({
    userId: r.id,
    username: r.username,
    fullName: r.full_name,
    active: r.active === 1,
    version: r.version,
    installedAt: r.installed_at,
  }));
}

/** The user's active workflows with the user's environment. */
export async function activeWorkflowsWithEnv(
  conn: Conn,
  userId: string,
): Promise<{ workflowId: string; version: number; env: Environment }[]> {
  const rows = await conn
    .selectFrom('user_workflows as w')
    .innerJoin('users as u', 'u.id', 'w.user_id')
    .select(['w.workflow_id', 'w.version', 'u.env'])
    .where('w.user_id', '=', userId)
    .where('w.active', '=', 1)
    .execute();
  return rows.map((r) => ({ workflowId: r.workflow_id, version: r.version, env: r.env }));
}

/** Every user with at least one of these workflows active. */
export async function usersWithActiveWorkflows(conn: Conn, workflowIds: readonly string[]): Promise<string[]> {
  if (workflowIds.length === 0) return [];
  const rows = await conn
    .selectFrom('user_workflows')
    .select('user_id')
    .distinct()
    .where('active', '=', 1)
    .where('workflow_id', 'in', workflowIds)
    .execute();
  return rows.map((r) => r.user_id);
}

/** The credential the user's installation of a workflow uses for a connector. */
export async function linkedCredential(
  conn: Conn,
  userId: string,
  workflowId: string,
  connector: string,
): Promise<string | undefined> {
  const row = await conn
    .selectFrom('user_workflows as w')
    .innerJoin('installation_credentials as ic', (join) =>
      join.onRef('ic.installation_id', '=', 'w.installation_id').on('ic.connector', '=', connector),
    )
    .select('ic.credential_id')
    .where('w.user_id', '=', userId)
    .where('w.workflow_id', '=', workflowId)
    .executeTakeFirst();
  return row?.credential_id;
}

/** How many users run each version of each workflow. */
export async function installedVersionCounts(
  conn: Conn,
): Promise<{ workflowId: string; version: number; users: number }[]> {
  const rows = await conn
    .selectFrom('user_workflows')
    .select(['workflow_id', 'version', (eb) => eb.fn.countAll<number | bigint>().as('users')])
    .groupBy(['workflow_id', 'version'])
    .execute();
  return rows.map((r) => ({ workflowId: r.workflow_id, version: r.version, users: Number(r.users) }));
}

/**
 * Rows whose answers an older version stored in plaintext. The condition is the one of the
 * partial index `user_workflows_unsealed_config`, so this reads that index (empty once every row is
 * sealed), not the table.
 */
export async function unsealedConfigs(conn: Conn): Promise<{ userId: string; workflowId: string; config: string }[]> {
  const rows = await conn
    .selectFrom('user_workflows')
    .select(['user_id', 'workflow_id', 'config'])
    .where(sql<boolean>`substr(config, 1, 7) <> 'sealed:'`)
    .execute();
  return rows.map((r) => ({ userId: r.user_id, workflowId: r.workflow_id, config: r.config }));
}

/** Replaces the stored answers only if they are still `previous` (a concurrent install wins). */
export async function replaceConfig(
  conn: Conn,
  row: { userId: string; workflowId: string; previous: string; config: string },
): Promise<boolean> {
  const result = await conn
    .updateTable('user_workflows')
    .set({ config: row.config })
    .where('user_id', '=', row.userId)
    .where('workflow_id', '=', row.workflowId)
    .where('config', '=', row.previous)
    .executeTakeFirst();
  return changed(result) > 0;
}

// ── installation_credentials ─────────────────────────────────────────────────────────────────

export async function installationCredentials(conn: Conn, installationId: string): Promise<Record<string, string>> {
  const rows = await conn
    .selectFrom('installation_credentials')
    .select(['connector', 'credential_id'])
    .where('installation_id', '=', installationId)
    .orderBy('connector')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.connector, r.credential_id]));
}

/** The installation uses exactly these credentials (headless installs fix them at start). */
export async function replaceInstallationCredentials(
  conn: Conn,
  installationId: string,
  credentials: ReadonlyMap<string, string>,
): Promise<void> {
  await conn.deleteFrom('installation_credentials').where('installation_id', '=', installationId).execute();
  for (const [connector, credentialId] of credentials) {
    await conn
      .insertInto('installation_credentials')
      .values({ installation_id: installationId, connector, credential_id: credentialId })
      .execute();
  }
}

/** Links a credential per connector; `replace` decides whether an existing link gives way. */
export async function linkInstallationCredential(
  conn: Conn,
  row: { installationId: string; connector: string; credentialId: string; replace: boolean },
): Promise<void> {
  await conn
    .insertInto('installation_credentials')
    .values({ installation_id: row.installationId, connector: row.connector, credential_id: row.credentialId })
    .onConflict((oc) =>
      row.replace
        ? oc.columns(['installation_id', 'connector']).doUpdateSet({ credential_id: row.credentialId })
        : oc.columns(['installation_id', 'connector']).doNothing(),
    )
    .execute();
}

// ── pending_installations ────────────────────────────────────────────────────────────────────

export interface PendingInstallation {
  id: string;
  userId: string;
  integrationId: string;
  workflowIds: string[];
  credentialIds: Record<string, string>;
  expiresAt: string;
}

export async function savePendingInstallation(
  conn: Conn,
  row: PendingInstallation & { createdAt: string },
): Promise<void> {
  const values = {
    workflow_ids: JSON.stringify(row.workflowIds),
    credential_ids: JSON.stringify(row.credentialIds),
    created_at: row.createdAt,
    expires_at: row.expiresAt,
  };
  await conn
    .insertInto('pending_installations')
    .values({ id: row.id, user_id: row.userId, integration_id: row.integrationId, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
}

/**
 * Takes the pending installation of the environment, once: one DELETE … RETURNING, so of two
 * completions at once exactly one gets it. Expired rows are not taken.
 */
export async function takePendingInstallation(
  conn: Conn,
  id: string,
  env: Environment,
  now: string,
): Promise<PendingInstallation | undefined> {
  const row = await conn
    .deleteFrom('pending_installations')
    .where('id', '=', id)
    .where('expires_at', '>', now)
    .where('user_id', 'in', (eb) => eb.selectFrom('users').select('id').where('env', '=', env))
    .returning(['id', 'user_id', 'integration_id', 'workflow_ids', 'credential_ids', 'expires_at'])
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    userId: row.user_id,
    integrationId: row.integration_id,
    workflowIds: JSON.parse(row.workflow_ids) as string[],
    credentialIds: JSON.parse(row.credential_ids) as Record<string, string>,
    expiresAt: row.expires_at,
  };
}

// ── link_tokens, link_sessions ───────────────────────────────────────────────────────────────

export interface LinkRow {
  userId: string;
  env: Environment;
  integrationId: string;
  expiresAt: string;
  usedAt: string | null;
  claimedSessionHash: string | null;
}

export async function insertLinkToken(
  conn: Conn,
  row: { tokenHash: string; userId: string; integrationId: string; createdAt: string; expiresAt: string },
): Promise<void> {
  await conn
    .insertInto('link_tokens')
    .values({
      token_hash: row.tokenHash,
      user_id: row.userId,
      integration_id: row.integrationId,
      created_at: row.createdAt,
      expires_at: row.expiresAt,
    })
    .execute();
}

export async function findLinkToken(conn: Conn, tokenHash: string): Promise<LinkRow | undefined> {
  const row = await conn
    .selectFrom('link_tokens as l')
    .innerJoin('users as u', 'u.id', 'l.user_id')
    .select(['l.user_id', 'u.env', 'l.integration_id', 'l.expires_at', 'l.used_at', 'l.claimed_session_hash'])
    .where('l.token_hash', '=', tokenHash)
    .executeTakeFirst();
  return (
    row && {
      userId: row.user_id,
      env: row.env,
      integrationId: row.integration_id,
      expiresAt: row.expires_at,
      usedAt: row.used_at,
      claimedSessionHash: row.claimed_session_hash,
    }
  );
}

/** Uses the link up if it is still unused and unexpired; false when another call got there first. */
export async function useLinkToken(conn: Conn, tokenHash: string, now: string): Promise<boolean> {
  const result = await conn
    .updateTable('link_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return changed(result) > 0;
}

/** Adds a page session and keeps only the link's newest `keep` unexpired ones. */
export async function addLinkSession(
  conn: Conn,
  row: { idHash: string; tokenHash: string; createdAt: string; expiresAt: string },
  keep: number,
): Promise<void> {
  await conn
    .insertInto('link_sessions')
    .values({ id_hash: row.idHash, token_hash: row.tokenHash, created_at: row.createdAt, expires_at: row.expiresAt })
    .execute();
  await conn
    .deleteFrom('link_sessions')
    .where('token_hash', '=', row.tokenHash)
    .where((eb) =>
      eb.or([
        eb('expires_at', '<=', row.createdAt),
        eb(
          'id_hash',
          'not in',
          eb
            .selectFrom('link_sessions')
            .select('id_hash')
            .where('token_hash', '=', row.tokenHash)
            .orderBy('created_at', 'desc')
            // Sessions opened in the same millisecond: the later insert is newer. SQLite's rowid
            // says so; on PostgreSQL the row's physical place (ctid) does, for an insert-only table.
            .orderBy(engineOf(conn) === 'postgres' ? sql`ctid` : sql`rowid`, 'desc')
            .limit(keep),
        ),
      ]),
    )
    .execute();
}

export interface LinkSessionRow extends LinkRow {
  sessionExpiresAt: string;
}

export async function findLinkSession(conn: Conn, idHash: string): Promise<LinkSessionRow | undefined> {
  const row = await conn
    .selectFrom('link_sessions as s')
    .innerJoin('link_tokens as l', 'l.token_hash', 's.token_hash')
    .innerJoin('users as u', 'u.id', 'l.user_id')
    .select([
      's.expires_at as session_expires',
      'l.user_id',
      'u.env',
      'l.integration_id',
      'l.expires_at',
      'l.used_at',
      'l.claimed_session_hash',
    ])
    .where('s.id_hash', '=', idHash)
    .executeTakeFirst();
  return (
    row && {
      sessionExpiresAt: row.session_expires,
      userId: row.user_id,
      env: row.env,
      integrationId: row.integration_id,
      expiresAt: row.expires_at,
      usedAt: row.used_at,
      claimedSessionHash: row.claimed_session_hash,
    }
  );
}

/**
 * The session claims its link: one conditional UPDATE, so of any number of pages at once exactly
 * one wins (the same session may claim again). False when another session holds it or it is used.
 */
export async function claimLinkForSession(conn: Conn, idHash: string): Promise<boolean> {
  const result = await conn
    .updateTable('link_tokens')
    .set({ claimed_session_hash: idHash })
    .where('token_hash', '=', (eb) => eb.selectFrom('link_sessions').select('token_hash').where('id_hash', '=', idHash))
    .where('used_at', 'is', null)
    .where((eb) => eb.or([eb('claimed_session_hash', 'is', null), eb('claimed_session_hash', '=', idHash)]))
    .executeTakeFirst();
  return changed(result) > 0;
}

/**
 * Uses up every unexpired link of the user to the integration that has been opened (has a page
 * session), and ends those sessions. Returns how many links were used up.
 */
export async function consumeOpenedLinks(
  conn: Conn,
  row: { userId: string; integrationId: string; now: string },
): Promise<number> {
  const used = await conn
    .updateTable('link_tokens')
    .set({ used_at: row.now })
    .where('user_id', '=', row.userId)
    .where('integration_id', '=', row.integrationId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', row.now)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('link_sessions as s').select('s.id_hash').whereRef('s.token_hash', '=', 'link_tokens.token_hash'),
      ),
    )
    .returning('token_hash')
    .execute();
  if (used.length === 0) return 0;
  await conn
    .deleteFrom('link_sessions')
    .where(
      'token_hash',
      'in',
      used.map((u) => u.token_hash),
    )
    .execute();
  return used.length;
}

/** One link as listed (no token, no hash). */
export interface LinkListRow {
  userId: string;
  integrationId: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

/**
 * The links made for the environment's users, newest first, at most `limit`; optionally one
 * user's and/or one integration's. By user it is one seek on (user_id, created_at).
 */
export async function listLinkTokens(
  conn: Conn,
  env: Environment,
  filter: { userId?: string | undefined; integrationId?: string | undefined },
  limit: number,
): Promise<LinkListRow[]> {
  let query = conn
    .selectFrom('link_tokens as l')
    .innerJoin('users as u', 'u.id', 'l.user_id')
    .select(['l.user_id', 'l.integration_id', 'l.created_at', 'l.expires_at', 'l.used_at'])
    .where('u.env', '=', env);
  if (filter.userId !== undefined) query = query.where('l.user_id', '=', filter.userId);
  if (filter.integrationId !== undefined) query = query.where('l.integration_id', '=', filter.integrationId);
  const rows = await query.orderBy('l.created_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    userId: r.user_id,
    integrationId: r.integration_id,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    usedAt: r.used_at,
  }));
}

// ── retention ────────────────────────────────────────────────────────────────────────────────

// Each deletes at most `limit` rows in one statement; the retention job repeats it until a batch
// comes back short.

/** Deletes at most `limit` rows of `table` that expired before `cutoff` (by `expires_at`); how many. */
async function pruneExpired(
  conn: Conn,
  table: 'link_tokens' | 'link_sessions' | 'pending_installations',
  key: string,
  cutoff: string,
  limit: number,
): Promise<number> {
  const result = await sql`DELETE FROM ${sql.table(table)} WHERE ${sql.ref(key)} IN (
    SELECT ${sql.ref(key)} FROM ${sql.table(table)} WHERE expires_at < ${cutoff} LIMIT ${limit})`.execute(conn);
  return changed(result);
}

/** Deletes at most `limit` links that expired before `cutoff`; how many. */
export const pruneLinkTokens = (conn: Conn, cutoff: string, limit: number): Promise<number> =>
  pruneExpired(conn, 'link_tokens', 'token_hash', cutoff, limit);

/** Deletes at most `limit` Embedded Link page sessions that expired before `cutoff`; how many. */
export const pruneLinkSessions = (conn: Conn, cutoff: string, limit: number): Promise<number> =>
  pruneExpired(conn, 'link_sessions', 'id_hash', cutoff, limit);

/** Deletes at most `limit` pending headless installations that expired before `cutoff`; how many. */
export const prunePendingInstallations = (conn: Conn, cutoff: string, limit: number): Promise<number> =>
  pruneExpired(conn, 'pending_installations', 'id', cutoff, limit);

// ── integration_states ───────────────────────────────────────────────────────────────────────

/** Sets an integration's Active state in an environment (one upsert; no row means active). */
export async function setIntegrationActive(
  conn: Conn,
  row: { env: Environment; integrationId: string; active: boolean; now: string },
): Promise<void> {
  const active = row.active ? 1 : 0;
  await conn
    .insertInto('integration_states')
    .values({ env: row.env, integration_id: row.integrationId, active, updated_at: row.now })
    .onConflict((oc) => oc.columns(['env', 'integration_id']).doUpdateSet({ active, updated_at: row.now }))
    .execute();
}

/** The integrations switched off in an environment (one query, by the primary key's prefix). */
export async function inactiveIntegrations(conn: Conn, env: Environment): Promise<Set<string>> {
  const rows = await conn
    .selectFrom('integration_states')
    .select('integration_id')
    .where('env', '=', env)
    .where('active', '=', 0)
    .execute();
  return new Set(rows.map((r) => r.integration_id));
}

const inactiveForUserRows = prepared((conn, userId: string) =>
  conn
    .selectFrom('users as u')
    .innerJoin('integration_states as s', 's.env', 'u.env')
    .select('s.integration_id')
    .where('u.id', '=', userId)
    .where('s.active', '=', 0),
);

/** The integrations switched off in the user's environment (compiled once: the listing reads it). */
export async function inactiveIntegrationsOfUser(conn: Conn, userId: string): Promise<Set<string>> {
  return new Set((await inactiveForUserRows(conn, userId)).map((r) => r.integration_id));
}

/** Whether the integration is switched off in the user's environment. */
export async function inactiveForUser(conn: Conn, userId: string, integrationId: string): Promise<boolean> {
  const row = await conn
    .selectFrom('users as u')
    .innerJoin('integration_states as s', 's.env', 'u.env')
    .select('s.active')
    .where('u.id', '=', userId)
    .where('s.integration_id', '=', integrationId)
    .executeTakeFirst();
  return row !== undefined && row.active === 0;
}
