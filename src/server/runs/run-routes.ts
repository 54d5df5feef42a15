import { RunEventRequest, RunEventResponse, RunWorkflowRequest, RunWorkflowResponse } from '../../contract/index.js';
import type { ApiRouter } from '../http/router.js';
import type { AppContext } from '../context.js';
import { idempotencyKey } from '../http/common.js';

export function runRoutes(api: ApiRouter, ctx: AppContext): void {
  api.add({
    method: 'POST',
    path: '/run/event',
    operationId: 'runEvent',
    tag: 'Run',
    summary: 'Fire a custom event for a user',
    description:
      'Checks `data` against the event’s schema (400 with the path of each bad field), stores the event durably, then answers: every active workflow of the user listening to the event runs. With an `Idempotency-Key`, a repeat with the same body gets the same answer and runs nothing more; the same key with another body is a 422.',
    auth: 'apiKey',
    body: RunEventRequest,
    response: RunEventResponse,
    idempotent: true,
    errors: [404, 422],
    handler: ({ caller, body, request, reply }) => {
      const user = ctx.users.require(caller.env, body.userId);
      const result = ctx.runs.acceptEvent(
        caller.env,
        user.userId,
        body.event,
        body.data,
        idempotencyKey(request),
        body,
      );
      reply.status(result.status);
      return result.body;
    },
  });

  api.add({
    method: 'POST',
    path: '/run/workflow',
    operationId: 'runWorkflow',
    tag: 'Run',
    summary: 'Run a webhook-trigger workflow for a user',
    description:
      'Only for workflows whose trigger is a webhook (400 `wrong_trigger` otherwise; Custom Event workflows run through /run/event). The workflow must be installed and active (409 `workflow_inactive`). Stored durably before the answer; honours `Idempotency-Key` like /run/event.',
    auth: 'apiKey',
    body: RunWorkflowRequest,
    response: RunWorkflowResponse,
    idempotent: true,
    errors: [404, 409, 422],
    handler: async ({ caller, body, request, reply }) => {
      const user = ctx.users.require(caller.env, body.userId);
      const result = await ctx.runs.acceptWorkflowRun(
        caller.env,
        user.userId,
        body,
        body.data,
        idempotencyKey(request),
        body,
      );
      reply.status(result.status);
      return result.body;
    },
  });
}
