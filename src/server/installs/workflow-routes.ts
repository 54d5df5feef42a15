import * as endpoints from '../../contract/endpoints.js';
import type { ApiRouter } from '../http/router.js';
import { requireIntegrationScope, type Caller } from '../http/auth.js';
import type { AppContext } from '../context.js';
import { resolveUser, optionalUserId } from '../http/common.js';

export function workflowRoutes(api: ApiRouter, ctx: AppContext): void {
  /** The integration a workflow belongs to, for tokens scoped to one (Embedded Link). */
  const integrationOf = (workflowId: string): string | undefined =>
    ctx.definitions.current.workflow(workflowId)?.integration.integrationId;
  /** A scoped token may only touch workflows of its integration (unknown workflows stay 404s). */
  const requireWorkflowScope = (caller: Caller, workflowId: string): void =>
    requireIntegrationScope(caller, ctx.workflows.resolve({ workflowId }).integration.integrationId);

  api.add(endpoints.listUserWorkflows, {
    tag: 'Workflows',
    summary: 'List a user’s installed workflows',
    description: 'With a user token, `userId` may be left out.',
    errors: [403, 404],
    handler: async ({ caller, query }) => {
      const all = await ctx.workflows.list((await resolveUser(ctx, caller, query.userId)).userId);
      const scope = caller.integrationId;
      return { data: scope === undefined ? all : all.filter((w) => integrationOf(w.workflowId) === scope) };
    },
  });

  api.add(endpoints.getUserWorkflow, {
    tag: 'Workflows',
    summary: 'Get a user’s workflow',
    description:
      'The workflow at the version the user installed: trigger, blocks and field values (secret values left out).',
    errors: [403, 404],
    handler: async ({ caller, params, query }) => {
      const user = await resolveUser(ctx, caller, query.userId);
      requireWorkflowScope(caller, params.workflowId);
      return { data: await ctx.workflows.detail(user.userId, params.workflowId) };
    },
  });

  for (const active of [true, false]) {
    api.add(active ? endpoints.activateWorkflow : endpoints.deactivateWorkflow, {
      tag: 'Workflows',
      summary: active ? 'Activate a user’s workflow' : 'Deactivate a user’s workflow',
      description: active
        ? 'Re-enables a workflow the user deactivated. Name it by `workflowId` or `workflowName`.'
        : 'Stops all future runs of the workflow for this user. Name it by `workflowId` or `workflowName`.',
      errors: [403, 404],
      handler: async ({ caller, body }) => {
        const user = await resolveUser(ctx, caller, body.userId);
        const entry = ctx.workflows.resolve(body);
        requireIntegrationScope(caller, entry.integration.integrationId);
        // An app-event trigger subscribes in the app on activate and unsubscribes on deactivate (the service settles).
        await ctx.workflows.setActive(user.userId, entry.workflow.workflowId, active);
        return active ? { activated: true as const } : { deactivated: true as const };
      },
    });
  }

  api.add(endpoints.upgradeUserWorkflow, {
    tag: 'Workflows',
    summary: 'Upgrade a user’s workflow to the latest version',
    description:
      'Keeps the user’s answers. Only possible when the configurable fields and needed connections are unchanged and the saved answers pass the new rules; otherwise 409 `reinstall_required` with the reasons in `issues`.',
    errors: [404, 409],
    handler: async ({ caller, params, query }) => {
      const userId = (await ctx.users.require(caller.env, query.userId)).userId;
      return await ctx.workflows.upgrade(userId, params.workflowId);
    },
  });

  api.add(endpoints.deleteUserWorkflow, {
    tag: 'Workflows',
    summary: 'Delete a user’s workflow',
    description: 'Removes it for this user only; other users and the parent workflow are untouched.',
    errors: [404],
    handler: async ({ caller, params, query }) => {
      const userId = (await ctx.users.require(caller.env, query.userId)).userId;
      await ctx.workflows.remove(userId, params.workflowId);
      return { deleted: true as const };
    },
  });

  api.add(endpoints.listWorkflowVersions, {
    tag: 'Workflows',
    summary: 'List a workflow’s released versions',
    description: 'With `userId`: which one the user runs and which would need a reinstall.',
    errors: [404],
    handler: async ({ caller, params, query }) => {
      const userId = await optionalUserId(ctx, caller.env, query.userId);
      return { data: await ctx.workflows.versions(params.workflowId, userId) };
    },
  });

  api.add(endpoints.listWorkflowUsers, {
    tag: 'Workflows',
    summary: 'List the users of a workflow',
    description: 'With `userId` (as alloy-node sends it), only that user’s entry.',
    errors: [404],
    handler: async ({ caller, params, query }) => {
      const userId = await optionalUserId(ctx, caller.env, query.userId);
      const users = await ctx.workflows.users(caller.env, params.workflowId);
      return { data: userId === undefined ? users : users.filter((u) => u.userId === userId) };
    },
  });
}
