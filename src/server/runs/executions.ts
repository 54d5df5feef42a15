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
import type { Db } from '../platform/db/sqlite.js';
import { nowIso } from '../platform/db/sqlite.js';
import type { DefinitionSet } from '../definitions/definitions.js';
import { DomainError, notFound } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { SecretMask } from './secret-mask.js';
import type { Environment } from '../users/index.js';

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

interface ExecutionRow {
  id: string;
  env: Environment;
  user_id: string;
  workflow_id: string;
  workflow_version: number;
  integration_id: string;
  mode: ExecutionMode;
  status: 'running' | 'success' | 'error';
  started_at: string;
  stopped_at: string | null;
  error_block_id: string | null;
  error_message: string | null;
  created_at: string;
}

interface BlockRow {
  execution_id: string;
  position: number;
  block_id: string;
  block_type: string;
  connector: string | null;
  status: 'success' | 'error' | 'skipped';
  input: string | null;
  output: string | null;
  error: string | null;
  started_at: string;
  stopped_at: string | null;
}

const EXECUTION_COLUMNS =
  'e.id, e.env, e.user_id, e.workflow_id, e.workflow_version, e.integration_id, e.mode, e.status, e.started_at, e.stopped_at, e.error_block_id, e.error_message, e.created_at';
const MESSAGE_SQL =
  "(CASE e.status WHEN 'error' THEN 'executionError' WHEN 'success' THEN 'executionSuccess' ELSE 'executionRunning' END)";

const FILTER_COLUMNS: Record<LogFilter['columns']['value'], { sql: string; kind: 'text' | 'number' | 'date' }> = {
  message: { sql: MESSAGE_SQL, kind: 'text' },
  'data.executionId': { sql: 'e.id', kind: 'text' },
  forgeWorkflowId: { sql: 'e.workflow_id', kind: 'text' },
  createdAt: { sql: 'e.created_at', kind: 'date' },
  userId: { sql: 'e.user_id', kind: 'text' },
  'forgeWorkflow.integrationId._id': { sql: 'e.integration_id', kind: 'text' },
  workflowVersion: { sql: 'e.workflow_version', kind: 'number' },
};
const SORT_COLUMNS: Record<(typeof LOG_SORT_FIELDS)[number], string> = {
  createdAt: 'e.created_at',
  completedAt: 'e.stopped_at',
  message: MESSAGE_SQL,
  userId: 'e.user_id',
};

const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export interface LogSearch {
  filters: LogFilter[];
  workflowId?: string | undefined;
  userId?: string | undefined;
  skip: number;
  limit: number;
  sortBy: (typeof LOG_SORT_FIELDS)[number];
  sortOrder: 'asc' | 'desc';
}

/**
 * Workflow executions: the runtime writes them through `start`/`recordBlock`/`finish`; the logs,
 * errors and compliance endpoints read and delete them. Every read is scoped to an environment.
 */
export class ExecutionStore {
  constructor(
    private readonly db: Db,
    private readonly definitions: () => DefinitionSet,
    private readonly absoluteUrl: (pathOrUrl: string) => string,
  ) {}

  start(input: ExecutionStart): string {
    const id = newId();
    const startedAt = input.startedAt ?? nowIso();
    this.db
      .prepare(
        `INSERT INTO executions (id, env, user_id, workflow_id, workflow_version, integration_id, run_id, mode, status, started_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
      )
      .run(
        id,
        input.env,
        input.userId,
        input.workflowId,
        input.version,
        input.integrationId,
        input.runId ?? null,
        input.mode,
        startedAt,
        startedAt,
      );
    return id;
  }

  /**
   * Stores one block's outcome. With `mask`, every string of its input, output and error has the
   * run's secrets replaced first: logs are read by the ISV and their support staff.
   */
  recordBlock(executionId: string, block: BlockRecord, mask?: SecretMask): void {
    const input = mask ? mask.value(block.input) : block.input;
    const output = mask ? mask.value(block.output) : block.output;
    const error = typeof block.error === 'string' && mask ? mask.text(block.error) : block.error;
    this.db
      .prepare(
        `INSERT INTO execution_blocks (execution_id, position, block_id, block_type, connector, status, input, output, error, started_at, stopped_at)
         VALUES (?, (SELECT COUNT(*) FROM execution_blocks WHERE execution_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        executionId,
        executionId,
        block.blockId,
        block.blockType,
        block.connector,
        block.status,
        input === undefined ? null : JSON.stringify(input),
        output === undefined ? null : JSON.stringify(output),
        error ?? null,
        block.startedAt,
        block.stoppedAt,
      );
  }

  finish(executionId: string, result: ExecutionFinish): void {
    this.db
      .prepare('UPDATE executions SET status = ?, stopped_at = ?, error_block_id = ?, error_message = ? WHERE id = ?')
      .run(
        result.status,
        result.stoppedAt ?? nowIso(),
        result.errorBlockId ?? null,
        result.errorMessage ?? null,
        executionId,
      );
  }

  /** The execution a run started for a workflow, if any (a resumed run continues it). */
  forRun(
    runId: string,
    workflowId: string,
  ): { id: string; status: ExecutionRow['status']; version: number } | undefined {
    return this.db
      .prepare('SELECT id, status, workflow_version AS version FROM executions WHERE run_id = ? AND workflow_id = ?')
      .get(runId, workflowId) as { id: string; status: ExecutionRow['status']; version: number } | undefined;
  }

  /** Running executions of a run (a resumed run finishes them even if their workflow no longer listens). */
  runningForRun(runId: string): { id: string; workflowId: string; version: number }[] {
    return this.db
      .prepare(
        "SELECT id, workflow_id AS workflowId, workflow_version AS version FROM executions WHERE run_id = ? AND status = 'running'",
      )
      .all(runId) as { id: string; workflowId: string; version: number }[];
  }

  /** What the runtime recorded so far for one execution, in order, with outputs parsed. */
  recordedBlocks(
    executionId: string,
  ): { blockId: string; status: BlockRow['status']; input: unknown; output: unknown }[] {
    const rows = this.db
      .prepare('SELECT block_id, status, input, output FROM execution_blocks WHERE execution_id = ? ORDER BY position')
      .all(executionId) as Pick<BlockRow, 'block_id' | 'status' | 'input' | 'output'>[];
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
  ): { id: string; userId: string; workflowId: string; version: number; status: ExecutionRow['status'] } | undefined {
    return this.db
      .prepare(
        'SELECT id, user_id AS userId, workflow_id AS workflowId, workflow_version AS version, status FROM executions WHERE env = ? AND id = ?',
      )
      .get(env, executionId) as
      { id: string; userId: string; workflowId: string; version: number; status: ExecutionRow['status'] } | undefined;
  }

  private blocksOf(executionIds: string[]): Map<string, BlockRow[]> {
    const byExecution = new Map<string, BlockRow[]>(executionIds.map((id) => [id, []]));
    if (executionIds.length === 0) return byExecution;
    const rows = this.db
      .prepare(
        `SELECT * FROM execution_blocks WHERE execution_id IN (SELECT value FROM json_each(?)) ORDER BY execution_id, position`,
      )
      .all(JSON.stringify(executionIds)) as BlockRow[];
    for (const row of rows) byExecution.get(row.execution_id)!.push(row);
    return byExecution;
  }

  private toLog(row: ExecutionRow, blocks: BlockRow[]): ExecutionLog {
    return {
      executionId: row.id,
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
        .map((b) => ({ blockId: b.block_id, connectorId: b.connector ?? b.block_type, data: parseJson(b.input) })),
      results: blocks.map((b) => ({
        blockId: b.block_id,
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

  /** One page of a workflow's executions (all users of the environment, or one). */
  workflowLogs(
    env: Environment,
    workflowId: string,
    userId: string | undefined,
    page: number,
    limit: number,
    order: 'asc' | 'desc',
  ): { data: ExecutionLog[]; pagination: Pagination } {
    const where = 'e.env = @env AND e.workflow_id = @workflowId AND (@userId IS NULL OR e.user_id = @userId)';
    const params = { env, workflowId, userId: userId ?? null };
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM executions e WHERE ${where}`).get(params) as { n: number }
    ).n;
    const direction = order === 'asc' ? 'ASC' : 'DESC';
    const rows = this.db
      .prepare(
        `SELECT ${EXECUTION_COLUMNS} FROM executions e WHERE ${where}
         ORDER BY e.started_at ${direction}, e.id ${direction} LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params, limit, offset: (page - 1) * limit }) as ExecutionRow[];
    const blocks = this.blocksOf(rows.map((r) => r.id));
    return {
      data: rows.map((r) => this.toLog(r, blocks.get(r.id)!)),
      pagination: { currentPage: page, pageSize: limit, totalItems: total, totalPages: Math.ceil(total / limit) },
    };
  }

  /**
   * A workflow's runs, successes and failures per UTC day over the last `days` days (today
   * included), counted from the executions kept: older ones are gone with the log retention.
   */
  workflowAnalytics(
    env: Environment,
    workflowId: string,
    userId: string | undefined,
    days: number,
    now: Date = new Date(),
  ): WorkflowAnalyticsResponse['data'] {
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const dayMs = 24 * 60 * 60 * 1000;
    const dates = Array.from({ length: days }, (_, i) =>
      new Date(today - (days - 1 - i) * dayMs).toISOString().slice(0, 10),
    );
    const rows = this.db
      .prepare(
        `SELECT substr(started_at, 1, 10) AS date, COUNT(*) AS runs,
                SUM(status = 'success') AS successes, SUM(status = 'error') AS failures, SUM(status = 'running') AS running
         FROM executions
         WHERE env = @env AND workflow_id = @workflowId AND (@userId IS NULL OR user_id = @userId) AND started_at >= @from
         GROUP BY date`,
      )
      .all({ env, workflowId, userId: userId ?? null, from: dates[0] }) as {
      date: string;
      runs: number;
      successes: number;
      failures: number;
      running: number;
    }[];
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
  workflowErrors(
    env: Environment,
    workflowId: string,
    userId: string | undefined,
    page: number,
    limit: number,
  ): WorkflowError[] {
    const rows = this.db
      .prepare(
        `SELECT e.id, e.user_id, e.workflow_id, e.started_at, e.stopped_at, e.error_message, b.connector, b.block_type
         FROM executions e
         LEFT JOIN execution_blocks b ON b.execution_id = e.id AND b.block_id = e.error_block_id
         WHERE e.env = @env AND e.workflow_id = @workflowId AND e.status = 'error' AND (@userId IS NULL OR e.user_id = @userId)
         ORDER BY COALESCE(e.stopped_at, e.started_at) DESC, e.id DESC LIMIT @limit OFFSET @offset`,
      )
      .all({ env, workflowId, userId: userId ?? null, limit, offset: (page - 1) * limit }) as {
      id: string;
      user_id: string;
      workflow_id: string;
      started_at: string;
      stopped_at: string | null;
      error_message: string | null;
      connector: string | null;
      block_type: string | null;
    }[];
    return rows.map((r) => ({
      workflowId: r.workflow_id,
      block: r.connector ?? r.block_type ?? 'workflow',
      errorOccurredAt: r.stopped_at ?? r.started_at,
      message: r.error_message ?? 'The execution failed.',
      executionId: r.id,
      userId: r.user_id,
    }));
  }

  get(env: Environment, executionId: string): ExecutionLog {
    const row = this.db
      .prepare(`SELECT ${EXECUTION_COLUMNS} FROM executions e WHERE e.env = ? AND e.id = ?`)
      .get(env, executionId) as ExecutionRow | undefined;
    if (!row) throw notFound('The execution');
    return this.toLog(row, this.blocksOf([row.id]).get(row.id)!);
  }

  /** `GET /logs`: every workflow's executions with the documented filters, sorting and paging. */
  search(env: Environment, search: LogSearch): LogSearchResponse {
    const params: Record<string, string | number> = { env };
    let where = 'e.env = @env';
    if (search.workflowId !== undefined) {
      where += ' AND e.workflow_id = @workflowId';
      params.workflowId = search.workflowId;
    }
    if (search.userId !== undefined) {
      where += ' AND e.user_id = @userId';
      params.userId = search.userId;
    }
    const filterSql = filtersToSql(search.filters, params);
    if (filterSql) where += ` AND (${filterSql})`;
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM executions e WHERE ${where}`).get(params) as { n: number }
    ).n;
    const direction = search.sortOrder === 'asc' ? 'ASC' : 'DESC';
    const rows = this.db
      .prepare(
        `SELECT ${EXECUTION_COLUMNS}, u.username, u.full_name FROM executions e
         LEFT JOIN users u ON u.id = e.user_id AND u.env = e.env
         WHERE ${where}
         ORDER BY ${SORT_COLUMNS[search.sortBy]} ${direction}, e.id ${direction} LIMIT @limit OFFSET @skip`,
      )
      .all({ ...params, limit: search.limit, skip: search.skip }) as (ExecutionRow & {
      username: string | null;
      full_name: string | null;
    })[];
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
        user: r.username === null ? null : { email: r.username, fullName: r.full_name },
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
    return {
      notifications,
      lastFetched: nowIso(),
      pagination: {
        currentPage: Math.floor(search.skip / search.limit) + 1,
        pageSize: search.limit,
        totalItems: total,
        totalPages: Math.ceil(total / search.limit),
      },
    };
  }

  /**
   * GDPR/CCPA erasure: the user's executions (with every block's data) and their finished queue
   * entries. `secure_delete` overwrites the freed pages and the WAL is checkpointed and
   * truncated, so the data does not linger on disk either.
   */
  deleteForUser(env: Environment, userId: string): { executions: number; runs: number } {
    const result = this.db.transaction(() => ({
      executions: this.db.prepare('DELETE FROM executions WHERE env = ? AND user_id = ?').run(env, userId).changes,
      runs: this.db
        .prepare("DELETE FROM run_queue WHERE env = ? AND user_id = ? AND status IN ('done', 'failed')")
        .run(env, userId).changes,
    }))();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return result;
  }

  hasLogsFor(env: Environment, userId: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM executions WHERE env = ? AND user_id = ? LIMIT 1').get(env, userId) !== undefined
    );
  }
}

/** Turns the documented filter objects into SQL over whitelisted columns, with bound values. */
function filtersToSql(filters: LogFilter[], params: Record<string, string | number>): string {
  let sql = '';
  filters.forEach((filter, index) => {
    const column = FILTER_COLUMNS[filter.columns.value];
    const name = `f${index}`;
    const raw = filter.userinput.value;
    const operator = filter.operators.value;
    let value: string | number;
    if (operator === 'contains' || operator === 'notcontains') {
      value = `%${String(raw).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    } else if (column.kind === 'number') {
      value = Number(raw);
      if (!Number.isFinite(value)) throw filterError(index, 'must be a number for this column');
    } else if (column.kind === 'date') {
      const date = new Date(raw);
      if (Number.isNaN(date.getTime())) throw filterError(index, 'must be a date for this column');
      value = date.toISOString();
    } else {
      value = String(raw);
    }
    params[name] = value;
    const target =
      column.kind === 'number' && operator.endsWith('contains') ? `CAST(${column.sql} AS TEXT)` : column.sql;
    const clause = {
      equals: `${target} = @${name}`,
      notequals: `${target} <> @${name}`,
      greaterthan: `${target} > @${name}`,
      lessthan: `${target} < @${name}`,
      contains: `${target} LIKE @${name} ESCAPE '\\'`,
      notcontains: `${target} NOT LIKE @${name} ESCAPE '\\'`,
    }[operator];
    sql = index === 0 ? `(${clause})` : `(${sql} ${filter.condition?.value === 'or' ? 'OR' : 'AND'} (${clause}))`;
  });
  return sql;
}

const filterError = (index: number, message: string): DomainError =>
  new DomainError('validation_failed', `Invalid request query. filters.${index}.userinput.value: ${message}`, [
    { path: ['filters', index, 'userinput', 'value'], message },
  ]);
