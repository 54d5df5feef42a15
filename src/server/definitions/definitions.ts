import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as z from 'zod/mini';
import {
  CONFIG_FIELD_TYPES,
  ConfigFieldOption,
  FieldRules,
  ObjectId,
  type ConfigField,
  type ValidationIssue,
} from '../../contract/index.js';
import { findConnector } from '../connections/index.js';
import { compileEventSchema, EventSchemaError, type EventValidator } from './event-schema.js';
import { toValidationIssues } from '../http/errors.js';

/**
 * Integrations as code: the ISV describes integrations, their workflows (one entry per released
 * version: trigger, action blocks, fields) in `*.integration.json` files, validated here at start
 * and on reload. The format is documented, with a complete example, in docs/integrations.md.
 */
const FieldDefinition = z.strictObject({
  name: z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'field names are identifiers')),
  displayName: z.string().check(z.minLength(1)),
  type: z.enum(CONFIG_FIELD_TYPES),
  required: z._default(z.boolean(), true),
  userConfigurable: z._default(z.boolean(), false),
  /** Configurable but not shown: the value comes from `value` or the install call (e.g. prefilled by the ISV). */
  hidden: z._default(z.boolean(), false),
  rules: z.optional(FieldRules),
  help: z.optional(z.string()),
  placeholder: z.optional(z.string()),
  options: z.optional(z.array(ConfigFieldOption)),
  /** Value the ISV set; the default shown to the user when the field is configurable. May hold templates. */
  value: z.optional(z.unknown()),
  /**
   * Where a `dynamicSelect` field's choices come from: an option loader of a connector (the
   * block's own when `connector` is left out), run with the user's credential.
   */
  dynamicOptions: z.optional(z.strictObject({ connector: z.optional(z.string()), loader: z.string() })),
});
export type FieldDefinition = z.infer<typeof FieldDefinition>;

const blockShape = {
  id: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'block ids are letters, digits, - and _')),
  name: z.string().check(z.minLength(1)),
  icon: z.optional(z.string()),
  fields: z._default(z.array(FieldDefinition), []),
};

const EventName = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
/** Field → type (`"String"`, `"Number"`, `"Boolean"`, `"Object"`, `"Array"`, `?` for optional), checked when compiled. */
const EventSchemaDefinition = z.record(
  z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'event fields are identifiers')),
  z.unknown(),
);

const CustomEventTrigger = z.strictObject({
  type: z.literal('customEvent'),
  ...blockShape,
  event: EventName,
  schema: EventSchemaDefinition,
});
const AppEventTrigger = z.strictObject({
  type: z.literal('appEvent'),
  ...blockShape,
  connector: z.string(),
  event: z.string(),
});
const WebhookTrigger = z.strictObject({
  type: z.literal('webhook'),
  ...blockShape,
  /** Optional: when present, `POST /run/workflow` checks `data` against it. */
  schema: z.optional(EventSchemaDefinition),
});
const OnInstallationTrigger = z.strictObject({ type: z.literal('onInstallation'), ...blockShape });
const TriggerDefinition = z.discriminatedUnion('type', [
  CustomEventTrigger,
  AppEventTrigger,
  WebhookTrigger,
  OnInstallationTrigger,
]);
export type TriggerDefinition = z.infer<typeof TriggerDefinition>;

const StreamDataBlock = z.strictObject({ type: z.literal('streamData'), ...blockShape });
const ConnectorActionBlock = z.strictObject({
  type: z.literal('connectorAction'),
  ...blockShape,
  connector: z.string(),
  action: z.string(),
});
/** Any HTTP call: fields `url`, `method` (POST by default), `headers` (an object) and `body`. */
const HttpRequestBlock = z.strictObject({ type: z.literal('httpRequest'), ...blockShape });
const ActionBlock = z.discriminatedUnion('type', [StreamDataBlock, ConnectorActionBlock, HttpRequestBlock]);
export type ActionBlock = z.infer<typeof ActionBlock>;
/** The trigger or an action block: what listings show as `blocks`. */
export type AnyBlock = TriggerDefinition | ActionBlock;

const WorkflowVersionDefinition = z.strictObject({
  version: z.number().check(z.int(), z.positive()),
  trigger: TriggerDefinition,
  blocks: z.array(ActionBlock).check(z.minLength(1)),
});

const WorkflowDefinition = z.strictObject({
  workflowId: ObjectId,
  name: z.string().check(z.minLength(1), z.maxLength(300)),
  /**
   * What the workflow does for the user once installed, in one short sentence ("New orders will
   * appear in AcmeCo."); the install modal's success step says it. Without it, the name is used.
   */
  description: z.optional(z.string().check(z.minLength(1), z.maxLength(300))),
  versions: z.array(WorkflowVersionDefinition).check(z.minLength(1)),
});

export const IntegrationDefinition = z.strictObject({
  integrationId: ObjectId,
  name: z.string().check(z.minLength(1)),
  app: z.string().check(z.minLength(1)),
  description: z._default(z.string(), ''),
  icon: z.string(),
  workflows: z.array(WorkflowDefinition).check(z.minLength(1)),
});
export type IntegrationDefinition = z.infer<typeof IntegrationDefinition>;
export type WorkflowDefinition = IntegrationDefinition['workflows'][number];
export type WorkflowVersionDefinition = WorkflowDefinition['versions'][number];

export class DefinitionError extends Error {}

/** An integration's `*.integration.json` as read: its file name and its text. */
export interface DefinitionSource {
  file: string;
  text: string;
}

/** A workflow with the integration it belongs to. */
export interface WorkflowEntry {
  integration: IntegrationDefinition;
  workflow: WorkflowDefinition;
}

/** A custom event: its schema (as written), its compiled validator and the workflows it triggers. */
export interface CustomEventEntry {
  name: string;
  schema: Record<string, unknown>;
  validate: EventValidator;
  workflowIds: Set<string>;
}

/**
 * One loaded, cross-checked set of definitions with its lookups. Immutable: a reload builds a
 * new set and swaps it in whole, so a request never sees half of each.
 */
export class DefinitionSet {
  readonly integrations: readonly IntegrationDefinition[];
  private readonly workflowsById = new Map<string, WorkflowEntry>();
  private readonly workflowsByName = new Map<string, WorkflowEntry>();
  private readonly events = new Map<string, CustomEventEntry>();
  private readonly webhookValidators = new Map<string, EventValidator>();
  private readonly appEventWorkflows = new Set<string>();
  private readonly sources: ReadonlyMap<string, DefinitionSource>;
  private readonly consoleMade: ReadonlySet<string>;

  /**
   * `sources`: each integration's file as read (by integrationId), for export; `consoleMade`: the
   * integrations made in the console (their `sources` are their export).
   */
  constructor(
    integrations: readonly IntegrationDefinition[],
    sources: ReadonlyMap<string, DefinitionSource> = new Map(),
    consoleMade: ReadonlySet<string> = new Set(),
  ) {
    this.integrations = integrations;
    this.sources = sources;
    this.consoleMade = consoleMade;
    for (const integration of integrations) {
      for (const workflow of integration.workflows) {
        const entry = { integration, workflow };
        this.workflowsById.set(workflow.workflowId, entry);
        this.workflowsByName.set(workflow.name, entry);
        for (const version of workflow.versions) {
          const trigger = version.trigger;
          if (trigger.type === 'appEvent') this.appEventWorkflows.add(workflow.workflowId);
          if (trigger.type === 'customEvent') {
            let event = this.events.get(trigger.event);
            if (!event) {
              event = {
                name: trigger.event,
                schema: trigger.schema,
                validate: compileEventSchema(trigger.schema),
                workflowIds: new Set(),
              };
              this.events.set(trigger.event, event);
            }
            event.workflowIds.add(workflow.workflowId);
          } else if (trigger.type === 'webhook' && trigger.schema) {
            this.webhookValidators.set(
              versionKey(workflow.workflowId, version.version),
              compileEventSchema(trigger.schema),
            );
          }
        }
      }
    }
  }

  integration(integrationId: string): IntegrationDefinition | undefined {
    return this.integrations.find((d) => d.integrationId === integrationId);
  }

  /** Whether an integration was made in the console (else it comes from a file). */
  isConsoleMade(integrationId: string): boolean {
    return this.consoleMade.has(integrationId);
  }

  /** The file an integration was loaded from, byte for byte (so an export loads back unchanged). */
  source(integrationId: string): DefinitionSource | undefined {
    return this.sources.get(integrationId);
  }

  workflow(workflowId: string): WorkflowEntry | undefined {
    return this.workflowsById.get(workflowId);
  }

  workflowByName(name: string): WorkflowEntry | undefined {
    return this.workflowsByName.get(name);
  }

  event(name: string): CustomEventEntry | undefined {
    return this.events.get(name);
  }

  /** The workflows with an app-event trigger in at least one version. */
  appEventWorkflowIds(): string[] {
    return [...this.appEventWorkflows];
  }

  allEvents(): CustomEventEntry[] {
    return [...this.events.values()];
  }

  /** The validator of a webhook trigger's optional schema. */
  webhookValidator(workflowId: string, version: number): EventValidator | undefined {
    return this.webhookValidators.get(versionKey(workflowId, version));
  }

  get workflowCount(): number {
    return this.workflowsById.size;
  }
}

const versionKey = (workflowId: string, version: number): string => `${workflowId}@${version}`;

/** Reads and checks every `*.integration.json` in `dir`. Throws a DefinitionError naming the file and path. */
export function loadDefinitions(dir: string): DefinitionSet {
  return checkDefinitionSet(readDefinitionFiles(dir));
}

/** Parses one file's text; exported so tests can check the format without touching a disk. */
export function parseDefinitionFile(file: string, text: string): IntegrationDefinition {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DefinitionError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return parseDefinitionObject(file, raw);
}

/**
 * Checks one integration as a file writes it (`where` names it in messages): the file format's
 * schema and every version's rules. Console-made integrations are loaded through it too.
 */
export function parseDefinitionObject(where: string, raw: unknown): IntegrationDefinition {
  // Readable messages even when this runs before the server configured zod (tests, tools).
  z.config(z.locales.en());
  const parsed = IntegrationDefinition.safeParse(raw);
  if (!parsed.success) {
    const detail = toValidationIssues(parsed.error.issues)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new DefinitionError(`${where}: ${detail}`);
  }
  for (const workflow of parsed.data.workflows) {
    for (const version of workflow.versions) {
      checkVersion(version, throwing(`${where}: workflow ${workflow.workflowId} version ${version.version}`));
    }
  }
  return parsed.data;
}

/**
 * Where a check found a problem: the path inside the version (`['blocks', 0, 'fields', 2, 'value']`)
 * and what is wrong, prefixed with the block and field it concerns as a file's message says it.
 */
type Report = (path: (string | number)[], detail: string) => void;

/** The files' way: the first problem is a DefinitionError saying where. */
const throwing =
  (where: string): Report =>
  (_path, detail) => {
    throw new DefinitionError(`${where}: ${detail}`);
  };

/** An integration as the cross-set rules see it: a console one may have no released workflow yet. */
export interface CrossCheckEntry {
  /** The file, or the console integration's label. */
  file: string;
  definition: {
    integrationId: string;
    name: string;
    workflows: readonly Pick<WorkflowDefinition, 'workflowId' | 'name' | 'versions'>[];
  };
}

/** What a cross-set problem concerns: the workflows on both sides, and which rule. */
interface CrossProblem {
  rule: 'integrationId' | 'integrationName' | 'workflowId' | 'workflowName' | 'version' | 'eventSchema';
  workflowIds: string[];
  integrationIds: string[];
}

/** The rules that span blocks, workflows and files. */
export function checkDefinitionSet(
  files: { file: string; definition: IntegrationDefinition; text?: string }[],
): DefinitionSet {
  crossCheck(files, (message) => {
    throw new DefinitionError(message);
  });
  const sources = new Map<string, DefinitionSource>();
  for (const { file, definition, text } of files) {
    if (text !== undefined) sources.set(definition.integrationId, { file, text });
  }
  return new DefinitionSet(
    files.map((f) => f.definition),
    sources,
  );
}

function crossCheck(
  entries: readonly CrossCheckEntry[],
  report: (message: string, problem: CrossProblem) => void,
): void {
  const integrationIds = new Map<string, string>();
  const integrationNames = new Map<string, { where: string; integrationId: string }>();
  const workflowIds = new Map<string, string>();
  const workflowNames = new Map<string, { where: string; workflowId: string }>();
  const eventSchemas = new Map<string, { where: string; canonical: string; workflowId: string }>();
  for (const { file, definition } of entries) {
    const seenIntegration = integrationIds.get(definition.integrationId);
    if (seenIntegration) {
      report(`${file}: integrationId ${definition.integrationId} is also used in ${seenIntegration}`, {
        rule: 'integrationId',
        workflowIds: [],
        integrationIds: [definition.integrationId],
      });
    }
    integrationIds.set(definition.integrationId, file);
    // GET /integrations/:integrationId also accepts the name (alloy-node), so names pick one.
    const seenIntegrationName = integrationNames.get(definition.name);
    if (seenIntegrationName) {
      report(`${file}: integration name "${definition.name}" is also used in ${seenIntegrationName.where}`, {
        rule: 'integrationName',
        workflowIds: [],
        integrationIds: [definition.integrationId, seenIntegrationName.integrationId],
      });
    }
    integrationNames.set(definition.name, { where: file, integrationId: definition.integrationId });
    for (const workflow of definition.workflows) {
      const seenId = workflowIds.get(workflow.workflowId);
      if (seenId) {
        report(`${file}: workflowId ${workflow.workflowId} is also used in ${seenId}`, {
          rule: 'workflowId',
          workflowIds: [workflow.workflowId],
          integrationIds: [],
        });
      }
      workflowIds.set(workflow.workflowId, file);
      // Activate/deactivate/run accept a workflowName, so names must pick one workflow.
      const seenName = workflowNames.get(workflow.name);
      if (seenName) {
        report(`${file}: workflow name "${workflow.name}" is also used in ${seenName.where}`, {
          rule: 'workflowName',
          workflowIds: [workflow.workflowId, seenName.workflowId],
          integrationIds: [],
        });
      }
      workflowNames.set(workflow.name, { where: file, workflowId: workflow.workflowId });
      const versions = new Set<number>();
      for (const version of workflow.versions) {
        if (versions.has(version.version)) {
          report(`${file}: workflow ${workflow.workflowId} lists version ${version.version} twice`, {
            rule: 'version',
            workflowIds: [workflow.workflowId],
            integrationIds: [],
          });
        }
        versions.add(version.version);
        const trigger = version.trigger;
        if (trigger.type !== 'customEvent') continue;
        // One event, one schema: `POST /run/event` validates against it whichever workflows listen.
        const canonical = canonicalJson(trigger.schema);
        const where = `${file}: workflow ${workflow.workflowId} version ${version.version}`;
        const seen = eventSchemas.get(trigger.event);
        if (seen && seen.canonical !== canonical) {
          report(
            `${where}: event "${trigger.event}" has a different schema in ${seen.where}; an event has one schema (name a new event to change it)`,
            { rule: 'eventSchema', workflowIds: [workflow.workflowId, seen.workflowId], integrationIds: [] },
          );
        }
        eventSchemas.set(trigger.event, seen ?? { where, canonical, workflowId: workflow.workflowId });
      }
    }
  }
}

/** A loaded definition file: its name, its checked definition and its text (for export). */
export interface DefinitionFile {
  file: string;
  definition: IntegrationDefinition;
  text: string;
}

/** Reads and checks every `*.integration.json` in `dir` one by one (the set's rules are not applied). */
export function readDefinitionFiles(dir: string): DefinitionFile[] {
  let files: string[];
  try {
    files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.integration.json'))
      .sort();
  } catch (error) {
    throw new DefinitionError(`cannot read the definitions directory ${dir}: ${(error as Error).message}`);
  }
  const texts = files.map((file) => fs.readFileSync(path.join(dir, file), 'utf8'));
  return files.map((file, i) => ({ file, definition: parseDefinitionFile(file, texts[i]!), text: texts[i]! }));
}

/** An integration made in the console, as the set's rules see it. */
export interface ConsoleEntry {
  /** `integration "<name>" (defined in the console)`, for messages. */
  label: string;
  /** Its released workflows (`workflows` empty before the first release). */
  definition: IntegrationDefinition;
}

/** How a console integration is named in messages (a file's are named by the file). */
export const consoleLabel = (name: string): string => `integration "${name}" (defined in the console)`;

/** Its export: what a file defining it would say. */
export const consoleExportText = (definition: IntegrationDefinition): string =>
  JSON.stringify(definition, null, 2) + '\n';

/**
 * The files and the console's integrations as one checked set. The console's come first in the
 * checks, so a file that takes a console integration's id or name is the one refused, with a
 * message naming both; an integration with no released workflow yet is only checked (its id and
 * name are the console's) and is not part of the set.
 */
export function combineDefinitions(
  files: readonly DefinitionFile[],
  consoleEntries: readonly ConsoleEntry[],
): DefinitionSet {
  crossCheck([...consoleEntries.map((c) => ({ file: c.label, definition: c.definition })), ...files], (message) => {
    throw new DefinitionError(message);
  });
  const sources = new Map<string, DefinitionSource>();
  for (const { file, definition, text } of files) sources.set(definition.integrationId, { file, text });
  const released = consoleEntries.filter((c) => c.definition.workflows.length > 0).map((c) => c.definition);
  for (const definition of released) {
    sources.set(definition.integrationId, {
      file: `${exportSlug(definition)}.integration.json`,
      text: consoleExportText(definition),
    });
  }
  return new DefinitionSet(
    [...files.map((f) => f.definition), ...released],
    sources,
    new Set(consoleEntries.map((c) => c.definition.integrationId)),
  );
}

/** A console integration's export file name: its name as a slug (the id when nothing is left). */
function exportSlug(definition: IntegrationDefinition): string {
  const slug = definition.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
  return slug || definition.integrationId;
}

/** A console draft's outline, checked with the file format's own parts. */
const DraftDefinition = z.strictObject({
  name: WorkflowDefinition.shape.name,
  description: WorkflowDefinition.shape.description,
  trigger: TriggerDefinition,
  blocks: WorkflowVersionDefinition.shape.blocks,
});

/** A console workflow's draft as the checks see it (the builder's `WorkflowDraft`). */
export interface DraftInput {
  name: string;
  description?: string | undefined;
  trigger: unknown;
  blocks: unknown[];
}

/** The checked draft: the workflow's name and description and the version it would release. */
export interface CheckedDraft {
  name: string;
  description?: string | undefined;
  version: WorkflowVersionDefinition;
}

/**
 * What the files' checks say about a console draft, as issues with paths relative to the draft:
 * the file format's schema, the version's rules and the set's rules on the set as it would be
 * once the draft is released as version `versionNumber` (`withDraft` builds that set's console
 * entries). An empty list: the draft can be released (`checked` holds it then).
 */
export function draftIssues(
  draft: DraftInput,
  versionNumber: number,
  workflowId: string,
  files: readonly DefinitionFile[],
  withDraft: (checked: CheckedDraft) => CrossCheckEntry[],
): { issues: ValidationIssue[]; checked?: CheckedDraft } {
  z.config(z.locales.en());
  const { description, ...rest } = draft;
  const parsed = DraftDefinition.safeParse(description === undefined || description === '' ? rest : draft);
  if (!parsed.success) return { issues: toValidationIssues(parsed.error.issues) };
  const checked: CheckedDraft = {
    name: parsed.data.name,
    ...(parsed.data.description === undefined ? {} : { description: parsed.data.description }),
    version: { version: versionNumber, trigger: parsed.data.trigger, blocks: parsed.data.blocks },
  };
  const issues: ValidationIssue[] = [];
  checkVersion(checked.version, (path, detail) => issues.push({ path, message: detail }));
  crossCheck([...withDraft(checked), ...files], (message, problem) => {
    if (!problem.workflowIds.includes(workflowId)) return;
    const path =
      problem.rule === 'workflowName' ? ['name'] : problem.rule === 'eventSchema' ? ['trigger', 'schema'] : [];
    issues.push({ path, message });
  });
  return issues.length === 0 ? { issues, checked } : { issues };
}

/** Rules inside one workflow version: ids, connectors, actions, URLs, patterns, templates. */
function checkVersion(version: WorkflowVersionDefinition, report: Report): void {
  const blocks: AnyBlock[] = [version.trigger, ...version.blocks];
  const pathOf = (index: number): (string | number)[] => (index === 0 ? ['trigger'] : ['blocks', index - 1]);
  const ids = new Set<string>();
  blocks.forEach((block, index) => {
    if (ids.has(block.id)) report([...pathOf(index), 'id'], `block id "${block.id}" is used twice`);
    ids.add(block.id);
    const names = new Set<string>();
    block.fields.forEach((field, f) => {
      const at = [...pathOf(index), 'fields', f];
      if (names.has(field.name)) report([...at, 'name'], `block ${block.id} has two fields "${field.name}"`);
      names.add(field.name);
      checkField(`block ${block.id} field ${field.name}`, at, field, report);
    });
  });

  const trigger = version.trigger;
  if (trigger.type === 'customEvent' || (trigger.type === 'webhook' && trigger.schema)) {
    try {
      compileEventSchema(trigger.schema ?? {});
    } catch (error) {
      if (error instanceof EventSchemaError) report(['trigger', 'schema'], `trigger schema ${error.message}`);
      else throw error;
    }
  }
  if (trigger.type === 'appEvent') {
    const connector = findConnector(trigger.connector);
    if (!connector) report(['trigger', 'connector'], `trigger uses unknown connector "${trigger.connector}"`);
    else if (!connector.events.some((e) => e.name === trigger.event)) {
      const known = connector.events.map((e) => e.name).join(', ');
      report(['trigger', 'event'], `${connector.displayName} has no event "${trigger.event}" (it has: ${known})`);
    }
  }

  version.blocks.forEach((block, index) => {
    const at = (path: (string | number)[], detail: string) =>
      report(['blocks', index, ...path], `block ${block.id}: ${detail}`);
    if (block.type === 'streamData') checkStreamData(block, at);
    if (block.type === 'connectorAction') checkAction(block, at);
    if (block.type === 'httpRequest') checkHttpRequest(block, at);
  });
  blocks.forEach((block, index) => {
    block.fields.forEach((field, f) =>
      checkDynamicOptions(
        `block ${block.id} field ${field.name}`,
        [...pathOf(index), 'fields', f, 'dynamicOptions'],
        block,
        field,
        report,
      ),
    );
  });

  const configurable = new Set(blocks.flatMap((b) => b.fields.filter((f) => f.userConfigurable).map((f) => f.name)));
  const schema = trigger.type === 'customEvent' || trigger.type === 'webhook' ? trigger.schema : undefined;
  version.blocks.forEach((block, index) => {
    const earlier = new Set(version.blocks.slice(0, index).map((b) => b.id));
    block.fields.forEach((field, f) => {
      const problem = templateProblem(field.value, { schema, earlier, configurable });
      if (problem) {
        report(['blocks', index, 'fields', f, 'value'], `block ${block.id} field ${field.name}: ${problem}`);
      }
    });
  });
}

function checkField(prefix: string, at: (string | number)[], field: FieldDefinition, report: Report): void {
  if (field.rules?.pattern !== undefined) {
    // A bad pattern must fail at load, not as a 500 on the first install.
    try {
      new RegExp(field.rules.pattern);
    } catch {
      report([...at, 'rules', 'pattern'], `${prefix}: invalid rules.pattern`);
    }
  }
  if (!field.userConfigurable && field.value === undefined && field.required) {
    report([...at, 'value'], `${prefix}: a required field the user cannot configure needs a value`);
  }
}

/** Reports a problem of a block: the path inside the block and what is wrong. */
type BlockReport = (path: (string | number)[], detail: string) => void;

function checkUrlField(what: string, block: ActionBlock, report: BlockReport): void {
  const index = block.fields.findIndex((f) => f.name === 'url');
  const url = block.fields[index];
  if (!url) {
    report(['fields'], `${what} needs a "url" field`);
    return;
  }
  const at = ['fields', index, 'value'];
  if (url.value === undefined) {
    if (!url.userConfigurable) report(at, `the "url" field needs a value`);
    return;
  }
  if (typeof url.value !== 'string' || (!isStreamTarget(url.value) && !url.value.includes('{{'))) {
    report(at, `"url" must be an http(s) URL or a path on this server starting with /`);
    return;
  }
  // A path on this server is the ISV's own choice, written out in full: an end user's value or a
  // template's output could name any of the server's endpoints (the runtime checks it again).
  if (isOwnPath(url.value)) {
    if (url.userConfigurable) {
      report(
        ['fields', index, 'userConfigurable'],
        `a "url" the user can configure must be an http(s) URL, not a path on this server`,
      );
    } else if (url.value.includes('{{')) {
      report(at, `a "url" that is a path on this server cannot contain templates`);
    }
  }
}

const isOwnPath = (value: string): boolean => value.startsWith('/') && !value.startsWith('//');

function checkStreamData(block: Extract<ActionBlock, { type: 'streamData' }>, report: BlockReport): void {
  checkUrlField('Stream Data', block, report);
}

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const HTTP_REQUEST_FIELDS = new Set(['url', 'method', 'headers', 'body']);

function checkHttpRequest(block: Extract<ActionBlock, { type: 'httpRequest' }>, report: BlockReport): void {
  checkUrlField('An HTTP request', block, report);
  block.fields.forEach((field, index) => {
    if (!HTTP_REQUEST_FIELDS.has(field.name)) {
      report(['fields', index, 'name'], `an HTTP request has no field "${field.name}" (url, method, headers, body)`);
    }
  });
  const methodIndex = block.fields.findIndex((f) => f.name === 'method');
  const method = block.fields[methodIndex]?.value;
  if (method !== undefined && !(HTTP_METHODS as readonly unknown[]).includes(method)) {
    report(['fields', methodIndex, 'value'], `"method" must be one of ${HTTP_METHODS.join(', ')}`);
  }
  const headersIndex = block.fields.findIndex((f) => f.name === 'headers');
  const headers = block.fields[headersIndex]?.value;
  if (
    headers !== undefined &&
    (headers === null ||
      typeof headers !== 'object' ||
      Array.isArray(headers) ||
      !Object.values(headers).every((v) => typeof v === 'string'))
  ) {
    report(['fields', headersIndex, 'value'], `"headers" must be an object of strings`);
  }
}

function checkDynamicOptions(
  prefix: string,
  at: (string | number)[],
  block: AnyBlock,
  field: FieldDefinition,
  report: Report,
): void {
  if (field.type !== 'dynamicSelect') {
    if (field.dynamicOptions) report(at, `${prefix}: dynamicOptions is only for dynamicSelect fields`);
    return;
  }
  if (!field.dynamicOptions) {
    report(at, `${prefix}: a dynamicSelect field needs dynamicOptions {connector?, loader}`);
    return;
  }
  const connectorId = field.dynamicOptions.connector ?? blockConnector(block);
  if (!connectorId) {
    report(at, `${prefix}: dynamicOptions needs a connector (the block has none)`);
    return;
  }
  const connector = findConnector(connectorId);
  if (!connector) {
    report(at, `${prefix}: unknown connector "${connectorId}"`);
    return;
  }
  if (!connector.optionLoaders.some((l) => l.name === field.dynamicOptions!.loader)) {
    const known = connector.optionLoaders.map((l) => l.name).join(', ') || 'none';
    report(
      [...at, 'loader'],
      `${prefix}: ${connector.displayName} has no option loader "${field.dynamicOptions.loader}" (it has: ${known})`,
    );
  }
}

function isStreamTarget(value: string): boolean {
  if (isOwnPath(value)) return true;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function checkAction(block: Extract<ActionBlock, { type: 'connectorAction' }>, report: BlockReport): void {
  const connector = findConnector(block.connector);
  if (!connector) {
    report(['connector'], `unknown connector "${block.connector}"`);
    return;
  }
  const action = connector.actions.find((a) => a.name === block.action);
  if (!action) {
    const known = connector.actions.map((a) => a.name).join(', ');
    report(['action'], `${connector.displayName} has no action "${block.action}" (it has: ${known})`);
    return;
  }
  for (const input of action.inputs) {
    if (input.required && !block.fields.some((f) => f.name === input.name)) {
      report(['fields'], `action ${action.name} needs a field "${input.name}"`);
    }
  }
  block.fields.forEach((field, index) => {
    if (!action.inputs.some((i) => i.name === field.name)) {
      report(['fields', index, 'name'], `action ${action.name} has no input "${field.name}"`);
    }
  });
}

const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Data mapping: `{{trigger.orderId}}` (the trigger's data), `{{blocks.<blockId>.<path>}}` (an
 * earlier block's output) and `{{config.<field>}}` (the user's answer). Returns what is wrong.
 */
function templateProblem(
  value: unknown,
  scope: { schema: Record<string, unknown> | undefined; earlier: Set<string>; configurable: Set<string> },
): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = templateProblem(item, scope);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') return templateProblem(Object.values(value), scope);
  if (typeof value !== 'string') return undefined;
  const outside = value.replace(TEMPLATE, '');
  if (outside.includes('{{') || outside.includes('}}')) return `unbalanced braces in "${value}"`;
  for (const match of value.matchAll(TEMPLATE)) {
    const expression = match[1]!;
    const [root, ...rest] = expression.split('.');
    if (rest.length === 0 || !rest.every((s) => SEGMENT.test(s))) return `"{{${expression}}}" is not a valid reference`;
    if (root === 'trigger') {
      if (scope.schema && !schemaHasPath(scope.schema, rest)) {
        return `"{{${expression}}}": the trigger's schema has no ${rest.join('.')}`;
      }
    } else if (root === 'blocks') {
      if (!scope.earlier.has(rest[0]!)) return `"{{${expression}}}" does not name an earlier block`;
    } else if (root === 'config') {
      if (!scope.configurable.has(rest[0]!)) return `"{{${expression}}}" does not name a user-configurable field`;
    } else {
      return `"{{${expression}}}" must start with trigger., blocks. or config.`;
    }
  }
  return undefined;
}

function schemaHasPath(schema: Record<string, unknown>, segments: string[]): boolean {
  let node: unknown = schema;
  for (const segment of segments) {
    if (node === 'Object' || node === 'Object?') return true;
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, segment)) return false;
    node = (node as Record<string, unknown>)[segment];
  }
  return true;
}

/** JSON with object keys sorted, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** The fingerprint of a released version: any change to it is a change to the release. */
export function versionHash(version: WorkflowVersionDefinition): string {
  return createHash('sha256').update(canonicalJson(version)).digest('hex');
}

/** The newest released version of a workflow. */
export function latestVersion(workflow: WorkflowDefinition): WorkflowVersionDefinition {
  return workflow.versions.reduce((a, b) => (b.version > a.version ? b : a));
}

export function findVersion(workflow: WorkflowDefinition, version: number): WorkflowVersionDefinition | undefined {
  return workflow.versions.find((v) => v.version === version);
}

/** The trigger followed by the action blocks, as listings show them. */
export function versionBlocks(version: WorkflowVersionDefinition): AnyBlock[] {
  return [version.trigger, ...version.blocks];
}

const BUILT_IN_ICONS: Record<string, string> = {
  customEvent: '/static/icons/custom-event.svg',
  webhook: '/static/icons/webhook.svg',
  onInstallation: '/static/icons/installation.svg',
  streamData: '/static/icons/stream-data.svg',
  httpRequest: '/static/icons/webhook.svg',
};

/** A block's icon: its own, else its connector's or its built-in type's, else the integration's. */
export function blockIcon(block: AnyBlock, integration: IntegrationDefinition): string {
  const connector = blockConnector(block);
  return (
    block.icon ??
    (connector ? findConnector(connector)?.icon : undefined) ??
    BUILT_IN_ICONS[block.type] ??
    integration.icon
  );
}

/** The connector a block talks to, if any. */
export function blockConnector(block: AnyBlock): string | null {
  return 'connector' in block ? block.connector : null;
}

/** The connector a field's dynamic options load from, if it has them. */
export function optionsConnector(block: AnyBlock, field: FieldDefinition): string | null {
  return field.dynamicOptions ? (field.dynamicOptions.connector ?? blockConnector(block)) : null;
}

/** Connectors a workflow version needs a credential for (blocks, and fields' dynamic options). */
export function versionConnectors(version: WorkflowVersionDefinition): string[] {
  return [
    ...new Set(
      versionBlocks(version).flatMap((b) => [
        ...(blockConnector(b) ? [blockConnector(b)!] : []),
        ...b.fields.flatMap((f) => optionsConnector(b, f) ?? []),
      ]),
    ),
  ].sort();
}

/** The fields of one workflow version that the end user fills in (hidden ones are not shown). */
export function configurableFields(workflowId: string, version: WorkflowVersionDefinition): ConfigField[] {
  return versionBlocks(version).flatMap((block) =>
    block.fields
      .filter((f) => f.userConfigurable && !f.hidden)
      .map((f) => ({
        workflowId,
        blockId: block.id,
        name: f.name,
        displayName: f.displayName,
        type: f.type,
        required: f.required,
        ...(f.help === undefined ? {} : { help: f.help }),
        ...(f.placeholder === undefined ? {} : { placeholder: f.placeholder }),
        ...(f.options === undefined ? {} : { options: f.options }),
        ...(f.value === undefined ? {} : { defaultValue: f.value }),
        ...(f.rules === undefined ? {} : { rules: f.rules }),
      })),
  );
}

/** Every user-configurable field (hidden ones included) of a version with the block it sits on. */
export function userConfigurableFields(
  version: WorkflowVersionDefinition,
): { blockId: string; field: FieldDefinition }[] {
  return versionBlocks(version).flatMap((block) =>
    block.fields.filter((f) => f.userConfigurable).map((field) => ({ blockId: block.id, field })),
  );
}

/**
 * A console draft's trigger and blocks (`{ version: 1, trigger, blocks }`) through exactly the
 * schema and checks a file's version gets (the test run); a DefinitionError says what is wrong.
 */
export function checkDraftVersion(version: unknown): WorkflowVersionDefinition {
  z.config(z.locales.en());
  const parsed = WorkflowVersionDefinition.safeParse(version);
  if (!parsed.success) {
    const detail = toValidationIssues(parsed.error.issues)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new DefinitionError(`draft: ${detail}`);
  }
  checkVersion(parsed.data, throwing('draft'));
  return parsed.data;
}
