import type {
  UpgradeWorkflowResponse,
  UserWorkflow,
  UserWorkflowDetail,
  ValidationIssue,
  WorkflowVersionInfo,
} from '../../contract/index.js';
import type { Db } from '../platform/db/sqlite.js';
import { nowIso } from '../platform/db/sqlite.js';
import type { DefinitionRegistry } from '../definitions/registry.js';
import {
  blockConnector,
  blockIcon,
  findVersion,
  latestVersion,
  userConfigurableFields,
  versionBlocks,
  versionConnectors,
  type AnyBlock,
  type WorkflowEntry,
  type WorkflowVersionDefinition,
} from '../definitions/definitions.js';
import { checkValue } from '../definitions/field-values.js';
import { DomainError, notFound } from '../platform/errors.js';
import type { Environment } from '../users/index.js';
import type { StoredConfig } from './integrations.js';
import type { SecretBox } from '../platform/encryption.js';
import { openConfig } from './config-answers.js';

interface InstalledRow {
  workflow_id: string;
  installation_id: string;
  version: number;
  active: number;
  config: string;
  installed_at: string;
}

/** A workflow named by id or by name, as activate/deactivate/run accept it. */
export interface WorkflowRef {
  workflowId?: string | undefined;
  workflowName?: string | undefined;
}

/** A user's copies of the parent workflows: state, versions, upgrades. */
export class WorkflowService {
  constructor(
    private readonly db: Db,
    private readonly registry: DefinitionRegistry,
    private readonly absoluteUrl: (pathOrUrl: string) => string,
    /** Opens the users' sealed configuration answers. */
    private readonly box: SecretBox,
  ) {}

  /** The parent workflow a request names; unknown ids and names are 404s. */
  resolve(ref: WorkflowRef): WorkflowEntry {
    const definitions = this.registry.current;
    const entry =
      ref.workflowId !== undefined
        ? definitions.workflow(ref.workflowId)
        : definitions.workflowByName(ref.workflowName ?? '');
    if (!entry) throw notFound('The workflow');
    return entry;
  }

  private installed(userId: string, workflowId: string): InstalledRow {
    const row = this.db
      .prepare(
        'SELECT workflow_id, installation_id, version, active, config, installed_at FROM user_workflows WHERE user_id = ? AND workflow_id = ?',
      )
      .get(userId, workflowId) as InstalledRow | undefined;
    if (!row) throw new DomainError('not_found', 'The user has not installed this workflow.');
    return row;
  }

  /** The version definition a user runs; released versions cannot be removed while installed. */
  private installedVersion(entry: WorkflowEntry, row: InstalledRow): WorkflowVersionDefinition {
    const version = findVersion(entry.workflow, row.version);
    if (!version) throw new Error(`workflow ${row.workflow_id} version ${row.version} is missing from the definitions`);
    return version;
  }

  private blockIcon(entry: WorkflowEntry, block: AnyBlock): string {
    return this.absoluteUrl(blockIcon(block, entry.integration));
  }

  list(userId: string): UserWorkflow[] {
    const rows = this.db
      .prepare(
        'SELECT workflow_id, installation_id, version, active, config, installed_at FROM user_workflows WHERE user_id = ? ORDER BY installed_at, workflow_id',
      )
      .all(userId) as InstalledRow[];
    return rows.flatMap((row) => {
      const entry = this.registry.current.workflow(row.workflow_id);
      if (!entry) return [];
      return [
        {
          workflowId: row.workflow_id,
          name: entry.workflow.name,
          integrationId: entry.integration.integrationId,
          version: latestVersion(entry.workflow).version,
          installedVersion: row.version,
          active: row.active === 1,
          installedAt: row.installed_at,
          blocks: versionBlocks(this.installedVersion(entry, row)).map((b) => ({
            name: b.name,
            id: b.id,
            type: b.type,
            icon: this.blockIcon(entry, b),
          })),
        },
      ];
    });
  }

  detail(userId: string, workflowId: string): UserWorkflowDetail {
    const entry = this.resolve({ workflowId });
    const row = this.installed(userId, workflowId);
    const version = this.installedVersion(entry, row);
    const config = openConfig(this.box, userId, workflowId, row.config);
    const fieldsOf = (block: AnyBlock) =>
      block.fields.map((f) => {
        const answer = f.userConfigurable ? config.find((c) => c.blockId === block.id && c.name === f.name) : undefined;
        const value = answer ? answer.value : f.value;
        return {
          name: f.name,
          displayName: f.displayName,
          type: f.type,
          required: f.required,
          userConfigurable: f.userConfigurable,
          ...(value === undefined || f.type === 'secret' ? {} : { value }),
        };
      });
    const trigger = version.trigger;
    return {
      workflowId,
      name: entry.workflow.name,
      integrationId: entry.integration.integrationId,
      version: latestVersion(entry.workflow).version,
      installedVersion: row.version,
      active: row.active === 1,
      installedAt: row.installed_at,
      trigger: {
        id: trigger.id,
        name: trigger.name,
        type: trigger.type,
        icon: this.blockIcon(entry, trigger),
        connector: blockConnector(trigger),
        event: trigger.type === 'customEvent' || trigger.type === 'appEvent' ? trigger.event : null,
        schema: trigger.type === 'customEvent' || trigger.type === 'webhook' ? (trigger.schema ?? null) : null,
        fields: fieldsOf(trigger),
      },
      blocks: version.blocks.map((b) => ({
        id: b.id,
        name: b.name,
        type: b.type,
        icon: this.blockIcon(entry, b),
        connector: blockConnector(b),
        fields: fieldsOf(b),
      })),
    };
  }

  /** Activates or deactivates one installed workflow; a deactivated workflow does not run. */
  setActive(userId: string, workflowId: string, active: boolean): void {
    this.installed(userId, workflowId);
    this.db
      .prepare('UPDATE user_workflows SET active = ? WHERE user_id = ? AND workflow_id = ?')
      .run(active ? 1 : 0, userId, workflowId);
  }

  /** Pauses the user's account: every workflow of theirs stops running. */
  deactivateAll(userId: string): void {
    this.db.prepare('UPDATE user_workflows SET active = 0 WHERE user_id = ?').run(userId);
  }

  /**
   * Moves the user to the latest version, keeping their answers. Refused with
   * `reinstall_required` when the configurable fields or the needed connections changed, or an
   * answer no longer passes the new rules: only a reinstall can ask the user again.
   */
  upgrade(userId: string, workflowId: string): UpgradeWorkflowResponse {
    const entry = this.resolve({ workflowId });
    return this.db.transaction(() => {
      const row = this.installed(userId, workflowId);
      const latest = latestVersion(entry.workflow);
      if (row.version >= latest.version) {
        return { upgraded: false, installedVersion: row.version, version: latest.version };
      }
      const from = this.installedVersion(entry, row);
      const blockers = upgradeBlockers(from, latest, openConfig(this.box, userId, workflowId, row.config));
      if (blockers.length > 0) {
        throw new DomainError(
          'reinstall_required',
          `Version ${latest.version} cannot be applied in place (${blockers[0]!.message}); reinstall the integration for this user.`,
          blockers,
        );
      }
      this.db
        .prepare('UPDATE user_workflows SET version = ?, installed_at = ? WHERE user_id = ? AND workflow_id = ?')
        .run(latest.version, nowIso(), userId, workflowId);
      return { upgraded: true, installedVersion: latest.version, version: latest.version };
    })();
  }

  /** Removes the workflow for this user only; an installation left without workflows goes too. */
  remove(userId: string, workflowId: string): void {
    this.resolve({ workflowId });
    this.db.transaction(() => {
      const row = this.installed(userId, workflowId);
      this.db.prepare('DELETE FROM user_workflows WHERE user_id = ? AND workflow_id = ?').run(userId, workflowId);
      const left = this.db
        .prepare('SELECT COUNT(*) AS n FROM user_workflows WHERE installation_id = ?')
        .get(row.installation_id) as { n: number };
      if (left.n === 0) this.db.prepare('DELETE FROM installations WHERE id = ?').run(row.installation_id);
    })();
  }

  versions(workflowId: string, userId: string | undefined): WorkflowVersionInfo[] {
    const entry = this.resolve({ workflowId });
    const latest = latestVersion(entry.workflow).version;
    let row: InstalledRow | undefined;
    if (userId !== undefined) {
      row = this.db
        .prepare(
          'SELECT workflow_id, installation_id, version, active, config, installed_at FROM user_workflows WHERE user_id = ? AND workflow_id = ?',
        )
        .get(userId, workflowId) as InstalledRow | undefined;
    }
    const from = row ? this.installedVersion(entry, row) : undefined;
    return [...entry.workflow.versions]
      .sort((a, b) => a.version - b.version)
      .map((version) => ({
        version: version.version,
        releasedAt: this.registry.releasedAt(workflowId, version.version),
        latest: version.version === latest,
        installed: row?.version === version.version,
        ...(from && row
          ? {
              requiresReinstall:
                upgradeBlockers(from, version, openConfig(this.box, userId!, workflowId, row.config)).length > 0,
            }
          : {}),
        triggerType: version.trigger.type,
        configurableFields: userConfigurableFields(version).map(({ blockId, field }) => ({
          blockId,
          name: field.name,
          displayName: field.displayName,
          type: field.type,
          required: field.required,
        })),
      }));
  }

  /** The users who installed a workflow, with their state. */
  users(env: Environment, workflowId: string) {
    this.resolve({ workflowId });
    const rows = this.db
      .prepare(
        `SELECT u.id, u.username, u.full_name, w.active, w.version, w.installed_at FROM user_workflows w
         JOIN users u ON u.id = w.user_id WHERE u.env = ? AND w.workflow_id = ? ORDER BY w.installed_at, u.id`,
      )
      .all(env, workflowId) as {
      id: string;
      username: string;
      full_name: string | null;
      active: number;
      version: number;
      installed_at: string;
    }[];
    return rows.map((r) => ({
      userId: r.id,
      username: r.username,
      fullName: r.full_name,
      workflowActive: r.active === 1,
      installedVersion: r.version,
      installedAt: r.installed_at,
    }));
  }
}

/**
 * Why moving from one version to another needs a reinstall: a configurable field added,
 * removed or changed (type, required, options), a stored answer the new rules refuse, or a new
 * connection to make. Empty when the move can be made in place.
 */
export function upgradeBlockers(
  from: WorkflowVersionDefinition,
  to: WorkflowVersionDefinition,
  config: StoredConfig,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const key = (blockId: string, name: string) => `${blockId}.${name}`;
  const shape = (f: { type: string; required: boolean; options?: { value: string }[] | undefined }) =>
    JSON.stringify([f.type, f.required, (f.options ?? []).map((o) => o.value).sort()]);
  const before = new Map(userConfigurableFields(from).map((e) => [key(e.blockId, e.field.name), e.field]));
  const after = new Map(userConfigurableFields(to).map((e) => [key(e.blockId, e.field.name), e.field]));
  for (const [name, field] of after) {
    const old = before.get(name);
    if (!old) {
      issues.push({ path: ['fields', name], message: `new configurable field ${field.displayName}` });
    } else if (shape(old) !== shape(field)) {
      issues.push({ path: ['fields', name], message: `configurable field ${field.displayName} changed` });
    } else {
      const [blockId] = name.split('.');
      const answer = config.find((c) => c.blockId === blockId && c.name === field.name);
      const problem = answer === undefined ? undefined : checkValue(field, answer.value);
      if (problem) issues.push({ path: ['fields', name], message: `the saved answer fails the new rules: ${problem}` });
    }
  }
  for (const [name, field] of before) {
    if (!after.has(name))
      issues.push({ path: ['fields', name], message: `configurable field ${field.displayName} removed` });
  }
  const connected = new Set(versionConnectors(from));
  for (const connector of versionConnectors(to)) {
    if (!connected.has(connector))
      issues.push({ path: ['connectors', connector], message: `needs a ${connector} connection` });
  }
  return issues;
}
