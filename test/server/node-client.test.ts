import assert from 'node:assert/strict';
import fs from 'node:fs';
import util from 'node:util';
import { after, before, describe, test } from 'node:test';
import { Alloy, AlloyApiError, isAlloyApiError } from '../../src/node/index.js';
import { TEST_API_KEY, type TestServer } from '../helpers/server.js';
import { closedPortUrl, queuedRuns, startListeningServer, startScriptedServer } from './node-client-support.js';
import {
  storeCredentialOf,
  EVENT_WORKFLOW_ID,
  INTEGRATION_ID,
  OPS_INTEGRATION_ID,
  PREFIX_FIELD,
  STREAM_WORKFLOW_ID,
  UNKNOWN_ID,
  WEBHOOK_WORKFLOW_ID,
  definitionsDir,
  opsIntegration,
} from './support.js';

let server: TestServer;
let baseUrl: string;
let defsDir: string;
let alloy: Alloy;

before(async () => {
  defsDir = definitionsDir({ 'ops.integration.json': opsIntegration() });
  ({ server, baseUrl } = await startListeningServer({ server: { definitionsDir: defsDir } }));
  alloy = new Alloy(TEST_API_KEY, { baseUrl });
});
after(async () => {
  await server.dispose();
  fs.rmSync(defsDir, { recursive: true, force: true });
});

/** Rejects with an AlloyApiError; hands it back for more checks. */
async function apiError(promise: Promise<unknown>): Promise<AlloyApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isAlloyApiError(error), `expected an AlloyApiError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

/** A client for a fresh user who installed the Demo Store integration headlessly. */
async function installedUser(username: string): Promise<{ client: Alloy; userId: string; credentialId: string }> {
  const { userId } = await alloy.createUser({ username });
  const client = alloy.forUser(userId);
  const { credentialId } = await client.createCredential('demoStore', await storeCredentialOf(server));
  const started = await client.startInstallation({ integrationId: INTEGRATION_ID });
  await client.completeInstallation({
    installationId: started.installationId,
    data: [
      {
        workflowId: STREAM_WORKFLOW_ID,
        blockId: PREFIX_FIELD.blockId,
        fields: [{ name: PREFIX_FIELD.name, value: 'DS-' }],
      },
    ],
  });
  return { client, userId, credentialId };
}

describe('the docs/node-client.md example', () => {
  test('await alloy.identify("gregg"); await alloy.event("Fulfillment Updated", {orderId, status}) queues the event', async () => {
    const { userId } = await installedUser('gregg');
    const orderId = '123';
    const status = 'FULFILLED';

    const alloy = new Alloy(TEST_API_KEY, { baseUrl });
    await alloy.identify('gregg');
    await alloy.event('Fulfillment Updated', { orderId, status });

    const runs = await queuedRuns(server, userId);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.event_name, 'Fulfillment Updated');
    assert.deepEqual(JSON.parse(runs[0]!.payload), { orderId, status });
  });
});

describe('users', () => {
  test('create, get by username and id, list, identify, update, token, delete', async () => {
    const created = await alloy.createUser({ username: 'ada@example.com', fullName: 'Ada' });
    assert.match(created.userId, /^[0-9a-f]{24}$/);
    const byName = await alloy.getUser('ada@example.com');
    assert.deepEqual(byName, { userId: created.userId, username: 'ada@example.com', fullName: 'Ada' });
    assert.deepEqual(await alloy.getUser(created.userId), byName);
    const { data } = await alloy.getUsers();
    assert.ok(data.some((u) => u.userId === created.userId));

    const client = new Alloy(TEST_API_KEY, { baseUrl });
    assert.deepEqual(await client.identify('ada@example.com'), byName);
    assert.equal(client.userId, created.userId);
    assert.equal(client.username, 'ada@example.com');
    assert.deepEqual(await client.getUser(), byName, 'getUser() without an argument is the identified user');

    const renamed = await client.updateUser({ username: 'ada.l@example.com', fullName: null });
    assert.deepEqual(renamed, { userId: created.userId, username: 'ada.l@example.com', fullName: null });
    assert.equal(client.username, 'ada.l@example.com', 'the identity follows the new username');

    const { token } = await client.getUserToken();
    assert.equal(token.split('.').length, 3);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string };
    assert.equal(claims.sub, created.userId);

    assert.deepEqual(await client.deleteUser(), { success: true });
    assert.equal(client.userId, null, 'a deleted user is forgotten');
    assert.equal((await apiError(alloy.getUser(created.userId))).status, 404);
  });

  test('identify on an unknown user fails and forgets the previous identity', async () => {
    await alloy.createUser({ username: 'first' });
    const client = new Alloy(TEST_API_KEY, { baseUrl });
    await client.identify('first');
    const error = await apiError(client.identify('nobody-at-all'));
    assert.equal(error.status, 404);
    assert.equal(error.code, 'not_found');
    assert.equal(client.userId, null);
    assert.equal(client.username, null);
  });

  test('forUser acts for a user without changing the original client', async () => {
    await alloy.createUser({ username: 'scoped' });
    const scoped = alloy.forUser('scoped');
    assert.equal((await scoped.getUser()).username, 'scoped');
    assert.equal(alloy.userId, null);
    scoped.clear();
    assert.equal((await apiError(scoped.getUserToken())).code, 'not_identified');
  });

  test('batch create reports the invalid entries and creates the rest', async () => {
    await alloy.createUser({ username: 'batch-taken' });
    const result = await alloy.batchCreateUsers([
      { username: 'batch-1', fullName: 'One' },
      { username: 'batch-taken' },
      { username: 'batch-2' },
    ]);
    assert.equal(result.message, 'success');
    assert.deepEqual(
      result.users.map((u) => u.username),
      ['batch-1', 'batch-2'],
    );
    assert.equal(result.invalidUsers.length, 1);
    assert.equal(result.invalidUsers[0]!.index, 1);
    assert.match(result.invalidUsers[0]!.reason, /already exists|taken/);
  });

  test('getUsers filters by parent workflow', async () => {
    const { userId } = await installedUser('filtered-user');
    const { data } = await alloy.getUsers({ parentWorkflowId: EVENT_WORKFLOW_ID });
    assert.ok(data.some((u) => u.userId === userId));
    assert.ok(data.every((u) => u.username !== 'batch-1'));
  });
});

describe('apps, credentials and headless installation', () => {
  test('metadata, the app catalogue and a user’s credentials', async () => {
    const apps = await alloy.getApps();
    assert.deepEqual(
      apps.data.map((a) => a.name),
      ['demoStore'],
    );
    const all = await alloy.getCredentialMetadata();
    const one = await alloy.getCredential('demoStore');
    assert.deepEqual(one.data, all.data[0]);
    assert.deepEqual(
      one.data.properties.map((p) => p.name),
      ['apiKey', 'storeId'],
    );
    assert.equal((await apiError(alloy.getCredential('shopify'))).status, 404);

    const { userId } = await alloy.createUser({ username: 'creds' });
    const client = alloy.forUser(userId);
    const { credentialId } = await client.createCredential('demoStore', await storeCredentialOf(server));
    const listed = await client.getCredentials();
    assert.deepEqual(
      listed.data.map((c) => [c.credentialId, c.type]),
      [[credentialId, 'demoStore']],
    );
    assert.ok(!JSON.stringify(listed).includes((await storeCredentialOf(server)).apiKey), 'secrets never come back');
    assert.deepEqual(await client.deleteCredential(credentialId), { success: true });
    assert.deepEqual((await client.getCredentials()).data, []);
  });

  test('OAuth redirects answer a start URL for Demo Store; wrong pre-OAuth fields are 400s', async () => {
    const { userId } = await alloy.createUser({ username: 'oauth-user' });
    const client = alloy.forUser(userId);
    const legacy = await client.getUserOauthRedirect({ credentialName: 'demoStore', shop: 'acme-shop' });
    assert.match(legacy.data.redirectUrl, /\/oauth\/start\/[0-9a-f]{24}$/);
    const headless = await client.getOAuthUrl('demoStore', { shop: 'acme-shop' });
    assert.match(headless.oauthUrl, /\/oauth\/start\/[0-9a-f]{24}$/);
    const wrong = await apiError(client.getOAuthUrl('demoStore', { storeId: 'acme-shop' }));
    assert.deepEqual([wrong.status, wrong.code], [400, 'validation_failed']);
    assert.equal((await apiError(client.getOAuthUrl('shopify'))).status, 404);
  });

  test('start and complete an installation; it shows in integrations and installations', async () => {
    const { client, userId, credentialId } = await installedUser('headless-user');
    const integrations = await client.getIntegrations();
    const demo = integrations.data.find((i) => i.integrationId === INTEGRATION_ID)!;
    assert.equal(demo.installed, true);
    assert.deepEqual((await client.getIntegration(INTEGRATION_ID)).data, demo);
    assert.deepEqual((await client.getIntegration('Demo Store')).data, demo, 'by name, as alloy-node calls it');

    const installations = await alloy.getInstallations({ userId });
    assert.equal(installations.data.length, 1);
    assert.deepEqual(installations.data[0]!.credentialIds, { demoStore: credentialId });
    assert.deepEqual(installations.data[0]!.workflowIds, [STREAM_WORKFLOW_ID, EVENT_WORKFLOW_ID]);
    const byIntegration = await alloy.getInstallations({ integrationId: INTEGRATION_ID });
    assert.ok(byIntegration.data.some((i) => i.userId === userId));
  });

  test('a completion is idempotent: the same key answers the same', async () => {
    const { userId } = await alloy.createUser({ username: 'complete-twice' });
    const client = alloy.forUser(userId);
    await client.createCredential('demoStore', await storeCredentialOf(server));
    const started = await client.startInstallation({
      integrationId: INTEGRATION_ID,
      workflowIds: [STREAM_WORKFLOW_ID],
    });
    assert.deepEqual(
      started.data.map((d) => d.blockId),
      [PREFIX_FIELD.blockId],
    );
    const request = {
      installationId: started.installationId,
      data: [
        {
          workflowId: STREAM_WORKFLOW_ID,
          blockId: PREFIX_FIELD.blockId,
          fields: [{ name: 'referencePrefix', value: 'X-' }],
        },
      ],
    };
    const first = await client.completeInstallation(request, { idempotencyKey: 'complete-twice-1' });
    const again = await client.completeInstallation(request, { idempotencyKey: 'complete-twice-1' });
    assert.deepEqual(again, first);
    assert.deepEqual(first.workflowIds, [STREAM_WORKFLOW_ID]);
    assert.equal((await apiError(client.completeInstallation(request))).status, 404, 'a fresh key: used up');
  });
});

describe('workflows', () => {
  test('list, detail, versions, details, deactivate, reactivate, upgrade, disable all, delete', async () => {
    const { client, userId } = await installedUser('workflow-user');
    const listed = await client.getWorkflows();
    assert.deepEqual(listed.data.map((w) => w.workflowId).sort(), [STREAM_WORKFLOW_ID, EVENT_WORKFLOW_ID].sort());
    assert.ok(listed.data.every((w) => w.active));

    const detail = await client.getWorkflow(EVENT_WORKFLOW_ID);
    assert.equal(detail.data.trigger.type, 'customEvent');
    assert.equal(detail.data.trigger.event, 'Fulfillment Updated');

    const versions = await client.getVersions(EVENT_WORKFLOW_ID);
    assert.deepEqual(
      versions.data.map((v) => [v.version, v.installed, v.latest]),
      [[1, true, true]],
    );

    const details = await client.getWorkflowDetails(EVENT_WORKFLOW_ID);
    assert.deepEqual(
      details.data.map((u) => [u.userId, u.workflowActive, u.installedVersion]),
      [[userId, true, 1]],
    );

    assert.deepEqual(await client.deactivate({ workflowName: detail.data.name }), { deactivated: true });
    assert.equal((await client.getWorkflow(EVENT_WORKFLOW_ID)).data.active, false);
    assert.deepEqual(await client.reactivate({ workflowId: EVENT_WORKFLOW_ID }), { activated: true });
    assert.equal((await client.getWorkflow(EVENT_WORKFLOW_ID)).data.active, true);
    assert.deepEqual(await alloy.deactivate({ workflowId: EVENT_WORKFLOW_ID, userId }), { deactivated: true });
    assert.equal((await client.getWorkflow(EVENT_WORKFLOW_ID)).data.active, false, 'an explicit userId works too');
    await client.reactivate({ workflowId: EVENT_WORKFLOW_ID });

    assert.deepEqual(await client.upgradeWorkflow(EVENT_WORKFLOW_ID), {
      upgraded: false,
      installedVersion: 1,
      version: 1,
    });

    assert.deepEqual(await client.disableAllWorkflows(), { message: 'Success' });
    assert.ok((await client.getWorkflows()).data.every((w) => !w.active));

    assert.deepEqual(await client.deleteWorkflow(STREAM_WORKFLOW_ID), { deleted: true });
    assert.deepEqual(
      (await client.getWorkflows()).data.map((w) => w.workflowId),
      [EVENT_WORKFLOW_ID],
    );
    assert.equal((await apiError(client.getWorkflow(STREAM_WORKFLOW_ID))).status, 404);
  });
});

describe('runs and events', () => {
  test('run a webhook workflow by id and by name; each call is its own run', async () => {
    const { userId } = await alloy.createUser({ username: 'webhook-runner' });
    const client = alloy.forUser(userId);
    await client.createCredential('demoStore', await storeCredentialOf(server));
    const started = await client.startInstallation({
      integrationId: OPS_INTEGRATION_ID,
      workflowIds: [WEBHOOK_WORKFLOW_ID],
    });
    await client.completeInstallation({ installationId: started.installationId, data: [] });

    const byId = await client.run(WEBHOOK_WORKFLOW_ID, { ticketId: 'T-1', tags: [] });
    assert.equal(byId.message, 'success');
    const byName = await client.run('Ticket webhook', { ticketId: 'T-2', tags: ['vip'] });
    assert.notEqual(byName.runId, byId.runId);
    const runs = await queuedRuns(server, userId);
    assert.deepEqual(
      runs.map((r) => [r.id, r.kind, r.workflow_id]),
      [
        [byId.runId, 'workflow', WEBHOOK_WORKFLOW_ID],
        [byName.runId, 'workflow', WEBHOOK_WORKFLOW_ID],
      ],
    );

    const wrong = await apiError(client.run(WEBHOOK_WORKFLOW_ID, { priority: 'high' }));
    assert.equal(wrong.code, 'validation_failed');
    assert.ok(wrong.issues.length > 0);
  });

  test('two event calls are two runs; one caller key is one run', async () => {
    const { client, userId } = await installedUser('event-keys');
    const data = { orderId: '9', status: 'SHIPPED' };
    const first = await client.event('Fulfillment Updated', data);
    const second = await client.event('Fulfillment Updated', data);
    assert.notEqual(first.eventId, second.eventId, 'each call sends its own Idempotency-Key');
    const keyed = await client.event('Fulfillment Updated', data, { idempotencyKey: 'order-9-shipped' });
    const repeat = await client.event('Fulfillment Updated', data, { idempotencyKey: 'order-9-shipped' });
    assert.deepEqual(repeat, keyed);
    assert.equal((await queuedRuns(server, userId)).length, 3);
  });

  test('getEvents lists the custom events, for one user too', async () => {
    const { userId } = await installedUser('event-lister');
    const all = await alloy.getEvents();
    const event = all.data.find((e) => e.name === 'Fulfillment Updated')!;
    assert.deepEqual(event.schema, { orderId: 'String', status: 'String' });
    assert.deepEqual(
      event.workflows.map((w) => w.workflowId),
      [EVENT_WORKFLOW_ID],
    );
    const { userId: bare } = await alloy.createUser({ username: 'no-installs' });
    assert.deepEqual((await alloy.getEvents({ userId: bare })).data, []);
    assert.deepEqual(
      (await alloy.getEvents({ userId })).data.map((e) => e.name),
      ['Fulfillment Updated'],
    );
  });
});

describe('logs', () => {
  test('workflow logs and errors, search, one execution, delete', async () => {
    const { client, userId } = await installedUser('log-user');
    const logs = await alloy.getLogs(EVENT_WORKFLOW_ID, { userId, page: 1, limit: 5, order: 'asc' });
    assert.deepEqual(logs.pagination, { currentPage: 1, pageSize: 5, totalItems: 0, totalPages: 0 });
    assert.deepEqual(logs.data, []);
    assert.deepEqual(await alloy.getErrors(EVENT_WORKFLOW_ID, { userId, limit: 10 }), { data: [] });
    const search = await alloy.searchLogs({
      filters: [{ columns: { value: 'userId' }, operators: { value: 'equals' }, userinput: { value: userId } }],
      limit: 5,
      sortBy: 'createdAt',
      sortOrder: 'desc',
    });
    assert.deepEqual(search.notifications, []);
    assert.equal(search.pagination.pageSize, 5);
    const badFilter = await apiError(
      alloy.searchLogs({
        filters: [{ columns: { value: 'nope' as 'userId' }, operators: { value: 'equals' }, userinput: { value: 1 } }],
      }),
    );
    assert.equal(badFilter.status, 400);
    assert.equal(badFilter.issues[0]!.path[0], 'filters');
    assert.equal((await apiError(alloy.getExecution(UNKNOWN_ID))).status, 404);
    assert.equal((await apiError(alloy.getLogs(UNKNOWN_ID))).status, 404);
    assert.deepEqual(await client.deleteLogs(), { message: 'Success' });
  });
});

describe('links and settings', () => {
  test('generateLink makes a single-use link with an expiry', async () => {
    const { userId } = await alloy.createUser({ username: 'link-user' });
    const client = alloy.forUser(userId);
    const link = await client.generateLink(INTEGRATION_ID);
    assert.match(link.url, /\/link\/[A-Za-z0-9_-]+$/);
    const days = (Date.parse(link.expiresAt) - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `expires in 7 days, got ${days}`);
    const short = await client.generateLink(INTEGRATION_ID, { expiresIn: 3600 });
    assert.notEqual(short.url, link.url);
    assert.ok(Date.parse(short.expiresAt) < Date.parse(link.expiresAt));
    assert.equal((await apiError(client.generateLink(INTEGRATION_ID, { expiresIn: 5 }))).status, 400);
    assert.equal((await apiError(client.generateLink(UNKNOWN_ID))).status, 404);
  });

  test('settings round-trip; definitions reload', async () => {
    const before = await alloy.getSettings();
    assert.deepEqual([before.installationWebhookUrl, before.errorStreamUrl], [null, null]);
    assert.match(before.webhookSecret, /^whsec_/);
    assert.match(before.publicKeyUrl, /\/security\/(development|production)\/alloy_public_key\.pem$/);
    assert.equal(before.publicKeyUrl.includes(`/${before.environment}/`), true);
    const updated = await alloy.updateSettings({ installationWebhookUrl: 'https://acme.example/hooks/installed' });
    assert.equal(updated.installationWebhookUrl, 'https://acme.example/hooks/installed');
    assert.deepEqual(await alloy.getSettings(), updated);
    const cleared = await alloy.updateSettings({ installationWebhookUrl: null });
    assert.equal(cleared.installationWebhookUrl, null);
    const bad = await apiError(alloy.updateSettings({ errorStreamUrl: 'http://example.com/errors' }));
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.issues[0]!.path, ['errorStreamUrl']);

    // The development key may not reload (production definitions change too); the production key may.
    assert.equal((await apiError(alloy.reloadDefinitions())).status, 403);
    const production = new Alloy(server.ctx.secrets.apiKeys.production, { baseUrl });
    const reloaded = await production.reloadDefinitions();
    assert.equal(reloaded.integrations, 2);
    assert.deepEqual(reloaded.newlyReleased, []);
  });
});

describe('errors', () => {
  test('401: a wrong API key', async () => {
    const wrong = new Alloy('ak_dev_not_the_right_key_000000', { baseUrl });
    const error = await apiError(wrong.getUsers());
    assert.ok(error instanceof AlloyApiError);
    assert.equal(error.name, 'AlloyApiError');
    assert.deepEqual([error.status, error.code, error.attempts], [401, 'unauthorized', 1]);
    assert.match(error.message, /API key/);
    assert.deepEqual([error.method, error.path], ['GET', '/2024-03/users']);
  });

  test('404: an unknown user or workflow', async () => {
    const error = await apiError(alloy.getUser('ghost'));
    assert.deepEqual([error.status, error.code], [404, 'not_found']);
    assert.equal(error.attempts, 1, 'a 404 is not retried');
    const ghost = alloy.forUser('ghost');
    assert.equal((await apiError(ghost.getWorkflows())).code, 'not_found');
  });

  test('409: a taken username', async () => {
    await alloy.createUser({ username: 'twice' });
    const error = await apiError(alloy.createUser({ username: 'twice' }));
    assert.deepEqual([error.status, error.code], [409, 'conflict']);
    assert.match(error.message, /twice/);
  });

  test('400 with issues: event data that does not match the schema', async () => {
    const { client } = await installedUser('bad-data');
    const error = await apiError(client.event('Fulfillment Updated', { orderId: 5, status: 'X', extra: true }));
    assert.deepEqual([error.status, error.code], [400, 'validation_failed']);
    const paths = error.issues.map((i) => i.path.join('.'));
    assert.ok(paths.includes('data.orderId'), paths.join(', '));
    assert.ok(paths.includes('data.extra'), paths.join(', '));
    const unknownEvent = await apiError(client.event('No Such Event', {}));
    assert.deepEqual(unknownEvent.issues, [{ path: ['event'], message: 'unknown custom event' }]);
  });

  test('not_identified: a user-scoped call before identify sends nothing', async () => {
    let requests = 0;
    const counting = new Alloy(TEST_API_KEY, {
      baseUrl,
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    for (const call of [
      () => counting.event('Fulfillment Updated', {}),
      () => counting.run(WEBHOOK_WORKFLOW_ID, {}),
      () => counting.getIntegrations(),
      () => counting.deleteUser(),
      () => counting.reactivate({ workflowId: EVENT_WORKFLOW_ID }),
    ]) {
      const error = await apiError(call());
      assert.equal(error.code, 'not_identified');
      assert.equal(error.status, undefined);
      assert.match(error.message, /identify\(username\)/);
    }
    assert.equal(requests, 0);
  });

  test('invalid_argument: bad options are refused at construction; the key never shows', () => {
    const cases: [unknown, unknown, RegExp][] = [
      [TEST_API_KEY, undefined, /options must be an object/],
      [TEST_API_KEY, {}, /baseUrl is required/],
      [TEST_API_KEY, { baseUrl: 'ftp://x' }, /http\(s\)/],
      [TEST_API_KEY, { baseUrl: 'http://u:p@localhost' }, /credentials/],
      [TEST_API_KEY, { baseUrl: `${baseUrl}/2024-03` }, /apiVersion/],
      [TEST_API_KEY, { baseUrl, apiVersion: '2024-13' }, /2024-03/],
      [TEST_API_KEY, { baseUrl, retries: -1 }, /retries/],
      [TEST_API_KEY, { baseUrl, timeoutMs: 0 }, /timeoutMs/],
      [TEST_API_KEY, { baseUrl, timeout: 5000 }, /unknown option: timeout/],
      [undefined, { baseUrl }, /apiKey is required/],
      ['  ', { baseUrl }, /apiKey must not be empty/],
    ];
    for (const [key, options, message] of cases) {
      assert.throws(
        () => new Alloy(key as string, options as { baseUrl: string }),
        (error: unknown) => isAlloyApiError(error) && error.code === 'invalid_argument' && message.test(error.message),
        `${JSON.stringify(options)} → ${message}`,
      );
    }
    const client = new Alloy(TEST_API_KEY, { baseUrl: `${baseUrl}/` });
    assert.ok(!util.inspect(client, { depth: 5, showHidden: true }).includes(TEST_API_KEY));
    assert.ok(!JSON.stringify(client).includes(TEST_API_KEY));
  });

  test('an explicit apiVersion is the path prefix', async () => {
    const versioned = new Alloy(TEST_API_KEY, { baseUrl, apiVersion: '2023-01' });
    const error = await apiError(versioned.getUser('ghost'));
    assert.equal(error.path, '/2023-01/users/ghost');
    assert.equal(error.status, 404);
  });

  test('path segments are encoded: a username with / and ? is one segment', async () => {
    await alloy.createUser({ username: 'we/ird?name#1' });
    assert.equal((await alloy.getUser('we/ird?name#1')).username, 'we/ird?name#1');
  });

  test('invalid_response: a 2xx body outside the contract is an error, never undefined', async () => {
    const scripted = await startScriptedServer([
      { status: 200, body: JSON.stringify({ userId: 5, username: 'x', fullName: null }) },
      { status: 200, body: 'not json' },
      { status: 502, headers: { 'content-type': 'text/html' }, body: '<h1>Bad gateway</h1>' },
      { status: 302, headers: { location: 'https://elsewhere.example/' }, body: '' },
    ]);
    try {
      const client = new Alloy(TEST_API_KEY, { baseUrl: scripted.url, retries: 0 });
      const shape = await apiError(client.getUser('x'));
      assert.deepEqual([shape.code, shape.status], ['invalid_response', 200]);
      assert.deepEqual(shape.issues[0]!.path, ['userId']);
      assert.match(shape.message, /userId: expected string/);
      const text = await apiError(client.getUser('x'));
      assert.deepEqual([text.code, text.status], ['invalid_response', 200]);
      assert.match(text.message, /not JSON/);
      const gateway = await apiError(client.getUser('x'));
      assert.deepEqual([gateway.code, gateway.status], ['http_error', 502]);
      const redirect = await apiError(client.getUser('x'));
      assert.deepEqual([redirect.code, redirect.status], ['http_error', 302]);
      assert.match(redirect.message, /elsewhere\.example/);
      assert.equal(scripted.requests.length, 4);
      assert.equal(scripted.requests[0]!.headers.authorization, `Bearer ${TEST_API_KEY}`);
      assert.match(String(scripted.requests[0]!.headers['user-agent']), /^alloy-embedded-kit-node\//);
    } finally {
      await scripted.close();
    }
  });

  test('network_error and timeout have their own codes', async () => {
    const refused = await apiError(new Alloy(TEST_API_KEY, { baseUrl: await closedPortUrl(), retries: 0 }).getApps());
    assert.deepEqual([refused.code, refused.status, refused.attempts], ['network_error', undefined, 1]);
    assert.match(refused.message, /connection refused/);
    assert.ok(refused.cause instanceof Error);

    const silent = await startScriptedServer(['hang']);
    try {
      const client = new Alloy(TEST_API_KEY, { baseUrl: silent.url, timeoutMs: 200, retries: 0 });
      const timeout = await apiError(client.getApps());
      assert.deepEqual([timeout.code, timeout.status], ['timeout', undefined]);
      assert.match(timeout.message, /200 ms/);
    } finally {
      await silent.close();
    }
  });
});
