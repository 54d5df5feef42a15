import * as z from 'zod/mini';

/**
 * The workflow calls alloy-frontend makes with the user token (`GET /workflows`,
 * `PUT /workflows/activate|deactivate`); the user is the token's subject, so there is no userId.
 */
export const UserWorkflow = z.object({
  workflowId: z.string(),
  name: z.string(),
  integrationId: z.string(),
  active: z.boolean(),
  installed: z.boolean(),
  version: z.number(),
  installedVersion: z.nullable(z.number()),
});
export type UserWorkflow = z.infer<typeof UserWorkflow>;

export const WorkflowListResponse = z.object({ data: z.array(UserWorkflow) });
export type WorkflowListResponse = z.infer<typeof WorkflowListResponse>;

/** Which workflow to (de)activate: its id (as `GET /integrations` shows it) or its name. */
export const WorkflowSelector = z.union([
  z.strictObject({ workflowId: z.string().check(z.minLength(1)) }),
  z.strictObject({ workflowName: z.string().check(z.minLength(1)) }),
]);
export type WorkflowSelector = z.infer<typeof WorkflowSelector>;

export const ActivateWorkflowResponse = z.object({ activated: z.boolean() });
export type ActivateWorkflowResponse = z.infer<typeof ActivateWorkflowResponse>;

export const DeactivateWorkflowResponse = z.object({ deactivated: z.boolean() });
export type DeactivateWorkflowResponse = z.infer<typeof DeactivateWorkflowResponse>;
