import {
  EmptyBody,
  FieldOptionsParams,
  FieldOptionsQuery,
  FieldOptionsResponse,
  RerunParams,
  RerunQuery,
  RerunResponse,
  WebhookDeliveryListQuery,
  WebhookDeliveryListResponse,
  WebhookDeliveryParams,
  WebhookDeliveryResponse,
} from '../../contract/index.js';
import type { ApiRouter } from '../http/router.js';
import { requireIntegrationScope } from '../http/auth.js';
import type { AppContext } from '../context.js';
import { DomainError } from '../platform/errors.js';
import { runIdempotentAsync } from '../http/idempotency.js';
import { idempotencyKey } from '../http/common.js';

export function runtimeRoutes(api: ApiRouter, ctx: AppContext): void {
  api.add({
    method: 'POST',
    path: '/workflows/:workflowId/rerun/:executionId',
    operationId: 'rerunExecution',
    tag: 'Logs',
    summary: 'Rerun an execution',
    description:
      'Runs the workflow again for the execution’s user with the trigger data it recorded, at the version the user has installed now (an upgraded user runs the new version). The workflow must be installed and active (409 `workflow_inactive`); a running execution cannot be rerun (409 `not_rerunnable`). Honours `Idempotency-Key`.',
    auth: 'apiKey',
    params: RerunParams,
    query: RerunQuery,
    body: EmptyBody,
    response: RerunResponse,
    idempotent: true,
    errors: [404, 409, 422],
    handler: async ({ caller, params, query, request, reply }) => {
      const userId = query.userId === undefined ? undefined : ctx.users.require(caller.env, query.userId).userId;
      ctx.workflows.resolve({ workflowId: params.workflowId });
      const result = await runIdempotentAsync(
        ctx.database,
        `rerun:${caller.env}`,
        idempotencyKey(request),
        params,
        async (trx) => ({
          status: 200,
          body: await ctx.runtime.rerun(caller.env, params.workflowId, params.executionId, userId, trx),
        }),
      );
      reply.status(result.status);
      return result.body;
    },
  });

  api.add({
    method: 'GET',
    path: '/webhook-deliveries',
    operationId: 'listWebhookDeliveries',
    tag: 'Settings',
    summary: 'Installation webhooks and error-stream posts',
    description:
      'Newest first (`limit` at most 100, default 50). Failed deliveries (`status=failed`) ran out of retries or were refused (4xx other than 408/425/429, a redirect, a private address); `lastError` says why. Stream Data deliveries are part of their execution: see the logs and errors.',
    auth: 'apiKey',
    query: WebhookDeliveryListQuery,
    response: WebhookDeliveryListResponse,
    handler: ({ caller, query }) => ({
      data: ctx.runtime.outbox.list(caller.env, { status: query.status, kind: query.kind, limit: query.limit ?? 50 }),
    }),
  });

  api.add({
    method: 'GET',
    path: '/webhook-deliveries/:deliveryId',
    operationId: 'getWebhookDelivery',
    tag: 'Settings',
    summary: 'One delivery',
    auth: 'apiKey',
    params: WebhookDeliveryParams,
    response: WebhookDeliveryResponse,
    errors: [404],
    handler: ({ caller, params }) => ({ data: ctx.runtime.outbox.get(caller.env, params.deliveryId) }),
  });

  api.add({
    method: 'POST',
    path: '/webhook-deliveries/:deliveryId/retry',
    operationId: 'retryWebhookDelivery',
    tag: 'Settings',
    summary: 'Send a delivery again',
    description:
      'Queues the delivery at once with a full set of attempts, keeping its `webhook-id` so a receiver that already has it can drop the duplicate. A delivery being sent right now is a 409.',
    auth: 'apiKey',
    params: WebhookDeliveryParams,
    body: EmptyBody,
    response: WebhookDeliveryResponse,
    errors: [404, 409],
    handler: ({ caller, params }) => {
      const current = ctx.runtime.outbox.get(caller.env, params.deliveryId);
      if (current.status === 'sending') {
        throw new DomainError('conflict', 'This delivery is being sent right now.');
      }
      return { data: ctx.runtime.outbox.retryNow(caller.env, params.deliveryId) };
    },
  });

  api.add({
    method: 'GET',
    path: '/widget/integrations/:integrationId/fields/:workflowId/:blockId/:fieldName/options',
    operationId: 'widgetFieldOptions',
    tag: 'Widget',
    summary: 'The choices of a dynamic select field',
    description:
      'For a `dynamicSelect` field of `GET /widget/integrations/:integrationId`: loads the choices from the app with the user’s connection (`credentialId`, else their newest for the app), e.g. the store’s order statuses. 400 `credential_required` when the user has not connected the app, 400 `credential_invalid` when the app refuses the connection, 502 when the app fails.',
    auth: 'userToken',
    params: FieldOptionsParams,
    query: FieldOptionsQuery,
    response: FieldOptionsResponse,
    errors: [404, 502],
    handler: async ({ caller, params, query }) => {
      requireIntegrationScope(caller, params.integrationId);
      const user = ctx.users.find(caller.env, caller.userId!);
      if (!user) throw new DomainError('token_invalid', 'The user of this token no longer exists.');
      return ctx.runtime.fieldOptions(user.userId, params, query.credentialId);
    },
  });
}
