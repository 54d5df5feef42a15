import * as z from 'zod/mini';
import { Timestamp, UserRef } from './common.js';
import { ObjectId } from './ids.js';
import { ConfigFieldOption } from './integrations.js';

// ---- Dynamic options (widget) -------------------------------------------------------------

/** Names one `dynamicSelect` field of an integration, as `WidgetIntegration.fields` lists it. */
export const FieldOptionsParams = z.strictObject({
  integrationId: ObjectId,
  workflowId: ObjectId,
  blockId: /* @__PURE__ */ z.string().check(z.minLength(1), z.maxLength(100)),
  fieldName: /* @__PURE__ */ z.string().check(z.minLength(1), z.maxLength(100)),
});
export type FieldOptionsParams = z.infer<typeof FieldOptionsParams>;

/** The connection to load with; the user's newest one for the app when absent. */
export const FieldOptionsQuery = z.strictObject({ credentialId: z.optional(ObjectId) });

/**
 * `GET /widget/integrations/:integrationId/fields/:workflowId/:blockId/:fieldName/options`, called
 * with the user token: the choices of a `dynamicSelect` field, loaded from the third-party app with
 * the user's own connection (e.g. the store's order statuses).
 */
export const FieldOptionsResponse = z.object({ data: z.array(ConfigFieldOption) });
export type FieldOptionsResponse = z.infer<typeof FieldOptionsResponse>;

// ---- Rerun ----------------------------------------------------------------------------------

export const RerunParams = z.strictObject({ workflowId: ObjectId, executionId: ObjectId });
/** When given, it must name the user the execution belongs to. */
export const RerunQuery = z.strictObject({ userId: z.optional(UserRef) });
export const RerunResponse = z.object({
  message: z.string(),
  /** The queued run; the new execution carries it. */
  runId: z.string(),
  rerunOf: z.string(),
});
export type RerunResponse = z.infer<typeof RerunResponse>;

// ---- Outgoing webhook deliveries (installation webhook, error stream) --------------------------

export const DELIVERY_KINDS = ['installationWebhook', 'errorStream'] as const;
export const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'failed'] as const;

/** One outgoing request and where it stands. `deliveryId` is the `webhook-id` receivers see. */
export const WebhookDelivery = z.object({
  deliveryId: z.string(),
  kind: z.enum(DELIVERY_KINDS),
  url: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number(),
  responseStatus: z.nullable(z.number()),
  lastError: z.nullable(z.string()),
  nextAttemptAt: z.nullable(Timestamp),
  createdAt: Timestamp,
  deliveredAt: z.nullable(Timestamp),
  /** The JSON body that was (or will be) sent. */
  payload: z.unknown(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookDeliveryListQuery = z.strictObject({
  status: z.optional(z.enum(DELIVERY_STATUSES)),
  kind: z.optional(z.enum(DELIVERY_KINDS)),
  limit: z.optional(/* @__PURE__ */ z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
});
export const WebhookDeliveryListResponse = z.object({ data: z.array(WebhookDelivery) });
export const WebhookDeliveryParams = z.strictObject({
  deliveryId: /* @__PURE__ */ z.string().check(z.regex(/^msg_[0-9a-f]{24}$/, 'must be a delivery id (msg_...)')),
});
export const WebhookDeliveryResponse = z.object({ data: WebhookDelivery });

// ---- What the server sends (for receivers; every request is signed with both schemes) ----------

/**
 * The environment whose API key caused the request. Each environment signs with its own key and
 * secret; the `x-alloy-environment` header names the same environment so a receiver can pick the
 * key to verify with, and must then check this (signed) field agrees.
 */
export const PayloadEnvironment = /* @__PURE__ */ z.enum(['development', 'production']);
export type PayloadEnvironment = z.infer<typeof PayloadEnvironment>;

/** POSTed to the installation webhook after every successful installation. */
export const InstallationWebhookPayload = z.object({
  environment: PayloadEnvironment,
  userId: z.string(),
  workflowIds: z.array(z.string()),
  integrationId: z.string(),
  /** App (connector) name → the credentialId the installation uses. */
  credentials: z.record(z.string(), z.string()),
  success: z.literal(true),
});
export type InstallationWebhookPayload = z.infer<typeof InstallationWebhookPayload>;

/** POSTed by a Stream Data block. */
export const StreamDataPayload = z.object({
  environment: PayloadEnvironment,
  workflowId: z.string(),
  executionId: z.string(),
  userId: z.string(),
  integrationId: z.string(),
  trigger: z.object({ type: z.string(), event: z.nullable(z.string()) }),
  /** The trigger's data, or the block's `body` field when it has one. */
  data: z.unknown(),
  /** The block's other fields (the ISV's values and the user's answers), by name. */
  fields: z.record(z.string(), z.unknown()),
});
export type StreamDataPayload = z.infer<typeof StreamDataPayload>;

/**
 * POSTed to the error stream for every failed execution, with the headers `X-Alloy-WorkflowId`,
 * `X-Alloy-UserId`, `X-Alloy-BlockName`, `X-Alloy-BlockType` and `X-Alloy-ExecutionUuid`.
 */
export const ErrorStreamPayload = z.object({
  environment: PayloadEnvironment,
  executionId: z.string(),
  workflowId: z.string(),
  workflowName: z.string(),
  integrationId: z.string(),
  userId: z.string(),
  block: z.object({ id: z.string(), name: z.string(), type: z.string(), connector: z.nullable(z.string()) }),
  message: z.string(),
  errorOccurredAt: Timestamp,
});
export type ErrorStreamPayload = z.infer<typeof ErrorStreamPayload>;
