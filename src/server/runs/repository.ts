import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { LogFilter } from '../../contract/index.js';
import type { LOG_SORT_FIELDS } from '../../contract/index.js';
import {
  changed,
  inTransaction,
  isTransaction,
  engineOf,
  isUniqueViolation,
  type Conn,
  type ExecutionBlocksTable,
  type ExecutionsTable,
  type RunQueueTable,
} from '../platform/db/index.js';
import { DomainError } from '../platform/errors.js';
import type { LeaseTable } from '../platform/lease-worker.js';
import type { Environment } from '../users/index.js';

type ExecutionStatus = ExecutionsTable['status'];

/**
 * Every query on the tables the runs module owns: `run_queue`, `executions`, `execution_blocks`.
 * Each function takes the connection (the database or a transaction) first.
 */

export type RunRow = Selectable<RunQueueTable>;
export type ExecutionRow = Selectable<ExecutionsTable>;
export type BlockRow = Selectable<ExecutionBlocksTable>;

/** The run queue as the shared lease SQL sees it (platform/lease-worker.ts). */
export const RUN_QUEUE: LeaseTable = {
  table: 'run_queue',
  tenant: 'user_id',
  due: 'available_at',
  waiting: 'queued',
  leased: 'running',
};

const iso = (ms: number): string => new Date(ms).toISOString();

// ---- run_queue ----

export interface RunInsert {
  id: string;
  env: Environment;
  userId: string;
  kind: RunRow['kind'];
  eventName: string | null;
  workflowId: string | null;
  payload: string;
  dedupeKey: string | null;
  rerunOf: string | null;
  now: string;
}

/** Inserts a queued run; false when a run with the same (user, workflow, dedupe key) exists. */
export async function insertRun(conn: Conn, run: RunInsert): Promise<boolean> {
  const result = await conn
    .insertInto('run_queue')
    .values({
      id: run.id,
      env: run.env,
      user_id: run.userId,
      kind: run.kind,
      event_name: run.eventName,
      workflow_id: run.workflowId,
      payload: run.payload,
      status: 'queued',
      attempts: 0,
      available_at: run.now,
      lease_owner: null,
      lease_expires_at: null,
      last_error: null,
      dedupe_key: run.dedupeKey,
      rerun_of: run.rerunOf,
      created_at: run.now,
      updated_at: run.now,
    })
    .onConflict((oc) =>
      oc.columns(['user_id', 'workflow_id', 'dedupe_key']).where('dedupe_key', 'is not', null).doNothing(),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function dedupedRunId(
  conn: Conn,
  userId: string,
  workflowId: string | null,
  dedupeKey: string,
): Promise<string | undefined> {
  let query = conn
    .selectFrom('run_queue')
    .select('id')
    .where('user_id', '=', userId)
    .where('dedupe_key', '=', dedupeKey);
  query = workflowId === null ? query.where('workflow_id', 'is', null) : query.where('workflow_id', '=', workflowId);
  return (await query.executeTakeFirst())?.id;
}

export async function findRun(conn: Conn, id: string): Promise<RunRow | undefined> {
  return conn.selectFrom('run_queue').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Sets the run's state if `owner` still holds its lease; false when another worker took it over. */
export async function settleRun(
  conn: Conn,
  id: string,
  owner: string,
  change: {
    status: 'queued' | 'done' | 'failed';
    availableAt?: number;
    countAttempt?: boolean;
    lastError?: string | null;
    /** false: keep the last error when none is given (complete). */
    replaceError?: boolean;
    now?: number;
  },
): Promise<boolean> {
  const now = change.now ?? Date.now();
  const lastError = change.lastError ?? null;
  const result = await conn
    .updateTable('run_queue')
    .set((eb) => ({
      status: change.status,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: iso(now),
      ...(change.availableAt === undefined ? {} : { available_at: iso(change.availableAt) }),
      ...(change.countAttempt ? { attempts: eb('attempts', '+', 1) } : {}),
      ...(change.replaceError ? { last_error: lastError } : lastError === null ? {} : { last_error: lastError }),
    }))
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return changed(result) === 1;
}

export async function deleteFinishedRunsForUser(conn: Conn, env: Environment, userId: string): Promise<number> {
  const result = await conn
    .deleteFrom('run_queue')
    .where('env', '=', env)
    .where('user_id', '=', userId)
    .where('status', 'in', ['done', 'failed'])
    .executeTakeFirst();
  return changed(result);
}

/** Deletes up to `batch` finished runs last changed before `cutoff`. */
export async function pruneFinishedRuns(conn: Conn, cutoff: string, batch: number): Promise<number> {
  const result = await conn
    .deleteFrom('run_queue')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('run_queue')
        .select('id')
        .where('status', 'in', ['done', 'failed'])
        .where('updated_at', '<', cutoff)
        .limit(batch),
    )
    .executeTakeFirst();
  return changed(result);
}

// ---- executions and execution_blocks ----

export interface ExecutionInsert {
  id: string;
  env: Environment;
  userId: string;
  workflowId: string;
  version: number;
  integrationId: string;
  runId: string | null;
  mode: ExecutionRow['mode'];
  startedAt: string;
}

export async function insertExecution(conn: Conn, execution: ExecutionInsert): Promise<void> {
  await conn
    .insertInto('executions')
    .values({
      id: execution.id,
      env: execution.env,
      user_id: execution.userId,
      workflow_id: execution.workflowId,
      workflow_version: execution.version,
      integration_id: execution.integrationId,
      run_id: execution.runId,
      mode: execution.mode,
      status: 'running',
      started_at: execution.startedAt,
      stopped_at: null,
      error_block_id: null,
      error_message: null,
      created_at: execution.startedAt,
    })
    .execute();
}

export type BlockInsert = Omit<BlockRow, 'position'>;

/**
 * Appends a block to an execution's log: its position is the next one, computed by the insert
 * itself (one statement). Two writers on the same execution (a worker that lost its lease and the
 * one that took over) cannot both take a position: on an engine that runs them in parallel the
 * second hits the primary key and tries again with the next position.
 */
export async function appendBlock(conn: Conn, block: BlockInsert): Promise<number> {
  // Inside a transaction each try is a savepoint: a failed statement must not spoil the rest
  // (PostgreSQL aborts the whole transaction otherwise).
  const attempt = (insert: (c: Conn) => Promise<number>) =>
    isTransaction(conn) ? inTransaction(conn, insert) : insert(conn);
  for (let tries = 0; ; tries++) {
    try {
      return await attempt(async (c) => {
        const row = await c
          .insertInto('execution_blocks')
          .columns([
            'execution_id',
            'position',
            'block_id',
            'block_type',
            'connector',
            'status',
            'input',
            'output',
            'error',
            'started_at',
            'stopped_at',
          ])
          .expression((eb) =>
            eb
              .selectFrom('execution_blocks')
              .select([
                eb.val(block.execution_id).as('execution_id'),
                sql<number>`COALESCE(MAX(position) + 1, 0)`.as('position'),
                eb.val(block.block_id).as('block_id'),
                eb.val(block.block_type).as('block_type'),
                eb.val(block.connector).as('connector'),
                eb.val(block.status).as('status'),
                eb.val(block.input).as('input'),
                eb.val(block.output).as('output'),
                eb.val(block.error).as('error'),
                eb.val(block.started_at).as('started_at'),
                eb.val(block.stopped_at).as('stopped_at'),
              ])
              .where('execution_id', '=', block.execution_id),
          )
          .returning('position')
          .executeTakeFirstOrThrow();
        return row.position;
      });
    } catch (error) {
      if (!isUniqueViolation(error) || tries >= 5) throw error;
    }
  }
}

export async function finishExecution(
  conn: Conn,
  id: string,
  result: { status: 'success' | 'error'; stoppedAt: string; errorBlockId: string | null; errorMessage: string | null },
): Promise<void> {
  await conn
    .updateTable('executions')
    .set({
      status: result.status,
      stopped_at: result.stoppedAt,
      error_block_id: result.errorBlockId,
      error_message: result.errorMessage,
    })
    .where('id', '=', id)
    .execute();
}

export async function executionForRun(
  conn: Conn,
  runId: string,
  workflowId: string,
): Promise<{ id: string; status: ExecutionRow['status']; version: number } | undefined> {
  return conn
    .selectFrom('executions')
    .select(['id', 'status', 'workflow_version as version'])
    .where('run_id', '=', runId)
    .where('workflow_id', '=', workflowId)
    .executeTakeFirst();
}

export async function runningExecutionsOfRun(
  conn: Conn,
  runId: string,
): Promise<{ id: string; workflowId: string; version: number }[]> {
  return conn
    .selectFrom('executions')
    .select(['id', 'workflow_id as workflowId', 'workflow_version as version'])
    .where('run_id', '=', runId)
    .where('status', '=', 'running')
    .execute();
}

export async function blocksOfExecution(
  conn: Conn,
  executionId: string,
): Promise<Pick<BlockRow, 'block_id' | 'status' | 'input' | 'output'>[]> {
  return conn
    .selectFrom('execution_blocks')
    .select(['block_id', 'status', 'input', 'output'])
    .where('execution_id', '=', executionId)
    .orderBy('position')
    .execute();
}

export async function executionSummary(
  conn: Conn,
  env: Environment,
  executionId: string,
): Promise<
  { id: string; userId: string; workflowId: string; version: number; status: ExecutionRow['status'] } | undefined
> {
  return conn
    .selectFrom('executions')
    .select(['id', 'user_id as userId', 'workflow_id as workflowId', 'workflow_version as version', 'status'])
    .where('env', '=', env)
    .where('id', '=', executionId)
    .executeTakeFirst();
}

/** Every block of the given executions, by execution, in order. */
export async function blocksOfExecutions(conn: Conn, executionIds: string[]): Promise<Map<string, BlockRow[]>> {
  const byExecution = new Map<string, BlockRow[]>(executionIds.map((id) => [id, []]));
  if (executionIds.length === 0) return byExecution;
  const rows = await conn
    .selectFrom('execution_blocks')
    .selectAll()
    .where('execution_id', 'in', executionIds)
    .orderBy('execution_id')
    .orderBy('position')
    .execute();
  for (const row of rows) byExecution.get(row.execution_id)!.push(row);
  return byExecution;
}

const EXECUTION_COLUMNS = [
  'e.id',
  'e.env',
  'e.user_id',
  'e.workflow_id',
  'e.workflow_version',
  'e.integration_id',
  'e.mode',
  'e.status',
  'e.started_at',
  'e.stopped_at',
  'e.error_block_id',
  'e.error_message',
  'e.created_at',
  'e.run_id',
] as const;

export async function findExecution(conn: Conn, env: Environment, id: string): Promise<ExecutionRow | undefined> {
  return conn
    .selectFrom('executions as e')
    .select(EXECUTION_COLUMNS)
    .where('e.env', '=', env)
    .where('e.id', '=', id)
    .executeTakeFirst();
}

/** Where a keyset page starts: the last row of the page before (its sort key, then its id). */
export interface ExecutionKey {
  at: string;
  id: string;
}

/**
 * One page of a workflow's executions (all users of the environment, or one), and the total.
 * `after` pages by keyset (one index seek however deep); without it, `offset` skips rows, in the
 * index only (the ids of the page are found in the covering index, then only those rows are read).
 */
export async function workflowExecutionPage(
  conn: Conn,
  scope: { env: Environment; workflowId: string; userId: string | undefined },
  page: { limit: number; offset: number; order: 'asc' | 'desc'; after?: ExecutionKey | undefined },
): Promise<{ total: number; rows: ExecutionRow[] }> {
  let base = conn
    .selectFrom('executions as e')
    .where('e.env', '=', scope.env)
    .where('e.workflow_id', '=', scope.workflowId);
  if (scope.userId !== undefined) base = base.where('e.user_id', '=', scope.userId);
  // Per user, COUNT(*) reads that user's few index entries; for the whole workflow it would read
  // every execution the workflow ever kept, so the kept counts answer instead.
  const total =
    scope.userId === undefined
      ? await countedExecutions(conn, { env: scope.env, workflowId: scope.workflowId })
      : Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const { after } = page;
  let ids = base.select('e.id');
  if (after !== undefined) {
    ids = ids.where((eb) =>
      eb(eb.refTuple('e.started_at', 'e.id'), page.order === 'desc' ? '<' : '>', eb.tuple(after.at, after.id)),
    );
  }
  ids = ids.orderBy('e.started_at', page.order).orderBy('e.id', page.order).limit(page.limit);
  if (after === undefined && page.offset > 0) ids = ids.offset(page.offset);
  const rows = await conn
    .selectFrom('executions as e')
    .select(EXECUTION_COLUMNS)
    .where('e.id', 'in', ids)
    .orderBy('e.started_at', page.order)
    .orderBy('e.id', page.order)
    .execute();
  return { total, rows };
}

/**
 * How many executions an environment keeps (of one workflow, in some statuses), from the counts
 * the triggers keep: a few rows per workflow and status, however many executions there are.
 */
export async function countedExecutions(
  conn: Conn,
  scope: { env: Environment; workflowId?: string | undefined; statuses?: readonly ExecutionStatus[] },
): Promise<number> {
  if (scope.statuses?.length === 0) return 0;
  let query = conn
    .selectFrom('execution_counts')
    .select((eb) => eb.fn.sum<number | string | null>('n').as('n'))
    .where('env', '=', scope.env);
  if (scope.workflowId !== undefined) query = query.where('workflow_id', '=', scope.workflowId);
  if (scope.statuses !== undefined && scope.statuses.length < EXECUTION_STATUSES.length)
    query = query.where('status', 'in', scope.statuses);
  const { n } = await query.executeTakeFirstOrThrow();
  return Number(n ?? 0);
}

export interface DayCount {
  date: string;
  runs: number;
  successes: number;
  failures: number;
  running: number;
}

/** A workflow's executions per UTC day (of `started_at`) since `from`. */
export async function executionsPerDay(
  conn: Conn,
  scope: { env: Environment; workflowId: string; userId: string | undefined },
  from: string,
): Promise<DayCount[]> {
  const count = (status: ExecutionRow['status']) => sql<number>`SUM(CASE WHEN status = ${status} THEN 1 ELSE 0 END)`;
  let query = conn
    .selectFrom('executions')
    .select([
      sql<string>`substr(started_at, 1, 10)`.as('date'),
      (eb) => eb.fn.countAll<number>().as('runs'),
      count('success').as('successes'),
      count('error').as('failures'),
      count('running').as('running'),
    ])
    .where('env', '=', scope.env)
    .where('workflow_id', '=', scope.workflowId)
    .where('started_at', '>=', from);
  if (scope.userId !== undefined) query = query.where('user_id', '=', scope.userId);
  const rows = await query.groupBy(sql`substr(started_at, 1, 10)`).execute();
  return rows.map((r) => ({
    date: r.date,
    runs: Number(r.runs),
    successes: Number(r.successes),
    failures: Number(r.failures),
    running: Number(r.running),
  }));
}

export interface FailedExecutionRow {
  id: string;
  user_id: string;
  workflow_id: string;
  workflow_version: number;
  started_at: string;
  stopped_at: string | null;
  error_block_id: string | null;
  error_message: string | null;
  connector: string | null;
  block_type: string | null;
}

/** A workflow's failed executions with the block that failed, newest first. */
export async function failedExecutions(
  conn: Conn,
  scope: { env: Environment; workflowId: string; userId: string | undefined },
  page: { limit: number; offset: number },
): Promise<FailedExecutionRow[]> {
  let query = conn
    .selectFrom('executions as e')
    .leftJoin('execution_blocks as b', (join) =>
      join.onRef('b.execution_id', '=', 'e.id').onRef('b.block_id', '=', 'e.error_block_id'),
    )
    .select([
      'e.id',
      'e.user_id',
      'e.workflow_id',
      'e.workflow_version',
      'e.started_at',
      'e.stopped_at',
      'e.error_block_id',
      'e.error_message',
      'b.connector',
      'b.block_type',
    ])
    .where('e.env', '=', scope.env)
    .where('e.workflow_id', '=', scope.workflowId)
    // A literal, not a parameter: the planner then knows the partial index of errors applies.
    .where('e.status', '=', sql.lit('error'));
  if (scope.userId !== undefined) query = query.where('e.user_id', '=', scope.userId);
  return query
    .orderBy(sql`COALESCE(e.stopped_at, e.started_at)`, 'desc')
    .orderBy('e.id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

const MESSAGE_SQL = sql.raw(
  "(CASE e.status WHEN 'error' THEN 'executionError' WHEN 'success' THEN 'executionSuccess' ELSE 'executionRunning' END)",
);

const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['running', 'success', 'error'];
/** The log's `message` is a function of the status (MESSAGE_SQL); filters on it are decided per status. */
const MESSAGE_OF: Record<ExecutionStatus, string> = {
  running: 'executionRunning',
  success: 'executionSuccess',
  error: 'executionError',
};

/** Whether one filter holds for a text value (`contains` ignores case, as SQLite's LIKE does for ASCII). */
function textFilterHolds(operator: LogFilter['operators']['value'], value: string, input: string): boolean {
  switch (operator) {
    case 'equals':
      return value === input;
    case 'notequals':
      return value !== input;
    case 'greaterthan':
      return value > input;
    case 'lessthan':
      return value < input;
    case 'contains':
      return value.toLowerCase().includes(input.toLowerCase());
    case 'notcontains':
      return !value.toLowerCase().includes(input.toLowerCase());
  }
}

/** The statuses whose message passes one `message` filter. */
const statusesPassing = (filter: LogFilter): ExecutionStatus[] =>
  EXECUTION_STATUSES.filter((status) =>
    textFilterHolds(filter.operators.value, MESSAGE_OF[status], String(filter.userinput.value)),
  );

/**
 * When every filter is on `message`, the statuses the whole combination lets through (combined
 * left to right with and/or, as filtersToSql does); otherwise undefined.
 */
function statusesOfMessageFilters(filters: LogFilter[]): ExecutionStatus[] | undefined {
  if (filters.some((filter) => filter.columns.value !== 'message')) return undefined;
  return EXECUTION_STATUSES.filter((status) =>
    filters.reduce<boolean>((passed, filter, index) => {
      const holds = statusesPassing(filter).includes(status);
      if (index === 0) return holds;
      return filter.condition?.value === 'or' ? passed || holds : passed && holds;
    }, true),
  );
}

const FILTER_COLUMNS: Record<
  LogFilter['columns']['value'],
  { sql: RawBuilder<unknown>; kind: 'text' | 'number' | 'date' }
> = {
  message: { sql: MESSAGE_SQL, kind: 'text' },
  'data.executionId': { sql: sql.raw('e.id'), kind: 'text' },
  forgeWorkflowId: { sql: sql.raw('e.workflow_id'), kind: 'text' },
  createdAt: { sql: sql.raw('e.created_at'), kind: 'date' },
  userId: { sql: sql.raw('e.user_id'), kind: 'text' },
  'forgeWorkflow.integrationId._id': { sql: sql.raw('e.integration_id'), kind: 'text' },
  workflowVersion: { sql: sql.raw('e.workflow_version'), kind: 'number' },
};
const SORT_COLUMNS: Record<(typeof LOG_SORT_FIELDS)[number], RawBuilder<unknown>> = {
  createdAt: sql.raw('e.created_at'),
  completedAt: sql.raw('e.stopped_at'),
  message: MESSAGE_SQL,
  userId: sql.raw('e.user_id'),
};

export interface LogQuery {
  env: Environment;
  filters: LogFilter[];
  workflowId?: string | undefined;
  userId?: string | undefined;
  skip: number;
  /** Sorted by createdAt: the page after this row (a keyset seek) instead of skipping `skip` rows. */
  after?: ExecutionKey | undefined;
  limit: number;
  sortBy: (typeof LOG_SORT_FIELDS)[number];
  sortOrder: 'asc' | 'desc';
}

/** `GET /logs`: the environment's executions with the documented filters, sorting and paging, and the total. */
export async function searchExecutions(conn: Conn, search: LogQuery): Promise<{ total: number; rows: ExecutionRow[] }> {
  const conditions: RawBuilder<unknown>[] = [sql`e.env = ${search.env}`];
  if (search.workflowId !== undefined) conditions.push(sql`e.workflow_id = ${search.workflowId}`);
  if (search.userId !== undefined) conditions.push(sql`e.user_id = ${search.userId}`);
  const filters = filtersToSql(search.filters);
  if (filters) conditions.push(sql`(${filters})`);
  const where = sql.join(conditions, sql` AND `);
  // Not per user and filtered (if at all) by message only: the kept counts know the total.
  const statuses = search.userId === undefined ? statusesOfMessageFilters(search.filters) : undefined;
  const total =
    statuses !== undefined
      ? await countedExecutions(conn, { env: search.env, workflowId: search.workflowId, statuses })
      : Number(
          (await sql<{ n: number }>`SELECT COUNT(*) AS n FROM executions e WHERE ${where}`.execute(conn)).rows[0]?.n ??
            0,
        );
  const direction = sql.raw(search.sortOrder === 'asc' ? 'ASC' : 'DESC');
  const columns = sql.raw(EXECUTION_COLUMNS.join(', '));
  const { after } = search;
  const page =
    after === undefined || search.sortBy !== 'createdAt'
      ? sql`${where} ORDER BY ${SORT_COLUMNS[search.sortBy]} ${direction}, e.id ${direction} LIMIT ${search.limit} OFFSET ${search.skip}`
      : sql`${where} AND (e.created_at, e.id) ${sql.raw(search.sortOrder === 'asc' ? '>' : '<')} (${after.at}, ${after.id})
        ORDER BY e.created_at ${direction}, e.id ${direction} LIMIT ${search.limit}`;
  // The users' names come from the users module (ExecutionStore.search asks it for the page's ids).
  const rows = await sql<ExecutionRow>`SELECT ${columns} FROM executions e WHERE ${page}`.execute(conn);
  return { total, rows: rows.rows };
}

/** Turns the documented filter objects into SQL over whitelisted columns, with bound values. */
function filtersToSql(filters: LogFilter[]): RawBuilder<unknown> | undefined {
  let combined: RawBuilder<unknown> | undefined;
  filters.forEach((filter, index) => {
    const column = FILTER_COLUMNS[filter.columns.value];
    const raw = filter.userinput.value;
    const operator = filter.operators.value;
    if (filter.columns.value === 'message') {
      // A status test the indexes can use instead of computing every execution's message.
      const statuses = statusesPassing(filter);
      const clause =
        statuses.length === 0 ? sql`1 = 0` : sql`e.status IN (${sql.join(statuses.map((status) => sql.lit(status)))})`;
      combined = combine(combined, clause, filter);
      return;
    }
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
    const target =
      column.kind === 'number' && operator.endsWith('contains') ? sql`CAST(${column.sql} AS TEXT)` : column.sql;
    const clause = {
      equals: sql`${target} = ${value}`,
      notequals: sql`${target} <> ${value}`,
      greaterthan: sql`${target} > ${value}`,
      lessthan: sql`${target} < ${value}`,
      contains: sql`${target} LIKE ${value} ESCAPE '\\'`,
      notcontains: sql`${target} NOT LIKE ${value} ESCAPE '\\'`,
    }[operator];
    combined = combine(combined, clause, filter);
  });
  return combined;
}

const combine = (
  combined: RawBuilder<unknown> | undefined,
  clause: RawBuilder<unknown>,
  filter: LogFilter,
): RawBuilder<unknown> =>
  combined === undefined
    ? sql`(${clause})`
    : sql`(${combined} ${sql.raw(filter.condition?.value === 'or' ? 'OR' : 'AND')} (${clause}))`;

const filterError = (index: number, message: string): DomainError =>
  new DomainError('validation_failed', `Invalid request query. filters.${index}.userinput.value: ${message}`, [
    { path: ['filters', index, 'userinput', 'value'], message },
  ]);

export async function deleteExecutionsForUser(conn: Conn, env: Environment, userId: string): Promise<number> {
  const result = await conn
    .deleteFrom('executions')
    .where('env', '=', env)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return changed(result);
}

export async function hasExecutionsFor(conn: Conn, env: Environment, userId: string): Promise<boolean> {
  const row = await conn
    .selectFrom('executions')
    .select('id')
    .where('env', '=', env)
    .where('user_id', '=', userId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Deletes up to `batch` executions (their blocks go with them) started before `cutoff`. */
export async function pruneExecutions(conn: Conn, cutoff: string, batch: number): Promise<number> {
  const result = await conn
    .deleteFrom('executions')
    .where('id', 'in', (eb) => eb.selectFrom('executions').select('id').where('started_at', '<', cutoff).limit(batch))
    .executeTakeFirst();
  return changed(result);
}

/**
 * After an erasure: the WAL is checkpointed and truncated so deleted data does not linger in it
 * (SQLite only; `secure_delete` overwrote the freed pages).
 */
export async function checkpointLog(conn: Conn): Promise<void> {
  // PostgreSQL: nothing to do from here (see Storage.eraseTraces and docs/operations.md on backups).
  if (engineOf(conn) !== 'sqlite') return;
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(conn);
}
