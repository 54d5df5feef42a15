import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rawRows, TEST_ENGINE } from '../helpers/engine.js';
import { type Api, INTEGRATION_ID, UNKNOWN_ID, startApi } from './support.js';

let api: Api;
before(async () => {
  api = await startApi({
    listen: true,
    server: { installationWebhookUrl: 'https://acme.example/hooks/installed' },
  });
});
after(async () => {
  await api.server.dispose();
});

const DAY = 24 * 60 * 60 * 1000;

describe('GET /users/:userId/integrations/:integrationId/install-url', () => {
  test('a link on this server that expires in 7 days by default; the token is stored only as a hash', async () => {
    const userId = await api.createUser('linked');
    const before = Date.now();
    const response = await api.call('GET', `/users/${userId}/integrations/${INTEGRATION_ID}/install-url`);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-store');
    const { url, expiresAt } = response.json();
    assert.deepEqual(Object.keys(response.json()).sort(), ['expiresAt', 'url']);
    assert.ok(url.startsWith(`${api.server.ctx.publicUrl}/link/`), url);
    const token = url.split('/link/')[1];
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    const expiry = Date.parse(expiresAt);
    assert.ok(expiry >= before + 7 * DAY && expiry <= Date.now() + 7 * DAY);

    if (TEST_ENGINE === 'postgres') {
      // No file to read: the token is in no column of the link's row.
      const rows = await rawRows(api.server, 'SELECT * FROM link_tokens WHERE user_id = ?', userId);
      assert.equal(rows.length, 1);
      const stored = Object.values(rows[0]!).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v))));
      assert.ok(!Buffer.concat(stored).includes(token));
    } else {
      api.server.db.pragma('wal_checkpoint(TRUNCATE)');
      assert.ok(!fs.readFileSync(path.join(api.server.dataDir, 'alloy.db')).includes(token));
    }
    const state = await api.server.ctx.links.inspect(token);
    assert.deepEqual(state, { ok: true, userId, env: 'development', integrationId: INTEGRATION_ID, expiresAt });
  });

  test('expiresIn sets the lifetime; the link works once and not after it expires', async () => {
    const userId = await api.createUser('linked-once');
    const response = await api.call(
      'GET',
      `/users/linked-once/integrations/${INTEGRATION_ID}/install-url?expiresIn=3600`,
    );
    const { url, expiresAt } = response.json();
    const expiry = Date.parse(expiresAt);
    assert.ok(Math.abs(expiry - (Date.now() + 3600_000)) < 60_000);
    const token = url.split('/link/')[1];
    const links = api.server.ctx.links;
    assert.equal((await links.inspect(token, new Date(expiry + 1).toISOString())).ok, false);
    assert.deepEqual(await links.redeem(token), {
      ok: true,
      userId,
      env: 'development',
      integrationId: INTEGRATION_ID,
      expiresAt,
    });
    assert.deepEqual(await links.redeem(token), { ok: false, reason: 'used' });
    assert.deepEqual(await links.inspect(token), { ok: false, reason: 'used' });
    assert.deepEqual(await links.inspect('not-a-token'), { ok: false, reason: 'unknown' });

    const second = await api.call('GET', `/users/${userId}/integrations/${INTEGRATION_ID}/install-url?expiresIn=60`);
    const other = second.json().url.split('/link/')[1];
    assert.deepEqual(await links.redeem(other, new Date(Date.now() + 61_000).toISOString()), {
      ok: false,
      reason: 'expired',
    });
  });

  test('bad input: expiry out of range, unknown user or integration, another tenant, no key', async () => {
    const userId = await api.createUser('link-bad');
    const url = `/users/${userId}/integrations/${INTEGRATION_ID}/install-url`;
    for (const query of ['expiresIn=59', 'expiresIn=2592001', 'expiresIn=soon', 'expiresIn=1.5', 'ttl=60']) {
      assert.equal((await api.call('GET', `${url}?${query}`)).statusCode, 400, query);
    }
    assert.equal((await api.call('GET', `/users/ghost/integrations/${INTEGRATION_ID}/install-url`)).statusCode, 404);
    assert.equal((await api.call('GET', `/users/${userId}/integrations/${UNKNOWN_ID}/install-url`)).statusCode, 404);
    assert.equal((await api.call('GET', `/users/${userId}/integrations/bad/install-url`)).statusCode, 400);
    assert.equal((await api.call('GET', url, { key: 'prod' })).statusCode, 404);
    assert.equal((await api.call('GET', url, { key: 'none' })).statusCode, 401);
  });
});

describe('settings', () => {
  test('environment variables give the defaults; the API sets and clears values per environment', async () => {
    const initial = await api.call('GET', '/settings');
    assert.equal(initial.statusCode, 200);
    const signing = {
      webhookSecret: api.server.ctx.signingKeys.development.webhookSecret,
      environment: 'development',
      publicKeyUrl: `${api.server.ctx.publicUrl}/security/development/alloy_public_key.pem`,
    };
    assert.match(signing.webhookSecret, /^whsec_/);
    assert.deepEqual(initial.json(), {
      installationWebhookUrl: 'https://acme.example/hooks/installed',
      errorStreamUrl: null,
      ...signing,
    });
    const set = await api.call('PUT', '/settings', {
      body: {
        installationWebhookUrl: 'https://acme.example/v2/installed',
        errorStreamUrl: 'http://localhost:9000/errors',
      },
    });
    assert.equal(set.statusCode, 200);
    assert.deepEqual(set.json(), {
      installationWebhookUrl: 'https://acme.example/v2/installed',
      errorStreamUrl: 'http://localhost:9000/errors',
      ...signing,
    });
    assert.deepEqual((await api.call('GET', '/settings')).json(), set.json());
    // Production has its own URLs and its own signing material.
    const prod = await api.call('GET', '/settings', { key: 'prod' });
    assert.deepEqual(prod.json(), {
      installationWebhookUrl: 'https://acme.example/hooks/installed',
      errorStreamUrl: null,
      webhookSecret: api.server.ctx.signingKeys.production.webhookSecret,
      environment: 'production',
      publicKeyUrl: `${api.server.ctx.publicUrl}/security/production/alloy_public_key.pem`,
    });

    const cleared = await api.call('PUT', '/settings', { body: { installationWebhookUrl: null } });
    assert.deepEqual(cleared.json(), {
      installationWebhookUrl: 'https://acme.example/hooks/installed',
      errorStreamUrl: 'http://localhost:9000/errors',
      ...signing,
    });
  });

  test('only https URLs (http for localhost), no credentials in them, no unknown fields', async () => {
    for (const body of [
      { installationWebhookUrl: 'http://acme.example/hook' },
      { installationWebhookUrl: 'ftp://acme.example/hook' },
      { errorStreamUrl: 'https://user:pass@acme.example/errors' },
      { errorStreamUrl: 'not a url' },
      { errorStreamUrl: 42 },
      { errorStreamUrl: 'https://acme.example/errors', retries: 3 },
      {},
    ]) {
      const response = await api.call('PUT', '/settings', { body });
      assert.equal(response.statusCode, 400, JSON.stringify(body));
    }
    assert.equal(
      (await api.call('PUT', '/settings', { key: 'wrong', body: { errorStreamUrl: null } })).statusCode,
      401,
    );
  });
});
