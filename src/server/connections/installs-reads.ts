import type { Conn } from '../platform/db/index.js';
import type { Environment } from '../platform/secrets.js';

/**
 * Reads of tables the installs module owns (`user_workflows`, `installation_credentials`) and the
 * users module owns (`users`), which connection resolution and app triggers need. Neither service
 * has a method for them yet.
 * TODO(i15): installs module — replace each function with a call to the installs (and users)
 * service once it offers one, then delete this file.
 */

/** TODO(i15): installs module. The credential the workflow's installation recorded for a connector. */
export async function installationCredentialOf(
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

/** TODO(i15): installs + users modules. The user's active workflows, with the user's environment. */
export async function activeWorkflowsOf(
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
  return rows.map((row) => ({ workflowId: row.workflow_id, version: row.version, env: row.env }));
}

/** TODO(i15): installs module. Every user with an active workflow. */
export async function usersWithActiveWorkflows(conn: Conn): Promise<string[]> {
  const rows = await conn.selectFrom('user_workflows').select('user_id').distinct().where('active', '=', 1).execute();
  return rows.map((row) => row.user_id);
}

/** TODO(i15): installs module. Whether the user's workflow is installed and active. */
export async function isWorkflowActive(conn: Conn, userId: string, workflowId: string): Promise<boolean> {
  const row = await conn
    .selectFrom('user_workflows')
    .select('active')
    .where('user_id', '=', userId)
    .where('workflow_id', '=', workflowId)
    .executeTakeFirst();
  return row?.active === 1;
}
