/**
 * Audit issue 13, item 16: per-IP rate limits (wrong API keys, Embedded Link opens and
 * redemptions, OAuth pages, unauthenticated pages, a global ceiling) answering 429
 * `rate_limited` with Retry-After, and weak pinned API keys refused at start-up.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createServer } from '../../src/server/app.js';
import {
  configFromEnv,
  DEFAULT_RATE_LIMITS,
  estimateKeyBits,
  type RateLimits,
} from '../../src/server/platform/config.js';
import { API_KEY as SDK_E2E_API_KEY } from '../e2e/sdk-harness.js';
import { BENCH_API_KEY } from '../bench/processes.js';
import { DEMO_API_KEY } from '../helpers/demo-harness.js';
import { apiKeyHeaders, startTestServer, TEST_API_KEY, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.dispose()));
});

async function serverWith(rateLimits: Partial<RateLimits>): Promise<TestServer> {
  const server = await startTestServer({ server: { rateLimits: { ...DEFAULT_RATE_LIMITS, ...rateLimits } } });
  servers.push(server);
  return server;
}

/** One request from `ip` (the limits key on the client's address). */
const from = (server: TestServer, ip: string, options: InjectOptions) =>
  server.app.inject({ remoteAddress: ip, ...options } as InjectOptions);

function assertLimited(response: LightMyRequestResponse, what: string): void {
  assert.equal(response.statusCode, 429, `${what}: ${response.body}`);
  assert.equal(response.json().error.code, 'rate_limited', what);
  assert.match(response.json().error.message, /retry in/i, what);
  const retryAfter = Number(response.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `${what}: Retry-After ${retryAfter}`);
}

describe('rate limits', () => {
  test('wrong API keys: past the limit the address gets 429, even with the right key; other addresses do not', async () => {
    const server = await serverWith({ authFailuresPerMinute: 3 });
    const users = { method: 'GET', url: '/2024-03/users' } as const;
    for (let i = 0; i < 3; i++) {
      const wrong = await from(server, '203.0.113.7', { ...users, headers: apiKeyHeaders(`ak_dev_guess_${i}`) });
      assert.equal(wrong.statusCode, 401, `guess ${i}`);
    }
    assertLimited(
      await from(server, '203.0.113.7', { ...users, headers: { authorization: 'Basic not-even-bearer' } }),
      'a fourth wrong key',
    );
    // Locked out: a correct guess now cannot be told apart from a wrong one.
    assertLimited(await from(server, '203.0.113.7', { ...users, headers: apiKeyHeaders() }), 'the right key');
    const elsewhere = await from(server, '198.51.100.1', { ...users, headers: apiKeyHeaders() });
    assert.equal(elsewhere.statusCode, 200, 'another address is not affected');
    // The same on routes that take either credential.
    assertLimited(
      await from(server, '203.0.113.7', { method: 'GET', url: '/2024-03/integrations', headers: apiKeyHeaders() }),
      'GET /integrations with a key',
    );
  });

  test('only failures count: a backend sending its right key is never limited by the failure limit', async () => {
    const server = await serverWith({ authFailuresPerMinute: 2 });
    for (let i = 0; i < 20; i++) {
      const ok = await from(server, '203.0.113.8', { method: 'GET', url: '/2024-03/users', headers: apiKeyHeaders() });
      assert.equal(ok.statusCode, 200, `request ${i}`);
    }
    // A request without any key is no guess either.
    for (let i = 0; i < 5; i++) {
      const anonymous = await from(server, '203.0.113.8', { method: 'GET', url: '/2024-03/users' });
      assert.equal(anonymous.statusCode, 401);
    }
    const still = await from(server, '203.0.113.8', { method: 'GET', url: '/2024-03/users', headers: apiKeyHeaders() });
    assert.equal(still.statusCode, 200);
  });

  test('Embedded Link opens and redemptions are limited per address, each on its own', async () => {
    const server = await serverWith({ linkPerMinute: 3 });
    for (let i = 0; i < 3; i++) {
      const opened = await from(server, '203.0.113.9', { method: 'GET', url: `/link/guess-${i}` });
      assert.equal(opened.statusCode, 303, `open ${i}`);
    }
    assertLimited(await from(server, '203.0.113.9', { method: 'GET', url: '/link/guess-4' }), 'a fourth link open');
    const origin = new URL(server.ctx.publicUrl).origin;
    const redeem = {
      method: 'POST',
      url: '/link/session',
      headers: { origin, cookie: 'alloy_link_session=x' },
    } as const;
    for (let i = 0; i < 3; i++) {
      assert.equal((await from(server, '203.0.113.9', redeem)).statusCode, 410, `redemption ${i}`);
    }
    assertLimited(await from(server, '203.0.113.9', redeem), 'a fourth redemption');
    assert.equal((await from(server, '203.0.113.10', { method: 'GET', url: '/link/guess' })).statusCode, 303);
  });

  test('the OAuth popup’s start and callback pages are limited per address', async () => {
    const server = await serverWith({ oauthPerMinute: 2 });
    for (const url of ['/oauth/start/guessed-session', '/oauth/callback?state=guessed&code=x']) {
      for (let i = 0; i < 2; i++) {
        const page = await from(server, '203.0.113.11', { method: 'GET', url });
        assert.ok([400, 404].includes(page.statusCode), `${url} ${i}: ${page.statusCode}`);
      }
      assertLimited(await from(server, '203.0.113.11', { method: 'GET', url }), url);
    }
  });

  test('the unauthenticated pages and documents are limited per address', async () => {
    const server = await serverWith({ pagesPerMinute: 2 });
    for (const url of [
      '/link',
      '/link/ended/used',
      '/link/link.js',
      '/pages/page.css',
      '/oauth/callback.js',
      '/reference',
      '/openapi.json',
      '/security/alloy_public_key.pem',
    ]) {
      for (let i = 0; i < 2; i++) {
        const page = await from(server, '203.0.113.12', { method: 'GET', url });
        assert.ok(page.statusCode < 429, `${url} ${i}: ${page.statusCode}`);
      }
      assertLimited(await from(server, '203.0.113.12', { method: 'GET', url }), url);
    }
  });

  test('a global ceiling per address covers every route, unknown paths included', async () => {
    const server = await serverWith({ globalPerMinute: 4 });
    for (let i = 0; i < 2; i++) {
      assert.equal((await from(server, '203.0.113.13', { method: 'GET', url: '/health' })).statusCode, 200);
      assert.equal((await from(server, '203.0.113.13', { method: 'GET', url: `/nothing-here-${i}` })).statusCode, 404);
    }
    assertLimited(await from(server, '203.0.113.13', { method: 'GET', url: '/health' }), '/health');
    assertLimited(await from(server, '203.0.113.13', { method: 'GET', url: '/nothing-here' }), 'an unknown path');
    assertLimited(
      await from(server, '203.0.113.13', { method: 'GET', url: '/2024-03/users', headers: apiKeyHeaders() }),
      'an API call with the right key',
    );
    assert.equal((await from(server, '198.51.100.2', { method: 'GET', url: '/health' })).statusCode, 200);
  });

  test('a limited widget call still carries CORS, so the SDK on another origin can read Retry-After', async () => {
    const server = await serverWith({ globalPerMinute: 1 });
    const call = {
      method: 'GET',
      url: '/2024-03/integrations',
      headers: { origin: 'https://isv-app.example', 'x-alloy-user-token': 'not.a.token' },
    } as const;
    await from(server, '203.0.113.14', call);
    const limited = await from(server, '203.0.113.14', call);
    assertLimited(limited, 'the second call');
    assert.equal(limited.headers['access-control-allow-origin'], 'https://isv-app.example');
    assert.equal(limited.headers['access-control-expose-headers'], 'retry-after, x-request-id');
    assert.match(String(limited.headers['x-request-id']), /^[\w-]{36}$/, 'a limited answer names its request too');
  });

  test('behind a configured proxy the limits key on X-Forwarded-For; from anyone else that header is ignored', async () => {
    const server = await startTestServer({
      server: { rateLimits: { ...DEFAULT_RATE_LIMITS, globalPerMinute: 2 }, trustProxy: ['10.0.0.1'] },
    });
    servers.push(server);
    const viaProxy = (client: string) =>
      from(server, '10.0.0.1', { method: 'GET', url: '/health', headers: { 'x-forwarded-for': client } });
    for (let i = 0; i < 2; i++) assert.equal((await viaProxy('198.51.100.20')).statusCode, 200);
    assertLimited(await viaProxy('198.51.100.20'), 'the third request of one client');
    assert.equal((await viaProxy('198.51.100.21')).statusCode, 200, 'another client behind the same proxy');
    // A client that is not the proxy cannot pick a fresh address per request.
    const spoofing = (i: number) =>
      from(server, '203.0.113.30', { method: 'GET', url: '/health', headers: { 'x-forwarded-for': `192.0.2.${i}` } });
    for (let i = 0; i < 2; i++) assert.equal((await spoofing(i)).statusCode, 200);
    assertLimited(await spoofing(3), 'a spoofed X-Forwarded-For');
    assert.deepEqual(configFromEnv({ ALLOY_TRUST_PROXY: '1' }, '/srv/app').trustProxy, 1);
    assert.deepEqual(configFromEnv({ ALLOY_TRUST_PROXY: '10.0.0.1, 10.1.0.0/16' }, '/srv/app').trustProxy, [
      '10.0.0.1',
      '10.1.0.0/16',
    ]);
    assert.equal(configFromEnv({}, '/srv/app').trustProxy, undefined);
    assert.throws(() => configFromEnv({ ALLOY_TRUST_PROXY: 'true' }, '/srv/app'), /ALLOY_TRUST_PROXY/);
  });

  test('limits come from the environment (whole numbers per minute) with generous defaults', () => {
    assert.deepEqual(configFromEnv({}, '/srv/app').rateLimits, DEFAULT_RATE_LIMITS);
    const config = configFromEnv(
      {
        ALLOY_RATE_LIMIT: '100000',
        ALLOY_RATE_LIMIT_AUTH_FAILURES: '5',
        ALLOY_RATE_LIMIT_LINKS: '7',
        ALLOY_RATE_LIMIT_OAUTH: '8',
        ALLOY_RATE_LIMIT_PAGES: '9',
      },
      '/srv/app',
    );
    assert.deepEqual(config.rateLimits, {
      globalPerMinute: 100_000,
      authFailuresPerMinute: 5,
      linkPerMinute: 7,
      oauthPerMinute: 8,
      pagesPerMinute: 9,
    });
    for (const value of ['0', '-1', '1.5', 'lots', '']) {
      assert.throws(
        () => configFromEnv({ ALLOY_RATE_LIMIT_LINKS: value }, '/srv/app'),
        /ALLOY_RATE_LIMIT_LINKS/,
        value,
      );
    }
  });
});

describe('pinned API keys must be strong', () => {
  const RANDOM_KEY = 'ak_dev_Qx7vN2kXw9pLr4TsYb8MzH3cJq5RfW1e';
  const WEAK = [
    ['sixteen chars ok', /at least 32 characters/],
    ['a'.repeat(40), /too guessable/],
    ['ab'.repeat(20), /too guessable/],
    ['0123456789abcdefghijklmnopqrstuvwxyz', /too guessable/],
    ['passwordpasswordpasswordpassword', /too guessable/],
    // The key the tests pinned before this rule: readable, and a run of digits.
    ['ak_dev_test_key_0123456789abcdef', /too guessable/],
  ] as const;

  test('ALLOY_API_KEY / ALLOY_PRODUCTION_API_KEY: at least 32 characters and about 128 bits, else start-up fails naming the variable', () => {
    for (const name of ['ALLOY_API_KEY', 'ALLOY_PRODUCTION_API_KEY']) {
      for (const [key, reason] of WEAK) {
        assert.throws(
          () => configFromEnv({ [name]: key }, '/srv/app'),
          (error: Error) => error.message.includes(name) && reason.test(error.message),
          `${name}=${key}`,
        );
      }
      assert.equal(
        configFromEnv({ [name]: RANDOM_KEY }, '/srv/app')[
          name === 'ALLOY_API_KEY' ? 'pinnedDevApiKey' : 'pinnedProdApiKey'
        ],
        RANDOM_KEY,
      );
    }
  });

  test('keys pinned in code are held to the same rule', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-weak-key-'));
    try {
      await assert.rejects(createServer({ dataDir, pinnedDevApiKey: 'a'.repeat(48) }), /ALLOY_API_KEY.*too guessable/);
      await assert.rejects(
        createServer({ dataDir, pinnedProdApiKey: 'short' }),
        /ALLOY_PRODUCTION_API_KEY.*32 characters/,
      );
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('random keys pass: generated ones, 32 hex characters, and every key the suites and bench pin', () => {
    for (const key of [TEST_API_KEY, DEMO_API_KEY, SDK_E2E_API_KEY, BENCH_API_KEY, RANDOM_KEY]) {
      assert.ok(estimateKeyBits(key) >= 128, `${key}: ${estimateKeyBits(key)}`);
      assert.doesNotThrow(() => configFromEnv({ ALLOY_API_KEY: key }, '/srv/app'), key);
    }
    assert.ok(estimateKeyBits('3f9c0b7e12d4a6f85c2e9b1d07a4c6e3') >= 128, 'openssl rand -hex 16');
  });
});
