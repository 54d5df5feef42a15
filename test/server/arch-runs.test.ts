/**
 * The runs module's read-then-write sequences, each now one statement: the queue claim (two
 * workers, even two processes, never lease the same run), an execution block's position (taken by
 * the insert), the wake-up after an enqueue (only once the transaction committed), and idempotent
 * intake (the key first, then the run, in one transaction).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import {
  createDatabase,
  inTransaction,
  openDatabase,
  type Database,
  type Db,
} from '../../src/server/platform/db/index.js';
import { DeliveryOutbox, type SettingsService } from '../../src/server/deliveries/index.js';
import { claimLeases, type LeaseTable } from '../../src/server/platform/lease-worker.js';
import { DEFAULT_RETRY_POLICY } from '../../src/server/platform/retry.js';
import { ExecutionStore } from '../../src/server/runs/executions.js';
import { RunQueue } from '../../src/server/runs/run-queue.js';
import { rawRow, rawRows } from '../helpers/engine.js';
import { type Api, startApi } from './support.js';

const run = promisify(execFile);
const USERS = ['user-a', 'user-b', 'user-c', 'user-d'];

describe('runs on one database, many workers', () => {
  let dir: string;
  let db: Db;
  let database: Database;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-arch-runs-'));
    db = openDatabase(dir);
    database = createDatabase(db, { guardTransactions: true });
    const insert = db.prepare("INSERT INTO users (id, env, username, created_at) VALUES (?, 'development', ?, ?)");
    for (const id of USERS) insert.run(id, id, new Date().toISOString());
  });

  afterEach(async () => {
    await database.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function fill(queue: RunQueue, perUser: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < perUser; i++) {
      for (const userId of USERS) {
        ids.push(
          (await queue.enqueue({ env: 'development', userId, kind: 'event', eventName: 'Ping', data: { i } })).id,
        );
      }
    }
    return ids;
  }

  test('two queues with different lease owners claiming at once lease every run exactly once', async () => {
    const first = new RunQueue(database, 2);
    // A second connection to the same file: another worker, as another process would have.
    const otherDb = openDatabase(dir);
    const other = new RunQueue(createDatabase(otherDb), 2);
    const ids = await fill(first, 25);
    const claimed = new Map<string, string>();
    const twice: string[] = [];
    const worker = async (queue: RunQueue, owner: string) => {
      for (let empty = 0; empty < 3;) {
        const rows = await queue.claim(owner, 3, 60_000);
        empty = rows.length === 0 ? empty + 1 : 0;
        for (const row of rows) {
          assert.equal(row.lease_owner, owner);
          if (claimed.has(row.id)) twice.push(row.id);
          claimed.set(row.id, owner);
          // Done at once, so the tenant's cap frees a slot for the next claim (either worker's).
          assert.equal(await queue.complete(row.id, owner, 'done'), true);
        }
      }
    };
    await Promise.all([worker(first, 'worker-1'), worker(other, 'worker-2'), worker(first, 'worker-3')]);
    otherDb.close();
    assert.deepEqual(twice, []);
    assert.deepEqual([...claimed.keys()].sort(), [...ids].sort());
    const owners = new Set(claimed.values());
    assert.ok(owners.size >= 2, `claims spread over ${[...owners].join(', ')}`);
  });

  test('two processes claiming the same queue at once lease every run exactly once', async () => {
    const queue = new RunQueue(database);
    const ids = await fill(queue, 75);
    const claimer = path.join(import.meta.dirname, 'arch-runs-claimer.ts');
    const owners = ['process-1', 'process-2'];
    const outputs = Promise.all(
      owners.map((owner) => run(process.execPath, ['--import', 'tsx', claimer, dir, owner], { timeout: 60_000 })),
    );
    const ready = () => owners.every((owner) => fs.existsSync(path.join(dir, `ready-${owner}`)));
    for (const deadline = Date.now() + 30_000; !ready() && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    fs.writeFileSync(path.join(dir, 'go'), '');
    const answers = await outputs;
    const [one, two] = answers.map((o) => JSON.parse(o.stdout.trim()) as string[]) as [string[], string[]];
    const all = [...one, ...two];
    assert.ok(one.length > 0 && two.length > 0, `both processes leased runs (${one.length} and ${two.length})`);
    assert.equal(new Set(all).size, all.length, 'no run was leased by both processes');
    assert.deepEqual(all.sort(), [...ids].sort(), 'every run was leased');
    const rows = db
      .prepare("SELECT lease_owner, COUNT(*) AS n FROM run_queue WHERE status = 'running' GROUP BY lease_owner")
      .all() as {
      lease_owner: string;
      n: number;
    }[];
    assert.equal(
      rows.reduce((sum, r) => sum + r.n, 0),
      ids.length,
    );
  });

  test('a worker that lost its lease cannot settle the run the new owner holds', async () => {
    const queue = new RunQueue(database, 1);
    await queue.enqueue({ env: 'development', userId: 'user-a', kind: 'event', eventName: 'Ping', data: {} });
    const now = Date.now();
    const [leased] = await queue.claim('dead', 1, 1_000, now);
    const id = leased?.id;
    assert.ok(id);
    const [again] = await queue.claim('alive', 1, 60_000, now + 2_000);
    assert.equal(again?.id, id);
    assert.equal(await queue.complete(id!, 'dead', 'failed', 'too late'), false);
    assert.equal(await queue.renew(id!, 'dead', 1_000), false);
    assert.equal((await queue.get(id!))?.lease_owner, 'alive');
    assert.equal(await queue.complete(id!, 'alive', 'done'), true);
  });

  test('concurrent block records of one execution get distinct positions, in order of arrival', async () => {
    const otherDb = openDatabase(dir);
    const stores = [database, createDatabase(otherDb)].map(
      (d) =>
        new ExecutionStore(
          d,
          () => undefined as never,
          (p) => p,
          { namesOf: async () => new Map() },
        ),
    );
    const executionId = await stores[0]!.start({
      env: 'development',
      userId: 'user-a',
      workflowId: 'w',
      version: 1,
      integrationId: 'i',
      mode: 'trigger',
    });
    const now = new Date().toISOString();
    const positions = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        stores[n % 2]!.recordBlock(executionId, {
          blockId: `block-${n}`,
          blockType: 'httpRequest',
          connector: null,
          status: 'success',
          input: { n },
          output: { n },
          startedAt: now,
          stoppedAt: now,
        }),
      ),
    );
    otherDb.close();
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, n) => n),
    );
    const recorded = await stores[0]!.recordedBlocks(executionId);
    assert.equal(new Set(recorded.map((b) => b.blockId)).size, 40);
  });

  test('an enqueue in a transaction wakes the worker after the commit, and not after a rollback', async () => {
    const queue = new RunQueue(database);
    let wakes = 0;
    queue.onEnqueued = () => wakes++;
    let committedId = '';
    await inTransaction(database, async (trx) => {
      committedId = (
        await queue.enqueue({ env: 'development', userId: 'user-a', kind: 'event', eventName: 'Ping', data: {} }, trx)
      ).id;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(wakes, 1);
    assert.ok(await queue.get(committedId));
    let rolledBackId = '';
    await assert.rejects(
      inTransaction(database, async (trx) => {
        rolledBackId = (
          await queue.enqueue({ env: 'development', userId: 'user-a', kind: 'event', eventName: 'Ping', data: {} }, trx)
        ).id;
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(wakes, 1, 'no wake-up for a run that was never committed');
    assert.equal(await queue.get(rolledBackId), undefined);
  });

  test('the shared lease claim serves the delivery outbox too: a URL at its cap, the other URL at once', async () => {
    const DELIVERIES: LeaseTable = {
      table: 'outbound_deliveries',
      tenant: 'url',
      due: 'next_attempt_at',
      waiting: 'pending',
      leased: 'sending',
    };
    const settings = {
      get: (env: string) => ({
        installationWebhookUrl: `https://${env}.example.com/installations`,
        errorStreamUrl: `https://${env}.example.com/errors`,
      }),
    } as unknown as SettingsService;
    const outbox = new DeliveryOutbox(database, settings, DEFAULT_RETRY_POLICY, 2);
    for (let n = 0; n < 20; n++) {
      await outbox.enqueueErrorStream(database, 'development', {
        executionId: `e${n}`,
        workflowId: 'w',
        workflowName: 'W',
        integrationId: 'i',
        userId: 'u',
        block: { id: 'b', name: 'B', type: 'streamData', connector: null },
        message: 'm',
        errorOccurredAt: new Date().toISOString(),
      });
    }
    const install = await outbox.enqueueInstallationWebhook(database, 'production', {
      userId: 'u',
      workflowIds: [],
      integrationId: 'i',
      credentials: [],
      success: true,
    } as never);
    const claim = (owner: string) =>
      claimLeases<{ id: string; kind: string }>(database, DELIVERIES, {
        owner,
        limit: 8,
        leaseMs: 30_000,
        now: Date.now(),
        tenantLimit: 2,
      });
    const first = await claim('worker-1');
    assert.equal(first.filter((r) => r.kind === 'errorStream').length, 2);
    assert.ok(first.some((r) => r.id === install));
    assert.deepEqual(await claim('worker-2'), [], 'the error stream is at its cap on every worker');
  });

  test('a repeated dedupe key returns the first run and queues nothing', async () => {
    const queue = new RunQueue(database);
    const runOf = () =>
      queue.enqueue({
        env: 'development',
        userId: 'user-a',
        kind: 'appEvent',
        workflowId: 'w',
        data: {},
        dedupeKey: 'd-1',
      });
    const [a, b] = await Promise.all([runOf(), runOf()]);
    assert.equal(a.id, b.id);
    assert.deepEqual([a.created, b.created].sort(), [false, true]);
  });
});

describe('idempotent intake', () => {
  let api: Api;
  before(async () => {
    api = await startApi();
  });
  after(() => api.server.dispose());

  test('the same Idempotency-Key sent twice at once queues one run; both get its id', async () => {
    const userId = await api.createUser('twice-at-once');
    await api.installWithWidget(userId);
    const send = () =>
      api.call('POST', '/run/event', {
        body: { event: 'Fulfillment Updated', userId, data: { orderId: '1', status: 'PAID' } },
        headers: { 'idempotency-key': 'same-key-at-once' },
      });
    const [a, b] = await Promise.all([send(), send()]);
    assert.equal(a.statusCode, 200, a.body);
    assert.equal(b.statusCode, 200, b.body);
    assert.equal(a.json().eventId, b.json().eventId);
    const rows = await rawRows<{ id: string }>(
      api.server,
      "SELECT id FROM run_queue WHERE user_id = ? AND kind = 'event'",
      userId,
    );
    assert.deepEqual(
      rows.map((r) => r.id),
      [a.json().eventId],
    );
  });

  test('a rerun whose checks fail keeps no idempotency record: the same key works once they pass', async () => {
    const userId = await api.createUser('rerun-key');
    const response = await api.call('POST', `/workflows/65a1c0de0000000000000102/rerun/ffffffffffffffffffffffff`, {
      headers: { 'idempotency-key': 'rerun-key-1' },
    });
    assert.equal(response.statusCode, 404);
    const stored = await rawRow<{ n: number }>(
      api.server,
      "SELECT COUNT(*) AS n FROM idempotency_keys WHERE key = 'rerun-key-1'",
    );
    assert.equal(stored?.n, 0);
    void userId;
  });
});
