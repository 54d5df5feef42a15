import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { apiKeyHeaders, startTestServer, type TestServer } from '../helpers/server.js';

/**
 * alloy-node 2.2.1 throws `err.response.data.message`: every error answer must carry the top-level
 * `message` (the same text as `error.message`), whichever part of the server answers it.
 */

let server: TestServer;

before(async () => {
  server = await startTestServer({ listen: true });
});
after(async () => {
  await server.dispose();
});

const inject = (options: InjectOptions) => server.app.inject(options);

function assertErrorBody(body: unknown, status: number, code: string, what: string): void {
  const { message, error } = body as { message?: unknown; error?: { code?: unknown; message?: unknown } };
  assert.equal(typeof message, 'string', `${what} (${status}): top-level message`);
  assert.ok((message as string).length > 0, what);
  assert.equal(error?.message, message, `${what}: the same text as error.message`);
  assert.equal(error?.code, code, what);
}

describe('every error body carries a top-level message', () => {
  test('handler errors, validation, no route, router and parser failures', async () => {
    const cases: [string, InjectOptions, number, string][] = [
      [
        'ApiError (unknown user)',
        { method: 'GET', url: '/2023-01/users/ghost', headers: apiKeyHeaders() },
        404,
        'not_found',
      ],
      ['missing API key', { method: 'GET', url: '/2023-01/users' }, 401, 'unauthorized'],
      [
        'validation with issues',
        { method: 'POST', url: '/2023-01/users', headers: apiKeyHeaders(), payload: { nope: 1 } },
        400,
        'validation_failed',
      ],
      [
        'no route (404 handler)',
        { method: 'GET', url: '/2023-01/nowhere', headers: apiKeyHeaders() },
        404,
        'not_found',
      ],
      ['no route, unversioned', { method: 'GET', url: '/users' }, 404, 'not_found'],
      [
        'malformed URL (frameworkErrors)',
        { method: 'GET', url: '/2023-01/users/%E0%A4%A', headers: apiKeyHeaders() },
        400,
        'bad_request',
      ],
      [
        'path segment too long (frameworkErrors)',
        { method: 'GET', url: `/2023-01/users/${'u'.repeat(1001)}`, headers: apiKeyHeaders() },
        414,
        'bad_request',
      ],
      [
        'malformed JSON',
        {
          method: 'POST',
          url: '/2023-01/users',
          headers: { ...apiKeyHeaders(), 'content-type': 'application/json' },
          payload: '{"username":',
        },
        400,
        'bad_request',
      ],
      [
        'another content type',
        {
          method: 'POST',
          url: '/2023-01/users',
          headers: { ...apiKeyHeaders(), 'content-type': 'text/plain' },
          payload: 'username=x',
        },
        415,
        'unsupported_media_type',
      ],
      [
        'body too large',
        {
          method: 'POST',
          url: '/2023-01/users',
          headers: { ...apiKeyHeaders(), 'content-type': 'application/json' },
          payload: JSON.stringify({ username: 'x'.repeat(2 * 1024 * 1024) }),
        },
        413,
        'payload_too_large',
      ],
      [
        'link page session from another origin',
        { method: 'POST', url: '/link/session', headers: { origin: 'https://evil.example' } },
        403,
        'forbidden',
      ],
      [
        'sandbox commerce API',
        { method: 'GET', url: '/sandbox/demo-store/api/v1/store', headers: { authorization: 'Bearer nope' } },
        401,
        'token_invalid',
      ],
    ];
    for (const [what, options, status, code] of cases) {
      const response = await inject(options);
      assert.equal(response.statusCode, status, `${what}: ${response.body}`);
      assertErrorBody(response.json(), status, code, what);
    }
  });

  test('failures of Node’s HTTP parser (no request for Fastify yet) too', async () => {
    const address = server.app.server.address() as net.AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(address.port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assertErrorBody(JSON.parse(answer.split('\r\n\r\n')[1]!), 400, 'bad_request', 'client error');
  });

  test('the OpenAPI document requires it in ApiError', () => {
    const schema = server.openApi().components.schemas.ApiError!;
    assert.ok(schema.required?.includes('message'));
    assert.ok(schema.required?.includes('error'));
    assert.equal(schema.properties?.message?.type, 'string');
    assert.match(String(schema.properties?.message?.description), /alloy-node/);
  });
});

describe('an empty body is an empty body whatever its content type', () => {
  const userPut = async (userId: string, headers: Record<string, string>, payload?: string) =>
    inject({
      method: 'PUT',
      url: `/2023-01/users/${userId}/deactivate-workflows`,
      headers: { ...apiKeyHeaders(), ...headers },
      ...(payload === undefined ? {} : { payload }),
    });

  test('a bodyless PUT labelled form-urlencoded (axios, alloy-node disableAllWorkflows) is accepted', async () => {
    const created = await inject({
      method: 'POST',
      url: '/2023-01/users',
      headers: apiKeyHeaders(),
      payload: { username: 'pausing' },
    });
    const { userId } = created.json() as { userId: string };
    for (const contentType of ['application/x-www-form-urlencoded', 'text/plain', 'application/json']) {
      const response = await userPut(userId, { 'content-type': contentType, 'content-length': '0' });
      assert.equal(response.statusCode, 200, `${contentType}: ${response.body}`);
      assert.deepEqual(response.json(), { message: 'Success' });
    }
    const form = await userPut(userId, { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1');
    assert.equal(form.statusCode, 415, 'a non-empty non-JSON body is still refused');
    assertErrorBody(form.json(), 415, 'unsupported_media_type', 'form body');
  });

  test('an empty body where one is required is a validation error, not a parser error', async () => {
    const response = await inject({
      method: 'POST',
      url: '/2023-01/users',
      headers: { ...apiKeyHeaders(), 'content-type': 'application/x-www-form-urlencoded', 'content-length': '0' },
    });
    assert.equal(response.statusCode, 400, response.body);
    assert.equal(response.json().error.code, 'validation_failed');
  });
});
