/**
 * Issue 15, deliveries module: the outbox and the settings on the storage seam, with every
 * read-then-write as one conditional statement, and the outgoing-request guard that keeps this
 * server's own origin closed to requests that do not name its paths.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import Fastify from 'fastify';
import {
  DeliveryOutbox,
  newMessageId,
  SettingsService,
  type OutboundDelivery,
  type SendResult,
  type SignedSender,
} from '../../src/server/deliveries/index.js';
import {
  createDatabase,
  inTransaction,
  openDatabase,
  type Database,
  type Db,
} from '../../src/server/platform/db/index.js';
import { DomainError } from '../../src/server/platform/errors.js';
import { LeaseWorker } from '../../src/server/platform/lease-worker.js';
import { OutboundError, OutboundHttp, type PrivateTargetPolicy } from '../../src/server/platform/outbound-http.js';
import { DEFAULT_RETRY_POLICY } from '../../src/server/platform/retry.js';
import { waitFor } from './support.js';

/** Settings that send each environment's deliveries to one of `urls` in turn (so several URLs have due rows). */
function rotatingSettings(urls: string[]): SettingsService {
  let next = 0;
  const pick = () => urls[next++ % urls.length]!;
  return {
    get: async () => ({ installationWebhookUrl: pick(), errorStreamUrl: pick() }),
  } as unknown as SettingsService;
}

const installed = (n: number) =>
  ({ userId: `u${n}`, workflowIds: [], integrationId: 'i', credentials: [], success: true }) as never;

describe('deliveries: the outbox on the seam', () => {
  let dir: string;
  /** Two connections to one file: two processes' worth of workers. */
  let sqliteA: Db;
  let sqliteB: Db;
  let a: Database;
  let b: Database;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-arch-deliveries-'));
    sqliteA = openDatabase(dir);
    sqliteB = openDatabase(dir);
    a = createDatabase(sqliteA, { guardTransactions: true });
    b = createDatabase(sqliteB, { guardTransactions: true });
  });

  afterEach(() => {
    sqliteA.close();
    sqliteB.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const urls = ['https://one.example/hook', 'https://two.example/hook', 'https://three.example/hook'];

  async function enqueue(outbox: DeliveryOutbox, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let n = 0; n < count; n++) {
      const id = await outbox.enqueueInstallationWebhook(a, n % 2 ? 'production' : 'development', installed(n));
      ids.push(id!);
    }
    return ids;
  }

  test('two outboxes with different lease owners claim at once: each delivery is leased once, caps hold', async () => {
    const outboxA = new DeliveryOutbox(a, rotatingSettings(urls), DEFAULT_RETRY_POLICY, 3);
    const outboxB = new DeliveryOutbox(b, rotatingSettings(urls), DEFAULT_RETRY_POLICY, 3);
    const ids = await enqueue(outboxA, 30);

    // Both look (anyDue) and claim in the same turns; each claim interleaves with the other's.
    const [fromA, fromB] = await Promise.all([
      outboxA.claim('owner-a', 8, 30_000),
      outboxB.claim('owner-b', 8, 30_000),
    ]);
    const claimed = [...fromA, ...fromB].map((r) => r.id);
    assert.equal(new Set(claimed).size, claimed.length, 'no delivery leased by both');
    assert.equal(claimed.length, 9, 'three URLs at their cap of three, between the two owners');
    const leases = sqliteA
      .prepare(
        "SELECT url, lease_owner, COUNT(*) AS n FROM outbound_deliveries WHERE status = 'sending' GROUP BY url, lease_owner",
      )
      .all() as { url: string; lease_owner: string; n: number }[];
    for (const url of urls) {
      assert.equal(
        leases.filter((l) => l.url === url).reduce((sum, l) => sum + l.n, 0),
        3,
        `${url} has its cap of leases, whichever owner holds them`,
      );
    }
    for (const row of fromA) assert.equal(row.leaseOwner, 'owner-a');
    for (const row of fromB) assert.equal(row.leaseOwner, 'owner-b');
    assert.deepEqual(
      await Promise.all([outboxA.claim('owner-a', 8, 30_000), outboxB.claim('owner-b', 8, 30_000)]),
      [[], []],
      'every URL is at its cap',
    );
    assert.ok(ids.length === 30);
  });

  test('two delivery workers on two connections send every delivery exactly once', async () => {
    const sent = new Map<string, number>();
    const sender = {
      send: async (request: { id: string }): Promise<SendResult> => {
        sent.set(request.id, (sent.get(request.id) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 2));
        return { ok: true, status: 204, contentType: undefined, body: '' };
      },
    } as unknown as SignedSender;
    const log = Fastify({ logger: false }).log;
    const workers = [a, b].map((database, n) => {
      const outbox = new DeliveryOutbox(database, rotatingSettings(urls), DEFAULT_RETRY_POLICY, 2);
      const worker: LeaseWorker<OutboundDelivery> = new LeaseWorker(
        `deliveries-${n}`,
        outbox,
        (row, signal) => outbox.attempt(row, worker.owner, sender, signal),
        { concurrency: 4, leaseMs: 30_000, pollIntervalMs: 20 },
        log,
      );
      outbox.onEnqueued = () => worker.wake();
      return { outbox, worker };
    });
    for (const { worker } of workers) worker.start();
    const ids = await enqueue(workers[0]!.outbox, 40);
    await waitFor('every delivery delivered', () => {
      const row = sqliteA.prepare("SELECT COUNT(*) AS n FROM outbound_deliveries WHERE status = 'delivered'").get() as {
        n: number;
      };
      return row.n === ids.length;
    });
    await Promise.all(workers.map(({ worker }) => worker.close(1_000)));
    assert.equal(sent.size, ids.length);
    assert.deepEqual(
      [...sent.entries()].filter(([, count]) => count !== 1),
      [],
      'no delivery sent twice',
    );
  });

  test('an enqueue in a transaction that rolls back leaves no delivery and wakes no worker', async () => {
    const outbox = new DeliveryOutbox(a, rotatingSettings(urls), DEFAULT_RETRY_POLICY);
    let wakes = 0;
    outbox.onEnqueued = () => wakes++;
    await assert.rejects(
      inTransaction(a, async (trx) => {
        await outbox.enqueueInstallationWebhook(trx, 'development', installed(1));
        assert.equal(wakes, 0, 'not before the commit');
        throw new Error('the install failed');
      }),
      /the install failed/,
    );
    assert.equal(wakes, 0);
    assert.deepEqual(await outbox.list('development', { limit: 10 }), []);
    const id = await inTransaction(a, (trx) => outbox.enqueueInstallationWebhook(trx, 'development', installed(2)));
    assert.equal(wakes, 1, 'woken once committed');
    assert.equal((await outbox.get('development', id!)).status, 'pending');
  });

  test('retry is one conditional statement: 404 when absent, 409 while being sent, concurrent retries agree', async () => {
    const outbox = new DeliveryOutbox(a, rotatingSettings(urls), DEFAULT_RETRY_POLICY);
    const [id] = await enqueue(outbox, 1);
    const missing = await outbox.retryNow('development', 'msg_000000000000000000000000').catch((e: unknown) => e);
    assert.ok(missing instanceof DomainError && missing.code === 'not_found');
    const other = await outbox.retryNow('production', id!).catch((e: unknown) => e);
    assert.ok(other instanceof DomainError && other.code === 'not_found', 'another environment’s delivery');

    const [leased] = await outbox.claim('owner', 1, 30_000);
    assert.equal(leased?.id, id);
    const busy = await outbox.retryNow('development', id!).catch((e: unknown) => e);
    assert.ok(busy instanceof DomainError && busy.code === 'conflict', String(busy));

    sqliteA.prepare("UPDATE outbound_deliveries SET status = 'failed', attempts = 5, lease_owner = NULL").run();
    const both = await Promise.all([outbox.retryNow('development', id!), outbox.retryNow('development', id!)]);
    for (const delivery of both) {
      assert.equal(delivery.status, 'pending');
      assert.equal(delivery.attempts, 0);
    }
  });

  test('message ids are Standard Webhooks ids in the order made', () => {
    const ids = Array.from({ length: 1_000 }, () => newMessageId());
    for (const id of ids) assert.match(id, /^msg_[0-9a-f]{24}$/);
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
  });

  test('settings: concurrent upserts of one key both succeed; null clears it back to the default', async () => {
    const settings = new SettingsService(a, { installationWebhookUrl: 'https://default.example/hook' });
    const results = await Promise.all([
      settings.update('development', { installationWebhookUrl: 'https://first.example/hook' }),
      settings.update('development', { installationWebhookUrl: 'https://second.example/hook' }),
      new SettingsService(a, {}).update('development', { errorStreamUrl: 'https://errors.example/in' }),
    ]);
    assert.equal(results.length, 3);
    const now = await settings.get('development');
    assert.ok(['https://first.example/hook', 'https://second.example/hook'].includes(now.installationWebhookUrl!));
    assert.equal(now.errorStreamUrl, 'https://errors.example/in');
    const rows = sqliteA.prepare("SELECT COUNT(*) AS n FROM environment_settings WHERE env = 'development'").get() as {
      n: number;
    };
    assert.equal(rows.n, 2, 'one row per key');
    const cleared = await settings.update('development', { installationWebhookUrl: null });
    assert.equal(cleared.installationWebhookUrl, 'https://default.example/hook');
    assert.equal((await settings.get('production')).errorStreamUrl, null, 'environments are apart');
  });
});

describe("outgoing requests: this server's own origin is reached only on the paths the caller names", () => {
  let server: http.Server;
  let other: http.Server;
  const hits: string[] = [];
  let port: number;
  let otherPort: number;

  const listen = async (into: string) => {
    const s = http.createServer((req, res) => {
      hits.push(`${into}${req.url}`);
      res.end('ok');
    });
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return s;
  };

  beforeEach(async () => {
    hits.length = 0;
    server = await listen('own');
    other = await listen('other');
    port = (server.address() as AddressInfo).port;
    otherPort = (other.address() as AddressInfo).port;
  });

  afterEach(async () => {
    for (const s of [server, other]) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  const request = (url: string) => ({ method: 'POST', url, headers: {}, body: '{}', timeoutMs: 2_000 });
  const refused = (error: unknown) => error instanceof OutboundError && error.failure === 'refused';

  for (const policy of ['loopback', 'all'] as PrivateTargetPolicy[]) {
    test(`policy ${policy}: an absolute URL on the public origin outside the named prefixes is refused`, async () => {
      const client = new OutboundHttp(policy, { ownBaseUrl: () => `http://localhost:${port}` });
      try {
        const base = `http://localhost:${port}`;
        await assert.rejects(client.send(request(`${base}/_api/users`)), refused, 'no prefixes named');
        await assert.rejects(
          client.send(request(`${base}/_api/users`), { ownPathPrefixes: ['/hooks/'] }),
          (error: unknown) =>
            refused(error) && /outside the allowed prefixes \(\/hooks\/\)/.test((error as Error).message),
        );
        // The same server under another loopback name.
        await assert.rejects(client.send(request(`http://127.0.0.1:${port}/_api/users`)), refused);
        await assert.rejects(client.send(request(`http://[::1]:${port}/_api/users`)), refused);
        assert.deepEqual(hits, [], 'the server was never called');

        // A named path goes through; another loopback service is still the policy's to judge.
        assert.equal((await client.send(request(`${base}/hooks/in`), { ownPathPrefixes: ['/hooks/'] })).status, 200);
        assert.equal((await client.send(request(`http://127.0.0.1:${otherPort}/x`))).status, 200);
        assert.deepEqual(hits, ['own/hooks/in', 'other/x']);
      } finally {
        client.close();
      }
    });
  }

  test('policy none: the named paths of this server still go through, others are refused', async () => {
    const client = new OutboundHttp('none', { ownBaseUrl: () => `http://127.0.0.1:${port}` });
    try {
      await assert.rejects(client.send(request(`http://127.0.0.1:${port}/_api`)), refused);
      assert.equal(
        (await client.send(request(`http://127.0.0.1:${port}/hooks/a`), { ownPathPrefixes: ['/hooks/'] })).status,
        200,
      );
      assert.deepEqual(hits, ['own/hooks/a']);
    } finally {
      client.close();
    }
  });
});
