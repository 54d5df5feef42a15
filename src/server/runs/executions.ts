import type {
  ExecutionLog,
  ExecutionMode,
  LogFilter,
  LogNotification,
  LogSearchResponse,
  Pagination,
  WorkflowAnalyticsResponse,
  WorkflowError,
} from '../../contract/index.js';
import type { LOG_SORT_FIELDS } from '../../contract/index.js';
import { inTransaction, nowIso, type Conn, type Database } from '../platform/db/index.js';
import type { DefinitionSet } from '../definitions/index.js';
import * as z from 'zod/mini';
import { DomainError, notFound } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { SecretMask } from './secret-mask.js';
import type { Environment, UserRecord, UserService } from '../users/index.js';
import {
  appendBlock,
  blocksOfExecution,
  blocksOfExecutions,
  checkpointLog,
  deleteExecutionsForUser,
  deleteFinishedRunsForUser,
  executionForRun,
  executionSummary,
  executionsPerDay,
  failedExecutions,
  findExecution,
  finishExecution,
  hasExecutionsFor,
  insertExecution,
  runningExecutionsOfRun,
  searchExecutions,
  workflowExecutionPage,
  type BlockRow,
  type ExecutionKey,
  type ExecutionRow,
} from './repository.js';

/**
 * A log list's keyset cursor: where the previous page ended (its sort key and id), the position
 * of the next page (its page number, or rows to skip for GET /logs) so the pagination block stays
 * what page paging gives, and the direction. Opaque to clients (base64url JSON), checked on the way in.
 */
const LogCursor = z.tuple([
  z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/)),
  z.string().check(z.regex(/^[0-9a-f]{24}$/)),
  z.number().check(z.int(), z.minimum(0), z.maximum(1_000_000_000)),
  z.enum(['asc', 'desc']),
]);
export interface LogCursor {
  after: ExecutionKey;
  position: number;
  order: 'asc' | 'desc';
}

function encodeLogCursor(cursor: LogCursor): string {
  return Buffer.from(JSON.stringify([cursor.after.at, cursor.after.id, cursor.position, cursor.order])).toString(
    'base64url',
  );
}

const badCursor = (message: string): DomainError =>
  new DomainError('validation_failed', `Invalid request query. cursor: ${message}.`, [{ path: ['cursor'], message }]);

/** Reads a `nextCursor` this API returned; `order`, when the query also gives one, must agree with it. */
export function decodeLogCursor(cursor: string, order: 'asc' | 'desc' | undefined): LogCursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const parsed = LogCursor.safeParse(decoded);
  if (!parsed.success) throw badCursor('not a nextCursor this API returned');
  const [at, id, position, cursorOrder] = parsed.data;
  if (order !== undefined && order !== cursorOrder) throw badCursor('was made for the other order');
  return { after: { at, id }, position, order: cursorOrder };
}

/** What the runtime records when a run starts. */
export interface ExecutionStart {
  env: Environment;
  userId: string;
  workflowId: string;
  version: number;
  integrationId: string;
  /** The `run_queue` entry that caused it, if any. */
  runId?: string | null;
  mode: ExecutionMode;
  startedAt?: string;
}

/** One block's part of a run. */
export interface BlockRecord {
  blockId: string;
  blockType: string;
  connector: string | null;
  status: 'success' | 'error' | 'skipped';
  input: unknown;
  output: unknown;
  error?: string | null;
  startedAt: string;
  stoppedAt: string | null;
}

export interface ExecutionFinish {
  status: 'success' | 'error';
  stoppedAt?: string;
  errorBlockId?: string | null;
  errorMessage?: string | null;
}

const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export interface LogSearch {
  filters: LogFilter[];
  workflowId?: string | undefined;
  userId?: string | undefined;
  skip: number;
  /** Sorted by createdAt: the page after a `nextCursor` (keyset), instead of `skip`. */
  cursor?: LogCursor | undefined;
  limit: number;
  sortBy: (typeof LOG_SORT_FIELDS)[number];
  sortOrder: 'asc' | 'desc';
}

/**
 * Workflow executions: the runtime writes them through `start`/`recordBlock`/`finish`; the logs,
 * errors and compliance endpoints read and delete them. Every read is scoped to an environment.
 * Writes take an optional `conn` so the executor can group them in its transaction.
 */
export class ExecutionStore {
  constructor(
    private readonly database: Database,
    private readonly definitions: () => DefinitionSet,
    private readonly absoluteUrl: (pathOrUrl: string) => string,
    /** The users module: the names shown next to each logged execution. */
    private readonly users: Pick<UserService, 'namesOf'>,
  ) {}

  async start(input: ExecutionStart, conn: Conn = this.database): Promise<string> {
    const id = newId();
    const startedAt = input.startedAt ?? nowIso();
    await insertExecution(conn, {
      id,
      env: input.env,
      userId: input.userId,
      workflowId: input.workflowId,
      version: input.version,
      integrationId: input.integrationId,
      runId: input.runId ?? null,
      mode: input.mode,
      startedAt,
    });
    return id;
  }

  /**
   * Stores one block's outcome after the ones already recorded (its position is taken by the
   * insert itself). With `mask`, every string of its input, output and error has the run's
   * secrets replaced first: logs are read by the ISV and their support staff.
   */
  async recordBlock(
    executionId: string,
    block: BlockRecord,
    mask?: SecretMask,
    conn: Conn = this.database,
  ): Promise<number> {
    const input = mask ? mask.value(block.input) : block.input;
    const output = mask ? mask.value(block.output) : block.output;
    const error = typeof block.error === 'string' && mask ? mask.text(block.error) : block.error;
    return appendBlock(conn, {
      execution_id: executionId,
      block_id: block.blockId,
      block_type: block.blockType,
      connector: block.connector,
      status: block.status,
      input: input === undefined ? null : JSON.stringify(input),
      output: output === undefined ? null : JSON.stringify(output),
      error: error ?? null,
      started_at: block.startedAt,
      stopped_at: block.stoppedAt,
    });
  }

  async finish(executionId: string, result: ExecutionFinish, conn: Conn = this.database): Promise<void> {
    await finishExecution(conn, executionId, {
      status: result.status,
      stoppedAt: result.stoppedAt ?? nowIso(),
      errorBlockId: result.errorBlockId ?? null,
      errorMessage: result.errorMessage ?? null,
    });
  }

  /** The execution a run started for a workflow, if any (a resumed run continues it). */
  forRun(
    runId: string,
    workflowId: string,
    conn: Conn = this.database,
  ): Promise<{ id: string; status: ExecutionRow['status']; version: number } | undefined> {
    return executionForRun(conn, runId, workflowId);
  }

  /** Running executions of a run (a resumed run finishes them even if their workflow no longer listens). */
  runningForRun(
    runId: string,
    conn: Conn = this.database,
  ): Promise<{ id: string; workflowId: string; version: number }[]> {
    return runningExecutionsOfRun(conn, runId);
  }

  /** What the runtime recorded so far for one execution, in order, with outputs parsed. */
  async recordedBlocks(
    executionId: string,
    conn: Conn = this.database,
  ): Promise<{ blockId: string; status: BlockRow['status']; input: unknown; output: unknown }[]> {
    const rows = await blocksOfExecution(conn, executionId);
    return rows.map((r) => ({
      blockId: r.block_id,
      status: r.status,
      input: parseJson(r.input),
      output: parseJson(r.output),
    }));
  }

  /** The raw row of one execution of the environment, for reruns. */
  summary(
    env: Environment,
    executionId: string,
    conn: Conn = this.database,
  ): Promise<
    { id: string; userId: string; workflowId: string; version: number; status: ExecutionRow['status'] } | undefined
  > {
    return executionSummary(conn, env, executionId);
  }

  /**
   * The name the definitions give a block of a workflow version (the trigger's or an action's),
   * or null once that version or block is no longer defined (logs outlive reloads).
   */
  private blockName(workflowId: string, version: number, blockId: string | null): string | null {
    if (blockId === null) return null;
    const defined = this.definitions()
      .workflow(workflowId)
      ?.workflow.versions.find((v) => v.version === version);
    if (!defined) return null;
    if (defined.trigger.id === blockId) return defined.trigger.name;
    return defined.blocks.find((b) => b.id === blockId)?.name ?? null;
  }

  private toLog(row: ExecutionRow, blocks: BlockRow[]): ExecutionLog {
    const nameOf = (blockId: string) => this.blockName(row.workflow_id, row.workflow_version, blockId);
    return {
      executionId: row.id,
      runId: row.run_id,
      workflowId: row.workflow_id,
      integrationId: row.integration_id,
      userId: row.user_id,
      version: row.workflow_version,
      mode: row.mode,
      status: row.status,
      finished: row.status !== 'running',
      startedAt: row.started_at,
      stoppedAt: row.stopped_at,
      inputs: blocks
        .filter((b) => b.input !== null)
        .map((b) => ({
          blockId: b.block_id,
          blockName: nameOf(b.block_id),
          connectorId: b.connector ?? b.block_type,
          data: parseJson(b.input),
        })),
      results: blocks.map((b) => ({
        blockId: b.block_id,
        blockName: nameOf(b.block_id),
        blockType: b.block_type,
        connectorId: b.connector ?? b.block_type,
        status: b.status,
        startedAt: b.started_at,
        stoppedAt: b.stopped_at,
        data: b.output === null ? [] : [{ json: parseJson(b.output) }],
        error: b.error,
      })),
    };
  }

  /**
   * One page of a workflow's executions (all users of the environment, or one): page `page`, or
   * the page after `cursor` (a keyset seek, as cheap on page 10,000 as on page 1). `nextCursor`
   * names the next page while there is one.
   */
  async workflowLogs(
    env: Environment,
    workflowId: string,
    userId: string | undefined,
    paging: { page: number; cursor?: LogCursor | undefined; order: 'asc' | 'desc' },
    limit: number,
  ): Promise<{ data: ExecutionLog[]; pagination: Pagination; nextCursor?: string }> {
    const { cursor } = paging;
    const page = cursor ? cursor.position : paging.page;
    const order = cursor ? cursor.order : paging.order;
    const { total, rows } = await workflowExecutionPage(
      this.database,
      { env, workflowId, userId },
      { limit, offset: (page - 1) * limit, order, after: cursor?.after },
    );
    const blocks = await blocksOfExecutions(
      this.database,
      rows.map((r) => r.id),
    );
    const last = rows[rows.length - 1];
    const more = last !== undefined && rows.length === limit && page * limit < total;
    return {
      data: rows.map((r) => this.toLog(r, blocks.get(r.id)!)),
      pagination: { currentPage: page, pageSize: limit, totalItems: total, totalPages: Math.ceil(total / limit) },
      ...(more
        ? { nextCursor: encodeLogCursor({ after: { at: last.started_at, id: last.id }, position: page + 1, order }) }
        : {}),
    };
  }

  /**
   * A workflow's runs, successes and failures per UTC day over the last `days` days (today
   * included), counted from the executions kept: older ones are gone with the log retention.
   */
  async workflowAnalytics(
    env: Environment,
    workflowId: string,
    userId: string | undefined,
    days: number,
    now: Date = new Date(),
  ): Promise<WorkflowAnalyticsResponse['data']> {
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const dayMs = 24 * 60 * 60 * 1000;
    const dates = Array.from({ length: days }, (_, i) =>
      new Date(today - (days - 1 - i) * dayMs).toISOString().slice(0, 10),
    );
    const rows = await executionsPerDay(this.database, { env, workflowId, userId }, dates[0]!);
    const byDate = new Map(rows.map((r) => [r.date, r]));
    const perDay = dates.map((date) => {
      const row = byDate.get(date);
      return {
        date,
        runs: row?.runs ?? 0,
        successes: row?.successes ?? 0,
        failures: row?.failures ?? 0,
        running: row?.running ?? 0,
      };
    });
    const total = (key: 'runs' | 'successes' | 'failures' | 'running'): number =>
      perDay.reduce((sum, day) => sum + day[key], 0);
    const successes = total('successes');
    const failures = total('failures');
    return {
      workflowId,
      userId: userId ?? null,
      from: dates[0]!,
      to: dates[dates.length - 1]!,
      runs: total('runs'),
      successes,
      failures,
      running: total('running'),
      successRate: successes + failures === 0 ? null : successes / (successes + failures),
      days: perDay,
    };
  }

  /** A workflow's failed executions, newest first, in the documented error shape. */
  async workflowErrors(
    env: Environment,
    workflowId: string,
    userId: string | undefined,
    page: number,
    limit: number,
  ): Promise<WorkflowError[]> {
    const rows = await failedExecutions(
      this.database,
      { env, workflowId, userId },
      { limit, offset: (page - 1) * limit },
    );
    return rows.map((r) => ({
      workflowId: r.workflow_id,
      block: r.connector ?? r.block_type ?? 'workflow',
      blockId: r.error_block_id,
      blockName: this.blockName(r.workflow_id, r.workflow_version, r.error_block_id),
      errorOccurredAt: r.stopped_at ?? r.started_at,
      message: r.error_message ?? 'The execution failed.',
      executionId: r.id,
      userId: r.user_id,
    }));
  }

  async get(env: Environment, executionId: string): Promise<ExecutionLog> {
    const row = await findExecution(this.database, env, executionId);
    if (!row) throw notFound('The execution');
    return this.toLog(row, (await blocksOfExecutions(this.database, [row.id])).get(row.id)!);
  }

  /** `GET /logs`: every workflow's executions with the documented filters, sorting and paging. */
  async search(env: Environment, search: LogSearch): Promise<LogSearchResponse> {
    const { cursor, ...rest } = search;
    const skip = cursor ? cursor.position : search.skip;
    const sortOrder = cursor ? cursor.order : search.sortOrder;
    const { total, rows } = await searchExecutions(this.database, {
      env,
      ...rest,
      skip,
      sortOrder,
      after: cursor?.after,
    });
    // One lookup for the page's users (a deleted user's executions show no user).
    const users = await this.users.namesOf(
      env,
      rows.map((r) => r.user_id),
    );
    const definitions = this.definitions();
    const notifications: LogNotification[] = rows.map((r) => {
      const entry = definitions.workflow(r.workflow_id);
      return {
        _id: r.id,
        message:
          r.status === 'error' ? 'executionError' : r.status === 'success' ? 'executionSuccess' : 'executionRunning',
        data: { executionId: r.id, executionUuid: r.id },
        startedAt: r.started_at,
        completedAt: r.stopped_at,
        createdAt: r.created_at,
        workflowVersion: r.workflow_version,
        forgeWorkflowId: r.workflow_id,
        workflowId: r.workflow_id,
        userId: r.user_id,
        user: userOf(users.get(r.user_id)),
        forgeWorkflow: entry
          ? {
              name: entry.workflow.name,
              integrationId: {
                _id: entry.integration.integrationId,
                name: entry.integration.name,
                icon: this.absoluteUrl(entry.integration.icon),
              },
            }
          : null,
      };
    });
    const last = rows[rows.length - 1];
    const more =
      search.sortBy === 'createdAt' &&
      last !== undefined &&
      rows.length === search.limit &&
      skip + search.limit < total;
    return {
      notifications,
      lastFetched: nowIso(),
      pagination: {
        currentPage: Math.floor(skip / search.limit) + 1,
        pageSize: search.limit,
        totalItems: total,
        totalPages: Math.ceil(total / search.limit),
      },
      ...(more
        ? {
            nextCursor: encodeLogCursor({
              after: { at: last.created_at, id: last.id },
              position: skip + search.limit,
              order: sortOrder,
            }),
          }
        : {}),
    };
  }

  /**
   * GDPR/CCPA erasure: the user's executions (with every block's data) and their finished queue
   * entries. `secure_delete` overwrites the freed pages and the WAL is checkpointed and
   * truncated, so the data does not linger on disk either.
   */
  async deleteForUser(env: Environment, userId: string): Promise<{ executions: number; runs: number }> {
    const result = await inTransaction(this.database, async (trx) => ({
      executions: await deleteExecutionsForUser(trx, env, userId),
      runs: await deleteFinishedRunsForUser(trx, env, userId),
    }));
    await checkpointLog(this.database);
    return result;
  }

  hasLogsFor(env: Environment, userId: string): Promise<boolean> {
    return hasExecutionsFor(this.database, env, userId);
  }
}

/** The user a log entry shows: their username (as `email`) and full name, or null once deleted. */
function userOf(user: UserRecord | undefined): { email: string; fullName: string | null } | null {
  return user ? { email: user.username, fullName: user.fullName } : null;
}
