import { DEFAULT_USERS_PAGE_SIZE } from '../../contract/index.js';
import * as endpoints from '../../contract/endpoints.js';
import type { ApiRouter } from '../http/router.js';
import type { AppContext } from '../context.js';
import { issueUserToken } from './user-token.js';

export function userRoutes(api: ApiRouter, ctx: AppContext): void {
  api.add(endpoints.createUser, {
    tag: 'Users',
    summary: 'Create a user',
    description: 'Creates an end user (a tenant of your app). `username` is unique within the environment.',
    errors: [409],
    handler: async ({ caller, body }) => ({
      userId: (await ctx.users.create(caller.env, body.username, body.fullName)).userId,
    }),
  });

  api.add(endpoints.createUsersBatch, {
    tag: 'Users',
    summary: 'Create up to 1000 users',
    description:
      'Creates every valid entry; the others come back in `invalidUsers` as sent, with their `index` and a `reason` (bad shape, duplicate in the batch, username taken).',
    handler: ({ caller, body }) => ctx.users.createBatch(caller.env, body.users),
  });

  api.add(endpoints.listUsers, {
    tag: 'Users',
    summary: 'List users',
    description:
      'The users of the environment in creation order; with `parentWorkflowId`, only those who installed that workflow. ' +
      `Pages of \`limit\` users (default ${DEFAULT_USERS_PAGE_SIZE}, the most): when more follow, \`nextCursor\` is set; ` +
      'pass it back as `cursor` for the next page.',
    errors: [404],
    handler: ({ caller, query }) => {
      if (query.parentWorkflowId !== undefined) ctx.workflows.resolve({ workflowId: query.parentWorkflowId });
      return ctx.users.list(caller.env, {
        parentWorkflowId: query.parentWorkflowId,
        limit: query.limit ?? DEFAULT_USERS_PAGE_SIZE,
        cursor: query.cursor,
      });
    },
  });

  api.add(endpoints.getUser, {
    tag: 'Users',
    summary: 'Get a user by userId or username',
    errors: [404],
    handler: ({ caller, params }) => ctx.users.require(caller.env, params.userId),
  });

  api.add(endpoints.updateUser, {
    tag: 'Users',
    summary: 'Update a user',
    description: '`fullName: null` clears the full name.',
    errors: [404, 409],
    handler: ({ caller, params, body }) => ctx.users.update(caller.env, params.userId, body),
  });

  api.add(endpoints.deleteUser, {
    tag: 'Users',
    summary: 'Delete a user',
    description:
      'Deletes the user with their installations, credentials, pending runs and links. Logs are kept until `DELETE /users/{userId}/logs`.',
    errors: [404],
    handler: async ({ caller, params }) => {
      const user = await ctx.users.require(caller.env, params.userId);
      // Webhook subscriptions in apps go first, while the user's credentials can still remove them.
      await ctx.runtime.triggers.releaseUser(user.userId);
      await ctx.users.delete(caller.env, user.userId);
      return { success: true as const };
    },
  });

  api.add(endpoints.deactivateUserWorkflows, {
    tag: 'Users',
    summary: "Deactivate all of a user's workflows",
    description: 'Pauses the account: no workflow of this user runs until activated again.',
    errors: [404],
    handler: async ({ caller, params }) => {
      const userId = (await ctx.users.require(caller.env, params.userId)).userId;
      // The installs service settles the user's app triggers once the change commits.
      await ctx.workflows.deactivateAll(userId);
      return { message: 'Success' };
    },
  });

  for (const endpoint of [endpoints.getUserToken, endpoints.getUserTokenLegacy]) {
    api.add(endpoint, {
      tag: 'Users',
      summary: endpoint.path.startsWith('/user/') ? 'Issue a user token (legacy path)' : 'Issue a user token',
      description:
        'A JWT (HS256, 1 hour) for the browser SDK, sent as `x-alloy-user-token`. A stray `?userId` (alloy-python) is tolerated.',
      errors: [404],
      handler: async ({ caller, params }) => {
        const user = await ctx.users.require(caller.env, params.userId);
        return { token: await issueUserToken(ctx.secrets.jwtSecret, { userId: user.userId, env: caller.env }) };
      },
    });
  }
}
