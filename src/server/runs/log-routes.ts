import { LogFilters } from '../../contract/index.js';
import { optionalUserId } from '../http/common.js';
import * as endpoints from '../../contract/endpoints.js';
import type { ApiRouter } from '../http/router.js';
import type { AppContext } from '../context.js';
import { toValidationIssues } from '../http/errors.js';
import { DomainError, notFound } from '../platform/errors.js';
import { decodeLogCursor, type LogCursor } from './executions.js';

/** The decoded `cursor` of a log list's query; with `page` (or `skip`) as well, which one is meant is unclear. */
function cursorOf(
  query: { page?: number | undefined; cursor?: string | undefined; order?: 'asc' | 'desc' | undefined },
  pageName = 'page',
): LogCursor | undefined {
  if (query.cursor === undefined) return undefined;
  if (query.page !== undefined) {
    throw new DomainError('validation_failed', `Invalid request query. cursor: give ${pageName} or cursor, not both.`, [
      { path: ['cursor'], message: `give ${pageName} or cursor, not both` },
    ]);
  }
  return decodeLogCursor(query.cursor, query.order);
}

export function logRoutes(api: ApiRouter, ctx: AppContext): void {
  api.add(endpoints.listWorkflowLogs, {
    tag: 'Logs',
    summary: 'A workflow’s executions',
    description:
      'Newest first (or `order=asc`), `limit` at most 30 (default 10). Pages by `page`, or by `cursor`: the `nextCursor` of the page before (present while more follow), a keyset seek that costs the same on any page. For every user of the environment unless `userId` is given (the API key sees all its users; alloy-node’s `getLogs(workflowId)` sends no `userId`), each execution naming its `userId`. Each execution has its blocks’ inputs and results (each with the block’s `blockName`) with timing and status, and the `runId` that started it (the `eventId` of `POST /run/event`). Logs are kept for the retention period (60 days by default).',
    errors: [404],
    handler: async ({ caller, params, query }) => {
      ctx.workflows.resolve({ workflowId: params.workflowId });
      const userId = await optionalUserId(ctx, caller.env, query.userId);
      return ctx.executions.workflowLogs(
        caller.env,
        params.workflowId,
        userId,
        { page: query.page ?? 1, cursor: cursorOf(query), order: query.order ?? 'desc' },
        query.limit ?? 10,
      );
    },
  });

  api.add(endpoints.getWorkflowAnalytics, {
    tag: 'Logs',
    summary: 'A workflow’s runs, successes and failures per day',
    description:
      'Counted from the executions kept (the log retention period, 60 days by default) over the last `days` UTC days, today included (default 30, at most 90), with one entry per day. For every user of the environment unless `userId` is given. alloy-node’s `getAnalytics(workflowId)`.',
    errors: [404],
    handler: async ({ caller, params, query }) => {
      ctx.workflows.resolve({ workflowId: params.workflowId });
      const userId = await optionalUserId(ctx, caller.env, query.userId);
      return {
        data: await ctx.executions.workflowAnalytics(caller.env, params.workflowId, userId, query.days ?? 30),
      };
    },
  });

  api.add(endpoints.listWorkflowErrors, {
    tag: 'Logs',
    summary: 'A workflow’s errors',
    description:
      'Failed executions, newest first: the failing block (`block`, its connector as documented; `blockId` and `blockName` as defined), when and why. For all users of the environment unless `userId` is given; an empty `data` when there are none. `limit` at most 100 (default 100).',
    errors: [404],
    handler: async ({ caller, params, query }) => {
      ctx.workflows.resolve({ workflowId: params.workflowId });
      const userId = await optionalUserId(ctx, caller.env, query.userId);
      return {
        data: await ctx.executions.workflowErrors(
          caller.env,
          params.workflowId,
          userId,
          query.page ?? 1,
          query.limit ?? 100,
        ),
      };
    },
  });

  api.add(endpoints.searchLogs, {
    tag: 'Logs',
    summary: 'Search all executions',
    description:
      '`filters` is a JSON array of `{columns:{value}, operators:{value}, userinput:{value}, condition?:{value:"and"|"or"}}`; columns: message, data.executionId, forgeWorkflowId, createdAt, userId, forgeWorkflow.integrationId._id, workflowVersion; operators: equals, notequals, greaterthan, lessthan, contains, notcontains. Each filter joins the ones before it with its `condition` (and by default). `limit` at most 100 (default 20). Pages by `skip`, or, sorted by `createdAt`, by `cursor`: the `nextCursor` of the page before, a keyset seek that costs the same however deep.',
    handler: async ({ caller, query }) => {
      let filters: unknown = [];
      if (query.filters !== undefined) {
        try {
          filters = JSON.parse(query.filters);
        } catch {
          throw new DomainError('validation_failed', 'Invalid request query. filters: not a JSON array', [
            { path: ['filters'], message: 'must be a JSON array' },
          ]);
        }
      }
      const parsed = LogFilters.safeParse(filters);
      if (!parsed.success) {
        const issues = toValidationIssues(parsed.error.issues, ['filters']);
        throw new DomainError(
          'validation_failed',
          `Invalid request query. ${issues[0]!.path.join('.')}: ${issues[0]!.message}`,
          issues,
        );
      }
      const associated =
        query.associatedUserId === undefined
          ? undefined
          : ((await ctx.users.find(caller.env, query.associatedUserId))?.userId ?? query.associatedUserId);
      const sortBy = query.sortBy ?? 'createdAt';
      if (query.cursor !== undefined && sortBy !== 'createdAt') {
        throw new DomainError('validation_failed', 'Invalid request query. cursor: pages sorted by createdAt only.', [
          { path: ['cursor'], message: 'pages sorted by createdAt only' },
        ]);
      }
      return ctx.executions.search(caller.env, {
        filters: parsed.data,
        workflowId: query.workflowId,
        userId: associated,
        skip: query.skip ?? 0,
        cursor: cursorOf({ page: query.skip, cursor: query.cursor, order: query.sortOrder }, 'skip'),
        limit: query.limit ?? 20,
        sortBy,
        sortOrder: query.sortOrder ?? 'desc',
      });
    },
  });

  api.add(endpoints.getExecution, {
    tag: 'Logs',
    summary: 'One execution',
    errors: [404],
    handler: async ({ caller, params }) => ({ data: await ctx.executions.get(caller.env, params.executionId) }),
  });

  api.add(endpoints.deleteUserLogs, {
    tag: 'Logs',
    summary: 'Erase a user’s logs (GDPR/CCPA)',
    description:
      'Deletes every execution of the user, with all block data, and their finished runs, for good: freed pages are overwritten and the write-ahead log truncated. Works after the user was deleted, by userId.',
    errors: [404],
    handler: async ({ caller, params, query }) => {
      // The 2025-09 reference also lists `userId` as a query parameter; it must name the same user.
      if (query.userId !== undefined && query.userId !== params.userId) {
        throw new DomainError('validation_failed', 'The userId in the query names another user than the path.', [
          { path: ['userId'], message: 'must match the path' },
        ]);
      }
      const user = await ctx.users.find(caller.env, params.userId);
      const userId = user?.userId ?? params.userId;
      if (!user && !(await ctx.executions.hasLogsFor(caller.env, userId))) throw notFound('The user');
      await ctx.executions.deleteForUser(caller.env, userId);
      return { message: 'Success' };
    },
  });
}
