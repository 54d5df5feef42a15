import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { rawRows, TEST_ENGINE } from '../helpers/engine.js';
import {
  type Api,
  OPS_INTEGRATION_ID,
  SETTINGS_WORKFLOW_ID,
  UNKNOWN_ID,
  WEBHOOK_WORKFLOW_ID,
  startOpsApi,
  type OpsApi,
} from './support.js';

let served: OpsApi;
let api: Api;
before(async () => {
  served = await startOpsApi();
  api = served.api;
});
after(() => served.dispose());

type QueuedRow = { kind: string; event_name: string | null; workflow_id: string | null; payload: string };

/**
 * Reads the runs the API accepted (events and webhook-trigger runs; installs queue on-installation
 * runs of their own) through a second connection: what is there is committed. SQLite: a read-only
 * connection to the file; PostgreSQL: a pool connection other than any a transaction holds.
 */
async function queuedOnDisk(userId: string): Promise<QueuedRow[]> {
  const sql =
    "SELECT kind, event_name, workflow_id, payload FROM run_queue WHERE user_id = ? AND kind IN ('event', 'workflow') ORDER BY created_at";
  if (TEST_ENGINE === 'postgres') return rawRows<QueuedRow>(api.server, sql, userId);
  const reader = new Database(path.join(api.server.dataDir, 'alloy.db'), { readonly: true });
  try {
    return reader.prepare(sql).all(userId) as QueuedRow[];
  } finally {
    reader.close();
  }
}

const EVENT = 'Fulfillment Updated';

describe('POST /run/event', () => {
  test('valid data is stored in the queue before the answer', async () => {
    const userId = await api.createUser('eventful');
    await api.installWithWidget(userId);
    const response = await api.call('POST', '/2023-12/run/event', {
      body: { event: EVENT, userId, data: { orderId: '123', status: 'FULFILLED' } },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().message, 'Event successfully triggered');
    assert.match(response.json().eventId, /^[0-9a-f]{24}$/);
    const rows = await queuedOnDisk(userId);
    assert.equal(rows.length, 1);
    assert.deepEqual([rows[0]!.kind, rows[0]!.event_name], ['event', EVENT]);
    assert.deepEqual(JSON.parse(rows[0]!.payload), { orderId: '123', status: 'FULFILLED' });
  });

  test('data that does not match the event schema is a 400 naming each bad field', async () => {
    const userId = await api.createUser('schema-breaker');
    const cases: [unknown, (string | number)[][]][] = [
      [{ orderId: 123, status: 'X' }, [['data', 'orderId']]],
      [{ orderId: '1' }, [['data', 'status']]],
      [{ orderId: '1', status: 'X', orderID: '2' }, [['data', 'orderID']]],
      [
        {},
        [
          ['data', 'orderId'],
          ['data', 'status'],
        ],
      ],
    ];
    for (const [data, paths] of cases) {
      const response = await api.call('POST', '/run/event', { body: { event: EVENT, userId, data } });
      assert.equal(response.statusCode, 400, JSON.stringify(data));
      const error = response.json().error;
      assert.equal(error.code, 'validation_failed');
      assert.deepEqual(
        error.issues.map((i: { path: (string | number)[] }) => i.path),
        paths,
      );
    }
    assert.equal((await queuedOnDisk(userId)).length, 0, 'nothing is queued for a refused event');
  });

  test('missing fields, wrong types, unknown event, unknown or other-tenant user', async () => {
    const userId = await api.createUser('run-bad');
    const data = { orderId: '1', status: 'S' };
    const cases: [unknown, number, string[]?][] = [
      [{ userId, data }, 400, ['event']],
      [{ event: EVENT, data }, 400, ['userId']],
      [{ event: EVENT, userId }, 400, ['data']],
      [{ event: EVENT, userId, data: 'text' }, 400, ['data']],
      [{ event: EVENT, userId, data: [1] }, 400, ['data']],
      [{ event: 42, userId, data }, 400, ['event']],
      [{ event: EVENT, userId, data, extra: true }, 400, ['extra']],
      [{ event: 'Nobody Listens', userId, data }, 400, ['event']],
      [{ event: EVENT, userId: 'ghost', data }, 404],
    ];
    for (const [body, status, firstPath] of cases) {
      const response = await api.call('POST', '/run/event', { body });
      assert.equal(response.statusCode, status, JSON.stringify(body));
      if (firstPath) assert.deepEqual(response.json().error.issues[0].path, firstPath, JSON.stringify(body));
    }
    const prod = await api.call('POST', '/run/event', { key: 'prod', body: { event: EVENT, userId, data } });
    assert.equal(prod.statusCode, 404);
    assert.equal(
      (await api.call('POST', '/run/event', { key: 'wrong', body: { event: EVENT, userId, data } })).statusCode,
      401,
    );
  });

  test('Idempotency-Key: same body gets the same answer and one queued event; another body is a 422', async () => {
    const userId = await api.createUser('retrier');
    const send = (status: string, key = 'evt-1') =>
      api.call('POST', '/run/event', {
        headers: { 'idempotency-key': key },
        body: { event: EVENT, userId, data: { orderId: '9', status } },
      });
    const [a, b] = await Promise.all([send('SHIPPED'), send('SHIPPED')]);
    const c = await send('SHIPPED');
    assert.deepEqual([a.statusCode, b.statusCode, c.statusCode], [200, 200, 200]);
    assert.equal(a.json().eventId, b.json().eventId);
    assert.equal(a.json().eventId, c.json().eventId);
    assert.equal((await queuedOnDisk(userId)).length, 1);
    const conflict = await send('CANCELLED');
    assert.equal(conflict.statusCode, 422);
    assert.equal(conflict.json().error.code, 'idempotency_conflict');
    assert.equal((await send('CANCELLED', 'evt-2')).statusCode, 200);
    assert.equal((await queuedOnDisk(userId)).length, 2);
    assert.equal((await send('X', 'bad key with spaces')).statusCode, 400);
    // Keys are per environment: the production key may reuse the same string.
    const prodUser = await api.createUser('retrier', 'prod');
    const prod = await api.call('POST', '/run/event', {
      key: 'prod',
      headers: { 'idempotency-key': 'evt-1' },
      body: { event: EVENT, userId: prodUser, data: { orderId: '9', status: 'SHIPPED' } },
    });
    assert.equal(prod.statusCode, 200);
    assert.notEqual(prod.json().eventId, a.json().eventId);
  });
});

describe('POST /run/workflow', () => {
  async function installTickets(userId: string): Promise<void> {
    const response = await api.call('POST', '/widget/installations', {
      token: await api.token(userId),
      body: {
        integrationId: OPS_INTEGRATION_ID,
        values: [{ workflowId: SETTINGS_WORKFLOW_ID, blockId: 'send', name: 'channel', value: 'email' }],
      },
    });
    assert.equal(response.statusCode, 201, response.body);
  }

  test('runs a webhook-trigger workflow by id or by name, stored before the answer', async () => {
    const userId = await api.createUser('hooked');
    await installTickets(userId);
    const byId = await api.call('POST', '/run/workflow', {
      body: { workflowId: WEBHOOK_WORKFLOW_ID, userId, data: { ticketId: 'T-1', tags: ['a'] } },
    });
    assert.equal(byId.statusCode, 200, byId.body);
    assert.equal(byId.json().message, 'success');
    const byName = await api.call('POST', '/run/workflow', {
      body: { workflowName: 'Ticket webhook', userId: 'hooked', data: { ticketId: 'T-2', priority: 2, tags: [] } },
    });
    assert.equal(byName.statusCode, 200, byName.body);
    const rows = await queuedOnDisk(userId);
    assert.deepEqual(
      rows.map((r) => [r.kind, r.workflow_id]),
      [
        ['workflow', WEBHOOK_WORKFLOW_ID],
        ['workflow', WEBHOOK_WORKFLOW_ID],
      ],
    );
  });

  test('refuses other triggers, deactivated or missing installs, and data off the schema', async () => {
    const userId = await api.createUser('hook-bad');
    const data = { ticketId: 'T', tags: [] };
    const notInstalled = await api.call('POST', '/run/workflow', {
      body: { workflowId: WEBHOOK_WORKFLOW_ID, userId, data },
    });
    assert.equal(notInstalled.statusCode, 404);
    await installTickets(userId);
    await api.installWithWidget(userId);

    const customEvent = await api.call('POST', '/run/workflow', {
      body: { workflowId: '65a1c0de0000000000000102', userId, data: { orderId: '1', status: 'x' } },
    });
    assert.equal(customEvent.statusCode, 400);
    assert.equal(customEvent.json().error.code, 'wrong_trigger');
    assert.match(customEvent.json().error.message, /run\/event/);

    const badData = await api.call('POST', '/run/workflow', {
      body: { workflowId: WEBHOOK_WORKFLOW_ID, userId, data: { ticketId: 5, tags: 'x' } },
    });
    assert.equal(badData.statusCode, 400);
    assert.deepEqual(
      badData.json().error.issues.map((i: { path: string[] }) => i.path),
      [
        ['data', 'ticketId'],
        ['data', 'tags'],
      ],
    );

    for (const body of [
      { userId, data },
      { workflowId: WEBHOOK_WORKFLOW_ID, workflowName: 'Ticket webhook', userId, data },
      { workflowId: WEBHOOK_WORKFLOW_ID, data },
      { workflowId: WEBHOOK_WORKFLOW_ID, userId },
    ]) {
      assert.equal((await api.call('POST', '/run/workflow', { body })).statusCode, 400, JSON.stringify(body));
    }
    assert.equal(
      (await api.call('POST', '/run/workflow', { body: { workflowId: UNKNOWN_ID, userId, data } })).statusCode,
      404,
    );
    assert.equal(
      (
        await api.call('POST', '/run/workflow', {
          key: 'prod',
          body: { workflowId: WEBHOOK_WORKFLOW_ID, userId, data },
        })
      ).statusCode,
      404,
    );

    await api.call('PUT', '/workflows/deactivate', { body: { userId, workflowId: WEBHOOK_WORKFLOW_ID } });
    const inactive = await api.call('POST', '/run/workflow', {
      body: { workflowId: WEBHOOK_WORKFLOW_ID, userId, data },
    });
    assert.equal(inactive.statusCode, 409);
    assert.equal(inactive.json().error.code, 'workflow_inactive');
    assert.equal((await queuedOnDisk(userId)).length, 0);
  });

  test('Idempotency-Key works as for events', async () => {
    const userId = await api.createUser('hook-retrier');
    await installTickets(userId);
    const send = (ticketId: string) =>
      api.call('POST', '/run/workflow', {
        headers: { 'idempotency-key': 'wf-1' },
        body: { workflowId: WEBHOOK_WORKFLOW_ID, userId, data: { ticketId, tags: [] } },
      });
    const a = await send('T-1');
    const b = await send('T-1');
    assert.equal(a.json().runId, b.json().runId);
    assert.equal((await queuedOnDisk(userId)).length, 1);
    assert.equal((await send('T-2')).statusCode, 422);
  });
});
