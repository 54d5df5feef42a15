import { DEFAULT_LINK_TTL_SECONDS } from '../../contract/index.js';
import * as endpoints from '../../contract/endpoints.js';
import type { ApiRouter } from '../http/router.js';
import { requireIntegrationScope } from '../http/auth.js';
import type { AppContext } from '../context.js';
import { notFound } from '../platform/errors.js';
import { resolveUser, optionalUserId } from '../http/common.js';

export function integrationRoutes(api: ApiRouter, ctx: AppContext): void {
  // The ISV backend passes ?userId=; the browser SDK sends the user token and no userId.
  api.add(endpoints.listIntegrations, {
    tag: 'Integrations',
    summary: 'List integrations with the user’s state',
    description:
      'Every integration with, per workflow, whether the user installed it, the latest `version`, their `installedVersion` and whether it is `active`. With a user token, `userId` may be left out.',
    errors: [403, 404],
    handler: async ({ caller, query }) => {
      const all = await ctx.integrations.list((await resolveUser(ctx, caller, query.userId)).userId);
      // An Embedded Link's token sees its own integration only.
      const scope = caller.integrationId;
      return { data: scope === undefined ? all : all.filter((i) => i.integrationId === scope) };
    },
  });

  api.add(endpoints.getIntegration, {
    tag: 'Integrations',
    summary: 'Get one integration with the user’s state',
    description: 'By integrationId or, as alloy-node calls it, by the integration’s name.',
    errors: [403, 404],
    handler: async ({ caller, params, query }) => {
      const user = await resolveUser(ctx, caller, query.userId);
      const definitions = ctx.definitions.current;
      const integration =
        definitions.integration(params.integrationId) ??
        definitions.integrations.find((i) => i.name === params.integrationId);
      if (!integration) throw notFound('The integration');
      requireIntegrationScope(caller, integration.integrationId);
      return { data: await ctx.integrations.get(user.userId, integration.integrationId) };
    },
  });

  api.add(endpoints.listInstallations, {
    tag: 'Integrations',
    summary: 'List installations',
    description:
      'Every installation in the environment, optionally for one user and/or integration, with the form the user filled (secret answers left out) and the credentials it uses.',
    errors: [404],
    handler: async ({ caller, query }) => {
      const userId = await optionalUserId(ctx, caller.env, query.userId);
      return { data: await ctx.integrations.installations(caller.env, { userId, integrationId: query.integrationId }) };
    },
  });

  api.add(endpoints.listCustomEvents, {
    tag: 'Run',
    summary: 'List custom events',
    description:
      'Every custom event the definitions declare, its schema and the workflows it triggers; with `userId`, only events that reach a workflow the user installed.',
    handler: async ({ caller, query }) => {
      const definitions = ctx.definitions.current;
      const installed =
        query.userId === undefined
          ? undefined
          : new Set(
              (await ctx.workflows.list((await ctx.users.require(caller.env, query.userId)).userId)).map(
                (w) => w.workflowId,
              ),
            );
      const events = definitions
        .allEvents()
        .filter((event) => installed === undefined || [...event.workflowIds].some((id) => installed.has(id)));
      return {
        data: events.map((event) => ({
          name: event.name,
          schema: event.schema,
          workflows: [...event.workflowIds].map((workflowId) => {
            const entry = definitions.workflow(workflowId)!;
            return { workflowId, name: entry.workflow.name, integrationId: entry.integration.integrationId };
          }),
        })),
      };
    },
  });

  api.add(endpoints.createInstallUrl, {
    tag: 'Embedded Link',
    summary: 'Create an Embedded Link',
    description:
      'A single-use link that opens the install page for this user and integration: it stops working after a successful install or at `expiresAt` (7 days unless `expiresIn` seconds is given). Each call creates a new link; only a hash of its token is stored.',
    errors: [404],
    handler: async ({ caller, params, query, reply }) => {
      const user = await ctx.users.require(caller.env, params.userId);
      if (!ctx.definitions.current.integration(params.integrationId)) throw notFound('The integration');
      reply.header('cache-control', 'no-store');
      return await ctx.links.create(user.userId, params.integrationId, query.expiresIn ?? DEFAULT_LINK_TTL_SECONDS);
    },
  });
}
