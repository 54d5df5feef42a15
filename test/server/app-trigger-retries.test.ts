/**
 * Durable retries of app-trigger syncs: a sync that fails (the app is down) is recorded in
 * `app_subscription_retries` and retried from there, by this node, by a new server on the same
 * data after a restart, or by another node on the same PostgreSQL schema; two nodes never
 * subscribe a user twice. The Demo Store's `order.created` subscribe is wrapped to fail on demand
 * and to count calls (the servers run in this process and share the connector). The servers sit
 * behind one proxy, their common public URL, so a user's receiver URL is the same on every node.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConnectorError, findConnector, type ConnectorEvent } from '../../src/server/connections/index.js';
import { TEST_ENGINE, dropEngineData, rawRow, rawRows, rawRun } from '../helpers/engine.js';
import { RoundRobinProxy } from '../helpers/round-robin-proxy.js';
import { type Api, STREAM_WORKFLOW_ID, startApi, waitFor } from './support.js';

const event = findConnector('demoStore')!.events.find((e) => e.name === 'order.created')!;
const realSubscribe = event.subscribe.bind(event);

/** Per user: calls to subscribe, how many succeeded, the most at once, and how it should fail. */
interface Calls {
  calls: number;
  succeeded: number;
  inFlight: number;
  maxInFlight: number;
  /** Failures still to give. */
  failures: number;
  /** Fails every call while true. */
  down: boolean;
  /** While set, calls wait for it before reaching the app. */
  gate?: Promise<void>;
}
const byUser = new Map<string, Calls>();
const callsOf = (userId: string): Calls => {
  let calls = byUser.get(userId);
  if (!calls) {
    calls = { calls: 0, succeeded: 0, inFlight: 0, maxInFlight: 0, failures: 0, down: false };
    byUser.set(userId, calls);
  }
  return calls;
};

const flaky: ConnectorEvent['subscribe'] = async (ctx, credential, url) => {
  const calls = callsOf(url.split('/').pop()!);
  calls.calls += 1;
  calls.inFlight += 1;
  calls.maxInFlight = Math.max(calls.maxInFlight, calls.inFlight);
  try {
    // A little time in the app, so that overlapping syncs would show.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await calls.gate;
    if (calls.down || calls.failures > 0) {
      calls.failures = Math.max(0, calls.failures - 1);
      throw new ConnectorError('unreachable', 'The store is down (test).', 503);
    }
    const subscribed = await realSubscribe(ctx, credential, url);
    calls.succeeded += 1;
    return subscribed;
  } finally {
    calls.inFlight -= 1;
  }
};

let proxy: RoundRobinProxy;
const dirs: string[] = [];

before(async () => {
  event.subscribe = flaky;
  proxy = new RoundRobinProxy();
  await proxy.listen();
});

after(async () => {
  event.subscribe = realSubscribe;
  await proxy.close();
  for (const dir of dirs) {
    fs.rmSync(dir, { recursive: true, force: true });
    await dropEngineData(dir);
  }
});

const nodeUrls = new Map<Api, string>();

/** A node on `dataDir` behind the proxy (its public URL); `nodes` is where the proxy sends requests. */
async function startNode(dataDir: string): Promise<Api> {
  const api = await startApi({ dataDir, server: { publicUrl: proxy.url } });
  const url = `http://127.0.0.1:${(api.server.app.server.address() as AddressInfo).port}`;
  nodeUrls.set(api, url);
  proxy.nodes.push(url);
  return api;
}

/** Takes a node out of the proxy, then closes it (its data stays); again: nothing. */
async function stopNode(api: Api): Promise<void> {
  const index = proxy.nodes.indexOf(nodeUrls.get(api));
  if (index >= 0) proxy.nodes[index] = undefined;
  await api.server.close();
}

function freshDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-trigger-retries-'));
  dirs.push(dir);
  return dir;
}

/** A user connected to the seeded store with the seed integration installed (its Stream workflow is app-event). */
async function installedUser(api: Api, username: string, setUp: (calls: Calls) => void): Promise<string> {
  const userId = await api.createUser(username);
  setUp(callsOf(userId));
  await api.createCredential(userId);
  // The install settles the user's triggers before it answers: the subscribe has failed by now.
  await api.installWithWidget(userId);
  return userId;
}

interface RetryRow {
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
}
const retryRow = (api: Api, userId: string) =>
  rawRow<RetryRow>(
    api.server,
    'SELECT attempts, next_attempt_at, last_error FROM app_subscription_retries WHERE user_id = ?',
    userId,
  );

const subscriptionRows = (api: Api, userId: string) =>
  rawRows<{ workflow_id: string; target_url: string }>(
    api.server,
    'SELECT workflow_id, target_url FROM app_subscriptions WHERE user_id = ?',
    userId,
  );

/** The store's webhooks pointing at the user's receiver (asked through the store's API). */
async function storeHooks(api: Api, userId: string): Promise<number> {
  const { apiKey, storeId } = await api.storeCredential();
  const response = await api.server.app.inject({
    method: 'GET',
    url: `/sandbox/demo-store/api/v1/stores/${storeId}/webhooks`,
    headers: { 'x-store-api-key': apiKey },
  });
  assert.equal(response.statusCode, 200, response.body);
  const receiver = `${proxy.url}/webhooks/${STREAM_WORKFLOW_ID}/${userId}`;
  return (response.json().data as { url: string }[]).filter((hook) => hook.url === receiver).length;
}

/** Waits until the user is subscribed once and nothing is left to retry. */
async function synced(api: Api, userId: string): Promise<void> {
  await waitFor(
    'the retried sync',
    async () => (await retryRow(api, userId)) === undefined && (await subscriptionRows(api, userId)).length === 1,
    30_000,
  );
}

describe('durable app-trigger retries', () => {
  test('a change records the sync it owes in its own transaction: on disk while the app is called, gone once it succeeds', async () => {
    const api = await startNode(freshDataDir());
    let open = () => {};
    try {
      const userId = await api.createUser('owes-a-sync');
      await api.createCredential(userId);
      callsOf(userId).gate = new Promise<void>((resolve) => (open = resolve));
      const installing = api.installWithWidget(userId);
      await waitFor('the sync to reach the app', () => callsOf(userId).inFlight === 1);
      // A node that died now would leave this row; any node's sweep takes it once it is due.
      const owed = await retryRow(api, userId);
      assert.ok(owed, 'the owed sync is on disk before the app answers');
      assert.equal(owed.attempts, 0);
      assert.equal(owed.last_error, null);
      assert.ok(Date.parse(owed.next_attempt_at!) > Date.now(), 'due after a claim lease, not at once');
      open();
      await installing;
      await synced(api, userId);
      assert.equal(callsOf(userId).calls, 1, 'one sync did it');
    } finally {
      open();
      await stopNode(api);
    }
  });

  test('a failed sync is recorded with its attempts and retried from the table until it succeeds', async () => {
    const api = await startNode(freshDataDir());
    try {
      const userId = await installedUser(api, 'retry-twice', (calls) => {
        calls.failures = 2;
      });
      const row = await retryRow(api, userId);
      assert.ok(row, 'the failure is on disk');
      assert.ok(row.attempts >= 1);
      assert.ok(row.next_attempt_at !== null);
      assert.match(row.last_error ?? '', /down/);

      await synced(api, userId);
      const calls = callsOf(userId);
      assert.equal(calls.calls, 3, 'two failures, then one success, no more');
      assert.equal(calls.succeeded, 1);
      assert.equal(calls.maxInFlight, 1);
      assert.equal(await storeHooks(api, userId), 1);
      const [subscription] = await subscriptionRows(api, userId);
      assert.equal(subscription!.target_url, `${proxy.url}/webhooks/${STREAM_WORKFLOW_ID}/${userId}`);
    } finally {
      await stopNode(api);
    }
  });

  test('a retry pending when the server closes is finished by a new server on the same data, with no user action', async () => {
    const dataDir = freshDataDir();
    const first = await startNode(dataDir);
    let second: Api | undefined;
    try {
      const userId = await installedUser(first, 'retry-after-restart', (calls) => {
        calls.down = true;
      });
      await waitFor('the recorded failure', async () => ((await retryRow(first, userId))?.attempts ?? 0) >= 1);
      await stopNode(first);
      const failedCalls = callsOf(userId).calls;
      assert.equal(callsOf(userId).succeeded, 0);

      callsOf(userId).down = false;
      second = await startNode(dataDir);
      await synced(second, userId);
      const calls = callsOf(userId);
      assert.equal(calls.succeeded, 1);
      assert.equal(calls.calls, failedCalls + 1, 'the new server subscribed once');
      assert.equal(calls.maxInFlight, 1);
      assert.equal(await storeHooks(second, userId), 1);
    } finally {
      if (second) await stopNode(second);
      else await stopNode(first);
    }
  });

  test('the start-up walk subscribes a user with an active app-event workflow whom nothing else would sync', async () => {
    const dataDir = freshDataDir();
    const first = await startNode(dataDir);
    let second: Api | undefined;
    try {
      const userId = await installedUser(first, 'synced-at-start', (calls) => {
        calls.down = true;
      });
      await waitFor('the recorded failure', async () => ((await retryRow(first, userId))?.attempts ?? 0) >= 1);
      // Within the first retry's delay: with no retry row and no subscription, only the start-up
      // walk over the users of app-event workflows can subscribe this user.
      assert.equal(await rawRun(first.server, 'DELETE FROM app_subscription_retries WHERE user_id = ?', userId), 1);
      await stopNode(first);
      assert.equal(callsOf(userId).succeeded, 0);

      callsOf(userId).down = false;
      second = await startNode(dataDir);
      await synced(second, userId);
      assert.equal(callsOf(userId).succeeded, 1);
      assert.equal(await storeHooks(second, userId), 1);
    } finally {
      await stopNode(second ?? first);
    }
  });

  test('after the last attempt the retry is parked until the next change, whose failure starts the count over', async () => {
    const api = await startNode(freshDataDir());
    try {
      const userId = await installedUser(api, 'retry-gives-up', (calls) => {
        calls.down = true;
      });
      // Skip ahead to the attempt before the last (again if a failure in flight overwrote it).
      await waitFor('the retries given up', async () => {
        const row = await retryRow(api, userId);
        if (row?.attempts === 12 && row.next_attempt_at === null) return true;
        if (row && row.attempts < 11) {
          await rawRun(
            api.server,
            'UPDATE app_subscription_retries SET attempts = 11, next_attempt_at = ? WHERE user_id = ?',
            new Date().toISOString(),
            userId,
          );
        }
        return false;
      });
      const calls = callsOf(userId).calls;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(callsOf(userId).calls, calls, 'no attempt once given up');

      // The next change syncs again; its failure is the first of a new count.
      await api.server.ctx.runtime.triggers.sync(userId);
      const restarted = await retryRow(api, userId);
      assert.ok(restarted && restarted.next_attempt_at !== null);
      // 1, or 2 when the first retry (due within 0–1 s) has already run.
      assert.ok(restarted.attempts <= 2, `attempts ${restarted.attempts}`);
      callsOf(userId).down = false;
      await synced(api, userId);
      assert.equal(callsOf(userId).succeeded, 1);
    } finally {
      await stopNode(api);
    }
  });

  const pgOnly = TEST_ENGINE !== 'postgres' && 'several nodes share one database on PostgreSQL only';

  test(
    'another node on the same schema finishes a retry the node that recorded it left',
    { skip: pgOnly },
    async () => {
      const dataDir = freshDataDir();
      const a = await startNode(dataDir);
      const b = await startNode(dataDir);
      try {
        const userId = await installedUser(a, 'retry-other-node', (calls) => {
          calls.down = true;
        });
        await waitFor('the recorded failure', async () => ((await retryRow(b, userId))?.attempts ?? 0) >= 1);
        await stopNode(a);
        callsOf(userId).down = false;
        // b started before the failure: only the recorded retry brings it to this user.
        await synced(b, userId);
        const calls = callsOf(userId);
        assert.equal(calls.succeeded, 1);
        assert.equal(calls.maxInFlight, 1);
        assert.equal(await storeHooks(b, userId), 1);
      } finally {
        await stopNode(a);
        await stopNode(b);
      }
    },
  );

  test(
    'two nodes sweeping the same retries never sync a user at once nor subscribe twice',
    { skip: pgOnly },
    async () => {
      const dataDir = freshDataDir();
      const a = await startNode(dataDir);
      const b = await startNode(dataDir);
      try {
        const userId = await installedUser(a, 'retry-two-nodes', (calls) => {
          calls.failures = 3;
        });
        // Both nodes also sync the user directly while the retries are pending.
        await Promise.all([a.server.ctx.runtime.triggers.sync(userId), b.server.ctx.runtime.triggers.sync(userId)]);
        await synced(a, userId);
        // Both sweepers keep looking for a while: nothing more happens.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const calls = callsOf(userId);
        assert.equal(calls.succeeded, 1);
        assert.equal(calls.calls, 4, 'three failures, one success');
        assert.equal(calls.maxInFlight, 1, 'never two syncs of the user at once');
        assert.equal(await storeHooks(b, userId), 1);
        assert.equal((await subscriptionRows(b, userId)).length, 1);
      } finally {
        await stopNode(a);
        await stopNode(b);
      }
    },
  );
});
