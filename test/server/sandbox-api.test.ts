import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rawRow, tableNames } from '../helpers/engine.js';
import {
  ADMIN,
  API,
  SAMPLE_ORDER,
  STORE_PATH,
  createOrder,
  createStore,
  keyHeaders,
  listStores,
  ownerSession,
  startSandboxServer,
  storeKey,
  type SandboxTestServer,
} from './sandbox-helpers.js';

let server: SandboxTestServer;
let key: string;

before(async () => {
  server = await startSandboxServer();
  key = await storeKey(server);
});
after(async () => {
  await server.dispose();
});

/** The server's own migration version (a sandbox test server is on SQLite today): SQLite's `user_version`, PostgreSQL's `schema_version` table. */
const schemaVersion = async (): Promise<unknown> =>
  server.storage.engine === 'postgres'
    ? (await rawRow<{ version: number }>(server, 'SELECT version FROM schema_version'))?.version
    : server.db.pragma('user_version', { simple: true });

const get = (url: string, headers: Record<string, string> = keyHeaders(key)) =>
  server.inject({ method: 'GET', url, headers });
const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers = keyHeaders(key)) =>
  server.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

function assertError(response: { statusCode: number; json(): unknown; body: string }, status: number, code: string) {
  assert.equal(response.statusCode, status, response.body);
  const body = response.json() as { error: { code: string; message: string } };
  assert.equal(body.error.code, code, response.body);
  assert.equal(typeof body.error.message, 'string');
}

describe('the seeded store', () => {
  test('Acme Shop exists with an API key, and GET /store names the credential’s store', async () => {
    const [store] = await listStores(server);
    assert.equal(store?.id, 'acme-shop');
    assert.equal(store?.name, 'Acme Shop');
    assert.equal(store?.subdomain, 'acme-shop');
    assert.match(key, /^dsk_[\w-]{32}$/);
    const me = await get(`${API}/store`);
    assert.equal(me.statusCode, 200);
    assert.deepEqual(Object.keys(me.json()).sort(), ['createdAt', 'id', 'name', 'subdomain']);
    assert.equal(me.json().id, 'acme-shop');
    assert.equal((await get(`${API}/stores/acme-shop`)).json().name, 'Acme Shop');
  });

  test('restarting keeps the data and does not seed twice', async () => {
    await createOrder(server, keyHeaders(key));
    const before = await listStores(server);
    const serverSchemaVersion = await schemaVersion();
    server = await server.restart();
    assert.deepEqual(await listStores(server), before);
    const orders = await get(`${API}/stores/acme-shop/orders`);
    assert.equal(orders.json().data.length, 1);
    const version = await server
      .sandbox!.database.selectFrom('sandbox_meta')
      .select('value')
      .where('key', '=', 'schema_version')
      .executeTakeFirstOrThrow();
    assert.equal(version.value, '2');
    // The server's own migrations are untouched by the sandbox schema, and its file holds no sandbox table.
    assert.equal(await schemaVersion(), serverSchemaVersion);
    assert.deepEqual(await tableNames(server, 'sandbox'), [], 'the sandbox keeps its tables in its own file');
  });
});

describe('authentication', () => {
  test('no credential, a wrong key, a malformed Authorization, both at once', async () => {
    const none = await get(`${API}/stores/acme-shop/orders`, {});
    assertError(none, 401, 'unauthorized');
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="Demo Store"');
    assertError(await get(`${API}/stores/acme-shop/orders`, keyHeaders('dsk_wrong')), 401, 'unauthorized');
    assertError(await get(`${API}/stores/acme-shop/orders`, keyHeaders('')), 401, 'unauthorized');
    assertError(await get(`${API}/stores/acme-shop/orders`, { authorization: `Basic ${key}` }), 401, 'unauthorized');
    assertError(await get(`${API}/stores/acme-shop/orders`, { authorization: `Bearer ${key}` }), 401, 'token_invalid');
    assertError(
      await get(`${API}/stores/acme-shop/orders`, { ...keyHeaders(key), authorization: 'Bearer x' }),
      400,
      'bad_request',
    );
    assertError(await get(`${API}/store`, {}), 401, 'unauthorized');
  });

  test("another store's key is 403; an unknown store is 404; a malformed store id is 400", async () => {
    const other = await createStore(server, 'Second Shop', 'second-shop');
    for (const path of ['', '/orders', '/customers', '/webhooks', '/order-statuses']) {
      assertError(await get(`${API}/stores/${other.id}${path}`), 403, 'forbidden');
      assertError(await get(`${API}/stores/acme-shop${path}`, keyHeaders(other.apiKey)), 403, 'forbidden');
    }
    assertError(await send('POST', `${API}/stores/${other.id}/orders`, SAMPLE_ORDER), 403, 'forbidden');
    assertError(await get(`${API}/stores/no-such-store/orders`), 404, 'not_found');
    assertError(await get(`${API}/stores/Bad%20Id/orders`), 400, 'validation_failed');
    // Authentication comes before anything about the path.
    assertError(await get(`${API}/stores/no-such-store/orders`, {}), 401, 'unauthorized');
    // One store's order ids mean nothing in another.
    const order = await createOrder(server, keyHeaders(key));
    assertError(await get(`${API}/stores/${other.id}/orders/${order.id}`, keyHeaders(other.apiKey)), 404, 'not_found');
  });
});

describe('orders', () => {
  test('order statuses, for select options', async () => {
    const response = await get(`${API}/stores/acme-shop/order-statuses`);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json().data, [
      { value: 'pending', label: 'Pending' },
      { value: 'paid', label: 'Paid' },
      { value: 'fulfilled', label: 'Fulfilled' },
      { value: 'shipped', label: 'Shipped' },
      { value: 'cancelled', label: 'Cancelled' },
    ]);
  });

  test('create: numbered per store, total computed, customer found or created by email', async () => {
    const store = await createStore(server, 'Numbers', 'numbers');
    const headers = keyHeaders(store.apiKey);
    const first = await createOrder(server, headers, store.id);
    const full = (await get(`${API}/stores/${store.id}/orders/${first.id}`, headers)).json();
    assert.match(full.id, /^ord_[0-9a-f]{24}$/);
    assert.equal(full.number, 1001);
    assert.equal(full.status, 'pending');
    assert.equal(full.storeId, store.id);
    assert.equal(full.currency, 'USD');
    assert.equal(full.totalAmount, 2 * 1250 + 899);
    assert.deepEqual(full.items, [
      { name: 'Blue mug', sku: 'MUG-BLUE', quantity: 2, unitPrice: 1250 },
      { name: 'Tea', sku: null, quantity: 1, unitPrice: 899 },
    ]);
    assert.equal(full.customer.email, 'jane@example.com');
    assert.equal(full.note, null);
    assert.equal(full.createdAt, full.updatedAt);

    const second = await createOrder(server, headers, store.id, {
      ...SAMPLE_ORDER,
      customer: { email: 'JANE@example.com', name: 'Jane again' },
      currency: 'EUR',
      note: '  Gift wrap  ',
    });
    const secondFull = (await get(`${API}/stores/${store.id}/orders/${second.id}`, headers)).json();
    assert.equal(secondFull.number, 1002);
    assert.equal(secondFull.customer.id, full.customer.id, 'same customer, email matched case-insensitively');
    assert.equal(secondFull.currency, 'EUR');
    assert.equal(secondFull.note, 'Gift wrap');

    const byId = await createOrder(server, headers, store.id, {
      customerId: full.customer.id,
      items: [{ name: 'Pen', quantity: 3, unitPrice: 100 }],
    });
    assert.equal(byId.number, 1003);
    assert.equal(byId.totalAmount, 300);
    // Numbers are per store: Acme's sequence is separate.
    const acme = await createOrder(server, keyHeaders(key));
    assert.notEqual(acme.number, 1004);
  });

  test('create: bad input is a 400 naming the field, and stores nothing', async () => {
    const before = (await get(`${API}/stores/acme-shop/orders?limit=100`)).json().data.length;
    const item = { name: 'x', quantity: 1, unitPrice: 100 };
    const customer = { email: 'a@b.co', name: 'A' };
    const cases: [unknown, string][] = [
      [{}, 'items'],
      [{ customer, items: [] }, 'items'],
      [{ customer, items: [{ ...item, quantity: 0 }] }, 'items'],
      [{ customer, items: [{ ...item, quantity: 1.5 }] }, 'items'],
      [{ customer, items: [{ ...item, unitPrice: 12.5 }] }, 'items'],
      [{ customer, items: [{ ...item, unitPrice: -1 }] }, 'items'],
      [{ customer, items: [{ ...item, unitPrice: '100' }] }, 'items'],
      [{ customer, items: [{ ...item, name: '   ' }] }, 'items'],
      [{ customer, items: [{ ...item, color: 'red' }] }, 'items'],
      [{ customer, items: Array.from({ length: 51 }, () => item) }, 'items'],
      [{ items: [item] }, 'customer'],
      [{ customer, customerId: 'cus_x', items: [item] }, 'customer'],
      [{ customer: { email: 'not-an-email', name: 'A' }, items: [item] }, 'customer'],
      [{ customer: { email: 'a@b.co' }, items: [item] }, 'customer'],
      [{ customer, items: [item], currency: 'XYZ' }, 'currency'],
      [{ customer, items: [item], status: 'paid' }, ''],
      [{ customer, items: [item], note: 'x'.repeat(501) }, 'note'],
      [[], ''],
    ];
    for (const [payload, field] of cases) {
      const response = await send('POST', `${API}/stores/acme-shop/orders`, payload);
      assertError(response, 400, 'validation_failed');
      const issues = response.json().error.issues as { path: (string | number)[] }[];
      assert.ok(issues.length > 0);
      if (field)
        assert.ok(
          issues.some((issue) => issue.path[0] === field),
          `${JSON.stringify(payload)} → ${field}`,
        );
    }
    assertError(
      await send('POST', `${API}/stores/acme-shop/orders`, { customerId: 'cus_missing', items: [item] }),
      404,
      'not_found',
    );
    const malformed = await server.inject({
      method: 'POST',
      url: `${API}/stores/acme-shop/orders`,
      headers: { ...keyHeaders(key), 'content-type': 'application/json' },
      payload: '{"items":',
    });
    assertError(malformed, 400, 'bad_request');
    const form = await server.inject({
      method: 'POST',
      url: `${API}/stores/acme-shop/orders`,
      headers: { ...keyHeaders(key), 'content-type': 'text/plain' },
      payload: 'x',
    });
    assertError(form, 415, 'unsupported_media_type');
    assert.equal((await get(`${API}/stores/acme-shop/orders?limit=100`)).json().data.length, before);
  });

  test('get: 404 for an unknown id, 400 for a malformed one', async () => {
    assertError(await get(`${API}/stores/acme-shop/orders/ord_000000000000000000000000`), 404, 'not_found');
    assertError(await get(`${API}/stores/acme-shop/orders/${'x'.repeat(65)}`), 400, 'validation_failed');
  });

  test('list: newest first, paged with a cursor, filtered by status', async () => {
    const store = await createStore(server, 'Pager', 'pager');
    const headers = keyHeaders(store.apiKey);
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await createOrder(server, headers, store.id));
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `${API}/stores/${store.id}/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await get(url, headers)).json();
      assert.ok(page.data.length <= 2);
      seen.push(...page.data.map((order: { number: number }) => order.number));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(seen, created.map((order) => order.number).reverse());
    const all = (await get(`${API}/stores/${store.id}/orders`, headers)).json();
    assert.equal(all.data.length, 5);
    assert.equal(all.nextCursor, null);

    await send('PATCH', `${API}/stores/${store.id}/orders/${created[1]!.id}`, { status: 'paid' }, headers);
    const paid = (await get(`${API}/stores/${store.id}/orders?status=paid`, headers)).json();
    assert.deepEqual(
      paid.data.map((order: { id: string }) => order.id),
      [created[1]!.id],
    );
    for (const query of [
      'limit=0',
      'limit=101',
      'limit=abc',
      'status=lost',
      'cursor=%25%25',
      'cursor=bm9wZQ',
      'page=2',
    ]) {
      assertError(await get(`${API}/stores/${store.id}/orders?${query}`, headers), 400, 'validation_failed');
    }
  });

  test('status: forward steps (skipping allowed), cancel before shipping, unknown statuses are 400', async () => {
    const path = async () => `${API}/stores/acme-shop/orders/${(await createOrder(server, keyHeaders(key))).id}`;
    const order = await path();
    const paid = await send('PATCH', order, { status: 'paid' });
    assert.equal(paid.statusCode, 200, paid.body);
    assert.equal(paid.json().status, 'paid');
    assert.ok(paid.json().updatedAt >= paid.json().createdAt);
    assert.equal((await send('PATCH', order, { status: 'shipped' })).json().status, 'shipped');
    assert.equal((await get(order)).json().status, 'shipped');
    // Setting the same status again is a no-op, not an error.
    assert.equal((await send('PATCH', order, { status: 'shipped' })).statusCode, 200);
    assertError(await send('PATCH', order, { status: 'paid' }), 409, 'conflict');
    assertError(await send('PATCH', order, { status: 'cancelled' }), 409, 'conflict');

    const cancelled = await path();
    assert.equal((await send('PATCH', cancelled, { status: 'cancelled' })).json().status, 'cancelled');
    assertError(await send('PATCH', cancelled, { status: 'paid' }), 409, 'conflict');

    const fresh = await path();
    for (const payload of [
      { status: 'lost' },
      { status: 'PAID' },
      { status: '' },
      {},
      { status: 'paid', total: 1 },
      { status: 3 },
    ]) {
      const response = await send('PATCH', fresh, payload);
      assertError(response, 400, 'validation_failed');
      assert.deepEqual(
        response.json().error.issues[0].path.slice(0, 1),
        // An unknown field is reported at its own path.
        Object.keys(payload).length === 2 ? ['total'] : ['status'],
      );
    }
    assert.equal((await get(fresh)).json().status, 'pending');
    assertError(
      await send('PATCH', `${API}/stores/acme-shop/orders/ord_missing`, { status: 'paid' }),
      404,
      'not_found',
    );
  });
});

describe('customers', () => {
  test('create, list (paged, by email), get; duplicate emails and bad input are refused', async () => {
    const store = await createStore(server, 'Customers', 'customers');
    const headers = keyHeaders(store.apiKey);
    const url = `${API}/stores/${store.id}/customers`;
    const created = await send('POST', url, { email: 'ann@example.com', name: ' Ann ' }, headers);
    assert.equal(created.statusCode, 201, created.body);
    assert.match(created.json().id, /^cus_/);
    assert.equal(created.json().name, 'Ann');
    assertError(await send('POST', url, { email: 'ANN@example.com', name: 'Ann 2' }, headers), 409, 'conflict');
    for (const payload of [
      {},
      { email: 'x', name: 'X' },
      { email: 'b@example.com' },
      { email: 'b@example.com', name: 'B', vip: true },
    ]) {
      assertError(await send('POST', url, payload, headers), 400, 'validation_failed');
    }
    await send('POST', url, { email: 'bob@example.com', name: 'Bob' }, headers);
    await send('POST', url, { email: 'cy@example.com', name: 'Cy' }, headers);

    const first = (await get(`${url}?limit=2`, headers)).json();
    assert.equal(first.data.length, 2);
    assert.ok(first.nextCursor);
    const second = (await get(`${url}?limit=2&cursor=${first.nextCursor}`, headers)).json();
    assert.equal(second.data.length, 1);
    assert.equal(second.nextCursor, null);
    const emails = [...first.data, ...second.data].map((c: { email: string }) => c.email).sort();
    assert.deepEqual(emails, ['ann@example.com', 'bob@example.com', 'cy@example.com']);

    const byEmail = (await get(`${url}?email=BOB@example.com`, headers)).json();
    assert.deepEqual(
      byEmail.data.map((c: { name: string }) => c.name),
      ['Bob'],
    );
    const one = await get(`${url}/${created.json().id}`, headers);
    assert.equal(one.json().email, 'ann@example.com');
    assertError(await get(`${url}/cus_missing`, headers), 404, 'not_found');
    assertError(await get(`${url}?limit=1000`, headers), 400, 'validation_failed');
  });
});

describe('webhook subscriptions', () => {
  test('create returns the signing secret once; list omits it; get shows it; delete removes it', async () => {
    const url = `${API}/stores/acme-shop/webhooks`;
    const target = 'http://127.0.0.1:9/webhooks/65a1c0de0000000000000101/user-1';
    const created = await send('POST', url, { url: target, topic: 'order.created' });
    assert.equal(created.statusCode, 201, created.body);
    const hook = created.json();
    assert.match(hook.id, /^wh_/);
    assert.match(hook.secret, /^dswhsec_[\w-]{40,}$/);
    assert.equal(hook.url, target);
    assert.equal(hook.topic, 'order.created');
    assertError(await send('POST', url, { url: target, topic: 'order.created' }), 409, 'conflict');
    assert.equal((await send('POST', url, { url: target, topic: 'order.updated' })).statusCode, 201);

    const list = (await get(url)).json().data;
    assert.ok(list.some((h: { id: string }) => h.id === hook.id));
    assert.ok(list.every((h: object) => !('secret' in h)));
    assert.equal((await get(`${url}/${hook.id}`)).json().secret, hook.secret);

    const removed = await send('DELETE', `${url}/${hook.id}`);
    assert.equal(removed.statusCode, 204);
    assert.equal(removed.body, '');
    assertError(await send('DELETE', `${url}/${hook.id}`), 404, 'not_found');
    assertError(await get(`${url}/${hook.id}`), 404, 'not_found');
  });

  test('only absolute http(s) URLs without credentials, and known topics', async () => {
    const url = `${API}/stores/acme-shop/webhooks`;
    for (const payload of [
      { url: 'ftp://example.com/x', topic: 'order.created' },
      { url: 'javascript:alert(1)', topic: 'order.created' },
      { url: 'file:///etc/passwd', topic: 'order.created' },
      { url: '/relative', topic: 'order.created' },
      { url: 'http:/one-slash', topic: 'order.created' },
      { url: 'https://user:pass@example.com/x', topic: 'order.created' },
      { url: 'https://example.com/x#frag', topic: 'order.created' },
      { url: `https://example.com/${'a'.repeat(2050)}`, topic: 'order.created' },
      { url: 'https://example.com/x', topic: 'order.deleted' },
      { url: 'https://example.com/x' },
      { url: 'https://example.com/x', topic: 'order.created', secret: 'mine' },
    ]) {
      assertError(await send('POST', url, payload), 400, 'validation_failed');
    }
  });
});

describe('dashboard API and page', () => {
  /** The seeded store owner's session headers (cookie + CSRF token). */
  const owner = async (): Promise<Record<string, string>> => (await ownerSession(server)).headers;

  test('creating stores: 201 with a key, 409 for a taken subdomain, 400 for a bad one', async () => {
    const store = await createStore(server, '  Bits & Bobs ', 'Bits-And-Bobs');
    assert.equal(store.name, 'Bits & Bobs');
    assert.equal(store.subdomain, 'bits-and-bobs');
    assert.match(store.id, /^store_[0-9a-f]{12}$/);
    assert.equal((await get(`${API}/store`, keyHeaders(store.apiKey))).json().id, store.id);
    assertError(
      await server.inject({
        method: 'POST',
        url: `${ADMIN}/stores`,
        headers: await owner(),
        payload: { name: 'Dup', subdomain: 'bits-and-bobs' },
      }),
      409,
      'conflict',
    );
    for (const payload of [
      { name: 'X', subdomain: '-bad' },
      { name: 'X', subdomain: 'a_b' },
      { name: '', subdomain: 'ok' },
      { name: 'X' },
    ]) {
      assertError(
        await server.inject({ method: 'POST', url: `${ADMIN}/stores`, headers: await owner(), payload }),
        400,
        'validation_failed',
      );
    }
  });

  test('rotating a key stops the old one at once', async () => {
    const store = await createStore(server, 'Rotate', 'rotate');
    const rotated = await server.inject({
      method: 'POST',
      url: `${ADMIN}/stores/${store.id}/rotate-key`,
      headers: await owner(),
    });
    assert.equal(rotated.statusCode, 200);
    assert.notEqual(rotated.json().apiKey, store.apiKey);
    assertError(await get(`${API}/store`, keyHeaders(store.apiKey)), 401, 'unauthorized');
    assert.equal((await get(`${API}/store`, keyHeaders(rotated.json().apiKey))).statusCode, 200);
    assertError(
      await server.inject({ method: 'POST', url: `${ADMIN}/stores/nope/rotate-key`, headers: await owner() }),
      404,
      'not_found',
    );
  });

  test('answers only same-origin requests, without CORS headers', async () => {
    const crossSite = await server.inject({
      method: 'GET',
      url: `${ADMIN}/stores`,
      headers: { ...(await owner()), 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    });
    assertError(crossSite, 403, 'forbidden');
    assert.equal(crossSite.headers['access-control-allow-origin'], undefined);
    assertError(
      await server.inject({
        method: 'GET',
        url: `${ADMIN}/stores`,
        headers: { ...(await owner()), 'sec-fetch-site': 'same-site' },
      }),
      403,
      'forbidden',
    );
    assertError(
      await server.inject({
        method: 'POST',
        url: `${ADMIN}/stores`,
        headers: { ...(await owner()), origin: 'http://localhost.evil.example' },
        payload: { name: 'X', subdomain: 'x' },
      }),
      403,
      'forbidden',
    );
    const sameOrigin = await server.inject({
      method: 'GET',
      url: `${ADMIN}/stores`,
      headers: {
        ...(await owner()),
        'sec-fetch-site': 'same-origin',
        origin: new URL(server.ctx.publicUrl).origin,
      },
    });
    assert.equal(sameOrigin.statusCode, 200, sameOrigin.body);
    assert.equal(sameOrigin.headers['access-control-allow-origin'], undefined);
  });

  test('recent deliveries are listed per store', async () => {
    const response = await server.inject({
      method: 'GET',
      url: `${ADMIN}/stores/acme-shop/webhook-deliveries?limit=5`,
      headers: await owner(),
    });
    assert.equal(response.statusCode, 200);
    assert.ok(Array.isArray(response.json().data));
    assertError(
      await server.inject({ method: 'GET', url: `${ADMIN}/stores/nope/webhook-deliveries`, headers: await owner() }),
      404,
      'not_found',
    );
    assertError(
      await server.inject({
        method: 'GET',
        url: `${ADMIN}/stores/acme-shop/webhook-deliveries?limit=0`,
        headers: await owner(),
      }),
      400,
      'validation_failed',
    );
  });

  test('the page: HTML with a strict CSP, external script only, no referrer', async () => {
    for (const url of [`${STORE_PATH}/`, STORE_PATH]) {
      const page = await server.inject({ method: 'GET', url });
      assert.equal(page.statusCode, 200, url);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      const csp = String(page.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'/);
      assert.doesNotMatch(csp, /unsafe/);
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
      const scripts = page.body.match(/<script[^>]*>/g) ?? [];
      assert.ok(scripts.length > 0);
      assert.ok(
        scripts.every((tag) => /\ssrc="\/sandbox\/demo-store\/assets\//.test(tag)),
        'no inline script',
      );
      assert.doesNotMatch(page.body, /\son[a-z]+=/i, 'no inline event handlers');
    }
    const script = await server.inject({ method: 'GET', url: `${STORE_PATH}/assets/admin.js` });
    assert.equal(script.statusCode, 200);
    assert.match(String(script.headers['content-type']), /javascript/);
    assert.doesNotMatch(script.body, /innerHTML|insertAdjacentHTML|outerHTML|eval\(/);
    assert.equal((await server.inject({ method: 'GET', url: `${STORE_PATH}/assets/admin.html` })).statusCode, 404);
    assert.equal((await server.inject({ method: 'GET', url: `${STORE_PATH}/assets/../index.ts` })).statusCode, 404);
  });
});
