import type {
  UpgradeWorkflowResponse,
  UserWorkflow,
  UserWorkflowDetail,
  ValidationIssue,
  WorkflowVersionInfo,
} from '../../contract/index.js';
import { nowIso, type Conn, type Database } from '../platform/db/index.js';
import type { DefinitionRegistry } from '../definitions/index.js';
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
} from '../definitions/index.js';
import { checkValue } from '../definitions/index.js';
import { DomainError, notFound } from '../platform/errors.js';
import type { Environment } from '../users/index.js';
import { changeInstalls, NO_SETTLE, type SettleUser, type StoredConfig } from './integrations.js';
import type { SecretBox } from '../platform/encryption.js';
import { openConfig } from './config-answers.js';
import * as repo from './repository.js';
import type { InstalledWorkflow } from './repository.js';

type InstalledRow = InstalledWorkflow;

/** A workflow named by id or by name, as activate/deactivate/run accept it. */
export interface WorkflowRef {
  workflowId?: string | undefined;
  workflowName?: string | undefined;
}

/** A user's copies of the parent workflows: state, versions, upgrades. */
export class WorkflowService {
  constructor(
    private readonly database: Database,
    private readonly registry: DefinitionRegistry,
    private readonly absoluteUrl: (pathOrUrl: string) => string,
    /** Opens the users' sealed configuration answers. */
    private readonly box: SecretBox,
    /** After a change to a user's workflows commits: their app-event triggers are brought in line. */
    private readonly settle: SettleUser = NO_SETTLE,
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

  private async installed(userId: string, workflowId: string, conn: Conn = this.database): Promise<InstalledRow> {
    const row = await repo.userWorkflow(conn, userId, workflowId);
    if (!row) throw new DomainError('not_found', 'The user has not installed this workflow.');
    return row;
  }

  // ── for other modules (runs, connections): the one way to read users' installed workflows ──

  /** The user's copy of a workflow (version, active, sealed answers), if installed. */
  installedWorkflow(
    userId: string,
    workflowId: string,
    conn: Conn = this.database,
  ): Promise<InstalledWorkflow | undefined> {
    return repo.userWorkflow(conn, userId, workflowId);
  }

  /** Every workflow the user installed, ordered by workflow id. */
  async installedWorkflows(userId: string, conn: Conn = this.database): Promise<InstalledWorkflow[]> {
    const rows = await repo.userWorkflows(conn, userId);
    return rows.sort((a, b) => (a.workflowId < b.workflowId ? -1 : a.workflowId > b.workflowId ? 1 : 0));
  }

  /** Opens the sealed answers of an installed workflow. */
  answers(row: InstalledWorkflow): StoredConfig {
    return openConfig(this.box, row.userId, row.workflowId, row.config);
  }

  /** The user's active workflows, with the user's environment (app triggers subscribe for them). */
  activeWorkflows(
    userId: string,
    conn: Conn = this.database,
  ): Promise<{ workflowId: string; version: number; env: Environment }[]> {
    return repo.activeWorkflowsWithEnv(conn, userId);
  }

  /** The users with at least one of these workflows active (app triggers sync them at start). */
  usersWithActiveWorkflows(workflowIds: readonly string[], conn: Conn = this.database): Promise<string[]> {
    return repo.usersWithActiveWorkflows(conn, workflowIds);
  }

  /** The credential the installation of the user's workflow links for a connector. */
  linkedCredential(
    userId: string,
    workflowId: string,
    connector: string,
    conn: Conn = this.database,
  ): Promise<string | undefined> {
    return repo.linkedCredential(conn, userId, workflowId, connector);
  }

  /** How many users run each version of each workflow. */
  installedVersionCounts(
    conn: Conn = this.database,
  ): Promise<{ workflowId: string; version: number; users: number }[]> {
    return installedVersionCounts(conn);
  }

  /** The version definition a user runs; released versions cannot be removed while installed. */
  private installedVersion(entry: WorkflowEntry, row: InstalledRow): WorkflowVersionDefinition {
    const version = findVersion(entry.workflow, row.version);
    if (!version) throw new Error(`workflow ${row.workflowId} version ${row.version} is missing from the definitions`);
    return version;
  }

  private blockIcon(entry: WorkflowEntry, block: AnyBlock): string {
    return this.absoluteUrl(blockIcon(block, entry.integration));
  }

  async list(userId: string): Promise<UserWorkflow[]> {
    const rows = await repo.userWorkflows(this.database, userId);
    return rows.flatMap((row) => {
      const entry = this.registry.current.workflow(row.workflowId);
      if (!entry) return [];
      return [
        {
          workflowId: row.workflowId,
          name: entry.workflow.name,
          integrationId: entry.integration.integrationId,
          version: latestVersion(entry.workflow).version,
          installedVersion: row.version,
          active: row.active,
          installedAt: row.installedAt,
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

  async detail(userId: string, workflowId: string): Promise<UserWorkflowDetail> {
    const entry = this.resolve({ workflowId });
    const row = await this.installed(userId, workflowId);
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
      active: row.active,
      installedAt: row.installedAt,
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
  async setActive(userId: string, workflowId: string, active: boolean, conn: Conn = this.database): Promise<void> {
    await changeInstalls(conn, userId, this.settle, async (trx) => {
      if (!(await repo.setWorkflowActive(trx, userId, workflowId, active))) {
        throw new DomainError('not_found', 'The user has not installed this workflow.');
      }
    });
  }

  /** Pauses the user's account: every workflow of theirs stops running. */
  async deactivateAll(userId: string, conn: Conn = this.database): Promise<void> {
    await changeInstalls(conn, userId, this.settle, (trx) => repo.deactivateAllWorkflows(trx, userId));
  }

  /**
   * Moves the user to the latest version, keeping their answers. Refused with
   * `reinstall_required` when the configurable fields or the needed connections changed, or an
   * answer no longer passes the new rules: only a reinstall can ask the user again. The move is
   * one conditional UPDATE on the version read, so a concurrent upgrade or reinstall is not undone.
   */
  async upgrade(userId: string, workflowId: string, conn: Conn = this.database): Promise<UpgradeWorkflowResponse> {
    const entry = this.resolve({ workflowId });
    return changeInstalls(conn, userId, this.settle, async (trx) => {
      const row = await this.installed(userId, workflowId, trx);
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
      const moved = await repo.upgradeWorkflowVersion(trx, {
        userId,
        workflowId,
        from: row.version,
        to: latest.version,
        now: nowIso(),
      });
      if (!moved) {
        throw new DomainError('conflict', 'The workflow changed while it was being upgraded; try again.');
      }
      return { upgraded: true, installedVersion: latest.version, version: latest.version };
    });
  }

  /** Removes the workflow for this user only; an installation left without workflows goes too. */
  async remove(userId: string, workflowId: string, conn: Conn = this.database): Promise<void> {
    this.resolve({ workflowId });
    await changeInstalls(conn, userId, this.settle, async (trx) => {
      const installationId = await repo.deleteUserWorkflow(trx, userId, workflowId);
      if (installationId === undefined) throw new DomainError('not_found', 'The user has not installed this workflow.');
      await repo.deleteInstallationIfEmpty(trx, installationId);
    });
  }

  async versions(workflowId: string, userId: string | undefined): Promise<WorkflowVersionInfo[]> {
    const entry = this.resolve({ workflowId });
    const latest = latestVersion(entry.workflow).version;
    const row = userId === undefined ? undefined : await repo.userWorkflow(this.database, userId, workflowId);
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
  async users(env: Environment, workflowId: string) {
    this.resolve({ workflowId });
    const rows = await repo.workflowUsers(this.database, env, workflowId);
    return rows.map((r) => ({
      userId: r.userId,
      username: r.username,
      fullName: r.fullName,
      workflowActive: r.active,
      installedVersion: r.version,
      installedAt: r.installedAt,
    }));
  }
}

/**
 * How many users run each version of each workflow. A function as well as a WorkflowService
 * method: the definitions registry needs it when it opens, before the service can be built.
 */
export function installedVersionCounts(conn: Conn): Promise<{ workflowId: string; version: number; users: number }[]> {
  return repo.installedVersionCounts(conn);
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
