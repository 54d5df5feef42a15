/**
 * Security audit (issue 13, item 5): development and production sign with their own material,
 * `GET /settings` shows only the caller's environment's, and every outgoing request names its
 * environment (header and signed body field) so a receiver verifies with the right key.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  verifyAlloyRequest,
  WebhookVerificationError,
  type EnvironmentVerificationKeys,
} from '../../src/node/index.js';
import { loadSigningKeys, signatureHeaders, SIGNING_FILES } from '../../src/server/deliveries/webhook-signing.js';
import { TestReceiver } from './receiver.js';
import { definitionsDir, startApi, type Api, type Key } from './support.js';

const ENV_INTEGRATION_ID = '65a1c0de00000000000000e1';
const ENV_WORKFLOW_ID = '65a1c0de00000000000000e2';
const ENV_EVENT = 'Env Ping';

let receiver: TestReceiver;
let api: Api;
let dir: string;
const material: Record<'development' | 'production', EnvironmentVerificationKeys & { publicKeyUrl: string }> = {
  development: { publicKey: '', webhookSecret: '', publicKeyUrl: '' },
  production: { publicKey: '', webhookSecret: '', publicKeyUrl: '' },
};

/** One custom-event workflow: Stream Data to the receiver, then a Stream Data the receiver refuses (error stream). */
function envIntegration(url: (p: string) => string): Record<string, unknown> {
  return {
    integrationId: ENV_INTEGRATION_ID,
    name: 'Environment Lab',
    app: 'demoStore',
    icon: '/static/icons/webhook.svg',
    workflows: [
      {
        workflowId: ENV_WORKFLOW_ID,
        name: 'Ping per environment',
        versions: [
          {
            version: 1,
            trigger: { type: 'customEvent', id: 'ping', name: 'Ping', event: ENV_EVENT, schema: { n: 'Number' } },
            blocks: [
              {
                type: 'streamData',
                id: 'stream',
                name: 'Stream Data',
                fields: [{ name: 'url', displayName: 'URL', type: 'text', value: url('/stream') }],
              },
              {
                type: 'streamData',
                id: 'refused',
                name: 'Refused',
                fields: [{ name: 'url', displayName: 'URL', type: 'text', value: url('/refused') }],
              },
            ],
          },
        ],
      },
    ],
  };
}

before(async () => {
  receiver = await TestReceiver.start();
  receiver.react = (request) => (request.path === '/refused' ? 400 : 200);
  dir = definitionsDir({ 'env.integration.json': envIntegration((p) => receiver.url(p)) });
  api = await startApi({ server: { definitionsDir: dir } });
  for (const [env, key] of [
    ['development', 'dev'],
    ['production', 'prod'],
  ] as const) {
    const settings = await api.call('PUT', '/settings', {
      key,
      body: {
        installationWebhookUrl: receiver.url(`/installed/${env}`),
        errorStreamUrl: receiver.url(`/errors/${env}`),
      },
    });
    assert.equal(settings.statusCode, 200, settings.body);
    const body = settings.json();
    material[env] = {
      publicKey: await (await fetch(body.publicKeyUrl)).text(),
      webhookSecret: body.webhookSecret,
      publicKeyUrl: body.publicKeyUrl,
    };
  }
});

after(async () => {
  await api?.server.dispose();
  await receiver?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Installs the lab for a new user of `key`'s environment and fires one event; returns the user. */
async function runFor(key: Key, username: string): Promise<string> {
  const userId = await api.createUser(username, key);
  const install = await api.call('POST', '/widget/installations', {
    token: await api.token(userId, key),
    body: { integrationId: ENV_INTEGRATION_ID, values: [] },
  });
  assert.equal(install.statusCode, 201, install.body);
  const fired = await api.call('POST', '/run/event', { key, body: { event: ENV_EVENT, userId, data: { n: 1 } } });
  assert.equal(fired.statusCode, 200, fired.body);
  return userId;
}

const requestOf = (r: { method: string; path: string; headers: Record<string, unknown>; body: string }) => ({
  method: r.method,
  url: receiver.url(r.path),
  headers: r.headers as Record<string, string>,
  body: r.body,
});

describe('each environment has its own signing material', () => {
  test('GET /settings shows only the caller’s environment’s secret and public key', async () => {
    assert.notEqual(material.development.webhookSecret, material.production.webhookSecret);
    assert.notEqual(material.development.publicKey, material.production.publicKey);
    assert.match(material.development.publicKeyUrl, /\/security\/development\/alloy_public_key\.pem$/);
    assert.match(material.production.publicKeyUrl, /\/security\/production\/alloy_public_key\.pem$/);
    const dev = await api.call('GET', '/settings', { key: 'dev' });
    assert.equal(dev.json().environment, 'development');
    assert.equal(dev.body.includes(material.production.webhookSecret), false, 'no production secret for a dev key');
    assert.equal(dev.json().webhookSecret, api.server.ctx.signingKeys.development.webhookSecret);
    const prod = await api.call('GET', '/settings', { key: 'prod' });
    assert.equal(prod.json().webhookSecret, api.server.ctx.signingKeys.production.webhookSecret);
    // The path Alloy documents serves production's key.
    assert.equal(await (await fetch(api.url('/security/alloy_public_key.pem'))).text(), material.production.publicKey);
  });

  test('Stream Data, installation webhook and error stream name their environment and verify only with its keys', async () => {
    const devUser = await runFor('dev', 'env-dev-user');
    const prodUser = await runFor('prod', 'env-prod-user');
    await receiver.waitFor('/stream', 2);
    await receiver.waitFor('/installed/development');
    await receiver.waitFor('/installed/production');
    await receiver.waitFor('/errors/development');
    await receiver.waitFor('/errors/production');
    const checked: string[] = [];
    for (const [env, other, userId] of [
      ['development', 'production', devUser],
      ['production', 'development', prodUser],
    ] as const) {
      const sent = receiver.requests.filter(
        (r) =>
          r.path === `/installed/${env}` ||
          r.path === `/errors/${env}` ||
          ((r.path === '/stream' || r.path === '/refused') && JSON.parse(r.body).userId === userId),
      );
      assert.equal(sent.length, 4, `${env}: stream, refused, installation webhook, error stream`);
      for (const request of sent) {
        assert.equal(request.headers['x-alloy-environment'], env, `${request.path} header`);
        assert.equal(JSON.parse(request.body).environment, env, `${request.path} body`);
        const verified = verifyAlloyRequest({ [env]: material[env] }, requestOf(request));
        assert.equal(verified.environment, env);
        // The other environment's material does not verify it, even with the header re-labelled.
        const relabelled = { ...requestOf(request), headers: { ...request.headers, 'x-alloy-environment': other } };
        assert.throws(() => verifyAlloyRequest({ [other]: material[other] }, relabelled), WebhookVerificationError);
        assert.throws(
          () => verifyAlloyRequest({ [other]: material[other] }, requestOf(request)),
          /no (development|production) keys/,
        );
        checked.push(`${env} ${request.path}`);
      }
    }
    assert.equal(checked.length, 8);
  });

  test('the webhook delivery record keeps the environment in the payload', async () => {
    const list = (await api.call('GET', '/webhook-deliveries?kind=errorStream', { key: 'prod' })).json().data;
    assert.ok(list.length >= 1);
    assert.ok(list.every((d: { payload: { environment: string } }) => d.payload.environment === 'production'));
  });
});

describe('verifyAlloyRequest', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-env-keys-'));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const keys = loadSigningKeys(dataDir);
  const verification = {
    development: { publicKey: keys.development.publicKeyPem, webhookSecret: keys.development.webhookSecret },
    production: { publicKey: keys.production.publicKeyPem, webhookSecret: keys.production.webhookSecret },
  };
  const signed = (env: 'development' | 'production', body: string, header = env) => {
    const request = { method: 'POST', url: 'https://acme.example/in', body, id: 'msg_1', timestamp: 1_800_000_000 };
    return {
      request: {
        method: 'POST',
        url: request.url,
        body,
        headers: { ...signatureHeaders(keys[env], request), 'x-alloy-environment': header },
      },
      options: { now: request.timestamp * 1000 },
    };
  };

  test('accepts a request of an environment it holds keys for, and says which', () => {
    for (const env of ['development', 'production'] as const) {
      const { request, options } = signed(env, JSON.stringify({ environment: env, n: 1 }));
      assert.equal(verifyAlloyRequest(verification, request, options).environment, env);
    }
  });

  test('refuses a development-signed body that claims production, a missing header, and a receiver without the keys', () => {
    // A holder of development's material signs a body saying production: the signed field gives it away.
    const forged = signed('development', JSON.stringify({ environment: 'production' }));
    assert.throws(() => verifyAlloyRequest(verification, forged.request, forged.options), /body says production/);
    // Re-labelled as production: production's key does not verify it.
    const relabelled = signed('development', JSON.stringify({ environment: 'production' }), 'production');
    assert.throws(() => verifyAlloyRequest(verification, relabelled.request, relabelled.options), /X-Alloy-Signature/);
    const { request, options } = signed('production', '{}');
    const noHeader: Record<string, string> = { ...request.headers };
    delete noHeader['x-alloy-environment'];
    assert.throws(
      () => verifyAlloyRequest(verification, { ...request, headers: noHeader }, options),
      /x-alloy-environment/,
    );
    assert.throws(
      () => verifyAlloyRequest({ development: verification.development }, request, options),
      /no production keys/,
    );
  });

  test('an existing data dir’s single pair becomes development’s; production’s is generated apart', () => {
    const old = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-env-legacy-'));
    try {
      // What an older version left: one key pair under the names development keeps.
      const source = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-env-src-'));
      const legacy = loadSigningKeys(source);
      fs.rmSync(source, { recursive: true, force: true });
      fs.writeFileSync(
        path.join(old, SIGNING_FILES.development.privateKey),
        legacy.development.privateKey.export({ type: 'pkcs8', format: 'pem' }),
        { mode: 0o600 },
      );
      fs.writeFileSync(path.join(old, SIGNING_FILES.development.webhookSecret), legacy.development.webhookSecret, {
        mode: 0o600,
      });
      const loaded = loadSigningKeys(old);
      assert.equal(loaded.development.publicKeyPem, legacy.development.publicKeyPem);
      assert.equal(loaded.development.webhookSecret, legacy.development.webhookSecret);
      assert.notEqual(loaded.production.publicKeyPem, legacy.development.publicKeyPem);
      assert.notEqual(loaded.production.webhookSecret, legacy.development.webhookSecret);
    } finally {
      fs.rmSync(old, { recursive: true, force: true });
    }
  });
});
