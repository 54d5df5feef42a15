import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { configFromEnv, slowClientOptions } from '../../src/server/platform/config.js';
import { startApi } from './support.js';

test('the environment variables of the API are read and checked', () => {
  const config = configFromEnv(
    {
      ALLOY_DEFINITIONS_DIR: 'defs',
      ALLOY_ENCRYPTION_KEY: 'a'.repeat(64),
      ALLOY_LOG_RETENTION_DAYS: '30',
      ALLOY_INSTALLATION_WEBHOOK_URL: 'https://acme.example/installed',
      ALLOY_ERROR_STREAM_URL: 'http://localhost:9000/errors',
      ALLOY_PRODUCTION_API_KEY: 'ak_prod_cfg_4cBn5vnYShIaX8uK7bKmDCTNIuOBhyGJ',
    },
    '/srv/app',
  );
  assert.equal(config.definitionsDir, path.resolve('/srv/app', 'defs'));
  assert.equal(config.encryptionKey, 'a'.repeat(64));
  assert.equal(config.logRetentionDays, 30);
  assert.equal(config.installationWebhookUrl, 'https://acme.example/installed');
  assert.equal(config.errorStreamUrl, 'http://localhost:9000/errors');
  assert.equal(config.pinnedProdApiKey, 'ak_prod_cfg_4cBn5vnYShIaX8uK7bKmDCTNIuOBhyGJ');
  assert.equal(configFromEnv({}, '/srv/app').logRetentionDays, 60);
  for (const env of [
    { ALLOY_HEADERS_TIMEOUT_MS: '0' },
    { ALLOY_REQUEST_TIMEOUT_MS: '30s' },
    { ALLOY_IDLE_TIMEOUT_MS: '-1' },
    { ALLOY_LOG_RETENTION_DAYS: '0' },
    { ALLOY_LOG_RETENTION_DAYS: 'forever' },
    { ALLOY_ERROR_STREAM_URL: 'http://acme.example/errors' },
    { ALLOY_INSTALLATION_WEBHOOK_URL: 'not a url' },
    { ALLOY_PRODUCTION_API_KEY: 'short' },
  ]) {
    assert.throws(() => configFromEnv(env, '/srv/app'), /Invalid environment/, JSON.stringify(env));
  }
});

test('ALLOY_PRODUCTION_API_KEY pins the production key', async () => {
  const key = 'ak_prod_pinned_JRoqzJRY7NbjcsPskQnpRwi3Pu9c09Ok';
  const api = await startApi({ server: { pinnedProdApiKey: key } });
  try {
    assert.equal(api.server.ctx.secrets.apiKeys.production, key);
    const response = await api.server.app.inject({
      method: 'POST',
      url: '/2024-03/users',
      headers: { authorization: `Bearer ${key}` },
      payload: { username: 'pinned-prod' },
    });
    assert.equal(response.statusCode, 200);
    assert.equal((await api.call('GET', '/users/pinned-prod')).statusCode, 404, 'not a development user');
  } finally {
    await api.server.dispose();
  }
});

test('slow-client bounds: defaults, environment, and a headers bound longer than the request bound refused', () => {
  const defaults = configFromEnv({}, '/srv/app');
  assert.deepEqual(
    [defaults.headersTimeoutMs, defaults.requestTimeoutMs, defaults.idleTimeoutMs],
    [10_000, 30_000, 60_000],
  );
  const tuned = configFromEnv(
    { ALLOY_HEADERS_TIMEOUT_MS: '2000', ALLOY_REQUEST_TIMEOUT_MS: '5000', ALLOY_IDLE_TIMEOUT_MS: '9000' },
    '/srv/app',
  );
  assert.deepEqual([tuned.headersTimeoutMs, tuned.requestTimeoutMs, tuned.idleTimeoutMs], [2000, 5000, 9000]);
  // Node checks the bounds on a timer; it must run often enough not to stretch them.
  assert.deepEqual(slowClientOptions(tuned), {
    headersTimeout: 2000,
    requestTimeout: 5000,
    connectionsCheckingInterval: 500,
  });
  assert.equal(slowClientOptions(defaults).connectionsCheckingInterval, 1000);
  assert.throws(() => slowClientOptions({ headersTimeoutMs: 6000, requestTimeoutMs: 5000 }), /cannot be longer/);
});

test('ALLOY_BRAND_NAME and ALLOY_BRAND_LOGO_URL: read, validated, and the entry point’s defaults', () => {
  assert.deepEqual(configFromEnv({}, '/srv/app').brand, { name: undefined, logoUrl: undefined });
  assert.deepEqual(
    configFromEnv({ ALLOY_BRAND_NAME: 'AcmeCo', ALLOY_BRAND_LOGO_URL: 'https://cdn.acme.example/logo.svg' }, '/srv/app')
      .brand,
    { name: 'AcmeCo', logoUrl: 'https://cdn.acme.example/logo.svg' },
  );
  assert.equal(
    configFromEnv({ ALLOY_BRAND_LOGO_URL: '/demo/acmeco-logo.svg' }, '/srv/app').brand.logoUrl,
    '/demo/acmeco-logo.svg',
  );
  const demo = configFromEnv({ ALLOY_BRAND_NAME: 'Globex' }, '/srv/app', {
    brand: { name: 'AcmeCo', logoUrl: '/demo/acmeco-logo.svg' },
  });
  assert.deepEqual(demo.brand, { name: 'Globex', logoUrl: '/demo/acmeco-logo.svg' }, 'the environment wins');
  for (const env of [
    { ALLOY_BRAND_NAME: '' },
    { ALLOY_BRAND_NAME: ' AcmeCo' },
    { ALLOY_BRAND_NAME: 'Acme\nCo' },
    { ALLOY_BRAND_NAME: 'x'.repeat(101) },
    { ALLOY_BRAND_LOGO_URL: 'http://cdn.acme.example/logo.svg' },
    { ALLOY_BRAND_LOGO_URL: 'javascript:alert(1)' },
    { ALLOY_BRAND_LOGO_URL: '//evil.example/logo.svg' },
    { ALLOY_BRAND_LOGO_URL: 'logo.svg' },
  ]) {
    assert.throws(() => configFromEnv(env, '/srv/app'), /Invalid environment: ALLOY_BRAND_/, JSON.stringify(env));
  }
});
