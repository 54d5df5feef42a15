import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { OpenApiDocument } from '../../src/server/http/openapi.js';
import { renderReferencePage } from '../../src/server/http/reference-page.js';
import { type Api, EVENT_WORKFLOW_ID, INTEGRATION_ID, STREAM_WORKFLOW_ID, UNKNOWN_ID, startApi } from './support.js';

let api: Api;
let doc: OpenApiDocument;
let userId: string;
before(async () => {
  api = await startApi();
  userId = await api.createUser('contract-user');
  await api.installWithWidget(userId);
  doc = (await api.server.app.inject({ method: 'GET', url: '/openapi.json' })).json();
});
after(async () => {
  await api.server.dispose();
});

const PARAM_VALUES: Record<string, () => string> = {
  userId: () => userId,
  integrationId: () => INTEGRATION_ID,
  workflowId: () => EVENT_WORKFLOW_ID,
  credentialId: () => UNKNOWN_ID,
  executionId: () => UNKNOWN_ID,
  credentialName: () => 'demoStore',
  app: () => 'demoStore',
  deliveryId: () => 'msg_ffffffffffffffffffffffff',
  blockId: () => 'update-order-status',
  fieldName: () => 'status',
  sessionId: () => UNKNOWN_ID,
};

/** The path with the query parameters the operation requires, so only the part under test is wrong. */
function withRequiredQuery(path: string, names: string[]): string {
  if (names.length === 0) return path;
  return `${path}?${names.map((n) => `${n}=${encodeURIComponent(PARAM_VALUES[n]!())}`).join('&')}`;
}

function operations() {
  return Object.entries(doc.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase() as 'GET' | 'POST' | 'PUT' | 'DELETE',
      template,
      path: withRequiredQuery(
        template.replace(/\{(\w+)\}/g, (_, name: string) => PARAM_VALUES[name]!()),
        operation.parameters.filter((p) => p.in === 'query' && p.required).map((p) => p.name),
      ),
      operation,
    })),
  );
}

describe('the OpenAPI document', () => {
  test('is OpenAPI 3.1, generated from the route table, with every parameter and schema', () => {
    assert.equal(doc.openapi, '3.1.0');
    const all = operations();
    for (const { method, template, operation } of all) {
      const name = `${method} ${template}`;
      for (const param of template.match(/\{(\w+)\}/g) ?? []) {
        const declared = operation.parameters.find((p) => p.in === 'path' && `{${p.name}}` === param);
        assert.ok(declared, `${name} declares ${param}`);
      }
      const success = Object.entries(operation.responses).find(([status]) => Number(status) < 300);
      assert.ok(success?.[1].content?.['application/json'].schema, `${name} has a success schema`);
      assert.ok(operation.responses['400'] && operation.responses['401'] && operation.responses['500'], name);
      const url = `/_api${template.replace(/\{(\w+)\}/g, ':$1')}`;
      assert.ok(api.server.app.hasRoute({ method, url }), `${name} is a real route`);
    }
    const ids = all.map((o) => o.operation.operationId);
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    assert.ok(all.length >= 40, `${all.length} operations`);
  });

  test('request schemas are the strict contract schemas', () => {
    const runEvent = doc.paths['/run/event']!.post!;
    const schema = runEvent.requestBody!.content['application/json'].schema;
    assert.deepEqual(schema.required, ['event', 'userId', 'data']);
    assert.equal(schema.additionalProperties, false);
    assert.ok(runEvent.parameters.some((p) => p.name === 'Idempotency-Key' && p.in === 'header'));
    const logs = doc.paths['/workflows/{workflowId}/logs']!.get!;
    const limit = logs.parameters.find((p) => p.name === 'limit')!;
    assert.deepEqual([limit.in, limit.required, limit.schema.maximum], ['query', false, 30]);
    assert.deepEqual(doc.paths['/users/{userId}/token']!.get!.security, [{ apiKey: [] }]);
    assert.deepEqual(doc.paths['/integrations']!.get!.security, [{ apiKey: [] }, { userToken: [] }]);
    assert.ok(doc.paths['/widget/installations']!.post!.responses['201']);
  });
});

describe('the API reference page', () => {
  test('is server-rendered HTML listing every operation, with no scripts or outside assets', async () => {
    const response = await api.server.app.inject({ method: 'GET', url: '/reference' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.match(String(response.headers['content-security-policy']), /default-src 'none'/);
    const html = response.body;
    for (const { operation } of operations())
      assert.ok(html.includes(`id="${operation.operationId}"`), operation.operationId);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /\b(src|href)="(https?:)?\/\/(?!localhost)/i);
    assert.ok(html.includes('href="/openapi.json"'));
  });

  test('escapes every text it renders', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const html = renderReferencePage({
      ...doc,
      info: { ...doc.info, title: hostile, description: `\`${hostile}\`` },
      tags: [{ name: hostile }],
      paths: {
        '/x/{id}': {
          get: {
            operationId: '"><svg onload=alert(1)>',
            tags: [hostile],
            summary: hostile,
            description: hostile,
            security: [{ apiKey: [] }],
            parameters: [
              { name: hostile, in: 'query', required: false, description: hostile, schema: { type: 'string' } },
            ],
            responses: {
              '200': {
                description: hostile,
                content: {
                  'application/json': {
                    schema: { type: 'object', properties: { [hostile]: { type: 'string', description: hostile } } },
                  },
                },
              },
            },
          },
        },
      },
    });
    assert.doesNotMatch(html, /<img|<svg/);
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  });
});

describe('every endpoint', () => {
  test('refuses a missing or wrong credential with a 401 JSON error', async () => {
    for (const { method, path, operation } of operations()) {
      const name = `${method} ${path}`;
      const tokenOnly = operation.security.every((s) => 'userToken' in s);
      for (const key of ['none', 'wrong'] as const) {
        const response = await api.call(method, path, {
          key,
          body: method === 'GET' || method === 'DELETE' ? undefined : {},
        });
        assert.equal(response.statusCode, 401, `${name} with ${key} key`);
        const error = response.json().error;
        assert.equal(error.code, tokenOnly ? 'token_invalid' : 'unauthorized', name);
        assert.ok(error.message.length > 0);
      }
    }
  });

  test('keeps API-key routes and user-token routes apart', async () => {
    const token = await api.token(userId);
    for (const { method, path, operation } of operations()) {
      const keyOnly = operation.security.every((s) => 'apiKey' in s);
      const tokenOnly = operation.security.every((s) => 'userToken' in s);
      if (!keyOnly && !tokenOnly) continue;
      const response = keyOnly
        ? await api.call(method, path, { token, body: method === 'GET' || method === 'DELETE' ? undefined : {} })
        : await api.call(method, path, { key: 'dev', body: method === 'GET' || method === 'DELETE' ? undefined : {} });
      assert.equal(response.statusCode, 401, `${method} ${path} with the other credential`);
    }
  });

  test('refuses unknown fields in the query and the body', async () => {
    for (const { method, path, operation } of operations()) {
      const name = `${method} ${path}`;
      const token = operation.security.every((s) => 'userToken' in s) ? await api.token(userId) : undefined;
      // Every route refuses unknown query parameters (the widget's too), except the two whose
      // parameters are the connector's own pre-OAuth properties.
      const openQuery = ['getOAuthUrl', 'getLegacyOAuthRedirect'].includes(operation.operationId);
      if (!openQuery) {
        const response = await api.call(method, `${path}${path.includes('?') ? '&' : '?'}zzz=1`, {
          ...(token ? { token } : {}),
          body: operation.requestBody ? {} : undefined,
        });
        assert.equal(response.statusCode, 400, name);
        assert.ok(
          response.json().error.issues.some((i: { path: string[] }) => i.path[0] === 'zzz'),
          name,
        );
      }
      if (operation.requestBody) {
        const response = await api.call(method, path, { ...(token ? { token } : {}), body: { zzz: 1 } });
        assert.equal(response.statusCode, 400, name);
        assert.ok(
          response.json().error.issues.some((i: { path: string[] }) => i.path[0] === 'zzz'),
          name,
        );
      }
    }
  });

  test('another environment’s user is a 404 everywhere a user is named', async () => {
    const credentialId = await api.createCredential(userId);
    const requests: [string, string, unknown?][] = [
      ['GET', `/users/${userId}`],
      ['PUT', `/users/${userId}`, { fullName: 'x' }],
      ['DELETE', `/users/${userId}`],
      ['PUT', `/users/${userId}/deactivate-workflows`],
      ['GET', `/users/${userId}/token`],
      ['GET', `/user/${userId}/token`],
      ['GET', `/integrations?userId=${userId}`],
      ['GET', `/integrations/${INTEGRATION_ID}?userId=${userId}`],
      ['GET', `/installations?userId=${userId}`],
      ['GET', `/workflows?userId=${userId}`],
      ['GET', `/workflows/${STREAM_WORKFLOW_ID}?userId=${userId}`],
      ['PUT', '/workflows/activate', { userId, workflowId: STREAM_WORKFLOW_ID }],
      ['PUT', '/workflows/deactivate', { userId, workflowId: STREAM_WORKFLOW_ID }],
      ['PUT', `/workflows/${STREAM_WORKFLOW_ID}/upgrade?userId=${userId}`],
      ['DELETE', `/workflows/${STREAM_WORKFLOW_ID}?userId=${userId}`],
      ['GET', `/workflows/${STREAM_WORKFLOW_ID}/versions?userId=${userId}`],
      ['POST', '/run/event', { event: 'Fulfillment Updated', userId, data: { orderId: '1', status: 'x' } }],
      ['POST', '/run/workflow', { workflowId: STREAM_WORKFLOW_ID, userId, data: {} }],
      ['GET', `/workflows/${STREAM_WORKFLOW_ID}/logs?userId=${userId}`],
      ['GET', `/workflows/${STREAM_WORKFLOW_ID}/errors?userId=${userId}`],
      ['DELETE', `/users/${userId}/logs`],
      ['GET', `/users/${userId}/credentials`],
      ['GET', `/credentials/users/${userId}`],
      ['DELETE', `/users/${userId}/credentials/${credentialId}`],
      [
        'POST',
        '/headless/credentials',
        { userId, credential: { type: 'demoStore', data: { apiKey: 'sk_test_12345678', storeId: 'x' } } },
      ],
      ['GET', `/headless/oauthUrl?userId=${userId}&app=demoStore`],
      ['POST', '/headless/startInstallation', { userId, integrationId: INTEGRATION_ID }],
      ['GET', `/users/${userId}/integrations/${INTEGRATION_ID}/install-url`],
    ];
    for (const [method, path, body] of requests) {
      const response = await api.call(method as 'GET', path, { key: 'prod', body });
      assert.equal(response.statusCode, 404, `${method} ${path}`);
      assert.equal(response.json().error.code, 'not_found', `${method} ${path}`);
    }
    assert.equal((await api.call('GET', `/users/${userId}`)).statusCode, 200, 'the user is untouched');
  });

  test('a handler bug is a 500 with a request id and no stack trace', async () => {
    const original = api.server.ctx.users.list;
    api.server.ctx.users.list = () => {
      throw new Error('boom in /src/server/services/users.ts:42');
    };
    try {
      const response = await api.call('GET', '/users');
      assert.equal(response.statusCode, 500);
      assert.equal(response.json().error.code, 'internal');
      assert.ok(response.json().error.requestId);
      assert.doesNotMatch(response.body, /boom|\.ts|at /);
    } finally {
      api.server.ctx.users.list = original;
    }
  });

  test('bodies: wrong content type 415, malformed JSON 400, too large 413', async () => {
    const url = '/2024-03/run/event';
    const headers = { ...api.headersFor('dev') };
    const text = await api.server.app.inject({
      method: 'POST',
      url,
      headers: { ...headers, 'content-type': 'text/plain' },
      payload: 'x',
    });
    assert.equal(text.statusCode, 415);
    const malformed = await api.server.app.inject({
      method: 'POST',
      url,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: '{"event":',
    });
    assert.equal(malformed.statusCode, 400);
    const huge = await api.server.app.inject({
      method: 'POST',
      url,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({
        event: 'Fulfillment Updated',
        userId,
        data: { orderId: 'x'.repeat(1_100_000), status: 's' },
      }),
    });
    assert.equal(huge.statusCode, 413);
  });

  test('router failures have the JSON error shape too: malformed URL, overlong path segment', async () => {
    const malformed = await api.call('GET', '/users/%E0%A4%A');
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().error.code, 'bad_request');
    const long = await api.call('GET', `/users/${'x'.repeat(1001)}`);
    assert.equal(long.statusCode, 414);
    assert.equal(long.json().error.code, 'bad_request');
    assert.doesNotMatch(long.body, /_api/);
  });

  test('an unversioned API path explains how to send the version', async () => {
    const response = await api.server.app.inject({ method: 'GET', url: '/users', headers: api.headersFor('dev') });
    assert.equal(response.statusCode, 404);
    assert.match(response.json().error.message, /\/2024-03\/users.*x-api-version/);
    const header = await api.server.app.inject({
      method: 'GET',
      url: '/users',
      headers: { ...api.headersFor('dev'), 'x-api-version': '2025-09' },
    });
    assert.equal(header.statusCode, 200);
  });
});
