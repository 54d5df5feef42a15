/**
 * Audit issue 13, item 14: CORS only for what the browser SDK calls with the user token (never for
 * API-key routes, never with `authorization` allowed), and `Cache-Control: no-store` on answers
 * that carry tokens, keys or secrets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { INTEGRATION_ID, PREFIX_FIELD, startApi, type Api } from './support.js';

const ORIGIN = 'https://isv-app.example';

let api: Api;
let userId: string;
let token: string;

before(async () => {
  api = await startApi();
  userId = await api.createUser('cors-user');
  token = await api.token(userId);
});

after(async () => {
  await api.server.dispose();
});

function preflight(url: string, method: string, headers: string) {
  return api.server.app.inject({
    method: 'OPTIONS',
    url,
    headers: { origin: ORIGIN, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });
}

const corsHeadersOf = (response: { headers: Record<string, unknown> }) =>
  Object.keys(response.headers).filter((name) => name.startsWith('access-control-'));

describe('CORS: the widget routes only', () => {
  test('API-key routes answer no CORS headers, and their preflights are refused', async () => {
    for (const [method, path] of [
      ['GET', `/users/${userId}/token`],
      ['GET', '/settings'],
      ['PUT', '/settings'],
      ['POST', '/users'],
      ['GET', `/users/${userId}/integrations/${INTEGRATION_ID}/install-url`],
      ['GET', '/integrations'],
    ] as const) {
      const answer = await api.call(method, path, { headers: { origin: ORIGIN } });
      assert.deepEqual(corsHeadersOf(answer), [], `${method} ${path} with an API key`);
      const refused = await preflight(`/2024-03${path.split('?')[0]}`, method, 'authorization, content-type');
      assert.equal(refused.statusCode, 404, `${method} ${path} preflight`);
      assert.deepEqual(corsHeadersOf(refused), [], `${method} ${path} preflight`);
    }
  });

  test('a preflight asking for authorization is refused on every route, widget routes included', async () => {
    for (const [method, path] of [
      ['GET', '/2024-03/integrations'],
      ['PUT', '/2024-03/workflows/activate'],
      ['GET', `/2024-03/widget/integrations/${INTEGRATION_ID}`],
      ['POST', '/2024-03/widget/installations'],
    ] as const) {
      const refused = await preflight(path, method, 'authorization, x-alloy-user-token');
      assert.equal(refused.statusCode, 404, `${method} ${path}`);
      assert.equal(refused.headers['access-control-allow-origin'], undefined, `${method} ${path}`);
    }
  });

  test('the SDK’s routes allow any origin with its headers, and expose Retry-After and X-Request-Id', async () => {
    for (const [method, path] of [
      ['GET', '/2024-03/integrations'],
      ['GET', '/2024-03/workflows'],
      ['PUT', '/2024-03/workflows/deactivate'],
      ['PUT', '/2024-03/workflows/activate'],
      ['GET', `/2024-03/widget/integrations/${INTEGRATION_ID}`],
      ['POST', '/2024-03/widget/installations'],
      ['POST', '/2024-03/widget/oauth/sessions'],
      // The header form of the version: its preflight is not rewritten.
      ['GET', `/widget/integrations/${INTEGRATION_ID}`],
    ] as const) {
      const allowed = await preflight(path, method, 'content-type, idempotency-key, x-alloy-user-token, x-api-version');
      assert.equal(allowed.statusCode, 204, `${method} ${path}`);
      assert.equal(allowed.headers['access-control-allow-origin'], ORIGIN, `${method} ${path}`);
      assert.equal(allowed.headers['access-control-allow-credentials'], undefined, 'never with cookies');
      const allowedHeaders = String(allowed.headers['access-control-allow-headers']).split(/,\s*/);
      assert.deepEqual(allowedHeaders.sort(), [
        'content-type',
        'idempotency-key',
        'x-alloy-user-token',
        'x-api-version',
      ]);
    }
    const listed = await api.call('GET', '/integrations', { token, headers: { origin: ORIGIN } });
    assert.equal(listed.statusCode, 200);
    assert.equal(listed.headers['access-control-allow-origin'], ORIGIN);
    assert.equal(listed.headers['access-control-expose-headers'], 'retry-after, x-request-id');
    const widget = await api.call('GET', `/widget/integrations/${INTEGRATION_ID}`, {
      token,
      headers: { origin: ORIGIN },
    });
    assert.equal(widget.headers['access-control-allow-origin'], ORIGIN);
    // The data routes a backend calls with its key stay without CORS.
    const withKey = await api.call('GET', `/integrations?userId=${userId}`, { headers: { origin: ORIGIN } });
    assert.equal(withKey.statusCode, 200);
    assert.equal(withKey.headers['access-control-allow-origin'], undefined);
  });

  test('the SDK files and the OpenAPI document stay readable from any origin', async () => {
    const openApi = await api.server.app.inject({ method: 'GET', url: '/openapi.json', headers: { origin: ORIGIN } });
    assert.equal(openApi.headers['access-control-allow-origin'], '*');
  });
});

describe('Cache-Control: no-store on answers with tokens, keys and secrets', () => {
  test('user token, install link, settings, credentials, widget answers', async () => {
    const created = await api.call('POST', '/headless/credentials', {
      body: { userId, credential: { type: 'demoStore', data: await api.storeCredential() } },
    });
    assert.equal(created.statusCode, 200, created.body);
    assert.equal(created.headers['cache-control'], 'no-store');
    const credentialId = created.json().credentialId as string;
    const installedBy = await api.call('POST', '/widget/installations', {
      token,
      body: { integrationId: INTEGRATION_ID, values: [{ ...PREFIX_FIELD, value: 'NS-' }] },
    });
    assert.equal(installedBy.statusCode, 201, installedBy.body);
    for (const [method, path, options] of [
      ['GET', `/users/${userId}/token`, {}],
      ['GET', `/user/${userId}/token`, {}],
      ['GET', `/users/${userId}/integrations/${INTEGRATION_ID}/install-url`, {}],
      ['GET', '/settings', {}],
      ['PUT', '/settings', { body: {} }],
      ['DELETE', `/users/${userId}/credentials/${credentialId}`, {}],
      ['GET', `/widget/integrations/${INTEGRATION_ID}/apps`, { token }],
      ['GET', '/integrations', { token }],
      // Refusals too: nothing under the API is cacheable.
      ['GET', '/settings', { key: 'wrong' }],
    ] as const) {
      const response = await api.call(method, path, options);
      assert.ok(response.statusCode < 500, `${method} ${path}: ${response.body}`);
      assert.equal(response.headers['cache-control'], 'no-store', `${method} ${path} (${response.statusCode})`);
    }
    assert.equal(installedBy.headers['cache-control'], 'no-store');
  });
});

describe('X-Request-Id on every response', () => {
  test('every kind of answer names its request; a sane incoming id is kept, anything else replaced', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const answers = [
      await api.call('GET', '/integrations', { token, headers: { origin: ORIGIN } }),
      await api.call('GET', `/widget/integrations/${INTEGRATION_ID}`, { token: 'not.a.token' }),
      await api.call('GET', '/no-such-route'),
      await api.server.app.inject({ method: 'GET', url: '/health' }),
      await api.server.app.inject({ method: 'GET', url: '/link/ended/used' }),
      await api.server.app.inject({ method: 'GET', url: '/2024-03/widget/integrations/%E0%A4%A' }),
      await preflight(`/2024-03/widget/integrations/${INTEGRATION_ID}`, 'GET', 'x-alloy-user-token'),
    ];
    assert.deepEqual(
      answers.map((answer) => answer.statusCode),
      [200, 401, 404, 200, 410, 400, 204],
    );
    const ids = answers.map((answer) => String(answer.headers['x-request-id']));
    for (const id of ids) assert.match(id, uuid);
    assert.equal(new Set(ids).size, ids.length, 'one id per request');

    const kept = await api.call('GET', '/integrations', { token, headers: { 'x-request-id': 'isv-trace.42:a_b-c' } });
    assert.equal(kept.headers['x-request-id'], 'isv-trace.42:a_b-c');
    for (const incoming of ['short', 'has space in it', 'x'.repeat(129), 'ünïcode-id-123', 'line\\nbreak-id']) {
      const replaced = await api.call('GET', '/integrations', { token, headers: { 'x-request-id': incoming } });
      assert.match(String(replaced.headers['x-request-id']), uuid, incoming);
    }
  });

  test('the OpenAPI document describes the header on every response', async () => {
    const doc = (await api.server.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      info: { description: string };
      paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>>;
      components: { headers: Record<string, { schema: unknown }> };
    };
    assert.ok(doc.components.headers.RequestId);
    assert.match(doc.info.description, /X-Request-Id/);
    const operation = doc.paths['/widget/integrations/{integrationId}']!.get!;
    for (const [status, response] of Object.entries(operation.responses)) {
      assert.deepEqual(response.headers, { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } }, status);
    }
  });
});
