import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { registerDemo } from '../../demo/backend.js';
import { TEST_API_KEY, apiKeyHeaders, startTestServer, type TestServer } from '../helpers/server.js';
import { urlOf } from './node-client-support.js';
import { INTEGRATION_ID } from './support.js';

let server: TestServer;

/** The demo API answers its own pages only: same origin, signed in. */
const demoHeaders = (cookie?: string) => ({
  origin: urlOf(server.app.server),
  'sec-fetch-site': 'same-origin',
  ...(cookie ? { cookie } : {}),
});
const sessionCookieOf = (response: { headers: Record<string, unknown> }) =>
  String(response.headers['set-cookie']).split(';')[0]!;

before(async () => {
  server = await startTestServer();
  // The demo backend calls the API over HTTP with the Node client, like any ISV backend.
  await registerDemo(server.app, { apiBaseUrl: () => urlOf(server.app.server), apiKey: TEST_API_KEY });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => {
  await server.dispose();
});

describe('the demo backend on the Node client', () => {
  test('a session creates the user once and hands out a fresh token each time', async () => {
    const first = await server.app.inject({
      method: 'POST',
      url: '/demo/api/session',
      headers: demoHeaders(),
      payload: { username: 'demo-ann' },
    });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().username, 'demo-ann');
    assert.equal(first.json().token.split('.').length, 3);
    const again = await server.app.inject({
      method: 'POST',
      url: '/demo/api/session',
      headers: demoHeaders(),
      payload: { username: 'demo-ann' },
    });
    assert.equal(again.statusCode, 200, 'a returning visitor (409 from the API) signs in too');
    assert.equal((await server.ctx.users.list('development')).data.filter((u) => u.username === 'demo-ann').length, 1);
  });

  test('integrations come from the API for the user; API errors keep their shape', async () => {
    const bob = sessionCookieOf(
      await server.app.inject({
        method: 'POST',
        url: '/demo/api/session',
        headers: demoHeaders(),
        payload: { username: 'demo-bob' },
      }),
    );
    const listed = await server.app.inject({ method: 'GET', url: '/demo/api/integrations', headers: demoHeaders(bob) });
    assert.equal(listed.statusCode, 200, listed.body);
    assert.deepEqual(
      listed.json().data.map((i: { integrationId: string; installed: boolean }) => [i.integrationId, i.installed]),
      [[INTEGRATION_ID, false]],
    );
    // The session outlives its user: the API's 404 comes through in its own shape.
    await server.app.inject({ method: 'DELETE', url: '/2024-03/users/demo-bob', headers: apiKeyHeaders() });
    const unknown = await server.app.inject({
      method: 'GET',
      url: '/demo/api/integrations',
      headers: demoHeaders(bob),
    });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, 'not_found');
  });

  test('a backend whose key is refused answers 502, not the API’s 401', async () => {
    const other = await startTestServer();
    try {
      await registerDemo(other.app, {
        apiBaseUrl: () => urlOf(other.app.server),
        apiKey: 'ak_dev_not_the_right_key_000000',
      });
      await other.app.listen({ port: 0, host: '127.0.0.1' });
      const response = await other.app.inject({
        method: 'POST',
        url: '/demo/api/session',
        headers: { origin: urlOf(other.app.server) },
        payload: { username: 'x' },
      });
      assert.equal(response.statusCode, 502);
      assert.equal(response.json().error.code, 'unauthorized');
    } finally {
      await other.dispose();
    }
  });
});
