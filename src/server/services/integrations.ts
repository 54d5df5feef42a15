import type {
  ConfigEntry,
  ConfigField,
  CreateInstallationRequest,
  InstallationResponse,
  IntegrationSummary,
  WidgetIntegration,
} from '../../contract/index.js';
import type { Db } from '../db.js';
import { nowIso } from '../db.js';
import {
  configurableFields,
  latestVersion,
  type IntegrationDefinition,
  type WorkflowDefinition,
} from '../definitions.js';
import { ApiError, notFound } from '../http-errors.js';
import { newId } from '../ids.js';

interface UserWorkflowRow {
  workflow_id: string;
  installation_id: string;
  version: number;
  active: number;
  config: string;
}

type StoredConfig = { blockId: string; name: string; value: unknown }[];

/**
 * Integrations come from the definitions; what a user installed lives in SQLite.
 * Workflow ids are the parent (definition) ids: every per-user call takes the id that
 * `GET /integrations` shows, and the user is the scope.
 */
export class IntegrationService {
  constructor(
    private readonly db: Db,
    private definitions: readonly IntegrationDefinition[],
    /** Turns a definition's relative icon path into an absolute URL. */
    private readonly absoluteUrl: (pathOrUrl: string) => string,
  ) {}

  replaceDefinitions(definitions: readonly IntegrationDefinition[]): void {
    this.definitions = definitions;
  }

  private definition(integrationId: string): IntegrationDefinition {
    const found = this.definitions.find((d) => d.integrationId === integrationId);
    if (!found) throw notFound('The integration');
    return found;
  }

  private userWorkflows(userId: string): Map<string, UserWorkflowRow> {
    const rows = this.db
      .prepare('SELECT workflow_id, installation_id, version, active, config FROM user_workflows WHERE user_id = ?')
      .all(userId) as UserWorkflowRow[];
    return new Map(rows.map((r) => [r.workflow_id, r]));
  }

  list(userId: string): IntegrationSummary[] {
    const installed = this.userWorkflows(userId);
    return this.definitions.map((def) => {
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
          blocks: latest.blocks.map((b) => ({
            name: b.name,
            id: b.id,
            type: b.type,
            icon: this.absoluteUrl(b.icon ?? def.icon),
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
      };
    });
  }

  widgetView(userId: string, integrationId: string): WidgetIntegration {
    const def = this.definition(integrationId);
    const installed = this.userWorkflows(userId);
    const fields: ConfigField[] = def.workflows.flatMap((wf) => configurableFields(wf.workflowId, latestVersion(wf)));
    const installationId = def.workflows.map((wf) => installed.get(wf.workflowId)?.installation_id).find(Boolean);
    const values = def.workflows.flatMap((wf) => {
      const row = installed.get(wf.workflowId);
      if (!row) return [];
      return (JSON.parse(row.config) as StoredConfig).map((v) => ({ workflowId: wf.workflowId, ...v }));
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
      })),
      fields,
      installation: installationId ? { installationId, values } : null,
    };
  }

  /**
   * Installs (or re-installs) the chosen workflows of an integration for a user at their
   * latest versions, after checking every value against the definitions.
   */
  install(userId: string, request: CreateInstallationRequest): InstallationResponse {
    const def = this.definition(request.integrationId);
    const chosen = this.chooseWorkflows(def, request.workflowIds);
    const configByWorkflow = this.validateValues(chosen, request.values);

    return this.db.transaction(() => {
      const existing = this.db
        .prepare('SELECT id FROM installations WHERE user_id = ? AND integration_id = ?')
        .get(userId, def.integrationId) as { id: string } | undefined;
      const installationId = existing?.id ?? newId();
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
          JSON.stringify(configByWorkflow.get(wf.workflowId) ?? []),
          now,
        );
      }
      return { installationId, integrationId: def.integrationId, workflowIds: chosen.map((w) => w.workflowId) };
    })();
  }

  private chooseWorkflows(def: IntegrationDefinition, workflowIds: string[] | undefined): WorkflowDefinition[] {
    if (!workflowIds) return def.workflows;
    const unknown = workflowIds.filter((id) => !def.workflows.some((w) => w.workflowId === id));
    if (unknown.length > 0) {
      throw new ApiError(400, 'validation_failed', `Workflow ${unknown[0]} is not part of this integration.`, [
        { path: ['workflowIds'], message: 'unknown workflow' },
      ]);
    }
    return def.workflows.filter((w) => workflowIds.includes(w.workflowId));
  }

  private validateValues(workflows: WorkflowDefinition[], values: ConfigEntry[]): Map<string, StoredConfig> {
    const issues: { path: (string | number)[]; message: string }[] = [];
    const byWorkflow = new Map<string, StoredConfig>();
    const expected = workflows.flatMap((wf) => configurableFields(wf.workflowId, latestVersion(wf)));
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
      if (field.required && (given === undefined || isEmpty(given.value))) {
        issues.push({ path: ['values', field.name], message: `${field.displayName} is required` });
      }
    }
    if (issues.length > 0) {
      throw new ApiError(400, 'validation_failed', `Invalid configuration: ${issues[0]!.message}.`, issues);
    }
    return byWorkflow;
  }
}

const isEmpty = (value: unknown): boolean =>
  value === undefined ||
  value === null ||
  (typeof value === 'string' && value.trim() === '') ||
  (Array.isArray(value) && value.length === 0);

const normalise = (field: ConfigField, value: unknown): unknown =>
  typeof value === 'string' && field.type !== 'secret' ? value.trim() : value;

/** Checks one value against its field's type; returns a message, or undefined when it is fine. */
function checkValue(field: ConfigField, value: unknown): string | undefined {
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'secret': {
      if (typeof value !== 'string') return `${field.displayName} must be text`;
      if (value.length > 10_000) return `${field.displayName} is too long`;
      return checkTextRules(field, field.type === 'secret' ? value : value.trim());
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${field.displayName} must be a number`;
      const { min, max } = field.rules ?? {};
      if (min !== undefined && value < min) return `${field.displayName} must be at least ${min}`;
      if (max !== undefined && value > max) return `${field.displayName} must be at most ${max}`;
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${field.displayName} must be true or false`;
    case 'select':
    case 'dynamicSelect':
      if (typeof value !== 'string') return `${field.displayName} must be one of the options`;
      if (field.options && !field.options.some((o) => o.value === value))
        return `${field.displayName} must be one of the options`;
      return undefined;
    case 'multiselect':
      if (!Array.isArray(value)) return `${field.displayName} must be a list of options`;
      if (field.options && !value.every((v) => field.options!.some((o) => o.value === v))) {
        return `${field.displayName} must only contain listed options`;
      }
      return undefined;
  }
}

function checkTextRules(field: ConfigField, value: string): string | undefined {
  const rules = field.rules;
  if (!rules || value === '') return undefined;
  if (rules.minLength !== undefined && value.length < rules.minLength) {
    return `${field.displayName} must be at least ${rules.minLength} characters`;
  }
  if (rules.maxLength !== undefined && value.length > rules.maxLength) {
    return `${field.displayName} must be at most ${rules.maxLength} characters`;
  }
  if (rules.pattern !== undefined && !new RegExp(`^(?:${rules.pattern})$`).test(value)) {
    return rules.patternMessage ?? `${field.displayName} is not in the expected format`;
  }
  return undefined;
}
