import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { openStorage } from '../../src/server/platform/db/index.js';
import { engineServerOptions, rawRow, TEST_ENGINE } from '../helpers/engine.js';
import { TEST_API_KEY } from '../helpers/server.js';
import { LAB_INTEGRATION_ID, PING_EVENT, PING_WORKFLOW_ID, labIntegration } from './lab-integration.js';
import { TestReceiver } from './receiver.js';
import { definitionsDir, startApi, waitFor } from './support.js';

const SERVER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'runtime-server.ts');

let receiver: TestReceiver;
let dir: string;
before(async () => {
  receiver = await TestReceiver.start();
  dir = definitionsDir({ 'lab.integration.json': labIntegration((p) => receiver.url(p)) });
});
after(async () => {
  await receiver.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('graceful shutdown', () => {
  test('close() gives a run cut off mid-request back to the queue; the next start finishes it with the same webhook-id', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-shutdown-'));
    const options = { dataDir, server: { definitionsDir: dir, runtime: { shutdownGraceMs: 100 } } };
    const first = await startApi(options);
    const userId = await first.createUser('interrupted');
    const install = await first.call('POST', '/widget/installations', {
      token: await first.token(userId),
      body: { integrationId: LAB_INTEGRATION_ID, workflowIds: [PING_WORKFLOW_ID], values: [] },
    });
    assert.equal(install.statusCode, 201);
    receiver.react = (request) => (request.path === '/stream' ? 'hang' : 200);
    const before = receiver.at('/stream').length;
    const fired = await first.call('POST', '/run/event', { body: { event: PING_EVENT, userId, data: { n: 9 } } });
    const runId = fired.json().eventId as string;
    const [held] = (await receiver.waitFor('/stream', before + 1)).slice(before);

    await first.server.close();
    receiver.react = () => 200;
    receiver.release(503);
    const row = await readClosed<{ status: string; attempts: number; lease_owner: string | null }>(
      dataDir,
      'SELECT status, attempts, lease_owner FROM run_queue WHERE id = ?',
      runId,
    );
    const execution = (await readClosed<{ status: string }>(
      dataDir,
      'SELECT status FROM executions WHERE run_id = ?',
      runId,
    ))!;
    assert.deepEqual(row, { status: 'queued', attempts: 0, lease_owner: null }, 'released, not counted as a failure');
    assert.equal(execution.status, 'running');

    const second = await startApi(options);
    try {
      await waitFor(
        'the resumed run',
        async () => (await second.server.ctx.runtime.queue.get(runId))?.status === 'done',
      );
      const resent = receiver.at('/stream').slice(before + 1);
      assert.equal(resent.length, 1);
      assert.equal(resent[0]!.headers['webhook-id'], held!.headers['webhook-id'], 'the same webhook-id');
      const logs = (await second.call('GET', `/workflows/${PING_WORKFLOW_ID}/logs?userId=${userId}`)).json().data;
      assert.equal(logs.length, 1, 'one execution, continued');
      assert.equal(logs[0].status, 'success');
    } finally {
      await second.server.dispose();
    }
  });
});

/** A row of a closed server's database, through a connection of its own (SQLite: read-only). */
async function readClosed<T>(dataDir: string, sql: string, ...params: unknown[]): Promise<T | undefined> {
  if (TEST_ENGINE === 'sqlite') {
    const db = new Database(path.join(dataDir, 'alloy.db'), { readonly: true });
    try {
      return db.prepare(sql).get(...params) as T | undefined;
    } finally {
      db.close();
    }
  }
  const { databaseUrl, databaseSchema } = engineServerOptions(dataDir);
  const storage = await openStorage({ dataDir, databaseUrl, schema: databaseSchema });
  try {
    return await rawRow<T>({ storage }, sql, ...params);
  } finally {
    await storage.close();
  }
}

/** Starts the server in a child process and resolves with its URL once it listens. */
async function spawnServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_SCRIPT], {
    env: { ...process.env, RUNTIME_TEST_DATA_DIR: dataDir, RUNTIME_TEST_DEFINITIONS_DIR: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before listening`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return { child, url };
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );

describe('crash safety', () => {
  test('kill -9 while 200 events are accepted: after restart every acknowledged event ran exactly once', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-crash-'));
    const auth = { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' };
    let server = await spawnServer(dataDir);
    try {
      const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
        const response = await fetch(`${server.url}/2024-03${url}`, {
          method,
          headers: { ...auth, ...headers },
          body: body === undefined ? null : JSON.stringify(body),
        });
        return { status: response.status, json: (await response.json()) as Record<string, string> };
      };
      const userId = (await call('POST', '/users', { username: 'crash-test' })).json.userId!;
      const token = (await call('GET', `/users/${userId}/token`)).json.token!;
      const install = await fetch(`${server.url}/2024-03/widget/installations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-alloy-user-token': token },
        body: JSON.stringify({ integrationId: LAB_INTEGRATION_ID, workflowIds: [PING_WORKFLOW_ID], values: [] }),
      });
      assert.equal(install.status, 201);

      const TOTAL = 200;
      const KILL_AFTER = 70;
      const acknowledged = new Map<number, string>();
      const fire = (n: number) =>
        call('POST', '/run/event', { event: PING_EVENT, userId, data: { n } }, { 'idempotency-key': `crash-${n}` });
      // Ten clients send the events; the server is killed (SIGKILL) once 70 were acknowledged.
      let next = 0;
      const victim = server.child;
      const client = async () => {
        while (next < TOTAL) {
          const n = next++;
          try {
            const response = await fire(n);
            if (response.status === 200) acknowledged.set(n, response.json.eventId!);
            if (acknowledged.size === KILL_AFTER) victim.kill('SIGKILL');
          } catch {
            // The server is gone: this event was not acknowledged; the client retries it below.
          }
        }
      };
      await Promise.all(Array.from({ length: 10 }, client));
      await exited(victim);
      assert.equal(victim.signalCode, 'SIGKILL');
      assert.ok(acknowledged.size >= KILL_AFTER && acknowledged.size < TOTAL, `${acknowledged.size} acknowledged`);

      server = await spawnServer(dataDir);
      // A client retries what was not acknowledged, with the same Idempotency-Key; acknowledged
      // ones replayed get the stored answer.
      for (let n = 0; n < TOTAL; n++) {
        const response = await fire(n);
        assert.equal(response.status, 200);
        if (acknowledged.has(n)) assert.equal(response.json.eventId, acknowledged.get(n), `event ${n} replayed`);
        else acknowledged.set(n, response.json.eventId!);
      }

      const db = new Database(path.join(dataDir, 'alloy.db'), { readonly: true });
      try {
        await waitFor(
          'every run to finish',
          () =>
            (
              db.prepare("SELECT COUNT(*) AS n FROM run_queue WHERE kind = 'event' AND status = 'done'").get() as {
                n: number;
              }
            ).n === TOTAL,
          60_000,
        );
        const runs = db.prepare("SELECT id FROM run_queue WHERE kind = 'event'").all() as { id: string }[];
        assert.equal(runs.length, TOTAL, 'one run per Idempotency-Key');
        assert.deepEqual(new Set(runs.map((r) => r.id)), new Set(acknowledged.values()));
        const executions = db
          .prepare(
            `SELECT run_id, COUNT(*) AS n, SUM(status = 'success') AS ok FROM executions
             WHERE workflow_id = ? GROUP BY run_id`,
          )
          .all(PING_WORKFLOW_ID) as { run_id: string; n: number; ok: number }[];
        assert.equal(executions.length, TOTAL, 'every event ran');
        assert.ok(
          executions.every((e) => e.n === 1 && e.ok === 1),
          'each exactly once, successfully',
        );
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      } finally {
        db.close();
      }
      // The receiver saw every event; a delivery cut off by the kill may have been sent twice, with one id.
      const delivered = new Map<string, number>();
      for (const request of receiver.at('/stream')) {
        const body = JSON.parse(request.body) as { userId: string; data: { n: number } };
        if (body.userId === userId) delivered.set(request.headers['webhook-id'] as string, body.data.n);
      }
      assert.equal(delivered.size, TOTAL);
      assert.deepEqual(
        [...delivered.values()].sort((a, b) => a - b),
        Array.from({ length: TOTAL }, (_, i) => i),
      );
    } finally {
      server.child.kill('SIGTERM');
      await exited(server.child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
