import { RunEventRequest, RunEventResponse, RunWorkflowRequest, RunWorkflowResponse } from '../../contract/index.js';
import type { ApiRouter } from '../http/router.js';
import type { AppContext } from '../context.js';
import { idempotencyKey } from '../http/common.js';
import { runIdempotent } from '../http/idempotency.js';
import { inTransaction, type Conn } from '../platform/db/index.js';
import type { Intake } from './runs.js';

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
    handler: async ({ caller, body, request, reply }) => {
      const user = ctx.users.require(caller.env, body.userId);
      const intake = idempotentIntake(ctx, `run-event:${caller.env}`, idempotencyKey(request), body);
      const answer = await ctx.runs.acceptEvent(caller.env, user.userId, body.event, body.data, intake);
      reply.status(intake.status);
      return answer;
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
      const intake = idempotentIntake(ctx, `run-workflow:${caller.env}`, idempotencyKey(request), body);
      const answer = await ctx.runs.acceptWorkflowRun(caller.env, user.userId, body, body.data, intake);
      reply.status(intake.status);
      return answer;
    },
  });
}

/**
 * The API's intake of a run: the answer is recorded with the Idempotency-Key (when one is sent)
 * first, then the run queued, in one transaction; a repeat gets the stored answer (and its
 * status, in `status` once the intake answered) and queues nothing; a failure rolls both back.
 * TODO(i15): http — runIdempotent is synchronous on the raw handle (it joins this transaction as
 * a savepoint: one SQLite connection); once it takes a connection and async work, call it so.
 */
export function idempotentIntake(
  ctx: AppContext,
  scope: string,
  key: string | undefined,
  requestBody: unknown,
): Intake & { status: number } {
  const intake = Object.assign(
    <T>(answer: T, queue: (trx: Conn) => Promise<void>) =>
      inTransaction(ctx.database, async (trx) => {
        let fresh = false;
        const result = runIdempotent(ctx.db, scope, key, requestBody, () => {
          fresh = true;
          return { status: 200, body: answer };
        });
        if (fresh) await queue(trx);
        intake.status = result.status;
        return result.body;
      }),
    { status: 200 },
  );
  return intake;
}
