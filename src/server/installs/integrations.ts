import type {
  ConfigEntry,
  ConsoleIntegration,
  ConfigField,
  CreateInstallationRequest,
  Installation,
  InstallationFormData,
  InstallationResponse,
  IntegrationSummary,
  UninstallResponse,
  WidgetIntegration,
} from '../../contract/index.js';
import { afterCommit, inTransaction, nowIso, type Conn, type Database } from '../platform/db/index.js';
import {
  blockConnector,
  blockIcon,
  configurableFields,
  findVersion,
  latestVersion,
  versionBlocks,
  type ConsoleMadeIntegration,
  type DefinitionSet,
  type IntegrationDefinition,
  type WorkflowDefinition,
} from '../definitions/index.js';
import { checkValue, isEmpty, normalise } from '../definitions/index.js';
import { DomainError, notFound } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Environment } from '../users/index.js';
import { appNameOf, type CredentialService } from '../connections/index.js';
import type { SecretBox } from '../platform/encryption.js';
import { openConfig, sealConfig } from './config-answers.js';
import { appsNeeded } from './needed-apps.js';
import * as repo from './repository.js';
import type { InstalledWorkflow } from './repository.js';

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

/** A listener to installs; it runs inside the install's transaction and must use `trx`. */
export type InstallListener = (event: InstalledEvent, trx: Conn) => void | Promise<void>;

/**
 * What follows a change to a user's installed workflows: app-event triggers subscribe or
 * unsubscribe (the runtime's `triggers`).
 */
export interface SettleUser {
  /**
   * Inside the change's transaction: records that the user's subscriptions owe a sync, so a node
   * that stops between the commit and the sync leaves it to another node (or its next start).
   */
  owe(trx: Conn, userId: string): Promise<void>;
  /** Once the change has committed: the sync, waited for (it bounds itself) before the caller resumes. */
  settle(userId: string): void | Promise<void>;
}

/** No app triggers to follow changes (services built without a runtime, as in some tests). */
export const NO_SETTLE: SettleUser = { owe: async () => {}, settle: () => undefined };

/**
 * Runs `work` in a transaction on `conn` and, once the outermost transaction commits, `settle`
 * for the user. Every install-changing method of the installs services goes through this.
 */
export async function changeInstalls<T>(
  conn: Conn,
  userId: string,
  settle: SettleUser,
  work: (trx: Conn) => Promise<T>,
): Promise<T> {
  return inTransaction(conn, async (trx) => {
    const result = await work(trx);
    await settle.owe(trx, userId);
    afterCommit(trx, () => settle.settle(userId));
    return result;
  });
}

/**
 * Integrations come from the definitions; what a user installed lives in SQLite.
 * Workflow ids are the parent (definition) ids: every per-user call takes the id that
 * `GET /integrations` shows, and the user is the scope.
 */
export class IntegrationService {
  private readonly installListeners: InstallListener[] = [];

  constructor(
    private readonly database: Database,
    private readonly definitions: () => DefinitionSet,
    /** Turns a definition's relative icon path into an absolute URL. */
    private readonly absoluteUrl: (pathOrUrl: string) => string,
    /** Seals the users' configuration answers (they include `secret` ones). */
    private readonly box: SecretBox,
    /** The connections module: the user's newest credential of an app (it owns `credentials`). */
    private readonly credentials: Pick<CredentialService, 'newest'>,
    /** After an install commits: the user's app-event triggers are brought in line. */
    private readonly settle: SettleUser = NO_SETTLE,
  ) {}

  /**
   * Called inside every install's transaction (with it), so what a listener writes (queued runs,
   * the installation webhook) commits with the install or not at all.
   */
  onInstalled(listener: InstallListener): void {
    this.installListeners.push(listener);
  }

  private definition(integrationId: string): IntegrationDefinition {
    const found = this.definitions().integration(integrationId);
    if (!found) throw notFound('The integration');
    return found;
  }

  private async userWorkflows(userId: string, conn: Conn = this.database): Promise<Map<string, InstalledWorkflow>> {
    const rows = await repo.userWorkflows(conn, userId);
    return new Map(rows.map((r) => [r.workflowId, r]));
  }

  private summarize(def: IntegrationDefinition, installed: Map<string, InstalledWorkflow>): IntegrationSummary {
    const shape = summaryShape(def);
    const workflows = shape.workflows.map((wf) => {
      const mine = installed.get(wf.workflowId);
      return {
        workflowId: wf.workflowId,
        name: wf.name,
        installed: mine !== undefined,
        version: wf.version,
        installedVersion: mine ? mine.version : null,
        active: mine ? mine.active : false,
        blocks: wf.blocks.map((b) => ({ name: b.name, id: b.id, type: b.type, icon: this.absoluteUrl(b.icon) })),
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
      credentials: [...shape.credentials],
    };
  }

  /**
   * Every integration the user can see: an integration switched off in the user's environment is
   * left out unless the user installed it (they keep editing and uninstalling it).
   */
  async list(userId: string): Promise<IntegrationSummary[]> {
    const [installed, inactive] = await Promise.all([
      this.userWorkflows(userId),
      repo.inactiveIntegrationsOfUser(this.database, userId),
    ]);
    return this.definitions()
      .integrations.filter((def) => !inactive.has(def.integrationId) || hasInstalled(def, installed))
      .map((def) => this.summarize(def, installed));
  }

  /**
   * Refuses (409) an integration switched off in the user's environment unless the user already
   * installed it: an inactive integration takes no new installs, existing ones stay editable.
   */
  private async requireAvailable(
    userId: string,
    def: IntegrationDefinition,
    installed: ReadonlyMap<string, InstalledWorkflow>,
    conn: Conn,
  ): Promise<void> {
    if (hasInstalled(def, installed)) return;
    if (await repo.inactiveForUser(conn, userId, def.integrationId)) throw inactiveIntegration();
  }

  /** Whether a user may start installing the integration (headless start): 409 when it is switched off. */
  async requireInstallable(userId: string, integrationId: string, conn: Conn = this.database): Promise<void> {
    const def = this.definition(integrationId);
    await this.requireAvailable(userId, def, await this.userWorkflows(userId, conn), conn);
  }

  /**
   * False when the integration is switched off in the user's environment and the user has not
   * installed it (the Embedded Link page then says so instead of opening the modal).
   */
  async installable(userId: string, integrationId: string): Promise<boolean> {
    const def = this.definitions().integration(integrationId);
    if (!def || hasInstalled(def, await this.userWorkflows(userId))) return true;
    return !(await repo.inactiveForUser(this.database, userId, integrationId));
  }

  /** How many users of `env` installed the integration and whether it is on there (any id, released or not). */
  async state(env: Environment, integrationId: string): Promise<{ installs: number; active: boolean }> {
    const [counts, inactive] = await Promise.all([
      repo.installCounts(this.database, env),
      repo.inactiveIntegrations(this.database, env),
    ]);
    return { installs: counts.get(integrationId) ?? 0, active: !inactive.has(integrationId) };
  }

  /**
   * Sets the integration's Active state in an environment (the console's toggle); 404 when unknown.
   * `unreleased`: the integration exists though not in the definitions yet (made in the console,
   * nothing released): its state is kept for when it is.
   */
  async setActive(
    env: Environment,
    integrationId: string,
    active: boolean,
    options: { unreleased?: boolean } = {},
  ): Promise<{ integrationId: string; active: boolean }> {
    const id = options.unreleased ? integrationId : this.definition(integrationId).integrationId;
    await repo.setIntegrationActive(this.database, { env, integrationId: id, active, now: nowIso() });
    return { integrationId: id, active };
  }

  async get(userId: string, integrationId: string): Promise<IntegrationSummary> {
    const def = this.definition(integrationId);
    return this.summarize(def, await this.userWorkflows(userId));
  }

  async widgetView(userId: string, integrationId: string): Promise<WidgetIntegration> {
    const def = this.definition(integrationId);
    const installed = await this.userWorkflows(userId);
    await this.requireAvailable(userId, def, installed, this.database);
    const fields: ConfigField[] = def.workflows.flatMap((wf) => configurableFields(wf.workflowId, latestVersion(wf)));
    const installationId = def.workflows.map((wf) => installed.get(wf.workflowId)?.installationId).find(Boolean);
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
        ...(wf.description === undefined ? {} : { description: wf.description }),
      })),
      fields,
      installation: installationId ? { installationId, values } : null,
    };
  }

  /**
   * Installs (or re-installs) the chosen workflows of an integration for a user at their
   * latest versions, after checking every value against the definitions. The installation row is
   * taken with one `INSERT … ON CONFLICT (user_id, integration_id)`, so concurrent installs of one
   * integration by one user share one installation. Runs in `conn`'s transaction when given one.
   */
  async install(
    userId: string,
    request: CreateInstallationRequest,
    options: InstallOptions = {},
    conn: Conn = this.database,
  ): Promise<InstallationResponse> {
    const def = this.definition(request.integrationId);
    const chosen = this.chooseWorkflows(def, request.workflowIds);

    return changeInstalls(conn, userId, this.settle, async (trx) => {
      const saved = await this.userWorkflows(userId, trx);
      await this.requireAvailable(userId, def, saved, trx);
      const configByWorkflow = this.validateValues(userId, chosen, request.values, saved);
      const now = nowIso();
      const installationId = await repo.upsertInstallation(trx, {
        id: options.installationId ?? newId(),
        userId,
        integrationId: def.integrationId,
        now,
      });
      for (const wf of chosen) {
        await repo.upsertUserWorkflow(trx, {
          userId,
          workflowId: wf.workflowId,
          installationId,
          version: latestVersion(wf).version,
          config: sealConfig(this.box, userId, wf.workflowId, configByWorkflow.get(wf.workflowId) ?? []),
          now,
        });
      }
      if (options.credentials) {
        await repo.replaceInstallationCredentials(trx, installationId, options.credentials);
      } else {
        for (const [connector, credentialId] of options.chosenCredentials ?? []) {
          await repo.linkInstallationCredential(trx, { installationId, connector, credentialId, replace: true });
        }
        await this.linkNewestCredentials(trx, userId, installationId, chosen);
      }
      const workflowIds = chosen.map((w) => w.workflowId);
      const event: InstalledEvent = {
        userId,
        installationId,
        integrationId: def.integrationId,
        workflowIds,
        newlyInstalled: workflowIds.filter((id) => !saved.has(id)),
        credentials: await repo.installationCredentials(trx, installationId),
        installedAt: now,
      };
      for (const listener of this.installListeners) await listener(event, trx);
      return { installationId, integrationId: def.integrationId, workflowIds };
    });
  }

  /**
   * Uninstalls the user's installation of an integration: every workflow of it is removed for this
   * user (so none runs again) and the installation goes with its credential links, in one
   * transaction; the user's connections themselves stay (other integrations may use them). App
   * triggers unsubscribe once it commits. A 404 when the user has not installed the integration.
   */
  async uninstall(userId: string, integrationId: string, conn: Conn = this.database): Promise<UninstallResponse> {
    const def = this.definition(integrationId);
    return changeInstalls(conn, userId, this.settle, async (trx) => {
      const installationId = await repo.findInstallationId(trx, userId, def.integrationId);
      if (installationId === undefined) {
        throw new DomainError('not_found', 'The user has not installed this integration.');
      }
      const workflowIds: string[] = [];
      for (const workflow of await repo.workflowsOfInstallation(trx, installationId)) {
        // The same delete as removing one workflow (DELETE /workflows/:workflowId).
        if ((await repo.deleteUserWorkflow(trx, userId, workflow.workflowId)) !== undefined) {
          workflowIds.push(workflow.workflowId);
        }
      }
      await repo.deleteInstallationIfEmpty(trx, installationId);
      return { installationId, integrationId: def.integrationId, workflowIds };
    });
  }

  /**
   * The modal's install names no credentials: each app the workflows need keeps the credential
   * the installation already uses, or gets the user's newest (the one just connected).
   */
  private async linkNewestCredentials(
    trx: Conn,
    userId: string,
    installationId: string,
    workflows: WorkflowDefinition[],
  ): Promise<void> {
    for (const connector of appsNeeded(workflows)) {
      const credentialId = (await this.credentials.newest(userId, connector, trx))?.credentialId;
      if (credentialId !== undefined) {
        await repo.linkInstallationCredential(trx, { installationId, connector, credentialId, replace: false });
      }
    }
  }

  /** The user an installation belongs to. */
  installationOwner(installationId: string, conn: Conn = this.database): Promise<string | undefined> {
    return repo.installationOwner(conn, installationId);
  }

  /** The user's installation of an integration, if any. */
  installationOf(userId: string, integrationId: string, conn: Conn = this.database): Promise<string | undefined> {
    return repo.findInstallationId(conn, userId, integrationId);
  }

  /** Connector → credentialId of the user's installation of an integration (empty when not installed). */
  async linkedCredentials(
    userId: string,
    integrationId: string,
    conn: Conn = this.database,
  ): Promise<Record<string, string>> {
    const installationId = await repo.findInstallationId(conn, userId, integrationId);
    return installationId === undefined ? {} : repo.installationCredentials(conn, installationId);
  }

  /**
   * The console's list: every integration as defined, with how many users of `env` installed it.
   * `consoleMade`: the integrations made in the console (the definitions module's builder), listed
   * after the files' with all their workflows, `version` 0 for one not released yet.
   */
  async catalogue(
    env: Environment,
    consoleMade: readonly ConsoleMadeIntegration[] = [],
  ): Promise<ConsoleIntegration[]> {
    const [counts, inactive] = await Promise.all([
      repo.installCounts(this.database, env),
      repo.inactiveIntegrations(this.database, env),
    ]);
    const made = new Set(consoleMade.map((i) => i.integrationId));
    const fromFiles = this.definitions()
      .integrations.filter((def) => !made.has(def.integrationId))
      .map((def) => ({
        integrationId: def.integrationId,
        name: def.name,
        app: def.app,
        ...appNameOf(def.app),
        description: def.description,
        icon: this.absoluteUrl(def.icon),
        workflows: summaryShape(def).workflows.map(({ workflowId, name, version }) => ({ workflowId, name, version })),
        installs: counts.get(def.integrationId) ?? 0,
        source: 'code' as const,
        active: !inactive.has(def.integrationId),
      }));
    const fromConsole = consoleMade.map((def) => ({
      integrationId: def.integrationId,
      name: def.name,
      app: def.app,
      ...appNameOf(def.app),
      description: def.description,
      icon: this.absoluteUrl(def.icon),
      workflows: def.workflows.map(({ workflowId, name, version }) => ({ workflowId, name, version })),
      installs: counts.get(def.integrationId) ?? 0,
      source: 'console' as const,
      active: !inactive.has(def.integrationId),
    }));
    return [...fromFiles, ...fromConsole];
  }

  /** Every installation of the environment, optionally for one user and/or one integration. */
  async installations(
    env: Environment,
    filter: { userId?: string | undefined; integrationId?: string | undefined },
  ): Promise<Installation[]> {
    const rows = await repo.listInstallations(this.database, env, filter);
    const details = await Promise.all(
      rows.map(async (row) => ({
        workflows: await repo.workflowsOfInstallation(this.database, row.id),
        credentialIds: await repo.installationCredentials(this.database, row.id),
      })),
    );
    const definitions = this.definitions();
    return rows.map((row, index) => {
      const { workflows, credentialIds } = details[index]!;
      return {
        installationId: row.id,
        integrationId: row.integrationId,
        userId: row.userId,
        formData: workflows.flatMap((w) => {
          const version = definitions.workflow(w.workflowId)?.workflow;
          const installedVersion = version && findVersion(version, w.version);
          return installedVersion
            ? formData(w.workflowId, installedVersion, openConfig(this.box, row.userId, w.workflowId, w.config))
            : [];
        }),
        credentialIds,
        workflowIds: workflows.map((w) => w.workflowId),
        installedAt: row.createdAt,
        updatedAt: row.updatedAt,
        enabled: workflows.some((w) => w.active),
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
    saved: ReadonlyMap<string, InstalledWorkflow>,
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

/** Whether the user has any workflow of the integration installed (an installation of it). */
function hasInstalled(def: IntegrationDefinition, installed: ReadonlyMap<string, InstalledWorkflow>): boolean {
  return def.workflows.some((wf) => installed.has(wf.workflowId));
}

/** Why a new install of an integration switched off in the user's environment is refused. */
export const INACTIVE_MESSAGE = 'This integration is not active.';

/** The refusal of a new install of an integration switched off in the user's environment. */
function inactiveIntegration(): DomainError {
  return new DomainError('conflict', INACTIVE_MESSAGE);
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

/** What an integration's summary takes from its definition alone: the same for every user. */
interface SummaryShape {
  workflows: {
    workflowId: string;
    name: string;
    version: number;
    blocks: { name: string; id: string; type: string; icon: string }[];
  }[];
  credentials: readonly string[];
}

/**
 * Per definition object, so once per definitions generation (a release loads new objects): the
 * integrations listing summarized every workflow's latest version, blocks and needed apps again on
 * every request.
 */
const summaryShapes = new WeakMap<IntegrationDefinition, SummaryShape>();

function summaryShape(def: IntegrationDefinition): SummaryShape {
  let shape = summaryShapes.get(def);
  if (!shape) {
    shape = {
      workflows: def.workflows.map((wf) => {
        const latest = latestVersion(wf);
        return {
          workflowId: wf.workflowId,
          name: wf.name,
          version: latest.version,
          blocks: versionBlocks(latest).map((b) => ({ name: b.name, id: b.id, type: b.type, icon: blockIcon(b, def) })),
        };
      }),
      credentials: appsNeeded(def.workflows),
    };
    summaryShapes.set(def, shape);
  }
  return shape;
}
