/**
 * Noisy neighbours: the run and delivery workers are shared by every tenant, so one tenant whose
 * receiver hangs must not delay another tenant's work by the length of the hang. Each test fills
 * the queue with a noisy tenant's work that hangs until the request timeout (15 s here), then
 * measures how long a quiet tenant's single event takes to reach its own, fast, receiver.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { createDatabase, type Database, type Db, openDatabase } from '../../src/server/platform/db/index.js';
import Fastify from 'fastify';
import { DeliveryOutbox, type SettingsService } from '../../src/server/deliveries/index.js';
import { LeaseWorker } from '../../src/server/platform/lease-worker.js';
import { DEFAULT_RETRY_POLICY } from '../../src/server/platform/retry.js';
import { RunQueue } from '../../src/server/runs/run-queue.js';
import { rawRows } from '../helpers/engine.js';
import { TestReceiver } from './receiver.js';
import { type Api, FAST_RUNTIME, type Key, definitionsDir, startApi, waitFor } from './support.js';

const INTEGRATION_ID = '65a1c0de00000000000000f7';
const NOISY_WORKFLOW_ID = '65a1c0de00000000000f7001';
const QUIET_WORKFLOW_ID = '65a1c0de00000000000f7002';
const NOISY_EVENT = 'Noisy Ping';
const QUIET_EVENT = 'Quiet Ping';

/** Long enough that waiting it out is unmistakable next to the bound below. */
const REQUEST_TIMEOUT_MS = 15_000;
/** The quiet tenant's event must reach its receiver within this, hang or no hang (busy 2-core CI included). */
const QUIET_BOUND_MS = 3_000;
/** How many of the noisy tenant's events are queued ahead of the quiet one. */
const NOISY_EVENTS = 24;

function fairnessIntegration(noisyUrl: string, quietUrl: string): Record<string, unknown> {
  const workflow = (workflowId: string, name: string, event: string, url: string) => ({
    workflowId,
    name,
    versions: [
      {
        version: 1,
        trigger: { type: 'customEvent', id: 'ping', name: 'Ping', event, schema: { n: 'Number' } },
        blocks: [
          {
            type: 'streamData',
            id: 'stream',
            name: 'Stream Data',
            fields: [{ name: 'url', displayName: 'URL', type: 'text', value: url }],
          },
        ],
      },
    ],
  });
  return {
    integrationId: INTEGRATION_ID,
    name: 'Fairness Lab',
    app: 'demoStore',
    icon: '/static/icons/webhook.svg',
    workflows: [
      workflow(NOISY_WORKFLOW_ID, 'Noisy ping', NOISY_EVENT, noisyUrl),
      workflow(QUIET_WORKFLOW_ID, 'Quiet ping', QUIET_EVENT, quietUrl),
    ],
  };
}

interface Setup {
  api: Api;
  noisy: TestReceiver;
  quiet: TestReceiver;
}

let current: (Setup & { dir: string }) | undefined;

/** A listening server whose noisy workflow streams to one receiver and quiet workflow to another. */
async function setUp(): Promise<Setup> {
  const noisy = await TestReceiver.start();
  const quiet = await TestReceiver.start();
  const dir = definitionsDir({
    'fairness.integration.json': fairnessIntegration(noisy.url('/noisy'), quiet.url('/quiet')),
  });
  const api = await startApi({
    server: { definitionsDir: dir, runtime: { ...FAST_RUNTIME, requestTimeoutMs: REQUEST_TIMEOUT_MS } },
  });
  current = { api, noisy, quiet, dir };
  return current;
}

afterEach(async () => {
  if (!current) return;
  const { api, noisy, quiet, dir } = current;
  current = undefined;
  await api.server.dispose();
  await noisy.close();
  await quiet.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function userWith(api: Api, name: string, workflowId: string, key: Key): Promise<string> {
  const userId = await api.createUser(name, key);
  const response = await api.call('POST', '/widget/installations', {
    token: await api.token(userId, key),
    body: { integrationId: INTEGRATION_ID, workflowIds: [workflowId], values: [] },
  });
  assert.equal(response.statusCode, 201, response.body);
  return userId;
}

async function fire(api: Api, key: Key, userId: string, event: string, n: number): Promise<string> {
  const response = await api.call('POST', '/run/event', { key, body: { event, userId, data: { n } } });
  assert.equal(response.statusCode, 200, response.body);
  return response.json().eventId as string;
}

/** ms from firing the quiet tenant's event until its Stream Data POST reaches the quiet receiver. */
async function quietLatency(api: Api, quiet: TestReceiver, userId: string): Promise<number> {
  const before = quiet.at('/quiet').length;
  const firedAt = Date.now();
  await fire(api, 'prod', userId, QUIET_EVENT, 1);
  // Generous, so the figure is measured (and reported) even when it is far over the bound.
  const arrived = await waitFor('the quiet event', () => quiet.at('/quiet')[before], 60_000);
  return arrived.at - firedAt;
}

/** Every run of the noisy tenant(s) finished, delivered: their work was delayed, never lost. */
async function noisyRunsAllDelivered(api: Api, noisy: TestReceiver, runIds: string[]): Promise<void> {
  await waitFor(
    'the noisy runs to finish',
    async () => {
      const rows = await Promise.all(runIds.map((id) => api.server.ctx.runtime.queue.get(id)));
      return (
        rows.every((row) => row?.status === 'done') ||
        (rows.some((row) => row?.status === 'failed') && assert.fail('a noisy run failed'))
      );
    },
    60_000,
  ).catch(async (error: unknown) => {
    const rows = await Promise.all(runIds.map((id) => api.server.ctx.runtime.queue.get(id)));
    const states = rows.map((r) => `${r?.status} (${r?.attempts} attempts, ${r?.last_error ?? 'no error'})`);
    throw new Error(`${(error as Error).message}: ${states.join('; ')}`);
  });
  const delivered = new Set(noisy.at('/noisy').map((r) => r.headers['webhook-id']));
  assert.ok(delivered.size >= runIds.length, `${delivered.size} distinct noisy deliveries for ${runIds.length} runs`);
}

describe('noisy neighbours in the runtime', () => {
  test("one user's hanging receiver does not delay another tenant's event", { timeout: 180_000 }, async (t) => {
    const { api, noisy, quiet } = await setUp();
    noisy.react = () => 'hang';
    const noisyUser = await userWith(api, 'noisy', NOISY_WORKFLOW_ID, 'dev');
    const quietUser = await userWith(api, 'quiet', QUIET_WORKFLOW_ID, 'prod');
    const runIds: string[] = [];
    for (let n = 0; n < NOISY_EVENTS; n++) runIds.push(await fire(api, 'dev', noisyUser, NOISY_EVENT, n));
    // The noisy receiver is holding requests: the worker's slots are being taken.
    await noisy.waitFor('/noisy', 2);

    const latency = await quietLatency(api, quiet, quietUser);
    const held = noisy.at('/noisy').length;
    t.diagnostic(
      `FIGURE noisy-neighbour | one user, ${NOISY_EVENTS} events hanging ${REQUEST_TIMEOUT_MS / 1000} s: ` +
        `other tenant's event delivered in ${(latency / 1000).toFixed(2)} s (noisy requests open: ${held})`,
    );
    assert.ok(latency < QUIET_BOUND_MS, `the quiet tenant waited ${latency} ms`);
    assert.ok(held < NOISY_EVENTS, 'the noisy tenant did not get every slot');

    // The noisy receiver recovers: every one of its runs is delivered.
    noisy.react = () => 200;
    noisy.release(200);
    await noisyRunsAllDelivered(api, noisy, runIds);
  });

  test("many users reaching one hanging host do not delay another tenant's event", { timeout: 180_000 }, async (t) => {
    const { api, noisy, quiet } = await setUp();
    noisy.react = () => 'hang';
    // Eight users of one environment whose runs all reach the same hanging host: each one is
    // under its own cap, so only the budget per target keeps them from filling the worker.
    const noisyUsers: string[] = [];
    for (let i = 0; i < 8; i++) noisyUsers.push(await userWith(api, `noisy-${i}`, NOISY_WORKFLOW_ID, 'dev'));
    const quietUser = await userWith(api, 'quiet', QUIET_WORKFLOW_ID, 'prod');
    const runIds: string[] = [];
    for (let n = 0; n < NOISY_EVENTS; n++) {
      runIds.push(await fire(api, 'dev', noisyUsers[n % noisyUsers.length]!, NOISY_EVENT, n));
    }
    await noisy.waitFor('/noisy', 2);

    const latency = await quietLatency(api, quiet, quietUser);
    const held = noisy.at('/noisy').length;
    t.diagnostic(
      `FIGURE noisy-neighbour | 8 users, ${NOISY_EVENTS} events to one host hanging ${REQUEST_TIMEOUT_MS / 1000} s: ` +
        `other tenant's event delivered in ${(latency / 1000).toFixed(2)} s (noisy requests open: ${held})`,
    );
    assert.ok(latency < QUIET_BOUND_MS, `the quiet tenant waited ${latency} ms`);

    noisy.react = () => 200;
    noisy.release(200);
    await noisyRunsAllDelivered(api, noisy, runIds);
  });

  test(
    "a hanging error stream does not delay the other environment's installation webhook",
    { timeout: 180_000 },
    async (t) => {
      const { api, noisy, quiet } = await setUp();
      // The noisy tenant's receiver refuses every event for good (400), so each run fails and
      // queues an error-stream post; the development error stream hangs.
      noisy.react = (request) => (request.path === '/noisy' ? 400 : 'hang');
      const settings = await api.call('PUT', '/settings', {
        key: 'dev',
        body: { errorStreamUrl: noisy.url('/errors') },
      });
      assert.equal(settings.statusCode, 200, settings.body);
      const prodSettings = await api.call('PUT', '/settings', {
        key: 'prod',
        body: { installationWebhookUrl: quiet.url('/installations') },
      });
      assert.equal(prodSettings.statusCode, 200, prodSettings.body);
      const noisyUser = await userWith(api, 'noisy', NOISY_WORKFLOW_ID, 'dev');
      for (let n = 0; n < NOISY_EVENTS; n++) await fire(api, 'dev', noisyUser, NOISY_EVENT, n);
      await noisy.waitFor('/errors', 2);

      const quietUser = await api.createUser('quiet', 'prod');
      const startedAt = Date.now();
      const response = await api.call('POST', '/widget/installations', {
        token: await api.token(quietUser, 'prod'),
        body: { integrationId: INTEGRATION_ID, workflowIds: [QUIET_WORKFLOW_ID], values: [] },
      });
      assert.equal(response.statusCode, 201, response.body);
      const webhook = await waitFor('the installation webhook', () => quiet.at('/installations')[0], 60_000);
      const latency = webhook.at - startedAt;
      const held = noisy.at('/errors').length;
      t.diagnostic(
        `FIGURE noisy-neighbour | ${NOISY_EVENTS} error-stream posts hanging ${REQUEST_TIMEOUT_MS / 1000} s: ` +
          `other environment's installation webhook delivered in ${(latency / 1000).toFixed(2)} s (error-stream posts open: ${held})`,
      );
      assert.ok(latency < QUIET_BOUND_MS, `the installation webhook waited ${latency} ms`);

      // Every noisy run has failed (and queued its post) before the receiver recovers: a run still
      // queued would otherwise reach a receiver that now answers 200 and rightly post nothing.
      await waitFor(
        'every noisy run to fail',
        async () => {
          const rows = await rawRows<{ n: number }>(
            api.server,
            "SELECT COUNT(*) AS n FROM run_queue WHERE user_id = ? AND status = 'failed'",
            noisyUser,
          );
          return rows[0]!.n === NOISY_EVENTS;
        },
        60_000,
      );
      // The error stream recovers: every failure is posted to it, once each.
      noisy.react = () => 200;
      noisy.release(200);
      await waitFor(
        'every error-stream post',
        async () => {
          const rows = await rawRows<{ status: string; n: number }>(
            api.server,
            "SELECT status, COUNT(*) AS n FROM outbound_deliveries WHERE kind = 'errorStream' GROUP BY status",
          );
          return rows.length === 1 && rows[0]!.status === 'delivered' && rows[0]!.n === NOISY_EVENTS;
        },
        60_000,
      );
    },
  );
});

/** The claims themselves, on a database of their own: who gets leased, in which order. */
describe('fair claims', async () => {
  let dir: string;
  let db: Db;
  let database: Database;

  function setUpDb(users: number): string[] {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-claims-'));
    db = openDatabase(dir);
    database = createDatabase(db, { guardTransactions: true });
    const ids = Array.from({ length: users }, (_, i) => `user-${String(i).padStart(4, '0')}`);
    const insert = db.prepare("INSERT INTO users (id, env, username, created_at) VALUES (?, 'development', ?, ?)");
    for (const id of ids) insert.run(id, id, new Date().toISOString());
    return ids;
  }

  afterEach(async () => {
    await database.destroy();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const enqueue = async (queue: RunQueue, userId: string, count = 1) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push((await queue.enqueue({ env: 'development', userId, kind: 'event', eventName: 'Ping', data: {} })).id);
    }
    return ids;
  };

  test('a tenant holds at most its cap of leases, whichever workers hold them', async () => {
    const [noisy, quiet] = setUpDb(2) as [string, string];
    const queue = new RunQueue(database, 2);
    await enqueue(queue, noisy, 10);
    await enqueue(queue, quiet);
    const first = await queue.claim('worker-1', 16, 30_000);
    assert.deepEqual(first.map((r) => r.user_id).sort(), [noisy, noisy, quiet].sort());
    assert.deepEqual(
      await queue.claim('worker-2', 16, 30_000),
      [],
      'the noisy tenant is at its cap on another worker too',
    );
    await queue.complete(first.find((r) => r.user_id === noisy)!.id, 'worker-1', 'done');
    assert.deepEqual(
      (await queue.claim('worker-2', 16, 30_000)).map((r) => r.user_id),
      [noisy],
    );
  });

  test("every tenant's oldest row goes before any tenant's second", async () => {
    const [a, b, c] = setUpDb(3) as [string, string, string];
    const queue = new RunQueue(database, 4);
    await enqueue(queue, a, 5);
    await enqueue(queue, b);
    await enqueue(queue, c);
    assert.deepEqual((await queue.claim('worker', 3, 30_000)).map((r) => r.user_id).sort(), [a, b, c]);
  });

  test('a lease that expired is claimed again, within the cap', async () => {
    const [user] = setUpDb(1) as [string];
    const queue = new RunQueue(database, 1);
    const [crashed, next] = (await enqueue(queue, user, 2)) as [string, string];
    const now = Date.now();
    assert.deepEqual(
      (await queue.claim('dead-worker', 4, 1_000, now)).map((r) => r.id),
      [crashed],
    );
    assert.deepEqual(
      await queue.claim('worker', 4, 1_000, now + 500),
      [],
      'the live lease holds the tenant at its cap',
    );
    // The lease is over: the tenant holds nothing, so one of its rows is leased (the oldest due).
    const [again] = await queue.claim('worker', 4, 1_000, now + 2_000);
    assert.equal(again?.id, next);
    await queue.complete(next, 'worker', 'done');
    assert.deepEqual(
      (await queue.claim('worker', 4, 1_000, now + 2_000)).map((r) => [r.id, r.lease_owner]),
      [[crashed, 'worker']],
    );
  });

  test('with more tenants waiting than one claim looks at, each is served in turn', async () => {
    const users = setUpDb(150);
    const queue = new RunQueue(database, 1);
    for (const user of users) await enqueue(queue, user, 2);
    // Every tenant gets its first row leased before any gets its second, and none is skipped.
    const served: string[] = [];
    for (let round = 0; round < 40 && served.length < users.length; round++) {
      const rows = await queue.claim('worker', 4, 30_000);
      served.push(...rows.map((r) => r.user_id));
    }
    assert.equal(new Set(served).size, users.length, 'every tenant was served once');
    assert.equal(served.length, users.length, 'no tenant was served twice while at its cap');
  });

  test('tenants at their cap do not hide the ones behind them', async () => {
    const users = setUpDb(81);
    const queue = new RunQueue(database, 1);
    const capped = users.slice(0, 80);
    const last = users[80]!;
    // 80 tenants (more than one claim looks at) each hold a lease and have more rows waiting.
    for (const user of capped) await enqueue(queue, user, 3);
    for (let round = 0; round < 10; round++) await queue.claim('worker-1', 16, 30_000);
    const held = db.prepare("SELECT COUNT(DISTINCT user_id) AS n FROM run_queue WHERE status = 'running'").get() as {
      n: number;
    };
    assert.equal(held.n, 80);
    await enqueue(queue, last);
    // Another process (its walk starts at the first tenant) finds the one tenant it may serve.
    const otherNode = new RunQueue(database, 1);
    assert.deepEqual(
      (await otherNode.claim('worker-2', 16, 30_000)).map((r) => r.user_id),
      [last],
    );
  });

  test('a worker whose due rows are all held back by a cap waits, instead of claiming again and again', async () => {
    const [user] = setUpDb(1) as [string];
    const queue = new RunQueue(database, 1);
    await enqueue(queue, user, 10);
    let claims = 0;
    const claim = queue.claim.bind(queue);
    queue.claim = (...args) => {
      claims++;
      return claim(...args);
    };
    let finish = () => undefined as void;
    const hanging = new Promise<void>((resolve) => (finish = resolve));
    const worker = new LeaseWorker(
      'runs',
      queue,
      () => hanging,
      { concurrency: 4, leaseMs: 30_000, pollIntervalMs: 300 },
      Fastify().log,
    );
    worker.start();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(worker.inFlight, 1, 'the tenant holds its one slot');
    // The first look, then about one per poll; not one every few milliseconds.
    assert.ok(claims <= 8, `${claims} claims in 1 s`);
    finish();
    await worker.close(1_000);
  });

  test('a URL has at most its cap of deliveries being sent, and other URLs go on', async () => {
    setUpDb(0);
    const settings = {
      get: (env: string) => ({
        installationWebhookUrl: `https://${env}.example.com/installations`,
        errorStreamUrl: `https://${env}.example.com/errors`,
      }),
    } as unknown as SettingsService;
    const database = createDatabase(db, { guardTransactions: true });
    const outbox = new DeliveryOutbox(database, settings, DEFAULT_RETRY_POLICY, 2);
    const failure = (n: number) => ({
      executionId: `e${n}`,
      workflowId: 'w',
      workflowName: 'W',
      integrationId: 'i',
      userId: 'u',
      block: { id: 'b', name: 'B', type: 'streamData', connector: null },
      message: 'm',
      errorOccurredAt: new Date().toISOString(),
    });
    for (let n = 0; n < 20; n++) await outbox.enqueueErrorStream(database, 'development', failure(n));
    const install = await outbox.enqueueInstallationWebhook(database, 'production', {
      userId: 'u',
      workflowIds: [],
      integrationId: 'i',
      credentials: [],
      success: true,
    } as never);
    const first = await outbox.claim('worker-1', 8, 30_000);
    assert.equal(first.filter((r) => r.kind === 'errorStream').length, 2);
    assert.ok(
      first.some((r) => r.id === install),
      'the other URL is served at once',
    );
    assert.deepEqual(await outbox.claim('worker-2', 8, 30_000), [], 'the error stream is at its cap on every worker');
  });
});
