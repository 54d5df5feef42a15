/**
 * The console builder under concurrent and hostile use: releases that race (a version is never
 * stored, recorded or published unless the whole set it makes is accepted, and the registry always
 * runs exactly what the database holds), bounded drafts, and console-authored relative URLs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { rawRows, TEST_ENGINE } from '../helpers/engine.js';
import { signInToConsole, startTestServer, type TestServer } from '../helpers/server.js';
import { definitionsDir, waitFor } from './support.js';

const CHEAP = { consoleScryptCost: { N: 2 ** 10, r: 8, p: 1 } };
const PASSWORD = 'correct horse battery staple';

let server: TestServer;
let defsDir: string;
let cookie: string;
let csrf: string;

const inject = (options: InjectOptions) => server.app.inject(options);
const get = (url: string) => inject({ method: 'GET', url, headers: { cookie: `alloy_console_session=${cookie}` } });
const write = (method: 'POST' | 'PUT', url: string, payload?: unknown) =>
  inject({
    method,
    url,
    headers: {
      cookie: `alloy_console_session=${cookie}`,
      'x-alloy-csrf': csrf,
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
  });
const ok = (response: LightMyRequestResponse, what: string) => {
  assert.ok(response.statusCode < 300, `${what}: ${response.statusCode} ${response.body}`);
  return response.json();
};

before(async () => {
  defsDir = definitionsDir();
  server = await startTestServer({
    server: { sandbox: false, ...CHEAP, consolePassword: PASSWORD, definitionsDir: defsDir },
  });
  ({ cookie, csrf } = await signInToConsole(server, PASSWORD));
});
after(async () => {
  await server?.dispose();
  fs.rmSync(defsDir, { recursive: true, force: true });
});

const webhookTrigger = { type: 'webhook', id: 'hook', name: 'Webhook', schema: { orderId: 'String' } };
const streamBlock = (url = 'https://acme.example/orders') => ({
  type: 'streamData',
  id: 'send',
  name: 'Send',
  fields: [{ name: 'url', displayName: 'URL', type: 'text', value: url }],
});

async function newWorkflow(integrationId: string, name: string, draftName = name): Promise<string> {
  const { workflowId } = ok(
    await write('POST', `/console/api/integrations/${integrationId}/workflows`, { name }),
    'create workflow',
  );
  const saved = ok(
    await write('PUT', `/console/api/workflows/${workflowId}/draft`, {
      draft: { name: draftName, trigger: webhookTrigger, blocks: [streamBlock()] },
    }),
    'save draft',
  );
  assert.deepEqual(saved.issues, [], `${name}: a draft that could be released on its own`);
  return workflowId as string;
}

describe('console builder: releases at the same time', () => {
  test('releases are decided one after another: an innocent one is never refused, a refused one leaves nothing', async () => {
    // The interleaving is the scheduler's: a few rounds, so a wrong one shows.
    for (let round = 0; round < 4; round++) await releaseRound(round);
  });
});

async function releaseRound(round: number): Promise<void> {
  const { integrationId } = ok(
    await write('POST', '/console/api/integrations', { app: 'demoStore', name: `Races ${round}` }),
    'create integration',
  );
  // Each draft is fine on its own; the last two take the same workflow name, so only one of
  // them can be released, whichever comes first.
  const alpha = await newWorkflow(integrationId, `Alpha ${round}`);
  const beta = await newWorkflow(integrationId, `Beta ${round}`);
  const gamma = await newWorkflow(integrationId, `Gamma ${round}`, `Beta ${round}`);
  const ids = [alpha, beta, gamma];
  const answers = await Promise.all(ids.map((id) => write('POST', `/console/api/workflows/${id}/release`)));
  const statuses = answers.map((a) => a.statusCode);
  assert.equal(statuses[0], 201, `Alpha clashes with nothing: ${answers[0]!.body}`);
  assert.deepEqual(
    [...statuses.slice(1)].sort(),
    [201, 400],
    `one of the two Betas: ${answers.map((a) => a.body).join(' | ')}`,
  );
  const refused = ids[statuses.lastIndexOf(400)]!;

  // The database, the released_versions record and the running set say the same thing.
  const stored = await rawRows<{ workflow_id: string }>(
    server,
    `SELECT workflow_id FROM console_workflow_versions WHERE workflow_id IN ('${ids.join("','")}')`,
  );
  const recorded = await rawRows<{ workflow_id: string }>(
    server,
    `SELECT workflow_id FROM released_versions WHERE workflow_id IN ('${ids.join("','")}')`,
  );
  const running = ids.filter((id) => server.ctx.definitions.current.workflow(id));
  const expected = ids.filter((id) => id !== refused).sort();
  assert.deepEqual(stored.map((r) => r.workflow_id).sort(), expected, 'stored');
  assert.deepEqual(recorded.map((r) => r.workflow_id).sort(), expected, 'recorded in released_versions');
  assert.deepEqual(running.sort(), expected, 'running');
  const readiness = await server.ctx.definitions.readiness();
  assert.equal(readiness.ready, true);
  assert.equal(readiness.problem, undefined);

  // The refused one, renamed, releases as its version 1.
  const detail = ok(await get(`/console/api/workflows/${refused}`), 'detail');
  ok(
    await write('PUT', `/console/api/workflows/${refused}/draft`, {
      draft: { ...detail.draft, name: `Delta ${round}` },
    }),
    'rename',
  );
  const released = ok(await write('POST', `/console/api/workflows/${refused}/release`), 'release renamed');
  assert.equal(released.version, 1);
}

describe(
  'console builder: releases at the same time on two nodes',
  {
    skip:
      (TEST_ENGINE !== 'postgres' || !process.env.ALLOY_TEST_DATABASE_URL) &&
      'several nodes share a database on PostgreSQL only (ALLOY_TEST_DB=postgres)',
  },
  () => {
    test('two clashing releases on two nodes: exactly one is stored, and both nodes run it', async () => {
      const second = await startTestServer({
        dataDir: server.dataDir,
        server: { sandbox: false, ...CHEAP, definitionsDir: defsDir },
      });
      try {
        const { integrationId } = ok(
          await write('POST', '/console/api/integrations', { app: 'demoStore', name: 'Two nodes' }),
          'create integration',
        );
        const one = await newWorkflow(integrationId, 'Node one', 'Same name');
        const two = await newWorkflow(integrationId, 'Node two', 'Same name');
        const headers = { cookie: `alloy_console_session=${cookie}`, 'x-alloy-csrf': csrf };
        const answers = await Promise.all([
          write('POST', `/console/api/workflows/${one}/release`),
          second.app.inject({ method: 'POST', url: `/console/api/workflows/${two}/release`, headers }),
        ]);
        const statuses = answers.map((a) => a.statusCode).sort();
        assert.deepEqual(statuses, [201, 400], answers.map((a) => a.body).join(' | '));
        const winner = answers[0]!.statusCode === 201 ? one : two;
        const stored = await rawRows<{ workflow_id: string }>(
          server,
          `SELECT workflow_id FROM console_workflow_versions WHERE workflow_id IN ('${one}', '${two}')`,
        );
        assert.deepEqual(
          stored.map((r) => r.workflow_id),
          [winner],
        );
        await waitFor(
          'both nodes to run the winner',
          () => server.ctx.definitions.current.workflow(winner) && second.ctx.definitions.current.workflow(winner),
          2_000,
        );
        const [a, b] = [await server.ctx.definitions.readiness(), await second.ctx.definitions.readiness()];
        assert.equal(b.fingerprint, a.fingerprint);
        assert.ok(a.ready && b.ready, JSON.stringify({ a, b }));
      } finally {
        await second.close();
      }
    });
  },
);
