/**
 * The builder's pure helpers: new triggers and blocks in the file format, the variables a field's
 * value can name, and which of the server's issues point at what.
 */
import type {
  BuilderBlock,
  BuilderField,
  BuilderTrigger,
  ConsoleConnector,
  WorkflowDraft,
} from '../../../contract/console-builder.js';
import type { ValidationIssue } from '../../../contract/errors.js';

export type TriggerType = BuilderTrigger['type'];
export type BlockType = BuilderBlock['type'];
export const TRIGGER_TYPES: readonly TriggerType[] = ['appEvent', 'customEvent', 'webhook', 'onInstallation'];
export const BLOCK_TYPES: readonly BlockType[] = ['streamData', 'connectorAction', 'httpRequest'];
export const SCHEMA_TYPES = ['String', 'Number', 'Boolean', 'Object', 'Array'] as const;

/** What the builder has open: the trigger or the block at an index. */
export type Selection = 'trigger' | number;

/** An id not used by the trigger or any block: `<type>-<n>`. */
export function freshId(draft: Pick<WorkflowDraft, 'trigger' | 'blocks'>, type: string): string {
  const used = new Set([draft.trigger?.id, ...draft.blocks.map((b) => b.id)]);
  for (let n = 1; ; n += 1) if (!used.has(`${type}-${n}`)) return `${type}-${n}`;
}

const field = (name: string, displayName: string, extra: Partial<BuilderField> = {}): BuilderField => ({
  name,
  displayName,
  type: 'text',
  ...extra,
});

/** A new trigger of `type` (keeping the old one's id and name), for the integration's `app`. */
export function newTrigger(type: TriggerType, id: string, name: string, app: string): BuilderTrigger {
  switch (type) {
    case 'appEvent':
      return { type, id, name, connector: app, event: '' };
    case 'customEvent':
      return { type, id, name, event: '', schema: {} };
    case 'webhook':
      return { type, id, name };
    case 'onInstallation':
      return { type, id, name };
  }
}

/** A new block of `type` with the fields its type needs, for the integration's `app`. */
export function newBlock(type: BlockType, id: string, name: string, app: string): BuilderBlock {
  switch (type) {
    case 'streamData':
      return { type, id, name, fields: [field('url', 'Destination URL')] };
    case 'httpRequest':
      return {
        type,
        id,
        name,
        fields: [field('url', 'URL'), field('method', 'Method', { value: 'POST' }), field('body', 'Body')],
      };
    case 'connectorAction':
      return { type, id, name, connector: app, action: '', fields: [] };
  }
}

/** The fields of a connector action: one per input (kept when it already exists). */
export function actionFields(
  connector: ConsoleConnector | undefined,
  action: string,
  current: BuilderField[],
): BuilderField[] {
  const found = connector?.actions.find((a) => a.name === action);
  if (!found) return current;
  return found.inputs.map(
    (input) =>
      current.find((f) => f.name === input.name) ??
      field(input.name, input.name, {
        required: input.required,
        ...(input.description ? { help: input.description } : {}),
      }),
  );
}

/** The dotted paths an event schema (custom-event notation) names: nested objects are walked. */
export function schemaPaths(schema: unknown, prefix = ''): string[] {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return [];
  const paths: string[] = [];
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    paths.push(path);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) paths.push(...schemaPaths(value, path));
  }
  return paths;
}

/** The schema of the trigger's data: a custom event's or webhook's own, or the app event's. */
export function triggerSchema(
  trigger: BuilderTrigger | null,
  connector: ConsoleConnector | undefined,
): Record<string, unknown> | undefined {
  if (!trigger) return undefined;
  if (trigger.type === 'customEvent' || trigger.type === 'webhook') return trigger.schema;
  if (trigger.type === 'appEvent')
    return connector?.id === trigger.connector
      ? connector.events.find((e) => e.name === trigger.event)?.schema
      : undefined;
  return undefined;
}

/**
 * The templates a field of the block at `blockIndex` (or of the trigger, -1) can use: the trigger's
 * data, earlier blocks' outputs and the user-configurable fields' answers.
 */
export function variablesFor(
  draft: Pick<WorkflowDraft, 'trigger' | 'blocks'>,
  blockIndex: number,
  connector: ConsoleConnector | undefined,
): string[] {
  const variables = schemaPaths(triggerSchema(draft.trigger, connector)).map((p) => `{{trigger.${p}}}`);
  for (const block of draft.blocks.slice(0, Math.max(0, blockIndex))) {
    variables.push(`{{blocks.${block.id}}}`);
    if (block.type === 'httpRequest') variables.push(`{{blocks.${block.id}.status}}`, `{{blocks.${block.id}.body}}`);
  }
  const fields = [...(draft.trigger?.fields ?? []), ...draft.blocks.flatMap((b) => b.fields)];
  for (const f of fields) if (f.userConfigurable) variables.push(`{{config.${f.name}}}`);
  return [...new Set(variables)];
}

/** The issues whose path starts with `prefix`, with the prefix taken off. */
export function issuesUnder(
  issues: readonly ValidationIssue[],
  prefix: readonly (string | number)[],
): ValidationIssue[] {
  return issues
    .filter((issue) => prefix.every((part, i) => issue.path[i] === part))
    .map((issue) => ({ path: issue.path.slice(prefix.length), message: issue.message }));
}

/** Moves the item at `index` by `by` (±1) in a copy of `list`. */
export function moved<T>(list: readonly T[], index: number, by: number): T[] {
  const copy = [...list];
  const target = index + by;
  if (target < 0 || target >= copy.length) return copy;
  [copy[index], copy[target]] = [copy[target]!, copy[index]!];
  return copy;
}

/** A field's value as the editor's text box shows it. */
export function valueText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The text box's content as a field value of `type`: numbers and booleans typed as such unless templated. */
export function parseValue(text: string, type: BuilderField['type']): unknown {
  if (text === '') return undefined;
  if (text.includes('{{')) return text;
  if (type === 'number' && /^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text);
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}
