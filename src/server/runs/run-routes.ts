import * as endpoints from '../../contract/endpoints.js';
import type { ApiRouter } from '../http/router.js';
import type { AppContext } from '../context.js';

export function runRoutes(api: ApiRouter, ctx: AppContext): void {
  api.add(endpoints.runEvent, {
    tag: 'Run',
    summary: 'Fire a custom event for a user',
    description:
      'Checks `data` against the event’s schema (400 with the path of each bad field), stores the event durably, then answers: every active workflow of the user listening to the event runs. With an `Idempotency-Key`, a repeat with the same body gets the same answer and runs nothing more; the same key with another body is a 422.',
    errors: [404, 422],
    idempotencyScope: 'run-event',
    handler: async ({ caller, body, conn }) => {
      const user = await ctx.users.require(caller.env, body.userId, conn);
      return ctx.runs.acceptEvent(caller.env, user.userId, body.event, body.data, conn);
    },
  });

  api.add(endpoints.runWorkflow, {
    tag: 'Run',
    summary: 'Run a webhook-trigger workflow for a user',
    description:
      'Only for workflows whose trigger is a webhook (400 `wrong_trigger` otherwise; Custom Event workflows run through /run/event). The workflow must be installed and active (409 `workflow_inactive`). Stored durably before the answer; honours `Idempotency-Key` like /run/event.',
    errors: [404, 409, 422],
    idempotencyScope: 'run-workflow',
    handler: async ({ caller, body, conn }) => {
      const user = await ctx.users.require(caller.env, body.userId, conn);
      return ctx.runs.acceptWorkflowRun(caller.env, user.userId, body, body.data, conn);
    },
  });
}
