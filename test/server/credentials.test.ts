import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createServer } from '../../src/server/app.js';
import { dropEngineData, engineServerOptions, rawRow, rawRows, rawRun, TEST_ENGINE } from '../helpers/engine.js';
import {
  type Api,
  EVENT_WORKFLOW_ID,
  INTEGRATION_ID,
  PREFIX_FIELD,
  STREAM_WORKFLOW_ID,
  UNKNOWN_ID,
  startApi,
} from './support.js';

let api: Api;
/** The seeded store's real credential: POST /headless/credentials tests it against the store. */
let DEMO_STORE_CREDENTIAL: { apiKey: string; storeId: string };
let SECRET: string;
before(async () => {
  api = await startApi();
  DEMO_STORE_CREDENTIAL = await api.storeCredential();
  SECRET = DEMO_STORE_CREDENTIAL.apiKey;
});
after(async () => {
  await api.server.dispose();
});

describe('credential metadata', () => {
  test('lists connectors with how to connect them; one by name', async () => {
    const list = await api.call('GET', '/metadata/credentials');
    assert.equal(list.statusCode, 200);
    const [demoStore] = list.json().data;
    assert.equal(demoStore.connector, 'demoStore');
    assert.equal(demoStore.isOauth, true, 'Demo Store offers OAuth next to its API key');
    assert.deepEqual(
      demoStore.properties.map((p: { name: string; type: string; required: boolean }) => [p.name, p.type, p.required]),
      [
        ['apiKey', 'secret', true],
        ['storeId', 'text', true],
      ],
    );
    assert.match(demoStore.icon, /\/static\/icons\/demo-store\.svg$/);
    // The OAuth variant is declared with its pre-OAuth field and scopes.
    assert.deepEqual(
      demoStore.oauth.properties.map((p: { name: string }) => p.name),
      ['shop'],
    );
    assert.ok(demoStore.oauth.scopes.includes('orders:write'));
    const one = await api.call('GET', '/metadata/credentials/demoStore');
    assert.equal(one.statusCode, 200);
    assert.deepEqual(one.json().data, demoStore);
    assert.equal((await api.call('GET', '/metadata/credentials/shopify')).statusCode, 404);
    assert.equal((await api.call('GET', '/metadata/credentials', { key: 'wrong' })).statusCode, 401);
  });
});

describe('the app catalogue and the legacy credential paths', () => {
  test('GET /apps lists each connector with its events and actions', async () => {
    const response = await api.call('GET', '/2023-01/apps');
    assert.equal(response.statusCode, 200);
    const [app] = response.json().data;
    assert.equal(app.name, 'demoStore');
    assert.equal(app.isOauth, true);
    assert.deepEqual(
      app.events.map((e: { name: string }) => e.name),
      ['order.created', 'order.updated'],
    );
    assert.deepEqual(
      app.actions.map((a: { name: string }) => a.name),
      ['updateOrderStatus', 'createCustomer'],
    );
    assert.equal((await api.call('GET', '/apps?all=1')).statusCode, 400);
  });

  test('GET /credentials/:name is the metadata, as alloy-node reads it', async () => {
    const legacy = await api.call('GET', '/2023-01/credentials/demoStore');
    assert.equal(legacy.statusCode, 200);
    assert.deepEqual(legacy.json(), (await api.call('GET', '/metadata/credentials/demoStore')).json());
    assert.equal((await api.call('GET', '/credentials/nope')).statusCode, 404);
  });

  test('the legacy OAuth redirect answers like /headless/oauthUrl', async () => {
    const userId = await api.createUser('legacy-oauth');
    const response = await api.call(
      'GET',
      `/2023-12/users/${userId}/credentials/demoStore?integrationId=${INTEGRATION_ID}&shop=acme-shop`,
    );
    assert.equal(response.statusCode, 200, response.body);
    assert.match(response.json().data.redirectUrl, /\/oauth\/start\/[0-9a-f]{24}$/);
    const wrongField = await api.call('GET', `/2023-12/users/${userId}/credentials/demoStore?storeId=acme`);
    assert.equal(wrongField.statusCode, 400);
    assert.equal(wrongField.json().error.code, 'validation_failed');
    assert.equal((await api.call('GET', `/users/${userId}/credentials/shopify`)).statusCode, 404);
    assert.equal((await api.call('GET', '/users/ghost/credentials/demoStore')).statusCode, 404);
    assert.equal((await api.call('GET', `/users/${userId}/credentials/demoStore`, { key: 'prod' })).statusCode, 404);
  });
});

describe('POST /headless/credentials and a user’s credentials', () => {
  test('creates, lists (both paths) and deletes; data is never returned', async () => {
    const userId = await api.createUser('connector');
    const credentialId = await api.createCredential(userId);
    assert.match(credentialId, /^[0-9a-f]{24}$/);
    for (const url of [`/users/${userId}/credentials`, `/credentials/users/connector`]) {
      const response = await api.call('GET', url);
      assert.equal(response.statusCode, 200, url);
      const [credential] = response.json().data;
      assert.deepEqual(Object.keys(credential).sort(), ['createdAt', 'credentialId', 'name', 'type', 'updatedAt']);
      assert.deepEqual(
        [credential.credentialId, credential.type, credential.name],
        [credentialId, 'demoStore', 'Demo Store acme-shop'],
      );
      assert.ok(!response.body.includes(SECRET));
    }
    assert.deepEqual(await api.server.ctx.credentials.reveal(userId, credentialId), DEMO_STORE_CREDENTIAL);

    const other = await api.createUser('connector-other');
    const notTheirs = await api.call('DELETE', `/users/${other}/credentials/${credentialId}`);
    assert.equal(notTheirs.statusCode, 404);
    assert.equal(
      (await api.call('DELETE', `/users/${userId}/credentials/${credentialId}`, { key: 'prod' })).statusCode,
      404,
    );
    const deleted = await api.call('DELETE', `/users/${userId}/credentials/${credentialId}`);
    assert.equal(deleted.statusCode, 200);
    assert.deepEqual(deleted.json(), { success: true });
    assert.deepEqual((await api.call('GET', `/users/${userId}/credentials`)).json(), { data: [] });
    assert.equal((await api.call('DELETE', `/users/${userId}/credentials/${credentialId}`)).statusCode, 404);
    assert.equal((await api.call('DELETE', `/users/${userId}/credentials/abc`)).statusCode, 400);
  });

  test('checks the data against the connector’s properties', async () => {
    const userId = await api.createUser('connector-bad');
    const cases: [unknown, number, (string | number)[]?][] = [
      [{ userId, credential: { type: 'shopify', data: {} } }, 400, ['credential', 'type']],
      [{ userId, credential: { type: 'demoStore', data: { storeId: 'acme' } } }, 400, ['credential', 'data', 'apiKey']],
      [
        { userId, credential: { type: 'demoStore', data: { ...DEMO_STORE_CREDENTIAL, region: 'eu' } } },
        400,
        ['credential', 'data', 'region'],
      ],
      [
        { userId, credential: { type: 'demoStore', data: { ...DEMO_STORE_CREDENTIAL, storeId: 'Not A Slug!' } } },
        400,
        ['credential', 'data', 'storeId'],
      ],
      [
        { userId, credential: { type: 'demoStore', data: { ...DEMO_STORE_CREDENTIAL, apiKey: 'short' } } },
        400,
        ['credential', 'data', 'apiKey'],
      ],
      [
        { userId, credential: { type: 'demoStore', data: { apiKey: 123, storeId: 'a' } } },
        400,
        ['credential', 'data', 'apiKey'],
      ],
      [{ userId, credential: { type: 'demoStore' } }, 400, ['credential', 'data']],
      [{ credential: { type: 'demoStore', data: DEMO_STORE_CREDENTIAL } }, 400, ['userId']],
      [{ userId: 'ghost', credential: { type: 'demoStore', data: DEMO_STORE_CREDENTIAL } }, 404],
    ];
    for (const [body, status, issuePath] of cases) {
      const response = await api.call('POST', '/headless/credentials', { body });
      assert.equal(response.statusCode, status, JSON.stringify(body));
      if (issuePath) assert.deepEqual(response.json().error.issues[0].path, issuePath, JSON.stringify(body));
    }
    assert.deepEqual((await api.call('GET', `/users/${userId}/credentials`)).json(), { data: [] }, 'nothing stored');
    const prod = await api.call('POST', '/headless/credentials', {
      key: 'prod',
      body: { userId, credential: { type: 'demoStore', data: DEMO_STORE_CREDENTIAL } },
    });
    assert.equal(prod.statusCode, 404);
    assert.equal((await api.call('GET', '/users/ghost/credentials')).statusCode, 404);
    assert.equal((await api.call('GET', `/credentials/users/${userId}`, { key: 'prod' })).statusCode, 404);
  });
});

describe('the credential test against the app', () => {
  test('a wrong key, another store’s key or an unknown store is refused and nothing is stored', async () => {
    const userId = await api.createUser('connector-tested');
    const other = await api.createStore('Other Shop', 'other-shop');
    const cases: [Record<string, string>, RegExp][] = [
      [{ apiKey: 'dsk_not_a_real_key_123', storeId: 'acme-shop' }, /API key is not valid/],
      [{ apiKey: other.apiKey, storeId: 'acme-shop' }, /another store/],
      [{ apiKey: DEMO_STORE_CREDENTIAL.apiKey, storeId: 'no-such-shop' }, /no Demo Store with the id no-such-shop/],
    ];
    for (const [data, message] of cases) {
      const response = await api.call('POST', '/headless/credentials', {
        body: { userId, credential: { type: 'demoStore', data } },
      });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().error.code, 'credential_invalid');
      assert.match(response.json().error.message, message);
      assert.ok(!response.body.includes(data.apiKey!), 'the key is not echoed');
    }
    assert.deepEqual((await api.call('GET', `/users/${userId}/credentials`)).json(), { data: [] });
    // Another store's own key works for that store.
    await api.createCredential(userId, other);
  });

  test('an app that cannot be reached is a 502 app_unreachable, and nothing is stored', async () => {
    const offline = await startApi({ listen: false });
    try {
      const userId = await offline.createUser('unreachable');
      const response = await offline.call('POST', '/headless/credentials', {
        body: { userId, credential: { type: 'demoStore', data: await offline.storeCredential() } },
      });
      assert.equal(response.statusCode, 502, response.body);
      assert.equal(response.json().error.code, 'app_unreachable');
      assert.deepEqual((await offline.call('GET', `/users/${userId}/credentials`)).json(), { data: [] });
    } finally {
      await offline.server.dispose();
    }
  });
});

describe('encryption at rest', () => {
  test('the secret is not in the database file; the key file is 0600; ciphertext is bound to its row', async () => {
    const userId = await api.createUser('sealed');
    // Stored directly: the sandbox keeps its own store keys in the same file, so the test uses a
    // key no store has (the credential test against the app is covered above).
    const credentialId = await api.server.ctx.credentials.create(userId, 'demoStore', {
      apiKey: 'sk_live_unmistakable_4242',
      storeId: 'sealed-shop',
    });
    // SQLite: the database file itself; PostgreSQL: every column of the credential's row.
    let dbBytes: Buffer;
    if (TEST_ENGINE === 'postgres') {
      const rows = await rawRows(api.server, 'SELECT * FROM credentials WHERE id = ?', credentialId);
      assert.equal(rows.length, 1);
      dbBytes = Buffer.concat(Object.values(rows[0]!).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v)))));
    } else {
      api.server.db.pragma('wal_checkpoint(TRUNCATE)');
      dbBytes = fs.readFileSync(path.join(api.server.dataDir, 'alloy.db'));
    }
    assert.ok(!dbBytes.includes('sk_live_unmistakable_4242'));
    assert.ok(!dbBytes.includes('"storeId"'), 'the whole data object is encrypted');
    const keyFile = path.join(api.server.dataDir, 'encryption.key');
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);

    // Moving the ciphertext to another user's credential does not decrypt (AES-GCM associated data).
    const thief = await api.createUser('thief');
    const stolen = await api.createCredential(thief);
    const sealed = (await rawRow<{ iv: Buffer; ciphertext: Buffer; auth_tag: Buffer }>(
      api.server,
      'SELECT iv, ciphertext, auth_tag FROM credentials WHERE id = ?',
      credentialId,
    ))!;
    assert.equal(
      await rawRun(
        api.server,
        'UPDATE credentials SET iv = ?, ciphertext = ?, auth_tag = ? WHERE id = ?',
        sealed.iv,
        sealed.ciphertext,
        sealed.auth_tag,
        stolen,
      ),
      1,
    );
    await assert.rejects(api.server.ctx.credentials.reveal(thief, stolen));
  });

  test('ALLOY_ENCRYPTION_KEY replaces the key file; another key refuses to start', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-key-'));
    const key = randomBytes(32).toString('hex');
    const first = await startApi({ dataDir, server: { encryptionKey: key } });
    const userId = await first.createUser('env-keyed');
    const data = await first.storeCredential();
    const credentialId = await first.createCredential(userId, data);
    assert.ok(!fs.existsSync(path.join(dataDir, 'encryption.key')));
    await first.server.close();

    const again = await startApi({ dataDir, server: { encryptionKey: Buffer.from(key, 'hex').toString('base64') } });
    assert.deepEqual(await again.server.ctx.credentials.reveal(userId, credentialId), data);
    await again.server.close();

    await assert.rejects(
      createServer({ dataDir, ...engineServerOptions(dataDir), encryptionKey: randomBytes(32).toString('hex') }),
      /encrypted with another key/,
    );
    await assert.rejects(
      createServer({ dataDir, ...engineServerOptions(dataDir), encryptionKey: 'too-short' }),
      /32 bytes/,
    );
    fs.rmSync(dataDir, { recursive: true, force: true });
    await dropEngineData(dataDir);
  });

  test('a key file other users can read is refused', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-key-'));
    fs.writeFileSync(path.join(dataDir, 'encryption.key'), `${randomBytes(32).toString('base64')}\n`, { mode: 0o644 });
    fs.chmodSync(path.join(dataDir, 'encryption.key'), 0o644);
    await assert.rejects(createServer({ dataDir }), /readable by other users/);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('GET /headless/oauthUrl', () => {
  test('Demo Store answers a start URL; missing pre-OAuth fields are 400s; unknown apps and users 404s', async () => {
    const userId = await api.createUser('oauth-asker');
    const response = await api.call('GET', `/headless/oauthUrl?userId=${userId}&app=demoStore&shop=acme-shop`);
    assert.equal(response.statusCode, 200, response.body);
    const start = new URL(response.json().oauthUrl);
    assert.match(start.pathname, /^\/oauth\/start\/[0-9a-f]{24}$/);
    const missing = await api.call('GET', `/headless/oauthUrl?userId=${userId}&app=demoStore&storeId=acme`);
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(
      missing.json().error.issues.map((i: { path: string[] }) => i.path.join('.')),
      ['query.storeId', 'query.shop'],
    );
    assert.equal((await api.call('GET', `/headless/oauthUrl?userId=${userId}&app=shopify`)).statusCode, 404);
    assert.equal((await api.call('GET', `/headless/oauthUrl?userId=ghost&app=demoStore`)).statusCode, 404);
    assert.equal((await api.call('GET', `/headless/oauthUrl?app=demoStore`)).statusCode, 400);
    assert.equal((await api.call('GET', `/headless/oauthUrl?userId=${userId}`)).statusCode, 400);
    assert.equal(
      (await api.call('GET', `/headless/oauthUrl?userId=${userId}&app=demoStore`, { key: 'prod' })).statusCode,
      404,
    );
  });
});

describe('headless installation', () => {
  const complete = (installationId: string, prefix: unknown = 'HD-', headers: Record<string, string> = {}) =>
    api.call('POST', '/headless/completeInstallation', {
      headers,
      body: {
        installationId,
        data: [
          {
            workflowId: STREAM_WORKFLOW_ID,
            blockId: PREFIX_FIELD.blockId,
            fields: [{ name: 'referencePrefix', value: prefix }],
          },
        ],
      },
    });

  test('start returns the fields to fill; complete installs with the credential', async () => {
    const userId = await api.createUser('headless');
    const credentialId = await api.createCredential(userId);
    const start = await api.call('POST', '/2025-09/headless/startInstallation', {
      body: { userId, integrationId: INTEGRATION_ID },
    });
    assert.equal(start.statusCode, 200, start.body);
    const started = start.json();
    assert.match(started.installationId, /^[0-9a-f]{24}$/);
    assert.deepEqual(started.credentialIds, { demoStore: credentialId });
    assert.deepEqual(
      started.data.map((d: { workflowId: string; app: string; blockId: string }) => [d.workflowId, d.app, d.blockId]),
      [[STREAM_WORKFLOW_ID, 'streamData', 'stream-to-acmeco']],
    );
    const [field] = started.data[0].fields;
    assert.deepEqual(
      [field.name, field.displayName, field.type, field.required],
      ['referencePrefix', 'Order reference prefix', 'text', true],
    );

    const missing = await api.call('POST', '/headless/completeInstallation', {
      body: { installationId: started.installationId, data: [] },
    });
    assert.equal(missing.statusCode, 400);
    assert.equal((await complete(started.installationId, 'has spaces')).statusCode, 400);
    assert.equal((await complete(started.installationId, 5)).statusCode, 400);

    const done = await complete(started.installationId, 'HD-', { 'idempotency-key': 'complete-1' });
    assert.equal(done.statusCode, 200, done.body);
    assert.deepEqual(done.json(), {
      success: true,
      installationId: started.installationId,
      integrationId: INTEGRATION_ID,
      workflowIds: [STREAM_WORKFLOW_ID, EVENT_WORKFLOW_ID],
      credentialIds: { demoStore: credentialId },
    });
    const retried = await complete(started.installationId, 'HD-', { 'idempotency-key': 'complete-1' });
    assert.deepEqual(retried.json(), done.json(), 'a retried completion answers the same');
    assert.equal((await complete(started.installationId)).statusCode, 404, 'the started installation is used up');
    const integration = (await api.call('GET', `/integrations/${INTEGRATION_ID}?userId=${userId}`)).json().data;
    assert.equal(integration.installed, true);
  });

  test('credentials: none, several without a choice, another user’s, one of an unused app', async () => {
    const userId = await api.createUser('headless-creds');
    const start = (body: Record<string, unknown> = {}) =>
      api.call('POST', '/headless/startInstallation', { body: { userId, integrationId: INTEGRATION_ID, ...body } });
    const none = await start();
    assert.equal(none.statusCode, 400);
    assert.equal(none.json().error.code, 'credential_required');
    const first = await api.createCredential(userId);
    const second = await api.createCredential(userId, await api.createStore('Second Shop', 'second-shop'));
    const several = await start();
    assert.equal(several.statusCode, 400);
    assert.match(several.json().error.message, /credentialIds/);
    const chosen = await start({ credentialIds: [second] });
    assert.equal(chosen.statusCode, 200);
    assert.deepEqual(chosen.json().credentialIds, { demoStore: second });
    assert.equal((await start({ credentialIds: [first, second] })).statusCode, 400);
    const stranger = await api.createUser('headless-stranger');
    const theirs = await api.createCredential(stranger);
    assert.equal((await start({ credentialIds: [theirs] })).statusCode, 404);

    // A credential deleted between start and complete: the completion says so.
    await api.call('DELETE', `/users/${userId}/credentials/${second}`);
    const stale = await complete(chosen.json().installationId);
    assert.equal(stale.statusCode, 400);
    assert.equal(stale.json().error.code, 'credential_required');
  });

  test('bad input: unknown integration or workflows, unknown or expired installation, another tenant', async () => {
    const userId = await api.createUser('headless-bad');
    await api.createCredential(userId);
    const start = (body: Record<string, unknown>, key: 'dev' | 'prod' = 'dev') =>
      api.call('POST', '/headless/startInstallation', { key, body: { userId, ...body } });
    assert.equal((await start({ integrationId: UNKNOWN_ID })).statusCode, 404);
    assert.equal((await start({ integrationId: 'bad' })).statusCode, 400);
    assert.equal((await start({})).statusCode, 400);
    assert.equal((await start({ integrationId: INTEGRATION_ID, workflowIds: [UNKNOWN_ID] })).statusCode, 400);
    assert.equal((await start({ integrationId: INTEGRATION_ID }, 'prod')).statusCode, 404);
    const ok = await start({ integrationId: INTEGRATION_ID, workflowIds: [EVENT_WORKFLOW_ID] });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json().data, [], 'the fulfillment workflow asks nothing');

    assert.equal((await complete(UNKNOWN_ID)).statusCode, 404);
    const prod = await api.call('POST', '/headless/completeInstallation', {
      key: 'prod',
      body: { installationId: ok.json().installationId, data: [] },
    });
    assert.equal(prod.statusCode, 404);
    await rawRun(
      api.server,
      'UPDATE pending_installations SET expires_at = ? WHERE id = ?',
      new Date(Date.now() - 1000).toISOString(),
      ok.json().installationId,
    );
    const expired = await api.call('POST', '/headless/completeInstallation', {
      body: { installationId: ok.json().installationId, data: [] },
    });
    assert.equal(expired.statusCode, 404);
    assert.match(expired.json().error.message, /startInstallation/);
  });
});
