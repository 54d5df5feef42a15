import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dropSchema, inTransaction, openStorage, type Storage } from '../../src/server/platform/db/index.js';
import { sql } from 'kysely';
import { RunQueue } from '../../src/server/runs/run-queue.js';
import { TEST_ENGINE, schemaOf } from '../helpers/engine.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { LAB_INTEGRATION_ID, PING_EVENT, PING_WORKFLOW_ID, labIntegration } from './lab-integration.js';
import { TestReceiver } from './receiver.js';
import { clone, definitionsDir, opsIntegration, startApi, waitFor, writeDefinition } from './support.js';

/**
 * What several nodes share through PostgreSQL, with each "node" its own pool and control
 * connection on one schema: the waiting lock, the skip-if-taken lock, notifications that follow
 * the commit, and definitions a reload on one node makes current on all.
 */
const url = process.env.ALLOY_TEST_DATABASE_URL;
const skip =
  (TEST_ENGINE !== 'postgres' || !url) && 'several nodes share a database on PostgreSQL only (ALLOY_TEST_DB=postgres)';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Two nodes (each its own pool and control connection) on one fresh schema, for the suite. */
function twoNodes(prefix: string, opened: (nodes: Storage[]) => void): void {
  let dataDir: string;
  let nodes: Storage[] = [];
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    nodes = await Promise.all(
      [1, 2].map(() => openStorage({ dataDir, databaseUrl: url!, schema: schemaOf(dataDir), poolSize: 2 })),
    );
    opened(nodes);
  });
  after(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await dropSchema(url!, schemaOf(dataDir));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
}

describe('coordination between nodes', { skip }, () => {
  let nodes: Storage[];
  twoNodes('alloy-nodes-', (opened) => (nodes = opened));

  test('withLock: 20 holders spread over two nodes never overlap', async () => {
    let inside = 0;
    let most = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        nodes[i % 2]!.withLock('refresh:credential-1', async () => {
          inside += 1;
          most = Math.max(most, inside);
          await sleep(5);
          inside -= 1;
          done += 1;
        }),
      ),
    );
    assert.equal(done, 20, 'every holder ran');
    assert.equal(most, 1, 'never two at once');
  });

  test('exclusive: while one node holds a name, the other skips it; once free, it runs', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = nodes[0]!.exclusive('retention', () => held);
    await sleep(50);
    const second = await nodes[1]!.exclusive('retention', async () => 'ran');
    assert.deepEqual(second, { ran: false });
    release();
    assert.equal((await first).ran, true);
    assert.deepEqual(await nodes[1]!.exclusive('retention', async () => 'ran'), { ran: true, value: 'ran' });
  });

  test('a notification reaches the other node after the commit, and never after a rollback', async () => {
    const heard: string[] = [];
    await nodes[1]!.listen('alloy_test_channel', (payload) => heard.push(payload));
    await assert.rejects(
      inTransaction(nodes[0]!.database, async (trx) => {
        await nodes[0]!.notify(trx, 'alloy_test_channel', 'rolled-back');
        throw new Error('roll back');
      }),
      /roll back/,
    );
    await inTransaction(nodes[0]!.database, async (trx) => {
      await nodes[0]!.notify(trx, 'alloy_test_channel', 'committed');
      await sleep(100);
      assert.deepEqual(heard, [], 'nothing is delivered before the commit');
    });
    await waitFor('the notification', () => heard.includes('committed') || undefined, 5_000);
    await sleep(100);
    assert.deepEqual(heard, ['committed']);
  });
});

describe('leases across nodes', { skip }, () => {
  let nodes: Storage[];
  twoNodes('alloy-leases-', (opened) => (nodes = opened));

  test("leases go by the database's clock: a node whose clock runs an hour ahead takes no live lease", async () => {
    const [first, second] = nodes.map((node) => new RunQueue(node.database));
    await nodes[0]!.database
      .insertInto('users')
      .values({
        id: 'user-clock',
        env: 'development',
        username: 'clock',
        full_name: null,
        created_at: new Date().toISOString(),
      })
      .execute();
    const { id } = await first!.enqueue({
      env: 'development',
      userId: 'user-clock',
      kind: 'event',
      eventName: 'e',
      data: {},
    });
    const [leased] = await first!.claim('node-1', 1, 60_000);
    assert.equal(leased?.id, id);
    const [{ ahead }] = (
      await sql<{ ahead: number }>`SELECT EXTRACT(EPOCH FROM (
        ${leased!.lease_expires_at}::timestamptz - statement_timestamp())) AS ahead`.execute(nodes[0]!.database)
    ).rows as [{ ahead: number }];
    assert.ok(ahead > 55 && ahead <= 60, `the lease ends 60 s after the database's now (${ahead} s)`);

    const realNow = Date.now;
    Date.now = () => realNow() + 3_600_000;
    try {
      assert.deepEqual(await second!.claim('node-2', 1, 60_000), [], 'the lease has not run out by the database clock');
      assert.equal(await second!.recoverExpired(), 0, 'nor does recovery take it back');
    } finally {
      Date.now = realNow;
    }
    assert.equal(await first!.renew(id, 'node-1', 60_000), true, 'the owner still holds it');
  });
});

describe('definitions across nodes', { skip }, () => {
  let first: TestServer;
  let second: TestServer;
  let firstDir: string;
  let secondDir: string;

  before(async () => {
    firstDir = definitionsDir({ 'ops.integration.json': opsIntegration() });
    secondDir = definitionsDir({ 'ops.integration.json': opsIntegration() });
    first = await startTestServer({ server: { definitionsDir: firstDir, sandbox: false } });
    // The same data dir, so the same schema: a second node on the first one's database.
    second = await startTestServer({ dataDir: first.dataDir, server: { definitionsDir: secondDir, sandbox: false } });
  });

  after(async () => {
    await second.close();
    await first.dispose();
    fs.rmSync(firstDir, { recursive: true, force: true });
    fs.rmSync(secondDir, { recursive: true, force: true });
  });

  const health = async (server: TestServer) => {
    const response = await server.app.inject({ method: 'GET', url: '/health' });
    return { status: response.statusCode, body: response.json() as Record<string, unknown> };
  };
  const renamed = (name: string) => {
    const integration = clone(opsIntegration()) as { name: string };
    integration.name = name;
    return integration;
  };

  test('a reload on one node reaches the other within a second when its files match', async () => {
    assert.equal((await health(second)).status, 200);
    writeDefinition(firstDir, 'ops.integration.json', renamed('Ops, renamed'));
    writeDefinition(secondDir, 'ops.integration.json', renamed('Ops, renamed'));
    const started = Date.now();
    await first.ctx.definitions.reload();
    const name = () =>
      second.ctx.definitions.current.integrations.find((i) => i.name === 'Ops, renamed') ? true : undefined;
    await waitFor('the second node to take up the reload', name, 1_000);
    assert.ok(Date.now() - started < 1_000);
    assert.equal((await health(second)).status, 200);
  });

  test('a node whose files differ from the current definitions is not ready, and says why', async () => {
    writeDefinition(firstDir, 'ops.integration.json', renamed('Ops, third'));
    await first.ctx.definitions.reload();
    const unready = await waitFor(
      'the second node to report itself not ready',
      async () => {
        const answer = await health(second);
        // 503 at once (the generation moved on); the reason once it has re-read its files.
        const problem = (answer.body.definitions as { problem?: string } | undefined)?.problem;
        return answer.status === 503 && problem ? answer : undefined;
      },
      2_000,
    );
    const definitions = unready.body.definitions as { ready: boolean; problem: string };
    assert.equal(definitions.ready, false);
    assert.match(definitions.problem, /differ from the current ones/);
    assert.equal((await health(first)).status, 200);

    // Its files catch up and it is reloaded: ready again.
    writeDefinition(secondDir, 'ops.integration.json', renamed('Ops, third'));
    await second.ctx.definitions.reload();
    assert.equal((await health(second)).status, 200);
  });
});

describe('a run that names a workflow this node lacks', { skip }, () => {
  test('is rescheduled, not failed, until the node takes up the current definitions; then it runs once', async () => {
    const receiver = await TestReceiver.start();
    const lab = { 'lab.integration.json': labIntegration((p) => receiver.url(p)) };
    const behindDir = definitionsDir();
    const currentDir = definitionsDir(lab);
    // Started second with other files (a deploy), the current node makes its definitions current.
    const behind = await startApi({ server: { definitionsDir: behindDir, sandbox: false } });
    const current = await startApi({
      dataDir: behind.server.dataDir,
      server: { definitionsDir: currentDir, sandbox: false },
    });
    try {
      await waitFor(
        'the first node to fall behind',
        async () => !(await behind.server.ctx.definitions.readiness()).ready,
      );
      // From here only the node that lacks the lab workflow runs work.
      await current.server.ctx.runtime.close();
      const userId = await current.createUser('runs-on-the-node-behind');
      const install = await current.call('POST', '/widget/installations', {
        token: await current.token(userId),
        body: { integrationId: LAB_INTEGRATION_ID, workflowIds: [PING_WORKFLOW_ID], values: [] },
      });
      assert.equal(install.statusCode, 201);
      const fired = await current.call('POST', '/run/event', { body: { event: PING_EVENT, userId, data: { n: 1 } } });
      const runId = fired.json().eventId as string;

      // The node behind claims the run and puts it back, again and again: no attempt counted, no error.
      const queue = behind.server.ctx.runtime.queue;
      const seen = new Set<string>();
      const deferred = await waitFor('the node behind to defer the run twice', async () => {
        const row = await queue.get(runId);
        const times = row && row.updated_at !== row.created_at ? (seen.add(row.updated_at), seen.size) : 0;
        // Between two claims it is queued again (while claimed, it is briefly `running`).
        return times >= 2 && row!.status === 'queued' && row;
      });
      assert.equal(deferred.attempts, 0);
      assert.equal(deferred.last_error, null);
      assert.equal(receiver.at('/stream').length, 0);

      // Its files catch up and it reloads: the run goes through, once.
      writeDefinition(behindDir, 'lab.integration.json', lab['lab.integration.json']);
      await behind.server.ctx.definitions.reload();
      await waitFor('the run to finish on the node behind', async () => (await queue.get(runId))?.status === 'done');
      assert.equal(receiver.at('/stream').length, 1);
      const logs = (await behind.call('GET', `/workflows/${PING_WORKFLOW_ID}/logs?userId=${userId}`)).json().data;
      assert.deepEqual(
        logs.map((log: { status: string }) => log.status),
        ['success'],
      );
    } finally {
      await current.server.close();
      await behind.server.dispose();
      await receiver.close();
      fs.rmSync(behindDir, { recursive: true, force: true });
      fs.rmSync(currentDir, { recursive: true, force: true });
    }
  });
});
