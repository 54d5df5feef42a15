import * as z from 'zod/mini';
import { Timestamp, UserRef } from './common.js';
import { ObjectId } from './ids.js';

/** Field types a workflow definition can mark as configurable by the end user. */
export const CONFIG_FIELD_TYPES = [
  'text',
  'textarea',
  'number',
  'boolean',
  'select',
  'multiselect',
  'secret',
  'dynamicSelect',
] as const;
export const ConfigFieldType = z.enum(CONFIG_FIELD_TYPES);
export type ConfigFieldType = z.infer<typeof ConfigFieldType>;

export const ConfigFieldOption = z.object({ value: z.string(), label: z.string() });

/** Format rules a definition may put on a field (lengths for text, bounds for numbers, a regex). */
export const FieldRules = z.strictObject({
  minLength: z.optional(z.number().check(z.int(), z.nonnegative())),
  maxLength: z.optional(z.number().check(z.int(), z.positive())),
  min: z.optional(z.number()),
  max: z.optional(z.number()),
  /** A JavaScript regular expression (no flags) the whole value must match. */
  pattern: z.optional(z.string()),
  /** Shown when `pattern` does not match. */
  patternMessage: z.optional(z.string()),
});
export type FieldRules = z.infer<typeof FieldRules>;

/** One user-configurable field as the modal renders it. */
export const ConfigField = z.object({
  workflowId: z.string(),
  blockId: z.string(),
  name: z.string(),
  displayName: z.string(),
  type: ConfigFieldType,
  required: z.boolean(),
  help: z.optional(z.string()),
  placeholder: z.optional(z.string()),
  options: z.optional(z.array(ConfigFieldOption)),
  defaultValue: z.optional(z.unknown()),
  /** Format rules from the definition; the modal and the server both enforce them. */
  rules: z.optional(FieldRules),
});
export type ConfigField = z.infer<typeof ConfigField>;

export const BlockSummary = z.object({
  name: z.string(),
  id: z.string(),
  type: z.string(),
  icon: z.string(),
});

/** A workflow as `GET /integrations?userId=` lists it, with the user's state. */
export const WorkflowSummary = z.object({
  workflowId: z.string(),
  name: z.string(),
  installed: z.boolean(),
  version: z.number(),
  installedVersion: z.nullable(z.number()),
  active: z.boolean(),
  blocks: z.array(BlockSummary),
});
export type WorkflowSummary = z.infer<typeof WorkflowSummary>;

export const IntegrationSummary = z.object({
  integrationId: z.string(),
  name: z.string(),
  app: z.string(),
  description: z.string(),
  installed: z.boolean(),
  icon: z.string(),
  workflows: z.array(WorkflowSummary),
  /** Connectors the user needs a credential for (the 2025-09 docs' `credentials`). */
  credentials: z.optional(z.array(z.string())),
});
export type IntegrationSummary = z.infer<typeof IntegrationSummary>;

export const IntegrationListResponse = z.object({ data: z.array(IntegrationSummary) });
export type IntegrationListResponse = z.infer<typeof IntegrationListResponse>;

/** `userId` is required with an API key; with a user token the token names the user. */
export const ListIntegrationsQuery = z.strictObject({ userId: z.optional(UserRef) });

/** What the install modal needs to render one integration for the token's user. */
export const WidgetIntegration = z.object({
  integrationId: z.string(),
  name: z.string(),
  app: z.string(),
  description: z.string(),
  icon: z.string(),
  workflows: z.array(
    z.object({
      workflowId: z.string(),
      name: z.string(),
      /** The latest released version (what an install or update moves to). */
      version: z.number(),
      /** Whether the token's user has this workflow installed; lets `edit` keep their choice. */
      installed: z.optional(z.boolean()),
      /** The version the user runs, or null; lets `update` show what moves. */
      installedVersion: z.optional(z.nullable(z.number())),
      /** What the workflow does once installed, in one sentence; the modal's success step says it. */
      description: z.optional(z.string()),
    }),
  ),
  fields: z.array(ConfigField),
  installation: z.nullable(
    z.object({
      installationId: z.string(),
      /**
       * The saved answers. A `secret` answer is never sent back: it has no `value`, only `set: true`.
       * To keep it, an edit leaves the field out of `values`; sending a value replaces it.
       */
      values: z.array(
        z.object({
          workflowId: z.string(),
          blockId: z.string(),
          name: z.string(),
          value: z.optional(z.unknown()),
          set: z.optional(z.literal(true)),
        }),
      ),
    }),
  ),
});
export type WidgetIntegration = z.infer<typeof WidgetIntegration>;

export const ConfigValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);
export type ConfigValue = z.infer<typeof ConfigValue>;

export const ConfigEntry = z.strictObject({
  workflowId: z.string(),
  blockId: z.string(),
  name: z.string(),
  value: ConfigValue,
});
export type ConfigEntry = z.infer<typeof ConfigEntry>;

export const CreateInstallationRequest = z.strictObject({
  integrationId: ObjectId,
  workflowIds: z.optional(z.array(ObjectId).check(z.minLength(1))),
  values: z.array(ConfigEntry).check(z.maxLength(500)),
  /**
   * App → credentialId, for a connection the user picked in the auth step ("use a different
   * account"). Apps left out keep their current connection, or get the user's newest one.
   */
  credentialIds: z.optional(z.record(z.string().check(z.maxLength(100)), z.string().check(z.maxLength(100)))),
});
export type CreateInstallationRequest = z.infer<typeof CreateInstallationRequest>;

export const InstallationResponse = z.object({
  installationId: z.string(),
  integrationId: z.string(),
  workflowIds: z.array(z.string()),
});
export type InstallationResponse = z.infer<typeof InstallationResponse>;

/** `DELETE /widget/integrations/:integrationId/installation`: what the uninstall removed. */
export const UninstallResponse = z.object({
  installationId: z.string(),
  integrationId: z.string(),
  /** The workflows that stopped and were removed for this user. */
  workflowIds: z.array(z.string()),
});
export type UninstallResponse = z.infer<typeof UninstallResponse>;

export const IntegrationParams = z.strictObject({ integrationId: ObjectId });
/** alloy-node's getIntegration passes the integration's name where the others pass its id. */
export const IntegrationRefParams = z.strictObject({
  integrationId: /* @__PURE__ */ z
    .string()
    .check(z.minLength(1), z.maxLength(100), z.describe("The integrationId or the integration's name")),
});
/** `userId` is required with an API key; with a user token the token names the user. */
export const IntegrationQuery = z.strictObject({ userId: z.optional(UserRef) });
export const IntegrationResponse = z.object({ data: IntegrationSummary });
export type IntegrationResponse = z.infer<typeof IntegrationResponse>;

/** One field of an installation's form: what the user was asked, and their answer unless it is a secret. */
export const InstallationFormField = z.object({
  name: z.string(),
  displayName: z.string(),
  type: ConfigFieldType,
  required: z.boolean(),
  value: z.optional(z.unknown()),
});

export const InstallationFormData = z.object({
  workflowId: z.string(),
  app: z.string(),
  blockId: z.string(),
  fields: z.array(InstallationFormField),
});
export type InstallationFormData = z.infer<typeof InstallationFormData>;

export const Installation = z.object({
  installationId: z.string(),
  integrationId: z.string(),
  userId: z.string(),
  formData: z.array(InstallationFormData),
  /** Connector name → the credentialId the installation uses. */
  credentialIds: z.record(z.string(), z.string()),
  workflowIds: z.array(z.string()),
  installedAt: Timestamp,
  updatedAt: Timestamp,
  /** True while at least one of its workflows is active. */
  enabled: z.boolean(),
});
export type Installation = z.infer<typeof Installation>;

export const ListInstallationsQuery = z.strictObject({
  userId: z.optional(UserRef),
  integrationId: z.optional(ObjectId),
});
export const InstallationListResponse = z.object({ data: z.array(Installation) });
export type InstallationListResponse = z.infer<typeof InstallationListResponse>;
