import {
  canonicalJson,
  consoleLabel,
  parseDefinitionObject,
  type CheckedDraft,
  type ConsoleEntry,
  type CrossCheckEntry,
  type DraftInput,
  type IntegrationDefinition,
} from './definitions.js';
import type {
  ConsoleIntegrationRow,
  ConsoleRows,
  ConsoleVersionRow,
  ConsoleWorkflowRow,
} from './console-repository.js';

/** A console integration's rows, grouped: each workflow with its versions (oldest first). */
export interface ConsoleIntegrationRows {
  integration: ConsoleIntegrationRow;
  workflows: { workflow: ConsoleWorkflowRow; versions: ConsoleVersionRow[] }[];
}

export function groupConsoleRows(rows: ConsoleRows): ConsoleIntegrationRows[] {
  return rows.integrations.map((integration) => ({
    integration,
    workflows: rows.workflows
      .filter((w) => w.integrationId === integration.integrationId)
      .map((workflow) => ({
        workflow,
        versions: rows.versions
          .filter((v) => v.workflowId === workflow.workflowId)
          .sort((a, b) => a.version - b.version),
      })),
  }));
}

/** A stored version's trigger and blocks. */
export const versionContent = (
  row: ConsoleVersionRow,
): { trigger: Record<string, unknown>; blocks: Record<string, unknown>[] } =>
  JSON.parse(row.content) as { trigger: Record<string, unknown>; blocks: Record<string, unknown>[] };

/** A workflow's draft as saved. */
export const draftOf = (row: ConsoleWorkflowRow): DraftInput => JSON.parse(row.draft) as DraftInput;

/** The draft without an empty description (the file format has none then). */
export function normaliseDraft(draft: DraftInput): DraftInput {
  const { description, ...rest } = draft;
  return description === undefined || description === '' ? rest : { ...rest, description };
}

/** Whether the draft says exactly what the version released (name, description, trigger, blocks). */
export function sameAsVersion(draft: DraftInput, version: ConsoleVersionRow): boolean {
  const released = {
    name: version.name,
    ...(version.description === null ? {} : { description: version.description }),
    ...versionContent(version),
  };
  return canonicalJson(normaliseDraft(draft)) === canonicalJson(released);
}

/** The integration as a file would write it, with its released workflows only. */
function rawDefinition({ integration, workflows }: ConsoleIntegrationRows): Record<string, unknown> {
  return {
    integrationId: integration.integrationId,
    name: integration.name,
    app: integration.app,
    description: integration.description,
    icon: integration.icon,
    workflows: workflows
      .filter((w) => w.versions.length > 0)
      .map(({ workflow, versions }) => {
        const latest = versions[versions.length - 1]!;
        return {
          workflowId: workflow.workflowId,
          name: latest.name,
          ...(latest.description === null ? {} : { description: latest.description }),
          versions: versions.map((v) => ({ version: v.version, ...versionContent(v) })),
        };
      }),
  };
}

/**
 * The console's integrations as the definitions see them: each one with a released workflow is
 * checked exactly as a file is (the format's schema and every version's rules); one without is
 * only its id and name (the console's, whatever a file says).
 */
export function consoleEntries(rows: ConsoleRows): ConsoleEntry[] {
  return groupConsoleRows(rows).map((group) => {
    const label = consoleLabel(group.integration.name);
    const raw = rawDefinition(group);
    const definition: IntegrationDefinition =
      (raw.workflows as unknown[]).length > 0
        ? parseDefinitionObject(label, raw)
        : {
            integrationId: group.integration.integrationId,
            name: group.integration.name,
            app: group.integration.app,
            description: group.integration.description,
            icon: group.integration.icon,
            workflows: [],
          };
    return { label, definition };
  });
}

/**
 * The console's integrations for the set's rules as they would be once `workflowId`'s draft is
 * released: its released versions plus the draft's, under the draft's name.
 */
export function entriesWithDraft(rows: ConsoleRows, workflowId: string, checked: CheckedDraft): CrossCheckEntry[] {
  return groupConsoleRows(rows).map(({ integration, workflows }) => ({
    file: consoleLabel(integration.name),
    definition: {
      integrationId: integration.integrationId,
      name: integration.name,
      workflows: workflows.flatMap(({ workflow, versions }) => {
        const released = versions.map((v) => ({
          version: v.version,
          ...(versionContent(v) as Pick<CheckedDraft['version'], 'trigger' | 'blocks'>),
        }));
        if (workflow.workflowId === workflowId) {
          return [{ workflowId, name: checked.name, versions: [...released, checked.version] }];
        }
        const latest = versions[versions.length - 1];
        return latest ? [{ workflowId: workflow.workflowId, name: latest.name, versions: released }] : [];
      }),
    },
  }));
}
