import type { Conn } from '../platform/db/index.js';

/** An integration made in the console. */
export interface ConsoleIntegrationRow {
  integrationId: string;
  name: string;
  app: string;
  description: string;
  icon: string;
  createdAt: string;
}

/** A console-made workflow with its draft (JSON text, as saved). */
export interface ConsoleWorkflowRow {
  workflowId: string;
  integrationId: string;
  draft: string;
  draftSavedAt: string;
  createdAt: string;
}

/** A released version of a console-made workflow; `content` is `{trigger, blocks}` as JSON text. */
export interface ConsoleVersionRow {
  workflowId: string;
  version: number;
  name: string;
  description: string | null;
  content: string;
  releasedAt: string;
}

/** Every console-made integration, workflow and released version (a few rows: definitions, not data). */
export interface ConsoleRows {
  integrations: ConsoleIntegrationRow[];
  workflows: ConsoleWorkflowRow[];
  versions: ConsoleVersionRow[];
}

export async function listConsoleRows(conn: Conn): Promise<ConsoleRows> {
  const [integrations, workflows, versions] = await Promise.all([
    conn
      .selectFrom('console_integrations')
      .select(['id', 'name', 'app', 'description', 'icon', 'created_at'])
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    conn
      .selectFrom('console_workflows')
      .select(['id', 'integration_id', 'draft', 'draft_saved_at', 'created_at'])
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    conn
      .selectFrom('console_workflow_versions')
      .select(['workflow_id', 'version', 'name', 'description', 'content', 'released_at'])
      .orderBy('workflow_id')
      .orderBy('version')
      .execute(),
  ]);
  return {
    integrations: integrations.map((r) => ({
      integrationId: r.id,
      name: r.name,
      app: r.app,
      description: r.description,
      icon: r.icon,
      createdAt: r.created_at,
    })),
    workflows: workflows.map((r) => ({
      workflowId: r.id,
      integrationId: r.integration_id,
      draft: r.draft,
      draftSavedAt: r.draft_saved_at,
      createdAt: r.created_at,
    })),
    versions: versions.map((r) => ({
      workflowId: r.workflow_id,
      version: Number(r.version),
      name: r.name,
      description: r.description,
      content: r.content,
      releasedAt: r.released_at,
    })),
  };
}

/** Whether an integration was made in the console (released or not). */
export async function consoleIntegrationExists(conn: Conn, integrationId: string): Promise<boolean> {
  const row = await conn
    .selectFrom('console_integrations')
    .select('id')
    .where('id', '=', integrationId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Inserts an integration; false when its name is taken by another console integration. */
export async function insertConsoleIntegration(conn: Conn, row: ConsoleIntegrationRow): Promise<boolean> {
  const inserted = await conn
    .insertInto('console_integrations')
    .values({
      id: row.integrationId,
      name: row.name,
      app: row.app,
      description: row.description,
      icon: row.icon,
      created_at: row.createdAt,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function insertConsoleWorkflow(conn: Conn, row: ConsoleWorkflowRow): Promise<void> {
  await conn
    .insertInto('console_workflows')
    .values({
      id: row.workflowId,
      integration_id: row.integrationId,
      draft: row.draft,
      draft_saved_at: row.draftSavedAt,
      created_at: row.createdAt,
    })
    .execute();
}

/**
 * Saves a draft; with `baseSavedAt`, only over that save (one conditional UPDATE, so two tabs
 * cannot both win). False when the workflow is unknown or another save came first.
 */
export async function saveConsoleDraft(
  conn: Conn,
  workflowId: string,
  draft: string,
  savedAt: string,
  baseSavedAt: string | undefined,
): Promise<boolean> {
  let query = conn
    .updateTable('console_workflows')
    .set({ draft, draft_saved_at: savedAt })
    .where('id', '=', workflowId);
  if (baseSavedAt !== undefined) query = query.where('draft_saved_at', '=', baseSavedAt);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Records a released version; false when that version exists already (a release at the same time). */
export async function insertConsoleVersion(conn: Conn, row: ConsoleVersionRow): Promise<boolean> {
  const inserted = await conn
    .insertInto('console_workflow_versions')
    .values({
      workflow_id: row.workflowId,
      version: row.version,
      name: row.name,
      description: row.description,
      content: row.content,
      released_at: row.releasedAt,
    })
    .onConflict((oc) => oc.columns(['workflow_id', 'version']).doNothing())
    .returning('version')
    .executeTakeFirst();
  return inserted !== undefined;
}
