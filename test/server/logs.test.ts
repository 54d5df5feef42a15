import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LogSearchResponse, WorkflowErrorsResponse, WorkflowLogsResponse } from '../../src/contract/index.js';
import type { Environment } from '../../src/server/users/index.js';
import { migrationsFor } from '../../src/server/platform/db/migrations.js';
import { rawRows, TEST_ENGINE } from '../helpers/engine.js';
import { type Api, EVENT_WORKFLOW_ID, INTEGRATION_ID, STREAM_WORKFLOW_ID, UNKNOWN_ID, startApi } from './support.js';

let api: Api;
before(async () => {
  api = await startApi();
});
after(async () => {
  await api.server.dispose();
});

const iso = (ms: number) => new Date(ms).toISOString();

/** Records an execution through the interface the workflow runtime writes with. */
async function recordExecution(options: {
  userId: string;
  env?: Environment;
  workflowId?: string;
  startedAt?: number;
  fail?: boolean;
  marker?: string;
  runId?: string;
}): Promise<string> {
  const store = api.server.ctx.executions;
  const started = options.startedAt ?? Date.now();
  const workflowId = options.workflowId ?? EVENT_WORKFLOW_ID;
  const id = await store.start({
    env: options.env ?? 'development',
    userId: options.userId,
    workflowId,
    version: 1,
    integrationId: INTEGRATION_ID,
    mode: 'trigger',
    startedAt: iso(started),
    runId: options.runId ?? null,
  });
  const data = { orderId: options.marker ?? '123', status: 'FULFILLED' };
  await store.recordBlock(id, {
    blockId: 'trigger-fulfillment-updated',
    blockType: 'customEvent',
    connector: null,
    status: 'success',
    input: data,
    output: data,
    startedAt: iso(started),
    stoppedAt: iso(started + 1),
  });
  await store.recordBlock(id, {
    blockId: 'update-order-status',
    blockType: 'connectorAction',
    connector: 'demoStore',
    status: options.fail ? 'error' : 'success',
    input: data,
    output: options.fail ? undefined : { updated: true },
    error: options.fail ? 'Order 123 was not found in the store' : null,
    startedAt: iso(started + 1),
    stoppedAt: iso(started + 5),
  });
  await store.finish(id, {
    status: options.fail ? 'error' : 'success',
    stoppedAt: iso(started + 5),
    ...(options.fail
      ? { errorBlockId: 'update-order-status', errorMessage: 'Order 123 was not found in the store' }
      : {}),
  });
  return id;
}

describe('GET /workflows/:workflowId/logs', () => {
  test('executions with per-block inputs, results, timing and status, newest first, paged', async () => {
    const userId = await api.createUser('logged');
    const base = Date.now() - 60_000;
    const ids: string[] = [];
    for (let i = 0; i < 12; i++)
      ids.push(await recordExecution({ userId, startedAt: base + i * 1000, fail: i === 11 }));
    const first = await api.call('GET', `/2023-12/workflows/${EVENT_WORKFLOW_ID}/logs?userId=${userId}`);
    assert.equal(first.statusCode, 200);
    assert.ok(WorkflowLogsResponse.safeParse(first.json()).success);
    const body = first.json();
    assert.equal(body.data.length, 10, 'default limit is 10');
    assert.deepEqual(body.pagination, { currentPage: 1, pageSize: 10, totalItems: 12, totalPages: 2 });
    const newest = body.data[0];
    assert.equal(newest.executionId, ids[11]);
    assert.equal(newest.status, 'error');
    assert.equal(newest.finished, true);
    assert.deepEqual(
      newest.results.map((r: { blockId: string; connectorId: string; status: string }) => [
        r.blockId,
        r.connectorId,
        r.status,
      ]),
      [
        ['trigger-fulfillment-updated', 'customEvent', 'success'],
        ['update-order-status', 'demoStore', 'error'],
      ],
    );
    assert.deepEqual(newest.results[0].data, [{ json: { orderId: '123', status: 'FULFILLED' } }]);
    assert.equal(newest.results[1].error, 'Order 123 was not found in the store');
    assert.deepEqual(newest.inputs[1], {
      blockId: 'update-order-status',
      blockName: 'Demo Store: Update Order Status',
      connectorId: 'demoStore',
      data: { orderId: '123', status: 'FULFILLED' },
    });
    // Each block by the name the definitions give it, not only its connector.
    assert.deepEqual(
      newest.results.map((r: { blockName: string | null }) => r.blockName),
      ['Custom Event', 'Demo Store: Update Order Status'],
    );
    assert.equal(newest.runId, null, 'recorded without a queued run');

    const page2 = await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs?userId=logged&page=2&limit=10`);
    assert.deepEqual(
      page2.json().data.map((e: { executionId: string }) => e.executionId),
      [ids[1], ids[0]],
    );
    const asc = await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs?userId=${userId}&limit=3&order=asc`);
    assert.deepEqual(
      asc.json().data.map((e: { executionId: string }) => e.executionId),
      ids.slice(0, 3),
    );
    const max = await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs?userId=${userId}&limit=30`);
    assert.equal(max.json().data.length, 12);
  });

  test('limit above 30, bad page, unknown workflow or user, another tenant', async () => {
    const userId = await api.createUser('log-bad');
    await recordExecution({ userId });
    const url = `/workflows/${EVENT_WORKFLOW_ID}/logs`;
    for (const query of ['limit=31', 'limit=0', 'limit=abc', 'page=0', 'order=sideways', 'extra=1']) {
      assert.equal((await api.call('GET', `${url}?userId=${userId}&${query}`)).statusCode, 400, query);
    }
    assert.equal((await api.call('GET', `/workflows/${UNKNOWN_ID}/logs?userId=${userId}`)).statusCode, 404);
    assert.equal((await api.call('GET', `${url}?userId=ghost`)).statusCode, 404);
    assert.equal((await api.call('GET', `${url}?userId=${userId}`, { key: 'prod' })).statusCode, 404);
    const prodAll = await api.call('GET', url, { key: 'prod' });
    assert.equal(prodAll.json().pagination.totalItems, 0, 'production sees no development executions');
  });
});

describe('keyset cursors (workflow logs and GET /logs)', () => {
  test('following nextCursor gives the same pages as page/skip, in both orders; bad or mixed cursors are 400s', async () => {
    const userId = await api.createUser('keyset');
    const base = Date.now() - 120_000;
    const ids: string[] = [];
    // Two executions share each start time: the id breaks the tie, on every page boundary.
    for (let i = 0; i < 7; i++) ids.push(await recordExecution({ userId, startedAt: base + Math.floor(i / 2) * 1000 }));
    const path = `/workflows/${EVENT_WORKFLOW_ID}/logs?userId=${userId}&limit=2`;
    for (const order of ['desc', 'asc'] as const) {
      const byPage: string[][] = [];
      for (let page = 1; page <= 4; page++) {
        const body = (await api.call('GET', `${path}&order=${order}&page=${page}`)).json();
        byPage.push(body.data.map((e: { executionId: string }) => e.executionId));
      }
      const byCursor: string[][] = [];
      let body = (await api.call('GET', `${path}&order=${order}`)).json();
      for (;;) {
        byCursor.push(body.data.map((e: { executionId: string }) => e.executionId));
        assert.equal(body.pagination.currentPage, byCursor.length);
        assert.equal(body.pagination.totalItems, 7);
        if (body.nextCursor === undefined) break;
        const next = await api.call('GET', `${path}&cursor=${body.nextCursor}`);
        assert.equal(next.statusCode, 200, next.body);
        assert.ok(WorkflowLogsResponse.safeParse(next.json()).success);
        body = next.json();
      }
      assert.deepEqual(byCursor, byPage, order);
      assert.equal(new Set(byCursor.flat()).size, 7);
    }
    const first = (await api.call('GET', path)).json();
    for (const bad of [
      `${path}&cursor=${first.nextCursor}&page=2`,
      `${path}&cursor=${first.nextCursor}&order=asc`,
      `${path}&cursor=bm90LWEtY3Vyc29y`,
    ]) {
      const response = await api.call('GET', bad);
      assert.equal(response.statusCode, 400, bad);
      assert.equal(response.json().error.issues[0].path[0], 'cursor', bad);
    }

    // GET /logs: the same walk by cursor and by skip (sorted by createdAt, the default).
    const search = `/logs?associatedUserId=${userId}&limit=3`;
    const bySkip: string[] = [];
    for (let skip = 0; skip < 7; skip += 3)
      bySkip.push(
        ...(await api.call('GET', `${search}&skip=${skip}`)).json().notifications.map((n: { _id: string }) => n._id),
      );
    const walked: string[] = [];
    let page = (await api.call('GET', search)).json();
    for (;;) {
      assert.ok(LogSearchResponse.safeParse(page).success);
      walked.push(...page.notifications.map((n: { _id: string }) => n._id));
      if (page.nextCursor === undefined) break;
      page = (await api.call('GET', `${search}&cursor=${page.nextCursor}`)).json();
    }
    assert.deepEqual(walked, bySkip);
    assert.deepEqual([...walked].sort(), [...ids].sort());
    const sorted = await api.call('GET', `${search}&sortBy=userId&cursor=${first.nextCursor}`);
    assert.equal(sorted.statusCode, 400);
  });
});

describe('GET /workflows/:workflowId/errors', () => {
  test('the documented shape, newest first, for one user or all; empty when there are none', async () => {
    const userId = await api.createUser('erring');
    const other = await api.createUser('erring-too');
    await recordExecution({ userId, workflowId: STREAM_WORKFLOW_ID });
    const failed = await recordExecution({ userId, workflowId: STREAM_WORKFLOW_ID, fail: true });
    const otherFailed = await recordExecution({
      userId: other,
      workflowId: STREAM_WORKFLOW_ID,
      fail: true,
      startedAt: Date.now() + 1000,
    });
    const response = await api.call('GET', `/workflows/${STREAM_WORKFLOW_ID}/errors?userId=${userId}`);
    assert.equal(response.statusCode, 200);
    assert.ok(WorkflowErrorsResponse.safeParse(response.json()).success);
    const [error] = response.json().data;
    assert.deepEqual(response.json().data.length, 1);
    assert.deepEqual(Object.keys(error).sort(), [
      'block',
      'blockId',
      'blockName',
      'errorOccurredAt',
      'executionId',
      'message',
      'userId',
      'workflowId',
    ]);
    assert.equal(error.workflowId, STREAM_WORKFLOW_ID);
    assert.equal(error.block, 'demoStore');
    assert.equal(error.blockId, 'update-order-status');
    // The stream workflow defines no such block: a name only where the definitions give one.
    assert.equal(error.blockName, null);
    assert.equal(error.message, 'Order 123 was not found in the store');
    assert.equal(error.executionId, failed);
    assert.ok(!Number.isNaN(Date.parse(error.errorOccurredAt)));

    const all = await api.call('GET', `/workflows/${STREAM_WORKFLOW_ID}/errors`);
    assert.deepEqual(
      all.json().data.map((e: { executionId: string }) => e.executionId),
      [otherFailed, failed],
    );
    const none = await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/errors?userId=erring-too`);
    assert.deepEqual(none.json(), { data: [] });
    assert.equal((await api.call('GET', `/workflows/${STREAM_WORKFLOW_ID}/errors?limit=101`)).statusCode, 400);
    assert.equal((await api.call('GET', `/workflows/${UNKNOWN_ID}/errors`)).statusCode, 404);
    assert.equal(
      (await api.call('GET', `/workflows/${STREAM_WORKFLOW_ID}/errors?userId=${userId}`, { key: 'prod' })).statusCode,
      404,
    );
  });
});

describe('GET /logs and GET /logs/:executionId', () => {
  test('filters (documented format), sorting and paging over every workflow', async () => {
    const userId = await api.createUser('searched@example.com');
    await api.call('PUT', `/users/${userId}`, { body: { fullName: 'Sear Ched' } });
    const base = Date.parse('2030-01-01T00:00:00.000Z');
    const a = await recordExecution({ userId, startedAt: base });
    const b = await recordExecution({ userId, startedAt: base + 1000, fail: true });
    const c = await recordExecution({ userId, workflowId: STREAM_WORKFLOW_ID, startedAt: base + 2000 });
    const search = async (query: string) => {
      const response = await api.call('GET', `/logs?associatedUserId=${userId}&${query}`);
      assert.equal(response.statusCode, 200, response.body);
      return response.json();
    };
    const filter = (column: string, operator: string, value: string | number, condition?: 'and' | 'or') => ({
      columns: { value: column },
      operators: { value: operator },
      userinput: { value },
      ...(condition ? { condition: { value: condition } } : {}),
    });
    const ids = (body: { notifications: { _id: string }[] }) => body.notifications.map((n) => n._id);

    const everything = await search('sortBy=createdAt&sortOrder=asc');
    assert.ok(LogSearchResponse.safeParse(everything).success);
    assert.deepEqual(ids(everything), [a, b, c]);
    const notification = everything.notifications[1];
    assert.equal(notification.message, 'executionError');
    assert.deepEqual(notification.data, { executionId: b, executionUuid: b });
    assert.deepEqual(notification.user, { email: 'searched@example.com', fullName: 'Sear Ched' });
    assert.equal(notification.forgeWorkflowId, EVENT_WORKFLOW_ID);
    assert.equal(notification.forgeWorkflow.integrationId._id, INTEGRATION_ID);
    assert.equal(notification.forgeWorkflow.integrationId.name, 'Demo Store');

    const errors = await search(
      `filters=${encodeURIComponent(JSON.stringify([filter('message', 'equals', 'executionError')]))}`,
    );
    assert.deepEqual(ids(errors), [b]);
    const later = await search(
      `sortOrder=asc&filters=${encodeURIComponent(JSON.stringify([filter('createdAt', 'greaterthan', '2030-01-01T00:00:00.500Z')]))}`,
    );
    assert.deepEqual(ids(later), [b, c]);
    const either = await search(
      `sortOrder=asc&filters=${encodeURIComponent(
        JSON.stringify([
          filter('data.executionId', 'equals', a),
          filter('forgeWorkflowId', 'equals', STREAM_WORKFLOW_ID, 'or'),
        ]),
      )}`,
    );
    assert.deepEqual(ids(either), [a, c]);
    const notContains = await search(
      `filters=${encodeURIComponent(JSON.stringify([filter('message', 'notcontains', 'Success'), filter('workflowVersion', 'equals', 1)]))}`,
    );
    assert.deepEqual(ids(notContains), [b]);
    const byWorkflow = await search(`workflowId=${STREAM_WORKFLOW_ID}`);
    assert.deepEqual(ids(byWorkflow), [c]);
    const paged = await search('sortOrder=asc&skip=1&limit=1');
    assert.deepEqual(ids(paged), [b]);
    assert.deepEqual(paged.pagination, { currentPage: 2, pageSize: 1, totalItems: 3, totalPages: 3 });
    const byUsername = await api.call('GET', '/logs?associatedUserId=searched@example.com');
    assert.equal(byUsername.json().pagination.totalItems, 3);

    const one = await api.call('GET', `/logs/${b}`);
    assert.equal(one.statusCode, 200);
    assert.equal(one.json().data.executionId, b);
    assert.equal(one.json().data.status, 'error');
    assert.equal(one.json().data.runId, null);
    assert.equal((await api.call('GET', `/logs/${b}`, { key: 'prod' })).statusCode, 404);
    assert.equal((await api.call('GET', `/logs/${UNKNOWN_ID}`)).statusCode, 404);
    assert.equal((await api.call('GET', '/logs/not-an-id')).statusCode, 400);
  });

  test('malformed filters and parameters are 400s naming the problem', async () => {
    const bad = [
      'filters=not-json',
      `filters=${encodeURIComponent('{"a":1}')}`,
      `filters=${encodeURIComponent(JSON.stringify([{ columns: { value: 'password' }, operators: { value: 'equals' }, userinput: { value: 'x' } }]))}`,
      `filters=${encodeURIComponent(JSON.stringify([{ columns: { value: 'userId' }, operators: { value: 'like' }, userinput: { value: 'x' } }]))}`,
      `filters=${encodeURIComponent(JSON.stringify([{ columns: { value: 'createdAt' }, operators: { value: 'greaterthan' }, userinput: { value: 'yesterday' } }]))}`,
      'sortBy=password',
      'limit=101',
      'skip=-1',
      'workflowId=nope',
      'unknown=1',
    ];
    for (const query of bad) {
      const response = await api.call('GET', `/logs?${query}`);
      assert.equal(response.statusCode, 400, query);
      assert.equal(response.json().error.code, 'validation_failed', query);
    }
    assert.equal((await api.call('GET', '/logs', { key: 'none' })).statusCode, 401);
  });
});

describe('DELETE /users/:userId/logs', () => {
  test('erases the user’s executions for good, even from the database file, and only theirs', async () => {
    const userId = await api.createUser('forget-me');
    const other = await api.createUser('remember-me');
    const marker = 'gdpr-marker-7f3a9c1e';
    await recordExecution({ userId, marker });
    await recordExecution({ userId, marker, fail: true });
    const kept = await recordExecution({ userId: other });
    // SQLite: the database file and its WAL, bytes and all; PostgreSQL: every row of every table.
    const files = async (): Promise<Buffer[]> => {
      if (TEST_ENGINE === 'postgres') {
        const tables = await rawRows<{ table_name: string }>(
          api.server,
          'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()',
        );
        const rows = await Promise.all(tables.map((t) => rawRows(api.server, `SELECT * FROM ${t.table_name}`)));
        return rows
          .flat()
          .flatMap((row) => Object.values(row).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v)))));
      }
      api.server.db.pragma('wal_checkpoint(TRUNCATE)');
      return ['alloy.db', 'alloy.db-wal']
        .map((f) => path.join(api.server.dataDir, f))
        .filter((f) => fs.existsSync(f))
        .map((f) => fs.readFileSync(f));
    };
    assert.ok(
      (await files()).some((b) => b.includes(marker)),
      'the marker is on disk before',
    );

    assert.equal((await api.call('DELETE', `/users/${userId}/logs`, { key: 'prod' })).statusCode, 404);
    assert.equal((await api.call('DELETE', `/users/${userId}/logs?userId=${other}`)).statusCode, 400);
    const response = await api.call('DELETE', `/2022-09/users/${userId}/logs?userId=${userId}`, {
      headers: { accept: 'application/json' },
    });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { message: 'Success' });
    const logs = await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs?userId=${userId}`);
    assert.equal(logs.json().pagination.totalItems, 0);
    assert.ok(!(await files()).some((b) => b.includes(marker)), 'no copy of the data is left in the file or the WAL');
    assert.equal((await api.call('GET', `/logs/${kept}`)).statusCode, 200, 'other users keep theirs');
  });

  test('works after the user was deleted (by userId); unknown users are 404s', async () => {
    const userId = await api.createUser('deleted-then-forgotten');
    await recordExecution({ userId });
    await api.call('DELETE', `/users/${userId}`);
    const response = await api.call('DELETE', `/users/${userId}/logs`);
    assert.equal(response.statusCode, 200);
    assert.equal((await api.call('GET', `/logs?associatedUserId=${userId}`)).json().pagination.totalItems, 0);
    assert.equal((await api.call('DELETE', `/users/${userId}/logs`)).statusCode, 404);
    assert.equal((await api.call('DELETE', '/users/never-existed/logs')).statusCode, 404);
    assert.equal((await api.call('DELETE', `/users/${userId}/logs`, { key: 'wrong' })).statusCode, 401);
  });
});

describe('retention', () => {
  test('the pruning job deletes executions older than the retention period (60 days by default)', async () => {
    const userId = await api.createUser('ancient');
    const day = 24 * 60 * 60 * 1000;
    const old = await recordExecution({ userId, startedAt: Date.now() - 61 * day });
    const recent = await recordExecution({ userId, startedAt: Date.now() - 59 * day });
    assert.equal(api.server.ctx.retention.retentionDays, 60);
    const result = await api.server.ctx.retention.runOnce();
    assert.ok(result.executions >= 1);
    assert.equal((await api.call('GET', `/logs/${old}`)).statusCode, 404);
    assert.equal((await api.call('GET', `/logs/${recent}`)).statusCode, 200);
  });

  test('the retention period is configurable, and the job runs at start', async () => {
    const first = await startApi();
    const userId = await first.createUser('short-lived');
    const threeDaysAgo = Date.now() - 3 * 24 * 60 * 60 * 1000;
    const id = await first.server.ctx.executions.start({
      env: 'development',
      userId,
      workflowId: EVENT_WORKFLOW_ID,
      version: 1,
      integrationId: INTEGRATION_ID,
      mode: 'trigger',
      startedAt: iso(threeDaysAgo),
    });
    await first.server.close();
    const second = await startApi({ dataDir: first.server.dataDir, server: { logRetentionDays: 2 } });
    try {
      assert.equal(second.server.ctx.retention.retentionDays, 2);
      assert.equal((await second.call('GET', `/logs/${id}`)).statusCode, 404, 'pruned when the server started');
    } finally {
      await second.server.dispose();
    }
  });
});

describe('kept execution counts (totalItems without COUNT(*) over a workflow)', () => {
  /** The counts the triggers keep, against COUNT(*) over the executions, per environment, workflow and status. */
  async function assertCountsMatch(server: Api['server']): Promise<number> {
    const counted = await rawRows<{ env: string; workflow_id: string; status: string; n: number }>(
      server,
      'SELECT env, workflow_id, status, COUNT(*) AS n FROM executions GROUP BY env, workflow_id, status',
    );
    const kept = await rawRows<{ env: string; workflow_id: string; status: string; n: number }>(
      server,
      'SELECT env, workflow_id, status, SUM(n) AS n FROM execution_counts GROUP BY env, workflow_id, status',
    );
    const byKey = (rows: { env: string; workflow_id: string; status: string; n: number }[]) =>
      Object.fromEntries(
        rows.filter((r) => Number(r.n) !== 0).map((r) => [`${r.env}/${r.workflow_id}/${r.status}`, Number(r.n)]),
      );
    assert.deepEqual(byKey(kept), byKey(counted));
    return counted.reduce((sum, r) => sum + Number(r.n), 0);
  }

  test('follow every write (start, finish, erasure, retention) and answer totalItems and message-filtered totals', async () => {
    const local = await startApi();
    try {
      const server = local.server;
      const store = server.ctx.executions;
      const record = async (
        userId: string,
        workflowId: string,
        outcome: 'success' | 'error' | 'running',
        at: number,
      ) => {
        const id = await store.start({
          env: 'development',
          userId,
          workflowId,
          version: 1,
          integrationId: INTEGRATION_ID,
          mode: 'trigger',
          startedAt: iso(at),
        });
        if (outcome !== 'running') await store.finish(id, { status: outcome, stoppedAt: iso(at + 5) });
        return id;
      };
      const day = 24 * 60 * 60 * 1000;
      const alice = await local.createUser('count-alice');
      const bob = await local.createUser('count-bob');
      const now = Date.now();
      for (let i = 0; i < 7; i++) await record(alice, EVENT_WORKFLOW_ID, i % 3 === 0 ? 'error' : 'success', now - i);
      for (let i = 0; i < 4; i++) await record(bob, EVENT_WORKFLOW_ID, 'success', now - 100 - i);
      await record(bob, EVENT_WORKFLOW_ID, 'running', now - 200);
      await record(bob, STREAM_WORKFLOW_ID, 'error', now - 300);
      await record(bob, STREAM_WORKFLOW_ID, 'success', now - 61 * day);
      assert.equal(await assertCountsMatch(server), 14);

      const total = async (path: string) => {
        const response = await local.call('GET', path);
        assert.equal(response.statusCode, 200, response.body);
        return response.json().pagination.totalItems as number;
      };
      const messageFilters = (...filters: [string, string, ('and' | 'or')?][]) =>
        encodeURIComponent(
          JSON.stringify(
            filters.map(([operator, value, condition]) => ({
              columns: { value: 'message' },
              operators: { value: operator },
              userinput: { value },
              ...(condition ? { condition: { value: condition } } : {}),
            })),
          ),
        );
      assert.equal(await total(`/workflows/${EVENT_WORKFLOW_ID}/logs`), 12);
      assert.equal(await total(`/workflows/${EVENT_WORKFLOW_ID}/logs?userId=${bob}`), 5);
      assert.equal(await total(`/logs?workflowId=${EVENT_WORKFLOW_ID}`), 12);
      assert.equal(await total(`/logs`), 14);
      assert.equal(await total(`/logs?filters=${messageFilters(['equals', 'executionError'])}`), 4);
      assert.equal(
        await total(`/logs?workflowId=${EVENT_WORKFLOW_ID}&filters=${messageFilters(['contains', 'SUCCESS'])}`),
        8,
        '`contains` ignores case',
      );
      assert.equal(
        await total(
          `/logs?workflowId=${EVENT_WORKFLOW_ID}&filters=${messageFilters(['equals', 'executionRunning'], ['equals', 'executionError', 'or'])}`,
        ),
        4,
      );
      assert.equal(
        await total(
          `/logs?filters=${messageFilters(['notcontains', 'Error'], ['notequals', 'executionSuccess', 'and'])}`,
        ),
        1,
      );
      assert.equal(await total(`/logs?filters=${messageFilters(['equals', 'nothing'])}`), 0);
      // The pages agree with the totals: each row has the status the filter named.
      const errors = await local.call('GET', `/logs?filters=${messageFilters(['equals', 'executionError'])}`);
      assert.deepEqual(
        errors.json().notifications.map((n: { message: string }) => n.message),
        ['executionError', 'executionError', 'executionError', 'executionError'],
      );

      assert.equal((await local.call('DELETE', `/users/${alice}/logs`)).statusCode, 200);
      assert.equal(await assertCountsMatch(server), 7);
      assert.equal(await total(`/workflows/${EVENT_WORKFLOW_ID}/logs`), 5);
      await server.ctx.retention.runOnce();
      assert.equal(await assertCountsMatch(server), 6);
      assert.equal(await total(`/workflows/${STREAM_WORKFLOW_ID}/logs`), 1);
      // Deleting the user cascades to nothing here (executions outlive their user), the counts stay right.
      await local.call('DELETE', `/users/${bob}`);
      assert.equal(await assertCountsMatch(server), 6);
    } finally {
      await local.server.dispose();
    }
  });

  test(
    'an existing database gets its counts from the executions it already has (SQLite upgrade)',
    { skip: TEST_ENGINE !== 'sqlite' && 'the SQLite file is rewound to the previous schema version' },
    async () => {
      const first = await startApi();
      const userId = await first.createUser('before-the-counts');
      for (let i = 0; i < 3; i++)
        await first.server.ctx.executions.start({
          env: 'development',
          userId,
          workflowId: EVENT_WORKFLOW_ID,
          version: 1,
          integrationId: INTEGRATION_ID,
          mode: 'trigger',
        });
      // Back to the schema before the counts: as a database written by the previous release.
      const db = first.server.db;
      const countsMigration = migrationsFor('sqlite').findIndex((sql) => sql.includes('CREATE TABLE execution_counts'));
      assert.ok(countsMigration > 0);
      db.exec(`DROP TRIGGER executions_count_insert; DROP TRIGGER executions_count_delete;
        DROP TRIGGER executions_count_update; DROP TABLE execution_counts;`);
      // Applied: the migrations before the counts' (the later ones replay harmlessly).
      db.pragma(`user_version = ${countsMigration}`);
      await first.server.close();
      const second = await startApi({ dataDir: first.server.dataDir });
      try {
        assert.equal(await assertCountsMatch(second.server), 3);
        assert.equal(
          (await second.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs`)).json().pagination.totalItems,
          3,
        );
      } finally {
        await second.server.dispose();
      }
    },
  );
});
