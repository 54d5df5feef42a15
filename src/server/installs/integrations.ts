import type {
  ConfigEntry,
  ConfigField,
  CreateInstallationRequest,
  Installation,
  InstallationFormData,
  InstallationResponse,
  IntegrationSummary,
  WidgetIntegration,
} from '../../contract/index.js';
import type { Db } from '../platform/db/sqlite.js';
import { nowIso } from '../platform/db/sqlite.js';
import {
  blockConnector,
  blockIcon,
  configurableFields,
  findVersion,
  latestVersion,
  versionBlocks,
  versionConnectors,
  type DefinitionSet,
  type IntegrationDefinition,
  type WorkflowDefinition,
} from '../definitions/definitions.js';
import { checkValue, isEmpty, normalise } from '../definitions/field-values.js';
import { DomainError, notFound } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Environment } from '../users/index.js';
import type { SecretBox } from '../platform/encryption.js';
import { openConfig, sealConfig } from './config-answers.js';

interface UserWorkflowRow {
  workflow_id: string;
  installation_id: string;
  version: number;
  active: number;
  config: string;
}

export type StoredConfig = { blockId: string; name: string; value: unknown }[];

/** What an install did, for the runtime (on-installation runs, installation webhook). */
export interface InstalledEvent {
  userId: string;
  installationId: string;
  integrationId: string;
  workflowIds: string[];
  /** Workflows the user did not have before this install. */
  newlyInstalled: string[];
  /** Connector → the credentialId the installation uses. */
  credentials: Record<string, string>;
  installedAt: string;
}

export interface InstallOptions {
  /** Connector → credentialId links to record (headless installs); left unchanged when absent. */
  credentials?: ReadonlyMap<string, string>;
  /** The id to give a new installation (headless installs announce it before completing). */
  installationId?: string;
  /**
   * Connector → credentialId the user picked in the modal ("use a different account"); other
   * connectors keep their link or get the newest credential.
   */
  chosenCredentials?: ReadonlyMap<string, string>;
}

/**
 * Integrations come from the definitions; what a user installed lives in SQLite.
 * Workflow ids are the parent (definition) ids: every per-user call takes the id that
 * `GET /integrations` shows, and the user is the scope.
 */
export class IntegrationService {
  private readonly installListeners: ((event: InstalledEvent) => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly definitions: () => DefinitionSet,
    /** Turns a definition's relative icon path into an absolute URL. */
    private readonly absoluteUrl: (pathOrUrl: string) => string,
    /** Seals the users' configuration answers (they include `secret` ones). */
    private readonly box: SecretBox,
  ) {}

  /**
   * Called inside every install's transaction, so what a listener writes (queued runs, the
   * installation webhook) commits with the install or not at all.
   */
  onInstalled(listener: (event: InstalledEvent) => void): void {
    this.installListeners.push(listener);
  }

  private definition(integrationId: string): IntegrationDefinition {
    const found = this.definitions().integration(integrationId);
    if (!found) throw notFound('The integration');
    return found;
  }

  private userWorkflows(userId: string): Map<string, UserWorkflowRow> {
    const rows = this.db
      .prepare('SELECT workflow_id, installation_id, version, active, config FROM user_workflows WHERE user_id = ?')
      .all(userId) as UserWorkflowRow[];
    return new Map(rows.map((r) => [r.workflow_id, r]));
  }

  private summarize(def: IntegrationDefinition, installed: Map<string, UserWorkflowRow>): IntegrationSummary {
    const workflows = def.workflows.map((wf) => {
      const latest = latestVersion(wf);
      const mine = installed.get(wf.workflowId);
      return {
        workflowId: wf.workflowId,
        name: wf.name,
        installed: mine !== undefined,
        version: latest.version,
        installedVersion: mine ? mine.version : null,
        active: mine ? mine.active === 1 : false,
        blocks: versionBlocks(latest).map((b) => ({
          name: b.name,
          id: b.id,
          type: b.type,
          icon: this.absoluteUrl(blockIcon(b, def)),
        })),
      };
    });
    return {
      integrationId: def.integrationId,
      name: def.name,
      app: def.app,
      description: def.description,
      installed: workflows.some((w) => w.installed),
      icon: this.absoluteUrl(def.icon),
      workflows,
      credentials: [...new Set(def.workflows.flatMap((wf) => versionConnectors(latestVersion(wf))))].sort(),
    };
  }

  list(userId: string): IntegrationSummary[] {
    const installed = this.userWorkflows(userId);
    return this.definitions().integrations.map((def) => this.summarize(def, installed));
  }

  get(userId: string, integrationId: string): IntegrationSummary {
    return this.summarize(this.definition(integrationId), this.userWorkflows(userId));
  }

  widgetView(userId: string, integrationId: string): WidgetIntegration {
    const def = this.definition(integrationId);
    const installed = this.userWorkflows(userId);
    const fields: ConfigField[] = def.workflows.flatMap((wf) => configurableFields(wf.workflowId, latestVersion(wf)));
    const installationId = def.workflows.map((wf) => installed.get(wf.workflowId)?.installation_id).find(Boolean);
    const values = def.workflows.flatMap((wf) => {
      const row = installed.get(wf.workflowId);
      if (!row) return [];
      const secret = secretFieldKeys(wf);
      // A secret answer never leaves the server: the modal shows it as set and may replace it.
      return openConfig(this.box, userId, wf.workflowId, row.config).map((v) =>
        secret.has(`${v.blockId}\u0000${v.name}`)
          ? { workflowId: wf.workflowId, blockId: v.blockId, name: v.name, set: true as const }
          : { workflowId: wf.workflowId, ...v },
      );
    });
    return {
      integrationId: def.integrationId,
      name: def.name,
      app: def.app,
      description: def.description,
      icon: this.absoluteUrl(def.icon),
      workflows: def.workflows.map((wf) => ({
        workflowId: wf.workflowId,
        name: wf.name,
        version: latestVersion(wf).version,
        installed: installed.has(wf.workflowId),
        installedVersion: installed.get(wf.workflowId)?.version ?? null,
      })),
      fields,
      installation: installationId ? { installationId, values } : null,
    };
  }

  /**
   * Installs (or re-installs) the chosen workflows of an integration for a user at their
   * latest versions, after checking every value against the definitions.
   */
  install(userId: string, request: CreateInstallationRequest, options: InstallOptions = {}): InstallationResponse {
    const def = this.definition(request.integrationId);
    const chosen = this.chooseWorkflows(def, request.workflowIds);
    const configByWorkflow = this.validateValues(userId, chosen, request.values, this.userWorkflows(userId));

    return this.db.transaction(() => {
      const existing = this.db
        .prepare('SELECT id FROM installations WHERE user_id = ? AND integration_id = ?')
        .get(userId, def.integrationId) as { id: string } | undefined;
      const installationId = existing?.id ?? options.installationId ?? newId();
      const now = nowIso();
      if (existing) {
        this.db.prepare('UPDATE installations SET updated_at = ? WHERE id = ?').run(now, installationId);
      } else {
        this.db
          .prepare(
            'INSERT INTO installations (id, user_id, integration_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
          )
          .run(installationId, userId, def.integrationId, now, now);
      }
      const before = new Set(
        (
          this.db.prepare('SELECT workflow_id FROM user_workflows WHERE user_id = ?').all(userId) as {
            workflow_id: string;
          }[]
        ).map((r) => r.workflow_id),
      );
      const upsert = this.db.prepare(
        `INSERT INTO user_workflows (user_id, workflow_id, installation_id, version, active, config, installed_at)
         VALUES (?, ?, ?, ?, 1, ?, ?)
         ON CONFLICT (user_id, workflow_id) DO UPDATE SET
           installation_id = excluded.installation_id, version = excluded.version, active = 1,
           config = excluded.config, installed_at = excluded.installed_at`,
      );
      for (const wf of chosen) {
        upsert.run(
          userId,
          wf.workflowId,
          installationId,
          latestVersion(wf).version,
          sealConfig(this.box, userId, wf.workflowId, configByWorkflow.get(wf.workflowId) ?? []),
          now,
        );
      }
      if (options.credentials) {
        this.db.prepare('DELETE FROM installation_credentials WHERE installation_id = ?').run(installationId);
        const link = this.db.prepare(
          'INSERT INTO installation_credentials (installation_id, connector, credential_id) VALUES (?, ?, ?)',
        );
        for (const [connector, credentialId] of options.credentials) link.run(installationId, connector, credentialId);
      } else {
        if (options.chosenCredentials) {
          const relink = this.db.prepare(
            `INSERT INTO installation_credentials (installation_id, connector, credential_id) VALUES (?, ?, ?)
             ON CONFLICT DO UPDATE SET credential_id = excluded.credential_id`,
          );
          for (const [connector, credentialId] of options.chosenCredentials)
            relink.run(installationId, connector, credentialId);
        }
        this.linkNewestCredentials(userId, installationId, chosen);
      }
      const workflowIds = chosen.map((w) => w.workflowId);
      const credentials = Object.fromEntries(
        (
          this.db
            .prepare(
              'SELECT connector, credential_id FROM installation_credentials WHERE installation_id = ? ORDER BY connector',
            )
            .all(installationId) as { connector: string; credential_id: string }[]
        ).map((r) => [r.connector, r.credential_id]),
      );
      const event: InstalledEvent = {
        userId,
        installationId,
        integrationId: def.integrationId,
        workflowIds,
        newlyInstalled: workflowIds.filter((id) => !before.has(id)),
        credentials,
        installedAt: now,
      };
      for (const listener of this.installListeners) listener(event);
      return { installationId, integrationId: def.integrationId, workflowIds };
    })();
  }

  /**
   * The modal's install names no credentials: each app the workflows need keeps the credential
   * the installation already uses, or gets the user's newest (the one just connected).
   */
  private linkNewestCredentials(userId: string, installationId: string, workflows: WorkflowDefinition[]): void {
    const needed = [...new Set(workflows.flatMap((wf) => versionConnectors(latestVersion(wf))))];
    const linked = this.db.prepare(
      'SELECT 1 FROM installation_credentials WHERE installation_id = ? AND connector = ?',
    );
    const newest = this.db.prepare(
      'SELECT id FROM credentials WHERE user_id = ? AND connector = ? ORDER BY created_at DESC, rowid DESC LIMIT 1',
    );
    const link = this.db.prepare(
      'INSERT INTO installation_credentials (installation_id, connector, credential_id) VALUES (?, ?, ?)',
    );
    for (const connector of needed) {
      if (linked.get(installationId, connector)) continue;
      const credential = newest.get(userId, connector) as { id: string } | undefined;
      if (credential) link.run(installationId, connector, credential.id);
    }
  }

  /** The user an installation belongs to. */
  installationOwner(installationId: string): string | undefined {
    const row = this.db.prepare('SELECT user_id FROM installations WHERE id = ?').get(installationId) as
      { user_id: string } | undefined;
    return row?.user_id;
  }

  /** Every installation of the environment, optionally for one user and/or one integration. */
  installations(env: Environment, filter: { userId?: string; integrationId?: string }): Installation[] {
    const rows = this.db
      .prepare(
        `SELECT i.id, i.user_id, i.integration_id, i.created_at, i.updated_at FROM installations i
         JOIN users u ON u.id = i.user_id
         WHERE u.env = @env AND (@userId IS NULL OR i.user_id = @userId)
           AND (@integrationId IS NULL OR i.integration_id = @integrationId)
         ORDER BY i.created_at, i.id`,
      )
      .all({ env, userId: filter.userId ?? null, integrationId: filter.integrationId ?? null }) as {
      id: string;
      user_id: string;
      integration_id: string;
      created_at: string;
      updated_at: string;
    }[];
    const workflowsOf = this.db.prepare(
      'SELECT workflow_id, installation_id, version, active, config FROM user_workflows WHERE installation_id = ? ORDER BY workflow_id',
    );
    const credentialsOf = this.db.prepare(
      'SELECT connector, credential_id FROM installation_credentials WHERE installation_id = ? ORDER BY connector',
    );
    const definitions = this.definitions();
    return rows.map((row) => {
      const workflows = workflowsOf.all(row.id) as UserWorkflowRow[];
      const credentials = credentialsOf.all(row.id) as { connector: string; credential_id: string }[];
      return {
        installationId: row.id,
        integrationId: row.integration_id,
        userId: row.user_id,
        formData: workflows.flatMap((w) => {
          const version = definitions.workflow(w.workflow_id)?.workflow;
          const installedVersion = version && findVersion(version, w.version);
          return installedVersion
            ? formData(w.workflow_id, installedVersion, openConfig(this.box, row.user_id, w.workflow_id, w.config))
            : [];
        }),
        credentialIds: Object.fromEntries(credentials.map((c) => [c.connector, c.credential_id])),
        workflowIds: workflows.map((w) => w.workflow_id),
        installedAt: row.created_at,
        updatedAt: row.updated_at,
        enabled: workflows.some((w) => w.active === 1),
      };
    });
  }

  private chooseWorkflows(def: IntegrationDefinition, workflowIds: string[] | undefined): WorkflowDefinition[] {
    if (!workflowIds) return def.workflows;
    const unknown = workflowIds.filter((id) => !def.workflows.some((w) => w.workflowId === id));
    if (unknown.length > 0) {
      throw new DomainError('validation_failed', `Workflow ${unknown[0]} is not part of this integration.`, [
        { path: ['workflowIds'], message: 'unknown workflow' },
      ]);
    }
    return def.workflows.filter((w) => workflowIds.includes(w.workflowId));
  }

  /**
   * Checks the answers against the latest versions. A secret field left out keeps the secret the
   * user saved for it (`saved`), since the modal never gets it back to resend.
   */
  private validateValues(
    userId: string,
    workflows: WorkflowDefinition[],
    values: ConfigEntry[],
    saved: ReadonlyMap<string, UserWorkflowRow>,
  ): Map<string, StoredConfig> {
    const issues: { path: (string | number)[]; message: string }[] = [];
    const byWorkflow = new Map<string, StoredConfig>();
    const expected = workflows.flatMap((wf) => configurableFields(wf.workflowId, latestVersion(wf)));
    const kept = (field: ConfigField): StoredConfig[number] | undefined => {
      if (field.type !== 'secret') return undefined;
      const row = saved.get(field.workflowId);
      const answer = row
        ? openConfig(this.box, userId, field.workflowId, row.config).find(
            (c) => c.blockId === field.blockId && c.name === field.name,
          )
        : undefined;
      return answer && typeof answer.value === 'string' && !isEmpty(answer.value) ? answer : undefined;
    };
    values.forEach((entry, index) => {
      const field = expected.find(
        (f) => f.workflowId === entry.workflowId && f.blockId === entry.blockId && f.name === entry.name,
      );
      if (!field) {
        issues.push({ path: ['values', index], message: `"${entry.name}" is not a configurable field here` });
        return;
      }
      const problem = checkValue(field, entry.value);
      if (problem) {
        issues.push({ path: ['values', index, 'value'], message: problem });
        return;
      }
      const list = byWorkflow.get(entry.workflowId) ?? [];
      list.push({ blockId: entry.blockId, name: entry.name, value: normalise(field, entry.value) });
      byWorkflow.set(entry.workflowId, list);
    });
    for (const field of expected) {
      const given = values.find(
        (v) => v.workflowId === field.workflowId && v.blockId === field.blockId && v.name === field.name,
      );
      const keep = given === undefined ? kept(field) : undefined;
      if (keep && checkValue(field, keep.value) === undefined) {
        const list = byWorkflow.get(field.workflowId) ?? [];
        list.push({ blockId: field.blockId, name: field.name, value: keep.value });
        byWorkflow.set(field.workflowId, list);
        continue;
      }
      if (field.required && (given === undefined || isEmpty(given.value))) {
        issues.push({ path: ['values', field.name], message: `${field.displayName} is required` });
      }
    }
    if (issues.length > 0) {
      throw new DomainError('validation_failed', `Invalid configuration: ${issues[0]!.message}.`, issues);
    }
    return byWorkflow;
  }
}

/** `blockId\u0000name` of every field that is a secret in any version of the workflow. */
function secretFieldKeys(workflow: WorkflowDefinition): Set<string> {
  return new Set(
    workflow.versions.flatMap((version) =>
      versionBlocks(version).flatMap((block) =>
        block.fields.filter((f) => f.type === 'secret').map((f) => `${block.id}\u0000${f.name}`),
      ),
    ),
  );
}

/** What the user was asked for one workflow version, with their answers (secrets left out). */
function formData(
  workflowId: string,
  version: Parameters<typeof versionBlocks>[0],
  config: StoredConfig,
): InstallationFormData[] {
  return versionBlocks(version).flatMap((block) => {
    const fields = block.fields.filter((f) => f.userConfigurable);
    if (fields.length === 0) return [];
    return [
      {
        workflowId,
        app: blockConnector(block) ?? block.type,
        blockId: block.id,
        fields: fields.map((f) => {
          const answer = config.find((c) => c.blockId === block.id && c.name === f.name);
          return {
            name: f.name,
            displayName: f.displayName,
            type: f.type,
            required: f.required,
            ...(answer && f.type !== 'secret' ? { value: answer.value } : {}),
          };
        }),
      },
    ];
  });
}
