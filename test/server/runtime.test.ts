import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { registerDemo, type InboxEntry } from '../../demo/backend.js';
import { verifyAlloySignature, verifyStandardWebhook } from '../../src/node/webhooks.js';
import { rawRow } from '../helpers/engine.js';
import {
  CHAIN_WORKFLOW_ID,
  INSTALL_WORKFLOW_ID,
  LAB_INTEGRATION_ID,
  PING_EVENT,
  PING_WORKFLOW_ID,
  STATUS_EVENT,
  STATUS_WORKFLOW_ID,
  labIntegration,
} from './lab-integration.js';
import { type Received, TestReceiver } from './receiver.js';
import {
  type Api,
  EVENT_WORKFLOW_ID,
  INTEGRATION_ID,
  PREFIX_FIELD,
  STREAM_WORKFLOW_ID,
  UNKNOWN_ID,
  definitionsDir,
  startApi,
  waitFor,
} from './support.js';

let api: Api;
let receiver: TestReceiver;
let dir: string;
let publicKey: string;
let webhookSecret: string;

before(async () => {
  receiver = await TestReceiver.start();
  dir = definitionsDir({ 'lab.integration.json': labIntegration((p) => receiver.url(p)) });
  api = await startApi({ listen: false, server: { definitionsDir: dir } });
  // The AcmeCo demo backend on the same server: its inbox is the seed's Stream Data target.
  await registerDemo(api.server.app, {
    apiBaseUrl: () => api.server.ctx.publicUrl,
    apiKey: api.server.ctx.secrets.apiKeys.development,
  });
  await api.server.app.listen({ port: 0, host: '127.0.0.1' });
  // The development key's settings name development's signing material (the users here are development's).
  const settings = (await api.call('GET', '/settings')).json();
  publicKey = await (await fetch(settings.publicKeyUrl)).text();
  webhookSecret = settings.webhookSecret;
});

after(async () => {
  await api.server.dispose();
  await receiver.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The demo inbox as its page reads it for `username`: same origin, signed in. */
async function demoInbox(username = 'inbox-reader'): Promise<{ data: InboxEntry[] }> {
  const origin = new URL(api.server.ctx.publicUrl).origin;
  const signedIn = await fetch(api.url('/demo/api/session'), {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
  });
  assert.equal(signedIn.status, 200);
  const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
  const response = await fetch(api.url('/demo/api/inbox'), { headers: { origin, cookie } });
  assert.equal(response.status, 200);
  return (await response.json()) as { data: InboxEntry[] };
}

/** Both signatures of a request the server sent, checked the way an ISV would. */
function assertSigned(
  request: Received,
  url: string,
  keys = { publicKey, webhookSecret },
): { id: string; timestamp: number } {
  assert.ok(
    verifyAlloySignature(keys.publicKey, {
      method: request.method,
      url,
      body: request.body,
      signature: request.headers['x-alloy-signature'] as string,
    }),
    'X-Alloy-Signature verifies with the published key',
  );
  return verifyStandardWebhook(keys.webhookSecret, request.headers, request.body);
}

const storeApi = (path: string) => api.url(`/sandbox/demo-store/api/v1/stores/acme-shop${path}`);

async function storeCall(method: string, path: string, body?: unknown) {
  const { apiKey } = await api.storeCredential();
  const response = await fetch(storeApi(path), {
    method,
    headers: { 'x-store-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json().catch(() => null)) as Record<string, unknown> };
}

async function createOrder(): Promise<{ id: string; number: number; status: string }> {
  const created = await storeCall('POST', '/orders', {
    customer: { email: 'jane@example.com', name: 'Jane Doe' },
    items: [{ name: 'Blue mug', quantity: 2, unitPrice: 1250 }],
  });
  assert.equal(created.status, 201);
  return created.json as { id: string; number: number; status: string };
}

/** Installs the seed integration headlessly with the user's store credential. */
async function installSeed(userId: string, prefix = 'HD-'): Promise<string> {
  const credentialId = await api.createCredential(userId);
  const start = await api.call('POST', '/headless/startInstallation', {
    body: { userId, integrationId: INTEGRATION_ID },
  });
  assert.equal(start.statusCode, 200, start.body);
  const done = await api.call('POST', '/headless/completeInstallation', {
    body: {
      installationId: start.json().installationId,
      data: [
        {
          workflowId: STREAM_WORKFLOW_ID,
          blockId: PREFIX_FIELD.blockId,
          fields: [{ name: 'referencePrefix', value: prefix }],
        },
      ],
    },
  });
  assert.equal(done.statusCode, 200, done.body);
  return credentialId;
}

/** Installs some Runtime Lab workflows with the widget (user token), as the modal does. */
async function installLab(userId: string, workflowIds: string[], values: unknown[] = []): Promise<void> {
  const response = await api.call('POST', '/widget/installations', {
    token: await api.token(userId),
    body: { integrationId: LAB_INTEGRATION_ID, workflowIds, values },
  });
  assert.equal(response.statusCode, 201, response.body);
}

function fire(userId: string, event: string, data: Record<string, unknown>, key?: string) {
  return api.call('POST', '/run/event', {
    body: { event, userId, data },
    ...(key ? { headers: { 'idempotency-key': key } } : {}),
  });
}

/** Waits for a run to be over and returns its queue row. */
function settled(runId: string) {
  return waitFor(`run ${runId} to finish`, async () => {
    const row = await api.server.ctx.runtime.queue.get(runId);
    return row && (row.status === 'done' || row.status === 'failed') ? row : undefined;
  });
}

async function logsOf(workflowId: string, userId: string) {
  const response = await api.call('GET', `/workflows/${workflowId}/logs?userId=${userId}&limit=30`);
  assert.equal(response.statusCode, 200, response.body);
  return response.json().data as {
    executionId: string;
    runId: string | null;
    status: string;
    mode: string;
    version: number;
    results: {
      blockId: string;
      blockName: string | null;
      status: string;
      data: { json: unknown }[];
      error: string | null;
    }[];
    inputs: { blockId: string; data: unknown }[];
  }[];
}

describe('the Quick Start, run for real', () => {
  test('Fulfillment Updated → the store’s order status changes → a log entry exists', async () => {
    const userId = await api.createUser('fulfiller');
    await installSeed(userId);
    const order = await createOrder();
    assert.equal(order.status, 'pending');

    const fired = await fire(userId, 'Fulfillment Updated', { orderId: order.id, status: 'FULFILLED' });
    assert.equal(fired.statusCode, 200, fired.body);
    const run = await settled(fired.json().eventId);
    assert.equal(run.status, 'done');

    const stored = await storeCall('GET', `/orders/${order.id}`);
    assert.equal(stored.json.status, 'fulfilled');

    const [execution, ...more] = await logsOf(EVENT_WORKFLOW_ID, userId);
    assert.equal(more.length, 0);
    assert.equal(execution!.status, 'success');
    assert.equal(execution!.mode, 'trigger');
    // The execution names the event that started it, so a caller finds the run it fired.
    assert.equal(execution!.runId, fired.json().eventId);
    assert.deepEqual(
      execution!.results.map((r) => [r.blockId, r.blockName, r.status]),
      [
        ['trigger-fulfillment-updated', 'Custom Event', 'success'],
        ['update-order-status', 'Demo Store: Update Order Status', 'success'],
      ],
    );
    assert.deepEqual(execution!.inputs[1]!.data, { orderId: order.id, status: 'FULFILLED' });
    const output = execution!.results[1]!.data[0]!.json as { id: string; status: string };
    assert.deepEqual([output.id, output.status], [order.id, 'fulfilled']);
  });

  test('a new store order reaches the Stream Data receiver (the demo inbox) with both signatures valid', async () => {
    const userId = await api.createUser('streamer');
    await installSeed(userId, 'ACME-');
    // Installing subscribed a store webhook at this user's receiver address.
    const hooks = await storeCall('GET', '/webhooks');
    const receiverUrl = api.url(`/webhooks/${STREAM_WORKFLOW_ID}/${userId}`);
    assert.ok(
      (hooks.json.data as { url: string; topic: string }[]).some(
        (h) => h.url === receiverUrl && h.topic === 'order.created',
      ),
    );

    const order = await createOrder();
    const entry = await waitFor('the order in the demo inbox', async () => {
      const inbox = await demoInbox('streamer');
      // Every user connected to this store streams its orders; this user's copy is the one to check.
      return inbox.data.find((e) => {
        const sent = e.body as { userId?: string; data?: { id?: string } };
        return sent.data?.id === order.id && sent.userId === userId;
      });
    });
    assert.equal(entry.userId, userId);
    // The inbox is the signed-in user's: another user sees none of this user's requests.
    const others = await demoInbox('inbox-reader');
    assert.ok(others.data.every((e) => e.userId !== userId));
    assert.equal(entry.path, '/demo/api/inbox/orders');
    assert.deepEqual(entry.verified, { alloySignature: true, standardWebhooks: true });
    const body = entry.body as {
      workflowId: string;
      userId: string;
      fields: Record<string, unknown>;
      trigger: unknown;
    };
    assert.equal(body.workflowId, STREAM_WORKFLOW_ID);
    assert.equal(body.userId, userId);
    assert.deepEqual(body.fields, { referencePrefix: 'ACME-' });
    assert.deepEqual(body.trigger, { type: 'appEvent', event: 'order.created' });
    assert.match(entry.webhookId ?? '', /^msg_[0-9a-f]{24}$/);

    // The receiver's answer reaches the worker after the inbox recorded the entry: the execution
    // is recorded as finished a moment later (on PostgreSQL, one more round trip).
    const execution = await waitFor('the execution to finish', async () => {
      const [latest] = await logsOf(STREAM_WORKFLOW_ID, userId);
      return latest?.status !== 'running' && latest;
    });
    assert.equal(execution.status, 'success');
    assert.equal((execution.results[0]!.data[0]!.json as { id: string }).id, order.id);
  });

  test('the demo inbox records a forged request as not verified and refuses it', async () => {
    const response = await fetch(api.url('/demo/api/inbox/orders'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-alloy-signature': 'ab'.repeat(256),
        'webhook-id': 'msg_forged',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,AAAA',
      },
      body: '{"forged":true}',
    });
    assert.equal(response.status, 401);
    const inbox = await demoInbox();
    const forged = inbox.data.find((e) => e.webhookId === 'msg_forged');
    assert.ok(forged);
    assert.equal(forged.verified.alloySignature, false);
    assert.equal(forged.verified.standardWebhooks, false);
  });
});

describe('app-event triggers', () => {
  test('deactivate unsubscribes the store webhook and stops runs; activate subscribes again', async () => {
    const userId = await api.createUser('pauser');
    await installSeed(userId);
    const receiverUrl = api.url(`/webhooks/${STREAM_WORKFLOW_ID}/${userId}`);
    const subscribed = async () =>
      ((await storeCall('GET', '/webhooks')).json.data as { url: string }[]).some((h) => h.url === receiverUrl);
    assert.equal(await subscribed(), true);

    const off = await api.call('PUT', '/workflows/deactivate', { body: { userId, workflowId: STREAM_WORKFLOW_ID } });
    assert.equal(off.statusCode, 200);
    assert.equal(await subscribed(), false);
    await createOrder();

    const on = await api.call('PUT', '/workflows/activate', { body: { userId, workflowId: STREAM_WORKFLOW_ID } });
    assert.equal(on.statusCode, 200);
    assert.equal(await subscribed(), true);
    const order = await createOrder();
    await waitFor('the run after reactivation', async () => (await logsOf(STREAM_WORKFLOW_ID, userId)).length === 1);
    const [execution] = await logsOf(STREAM_WORKFLOW_ID, userId);
    assert.equal((execution!.results[0]!.data[0]!.json as { id: string }).id, order.id, 'only the later order ran');

    const removed = await api.call('DELETE', `/workflows/${STREAM_WORKFLOW_ID}?userId=${userId}`);
    assert.equal(removed.statusCode, 200);
    assert.equal(await subscribed(), false);
  });

  test('the receiver refuses a bad signature and an unknown address alike, runs a redelivery once', async () => {
    const userId = await api.createUser('receiver-checks');
    await installSeed(userId);
    const path = `/webhooks/${STREAM_WORKFLOW_ID}/${userId}`;
    const body = JSON.stringify({ topic: 'order.created', storeId: 'acme-shop', order: { id: 'ord_x', number: 1 } });
    const post = (headers: Record<string, string>, to = path) =>
      fetch(api.url(to), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

    const forged = await post({ 'x-demo-store-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` });
    assert.equal(forged.status, 401);
    // 401 as for a bad signature: a 410 here told anyone which users have subscriptions.
    assert.equal((await post({}, `/webhooks/${STREAM_WORKFLOW_ID}/${UNKNOWN_ID}`)).status, 401);
    assert.equal((await post({}, `/webhooks/not-an-id/${userId}`)).status, 400);

    // A genuine delivery, sent twice (the store retries when an answer is lost): one run. The
    // store gives the subscription's secret to whoever holds its key, as a real app would.
    const hooks = (await storeCall('GET', '/webhooks')).json.data as { id: string; url: string }[];
    const hook = hooks.find((h) => h.url === api.url(path))!;
    const secret = (await storeCall('GET', `/webhooks/${hook.id}`)).json.secret as string;
    const { createHmac } = await import('node:crypto');
    const t = Math.floor(Date.now() / 1000);
    const signed = {
      'x-demo-store-signature': `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`,
      'x-demo-store-delivery-id': 'whd_redelivered',
    };
    const first = await post(signed);
    assert.equal(first.status, 200);
    const again = await post(signed);
    assert.equal(again.status, 200);
    const [a, b] = [
      (await first.json()) as { runId: string },
      (await again.json()) as { runId: string; duplicate: boolean },
    ];
    assert.equal(a.runId, b.runId);
    assert.equal(b.duplicate, true);
    await settled(a.runId);
    assert.equal((await logsOf(STREAM_WORKFLOW_ID, userId)).length, 1);
  });
});

describe('Stream Data delivery', () => {
  test('a receiver that is down is retried with the same webhook-id and a fresh timestamp until it answers', async () => {
    const patient = await startApi({
      server: {
        definitionsDir: dir,
        runtime: { retry: { baseDelayMs: 50, maxDelayMs: 200, maxAttempts: 40 } },
      },
    });
    try {
      const userId = await patient.createUser('patient');
      const response = await patient.call('POST', '/widget/installations', {
        token: await patient.token(userId),
        body: { integrationId: LAB_INTEGRATION_ID, workflowIds: [PING_WORKFLOW_ID], values: [] },
      });
      assert.equal(response.statusCode, 201, response.body);
      // Down (503) until at least a second after the first attempt, so timestamps must differ.
      let firstAt: number | undefined;
      receiver.react = (request) => {
        if (request.path !== '/stream') return 200;
        firstAt ??= request.at;
        return request.at - firstAt < 1_000 ? 503 : 200;
      };
      const before = receiver.at('/stream').length;
      const fired = await patient.call('POST', '/run/event', { body: { event: PING_EVENT, userId, data: { n: 7 } } });
      assert.equal(fired.statusCode, 200);
      const run = await waitFor('the run to finish', async () => {
        const row = await patient.server.ctx.runtime.queue.get(fired.json().eventId);
        return row?.status === 'done' ? row : undefined;
      });
      const attempts = receiver.at('/stream').slice(before);
      assert.ok(attempts.length >= 2, `${attempts.length} attempts`);
      assert.equal(run.attempts, attempts.length - 1, 'every failed attempt was counted');
      const keys = {
        publicKey: patient.server.ctx.signingKeys.development.publicKeyPem,
        webhookSecret: patient.server.ctx.signingKeys.development.webhookSecret,
      };
      const signed = attempts.map((a) => assertSigned(a, receiver.url('/stream'), keys));
      assert.equal(new Set(signed.map((s) => s.id)).size, 1, 'one webhook-id across attempts');
      assert.ok(signed.at(-1)!.timestamp > signed[0]!.timestamp, 'the last attempt was signed afresh');
      const [execution] = (await patient.call('GET', `/workflows/${PING_WORKFLOW_ID}/logs?userId=${userId}`)).json()
        .data as { status: string; results: { data: { json: { status: number } }[] }[] }[];
      assert.equal(execution!.status, 'success');
      assert.equal(execution!.results[1]!.data[0]!.json.status, 200);
      assert.deepEqual(JSON.parse(attempts.at(-1)!.body).fields, { release: 'v1', label: 'ping #7' });
    } finally {
      receiver.react = () => 200;
      await patient.server.dispose();
    }
  });

  test('an exhausted delivery is an error in /errors and on the error stream', async () => {
    const userId = await api.createUser('unlucky');
    await installLab(userId, [PING_WORKFLOW_ID]);
    await api.call('PUT', '/settings', { body: { errorStreamUrl: receiver.url('/errors') } });
    receiver.react = (request) => (request.path === '/stream' ? 503 : 200);
    try {
      const before = receiver.at('/stream').length;
      const fired = await fire(userId, PING_EVENT, { n: 1 });
      const run = await settled(fired.json().eventId);
      assert.equal(run.status, 'failed');
      assert.equal(receiver.at('/stream').length - before, 4, 'maxAttempts attempts');
      const errors = (await api.call('GET', `/workflows/${PING_WORKFLOW_ID}/errors?userId=${userId}`)).json().data;
      assert.equal(errors.length, 1);
      assert.equal(errors[0].block, 'streamData');
      assert.match(errors[0].message, /answered 503\. Gave up after 4 attempts/);
      await waitFor('the error stream post', () =>
        receiver.at('/errors').find((r) => r.headers['x-alloy-executionuuid'] === errors[0].executionId),
      );
    } finally {
      receiver.react = () => 200;
      await api.call('PUT', '/settings', { body: { errorStreamUrl: null } });
    }
  });
});

describe('the error stream', () => {
  test('a failing action shows in /errors and is posted with the X-Alloy headers, signed', async () => {
    const userId = await api.createUser('failing');
    await installSeed(userId);
    await api.call('PUT', '/settings', { body: { errorStreamUrl: receiver.url('/errors') } });
    try {
      const fired = await fire(userId, 'Fulfillment Updated', { orderId: 'ord_missing', status: 'shipped' });
      const run = await settled(fired.json().eventId);
      assert.equal(run.status, 'failed');
      const errors = (await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/errors?userId=${userId}`)).json().data;
      assert.equal(errors.length, 1);
      assert.deepEqual([errors[0].block, errors[0].message], ['demoStore', 'Order ord_missing was not found.']);

      const posted = await waitFor('the error stream post', () =>
        receiver.at('/errors').find((r) => r.headers['x-alloy-executionuuid'] === errors[0].executionId),
      );
      assert.equal(posted.headers['x-alloy-workflowid'], EVENT_WORKFLOW_ID);
      assert.equal(posted.headers['x-alloy-userid'], userId);
      assert.equal(posted.headers['x-alloy-blockname'], 'Demo Store: Update Order Status');
      assert.equal(posted.headers['x-alloy-blocktype'], 'connectorAction');
      assertSigned(posted, receiver.url('/errors'));
      const payload = JSON.parse(posted.body);
      assert.equal(payload.message, 'Order ord_missing was not found.');
      assert.deepEqual(payload.block, {
        id: 'update-order-status',
        name: 'Demo Store: Update Order Status',
        type: 'connectorAction',
        connector: 'demoStore',
      });
    } finally {
      await api.call('PUT', '/settings', { body: { errorStreamUrl: null } });
    }
  });
});

describe('what runs and what does not', () => {
  test('a deactivated workflow does not run; the event is still accepted and settles', async () => {
    const userId = await api.createUser('inactive');
    await installSeed(userId);
    const order = await createOrder();
    await api.call('PUT', '/workflows/deactivate', { body: { userId, workflowId: EVENT_WORKFLOW_ID } });
    const fired = await fire(userId, 'Fulfillment Updated', { orderId: order.id, status: 'paid' });
    assert.equal(fired.statusCode, 200);
    const run = await settled(fired.json().eventId);
    assert.equal(run.status, 'done');
    assert.deepEqual(await logsOf(EVENT_WORKFLOW_ID, userId), []);
    assert.equal((await storeCall('GET', `/orders/${order.id}`)).json.status, 'pending');
  });

  test('an upgraded user runs the new version', async () => {
    const upgrades = definitionsDir({ 'lab.integration.json': labIntegration((p) => receiver.url(p)) });
    const server = await startApi({ server: { definitionsDir: upgrades } });
    try {
      const userId = await server.createUser('upgrader');
      const install = await server.call('POST', '/widget/installations', {
        token: await server.token(userId),
        body: { integrationId: LAB_INTEGRATION_ID, workflowIds: [PING_WORKFLOW_ID], values: [] },
      });
      assert.equal(install.statusCode, 201);
      fs.writeFileSync(
        `${upgrades}/lab.integration.json`,
        JSON.stringify(labIntegration((p) => receiver.url(p), [1, 2])),
      );
      assert.equal((await server.call('POST', '/admin/definitions/reload', { key: 'prod' })).statusCode, 200);
      const upgraded = await server.call('PUT', `/workflows/${PING_WORKFLOW_ID}/upgrade?userId=${userId}`);
      assert.equal(upgraded.json().installedVersion, 2);
      const fired = await server.call('POST', '/run/event', { body: { event: PING_EVENT, userId, data: { n: 2 } } });
      await waitFor(
        'the run',
        async () => (await server.server.ctx.runtime.queue.get(fired.json().eventId))?.status === 'done',
      );
      const [execution] = (await server.call('GET', `/workflows/${PING_WORKFLOW_ID}/logs?userId=${userId}`)).json()
        .data as { version: number; executionId: string }[];
      assert.equal(execution!.version, 2);
      const sent = receiver
        .at('/stream')
        .map((r) => JSON.parse(r.body))
        .find((b) => b.executionId === execution!.executionId);
      assert.equal(sent.fields.release, 'v2');
    } finally {
      await server.server.dispose();
      fs.rmSync(upgrades, { recursive: true, force: true });
    }
  });

  test('a webhook trigger runs a connector action, then an HTTP request mapping its output', async () => {
    const userId = await api.createUser('chainer');
    await api.createCredential(userId);
    await installLab(userId, [CHAIN_WORKFLOW_ID]);
    const ran = await api.call('POST', '/run/workflow', {
      body: { workflowId: CHAIN_WORKFLOW_ID, userId, data: { email: 'ada@example.com', name: 'Ada' } },
    });
    assert.equal(ran.statusCode, 200, ran.body);
    await settled(ran.json().runId);
    const [execution] = await logsOf(CHAIN_WORKFLOW_ID, userId);
    assert.equal(execution!.status, 'success', JSON.stringify(execution));
    assert.equal(execution!.mode, 'webhook');
    const customer = execution!.results[1]!.data[0]!.json as { id: string; email: string };
    assert.equal(customer.email, 'ada@example.com');

    const call = receiver.at('/crm/customers').at(-1)!;
    assert.equal(call.method, 'PUT');
    assert.equal(call.headers['x-lab'], 'chain');
    assertSigned(call, receiver.url('/crm/customers'));
    assert.deepEqual(JSON.parse(call.body), {
      customerId: customer.id,
      existing: false,
      summary: 'Ada <ada@example.com>',
    });

    // Run again: the customer exists, and the action returns it instead of failing.
    const again = await api.call('POST', '/run/workflow', {
      body: { workflowId: CHAIN_WORKFLOW_ID, userId, data: { email: 'ada@example.com', name: 'Ada' } },
    });
    await settled(again.json().runId);
    assert.equal(JSON.parse(receiver.at('/crm/customers').at(-1)!.body).existing, true);
  });

  test('an on-installation workflow runs once when it is installed', async () => {
    const userId = await api.createUser('newcomer');
    const before = receiver.at('/installed').length;
    await installLab(userId, [INSTALL_WORKFLOW_ID]);
    const [hello] = (await receiver.waitFor('/installed', before + 1)).slice(before);
    const payload = JSON.parse(hello!.body);
    assert.equal(payload.userId, userId);
    assert.deepEqual(payload.trigger, { type: 'onInstallation', event: null });
    assert.equal(payload.data.integrationId, LAB_INTEGRATION_ID);
    assertSigned(hello!, receiver.url('/installed'));
    // Installing again (an edit) queues no second installation run.
    await installLab(userId, [INSTALL_WORKFLOW_ID]);
    const runs = await rawRow<{ n: number }>(
      api.server,
      "SELECT COUNT(*) AS n FROM run_queue WHERE user_id = ? AND kind = 'installation'",
      userId,
    );
    assert.equal(runs?.n, 1);
    await waitFor(
      'the installation run to finish',
      async () => (await logsOf(INSTALL_WORKFLOW_ID, userId))[0]?.status === 'success',
    );
    assert.equal((await logsOf(INSTALL_WORKFLOW_ID, userId)).length, 1);
  });
});

describe('reruns', () => {
  test('POST /workflows/:id/rerun/:executionId runs the recorded trigger data again', async () => {
    const userId = await api.createUser('rerunner');
    await installLab(userId, [PING_WORKFLOW_ID]);
    const fired = await fire(userId, PING_EVENT, { n: 41, note: 'first' });
    await settled(fired.json().eventId);
    const [original] = await logsOf(PING_WORKFLOW_ID, userId);

    const rerun = await api.call(
      'POST',
      `/workflows/${PING_WORKFLOW_ID}/rerun/${original!.executionId}?userId=${userId}`,
    );
    assert.equal(rerun.statusCode, 200, rerun.body);
    assert.equal(rerun.json().rerunOf, original!.executionId);
    await settled(rerun.json().runId);
    const [again] = await logsOf(PING_WORKFLOW_ID, userId);
    assert.notEqual(again!.executionId, original!.executionId);
    assert.equal(again!.mode, 'manual');
    assert.deepEqual(again!.inputs[0]!.data, { n: 41, note: 'first' });

    assert.equal((await api.call('POST', `/workflows/${PING_WORKFLOW_ID}/rerun/${UNKNOWN_ID}`)).statusCode, 404);
    assert.equal(
      (await api.call('POST', `/workflows/${CHAIN_WORKFLOW_ID}/rerun/${original!.executionId}`)).statusCode,
      404,
      'an execution of another workflow',
    );
    await api.call('PUT', '/workflows/deactivate', { body: { userId, workflowId: PING_WORKFLOW_ID } });
    const inactive = await api.call('POST', `/workflows/${PING_WORKFLOW_ID}/rerun/${original!.executionId}`);
    assert.equal(inactive.statusCode, 409);
    assert.equal(inactive.json().error.code, 'workflow_inactive');
  });
});

describe('the installation webhook', () => {
  test('is posted, signed, after headless and widget installs; a 410 fails it for good, and it can be retried', async () => {
    await api.call('PUT', '/settings', { body: { installationWebhookUrl: receiver.url('/installations') } });
    try {
      const headless = await api.createUser('announced');
      const credentialId = await installSeed(headless);
      const [headlessPost] = await receiver.waitFor('/installations', 1);
      assertSigned(headlessPost!, receiver.url('/installations'));
      assert.deepEqual(JSON.parse(headlessPost!.body), {
        environment: 'development',
        userId: headless,
        workflowIds: [STREAM_WORKFLOW_ID, EVENT_WORKFLOW_ID],
        integrationId: INTEGRATION_ID,
        credentials: { demoStore: credentialId },
        success: true,
      });

      const widget = await api.createUser('announced-widget');
      const widgetCredential = await api.createCredential(widget);
      await api.installWithWidget(widget);
      const posts = await receiver.waitFor('/installations', 2);
      assert.deepEqual(JSON.parse(posts[1]!.body).credentials, { demoStore: widgetCredential });

      // A receiver that answers 410 Gone is not retried; the delivery is failed and listed.
      receiver.react = (request) => (request.path === '/installations' ? 410 : 200);
      await api.installWithWidget(widget, 'AGAIN-');
      const failed = await waitFor('the failed delivery', async () => {
        const list = (await api.call('GET', '/webhook-deliveries?status=failed&kind=installationWebhook')).json().data;
        return list[0];
      });
      assert.equal(failed.attempts, 1);
      assert.match(failed.lastError, /410/);
      receiver.react = () => 200;
      const count = receiver.at('/installations').length;
      const retried = await api.call('POST', `/webhook-deliveries/${failed.deliveryId}/retry`);
      assert.equal(retried.statusCode, 200);
      const [resent] = (await receiver.waitFor('/installations', count + 1)).slice(count);
      assert.equal(resent!.headers['webhook-id'], failed.deliveryId, 'the same webhook-id');
      await waitFor(
        'delivered',
        async () =>
          (await api.call('GET', `/webhook-deliveries/${failed.deliveryId}`)).json().data.status === 'delivered',
      );
    } finally {
      receiver.react = () => 200;
      await api.call('PUT', '/settings', { body: { installationWebhookUrl: null } });
    }
  });
});

describe('dynamic options', () => {
  test('the widget loads a dynamic select’s choices from the store with the user’s credential', async () => {
    const userId = await api.createUser('chooser');
    const token = await api.token(userId);
    const path = `/widget/integrations/${LAB_INTEGRATION_ID}/fields/${STATUS_WORKFLOW_ID}/set-status/status/options`;
    const missing = await api.call('GET', path, { token });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().error.code, 'credential_required');

    await api.createCredential(userId);
    const options = await api.call('GET', path, { token });
    assert.equal(options.statusCode, 200, options.body);
    assert.deepEqual(
      options.json().data.map((o: { value: string }) => o.value),
      ['pending', 'paid', 'fulfilled', 'shipped', 'cancelled'],
    );
    assert.equal((await api.call('GET', path)).statusCode, 401, 'the API key is not a user token');
    const fixed = `/widget/integrations/${LAB_INTEGRATION_ID}/fields/${PING_WORKFLOW_ID}/stream/label/options`;
    assert.equal((await api.call('GET', fixed, { token })).statusCode, 400);
    const unknown = `/widget/integrations/${LAB_INTEGRATION_ID}/fields/${STATUS_WORKFLOW_ID}/set-status/nope/options`;
    assert.equal((await api.call('GET', unknown, { token })).statusCode, 404);

    // The chosen status is the user's config value in the run.
    await installLab(
      userId,
      [STATUS_WORKFLOW_ID],
      [{ workflowId: STATUS_WORKFLOW_ID, blockId: 'set-status', name: 'status', value: 'paid' }],
    );
    const order = await createOrder();
    const fired = await fire(userId, STATUS_EVENT, { orderId: order.id });
    await settled(fired.json().eventId);
    assert.equal((await storeCall('GET', `/orders/${order.id}`)).json.status, 'paid');
  });
});

describe('signing material', () => {
  test('the public key is served as PEM, and the settings expose the Standard Webhooks secret', async () => {
    const response = await fetch(api.url('/security/development/alloy_public_key.pem'));
    assert.equal(response.status, 200);
    assert.match(String(response.headers.get('content-type')), /application\/x-pem-file/);
    assert.equal(await response.text(), publicKey);
    assert.match(publicKey, /^-----BEGIN PUBLIC KEY-----/);
    const settings = (await api.call('GET', '/settings')).json();
    assert.equal(settings.publicKeyUrl, api.url('/security/development/alloy_public_key.pem'));
    assert.match(settings.webhookSecret, /^whsec_/);
  });
});
