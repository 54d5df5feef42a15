/**
 * Audit issue 13, item 7: the demo backend holds the API key, so its API must answer the demo's own
 * pages only (same origin, signed in), never a page on another site.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { registerDemo } from '../../demo/backend.js';
import { rawRow } from '../helpers/engine.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { INTEGRATION_ID, STREAM_WORKFLOW_ID } from './support.js';

let server: TestServer;
let origin: string;

before(async () => {
  server = await startTestServer();
  await registerDemo(server.app, {
    apiBaseUrl: () => server.ctx.publicUrl,
    apiKey: server.ctx.secrets.apiKeys.development,
  });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  origin = new URL(server.ctx.publicUrl).origin;
});

after(async () => {
  await server.dispose();
});

const EVIL = 'https://evil.example';

function signIn(username: string, headers: Record<string, string> = { origin, 'sec-fetch-site': 'same-origin' }) {
  return server.app.inject({ method: 'POST', url: '/demo/api/session', headers, payload: { username } });
}

async function sessionCookie(username: string): Promise<string> {
  const response = await signIn(username);
  assert.equal(response.statusCode, 200, response.body);
  return String(response.headers['set-cookie']).split(';')[0]!;
}

/** Every route of the demo API but sign-in, with a valid body. */
const ROUTES = [
  { method: 'GET', url: '/demo/api/integrations' },
  {
    method: 'POST',
    url: '/demo/api/events',
    payload: { event: 'Fulfillment Updated', data: { orderId: 'ord_1', status: 'fulfilled' } },
    // Past the guard, an order AcmeCo never received is refused before anything is fired.
    signedInStatus: 400,
  },
  { method: 'GET', url: '/demo/api/orders' },
  { method: 'PUT', url: '/demo/api/workflows/deactivate', payload: { workflowId: STREAM_WORKFLOW_ID } },
  { method: 'GET', url: `/demo/api/logs?workflowId=${STREAM_WORKFLOW_ID}` },
  { method: 'POST', url: '/demo/api/links', payload: { integrationId: INTEGRATION_ID } },
  { method: 'GET', url: '/demo/api/inbox' },
  { method: 'DELETE', url: '/demo/api/inbox' },
] as const;

describe('the demo API answers the demo pages only', () => {
  test('a page on another origin cannot sign in, so it gets no user token and no session', async () => {
    for (const headers of [
      { origin: EVIL },
      { origin: EVIL, 'sec-fetch-site': 'cross-site' },
      // Host is the client's to choose: an Origin matching a forged Host proves nothing.
      { origin: EVIL, host: 'evil.example' },
      { origin, 'sec-fetch-site': 'cross-site' },
      { origin: 'null' },
      // A POST from a browser always carries Origin; one without is not the demo page.
      {},
    ]) {
      const response = await signIn('victim', headers as Record<string, string>);
      assert.equal(response.statusCode, 403, JSON.stringify(headers));
      assert.equal(response.json().error.code, 'forbidden');
      assert.equal(response.headers['set-cookie'], undefined);
      assert.equal(response.headers['access-control-allow-origin'], undefined);
      assert.ok(!response.body.includes('token'), 'no token in the refusal');
    }
    assert.equal(
      (await server.ctx.users.list('development')).data.some((u) => u.username === 'victim'),
      false,
      'nothing was created',
    );
  });

  test('sign-in starts an HttpOnly SameSite=Strict cookie session, answered with no-store', async () => {
    const response = await signIn('demo-carol');
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().username, 'demo-carol');
    assert.equal(response.json().token.split('.').length, 3);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.match(
      String(response.headers['set-cookie']),
      /^acmeco_session=[\w-]{43}; Path=\/demo; Max-Age=28800; HttpOnly; SameSite=Strict$/,
    );
    const again = await sessionCookie('demo-carol');
    assert.notEqual(again, String(response.headers['set-cookie']).split(';')[0], 'a new session id per sign-in');
  });

  test('every other route needs the session: without it 401, from another origin 403 even with it', async () => {
    const cookie = await sessionCookie('demo-dave');
    for (const route of ROUTES) {
      const what = `${route.method} ${route.url}`;
      const anonymous = await server.app.inject({ ...route, headers: { origin, 'sec-fetch-site': 'same-origin' } });
      assert.equal(anonymous.statusCode, 401, what);
      assert.equal(anonymous.json().error.code, 'unauthorized', what);

      const forged = await server.app.inject({ ...route, headers: { origin, cookie: 'acmeco_session=guessed' } });
      assert.equal(forged.statusCode, 401, `${what} with an unknown session`);

      for (const headers of [
        { origin: EVIL, cookie },
        { 'sec-fetch-site': 'cross-site', cookie },
        { 'sec-fetch-site': 'same-site', cookie },
      ]) {
        const crossSite = await server.app.inject({ ...route, headers });
        assert.equal(crossSite.statusCode, 403, `${what} ${JSON.stringify(headers)}`);
        assert.equal(crossSite.headers['access-control-allow-origin'], undefined, what);
      }

      const { signedInStatus, ...request } = route as typeof route & { signedInStatus?: number };
      const signedIn = await server.app.inject({
        ...request,
        headers: { origin, 'sec-fetch-site': 'same-origin', cookie },
      });
      if (signedInStatus !== undefined) assert.equal(signedIn.statusCode, signedInStatus, `${what}: ${signedIn.body}`);
      else assert.ok(signedIn.statusCode < 400 || signedIn.statusCode === 404, `${what}: ${signedIn.body}`);
      assert.equal(signedIn.headers['cache-control'], 'no-store', what);
    }
  });

  test('the routes act for the signed-in user only: no username in the request can name another', async () => {
    await sessionCookie('demo-victim');
    const cookie = await sessionCookie('demo-erin');
    const headers = { origin, 'sec-fetch-site': 'same-origin', cookie };
    const link = await server.app.inject({
      method: 'POST',
      url: '/demo/api/links',
      headers,
      payload: { username: 'demo-victim', integrationId: INTEGRATION_ID },
    });
    assert.equal(link.statusCode, 400, 'a username in the body is refused');
    const mine = await server.app.inject({
      method: 'POST',
      url: '/demo/api/links',
      headers,
      payload: { integrationId: INTEGRATION_ID },
    });
    assert.equal(mine.statusCode, 200, mine.body);
    assert.equal(mine.headers['cache-control'], 'no-store');
    const users = (await server.ctx.users.list('development')).data;
    const linksOf = async (username: string) =>
      (await rawRow<{ n: number }>(
        server,
        'SELECT COUNT(*) AS n FROM link_tokens WHERE user_id = ?',
        users.find((u) => u.username === username)!.userId,
      ))!;
    assert.equal((await linksOf('demo-erin')).n, 1);
    assert.equal((await linksOf('demo-victim')).n, 0);
  });

  test('an event naming an order AcmeCo never received is refused up front, saying what to do', async () => {
    const cookie = await sessionCookie('demo-gina');
    const headers = { origin, 'sec-fetch-site': 'same-origin', cookie };
    const fire = (orderId: unknown) =>
      server.app.inject({
        method: 'POST',
        url: '/demo/api/events',
        headers,
        payload: { event: 'Fulfillment Updated', data: { orderId, status: 'paid' } },
      });
    for (const orderId of ['1001', 'ord_0123456789abcdef01234567', 1001]) {
      const refused = await fire(orderId);
      assert.equal(refused.statusCode, 400, refused.body);
      assert.match(refused.json().error.message, /AcmeCo has received no orders from your Demo Store yet/);
      assert.deepEqual(refused.json().error.issues[0].path, ['data', 'orderId']);
    }
    const orders = await server.app.inject({ method: 'GET', url: '/demo/api/orders', headers });
    assert.deepEqual(orders.json(), { data: [] });
  });

  test('a same-origin GET without Origin (how browsers send it on plain http) is served with the session', async () => {
    const cookie = await sessionCookie('demo-frank');
    const response = await server.app.inject({ method: 'GET', url: '/demo/api/integrations', headers: { cookie } });
    assert.equal(response.statusCode, 200, response.body);
  });
});
