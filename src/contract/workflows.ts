import * as z from 'zod/mini';
import { Timestamp, UserRef } from './common.js';
import { ObjectId } from './ids.js';
import { BlockSummary, ConfigFieldType } from './integrations.js';

export const TRIGGER_TYPES = ['customEvent', 'appEvent', 'webhook', 'onInstallation'] as const;
export const TriggerType = z.enum(TRIGGER_TYPES);
export type TriggerType = z.infer<typeof TriggerType>;

const exactlyOneWorkflowRef = z.refine<{
  workflowId?: string | undefined;
  workflowName?: string | undefined;
}>((body) => (body.workflowId === undefined) !== (body.workflowName === undefined), {
  message: 'send either workflowId or workflowName',
  path: ['workflowId'],
});

/**
 * Names a workflow for a user. `userId` is required with an API key; with a user token it may be
 * left out (and must name the token's user when present).
 */
export const WorkflowRefRequest = /* @__PURE__ */ z
  .strictObject({
    userId: z.optional(UserRef),
    workflowId: z.optional(ObjectId),
    workflowName: z.optional(/* @__PURE__ */ z.string().check(z.minLength(1), z.maxLength(300))),
  })
  .check(exactlyOneWorkflowRef);
export type WorkflowRefRequest = z.infer<typeof WorkflowRefRequest>;

export const ActivateWorkflowResponse = z.object({ activated: z.literal(true) });
export const DeactivateWorkflowResponse = z.object({ deactivated: z.literal(true) });

export const WorkflowParams = z.strictObject({ workflowId: ObjectId });
/** `userId` is required with an API key and optional with a user token. */
export const OptionalUserQuery = z.strictObject({ userId: z.optional(UserRef) });
export const RequiredUserQuery = z.strictObject({ userId: UserRef });

/** One of a user's installed workflows. `version` is the latest release, `installedVersion` theirs. */
export const UserWorkflow = z.object({
  workflowId: z.string(),
  name: z.string(),
  integrationId: z.string(),
  version: z.number(),
  installedVersion: z.number(),
  active: z.boolean(),
  installedAt: Timestamp,
  blocks: z.array(BlockSummary),
});
export type UserWorkflow = z.infer<typeof UserWorkflow>;
export const UserWorkflowListResponse = z.object({ data: z.array(UserWorkflow) });

export const WorkflowFieldDetail = z.object({
  name: z.string(),
  displayName: z.string(),
  type: ConfigFieldType,
  required: z.boolean(),
  userConfigurable: z.boolean(),
  /** The ISV's value or the user's answer; never present for secret fields. */
  value: z.optional(z.unknown()),
});

export const WorkflowBlockDetail = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  icon: z.string(),
  connector: z.nullable(z.string()),
  fields: z.array(WorkflowFieldDetail),
});

export const WorkflowTriggerDetail = z.object({
  id: z.string(),
  name: z.string(),
  type: TriggerType,
  icon: z.string(),
  connector: z.nullable(z.string()),
  /** The custom event's or the app event's name. */
  event: z.nullable(z.string()),
  /** The custom event's (or webhook's) data schema, as written in the definition. */
  schema: z.nullable(z.record(z.string(), z.unknown())),
  fields: z.array(WorkflowFieldDetail),
});

/** A user's workflow at the version they installed. */
export const UserWorkflowDetail = z.object({
  workflowId: z.string(),
  name: z.string(),
  integrationId: z.string(),
  version: z.number(),
  installedVersion: z.number(),
  active: z.boolean(),
  installedAt: Timestamp,
  trigger: WorkflowTriggerDetail,
  blocks: z.array(WorkflowBlockDetail),
});
export type UserWorkflowDetail = z.infer<typeof UserWorkflowDetail>;
export const UserWorkflowDetailResponse = z.object({ data: UserWorkflowDetail });

export const UpgradeWorkflowResponse = z.object({
  /** False when the user was already on the latest version. */
  upgraded: z.boolean(),
  installedVersion: z.number(),
  version: z.number(),
});
export type UpgradeWorkflowResponse = z.infer<typeof UpgradeWorkflowResponse>;

export const DeleteWorkflowResponse = z.object({ deleted: z.literal(true) });

export const WorkflowVersionInfo = z.object({
  version: z.number(),
  /** When this server first loaded the version; null for versions released before release tracking. */
  releasedAt: z.nullable(Timestamp),
  latest: z.boolean(),
  /** With `?userId=`: whether this is the version the user has installed. */
  installed: z.boolean(),
  /** With `?userId=`: whether moving the user to this version needs a reinstall (fields or connections differ). */
  requiresReinstall: z.optional(z.boolean()),
  triggerType: TriggerType,
  configurableFields: z.array(
    z.object({
      blockId: z.string(),
      name: z.string(),
      displayName: z.string(),
      type: ConfigFieldType,
      required: z.boolean(),
    }),
  ),
});
export type WorkflowVersionInfo = z.infer<typeof WorkflowVersionInfo>;
export const WorkflowVersionsResponse = z.object({ data: z.array(WorkflowVersionInfo) });

export const WorkflowUser = z.object({
  userId: z.string(),
  username: z.string(),
  fullName: z.nullable(z.string()),
  workflowActive: z.boolean(),
  installedVersion: z.number(),
  installedAt: Timestamp,
});
export const WorkflowUsersResponse = z.object({ data: z.array(WorkflowUser) });
