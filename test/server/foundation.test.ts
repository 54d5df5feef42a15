import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { rawRow } from '../helpers/engine.js';
import { apiKeyHeaders, startTestServer, type TestServer } from '../helpers/server.js';

const INTEGRATION_ID = '65a1c0de0000000000000001';
const WORKFLOW_ID = '65a1c0de0000000000000101';
const FIELD = { workflowId: WORKFLOW_ID, blockId: 'stream-to-acmeco', name: 'referencePrefix' };

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.dispose();
});

const inject = (options: InjectOptions) => server.app.inject(options);

async function createUser(username: string): Promise<string> {
  const response = await inject({
    method: 'POST',
    url: '/2024-03/users',
    headers: apiKeyHeaders(),
    payload: { username },
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.json().userId;
}

async function tokenFor(userId: string): Promise<string> {
  const response = await inject({ method: 'GET', url: `/2024-03/users/${userId}/token`, headers: apiKeyHeaders() });
  assert.equal(response.statusCode, 200, response.body);
  return response.json().token;
}

describe('POST /users', () => {
  test('creates a user and returns a 24-hex userId', async () => {
    const userId = await createUser('alice@example.com');
    assert.match(userId, /^[0-9a-f]{24}$/);
  });

  test('a duplicate username is a 409 with a JSON error', async () => {
    await createUser('dupe');
    const response = await inject({
      method: 'POST',
      url: '/2024-03/users',
      headers: apiKeyHeaders(),
      payload: { username: 'dupe' },
    });
    assert.equal(response.statusCode, 409);
    assert.equal(response.json().error.code, 'conflict');
  });

  test('bad input is a 400 naming the field', async () => {
    for (const payload of [{}, { username: '' }, { username: 42 }, { username: 'x', extra: true }, []]) {
      const response = await inject({ method: 'POST', url: '/2024-03/users', headers: apiKeyHeaders(), payload });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      const error = response.json().error;
      assert.equal(error.code, 'validation_failed');
      assert.ok(Array.isArray(error.issues) && error.issues.length > 0);
    }
  });

  test('malformed JSON is a 400, another content type a 415, an oversize body a 413', async () => {
    const malformed = await inject({
      method: 'POST',
      url: '/2024-03/users',
      headers: { ...apiKeyHeaders(), 'content-type': 'application/json' },
      payload: '{"username":',
    });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().error.code, 'bad_request');
    const text = await inject({
      method: 'POST',
      url: '/2024-03/users',
      headers: { ...apiKeyHeaders(), 'content-type': 'text/plain' },
      payload: 'username=x',
    });
    assert.equal(text.statusCode, 415);
    const huge = await inject({
      method: 'POST',
      url: '/2024-03/users',
      headers: { ...apiKeyHeaders(), 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'x'.repeat(2 * 1024 * 1024) }),
    });
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().error.code, 'payload_too_large');
  });

  test('a prototype-pollution body is refused and Object.prototype stays clean', async () => {
    const response = await inject({
      method: 'POST',
      url: '/2024-03/users',
      headers: { ...apiKeyHeaders(), 'content-type': 'application/json' },
      payload: '{"username":"p","__proto__":{"polluted":true}}',
    });
    assert.equal(response.statusCode, 400);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('no key, a wrong key or a malformed header is a 401 JSON error; "bearer" in any case works', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic abc' }]) {
      const response = await inject({ method: 'POST', url: '/2024-03/users', headers, payload: { username: 'n' } });
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().error.code, 'unauthorized');
    }
    const lower = await inject({
      method: 'POST',
      url: '/2024-03/users',
      headers: { authorization: `bEaReR ${apiKeyHeaders().authorization!.split(' ')[1]}` },
      payload: { username: 'mixed-case-bearer' },
    });
    assert.equal(lower.statusCode, 200);
  });

  test('every dated prefix and the x-api-version header route to the same handler', async () => {
    for (const prefix of ['/2023-01', '/2023-06', '/2023-12', '/2022-09', '/2025-09']) {
      const response = await inject({
        method: 'POST',
        url: `${prefix}/users`,
        headers: apiKeyHeaders(),
        payload: { username: `v${prefix}` },
      });
      assert.equal(response.statusCode, 200, prefix);
    }
    const header = await inject({
      method: 'POST',
      url: '/users',
      headers: { ...apiKeyHeaders(), 'x-api-version': '2025-09' },
      payload: { username: 'header-form' },
    });
    assert.equal(header.statusCode, 200);
    const none = await inject({ method: 'POST', url: '/users', headers: apiKeyHeaders(), payload: { username: 'n2' } });
    assert.equal(none.statusCode, 404);
  });
});

describe('user tokens', () => {
  test('both token paths issue an HS256 JWT with exp, iat, sub, aud and iss, valid for one hour', async () => {
    const userId = await createUser('token-user');
    for (const path of [
      `/2024-03/users/${userId}/token`,
      `/2023-12/user/${userId}/token`,
      '/2024-03/users/token-user/token',
    ]) {
      const response = await inject({ method: 'GET', url: path, headers: apiKeyHeaders() });
      assert.equal(response.statusCode, 200, path);
      const token = response.json().token as string;
      assert.deepEqual(decodeProtectedHeader(token), { alg: 'HS256', typ: 'JWT' });
      const claims = decodeJwt(token);
      assert.equal(claims.sub, userId);
      assert.equal(claims.iss, 'alloy-embedded');
      assert.equal(claims.aud, 'alloy-embedded-widget:development');
      assert.equal(claims.exp! - claims.iat!, 3600);
    }
  });

  test('an unknown user is a 404', async () => {
    const response = await inject({ method: 'GET', url: '/2024-03/users/nobody-here/token', headers: apiKeyHeaders() });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error.code, 'not_found');
  });

  test('the widget API rejects forged, expired and algorithm-swapped tokens with the right code', async () => {
    const userId = await createUser('attacked');
    const secret = server.ctx.secrets.jwtSecret;
    const now = Math.floor(Date.now() / 1000);
    const base = () =>
      new SignJWT({}).setSubject(userId).setIssuer('alloy-embedded').setAudience('alloy-embedded-widget:development');
    const cases: [string, string, string][] = [
      [
        'expired',
        await base()
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuedAt(now - 7200)
          .setExpirationTime(now - 3600)
          .sign(secret),
        'token_expired',
      ],
      ['no exp', await base().setProtectedHeader({ alg: 'HS256' }).setIssuedAt(now).sign(secret), 'token_invalid'],
      [
        'future iat',
        await base()
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuedAt(now + 600)
          .setExpirationTime(now + 4000)
          .sign(secret),
        'token_invalid',
      ],
      [
        'wrong key',
        await base()
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuedAt(now)
          .setExpirationTime(now + 60)
          .sign(new Uint8Array(32)),
        'token_invalid',
      ],
      [
        'HS512',
        await base()
          .setProtectedHeader({ alg: 'HS512' })
          .setIssuedAt(now)
          .setExpirationTime(now + 60)
          .sign(new Uint8Array(64).fill(1)),
        'token_invalid',
      ],
      [
        'wrong audience',
        await new SignJWT({})
          .setSubject(userId)
          .setIssuer('alloy-embedded')
          .setAudience('other')
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuedAt(now)
          .setExpirationTime(now + 60)
          .sign(secret),
        'token_invalid',
      ],
      [
        'alg none',
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: userId, exp: now + 60, iat: now })).toString('base64url')}.`,
        'token_invalid',
      ],
      ['garbage', 'not-a-jwt', 'token_invalid'],
    ];
    for (const [name, token, code] of cases) {
      const response = await inject({
        method: 'GET',
        url: `/2024-03/widget/integrations/${INTEGRATION_ID}`,
        headers: { 'x-alloy-user-token': token },
      });
      assert.equal(response.statusCode, 401, name);
      assert.equal(response.json().error.code, code, name);
    }
  });
});

describe('integrations and installation', () => {
  test('GET /integrations?userId= has the documented shape and per-user state', async () => {
    const userId = await createUser('lister');
    const response = await inject({
      method: 'GET',
      url: `/2023-12/integrations?userId=${userId}`,
      headers: apiKeyHeaders(),
    });
    assert.equal(response.statusCode, 200);
    const [integration] = response.json().data;
    assert.equal(integration.integrationId, INTEGRATION_ID);
    assert.equal(integration.installed, false);
    assert.match(integration.icon, /^http:\/\/localhost(:\d+)?\/static\/icons\/demo-store\.svg$/);
    const [workflow] = integration.workflows;
    assert.deepEqual(Object.keys(workflow).sort(), [
      'active',
      'blocks',
      'installed',
      'installedVersion',
      'name',
      'version',
      'workflowId',
    ]);
    assert.equal(workflow.version, 1);
    assert.equal(workflow.installedVersion, null);
    assert.deepEqual(Object.keys(workflow.blocks[0]).sort(), ['icon', 'id', 'name', 'type']);
  });

  test('GET /integrations needs userId with an API key, and a known user', async () => {
    const missing = await inject({ method: 'GET', url: '/2024-03/integrations', headers: apiKeyHeaders() });
    assert.equal(missing.statusCode, 400);
    const unknown = await inject({
      method: 'GET',
      url: '/2024-03/integrations?userId=ghost',
      headers: apiKeyHeaders(),
    });
    assert.equal(unknown.statusCode, 404);
  });

  test('the modal flow: widget detail, install, then the ISV API and the user token both see it', async () => {
    const userId = await createUser('installer');
    const token = await tokenFor(userId);
    const detail = await inject({
      method: 'GET',
      url: `/2024-03/widget/integrations/${INTEGRATION_ID}`,
      headers: { 'x-alloy-user-token': token },
    });
    assert.equal(detail.statusCode, 200);
    assert.deepEqual(
      detail.json().fields.map((f: { name: string; type: string; required: boolean }) => [f.name, f.type, f.required]),
      [['referencePrefix', 'text', true]],
    );
    assert.equal(detail.json().installation, null);

    const install = await inject({
      method: 'POST',
      url: '/2024-03/widget/installations',
      headers: { 'x-alloy-user-token': token, 'idempotency-key': 'install-1' },
      payload: { integrationId: INTEGRATION_ID, values: [{ ...FIELD, value: 'DS-' }] },
    });
    assert.equal(install.statusCode, 201, install.body);
    const { installationId, workflowIds } = install.json();
    assert.match(installationId, /^[0-9a-f]{24}$/);
    // The seeded integration has the Quick Start's two workflows; installing it installs both.
    assert.deepEqual(workflowIds, [WORKFLOW_ID, '65a1c0de0000000000000102']);

    const viaKey = await inject({
      method: 'GET',
      url: `/2024-03/integrations?userId=${userId}`,
      headers: apiKeyHeaders(),
    });
    const wf = viaKey.json().data[0].workflows[0];
    assert.deepEqual(
      [viaKey.json().data[0].installed, wf.installed, wf.installedVersion, wf.active],
      [true, true, 1, true],
    );

    const viaToken = await inject({
      method: 'GET',
      url: '/2024-03/integrations',
      headers: { 'x-alloy-user-token': token },
    });
    assert.equal(viaToken.json().data[0].installed, true);

    const again = await inject({
      method: 'GET',
      url: `/2024-03/widget/integrations/${INTEGRATION_ID}`,
      headers: { 'x-alloy-user-token': token },
    });
    assert.equal(again.json().installation.installationId, installationId);
    const installedWorkflow = again.json().workflows.find((w: { workflowId: string }) => w.workflowId === WORKFLOW_ID);
    assert.deepEqual([installedWorkflow.installed, installedWorkflow.installedVersion], [true, 1]);
    assert.deepEqual(again.json().installation.values, [{ ...FIELD, value: 'DS-' }]);
  });

  test('one Idempotency-Key makes one installation; reusing it with another body is a 422', async () => {
    const userId = await createUser('double-clicker');
    const token = await tokenFor(userId);
    const send = (value: string) =>
      inject({
        method: 'POST',
        url: '/2024-03/widget/installations',
        headers: { 'x-alloy-user-token': token, 'idempotency-key': 'same-key' },
        payload: { integrationId: INTEGRATION_ID, values: [{ ...FIELD, value }] },
      });
    const [a, b] = await Promise.all([send('A-'), send('A-')]);
    assert.equal(a.statusCode, 201);
    assert.equal(b.statusCode, 201);
    assert.equal(a.json().installationId, b.json().installationId);
    const count = await rawRow<{ n: number }>(
      server,
      'SELECT COUNT(*) AS n FROM installations WHERE user_id = ?',
      userId,
    );
    assert.equal(count?.n, 1);
    const conflict = await send('B-');
    assert.equal(conflict.statusCode, 422);
    assert.equal(conflict.json().error.code, 'idempotency_conflict');
  });

  test('install input is checked against the definition: required, unknown field, wrong type, unknown ids', async () => {
    const token = await tokenFor(await createUser('validator'));
    const cases: [unknown, number][] = [
      [{ integrationId: INTEGRATION_ID, values: [] }, 400],
      [{ integrationId: INTEGRATION_ID, values: [{ ...FIELD, value: '   ' }] }, 400],
      [{ integrationId: INTEGRATION_ID, values: [{ ...FIELD, value: 7 }] }, 400],
      [{ integrationId: INTEGRATION_ID, values: [{ ...FIELD, value: 'has spaces' }] }, 400],
      [{ integrationId: INTEGRATION_ID, values: [{ ...FIELD, value: 'much-too-long-prefix' }] }, 400],
      [{ integrationId: INTEGRATION_ID, values: [{ ...FIELD, name: 'nope', value: 'x' }] }, 400],
      [{ integrationId: INTEGRATION_ID, workflowIds: ['ffffffffffffffffffffffff'], values: [] }, 400],
      [{ integrationId: 'ffffffffffffffffffffffff', values: [] }, 404],
      [{ integrationId: 'not-an-id', values: [] }, 400],
      [{ integrationId: INTEGRATION_ID }, 400],
    ];
    for (const [payload, status] of cases) {
      const response = await inject({
        method: 'POST',
        url: '/2024-03/widget/installations',
        headers: { 'x-alloy-user-token': token },
        payload: payload as object,
      });
      assert.equal(response.statusCode, status, JSON.stringify(payload));
      assert.ok(response.json().error.message.length > 0);
    }
  });

  test('users and tokens of one environment are invisible to the other', async () => {
    const userId = await createUser('dev-only');
    const prod = { authorization: `Bearer ${server.ctx.secrets.apiKeys.production}` };
    const byId = await inject({ method: 'GET', url: `/2024-03/users/${userId}/token`, headers: prod });
    assert.equal(byId.statusCode, 404);
    const list = await inject({ method: 'GET', url: `/2024-03/integrations?userId=dev-only`, headers: prod });
    assert.equal(list.statusCode, 404);
  });

  test('an unexpected failure is a 500 with a request id and no stack trace', async () => {
    const token = await tokenFor(await createUser('crash'));
    const original = server.ctx.integrations.widgetView;
    server.ctx.integrations.widgetView = () => {
      throw new Error('boom at /secret/path.ts:12');
    };
    try {
      const response = await inject({
        method: 'GET',
        url: `/2024-03/widget/integrations/${INTEGRATION_ID}`,
        headers: { 'x-alloy-user-token': token },
      });
      assert.equal(response.statusCode, 500);
      assert.equal(response.json().error.code, 'internal');
      assert.ok(response.json().error.requestId);
      assert.doesNotMatch(response.body, /boom|secret|\.ts/);
    } finally {
      server.ctx.integrations.widgetView = original;
    }
  });
});

describe("errors before there is a request (Node's HTTP parser)", () => {
  let listening: TestServer;
  before(async () => {
    listening = await startTestServer({ listen: true });
  });
  after(async () => {
    await listening.dispose();
  });

  /** Writes raw bytes on a fresh connection and reads until the server closes it. */
  const raw = (bytes: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const { port } = listening.app.server.address() as { port: number };
      const socket = net.connect(port, '127.0.0.1', () => socket.end(bytes));
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });

  // Found by the endpoint fuzzer: Fastify's default answer here was {"error":"...","statusCode":431}
  // without Connection: close, so a keep-alive client sent its next request into a dead socket.
  test('oversize headers are a 431 in the JSON error shape, and the connection says close', async () => {
    const answer = await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(20_000)}\r\n\r\n`);
    const [head, body] = answer.split('\r\n\r\n');
    assert.match(head!, /^HTTP\/1\.1 431 /);
    assert.match(head!, /\r\nConnection: close/i);
    assert.match(head!, /\r\nContent-Type: application\/json/i);
    assert.deepEqual(JSON.parse(body!), {
      message: 'The request headers are too large.',
      error: { code: 'bad_request', message: 'The request headers are too large.' },
    });
  });

  test('a request that is not HTTP is a 400 in the JSON error shape', async () => {
    const answer = await raw('NOT HTTP AT ALL\r\n\r\n');
    const [head, body] = answer.split('\r\n\r\n');
    assert.match(head!, /^HTTP\/1\.1 400 /);
    assert.equal(JSON.parse(body!).error.code, 'bad_request');
  });
});
