import * as z from 'zod/mini';
import { ValidationIssue } from './errors.js';
import type { ConfigFieldType, FieldRules } from './integrations.js';

/**
 * The console's integration builder (`/console/api/...`, session cookie, CSRF on writes; not part
 * of the ISV REST API and not in /openapi.json). Definitions are global (both environments run the
 * same ones); only install counts and the Active state are per environment (`x-alloy-env`).
 *
 * A workflow made in the console has one draft (what the builder edits, autosaved, possibly
 * invalid) and its released versions (immutable, numbered 1, 2, …). The draft is written in the
 * `*.integration.json` format of one version (docs/integrations.md), plus the workflow's name and
 * description, so what the console builds and what a file says are the same thing.
 */

/** A field of a block as the file format writes it (see docs/integrations.md). */
export interface BuilderField {
  name: string;
  displayName: string;
  type: ConfigFieldType;
  required?: boolean;
  userConfigurable?: boolean;
  hidden?: boolean;
  rules?: FieldRules;
  help?: string;
  placeholder?: string;
  options?: { value: string; label: string }[];
  /** The ISV's value or default; may hold templates such as `{{trigger.orderId}}`. */
  value?: unknown;
  dynamicOptions?: { connector?: string; loader: string };
}

/** The trigger of a version, as the file format writes it. */
export type BuilderTrigger =
  | {
      type: 'appEvent';
      id: string;
      name: string;
      icon?: string;
      connector: string;
      event: string;
      fields?: BuilderField[];
    }
  | {
      type: 'customEvent';
      id: string;
      name: string;
      icon?: string;
      event: string;
      /** Field → `"String"`, `"Number"`, `"Boolean"`, `"Object"`, `"Array"`, with `?` for optional. */
      schema: Record<string, unknown>;
      fields?: BuilderField[];
    }
  | {
      type: 'webhook';
      id: string;
      name: string;
      icon?: string;
      schema?: Record<string, unknown>;
      fields?: BuilderField[];
    }
  | { type: 'onInstallation'; id: string; name: string; icon?: string; fields?: BuilderField[] };

/** An action block of a version, as the file format writes it. */
export type BuilderBlock =
  | { type: 'streamData'; id: string; name: string; icon?: string; fields: BuilderField[] }
  | { type: 'httpRequest'; id: string; name: string; icon?: string; fields: BuilderField[] }
  | {
      type: 'connectorAction';
      id: string;
      name: string;
      icon?: string;
      connector: string;
      action: string;
      fields: BuilderField[];
    };

const JsonObject = z.record(z.string(), z.unknown());

/**
 * What the builder saves: the workflow's name and description and one version's trigger and
 * blocks in the file format. It may be incomplete or wrong (that is what `issues` reports); only
 * its outline is checked on the way in, so a half-made draft is never lost.
 */
export const WorkflowDraft = z.object({
  name: z.string().check(z.maxLength(300)),
  description: z.optional(z.string().check(z.maxLength(300))),
  /** `null` until a trigger is picked. */
  trigger: z.nullable(JsonObject),
  blocks: z.array(JsonObject).check(z.maxLength(50)),
});
export type WorkflowDraft = Omit<z.infer<typeof WorkflowDraft>, 'trigger' | 'blocks'> & {
  trigger: BuilderTrigger | null;
  blocks: BuilderBlock[];
};

/** `PUT /console/api/workflows/:workflowId/draft` (autosave). */
export const SaveDraftBody = z.object({
  draft: WorkflowDraft,
  /**
   * The `draftSavedAt` the editor started from; when another tab saved since, the save is refused
   * with 409 `conflict` so neither edit is silently lost. Absent: save unconditionally.
   */
  baseSavedAt: z.optional(z.string()),
});
export type SaveDraftBody = { draft: WorkflowDraft; baseSavedAt?: string };

/** The answer to a draft save: when, and what the server's definition checks say about it. */
export const SaveDraftResponse = z.object({
  draftSavedAt: z.string(),
  /** Empty when the draft could be released as it is. Paths are relative to the draft (`['blocks', 0, 'fields', 1, 'value']`). */
  issues: z.array(ValidationIssue),
});
export type SaveDraftResponse = z.infer<typeof SaveDraftResponse>;

/** One released version of a workflow, as the builder's version list shows it. */
export const ConsoleWorkflowVersion = z.object({
  version: z.number(),
  releasedAt: z.nullable(z.string()),
  /** The version's trigger and blocks, exactly as released. */
  trigger: JsonObject,
  blocks: z.array(JsonObject),
  /** Users of the environment (`x-alloy-env`) who run this version. */
  installs: z.number(),
  /**
   * Moving a user from the previous version to this one needs a reinstall (the same rule as
   * `PUT /workflows/:id/upgrade`: configurable fields or needed connections changed); why, in
   * `reinstallReasons`. False for version 1.
   */
  requiresReinstall: z.boolean(),
  reinstallReasons: z.array(z.string()),
});
export type ConsoleWorkflowVersion = z.infer<typeof ConsoleWorkflowVersion>;

/** Where an integration is defined: a `*.integration.json` file (read-only in the console) or the console. */
export const DefinitionOrigin = z.enum(['code', 'console']);
export type DefinitionOrigin = z.infer<typeof DefinitionOrigin>;

/** `GET /console/api/workflows/:workflowId` (install counts for `x-alloy-env`). */
export const ConsoleWorkflowDetail = z.object({
  workflowId: z.string(),
  integrationId: z.string(),
  source: DefinitionOrigin,
  /** The released name (or the draft's, before the first release). */
  name: z.string(),
  description: z.optional(z.string()),
  /** The console's draft; `null` for a workflow defined in code. */
  draft: z.nullable(WorkflowDraft),
  draftSavedAt: z.nullable(z.string()),
  /** The server's checks of the draft (empty when it could be released; always empty for code). */
  issues: z.array(ValidationIssue),
  /** Whether the draft differs from the latest released version (false for code). */
  unreleasedChanges: z.boolean(),
  versions: z.array(ConsoleWorkflowVersion),
});
export type ConsoleWorkflowDetail = Omit<z.infer<typeof ConsoleWorkflowDetail>, 'draft'> & {
  draft: WorkflowDraft | null;
};

/** A workflow in an integration's list. */
export const ConsoleWorkflowSummary = z.object({
  workflowId: z.string(),
  name: z.string(),
  /** The newest released version; 0 when the workflow has not been released yet. */
  version: z.number(),
  unreleasedChanges: z.boolean(),
});
export type ConsoleWorkflowSummary = z.infer<typeof ConsoleWorkflowSummary>;

/** `GET /console/api/integrations/:integrationId` and the answer to creating one. */
export const ConsoleIntegrationDetail = z.object({
  integrationId: z.string(),
  name: z.string(),
  app: z.string(),
  /** The app's display name (its connector's), when a connector knows the app. */
  appName: z.optional(z.string()),
  description: z.string(),
  icon: z.string(),
  source: DefinitionOrigin,
  /** The file it is loaded from, for `code`. */
  file: z.optional(z.string()),
  /** Whether end users of the environment (`x-alloy-env`) can see and install it. */
  active: z.boolean(),
  installs: z.number(),
  workflows: z.array(ConsoleWorkflowSummary),
});
export type ConsoleIntegrationDetail = z.infer<typeof ConsoleIntegrationDetail>;

/** `POST /console/api/integrations`: a new, empty integration for one app of the catalogue. */
export const CreateIntegrationBody = z.object({
  /** A connector id from `GET /console/api/connectors`. */
  app: z.string().check(z.minLength(1), z.maxLength(100)),
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(300)),
  description: z.optional(z.string().check(z.maxLength(1000))),
});
export type CreateIntegrationBody = z.infer<typeof CreateIntegrationBody>;

/** `POST /console/api/integrations/:integrationId/workflows`: a new workflow with an empty draft. */
export const CreateWorkflowBody = z.object({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(300)),
  description: z.optional(z.string().check(z.maxLength(300))),
});
export type CreateWorkflowBody = z.infer<typeof CreateWorkflowBody>;

/** `POST /console/api/workflows/:workflowId/release` → 201. */
export const ReleaseResponse = z.object({ version: z.number(), releasedAt: z.string() });
export type ReleaseResponse = z.infer<typeof ReleaseResponse>;

/** `PUT /console/api/integrations/:integrationId/active` (per environment, `x-alloy-env`). */
export const SetActiveBody = z.object({ active: z.boolean() });
export const SetActiveResponse = z.object({ integrationId: z.string(), active: z.boolean() });
export type SetActiveResponse = z.infer<typeof SetActiveResponse>;

/** One app of the connector catalogue as the builder needs it. */
export const ConsoleConnector = z.object({
  id: z.string(),
  displayName: z.string(),
  icon: z.string(),
  events: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      /** The event's data, in the custom-event schema notation: what `{{trigger.*}}` can name. */
      schema: JsonObject,
    }),
  ),
  actions: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      inputs: z.array(z.object({ name: z.string(), required: z.boolean(), description: z.optional(z.string()) })),
    }),
  ),
  optionLoaders: z.array(z.object({ name: z.string(), description: z.string() })),
});
export type ConsoleConnector = z.infer<typeof ConsoleConnector>;

/** `GET /console/api/connectors`. */
export const ConsoleConnectorListResponse = z.object({ data: z.array(ConsoleConnector) });
export type ConsoleConnectorListResponse = z.infer<typeof ConsoleConnectorListResponse>;

/**
 * `POST /console/api/test-run` (environment from `x-alloy-env`): runs a draft's blocks once, now,
 * as `userId` (with that user's connections), on `data` as the trigger's data. Nothing is queued or
 * logged as an execution; the blocks do call their targets (that is the test).
 */
export const TestRunBody = z.object({
  userId: z.string().check(z.minLength(1), z.maxLength(200)),
  trigger: JsonObject,
  blocks: z.array(JsonObject).check(z.minLength(1), z.maxLength(50)),
  /** The sample trigger data (`{{trigger.*}}`). */
  data: JsonObject,
  /** Answers for the user-configurable fields, by field name; a field's default when absent. */
  config: z.optional(JsonObject),
});
export type TestRunBody = {
  userId: string;
  trigger: BuilderTrigger;
  blocks: BuilderBlock[];
  data: Record<string, unknown>;
  config?: Record<string, unknown>;
};

export const TestRunBlock = z.object({
  blockId: z.string(),
  name: z.string(),
  type: z.string(),
  /** `skipped`: an earlier block failed. */
  status: z.enum(['success', 'error', 'skipped']),
  /** What the block was given after data mapping (secrets masked). */
  input: z.optional(z.unknown()),
  output: z.optional(z.unknown()),
  error: z.optional(z.string()),
  durationMs: z.number(),
});
export type TestRunBlock = z.infer<typeof TestRunBlock>;

/** 200 also when a block failed (`ok: false`); 400 `validation_failed` when the draft itself is not valid. */
export const TestRunResponse = z.object({ ok: z.boolean(), blocks: z.array(TestRunBlock) });
export type TestRunResponse = z.infer<typeof TestRunResponse>;
