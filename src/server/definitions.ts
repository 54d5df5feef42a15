import fs from 'node:fs';
import path from 'node:path';
import * as z from 'zod/mini';
import { CONFIG_FIELD_TYPES, ConfigFieldOption, FieldRules, ObjectId, type ConfigField } from '../contract/index.js';

/**
 * Integrations as code: the ISV describes integrations, their workflows (one entry per released
 * version) and the fields an end user may configure, in JSON files validated here at start.
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
  /** Value the ISV set; the default shown to the user when the field is configurable. */
  value: z.optional(z.unknown()),
});

const BlockDefinition = z.strictObject({
  id: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
  type: z.string().check(z.minLength(1)),
  icon: z.optional(z.string()),
  fields: z._default(z.array(FieldDefinition), []),
});

const WorkflowVersionDefinition = z.strictObject({
  version: z.number().check(z.int(), z.positive()),
  blocks: z.array(BlockDefinition).check(z.minLength(1)),
});

const WorkflowDefinition = z.strictObject({
  workflowId: ObjectId,
  name: z.string().check(z.minLength(1)),
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

export function loadDefinitions(dir: string): IntegrationDefinition[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.integration.json'))
    .sort();
  return files.map((file) => {
    const full = path.join(dir, file);
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(full, 'utf8'));
    } catch (error) {
      throw new DefinitionError(`${file}: not valid JSON (${(error as Error).message})`);
    }
    const parsed = IntegrationDefinition.safeParse(raw);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new DefinitionError(`${file}: ${detail}`);
    }
    checkPatterns(file, parsed.data);
    return parsed.data;
  });
}

/** A bad `rules.pattern` must fail at load, not as a 500 on the first install. */
function checkPatterns(file: string, definition: IntegrationDefinition): void {
  for (const workflow of definition.workflows) {
    for (const version of workflow.versions) {
      for (const block of version.blocks) {
        for (const field of block.fields) {
          if (field.rules?.pattern === undefined) continue;
          try {
            new RegExp(field.rules.pattern);
          } catch {
            throw new DefinitionError(`${file}: field ${field.name} has an invalid rules.pattern`);
          }
        }
      }
    }
  }
}

/** The newest released version of a workflow. */
export function latestVersion(workflow: WorkflowDefinition): WorkflowVersionDefinition {
  return workflow.versions.reduce((a, b) => (b.version > a.version ? b : a));
}

/** The fields of one workflow version that the end user fills in (hidden ones are not shown). */
export function configurableFields(workflowId: string, version: WorkflowVersionDefinition): ConfigField[] {
  return version.blocks.flatMap((block) =>
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
