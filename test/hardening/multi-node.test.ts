/**
 * Several stateless nodes on one PostgreSQL schema. Two server processes (crash-server.ts) share a
 * schema, the signing keys and the encryption key, behind a round-robin proxy that is their public
 * URL. 1,000 `POST /run/event` calls with distinct Idempotency-Keys, 50 in flight, go through the
 * proxy; at a seeded random moment one node is killed with SIGKILL and restarted. The client
 * resends whatever got no 2xx with the same key and body. Then: one run per acknowledged key, each
 * delivered under one webhook-id, both nodes claimed runs, and a repeated key gets the same answer
 * from either node. A second test has 4 workers (4 pools: 4 sessions, like 4 nodes) claim 2,000
 * run_queue rows with claimLeases: each row exactly once.
 *
 * Needs ALLOY_TEST_DATABASE_URL (scripts/with-postgres.sh sets it); skipped without it.
 * MULTI_NODE_SEED replays a kill schedule.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadSigningKeys } from '../../src/server/deliveries/index.js';
import { dropSchema, openStorage, type Storage } from '../../src/server/platform/db/index.js';
import { claimLeases } from '../../src/server/platform/lease-worker.js';
import { RUN_QUEUE, type RunRow } from '../../src/server/runs/repository.js';
import { rawRows } from '../helpers/engine.js';
import { RoundRobinProxy } from '../helpers/round-robin-proxy.js';
import { LAB_INTEGRATION_ID, PING_EVENT, PING_WORKFLOW_ID, labIntegration } from '../server/lab-integration.js';
import { TestReceiver } from '../server/receiver.js';
import { definitionsDir } from '../server/support.js';
import {
  CRASH_SERVER_SCRIPT,
  KILL_TEST_RUNTIME,
  rawRequest,
  type RawAnswer,
  inParallel,
  seededRandom,
  spawnServer,
  until,
  type ChildServer,
} from './crash-support.js';

const databaseUrl = process.env.ALLOY_TEST_DATABASE_URL;

const EVENTS = 1000;
const IN_FLIGHT = 50;
const NODES = 2;
const RESTART_AFTER_MS = 200;
const CLAIM_ROWS = 2000;
const CLAIM_WORKERS = 4;
const CLAIM_BATCH = 25;

const freshSchema = (name: string) => `t_${name}_${randomBytes(6).toString('hex')}`;

const pidOf = (owner: string) => Number(owner.split('-')[0]);

describe(
  'several nodes on one PostgreSQL schema',
  { skip: !databaseUrl && 'needs ALLOY_TEST_DATABASE_URL (a PostgreSQL; scripts/with-postgres.sh sets it)' },
  () => {
    test(`2 nodes behind a round-robin proxy, ${EVENTS} run/event calls, one node killed with SIGKILL and restarted: one run and one webhook-id per key`, async (t) => {
      const url = databaseUrl!;
      const seed = Number(process.env.MULTI_NODE_SEED ?? Math.floor(Math.random() * 2 ** 31));
      const random = seededRandom(seed);
      t.diagnostic(`seed ${seed} (replay with MULTI_NODE_SEED=${seed})`);
      const began = Date.now();
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-multi-node-'));
      const schema = freshSchema('multinode');
      const receiver = await TestReceiver.start();
      // Each post is held a few ms, so a run keeps its lease long enough for the sampler to see its owner.
      receiver.react = () => 'hang';
      const releaser = setInterval(() => receiver.release(), 5);
      const definitions = definitionsDir({ 'lab.integration.json': labIntegration((p) => receiver.url(p)) });
      const keysDir = path.join(root, 'keys');
      loadSigningKeys(keysDir, { create: true });
      const encryptionKey = randomBytes(32).toString('hex');
      const proxy = new RoundRobinProxy();
      await proxy.listen();

      const options = (node: number) =>
        JSON.stringify({
          dataDir: path.join(root, `node-${node}`),
          definitionsDir: definitions,
          databaseUrl: url,
          databaseSchema: schema,
          publicUrl: proxy.url,
          encryptionKey,
          keysDir,
          sandbox: false,
          runtime: KILL_TEST_RUNTIME,
        });
      const servers: ChildServer[] = [];
      /** Every pid that served as node i (a restart adds one). */
      const pidsOfNode: number[][] = Array.from({ length: NODES }, () => []);
      const start = async (node: number) => {
        const server = await spawnServer(CRASH_SERVER_SCRIPT, { CRASH_SERVER_OPTIONS: options(node) });
        servers[node] = server;
        pidsOfNode[node]!.push(server.child.pid!);
        proxy.nodes[node] = server.url;
        return server;
      };
      proxy.nodes.length = NODES;
      let storage: Storage | undefined;
      let sampling = false;
      let sampler: Promise<void> = Promise.resolve();
      try {
        // Both start at once: they migrate the fresh schema under the migration lock, one after the other.
        await Promise.all(Array.from({ length: NODES }, (_, node) => start(node)));
        storage = await openStorage({ dataDir: root, databaseUrl: url, schema, poolSize: 2 });
        const db = { storage };

        // Set-up through the proxy.
        const created = await rawRequest(proxy.url, 'POST', '/users', { username: 'multi-node' });
        assert.equal(created.status, 200, created.text);
        const userId = (JSON.parse(created.text) as { userId: string }).userId;
        const tokenAnswer = await rawRequest(proxy.url, 'GET', `/users/${userId}/token`);
        assert.equal(tokenAnswer.status, 200, tokenAnswer.text);
        const token = (JSON.parse(tokenAnswer.text) as { token: string }).token;
        const install = await rawRequest(
          proxy.url,
          'POST',
          '/widget/installations',
          { integrationId: LAB_INTEGRATION_ID, workflowIds: [PING_WORKFLOW_ID], values: [] },
          { authorization: '', 'x-alloy-user-token': token },
        );
        assert.equal(install.status, 201, install.text);

        // Who holds which run, sampled while the load runs: lease_owner is `${pid}-…` and is
        // cleared when the run settles, so only a sample of the live leases can show it.
        const owners = new Map<string, Set<number>>();
        sampling = true;
        sampler = (async () => {
          while (sampling) {
            const leased = await rawRows<{ id: string; lease_owner: string }>(
              db,
              'SELECT id, lease_owner FROM run_queue WHERE lease_owner IS NOT NULL',
            );
            for (const row of leased) {
              const seen = owners.get(row.id) ?? new Set<number>();
              seen.add(pidOf(row.lease_owner));
              owners.set(row.id, seen);
            }
            await new Promise((resolve) => setTimeout(resolve, 3));
          }
        })();

        const body = (n: number) => ({ event: PING_EVENT, userId, data: { n } });
        const keyOf = (n: number) => `mn-${schema}-${n}`;
        const victim = Math.floor(random() * NODES);
        const killPoint = Math.floor(EVENTS * (0.2 + 0.5 * random()));
        const answers = new Map<number, RawAnswer>();
        let killedAt: number | undefined;
        let restarted: Promise<ChildServer> | undefined;
        const retries = { sent: 0, resent: 0, networkErrors: 0, status5xx: 0, status409: 0 };
        const loadStarted = Date.now();
        await inParallel(
          Array.from({ length: EVENTS }, (_, n) => n),
          IN_FLIGHT,
          async (n) => {
            for (let attempt = 0; ; attempt++) {
              assert.ok(attempt < 40, `event ${n}: no 2xx after 40 attempts`);
              if (attempt > 0) {
                retries.resent++;
                await new Promise((resolve) => setTimeout(resolve, Math.min(25 * attempt, 500)));
              }
              retries.sent++;
              let answer: RawAnswer;
              try {
                answer = await rawRequest(proxy.url, 'POST', '/run/event', body(n), { 'idempotency-key': keyOf(n) });
              } catch {
                retries.networkErrors++;
                continue;
              }
              if (answer.status >= 200 && answer.status < 300) {
                answers.set(n, answer);
                break;
              }
              assert.ok(answer.status >= 500 || answer.status === 409, `event ${n}: ${answer.status} ${answer.text}`);
              if (answer.status === 409) retries.status409++;
              else retries.status5xx++;
            }
            if (answers.size === killPoint && killedAt === undefined) {
              killedAt = Date.now();
              const dead = servers[victim]!;
              proxy.nodes[victim] = undefined;
              dead.child.kill('SIGKILL');
              restarted = (async () => {
                await dead.exited();
                await new Promise((resolve) => setTimeout(resolve, RESTART_AFTER_MS));
                return start(victim);
              })();
            }
          },
        );
        const loadDone = Date.now();
        assert.ok(restarted, 'the kill happened during the load');
        const restartedNode = await restarted;
        const restartedAt = Date.now();

        // The drain is bound by the claim's cost on PostgreSQL (see the report): generous on a loaded machine.
        let counts = { total: 0, done: 0, failed: 0 };
        await until(
          'every run done',
          async () => {
            const [c] = await rawRows<{ total: number; done: number; failed: number }>(
              db,
              `SELECT COUNT(*) AS total, COUNT(*) FILTER (WHERE status = 'done') AS done,
                COUNT(*) FILTER (WHERE status = 'failed') AS failed FROM run_queue WHERE user_id = ?`,
              userId,
            );
            counts = c!;
            assert.equal(c!.failed, 0, 'no run failed');
            return c!.done === EVENTS && c!.total === EVENTS;
          },
          150_000,
        ).catch((error: Error) => {
          throw new Error(`${error.message}: ${JSON.stringify(counts)} of ${EVENTS}`);
        });
        // Deliveries to the receiver: webhook-ids per event number.
        const idsOfEvent = new Map<number, Set<string>>();
        let posts = 0;
        const readDeliveries = () => {
          idsOfEvent.clear();
          posts = 0;
          for (const request of receiver.at('/stream')) {
            const delivered = JSON.parse(request.body) as { userId: string; data: { n: number } };
            if (delivered.userId !== userId) continue;
            posts++;
            const ids = idsOfEvent.get(delivered.data.n) ?? new Set<string>();
            ids.add(request.headers['webhook-id'] as string);
            idsOfEvent.set(delivered.data.n, ids);
          }
          return idsOfEvent.size >= EVENTS;
        };
        await until('every event delivered', readDeliveries, 30_000);
        sampling = false;
        await sampler;
        const drainedAt = Date.now();

        // One run per acknowledged key: the answers name EVENTS distinct runs, and they are the user's runs.
        assert.equal(answers.size, EVENTS, 'every key acknowledged');
        const runIdOf = new Map([...answers].map(([n, a]) => [n, (JSON.parse(a.text) as { eventId: string }).eventId]));
        const answeredRuns = new Set(runIdOf.values());
        assert.equal(answeredRuns.size, EVENTS, 'each key answered with its own run');
        const runs = await rawRows<{ id: string; status: string }>(
          db,
          'SELECT id, status FROM run_queue WHERE user_id = ?',
          userId,
        );
        assert.equal(runs.length, EVENTS, 'one run per Idempotency-Key, none more');
        assert.deepEqual(new Set(runs.map((r) => r.id)), answeredRuns, 'the runs are the answered ones');
        const keys = await rawRows<{ status: number; n: number }>(
          db,
          `SELECT status, COUNT(*) AS n FROM idempotency_keys WHERE scope = 'run-event:development' AND key LIKE ? GROUP BY status`,
          `mn-${schema}-%`,
        );
        assert.deepEqual(keys, [{ status: 200, n: EVENTS }], 'one completed answer stored per key');
        const executions = await rawRows<{ run_id: string; n: number; ok: number }>(
          db,
          `SELECT run_id, COUNT(*) AS n, COUNT(*) FILTER (WHERE status = 'success') AS ok FROM executions
            WHERE user_id = ? GROUP BY run_id`,
          userId,
        );
        assert.equal(executions.length, EVENTS, 'every run executed');
        const extraExecutions = executions.filter((e) => e.n !== 1 || e.ok !== 1);
        assert.equal(extraExecutions.length, 0, 'one successful execution per run');

        // Each run reaches the receiver under exactly one webhook-id.
        const webhookIds = new Set([...idsOfEvent.values()].flatMap((ids) => [...ids]));
        const duplicates = [...idsOfEvent.values()].filter((ids) => ids.size > 1).length;
        assert.equal(idsOfEvent.size, EVENTS, 'every event delivered');
        assert.equal(duplicates, 0, 'no event delivered under two webhook-ids');
        assert.equal(webhookIds.size, EVENTS, 'one webhook-id per run');

        // Both nodes claimed runs (the victim before its kill or after its restart).
        const claimsOfPid = new Map<number, number>();
        for (const pids of owners.values())
          for (const pid of pids) claimsOfPid.set(pid, (claimsOfPid.get(pid) ?? 0) + 1);
        const claimsOfNode = pidsOfNode.map((pids) => pids.reduce((sum, pid) => sum + (claimsOfPid.get(pid) ?? 0), 0));
        for (const [node, claims] of claimsOfNode.entries()) {
          assert.ok(claims > 0, `node ${node} (pids ${pidsOfNode[node]!.join(', ')}) was seen holding runs`);
        }
        assert.ok(
          [...claimsOfPid.keys()].every((pid) => pidsOfNode.some((pids) => pids.includes(pid))),
          `only the nodes' pids hold leases: ${[...claimsOfPid.keys()].join(', ')}`,
        );

        // A repeated key, sent to each node directly, gets the first answer from both.
        const sample = Array.from({ length: 50 }, (_, i) => Math.floor((i * EVENTS) / 50) + (seed % 20));
        for (const n of sample) {
          const direct = await Promise.all(
            servers.map((server) =>
              rawRequest(server.url, 'POST', '/run/event', body(n), { 'idempotency-key': keyOf(n) }),
            ),
          );
          for (const [node, again] of direct.entries()) {
            assert.deepEqual(again, answers.get(n), `event ${n}: node ${node} replays the first answer`);
          }
        }
        const [after] = await rawRows<{ n: number }>(
          db,
          'SELECT COUNT(*) AS n FROM run_queue WHERE user_id = ?',
          userId,
        );
        assert.equal(after!.n, EVENTS, 'the replays queued nothing');

        const perNode = pidsOfNode
          .map((pids, node) => `node ${node} ${pids.map((pid) => `${pid}:${claimsOfPid.get(pid) ?? 0}`).join('+')}`)
          .join(', ');
        console.log(
          `multi-node | acknowledged ${answers.size}, runs ${runs.length}, deliveries ${posts}, distinct webhook-ids ${webhookIds.size}, ` +
            `duplicates ${duplicates}, claims seen (pid:runs) ${perNode}; node ${victim} killed after ack #${killPoint} ` +
            `(${killedAt! - loadStarted} ms into the load), back ${restartedAt - killedAt!} ms later (pid ${restartedNode.child.pid}); ` +
            `requests sent ${retries.sent} (resent ${retries.resent}: ${retries.networkErrors} network errors, ${retries.status5xx} 5xx, ` +
            `${retries.status409} 409); load ${loadDone - loadStarted} ms, drain ${drainedAt - loadDone} ms, ` +
            `total ${Date.now() - began} ms (seed ${seed})`,
        );
      } finally {
        sampling = false;
        await sampler.catch(() => undefined);
        clearInterval(releaser);
        receiver.release();
        for (const server of servers) {
          if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
        }
        await Promise.all(servers.map((server) => server.exited()));
        await storage?.close();
        await proxy.close();
        await receiver.close();
        await dropSchema(url, schema);
        fs.rmSync(definitions, { recursive: true, force: true });
        fs.rmSync(root, { recursive: true, force: true });
      }
    });

    test(`${CLAIM_WORKERS} workers on separate pools claim ${CLAIM_ROWS} rows: each exactly once`, async (t) => {
      const url = databaseUrl!;
      const schema = freshSchema('claims');
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-multi-claims-'));
      const storages: Storage[] = [];
      try {
        for (let i = 0; i < CLAIM_WORKERS; i++) {
          storages.push(await openStorage({ dataDir: root, databaseUrl: url, schema, poolSize: 2 }));
        }
        const database = storages[0]!.database;
        const base = Date.now() - 60_000;
        const iso = (ms: number) => new Date(ms).toISOString();
        // One tenant: every worker's claim picks the same oldest rows, so the claims truly collide
        // (and a claim on PostgreSQL costs O(tenants x rows) today: see lease-worker.ts `candidate`).
        const users = ['claims-user'];
        await database
          .insertInto('users')
          .values(
            users.map((id, i) => ({
              id,
              env: 'development',
              username: `claims-${i}`,
              full_name: null,
              created_at: iso(base),
            })),
          )
          .execute();
        const ids = Array.from({ length: CLAIM_ROWS }, (_, i) => `run-${String(i).padStart(5, '0')}`);
        for (let from = 0; from < CLAIM_ROWS; from += 500) {
          await database
            .insertInto('run_queue')
            .values(
              ids.slice(from, from + 500).map((id, j) => ({
                id,
                env: 'development' as const,
                user_id: users[(from + j) % users.length]!,
                kind: 'event' as const,
                event_name: PING_EVENT,
                workflow_id: null,
                payload: '{}',
                status: 'queued' as const,
                attempts: 0,
                available_at: iso(base + from + j),
                lease_owner: null,
                lease_expires_at: null,
                last_error: null,
                dedupe_key: null,
                rerun_of: null,
                created_at: iso(base + from + j),
                updated_at: iso(base + from + j),
              })),
            )
            .execute();
        }

        const claimedBy = storages.map(() => [] as string[]);
        const emptyClaims = storages.map(() => 0);
        const started = Date.now();
        await Promise.all(
          storages.map(async (storage, worker) => {
            const owner = `worker-${worker}`;
            let cursor = '';
            for (;;) {
              const rows = await claimLeases<RunRow>(storage.database, RUN_QUEUE, {
                owner,
                limit: CLAIM_BATCH,
                leaseMs: 600_000,
                now: Date.now(),
                tenantLimit: Number.MAX_SAFE_INTEGER,
                after: cursor,
                walk: 64,
              });
              for (const row of rows) {
                assert.equal(row.lease_owner, owner);
                claimedBy[worker]!.push(row.id);
              }
              if (rows.length > 0) {
                // As RunQueue.claim: the next walk starts after the last tenant served.
                const served = rows.map((row) => row.user_id).sort();
                cursor = served.filter((userId) => userId > cursor).at(-1) ?? served.at(-1) ?? cursor;
              } else {
                // Nothing this time: another worker may hold the rows this claim chose (SKIP LOCKED);
                // stop once none is queued.
                emptyClaims[worker]!++;
                const [left] = await rawRows<{ n: number }>(
                  { storage },
                  `SELECT COUNT(*) AS n FROM run_queue WHERE status = 'queued'`,
                );
                if (left!.n === 0) break;
              }
              // A short, jittered pause after every claim (a worker runs what it claimed, or polls
              // again later): no worker gets a head start on the next round.
              await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 45));
            }
          }),
        );
        const elapsed = Date.now() - started;

        const all = claimedBy.flat();
        assert.equal(new Set(all).size, all.length, 'no row claimed twice');
        assert.deepEqual(new Set(all), new Set(ids), `the ${CLAIM_ROWS} rows, all claimed`);
        for (const [worker, claimed] of claimedBy.entries())
          assert.ok(claimed.length > 0, `worker ${worker} claimed some`);
        const rows = await rawRows<{ id: string; status: string; lease_owner: string }>(
          { storage: storages[0]! },
          'SELECT id, status, lease_owner FROM run_queue',
        );
        const ownerOf = new Map(claimedBy.flatMap((claimed, worker) => claimed.map((id) => [id, `worker-${worker}`])));
        assert.ok(
          rows.every((row) => row.status === 'running' && row.lease_owner === ownerOf.get(row.id)),
          'every row leased by the worker that claimed it',
        );
        const line =
          `claims | ${CLAIM_WORKERS} workers, ${CLAIM_ROWS} rows: claimed ${all.length}, distinct ${new Set(all).size}, ` +
          `per worker ${claimedBy.map((c) => c.length).join('/')}, empty claims ${emptyClaims.join('/')}, ${elapsed} ms`;
        t.diagnostic(line);
        console.log(line);
      } finally {
        for (const storage of storages) await storage.close();
        await dropSchema(url, schema);
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  },
);
