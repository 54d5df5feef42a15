import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyDemoStoreWebhook } from '../../src/sandbox/index.js';
import {
  ADMIN,
  ownerSession,
  API,
  createStore,
  keyHeaders,
  startSandboxServer,
  sandboxDb,
  storeKey,
  type SandboxTestServer,
} from './sandbox-helpers.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local receiver: records every request and answers with whatever `respond` says. */
async function startReceiver(respond: (request: Received) => number | Promise<number> = () => 200) {
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      void Promise.resolve(respond(request)).then((status) => {
        received.push(request);
        if (status >= 300 && status < 400) res.setHeader('location', 'http://127.0.0.1:9/elsewhere');
        res.writeHead(status).end();
        waiters.splice(0).forEach((wake) => wake());
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = '/webhooks/65a1c0de0000000000000101/user-1') => `http://127.0.0.1:${port}${path}`,
    received,
    /** Resolves once `count` requests have been answered. */
    async waitFor(count: number): Promise<Received[]> {
      while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

let server: SandboxTestServer;
const receivers: Receiver[] = [];
const receiver = async (respond?: Parameters<typeof startReceiver>[0]) => {
  const started = await startReceiver(respond);
  receivers.push(started);
  return started;
};

before(async () => {
  server = await startSandboxServer({
    listen: true,
    sandboxTuning: { webhookDelivery: { retryDelaysMs: [10, 10, 10] } },
  });
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
after(async () => {
  await server.dispose();
});

async function subscribe(apiKey: string, storeId: string, url: string, topic = 'order.created') {
  const response = await server.inject({
    method: 'POST',
    url: `${API}/stores/${storeId}/webhooks`,
    headers: keyHeaders(apiKey),
    payload: { url, topic },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json() as { id: string; secret: string };
}

async function newOrder(apiKey: string, storeId: string) {
  const response = await server.inject({
    method: 'POST',
    url: `${API}/stores/${storeId}/orders`,
    headers: keyHeaders(apiKey),
    payload: {
      customer: { email: 'hook@example.com', name: 'Hook' },
      items: [{ name: 'Lamp', quantity: 1, unitPrice: 4500 }],
    },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json() as { id: string; number: number };
}

interface Delivery {
  id: string;
  status: string;
  attempts: number;
  responseStatus: number | null;
  lastError: string | null;
  topic: string;
}

async function deliveries(storeId: string): Promise<Delivery[]> {
  const response = await server.inject({
    method: 'GET',
    url: `${ADMIN}/stores/${storeId}/webhook-deliveries`,
    headers: (await ownerSession(server)).headers,
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.json().data;
}

/** Waits (as long as the test's own timeout allows) until every delivery of the store has finished. */
async function settled(storeId: string, count: number): Promise<Delivery[]> {
  for (;;) {
    const list = await deliveries(storeId);
    if (list.length >= count && list.every((d) => d.status !== 'pending')) return list;
    await sleep(10);
  }
}

describe('order.created deliveries', { timeout: 30_000 }, () => {
  test('reach a local receiver with a valid signature over the raw body', async () => {
    const store = await createStore(server, 'Hooks', 'hooks');
    const inbox = await receiver();
    const hook = await subscribe(store.apiKey, store.id, inbox.url());
    const order = await newOrder(store.apiKey, store.id);

    const [request] = await inbox.waitFor(1);
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/webhooks/65a1c0de0000000000000101/user-1');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['x-demo-store-topic'], 'order.created');
    assert.equal(request.headers['x-demo-store-store-id'], store.id);
    assert.match(String(request.headers['x-demo-store-delivery-id']), /^whd_/);
    const body = JSON.parse(request.body);
    assert.deepEqual(Object.keys(body).sort(), ['order', 'storeId', 'topic']);
    assert.equal(body.topic, 'order.created');
    assert.equal(body.storeId, store.id);
    const stored = await server.inject({
      method: 'GET',
      url: `${API}/stores/${store.id}/orders/${order.id}`,
      headers: keyHeaders(store.apiKey),
    });
    assert.deepEqual(body.order, stored.json());

    const signatureHeader = String(request.headers['x-demo-store-signature']);
    assert.match(signatureHeader, /^t=\d+,v1=[0-9a-f]{64}$/);
    assert.equal(verifyDemoStoreWebhook({ secret: hook.secret, signatureHeader, body: request.body }), true);
    assert.equal(verifyDemoStoreWebhook({ secret: hook.secret, signatureHeader, body: `${request.body} ` }), false);
    assert.equal(verifyDemoStoreWebhook({ secret: 'dswhsec_other', signatureHeader, body: request.body }), false);
    const signedAt = Number(/t=(\d+)/.exec(signatureHeader)![1]);
    assert.equal(
      verifyDemoStoreWebhook({ secret: hook.secret, signatureHeader, body: request.body, nowSeconds: signedAt + 301 }),
      false,
      'too old',
    );
    assert.equal(
      verifyDemoStoreWebhook({ secret: hook.secret, signatureHeader, body: request.body, nowSeconds: signedAt - 301 }),
      false,
      'from the future',
    );

    const [delivery] = await settled(store.id, 1);
    assert.equal(delivery?.status, 'succeeded');
    assert.equal(delivery?.attempts, 1);
    assert.equal(delivery?.responseStatus, 200);
    assert.equal(delivery?.id, request.headers['x-demo-store-delivery-id']);
  });

  test('do not hold up the API call: the order is created while the receiver is still busy', async () => {
    const store = await createStore(server, 'Slow', 'slow');
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived: () => void = () => undefined;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const inbox = await receiver(async () => {
      arrived();
      await held;
      return 200;
    });
    await subscribe(store.apiKey, store.id, inbox.url());
    await newOrder(store.apiKey, store.id);
    await arrival;
    assert.equal(inbox.received.length, 0, 'the receiver has not answered yet');
    assert.equal((await deliveries(store.id))[0]?.status, 'pending');
    release();
    assert.equal((await settled(store.id, 1))[0]?.status, 'succeeded');
  });

  test('go to every subscription of the store and topic, and only those', async () => {
    const store = await createStore(server, 'Fanout', 'fanout');
    const other = await createStore(server, 'Quiet', 'quiet');
    const a = await receiver();
    const b = await receiver();
    await subscribe(store.apiKey, store.id, a.url('/a'));
    await subscribe(store.apiKey, store.id, b.url('/b'));
    await subscribe(store.apiKey, store.id, b.url('/updates'), 'order.updated');
    await subscribe(other.apiKey, other.id, b.url('/other-store'));
    await newOrder(store.apiKey, store.id);
    await settled(store.id, 2);
    assert.deepEqual(
      a.received.map((r) => r.url),
      ['/a'],
    );
    assert.deepEqual(
      b.received.map((r) => r.url),
      ['/b'],
    );
    assert.equal((await deliveries(other.id)).length, 0);
  });

  test('retry a failing receiver with the same delivery id until it answers 2xx', async () => {
    const store = await createStore(server, 'Flaky', 'flaky');
    let calls = 0;
    const inbox = await receiver(() => (++calls === 1 ? 500 : 200));
    const hook = await subscribe(store.apiKey, store.id, inbox.url());
    await newOrder(store.apiKey, store.id);
    const [first, second] = await inbox.waitFor(2);
    assert.equal(first?.headers['x-demo-store-delivery-id'], second?.headers['x-demo-store-delivery-id']);
    assert.equal(first?.body, second?.body);
    for (const request of [first!, second!]) {
      assert.ok(
        verifyDemoStoreWebhook({
          secret: hook.secret,
          signatureHeader: String(request.headers['x-demo-store-signature']),
          body: request.body,
        }),
      );
    }
    const [delivery] = await settled(store.id, 1);
    assert.equal(delivery?.status, 'succeeded');
    assert.equal(delivery?.attempts, 2);
  });

  test('give up after the last retry and record why; a redirect counts as a failure', async () => {
    const store = await createStore(server, 'Down', 'down');
    const down = await receiver(() => 503);
    const moved = await receiver(() => 302);
    await subscribe(store.apiKey, store.id, down.url('/down'));
    await subscribe(store.apiKey, store.id, moved.url('/moved'));
    await newOrder(store.apiKey, store.id);
    const list = await settled(store.id, 2);
    for (const delivery of list) {
      assert.equal(delivery.status, 'failed');
      assert.equal(delivery.attempts, 4, 'one attempt plus three retries');
      assert.match(String(delivery.lastError), /answered (503|302)/);
    }
    assert.equal(down.received.length, 4);
    assert.equal(moved.received.length, 4);
  });

  test('an unreachable receiver is retried and then marked failed', async () => {
    const store = await createStore(server, 'Gone', 'gone');
    const gone = await startReceiver();
    const url = gone.url();
    await gone.close();
    await subscribe(store.apiKey, store.id, url);
    await newOrder(store.apiKey, store.id);
    const [delivery] = await settled(store.id, 1);
    assert.equal(delivery?.status, 'failed');
    assert.equal(delivery?.attempts, 4);
    assert.match(String(delivery?.lastError), /Could not reach/);
  });
});

describe('other topics and lifecycle', { timeout: 30_000 }, () => {
  test('order.updated is sent when the status changes, not when it stays the same', async () => {
    const store = await createStore(server, 'Updates', 'updates');
    const inbox = await receiver();
    const hook = await subscribe(store.apiKey, store.id, inbox.url('/updated'), 'order.updated');
    const order = await newOrder(store.apiKey, store.id);
    const patch = (status: string) =>
      server.inject({
        method: 'PATCH',
        url: `${API}/stores/${store.id}/orders/${order.id}`,
        headers: keyHeaders(store.apiKey),
        payload: { status },
      });
    assert.equal((await patch('paid')).statusCode, 200);
    assert.equal((await patch('paid')).statusCode, 200);
    await settled(store.id, 1);
    assert.equal(inbox.received.length, 1);
    const body = JSON.parse(inbox.received[0]!.body);
    assert.equal(body.topic, 'order.updated');
    assert.equal(body.order.status, 'paid');
    assert.ok(
      verifyDemoStoreWebhook({
        secret: hook.secret,
        signatureHeader: String(inbox.received[0]!.headers['x-demo-store-signature']),
        body: inbox.received[0]!.body,
      }),
    );
  });

  test('a deleted subscription gets nothing more', async () => {
    const store = await createStore(server, 'Unsubscribed', 'unsubscribed');
    const inbox = await receiver();
    const hook = await subscribe(store.apiKey, store.id, inbox.url());
    const removed = await server.inject({
      method: 'DELETE',
      url: `${API}/stores/${store.id}/webhooks/${hook.id}`,
      headers: keyHeaders(store.apiKey),
    });
    assert.equal(removed.statusCode, 204);
    await newOrder(store.apiKey, store.id);
    assert.equal((await deliveries(store.id)).length, 0);
  });

  test('a delivery still pending when the server stops is sent after the restart', async () => {
    const key = await storeKey(server);
    let up = false;
    const inbox = await receiver(() => (up ? 200 : 503));
    server = await server.restart({ sandboxTuning: { webhookDelivery: { retryDelaysMs: [3_600_000] } } });
    await subscribe(key, 'acme-shop', inbox.url('/after-restart'));
    const order = await newOrder(key, 'acme-shop');
    await inbox.waitFor(1);
    let pending: Delivery | undefined;
    while (pending?.attempts !== 1) {
      pending = (await deliveries('acme-shop')).find((d) => d.topic === 'order.created');
      await sleep(10);
    }
    assert.equal(pending.status, 'pending', 'waiting an hour for its retry');
    // Make the retry due now, then stop the server before it runs.
    await sandboxDb(server)
      .updateTable('sandbox_webhook_deliveries')
      .set({ next_attempt_at: Date.now() })
      .where('id', '=', pending.id)
      .execute();
    up = true;
    server = await server.restart({ sandboxTuning: { webhookDelivery: { retryDelaysMs: [10] } } });
    await inbox.waitFor(2);
    const body = JSON.parse(inbox.received[1]!.body);
    assert.equal(body.order.id, order.id);
    let final: Delivery | undefined;
    while (final?.status !== 'succeeded') {
      final = (await deliveries('acme-shop')).find((d) => d.id === pending!.id);
      await sleep(10);
    }
    assert.equal(final.attempts, 2);
  });
});
