import * as endpoints from '../../contract/endpoints.js';
import { optionalUserId } from '../http/common.js';
import type { ApiRouter } from '../http/router.js';
import { requireIntegrationScope } from '../http/auth.js';
import type { AppContext } from '../context.js';

export function runtimeRoutes(api: ApiRouter, ctx: AppContext): void {
  api.add(endpoints.rerunExecution, {
    tag: 'Logs',
    summary: 'Rerun an execution',
    description:
      'Runs the workflow again for the execution’s user with the trigger data it recorded, at the version the user has installed now (an upgraded user runs the new version). The workflow must be installed and active (409 `workflow_inactive`); a running execution cannot be rerun (409 `not_rerunnable`). Honours `Idempotency-Key`.',
    errors: [404, 409, 422],
    idempotencyScope: 'rerun',
    handler: async ({ caller, params, query, conn }) => {
      const userId = await optionalUserId(ctx, caller.env, query.userId, conn);
      ctx.workflows.resolve({ workflowId: params.workflowId });
      return ctx.runtime.rerun(caller.env, params.workflowId, params.executionId, userId, { conn });
    },
  });

  api.add(endpoints.listWebhookDeliveries, {
    tag: 'Settings',
    summary: 'Installation webhooks and error-stream posts',
    description:
      'Newest first (`limit` at most 100, default 50). Failed deliveries (`status=failed`) ran out of retries or were refused (4xx other than 408/425/429, a redirect, a private address); `lastError` says why. Stream Data deliveries are part of their execution: see the logs and errors.',
    handler: async ({ caller, query }) => ({
      data: await ctx.runtime.outbox.list(caller.env, {
        status: query.status,
        kind: query.kind,
        limit: query.limit ?? 50,
      }),
    }),
  });

  api.add(endpoints.getWebhookDelivery, {
    tag: 'Settings',
    summary: 'One delivery',
    errors: [404],
    handler: async ({ caller, params }) => ({ data: await ctx.runtime.outbox.get(caller.env, params.deliveryId) }),
  });

  api.add(endpoints.retryWebhookDelivery, {
    tag: 'Settings',
    summary: 'Send a delivery again',
    description:
      'Queues the delivery at once with a full set of attempts, keeping its `webhook-id` so a receiver that already has it can drop the duplicate. A delivery being sent right now is a 409.',
    errors: [404, 409],
    handler: async ({ caller, params }) => {
      // One conditional statement: 404 when absent, 409 when it is being sent right now.
      return { data: await ctx.runtime.outbox.retryNow(caller.env, params.deliveryId) };
    },
  });

  api.add(endpoints.widgetFieldOptions, {
    tag: 'Widget',
    summary: 'The choices of a dynamic select field',
    description:
      'For a `dynamicSelect` field of `GET /widget/integrations/:integrationId`: loads the choices from the app with the user’s connection (`credentialId`, else their newest for the app), e.g. the store’s order statuses. 400 `credential_required` when the user has not connected the app, 400 `credential_invalid` when the app refuses the connection, 502 when the app fails.',
    errors: [404, 502],
    handler: async ({ caller, params, query }) => {
      requireIntegrationScope(caller, params.integrationId);
      const user = await ctx.users.requireTokenUser(caller);
      return ctx.runtime.fieldOptions(user.userId, params, query.credentialId);
    },
  });
}
