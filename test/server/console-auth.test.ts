/**
 * The ISV console's server side (notes/console-spec.md): first admin from the environment or the
 * one-time setup token, sign-in with its rate limit, the session cookie and its CSRF token, the
 * same-origin rule, the ISV endpoints again under /console/api/isv with the session as credential
 * (per environment), the API keys, and the pages served from the built dist/console.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { configFromEnv } from '../../src/server/platform/config.js';
import { CONSOLE_CSP, WRONG_CREDENTIALS } from '../../src/server/console/index.js';
import { upsertInstallation } from '../../src/server/installs/repository.js';
import { rawRows } from '../helpers/engine.js';
import {
  apiKeyHeaders,
  startTestServer,
  TEST_API_KEY,
  TEST_PRODUCTION_API_KEY,
  type TestServer,
} from '../helpers/server.js';

/** Cheap scrypt for tests (the option exists for this; nothing in the environment can lower it). */
const CHEAP = { consoleScryptCost: { N: 2 ** 10, r: 8, p: 1 } };
const PASSWORD = 'correct horse battery staple';
const COOKIE = 'alloy_console_session';

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});
const tempDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-console-'));
  tempDirs.push(dir);
  return dir;
};

/** The session cookie's value in a Set-Cookie answer. */
function cookieOf(response: LightMyRequestResponse): string {
  const header = String(response.headers['set-cookie']);
  const match = new RegExp(`^${COOKIE}=([^;]*)`).exec(header);
  assert.ok(match, `a session cookie: ${header}`);
  return match[1]!;
}

interface Session {
  cookie: string;
  csrf: string;
}

/** A request as the console page makes it: the session cookie, and the CSRF token on writes. */
function as(session: Session | undefined, options: InjectOptions & { env?: string }): InjectOptions {
  const { env, ...rest } = options;
  const write = !['GET', 'HEAD'].includes(String(rest.method ?? 'GET'));
  return {
    ...rest,
    headers: {
      ...(session ? { cookie: `${COOKIE}=${session.cookie}` } : {}),
      ...(session && write ? { 'x-alloy-csrf': session.csrf } : {}),
      ...(env ? { 'x-alloy-env': env } : {}),
      ...(rest.headers as Record<string, string> | undefined),
    },
  } as InjectOptions;
}

function assertError(response: LightMyRequestResponse, status: number, code: string, what: string): void {
  assert.equal(response.statusCode, status, `${what}: ${response.body}`);
  const body = response.json();
  assert.equal(body.error.code, code, what);
  assert.equal(body.message, body.error.message, `${what}: the one error shape`);
  assert.ok(response.headers['x-request-id'], `${what}: X-Request-Id`);
  assert.equal(response.headers['cache-control'], 'no-store', `${what}: no-store`);
}

describe('console: setup token, sign-in, sessions, the ISV API and keys', () => {
  let server: TestServer;
  let session: Session;
  const inject = (options: InjectOptions) => server.app.inject(options);
  const signIn = async (username: string, password: string, ip = '127.0.0.1') =>
    inject({ method: 'POST', url: '/console/api/session', payload: { username, password }, remoteAddress: ip });

  // dist/console stand-in, empty until the pages test builds it (the server reads it per request).
  const pagesDir = tempDir();

  before(async () => {
    // One proxy hop trusted: the https test sends X-Forwarded-Proto as a TLS-terminating proxy would.
    server = await startTestServer({ server: { sandbox: false, ...CHEAP, consoleDir: pagesDir, trustProxy: 1 } });
  });
  after(async () => {
    await server.dispose();
  });

  test('no admin: the session says setup-required and a setup token was made', async () => {
    assert.ok(server.consoleSetupToken && server.consoleSetupToken.length >= 40);
    const state = await inject({ method: 'GET', url: '/console/api/session' });
    assert.equal(state.statusCode, 200);
    assert.deepEqual(state.json(), { state: 'setup-required' });
    assert.equal(state.headers['cache-control'], 'no-store');
    assert.ok(state.headers['x-request-id']);
    // Only its digest is stored.
    const rows = await rawRows<{ token_hash: string }>(server, 'SELECT token_hash FROM console_setup_tokens');
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]!.token_hash, server.consoleSetupToken);
  });

  test('setup: a wrong token is 403, the right one makes the admin and signs in, a reuse is 403', async () => {
    const setup = (token: string, username = 'owner') =>
      inject({ method: 'POST', url: '/console/api/setup', payload: { token, username, password: PASSWORD } });
    assertError(await setup('not-the-token'), 403, 'forbidden', 'wrong token');
    const short = await inject({
      method: 'POST',
      url: '/console/api/setup',
      payload: { token: server.consoleSetupToken!, username: 'owner', password: 'too short' },
    });
    assertError(short, 400, 'validation_failed', 'a password under 12 characters');

    const done = await setup(server.consoleSetupToken!);
    assert.equal(done.statusCode, 200, done.body);
    const body = done.json();
    assert.equal(body.state, 'signed-in');
    assert.equal(body.username, 'owner');
    assert.ok(typeof body.csrfToken === 'string' && body.csrfToken.length >= 40);
    const expires = Date.parse(body.expiresAt) - Date.now();
    assert.ok(expires > 7.9 * 3600_000 && expires <= 8 * 3600_000, `8 h: ${body.expiresAt}`);
    session = { cookie: cookieOf(done), csrf: body.csrfToken };

    assertError(await setup(server.consoleSetupToken!, 'second'), 403, 'forbidden', 'the token again');
    const admins = await rawRows(server, 'SELECT username FROM console_admins');
    assert.deepEqual(admins, [{ username: 'owner' }]);
  });

  test('the session cookie: HttpOnly, SameSite=Strict, Path=/console, 8 h, Secure only over https; stored as a digest', async () => {
    const response = await signIn('owner', PASSWORD);
    assert.equal(response.statusCode, 200, response.body);
    const header = String(response.headers['set-cookie']);
    const value = cookieOf(response);
    assert.equal(Buffer.from(value, 'base64url').length, 32);
    const attributes = header.split(';').map((part) => part.trim());
    for (const expected of ['HttpOnly', 'SameSite=Strict', 'Path=/console', 'Max-Age=28800']) {
      assert.ok(attributes.includes(expected), `${expected} in ${header}`);
    }
    assert.ok(!attributes.includes('Secure'), 'not Secure over plain http');
    // Over https (behind a trusted proxy here) it is Secure.
    const overHttps = await inject({
      method: 'POST',
      url: '/console/api/session',
      headers: { 'x-forwarded-proto': 'https', host: 'console.test', origin: 'https://console.test' },
      payload: { username: 'owner', password: PASSWORD },
    });
    assert.equal(overHttps.statusCode, 200, overHttps.body);
    assert.match(String(overHttps.headers['set-cookie']), /; HttpOnly; SameSite=Strict; Secure$/);
    const rows = await rawRows<{ id_hash: string }>(server, 'SELECT id_hash FROM console_sessions');
    assert.ok(rows.every((row) => row.id_hash !== value && /^[0-9a-f]{64}$/.test(row.id_hash)));
  });

  test('sign-in: wrong password and unknown user get the same 401 message', async () => {
    const wrong = await signIn('owner', 'wrong password!!', '203.0.113.10');
    assertError(wrong, 401, 'unauthorized', 'wrong password');
    const unknown = await signIn('nobody', PASSWORD, '203.0.113.10');
    assertError(unknown, 401, 'unauthorized', 'unknown user');
    assert.equal(wrong.json().error.message, WRONG_CREDENTIALS);
    assert.equal(unknown.json().error.message, WRONG_CREDENTIALS);
    assert.equal(wrong.headers['set-cookie'], undefined);
  });

  test('sign-in: 5 failures from an address, then 429 with Retry-After even for the right password', async () => {
    const ip = '203.0.113.20';
    for (let i = 0; i < 5; i++)
      assertError(await signIn('owner', `wrong-${i}-password`, ip), 401, 'unauthorized', `try ${i}`);
    const limited = await signIn('owner', PASSWORD, ip);
    assertError(limited, 429, 'rate_limited', 'sixth try');
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter > 60 && retryAfter <= 900, `Retry-After ${retryAfter}`);
    assert.equal((await signIn('owner', PASSWORD, '203.0.113.21')).statusCode, 200, 'another address signs in');
  });

  test('GET session: signed-in with the cookie, signed-out without, with a wrong one, or once expired', async () => {
    const signedIn = await inject(as(session, { method: 'GET', url: '/console/api/session' }));
    assert.deepEqual(Object.keys(signedIn.json()).sort(), ['csrfToken', 'expiresAt', 'state', 'username']);
    assert.equal(signedIn.json().state, 'signed-in');
    assert.equal(signedIn.json().csrfToken, session.csrf);
    assert.deepEqual((await inject({ method: 'GET', url: '/console/api/session' })).json(), { state: 'signed-out' });
    const forged = await inject(
      as({ cookie: 'x'.repeat(43), csrf: '' }, { method: 'GET', url: '/console/api/session' }),
    );
    assert.deepEqual(forged.json(), { state: 'signed-out' });

    const later = await signIn('owner', PASSWORD);
    const aged = { cookie: cookieOf(later), csrf: later.json().csrfToken };
    await rawRows(
      server,
      'UPDATE console_sessions SET expires_at = ? WHERE csrf_token = ?',
      '2000-01-01T00:00:00.000Z',
      aged.csrf,
    );
    assert.deepEqual((await inject(as(aged, { method: 'GET', url: '/console/api/session' }))).json(), {
      state: 'signed-out',
    });
    assertError(await inject(as(aged, { method: 'GET', url: '/console/api/keys' })), 401, 'unauthorized', 'expired');
    // The next sign-in deletes expired sessions.
    await signIn('owner', PASSWORD);
    assert.deepEqual(await rawRows(server, 'SELECT id_hash FROM console_sessions WHERE csrf_token = ?', aged.csrf), []);
  });

  test('the ISV API under /console/api/isv: the session works, nothing else does', async () => {
    // As with the API key, the list is a user's view of the integrations: `userId` is required.
    const user = await inject(
      as(session, { method: 'POST', url: '/console/api/isv/2024-03/users', payload: { username: 'console-user' } }),
    );
    assert.equal(user.statusCode, 200, user.body);
    const noUser = await inject(as(session, { method: 'GET', url: '/console/api/isv/2024-03/integrations' }));
    const noUserWithKey = await inject({ method: 'GET', url: '/2024-03/integrations', headers: apiKeyHeaders() });
    assert.equal(noUser.statusCode, 400);
    assert.deepEqual(noUser.json().error.issues, noUserWithKey.json().error.issues, 'the same error as with the key');
    const withSession = await inject(
      as(session, { method: 'GET', url: '/console/api/isv/2024-03/integrations?userId=console-user' }),
    );
    assert.equal(withSession.statusCode, 200, withSession.body);
    assert.ok(Array.isArray(withSession.json().data));
    assert.equal(withSession.headers['cache-control'], 'no-store');
    // Undated too.
    assert.equal((await inject(as(session, { method: 'GET', url: '/console/api/isv/users' }))).statusCode, 200);

    assertError(
      await inject({ method: 'GET', url: '/console/api/isv/2024-03/integrations' }),
      401,
      'unauthorized',
      'no session',
    );
    assertError(
      await inject({ method: 'GET', url: '/console/api/isv/2024-03/integrations', headers: apiKeyHeaders() }),
      401,
      'unauthorized',
      'an API key alone',
    );
    // With the session, an Authorization header (even a wrong key) is not read at all.
    const ignored = await inject(
      as(session, {
        method: 'GET',
        url: '/console/api/isv/2024-03/users',
        headers: { authorization: 'Bearer ak_dev_wrong' },
      }),
    );
    assert.equal(ignored.statusCode, 200, ignored.body);
    // A user-token-only endpoint is not mounted there.
    const widget = await inject(as(session, { method: 'GET', url: '/console/api/isv/2024-03/widget/regions' }));
    assert.equal(widget.statusCode, 404, widget.body);
    assert.match(String(widget.headers['content-type']), /json/);
    // Nor does the console API show in the public document.
    const openApi = JSON.stringify(server.openApi());
    assert.ok(!openApi.includes('/console'), 'no /console path in /openapi.json');
  });

  test('CSRF: a write without the token or with a wrong one is 403; with it the write goes through', async () => {
    const put = (headers: Record<string, string>) =>
      inject({
        method: 'PUT',
        url: '/console/api/isv/2024-03/settings',
        headers: { cookie: `${COOKIE}=${session.cookie}`, ...headers },
        payload: { errorStreamUrl: 'https://errors.example.com/alloy' },
      });
    const missing = await put({});
    assertError(missing, 403, 'forbidden', 'no CSRF token');
    assert.equal(missing.json().error.message, 'CSRF token missing or wrong.');
    assertError(await put({ 'x-alloy-csrf': 'wrong' }), 403, 'forbidden', 'a wrong CSRF token');
    const ok = await put({ 'x-alloy-csrf': session.csrf });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().errorStreamUrl, 'https://errors.example.com/alloy');
    assertError(
      await inject({
        method: 'POST',
        url: '/console/api/keys/production',
        headers: { cookie: `${COOKIE}=${session.cookie}` },
      }),
      403,
      'forbidden',
      'keys without CSRF',
    );
  });

  test('Origin: the own origin passes, another one (or null) is 403; no CORS headers, preflights refused', async () => {
    const get = (origin: string) =>
      inject(
        as(session, { method: 'GET', url: '/console/api/session', headers: { origin, host: 'console.test:4000' } }),
      );
    assert.equal((await get('http://console.test:4000')).statusCode, 200);
    assertError(await get('https://evil.example'), 403, 'forbidden', 'foreign origin');
    assertError(await get('http://console.test:4001'), 403, 'forbidden', 'another port');
    assertError(await get('null'), 403, 'forbidden', 'null origin');
    const login = await inject({
      method: 'POST',
      url: '/console/api/session',
      headers: { origin: 'https://evil.example' },
      payload: { username: 'owner', password: PASSWORD },
    });
    assertError(login, 403, 'forbidden', 'sign-in from another origin');
    const isv = await inject(
      as(session, {
        method: 'GET',
        url: '/console/api/isv/2024-03/integrations',
        headers: { origin: 'https://evil.example' },
      }),
    );
    assertError(isv, 403, 'forbidden', 'ISV call from another origin');

    const preflight = await inject({
      method: 'OPTIONS',
      url: '/console/api/isv/2024-03/integrations',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    const answers = [preflight, isv, await get('http://console.test:4000')];
    for (const answer of answers) {
      const cors = Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'));
      assert.deepEqual(cors, [], `no CORS headers (${answer.statusCode})`);
    }
    assert.notEqual(preflight.statusCode, 204);
  });

  test('x-alloy-env: production and development are apart; another value is 400', async () => {
    const created = await inject(
      as(session, {
        method: 'POST',
        url: '/console/api/isv/2024-03/users',
        env: 'production',
        payload: { username: 'prod-only' },
      }),
    );
    assert.equal(created.statusCode, 200, created.body);
    const names = async (env: string) =>
      (await inject(as(session, { method: 'GET', url: '/console/api/isv/2024-03/users', env })))
        .json()
        .data.map((u: { username: string }) => u.username);
    assert.ok((await names('production')).includes('prod-only'));
    assert.ok(!(await names('development')).includes('prod-only'));
    const byDefault = await inject(as(session, { method: 'GET', url: '/console/api/isv/2024-03/users' }));
    assert.ok(!JSON.stringify(byDefault.json()).includes('prod-only'), 'development by default');
    const withProdKey = await inject({
      method: 'GET',
      url: '/2024-03/users',
      headers: apiKeyHeaders(TEST_PRODUCTION_API_KEY),
    });
    assert.ok(withProdKey.body.includes('prod-only'), 'the production API key sees it');
    assertError(
      await inject(as(session, { method: 'GET', url: '/console/api/isv/2024-03/users', env: 'staging' })),
      400,
      'bad_request',
      'an unknown environment',
    );
  });

  test('integrations: every definition with its install count in the environment, no user needed; session only', async () => {
    const list = async (env: string) => {
      const response = await inject(as(session, { method: 'GET', url: '/console/api/integrations', env }));
      assert.equal(response.statusCode, 200, response.body);
      return response.json().data as { integrationId: string; name: string; workflows: unknown[]; installs: number }[];
    };
    const before = await list('development');
    assert.ok(before.length > 0, 'the seed integration is listed');
    const [first] = before;
    assert.ok(first!.workflows.length > 0);
    // Two development users and one production user install it.
    const userIn = async (env: string, username: string) =>
      (
        await inject(as(session, { method: 'POST', url: '/console/api/isv/2024-03/users', env, payload: { username } }))
      ).json().userId as string;
    const now = new Date().toISOString();
    for (const [env, name] of [
      ['development', 'cat-a'],
      ['development', 'cat-b'],
      ['production', 'cat-c'],
    ] as const)
      await upsertInstallation(server.ctx.database, {
        id: `inst-${name}`,
        userId: await userIn(env, name),
        integrationId: first!.integrationId,
        now,
      });
    const count = async (env: string) =>
      (await list(env)).find((i) => i.integrationId === first!.integrationId)!.installs;
    assert.equal(await count('development'), first!.installs + 2);
    assert.equal(await count('production'), 1);
    assertError(await inject({ method: 'GET', url: '/console/api/integrations' }), 401, 'unauthorized', 'no session');
  });

  test('keys: listed for both environments; create/rotate returns a working key and refuses the old; revoke refuses all', async () => {
    const list = await inject(as(session, { method: 'GET', url: '/console/api/keys' }));
    assert.equal(list.statusCode, 200, list.body);
    const keys = list.json().keys as { env: string; active: boolean; hint?: string }[];
    assert.deepEqual(
      keys.map((k) => [k.env, k.active]),
      [
        ['development', true],
        ['production', true],
      ],
    );
    // Pinned at start, so the console knows their last four characters.
    assert.equal(keys[0]!.hint, TEST_API_KEY.slice(-4));
    assertError(
      await inject({ method: 'GET', url: '/console/api/keys' }),
      401,
      'unauthorized',
      'keys without a session',
    );

    const users = (key: string) => inject({ method: 'GET', url: '/2024-03/users', headers: apiKeyHeaders(key) });
    assert.equal((await users(TEST_API_KEY)).statusCode, 200);
    const rotated = await inject(as(session, { method: 'POST', url: '/console/api/keys/development' }));
    assert.equal(rotated.statusCode, 201, rotated.body);
    const { env, apiKey, hint, createdAt } = rotated.json();
    assert.equal(env, 'development');
    assert.equal(hint, apiKey.slice(-4));
    assert.ok(!Number.isNaN(Date.parse(createdAt)));
    assert.equal((await users(apiKey)).statusCode, 200, 'the new key works on the public API');
    assert.equal((await users(TEST_API_KEY)).statusCode, 401, 'the old key is refused');
    const listed = (await inject(as(session, { method: 'GET', url: '/console/api/keys' }))).json().keys[0];
    assert.deepEqual(listed, { env: 'development', active: true, hint, createdAt });
    assert.ok(!JSON.stringify(listed).includes(apiKey.slice(0, -4)), 'the key itself is never listed');

    const revoked = await inject(as(session, { method: 'DELETE', url: '/console/api/keys/development' }));
    assert.equal(revoked.statusCode, 204, revoked.body);
    assert.equal((await users(apiKey)).statusCode, 401, 'the revoked key is refused');
    assert.equal((await users(TEST_API_KEY)).statusCode, 401);
    assert.deepEqual((await inject(as(session, { method: 'GET', url: '/console/api/keys' }))).json().keys[0], {
      env: 'development',
      active: false,
    });
    // Production is untouched; an unknown environment is a 400.
    assert.equal((await users(TEST_PRODUCTION_API_KEY)).statusCode, 200);
    assertError(
      await inject(as(session, { method: 'POST', url: '/console/api/keys/staging' })),
      400,
      'validation_failed',
      'env',
    );
  });

  test('sign-out: CSRF needed, deletes the session and clears the cookie; the old cookie is refused', async () => {
    assertError(
      await inject({
        method: 'DELETE',
        url: '/console/api/session',
        headers: { cookie: `${COOKIE}=${session.cookie}` },
      }),
      403,
      'forbidden',
      'sign-out without CSRF',
    );
    const out = await inject(as(session, { method: 'DELETE', url: '/console/api/session' }));
    assert.equal(out.statusCode, 204);
    assert.match(
      String(out.headers['set-cookie']),
      new RegExp(`^${COOKIE}=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict`),
    );
    assert.deepEqual((await inject(as(session, { method: 'GET', url: '/console/api/session' }))).json(), {
      state: 'signed-out',
    });
    assertError(
      await inject(as(session, { method: 'GET', url: '/console/api/isv/2024-03/integrations' })),
      401,
      'unauthorized',
      'the old cookie on the ISV API',
    );
  });

  test('pages: /console/... answers index.html with the CSP, read at each request; 503 without a build', async () => {
    const dir = pagesDir;
    const pages = server;
    const missing = await pages.app.inject({ method: 'GET', url: '/console' });
    assert.equal(missing.statusCode, 503);
    assert.equal(missing.body, 'Console not built: run npm run build');
    assert.match(String(missing.headers['content-type']), /^text\/plain/);

    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(
      path.join(dir, 'index.html'),
      '<!doctype html><script type="module" src="/console/assets/console-Ab12Cd34.js"></script>',
    );
    fs.writeFileSync(path.join(dir, 'assets', 'console-Ab12Cd34.js'), 'export {};');
    for (const url of ['/console', '/console/', '/console/integrations', '/console/logs/exec_1', '/console/setup']) {
      const page = await pages.app.inject({ method: 'GET', url });
      assert.equal(page.statusCode, 200, url);
      assert.match(page.body, /console-Ab12Cd34\.js/);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.equal(page.headers['content-security-policy'], CONSOLE_CSP);
      assert.equal(page.headers['x-frame-options'], 'DENY');
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
      assert.equal(page.headers['cache-control'], 'no-store');
    }
    assert.equal(
      CONSOLE_CSP,
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    const asset = await pages.app.inject({ method: 'GET', url: '/console/assets/console-Ab12Cd34.js' });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers['content-type']), /^text\/javascript/);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    for (const url of [
      '/console/assets/nope.js',
      '/console/assets/..%2findex.html',
      '/console/assets/..%2f..%2fpackage.json',
    ]) {
      assert.equal((await pages.app.inject({ method: 'GET', url })).statusCode, 404, url);
    }
    // The API's unknown paths stay JSON 404s, never the page.
    const api = await pages.app.inject({ method: 'GET', url: '/console/api/nothing' });
    assert.equal(api.statusCode, 404);
    assert.equal(api.json().error.code, 'not_found');
  });
});

describe('console: the first admin from ALLOY_CONSOLE_PASSWORD', () => {
  test('configFromEnv reads and checks it; at start the admin exists, no setup token, an old token is refused', async () => {
    const env = { ALLOY_CONSOLE_PASSWORD: PASSWORD };
    const config = configFromEnv(env, tempDir());
    assert.equal(config.consolePassword, PASSWORD);
    assert.equal(config.consoleUsername, undefined);
    assert.throws(() => configFromEnv({ ALLOY_CONSOLE_PASSWORD: 'short' }, tempDir()), /ALLOY_CONSOLE_PASSWORD/);
    assert.throws(() => configFromEnv({ ALLOY_CONSOLE_USERNAME: 'has space' }, tempDir()), /ALLOY_CONSOLE_USERNAME/);
    assert.equal(configFromEnv({ ALLOY_CONSOLE_USERNAME: 'ops' }, tempDir()).consoleUsername, 'ops');

    const server = await startTestServer({
      server: { sandbox: false, ...CHEAP, consolePassword: config.consolePassword },
    });
    try {
      assert.equal(server.consoleSetupToken, undefined);
      const state = await server.app.inject({ method: 'GET', url: '/console/api/session' });
      assert.deepEqual(state.json(), { state: 'signed-out' });
      const signIn = await server.app.inject({
        method: 'POST',
        url: '/console/api/session',
        payload: { username: 'admin', password: PASSWORD },
      });
      assert.equal(signIn.statusCode, 200, signIn.body);
      assert.equal(signIn.json().username, 'admin');
      // A setup token left from before (an earlier start's, still unexpired) no longer works.
      const oldToken = 'an-earlier-start-printed-this-setup-token';
      await rawRows(
        server,
        'INSERT INTO console_setup_tokens (token_hash, created_at, expires_at) VALUES (?, ?, ?)',
        createHash('sha256').update(oldToken).digest('hex'),
        new Date().toISOString(),
        new Date(Date.now() + 3600_000).toISOString(),
      );
      const setup = await server.app.inject({
        method: 'POST',
        url: '/console/api/setup',
        payload: { token: oldToken, username: 'intruder', password: PASSWORD },
      });
      assertError(setup, 403, 'forbidden', 'a setup token once an admin exists');
      // Stored with the full memory-hard cost unless a test lowers it: here the lowered one.
      const [row] = await rawRows<{ password_hash: string }>(server, 'SELECT password_hash FROM console_admins');
      assert.match(row!.password_hash, /^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
    } finally {
      await server.dispose();
    }
  });
});
