import * as z from 'zod/mini';
import { UserRef } from './common.js';
import { ObjectId } from './ids.js';

const EventData = /* @__PURE__ */ z
  .record(z.string(), z.unknown())
  .check(z.describe('An object matching the event schema'));

/** Fires a custom event for one user: every active workflow of theirs listening to it runs. */
export const RunEventRequest = z.strictObject({
  event: /* @__PURE__ */ z.string().check(z.minLength(1, 'event is required'), z.maxLength(200)),
  userId: UserRef,
  data: EventData,
});
export type RunEventRequest = z.infer<typeof RunEventRequest>;

export const RunEventResponse = z.object({
  message: z.string(),
  /** The id of the stored event; executions it causes carry it. */
  eventId: z.string(),
});
export type RunEventResponse = z.infer<typeof RunEventResponse>;

/** Runs one webhook-trigger workflow for one user. */
export const RunWorkflowRequest = /* @__PURE__ */ z
  .strictObject({
    workflowId: z.optional(ObjectId),
    workflowName: z.optional(/* @__PURE__ */ z.string().check(z.minLength(1), z.maxLength(300))),
    userId: UserRef,
    data: z.record(z.string(), z.unknown()),
  })
  .check(
    z.refine((body) => (body.workflowId === undefined) !== (body.workflowName === undefined), {
      message: 'send either workflowId or workflowName',
      path: ['workflowId'],
    }),
  );
export type RunWorkflowRequest = z.infer<typeof RunWorkflowRequest>;

export const RunWorkflowResponse = z.object({ message: z.string(), runId: z.string() });
export type RunWorkflowResponse = z.infer<typeof RunWorkflowResponse>;

export const CustomEventInfo = z.object({
  name: z.string(),
  /** The schema as the definitions write it, e.g. `{"orderId":"String","status":"String"}`. */
  schema: z.record(z.string(), z.unknown()),
  /** Workflows (latest versions) triggered by this event. */
  workflows: z.array(z.object({ workflowId: z.string(), name: z.string(), integrationId: z.string() })),
});
export const EventListResponse = z.object({ data: z.array(CustomEventInfo) });
