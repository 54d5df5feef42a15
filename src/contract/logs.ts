import * as z from 'zod/mini';
import { MessageResponse, PageQuery, Pagination, Timestamp, UserRef } from './common.js';
import { ObjectId } from './ids.js';

export const MAX_LOGS_PAGE_SIZE = 30;
export const EXECUTION_STATUSES = ['running', 'success', 'error'] as const;
export const BLOCK_RESULT_STATUSES = ['success', 'error', 'skipped'] as const;
/** How an execution started (the docs' `executionMode` values that apply here). */
export const EXECUTION_MODES = ['trigger', 'webhook', 'manual', 'retry', 'internal'] as const;
export type ExecutionMode = (typeof EXECUTION_MODES)[number];

/** A log list's `nextCursor`, passed back as `cursor` for the next page (keyset paging). */
const LogCursorQuery = /* @__PURE__ */ z
  .string()
  .check(z.regex(/^[\w-]{1,300}$/, 'cursor must be a nextCursor this API returned'));

export const WorkflowLogsQuery = z.strictObject({
  userId: z.optional(UserRef),
  page: z.optional(PageQuery),
  /** The `nextCursor` of the previous page: the next page by keyset, however deep (instead of `page`). */
  cursor: z.optional(LogCursorQuery),
  limit: z.optional(/* @__PURE__ */ z.coerce.number().check(z.int(), z.minimum(1), z.maximum(MAX_LOGS_PAGE_SIZE))),
  order: z.optional(z.enum(['asc', 'desc'])),
});

/** A block's name in the workflow version that ran (null once that version is no longer defined). */
const BlockName = z.nullable(z.string());

export const BlockInput = z.object({
  blockId: z.string(),
  blockName: BlockName,
  connectorId: z.string(),
  data: z.unknown(),
});

export const BlockResult = z.object({
  blockId: z.string(),
  /** The block's name, e.g. `Demo Store: Update Order Status`. */
  blockName: BlockName,
  blockType: z.string(),
  /** The block's connector (e.g. `demoStore`), or its type for built-in blocks (e.g. `streamData`). */
  connectorId: z.string(),
  status: z.enum(BLOCK_RESULT_STATUSES),
  startedAt: Timestamp,
  stoppedAt: z.nullable(Timestamp),
  data: z.array(z.object({ json: z.unknown() })),
  error: z.nullable(z.string()),
});

/** One workflow run with each block's input, output, timing and status. */
export const ExecutionLog = z.object({
  executionId: z.string(),
  /**
   * The run that started it: the `eventId` `POST /run/event` answered, or the `runId` of
   * `POST /run/workflow`; null for executions no queued run started.
   */
  runId: z.nullable(z.string()),
  workflowId: z.string(),
  integrationId: z.string(),
  userId: z.string(),
  version: z.number(),
  mode: z.enum(EXECUTION_MODES),
  status: z.enum(EXECUTION_STATUSES),
  finished: z.boolean(),
  startedAt: Timestamp,
  stoppedAt: z.nullable(Timestamp),
  inputs: z.array(BlockInput),
  results: z.array(BlockResult),
});
export type ExecutionLog = z.infer<typeof ExecutionLog>;

export const WorkflowLogsResponse = z.object({
  data: z.array(ExecutionLog),
  pagination: Pagination,
  /** Present when more executions follow: pass it as `cursor` for the next page. */
  nextCursor: z.optional(z.string()),
});
export type WorkflowLogsResponse = z.infer<typeof WorkflowLogsResponse>;

/** Days `GET /workflows/:workflowId/analytics` covers at most; by default 30. */
export const MAX_ANALYTICS_DAYS = 90;

export const WorkflowAnalyticsQuery = z.strictObject({
  userId: z.optional(UserRef),
  days: z.optional(
    /* @__PURE__ */ z.coerce
      .number()
      .check(
        z.int(),
        z.minimum(1),
        z.maximum(MAX_ANALYTICS_DAYS),
        z.describe('How many UTC days back, today included (default 30)'),
      ),
  ),
});

const RunCounts = {
  /** Executions started in the period, finished or not. */
  runs: z.number(),
  successes: z.number(),
  failures: z.number(),
  /** Started and not finished yet. */
  running: z.number(),
};

/** A workflow's runs over the last `days` UTC days, from the executions kept (the log retention period). */
export const WorkflowAnalyticsResponse = z.object({
  data: z.object({
    workflowId: z.string(),
    /** The user the counts are for, or null for every user of the environment. */
    userId: z.nullable(z.string()),
    /** First and last UTC day counted, `YYYY-MM-DD`. */
    from: z.string(),
    to: z.string(),
    ...RunCounts,
    /** Share of finished runs that succeeded (0..1), null when none finished. */
    successRate: z.nullable(z.number()),
    /** One entry per UTC day, oldest first, days without runs included. */
    days: z.array(z.object({ date: z.string(), ...RunCounts })),
  }),
});
export type WorkflowAnalyticsResponse = z.infer<typeof WorkflowAnalyticsResponse>;

export const WorkflowErrorsQuery = z.strictObject({
  userId: z.optional(UserRef),
  page: z.optional(PageQuery),
  limit: z.optional(/* @__PURE__ */ z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
});

/** The documented error entry, plus the execution and user it belongs to. */
export const WorkflowError = z.object({
  workflowId: z.string(),
  /** The failing block's connector, e.g. `demoStore` (the docs show `shopify`, `bigcommerce`). */
  block: z.string(),
  /** The failing block's id and name in the workflow version that ran (null when unknown). */
  blockId: z.nullable(z.string()),
  blockName: BlockName,
  errorOccurredAt: Timestamp,
  message: z.string(),
  executionId: z.string(),
  userId: z.string(),
});
export type WorkflowError = z.infer<typeof WorkflowError>;
export const WorkflowErrorsResponse = z.object({ data: z.array(WorkflowError) });
export type WorkflowErrorsResponse = z.infer<typeof WorkflowErrorsResponse>;

export const LOG_FILTER_COLUMNS = [
  'message',
  'data.executionId',
  'forgeWorkflowId',
  'createdAt',
  'userId',
  'forgeWorkflow.integrationId._id',
  'workflowVersion',
] as const;
export const LOG_FILTER_OPERATORS = [
  'equals',
  'notequals',
  'greaterthan',
  'lessthan',
  'contains',
  'notcontains',
] as const;
export const LOG_SORT_FIELDS = ['createdAt', 'completedAt', 'message', 'userId'] as const;

/** One entry of `GET /logs?filters=` (a JSON array), in the documented shape. */
export const LogFilter = z.strictObject({
  columns: z.strictObject({ value: z.enum(LOG_FILTER_COLUMNS) }),
  operators: z.strictObject({ value: z.enum(LOG_FILTER_OPERATORS) }),
  userinput: z.strictObject({ value: z.union([/* @__PURE__ */ z.string().check(z.maxLength(500)), z.number()]) }),
  /** How this filter joins the ones before it; `and` when absent. */
  condition: z.optional(z.strictObject({ value: z.enum(['and', 'or']) })),
});
export type LogFilter = z.infer<typeof LogFilter>;
export const LogFilters = /* @__PURE__ */ z.array(LogFilter).check(z.maxLength(20));

export const LogSearchQuery = z.strictObject({
  /** A JSON array of filters (see `LogFilter`), URL-encoded. */
  filters: z.optional(/* @__PURE__ */ z.string().check(z.maxLength(20_000))),
  workflowId: z.optional(ObjectId),
  /** A userId or username. */
  associatedUserId: z.optional(UserRef),
  skip: z.optional(/* @__PURE__ */ z.coerce.number().check(z.int(), z.minimum(0), z.maximum(10_000_000))),
  /** The `nextCursor` of the previous page (sorted by `createdAt`): the next page by keyset, instead of `skip`. */
  cursor: z.optional(LogCursorQuery),
  limit: z.optional(/* @__PURE__ */ z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  sortBy: z.optional(z.enum(LOG_SORT_FIELDS)),
  sortOrder: z.optional(z.enum(['asc', 'desc'])),
});

/** An execution as `GET /logs` lists it (the docs' "notification" shape). */
export const LogNotification = z.object({
  _id: z.string(),
  /** `executionSuccess`, `executionError` or `executionRunning`. */
  message: z.string(),
  data: z.object({ executionId: z.string(), executionUuid: z.string() }),
  startedAt: Timestamp,
  completedAt: z.nullable(Timestamp),
  createdAt: Timestamp,
  workflowVersion: z.number(),
  forgeWorkflowId: z.string(),
  workflowId: z.string(),
  userId: z.string(),
  /** Null once the user was deleted (logs outlive users until `DELETE /users/:userId/logs`). */
  user: z.nullable(z.object({ email: z.string(), fullName: z.nullable(z.string()) })),
  forgeWorkflow: z.nullable(
    z.object({
      name: z.string(),
      integrationId: z.object({ _id: z.string(), name: z.string(), icon: z.string() }),
    }),
  ),
});
export type LogNotification = z.infer<typeof LogNotification>;

export const LogSearchResponse = z.object({
  notifications: z.array(LogNotification),
  lastFetched: Timestamp,
  pagination: Pagination,
  /** With `sortBy=createdAt` (the default), present when more follow: pass it as `cursor` for the next page. */
  nextCursor: z.optional(z.string()),
});
export type LogSearchResponse = z.infer<typeof LogSearchResponse>;

export const ExecutionParams = z.strictObject({ executionId: ObjectId });
export const ExecutionResponse = z.object({ data: ExecutionLog });

export const DeleteUserLogsResponse = MessageResponse;
