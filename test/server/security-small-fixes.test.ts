/**
 * Security audit, issue 13 item 17: source maps (a), GET /users paging (b), link page sessions
 * (c; the sandbox's consent requests are in security-sandbox-bounds.test.ts), the webhook
 * receiver's answers (d) and who may reload the definitions (e).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_USERS_PAGE_SIZE } from '../../src/contract/index.js';
import { configFromEnv } from '../../src/server/platform/config.js';
import { MAX_LINK_PAGE_SESSIONS_PER_LINK } from '../../src/server/installs/link-pages.js';
import { rawRow } from '../helpers/engine.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Api, INTEGRATION_ID, STREAM_WORKFLOW_ID, UNKNOWN_ID, startApi } from './support.js';

describe('(a) source maps are not served unless configured', () => {
  let cdnDir: string;
  const servers: TestServer[] = [];
  before(() => {
    cdnDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-cdn-'));
    fs.writeFileSync(path.join(cdnDir, 'embedded.js'), 'void 0;\n//# sourceMappingURL=embedded.js.map\n');
    fs.writeFileSync(path.join(cdnDir, 'embedded.js.map'), '{"version":3,"sourcesContent":["secret source"]}');
  });
  after(async () => {
    for (const server of servers) await server.dispose();
    fs.rmSync(cdnDir, { recursive: true, force: true });
  });
  const get = (server: TestServer, url: string) => server.app.inject({ method: 'GET', url });

  test('by default the bundle is served and its map is a 404, however the name is spelled', async () => {
    const server = await startTestServer({ server: { cdnDir } });
    servers.push(server);
    assert.equal((await get(server, '/scripts/embedded.js')).statusCode, 200);
    for (const url of ['/scripts/embedded.js.map', '/scripts/embedded.js.MAP', '/scripts/embedded.js.m%61p']) {
      const response = await get(server, url);
      assert.equal(response.statusCode, 404, url);
      assert.doesNotMatch(response.body, /secret source/, url);
    }
  });

  test('ALLOY_SERVE_SOURCE_MAPS=1 serves them', async () => {
    assert.equal(configFromEnv({}, '/app').serveSourceMaps, false);
    assert.equal(configFromEnv({ ALLOY_SERVE_SOURCE_MAPS: '1' }, '/app').serveSourceMaps, true);
    assert.throws(() => configFromEnv({ ALLOY_SERVE_SOURCE_MAPS: 'yes' }, '/app'), /ALLOY_SERVE_SOURCE_MAPS/);
    const server = await startTestServer({ server: { cdnDir, serveSourceMaps: true } });
    servers.push(server);
    const map = await get(server, '/scripts/embedded.js.map');
    assert.equal(map.statusCode, 200);
    assert.match(map.body, /secret source/);
  });
});

let api: Api;
before(async () => {
  api = await startApi();
});
after(async () => {
  await api?.server.dispose();
});

describe('(b) GET /users pages by keyset', () => {
  test('limit and cursor walk every user once, in creation order; the last page has no nextCursor', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push(await api.createUser(`pager-${i}`, 'prod'));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const response = await api.call('GET', `/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: 'prod' });
      assert.equal(response.statusCode, 200, response.body);
      const page = response.json() as { data: { userId: string }[]; nextCursor?: string };
      assert.ok(page.data.length <= 2);
      seen.push(...page.data.map((u) => u.userId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== undefined && pages < 10);
    // Creation order, ties (same millisecond) by id: compared as sets, each user exactly once.
    assert.equal(seen.length, created.length);
    assert.deepEqual([...seen].sort(), [...created].sort());
    assert.equal(pages, 3);

    // Without paging parameters: the same `{data}` as before paging existed.
    const all = await api.call('GET', '/users', { key: 'prod' });
    assert.deepEqual(Object.keys(all.json()), ['data']);
    assert.deepEqual(
      all.json().data.map((u: { userId: string }) => u.userId),
      seen,
    );
  });

  test('the default page is 1000 users; more are reached through nextCursor', async () => {
    assert.equal(DEFAULT_USERS_PAGE_SIZE, 1000);
    for (let batch = 0; batch < 2; batch++) {
      const users = Array.from({ length: batch === 0 ? 1000 : 5 }, (_, i) => ({ username: `bulk-${batch}-${i}` }));
      const response = await api.call('POST', '/users/batch', { body: { users } });
      assert.equal(response.statusCode, 200, response.body);
    }
    const first = (await api.call('GET', '/users')).json() as { data: unknown[]; nextCursor?: string };
    assert.equal(first.data.length, 1000);
    assert.ok(first.nextCursor);
    const rest = (await api.call('GET', `/users?cursor=${first.nextCursor}`)).json() as {
      data: unknown[];
      nextCursor?: string;
    };
    assert.ok(rest.data.length >= 5);
    assert.equal(rest.nextCursor, undefined);
  });

  test('a bad limit or cursor is a 400; paging is documented in the OpenAPI document', async () => {
    for (const query of ['limit=0', 'limit=1001', 'limit=abc', 'cursor=', 'cursor=a%20b', 'cursor=bm90LWpzb24']) {
      const response = await api.call('GET', `/users?${query}`);
      assert.equal(response.statusCode, 400, query);
      assert.equal(response.json().error.code, 'validation_failed', query);
    }
    const forged = Buffer.from(JSON.stringify(['2020-01-01T00:00:00.000Z', 'not-an-id'])).toString('base64url');
    assert.equal((await api.call('GET', `/users?cursor=${forged}`)).statusCode, 400);
    const document = JSON.stringify(api.server.openApi());
    assert.match(document, /"name":"limit"/);
    assert.match(document, /"name":"cursor"/);
    assert.match(document, /nextCursor/);
  });
});

describe('(c) opening a link keeps a bounded number of page sessions', () => {
  test('200 opens of one link leave at most 10 sessions; the newest one still works', async () => {
    const userId = await api.createUser('link-opener');
    const link = (await api.call('GET', `/users/${userId}/integrations/${INTEGRATION_ID}/install-url`)).json() as {
      url: string;
    };
    const linkPath = new URL(link.url).pathname;
    let cookie = '';
    for (let i = 0; i < 200; i++) {
      const opened = await api.server.app.inject({ method: 'GET', url: linkPath });
      assert.equal(opened.statusCode, 303);
      cookie = String(opened.headers['set-cookie']).split(';')[0]!;
    }
    const { count } = (await rawRow<{ count: number }>(api.server, 'SELECT count(*) AS count FROM link_sessions'))!;
    assert.ok(count <= MAX_LINK_PAGE_SESSIONS_PER_LINK, `${count} sessions`);
    const session = await api.server.app.inject({
      method: 'POST',
      url: '/link/session',
      headers: { cookie, origin: new URL(api.server.ctx.publicUrl).origin },
    });
    assert.equal(session.statusCode, 200, session.body);
  });
});

describe('(d) the webhook receiver answers an unknown address as it answers a bad signature', () => {
  test('same status and body for no subscription and for a forged signature', async () => {
    const userId = await api.createUser('receiver-oracle');
    await api.installWithWidget(userId);
    const post = (to: string) =>
      fetch(api.url(to), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-demo-store-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
        },
        body: JSON.stringify({ topic: 'order.created', storeId: 'acme-shop', order: { id: 'o1' } }),
      });
    const subscribed = await post(`/webhooks/${STREAM_WORKFLOW_ID}/${userId}`);
    const unknown = await post(`/webhooks/${STREAM_WORKFLOW_ID}/${UNKNOWN_ID}`);
    assert.equal(subscribed.status, 401);
    assert.equal(unknown.status, subscribed.status);
    assert.deepEqual(await unknown.json(), await subscribed.json());
  });
});

describe('(e) only the production key reloads the definitions', () => {
  test('the development key gets 403 forbidden; the production key reloads', async () => {
    const dev = await api.call('POST', '/admin/definitions/reload');
    assert.equal(dev.statusCode, 403);
    assert.equal(dev.json().error.code, 'forbidden');
    const prod = await api.call('POST', '/admin/definitions/reload', { key: 'prod' });
    assert.equal(prod.statusCode, 200, prod.body);
  });
});
