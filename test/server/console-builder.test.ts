/**
 * The console's integration builder (src/contract/console-builder.ts): integrations and workflows
 * made in the console, drafts checked by exactly the files' rules, releases that become definitions
 * like a file's (installable, immutable, recorded in released_versions), their export, and the
 * ownership rule between files and console rows.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import {
  ConsoleConnectorListResponse,
  ConsoleIntegrationDetail,
  ConsoleIntegrationListResponse,
  ConsoleWorkflowDetail,
  ReleaseResponse,
  SaveDraftResponse,
} from '../../src/contract/index.js';
import { loadDefinitions, versionHash } from '../../src/server/definitions/definitions.js';
import { compileEventSchema } from '../../src/server/definitions/event-schema.js';
import { rawRows, TEST_ENGINE } from '../helpers/engine.js';
import { signInToConsole, startTestServer, type TestServer } from '../helpers/server.js';
import { Api, definitionsDir, INTEGRATION_ID, UNKNOWN_ID, waitFor, writeDefinition } from './support.js';

const CHEAP = { consoleScryptCost: { N: 2 ** 10, r: 8, p: 1 } };
const PASSWORD = 'correct horse battery staple';

const tempDirs: string[] = [];
const tempDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-builder-'));
  tempDirs.push(dir);
  return dir;
};

let server: TestServer;
let api: Api;
let defsDir: string;
let cookie: string;
let csrf: string;

const inject = (options: InjectOptions) => server.app.inject(options);
const get = (url: string, env?: string) =>
  inject({
    method: 'GET',
    url,
    headers: { cookie: `alloy_console_session=${cookie}`, ...(env ? { 'x-alloy-env': env } : {}) },
  });
const write = (method: 'POST' | 'PUT', url: string, payload?: unknown, withCsrf = true) =>
  inject({
    method,
    url,
    headers: {
      cookie: `alloy_console_session=${cookie}`,
      ...(withCsrf ? { 'x-alloy-csrf': csrf } : {}),
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
  });

function expectError(response: LightMyRequestResponse, status: number, code: string, what: string): void {
  assert.equal(response.statusCode, status, `${what}: ${response.body}`);
  assert.equal(response.json().error.code, code, what);
}

before(async () => {
  defsDir = definitionsDir();
  tempDirs.push(defsDir);
  server = await startTestServer({
    server: { sandbox: false, ...CHEAP, consolePassword: PASSWORD, definitionsDir: defsDir },
  });
  api = new Api(server);
  ({ cookie, csrf } = await signInToConsole(server, PASSWORD));
});
after(async () => {
  await server?.dispose();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A valid version: a webhook trigger with a schema, one Stream Data block with a configurable prefix. */
const streamBlock = (extraFields: unknown[] = []) => ({
  type: 'streamData',
  id: 'send',
  name: 'Send to AcmeCo',
  fields: [
    { name: 'url', displayName: 'URL', type: 'text', value: 'https://acme.example/orders' },
    {
      name: 'reference',
      displayName: 'Reference',
      type: 'text',
      userConfigurable: true,
      required: false,
      value: 'ref-{{trigger.orderId}}',
    },
    ...extraFields,
  ],
});
const webhookTrigger = { type: 'webhook', id: 'hook', name: 'Webhook', schema: { orderId: 'String' } };

describe('console builder', () => {
  let integrationId: string;
  let workflowId: string;
  let savedAt: string;

  test('the connectors list each event with the schema of its data', async () => {
    const response = await get('/console/api/connectors');
    assert.equal(response.statusCode, 200, response.body);
    assert.ok(ConsoleConnectorListResponse.safeParse(response.json()).success, 'the contract shape');
    const store = response.json().data.find((c: { id: string }) => c.id === 'demoStore');
    assert.ok(store, 'demoStore listed');
    const created = store.events.find((e: { name: string }) => e.name === 'order.created');
    assert.equal(created.schema.customer.email, 'String');
    // The schema is in the custom-event notation and accepts an order as the store sends it.
    const validate = compileEventSchema(created.schema);
    const order = {
      id: 'ord_1',
      storeId: 'acme-shop',
      number: 1001,
      status: 'pending',
      customer: { id: 'cus_1', email: 'a@b.c', name: 'Ada', createdAt: '2026-01-01T00:00:00.000Z' },
      items: [{ name: 'Mug', sku: null, quantity: 2, unitPrice: 1250 }],
      currency: 'EUR',
      totalAmount: 2500,
      note: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    assert.ok(validate.safeParse(order).success);
    assert.ok(store.actions.some((a: { name: string }) => a.name === 'updateOrderStatus'));
  });

  test('writes need the CSRF token; an unknown app is 400 validation_failed; a taken name is 409', async () => {
    expectError(
      await write('POST', '/console/api/integrations', { app: 'demoStore', name: 'Orders to AcmeCo' }, false),
      403,
      'forbidden',
      'no CSRF',
    );
    expectError(
      await write('POST', '/console/api/integrations', { app: 'nope', name: 'X' }),
      400,
      'validation_failed',
      'unknown app',
    );
    const seedName = server.ctx.definitions.current.integration(INTEGRATION_ID)!.name;
    expectError(
      await write('POST', '/console/api/integrations', { app: 'demoStore', name: seedName }),
      409,
      'conflict',
      'a file integration name',
    );
  });

  test('creates an integration, listed (source console) with no workflows', async () => {
    const response = await write('POST', '/console/api/integrations', {
      app: 'demoStore',
      name: 'Orders to AcmeCo',
      description: 'Made in the console.',
    });
    assert.equal(response.statusCode, 201, response.body);
    const detail = response.json();
    assert.ok(ConsoleIntegrationDetail.safeParse(detail).success, 'the contract shape');
    integrationId = detail.integrationId;
    assert.match(integrationId, /^[0-9a-f]{24}$/);
    assert.equal(detail.source, 'console');
    assert.equal(detail.appName, 'Demo Store', "the app's display name beside its id");
    assert.match(detail.icon, /demo-store/);
    assert.deepEqual(detail.workflows, []);
    assert.equal(detail.installs, 0);
    expectError(
      await write('POST', '/console/api/integrations', { app: 'demoStore', name: 'Orders to AcmeCo' }),
      409,
      'conflict',
      'same name again',
    );
    const list = (await get('/console/api/integrations')).json().data as {
      integrationId: string;
      source: string;
      appName?: string;
    }[];
    assert.equal(list.find((i) => i.integrationId === integrationId)?.source, 'console');
    assert.equal(list.find((i) => i.integrationId === integrationId)?.appName, 'Demo Store');
    assert.equal(list.find((i) => i.integrationId === INTEGRATION_ID)?.source, 'code');
  });

  test('a code integration: its detail says where; no workflow can be added in the console', async () => {
    const detail = await get(`/console/api/integrations/${INTEGRATION_ID}`);
    assert.equal(detail.statusCode, 200, detail.body);
    assert.equal(detail.json().source, 'code');
    assert.equal(detail.json().file, 'demo-store.integration.json');
    const refused = await write('POST', `/console/api/integrations/${INTEGRATION_ID}/workflows`, { name: 'Another' });
    expectError(refused, 409, 'conflict', 'code integration');
    assert.match(refused.json().error.message, /defined in code \(demo-store\.integration\.json\); change the file/);
    expectError(await get(`/console/api/integrations/${UNKNOWN_ID}`), 404, 'not_found', 'unknown integration');
    const workflow = await get(
      `/console/api/workflows/${server.ctx.definitions.current.integrations[0]!.workflows[0]!.workflowId}`,
    );
    assert.equal(workflow.statusCode, 200, workflow.body);
    assert.equal(workflow.json().source, 'code');
    assert.equal(workflow.json().draft, null);
    assert.ok(workflow.json().versions.length > 0);
  });

  test('creates a workflow with an empty draft, version 0 in the list', async () => {
    const response = await write('POST', `/console/api/integrations/${integrationId}/workflows`, {
      name: 'Send new orders',
    });
    assert.equal(response.statusCode, 201, response.body);
    const detail = response.json();
    assert.ok(ConsoleWorkflowDetail.safeParse(detail).success, 'the contract shape');
    workflowId = detail.workflowId;
    assert.deepEqual(detail.draft, { name: 'Send new orders', trigger: null, blocks: [] });
    assert.equal(detail.source, 'console');
    assert.deepEqual(detail.versions, []);
    assert.equal(detail.unreleasedChanges, true);
    assert.ok(detail.issues.length > 0, 'an empty draft cannot be released');
    savedAt = detail.draftSavedAt;
    const list = (await get('/console/api/integrations')).json().data as {
      integrationId: string;
      workflows: { workflowId: string; version: number }[];
    }[];
    assert.deepEqual(list.find((i) => i.integrationId === integrationId)?.workflows, [
      { workflowId, name: 'Send new orders', version: 0 },
    ]);
    const seedWorkflow = server.ctx.definitions.current.integrations[0]!.workflows[0]!.name;
    expectError(
      await write('POST', `/console/api/integrations/${integrationId}/workflows`, { name: seedWorkflow }),
      409,
      'conflict',
      'a file workflow name',
    );
  });

  test('a draft with a bad template and an unknown action is saved, with issues where they are', async () => {
    const draft = {
      name: 'Send new orders',
      trigger: webhookTrigger,
      blocks: [
        {
          ...streamBlock(),
          fields: [
            { name: 'url', displayName: 'URL', type: 'text', value: 'https://acme.example/orders' },
            { name: 'note', displayName: 'Note', type: 'text', value: '{{trigger.nope}}' },
          ],
        },
        { type: 'connectorAction', id: 'act', name: 'Act', connector: 'demoStore', action: 'launchRocket', fields: [] },
      ],
    };
    const response = await write('PUT', `/console/api/workflows/${workflowId}/draft`, { draft, baseSavedAt: savedAt });
    assert.equal(response.statusCode, 200, response.body);
    const { issues, draftSavedAt } = response.json() as {
      issues: { path: (string | number)[]; message: string }[];
      draftSavedAt: string;
    };
    savedAt = draftSavedAt;
    assert.ok(SaveDraftResponse.safeParse(response.json()).success, 'the contract shape');
    const template = issues.find((i) => /trigger\.nope/.test(i.message));
    assert.deepEqual(template?.path, ['blocks', 0, 'fields', 1, 'value']);
    const action = issues.find((i) => /no action "launchRocket"/.test(i.message));
    assert.deepEqual(action?.path, ['blocks', 1, 'action']);
    // The draft is kept as sent, issues and all.
    const detail = (await get(`/console/api/workflows/${workflowId}`)).json();
    assert.deepEqual(detail.draft, draft);
    assert.deepEqual(detail.issues, issues);
    // A release of it is refused with the same issues.
    const refused = await write('POST', `/console/api/workflows/${workflowId}/release`);
    expectError(refused, 400, 'validation_failed', 'release with issues');
    assert.deepEqual(refused.json().error.issues, issues);
  });

  test('a save over a stale baseSavedAt is 409; the draft keeps the newer save', async () => {
    expectError(
      await write('PUT', `/console/api/workflows/${workflowId}/draft`, {
        draft: { name: 'Stale', trigger: null, blocks: [] },
        baseSavedAt: '2000-01-01T00:00:00.000Z',
      }),
      409,
      'conflict',
      'stale save',
    );
    assert.equal((await get(`/console/api/workflows/${workflowId}`)).json().draft.name, 'Send new orders');
    expectError(
      await write(
        'PUT',
        `/console/api/workflows/${workflowId}/draft`,
        { draft: { name: 'x', trigger: null, blocks: [] } },
        false,
      ),
      403,
      'forbidden',
      'draft without CSRF',
    );
  });

  let v1: Record<string, unknown>;
  test('the fixed draft has no issues and releases as version 1, installable like a file', async () => {
    const draft = {
      name: 'Send new orders',
      description: 'Orders go to AcmeCo.',
      trigger: webhookTrigger,
      blocks: [streamBlock()],
    };
    const saved = await write('PUT', `/console/api/workflows/${workflowId}/draft`, { draft, baseSavedAt: savedAt });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.deepEqual(saved.json().issues, []);
    const released = await write('POST', `/console/api/workflows/${workflowId}/release`);
    assert.equal(released.statusCode, 201, released.body);
    assert.equal(released.json().version, 1);
    assert.ok(ReleaseResponse.safeParse(released.json()).success, 'the contract shape');

    const detail = (await get(`/console/api/workflows/${workflowId}`)).json();
    assert.equal(detail.unreleasedChanges, false);
    assert.equal(detail.versions.length, 1);
    v1 = detail.versions[0];
    assert.equal(v1.version, 1);
    assert.equal(v1.requiresReinstall, false);
    assert.deepEqual(v1.trigger, webhookTrigger);
    // Recorded like a file's release, with the same hash rule.
    const def = server.ctx.definitions.current.workflow(workflowId)!.workflow;
    const rows = await rawRows<{ content_hash: string }>(
      server,
      `SELECT content_hash FROM released_versions WHERE workflow_id = '${workflowId}' AND version = 1`,
    );
    assert.equal(rows[0]?.content_hash, versionHash(def.versions[0]!));
    // Unchanged since: a release is 409.
    const again = await write('POST', `/console/api/workflows/${workflowId}/release`);
    expectError(again, 409, 'conflict', 'nothing changed');
    assert.match(again.json().error.message, /Nothing changed since version 1/);

    // The ISV API: the user sees it and installs it headless.
    const userId = await api.createUser('builder-user');
    const listed = await api.call('GET', `/integrations?userId=${userId}`);
    assert.equal(listed.statusCode, 200, listed.body);
    const mine = listed.json().data.find((i: { integrationId: string }) => i.integrationId === integrationId);
    assert.equal(mine.workflows[0].version, 1);
    const start = await api.call('POST', '/headless/startInstallation', { body: { userId, integrationId } });
    assert.equal(start.statusCode, 200, start.body);
    const complete = await api.call('POST', '/headless/completeInstallation', {
      body: {
        installationId: start.json().installationId,
        data: [{ workflowId, blockId: 'send', fields: [{ name: 'reference', value: 'R-1' }] }],
      },
    });
    assert.equal(complete.statusCode, 200, complete.body);
    // And with the widget, for another user.
    const other = await api.createUser('builder-widget-user');
    const widget = await api.call('POST', '/widget/installations', {
      token: await api.token(other),
      body: { integrationId, values: [] },
    });
    assert.equal(widget.statusCode, 201, widget.body);

    const after = (await get(`/console/api/workflows/${workflowId}`)).json();
    assert.ok(ConsoleWorkflowDetail.safeParse(after).success, 'the contract shape');
    assert.ok(ConsoleIntegrationListResponse.safeParse((await get('/console/api/integrations')).json()).success);
    assert.ok(
      ConsoleIntegrationDetail.safeParse((await get(`/console/api/integrations/${integrationId}`)).json()).success,
    );
    assert.equal(after.versions[0].installs, 2);
    v1 = after.versions[0];
    assert.equal((await get(`/console/api/workflows/${workflowId}`, 'production')).json().versions[0].installs, 0);
    assert.equal((await get(`/console/api/integrations/${integrationId}`)).json().installs, 2);
  });

  test('a second release with a new configurable field needs a reinstall; version 1 never changes', async () => {
    const detail = (await get(`/console/api/workflows/${workflowId}`)).json();
    const draft = {
      ...detail.draft,
      blocks: [
        streamBlock([
          { name: 'channel', displayName: 'Channel', type: 'text', userConfigurable: true, required: false },
        ]),
      ],
    };
    const saved = await write('PUT', `/console/api/workflows/${workflowId}/draft`, {
      draft,
      baseSavedAt: detail.draftSavedAt,
    });
    assert.deepEqual(saved.json().issues, []);
    assert.equal((await get(`/console/api/workflows/${workflowId}`)).json().unreleasedChanges, true);
    const released = await write('POST', `/console/api/workflows/${workflowId}/release`);
    assert.equal(released.statusCode, 201, released.body);
    assert.equal(released.json().version, 2);

    const versions = (await get(`/console/api/workflows/${workflowId}`)).json().versions;
    assert.equal(versions.length, 2);
    assert.deepEqual(versions[0], v1, 'version 1 as it was');
    assert.equal(versions[1].requiresReinstall, true);
    assert.ok(versions[1].reinstallReasons.some((r: string) => /new configurable field Channel/.test(r)));

    // A new draft leaves the released versions alone.
    const edited = await write('PUT', `/console/api/workflows/${workflowId}/draft`, {
      draft: { name: 'Send new orders', trigger: null, blocks: [] },
    });
    assert.equal(edited.statusCode, 200);
    const after = (await get(`/console/api/workflows/${workflowId}`)).json();
    assert.deepEqual(after.versions[0], v1);
    assert.equal(after.versions.length, 2);
    const running = server.ctx.definitions.current.workflow(workflowId)!.workflow;
    assert.deepEqual(
      running.versions.map((v) => v.version),
      [1, 2],
    );
    const list = (await get('/console/api/integrations')).json().data as {
      integrationId: string;
      workflows: { version: number }[];
    }[];
    assert.equal(list.find((i) => i.integrationId === integrationId)?.workflows[0]?.version, 2);
  });

  test('the export loads back through the loader as the same definition and fingerprints', async () => {
    const response = await get(`/console/api/integrations/${integrationId}/export`);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['content-disposition'], 'attachment; filename="orders-to-acmeco.integration.json"');
    const running = server.ctx.definitions.current.integration(integrationId)!;
    assert.equal(response.body, JSON.stringify(running, null, 2) + '\n');
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'orders-to-acmeco.integration.json'), response.body);
    const loaded = loadDefinitions(dir);
    assert.deepEqual(loaded.integrations, [running]);
    const released = await rawRows<{ workflow_id: string; version: number; content_hash: string }>(
      server,
      `SELECT workflow_id, version, content_hash FROM released_versions WHERE workflow_id = '${workflowId}'`,
    );
    for (const version of loaded.integrations[0]!.workflows[0]!.versions) {
      const row = released.find((r) => Number(r.version) === version.version);
      assert.equal(row?.content_hash, versionHash(version), `version ${version.version}`);
    }
    // Nothing released yet: 409.
    const empty = await write('POST', '/console/api/integrations', { app: 'demoStore', name: 'Empty one' });
    expectError(
      await get(`/console/api/integrations/${empty.json().integrationId}/export`),
      409,
      'conflict',
      'export before a release',
    );
  });

  test("a file that takes a console integration's name or a workflow's id fails the reload, naming both", async () => {
    const before = server.ctx.definitions.current;
    const running = before.integration(integrationId)!;
    const collide = { ...JSON.parse(JSON.stringify(running)), integrationId: '65a1c0de00000000000000ff' };
    collide.workflows[0].workflowId = '65a1c0de00000000000001ff';
    collide.workflows[0].name = 'Some other workflow';
    writeDefinition(defsDir, 'collide.integration.json', collide);
    await assert.rejects(server.ctx.definitions.reload(), (error: Error) => {
      assert.match(error.message, /collide\.integration\.json: integration name "Orders to AcmeCo" is also used in/);
      assert.match(error.message, /defined in the console/);
      return true;
    });
    collide.name = 'Another name';
    collide.workflows[0].workflowId = workflowId;
    writeDefinition(defsDir, 'collide.integration.json', collide);
    await assert.rejects(
      server.ctx.definitions.reload(),
      /collide\.integration\.json: workflowId .* is also used in integration "Orders to AcmeCo" \(defined in the console\)/,
    );
    assert.equal(server.ctx.definitions.current, before, 'the running set stays');
    fs.rmSync(path.join(defsDir, 'collide.integration.json'));
    const reloaded = await server.ctx.definitions.reload();
    assert.ok(reloaded.integrations >= 2);
    assert.ok(server.ctx.definitions.current.integration(integrationId), 'console integration still there');
  });

  test('a workflow name a file uses is an issue at ["name"]', async () => {
    const seedWorkflow = server.ctx.definitions.current.integration(INTEGRATION_ID)!.workflows[0]!.name;
    const response = await write('PUT', `/console/api/workflows/${workflowId}/draft`, {
      draft: { name: seedWorkflow, trigger: webhookTrigger, blocks: [streamBlock()] },
    });
    assert.equal(response.statusCode, 200, response.body);
    const issues = response.json().issues as { path: unknown[]; message: string }[];
    assert.equal(issues.length, 1, JSON.stringify(issues));
    assert.deepEqual(issues[0]!.path, ['name']);
    assert.match(issues[0]!.message, /is also used in/);
  });
});

describe('console builder: a restart', () => {
  test('a server started again on the same database runs the console-made definitions, same fingerprint', async () => {
    const before = await server.ctx.definitions.readiness();
    const made = server.ctx.definitions.current.integrations.filter((i) =>
      server.ctx.definitions.current.isConsoleMade(i.integrationId),
    );
    assert.equal(made.length, 1);
    await server.close();
    server = await startTestServer({
      dataDir: server.dataDir,
      server: { sandbox: false, ...CHEAP, consolePassword: PASSWORD, definitionsDir: defsDir },
    });
    const again = await server.ctx.definitions.readiness();
    assert.equal(again.fingerprint, before.fingerprint);
    assert.equal(again.ready, true);
    assert.deepEqual(server.ctx.definitions.current.integration(made[0]!.integrationId), made[0]);
  });
});

describe(
  'console builder: across nodes',
  {
    skip:
      (TEST_ENGINE !== 'postgres' || !process.env.ALLOY_TEST_DATABASE_URL) &&
      'several nodes share a database on PostgreSQL only (ALLOY_TEST_DB=postgres)',
  },
  () => {
    test('a release on one node is taken up by the other (it reads the console rows too)', async () => {
      const first = await startTestServer({ server: { sandbox: false, ...CHEAP, consolePassword: PASSWORD } });
      const second = await startTestServer({ dataDir: first.dataDir, server: { sandbox: false, ...CHEAP } });
      try {
        const signedIn = await first.app.inject({
          method: 'POST',
          url: '/console/api/session',
          payload: { username: 'admin', password: PASSWORD },
        });
        const session = /^alloy_console_session=([^;]*)/.exec(String(signedIn.headers['set-cookie']))![1]!;
        const headers = { cookie: `alloy_console_session=${session}`, 'x-alloy-csrf': signedIn.json().csrfToken };
        const call = async (method: 'POST' | 'PUT', url: string, payload?: unknown) => {
          const response = await first.app.inject({
            method,
            url,
            headers,
            ...(payload ? { payload: payload as object } : {}),
          });
          assert.ok(response.statusCode < 300, response.body);
          return response.json();
        };
        const { integrationId } = await call('POST', '/console/api/integrations', { app: 'demoStore', name: 'Across' });
        const { workflowId } = await call('POST', `/console/api/integrations/${integrationId}/workflows`, {
          name: 'Across nodes',
        });
        await call('PUT', `/console/api/workflows/${workflowId}/draft`, {
          draft: { name: 'Across nodes', trigger: webhookTrigger, blocks: [streamBlock()] },
        });
        await call('POST', `/console/api/workflows/${workflowId}/release`);
        await waitFor(
          'the second node to take up the release',
          () => second.ctx.definitions.current.workflow(workflowId),
          2_000,
        );
        const [a, b] = [await first.ctx.definitions.readiness(), await second.ctx.definitions.readiness()];
        assert.equal(b.fingerprint, a.fingerprint);
        assert.equal(b.ready, true);
      } finally {
        await second.close();
        await first.dispose();
      }
    });
  },
);
