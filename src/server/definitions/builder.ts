import type {
  ConsoleConnectorListResponse,
  ConsoleIntegrationDetail,
  ConsoleWorkflowDetail,
  ConsoleWorkflowSummary,
  ConsoleWorkflowVersion,
  CreateIntegrationBody,
  CreateWorkflowBody,
  PayloadEnvironment as Environment,
  ReleaseResponse,
  SaveDraftBody,
  SaveDraftResponse,
  ValidationIssue,
  WorkflowDraft,
} from '../../contract/index.js';
import { appNameOf, CONNECTORS, findConnector } from '../connections/index.js';
import { nowIso, type Database } from '../platform/db/index.js';
import { DomainError, notFound } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import {
  draftOf,
  entriesWithDraft,
  groupConsoleRows,
  normaliseDraft,
  sameAsVersion,
  versionContent,
  consoleEntries,
  type ConsoleIntegrationRows,
} from './console-definitions.js';
import {
  consoleIntegrationExists,
  insertConsoleIntegration,
  insertConsoleVersion,
  insertConsoleWorkflow,
  listConsoleRows,
  saveConsoleDraft,
  type ConsoleRows,
  type ConsoleVersionRow,
  type ConsoleWorkflowRow,
} from './console-repository.js';
import {
  DefinitionError,
  draftIssues,
  type CheckedDraft,
  type DraftInput,
  type WorkflowDefinition,
  type WorkflowVersionDefinition,
} from './definitions.js';
import type { DefinitionRegistry } from './registry.js';

/** What the builder asks of the other modules (the composition root passes it). */
export interface BuilderHooks {
  /**
   * The integration in `env` (installs module): how many users installed it and whether end users
   * see it (its Active toggle).
   */
  integrationState(env: Environment, integrationId: string): Promise<{ installs: number; active: boolean }>;
  /** Users of `env` per installed version of the workflow (installs module). */
  versionInstalls(env: Environment, workflowId: string): Promise<Map<number, number>>;
  /** Why moving a user from one version to the next needs a reinstall (`PUT /workflows/:id/upgrade`'s rule). */
  reinstallReasons(from: WorkflowVersionDefinition, to: WorkflowVersionDefinition): string[];
  /** A relative icon path as an absolute URL, as the other listings show it. */
  absoluteUrl(pathOrUrl: string): string;
}

/** One console integration's export, or why there is none. */
export type ConsoleExport = { exported: { slug: string; text: string } } | { notReleased: true } | undefined;

/**
 * The console's integration builder: integrations and workflows made in the console, their
 * drafts (checked by exactly the files' rules) and their releases, which become definitions like
 * a file's (the registry swaps them in and tells the other nodes).
 */
export class DefinitionBuilder {
  constructor(
    private readonly database: Database,
    private readonly registry: DefinitionRegistry,
    private readonly hooks: BuilderHooks,
  ) {}

  /** The connector catalogue: what a trigger or a block can use. */
  connectors(): ConsoleConnectorListResponse {
    return {
      data: CONNECTORS.map((c) => ({
        id: c.id,
        displayName: c.displayName,
        icon: this.hooks.absoluteUrl(c.icon),
        events: c.events.map((e) => ({ name: e.name, description: e.description, schema: e.schema })),
        actions: c.actions.map((a) => ({
          name: a.name,
          description: a.description,
          inputs: a.inputs.map((i) => ({
            name: i.name,
            required: i.required,
            ...(i.description === undefined ? {} : { description: i.description }),
          })),
        })),
        optionLoaders: c.optionLoaders.map((l) => ({ name: l.name, description: l.description })),
      })),
    };
  }

  /** The console's integrations for the catalogue: each with its workflows, `version` 0 before a release. */
  async consoleMade(): Promise<ConsoleMadeIntegration[]> {
    return groupConsoleRows(await listConsoleRows(this.database)).map((group) => ({
      integrationId: group.integration.integrationId,
      name: group.integration.name,
      app: group.integration.app,
      description: group.integration.description,
      icon: group.integration.icon,
      workflows: group.workflows.map(({ workflow, versions }) => workflowSummary(workflow, versions)),
    }));
  }

  /** Whether the integration was made in the console, released or not (one primary-key read). */
  isConsoleIntegration(integrationId: string): Promise<boolean> {
    return consoleIntegrationExists(this.database, integrationId);
  }

  async integration(env: Environment, integrationId: string): Promise<ConsoleIntegrationDetail> {
    const rows = await listConsoleRows(this.database);
    const group = groupConsoleRows(rows).find((g) => g.integration.integrationId === integrationId);
    if (group) return this.consoleIntegrationDetail(env, group);
    const definitions = this.registry.current;
    const definition = definitions.integration(integrationId);
    if (!definition) throw notFound('The integration');
    const file = definitions.source(integrationId)?.file;
    return {
      integrationId,
      name: definition.name,
      app: definition.app,
      ...appNameOf(definition.app),
      description: definition.description,
      icon: this.hooks.absoluteUrl(definition.icon),
      source: 'code',
      ...(file === undefined ? {} : { file }),
      ...(await this.hooks.integrationState(env, integrationId)),
      workflows: definition.workflows.map((w) => ({
        workflowId: w.workflowId,
        name: w.name,
        version: Math.max(...w.versions.map((v) => v.version)),
        unreleasedChanges: false,
      })),
    };
  }

  private async consoleIntegrationDetail(
    env: Environment,
    group: ConsoleIntegrationRows,
  ): Promise<ConsoleIntegrationDetail> {
    const { integration } = group;
    return {
      integrationId: integration.integrationId,
      name: integration.name,
      app: integration.app,
      ...appNameOf(integration.app),
      description: integration.description,
      icon: this.hooks.absoluteUrl(integration.icon),
      source: 'console',
      ...(await this.hooks.integrationState(env, integration.integrationId)),
      workflows: group.workflows.map(({ workflow, versions }) => workflowSummary(workflow, versions)),
    };
  }

  /** A new, empty integration for one app; its name may not be any other integration's. */
  async createIntegration(env: Environment, body: CreateIntegrationBody): Promise<ConsoleIntegrationDetail> {
    const connector = findConnector(body.app);
    if (!connector) {
      throw new DomainError('validation_failed', `There is no app "${body.app}".`, [
        { path: ['app'], message: 'unknown app' },
      ]);
    }
    const rows = await listConsoleRows(this.database);
    const taken = () => new DomainError('conflict', `An integration named "${body.name}" exists already.`);
    if (
      this.registry.current.integrations.some((i) => i.name === body.name) ||
      rows.integrations.some((i) => i.name === body.name)
    ) {
      throw taken();
    }
    const integrationId = newId();
    const inserted = await insertConsoleIntegration(this.database, {
      integrationId,
      name: body.name,
      app: connector.id,
      description: body.description ?? '',
      icon: connector.icon,
      createdAt: nowIso(),
    });
    if (!inserted) throw taken();
    return this.integration(env, integrationId);
  }

  /** A new workflow with an empty draft, in a console integration; its name may not be any other workflow's. */
  async createWorkflow(
    env: Environment,
    integrationId: string,
    body: CreateWorkflowBody,
  ): Promise<ConsoleWorkflowDetail> {
    const rows = await listConsoleRows(this.database);
    if (!rows.integrations.some((i) => i.integrationId === integrationId)) {
      this.refuseCode(this.registry.current.source(integrationId)?.file, integrationId);
      throw notFound('The integration');
    }
    if (this.workflowNameTaken(rows, body.name)) {
      throw new DomainError('conflict', `A workflow named "${body.name}" exists already.`);
    }
    const draft: WorkflowDraft = {
      name: body.name,
      ...(body.description === undefined ? {} : { description: body.description }),
      trigger: null,
      blocks: [],
    };
    const workflowId = newId();
    const now = nowIso();
    await insertConsoleWorkflow(this.database, {
      workflowId,
      integrationId,
      draft: JSON.stringify(draft),
      draftSavedAt: now,
      createdAt: now,
    });
    return this.workflow(env, workflowId);
  }

  /** Whether a workflow of the files or the console (released or drafted) has this name. */
  private workflowNameTaken(rows: ConsoleRows, name: string): boolean {
    if (this.registry.current.workflowByName(name)) return true;
    return (
      rows.versions.some((v) => v.name === name) || rows.workflows.some((w) => normaliseDraft(draftOf(w)).name === name)
    );
  }

  /** A code integration (or one of its workflows) cannot be changed in the console. */
  private refuseCode(file: string | undefined, integrationId: string | undefined): void {
    if (integrationId !== undefined && this.registry.current.integration(integrationId)) {
      throw new DomainError('conflict', `This integration is defined in code (${file ?? 'a file'}); change the file.`);
    }
  }

  async workflow(env: Environment, workflowId: string): Promise<ConsoleWorkflowDetail> {
    const rows = await listConsoleRows(this.database);
    const row = rows.workflows.find((w) => w.workflowId === workflowId);
    if (row) return this.consoleWorkflowDetail(env, rows, row);
    const entry = this.registry.current.workflow(workflowId);
    if (!entry) throw notFound('The workflow');
    const installs = await this.hooks.versionInstalls(env, workflowId);
    return {
      workflowId,
      integrationId: entry.integration.integrationId,
      source: 'code',
      name: entry.workflow.name,
      ...(entry.workflow.description === undefined ? {} : { description: entry.workflow.description }),
      draft: null,
      draftSavedAt: null,
      issues: [],
      unreleasedChanges: false,
      versions: this.versionList(entry.workflow, installs, (v) => ({
        releasedAt: this.registry.releasedAt(workflowId, v.version),
        trigger: v.trigger,
        blocks: v.blocks,
      })),
    };
  }

  private async consoleWorkflowDetail(
    env: Environment,
    rows: ConsoleRows,
    row: ConsoleWorkflowRow,
  ): Promise<ConsoleWorkflowDetail> {
    const draft = draftOf(row);
    const versions = rows.versions.filter((v) => v.workflowId === row.workflowId);
    const latest = versions[versions.length - 1];
    const released = consoleEntries(rows)
      .flatMap((e) => e.definition.workflows)
      .find((w) => w.workflowId === row.workflowId);
    const installs = await this.hooks.versionInstalls(env, row.workflowId);
    const name = latest?.name ?? draft.name;
    const description = latest ? (latest.description ?? undefined) : normaliseDraft(draft).description;
    return {
      workflowId: row.workflowId,
      integrationId: row.integrationId,
      source: 'console',
      name,
      ...(description === undefined ? {} : { description }),
      draft: draft as WorkflowDraft,
      draftSavedAt: row.draftSavedAt,
      issues: this.check(rows, row, draft).issues,
      unreleasedChanges: latest === undefined || !sameAsVersion(draft, latest),
      versions: released
        ? this.versionList(released, installs, (v) => {
            const stored = versions.find((s) => s.version === v.version)!;
            return { releasedAt: stored.releasedAt, ...versionContent(stored) };
          })
        : [],
    };
  }

  /** Versions oldest first, each with its installs and whether moving to it from the one before needs a reinstall. */
  private versionList(
    workflow: WorkflowDefinition,
    installs: Map<number, number>,
    shown: (version: WorkflowVersionDefinition) => Pick<ConsoleWorkflowVersion, 'releasedAt' | 'trigger' | 'blocks'>,
  ): ConsoleWorkflowVersion[] {
    const sorted = [...workflow.versions].sort((a, b) => a.version - b.version);
    return sorted.map((version, index) => {
      const reasons = index === 0 ? [] : this.hooks.reinstallReasons(sorted[index - 1]!, version);
      const { releasedAt, trigger, blocks } = shown(version);
      return {
        version: version.version,
        releasedAt,
        trigger: trigger as Record<string, unknown>,
        blocks: blocks as Record<string, unknown>[],
        installs: installs.get(version.version) ?? 0,
        requiresReinstall: reasons.length > 0,
        reinstallReasons: reasons,
      };
    });
  }

  /** The files' checks on a draft, as it would be released next. */
  private check(
    rows: ConsoleRows,
    row: ConsoleWorkflowRow,
    draft: DraftInput,
  ): { issues: ValidationIssue[]; checked?: CheckedDraft } {
    const latest = latestOf(rows, row.workflowId);
    return draftIssues(draft, (latest?.version ?? 0) + 1, row.workflowId, this.registry.currentFiles, (checked) =>
      entriesWithDraft(rows, row.workflowId, checked),
    );
  }

  /** The console's workflow row, or 409 for a code workflow and 404 for an unknown one. */
  private requireConsoleWorkflow(rows: ConsoleRows, workflowId: string): ConsoleWorkflowRow {
    const row = rows.workflows.find((w) => w.workflowId === workflowId);
    if (row) return row;
    const entry = this.registry.current.workflow(workflowId);
    if (entry) {
      const file = this.registry.current.source(entry.integration.integrationId)?.file;
      throw new DomainError('conflict', `This workflow is defined in code (${file ?? 'a file'}); change the file.`);
    }
    throw notFound('The workflow');
  }

  /** Autosave: stores the draft as it is (even invalid) and says what the checks find in it. */
  async saveDraft(workflowId: string, body: SaveDraftBody): Promise<SaveDraftResponse> {
    const rows = await listConsoleRows(this.database);
    const row = this.requireConsoleWorkflow(rows, workflowId);
    const savedAt = nowIso();
    const text = JSON.stringify(body.draft);
    if (!(await saveConsoleDraft(this.database, workflowId, text, savedAt, body.baseSavedAt))) {
      throw new DomainError(
        'conflict',
        'The draft was saved from somewhere else since you opened it; reload it to see that version.',
      );
    }
    const saved = { ...row, draft: text, draftSavedAt: savedAt };
    const updated = { ...rows, workflows: rows.workflows.map((w) => (w.workflowId === workflowId ? saved : w)) };
    return { draftSavedAt: savedAt, issues: this.check(updated, saved, body.draft).issues };
  }

  /**
   * Releases the saved draft as the next version: it must pass the files' checks and differ from
   * the latest version. Releases are decided one at a time, on every node (the registry's change
   * lock), on the rows as they are then: the set the new version makes is checked whole before it
   * is stored, so a refused release writes nothing and a stored version is never taken back. It
   * is recorded in released_versions and the definitions swap to include it.
   */
  release(workflowId: string): Promise<ReleaseResponse> {
    return this.registry
      .changeConsole(async (accept) => {
        const rows = await listConsoleRows(this.database);
        const row = this.requireConsoleWorkflow(rows, workflowId);
        const draft = draftOf(row);
        const { issues, checked } = this.check(rows, row, draft);
        if (!checked) {
          throw new DomainError(
            'validation_failed',
            `The draft cannot be released: ${issues[0]?.message ?? 'invalid'}.`,
            issues,
          );
        }
        const latest = latestOf(rows, workflowId);
        if (latest && sameAsVersion(draft, latest)) {
          throw new DomainError('conflict', `Nothing changed since version ${latest.version}.`);
        }
        const normalised = normaliseDraft(draft);
        const version: ConsoleVersionRow = {
          workflowId,
          version: checked.version.version,
          name: normalised.name,
          description: normalised.description ?? null,
          content: JSON.stringify({ trigger: normalised.trigger, blocks: normalised.blocks }),
          releasedAt: nowIso(),
        };
        try {
          await accept({ ...rows, versions: [...rows.versions, version] });
        } catch (error) {
          if (!(error instanceof DefinitionError)) throw error;
          throw new DomainError('validation_failed', `The draft cannot be released: ${error.message}`, [
            { path: [], message: error.message },
          ]);
        }
        if (!(await insertConsoleVersion(this.database, version))) {
          throw new DomainError('conflict', `Version ${version.version} was released meanwhile; reload the workflow.`);
        }
        return version;
      })
      .then((version) => ({
        version: version.version,
        releasedAt: this.registry.releasedAt(workflowId, version.version) ?? version.releasedAt,
      }));
  }

  /**
   * A console integration's export (what a file defining its released workflows would say), or
   * `notReleased` when none is released yet; undefined for one that is not the console's.
   */
  async exportOf(integrationId: string): Promise<ConsoleExport> {
    const rows = await listConsoleRows(this.database);
    if (!rows.integrations.some((i) => i.integrationId === integrationId)) return undefined;
    const source = this.registry.current.source(integrationId);
    if (!source) return { notReleased: true };
    return { exported: { slug: source.file.replace(/\.integration\.json$/, ''), text: source.text } };
  }
}

/** A console integration for the catalogue (installs adds its counts). */
export interface ConsoleMadeIntegration {
  integrationId: string;
  name: string;
  app: string;
  description: string;
  icon: string;
  workflows: ConsoleWorkflowSummary[];
}

const latestOf = (rows: ConsoleRows, workflowId: string): ConsoleVersionRow | undefined =>
  rows.versions.filter((v) => v.workflowId === workflowId).sort((a, b) => b.version - a.version)[0];

function workflowSummary(workflow: ConsoleWorkflowRow, versions: ConsoleVersionRow[]): ConsoleWorkflowSummary {
  const draft = draftOf(workflow);
  const latest = versions[versions.length - 1];
  return {
    workflowId: workflow.workflowId,
    name: latest?.name ?? draft.name,
    version: latest?.version ?? 0,
    unreleasedChanges: latest === undefined || !sameAsVersion(draft, latest),
  };
}
