/**
 * Security audit, issue 13 items 1-3: the sandbox admin API and OAuth consent need the store
 * owner; the sandbox is mounted only where asked; every outgoing request goes through the one
 * guarded client (no SSRF through store webhooks); relative URLs are ISV-authored and allow-listed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { configFromEnv } from '../../src/server/platform/config.js';
import { parseDefinitionFile } from '../../src/server/definitions/definitions.js';
import { OutboundHttp } from '../../src/server/platform/outbound-http.js';
import { signInOwner, TEST_OWNER_SECRET } from '../helpers/sandbox-owner.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  ADMIN,
  API,
  authorizeUrl,
  createStore,
  keyHeaders,
  parseConsentPage,
  redirectTarget,
  registerTestClient,
  startSandboxServer,
  submitConsent,
  type SandboxTestServer,
} from './sandbox-helpers.js';
import { TestReceiver } from './receiver.js';
import { type Api, definitionsDir, startApi, storeCredentialOf, waitFor } from './support.js';

const sha256 = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

describe('item 1: where the sandbox is mounted', () => {
  let bare: TestServer;
  before(async () => {
    bare = await startTestServer({ server: { sandbox: false } });
  });
  after(() => bare.dispose());

  test('the bare API server (npm run start:api) has no sandbox: no admin API, no OAuth provider', async () => {
    for (const url of [
      '/sandbox/demo-store/admin/api/stores',
      '/sandbox/demo-store/',
      '/sandbox/demo-store/oauth/authorize?shop=acme-shop',
      '/.well-known/oauth-authorization-server/sandbox/demo-store',
    ]) {
      assert.equal((await bare.app.inject({ method: 'GET', url })).statusCode, 404, url);
    }
    const rotate = await bare.app.inject({
      method: 'POST',
      url: '/sandbox/demo-store/admin/api/stores/acme-shop/rotate-key',
    });
    assert.equal(rotate.statusCode, 404);
    assert.equal(bare.sandbox, undefined);
  });

  test('configuration: off unless the entry point or ALLOY_SANDBOX=1 turns it on; the owner secret is validated', () => {
    assert.equal(configFromEnv({}, '/srv').sandbox, false, 'the production entry (main.ts) uses no defaults');
    assert.equal(configFromEnv({ ALLOY_SANDBOX: '1' }, '/srv').sandbox, true);
    assert.equal(configFromEnv({}, '/srv', { sandbox: true }).sandbox, true, 'the demo entry turns it on');
    assert.equal(configFromEnv({ ALLOY_SANDBOX: '0' }, '/srv', { sandbox: true }).sandbox, false);
    assert.throws(() => configFromEnv({ ALLOY_SANDBOX: 'yes' }, '/srv'), /ALLOY_SANDBOX must be 1/);
    assert.throws(() => configFromEnv({ ALLOY_SANDBOX_OWNER_SECRET: 'short' }, '/srv'), /at least 32 characters/);
    assert.throws(
      () => configFromEnv({ ALLOY_SANDBOX_OWNER_SECRET: 'dsown_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }, '/srv'),
      /too guessable/,
    );
    assert.equal(
      configFromEnv({ ALLOY_SANDBOX_OWNER_SECRET: TEST_OWNER_SECRET }, '/srv').sandboxOwnerSecret,
      TEST_OWNER_SECRET,
    );
  });
});

describe('item 1: the store admin API needs the store owner', () => {
  let server: SandboxTestServer;
  before(async () => {
    server = await startSandboxServer();
  });
  after(() => server.dispose());

  test('without a session: no keys, no rotation, no store creation, no deliveries (curl gets 401)', async () => {
    const list = await server.inject({ method: 'GET', url: `${ADMIN}/stores` });
    assert.equal(list.statusCode, 401, list.body);
    assert.equal(list.json().error.code, 'unauthorized');
    assert.doesNotMatch(list.body, /dsk_/, 'no API key in the answer');
    const rotate = await server.inject({ method: 'POST', url: `${ADMIN}/stores/acme-shop/rotate-key` });
    assert.equal(rotate.statusCode, 401);
    const create = await server.inject({
      method: 'POST',
      url: `${ADMIN}/stores`,
      payload: { name: 'X', subdomain: 'x' },
    });
    assert.equal(create.statusCode, 401);
    const deliveries = await server.inject({ method: 'GET', url: `${ADMIN}/stores/acme-shop/webhook-deliveries` });
    assert.equal(deliveries.statusCode, 401);
    const forged = await server.inject({
      method: 'GET',
      url: `${ADMIN}/stores`,
      headers: { cookie: 'ds_owner=dsos_made_up_token' },
    });
    assert.equal(forged.statusCode, 401);
  });

  test('signing in needs the shop’s owner secret; the cookie is HttpOnly, SameSite=Strict and scoped', async () => {
    for (const payload of [
      { shop: 'acme-shop', secret: 'dsown_wrong_secret_00000000000000000' },
      { shop: 'no-such-shop', secret: TEST_OWNER_SECRET },
      { shop: 'acme-shop', secret: '' },
    ]) {
      const refused = await server.inject({ method: 'POST', url: `${ADMIN}/session`, payload });
      assert.ok([400, 401].includes(refused.statusCode), refused.body);
      assert.equal(refused.headers['set-cookie'], undefined);
    }
    const response = await server.inject({
      method: 'POST',
      url: `${ADMIN}/session`,
      payload: { shop: 'Acme-Shop', secret: TEST_OWNER_SECRET },
    });
    assert.equal(response.statusCode, 200, response.body);
    const cookie = String(response.headers['set-cookie']);
    assert.match(cookie, /^ds_owner=dsos_[\w-]+;/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\/sandbox\/demo-store/);
    assert.deepEqual(
      response.json().stores.map((s: { id: string }) => s.id),
      ['acme-shop'],
    );
    assert.equal(response.json().stores[0].apiKey, undefined, 'the session view carries no key');
  });

  test('the owner secret is stored as a digest only', async () => {
    const row = await server
      .sandbox!.database.selectFrom('sandbox_stores')
      .selectAll()
      .where('id', '=', 'acme-shop')
      .executeTakeFirstOrThrow();
    assert.equal(row.owner_secret_hash, sha256(TEST_OWNER_SECRET));
    assert.ok(!JSON.stringify(row).includes(TEST_OWNER_SECRET));
  });

  test('a session sees and changes only the stores it signed in to', async () => {
    const acmeOwner = await signInOwner(server.app);
    const mine = await server.inject({ method: 'GET', url: `${ADMIN}/stores`, headers: acmeOwner.headers });
    assert.deepEqual(
      mine.json().data.map((s: { id: string }) => s.id),
      ['acme-shop'],
    );

    // Another owner's store (created by someone else's session) stays invisible to this one.
    const otherOwner = await signInOwner(server.app);
    const created = await server.inject({
      method: 'POST',
      url: `${ADMIN}/stores`,
      headers: otherOwner.headers,
      payload: { name: 'Elsewhere', subdomain: 'elsewhere' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const elsewhere = created.json() as { id: string; ownerSecret: string; apiKey: string };
    assert.match(elsewhere.ownerSecret, /^dsown_/);

    const outsider = await signInOwner(server.app, 'elsewhere', elsewhere.ownerSecret);
    const outsiderView = await server.inject({ method: 'GET', url: `${ADMIN}/stores`, headers: outsider.headers });
    assert.deepEqual(
      outsiderView.json().data.map((s: { id: string }) => s.id),
      [elsewhere.id],
      'the acme-shop key is not listed to the other store’s owner',
    );
    const rotateAcme = await server.inject({
      method: 'POST',
      url: `${ADMIN}/stores/acme-shop/rotate-key`,
      headers: outsider.headers,
    });
    assert.equal(rotateAcme.statusCode, 404, rotateAcme.body);
    const acmeDeliveries = await server.inject({
      method: 'GET',
      url: `${ADMIN}/stores/acme-shop/webhook-deliveries`,
      headers: outsider.headers,
    });
    assert.equal(acmeDeliveries.statusCode, 404);
  });

  test('changes need the session’s CSRF token, not just the cookie', async () => {
    const owner = await signInOwner(server.app);
    const noToken = await server.inject({
      method: 'POST',
      url: `${ADMIN}/stores/acme-shop/rotate-key`,
      headers: { cookie: owner.cookie },
    });
    assert.equal(noToken.statusCode, 403, noToken.body);
    assert.equal(noToken.json().error.code, 'forbidden');
    const wrongToken = await server.inject({
      method: 'POST',
      url: `${ADMIN}/stores/acme-shop/rotate-key`,
      headers: { cookie: owner.cookie, 'x-csrf-token': 'a'.repeat(64) },
    });
    assert.equal(wrongToken.statusCode, 403);
    const signOut = await server.inject({
      method: 'DELETE',
      url: `${ADMIN}/session`,
      headers: { cookie: owner.cookie },
    });
    assert.equal(signOut.statusCode, 403);
  });

  test('the same-origin check compares with the configured public URL, never the Host header (DNS rebinding)', async () => {
    const owner = await signInOwner(server.app);
    // A rebinding page at http://evil.example:PORT sends Host and Origin that agree with each other.
    const rebound = await server.inject({
      method: 'GET',
      url: `${ADMIN}/stores`,
      headers: {
        ...owner.headers,
        host: 'evil.example',
        origin: 'http://evil.example',
        'sec-fetch-site': 'same-origin',
      },
    });
    assert.equal(rebound.statusCode, 403, rebound.body);
    const signIn = await server.inject({
      method: 'POST',
      url: `${ADMIN}/session`,
      headers: { host: 'evil.example', origin: 'http://evil.example' },
      payload: { shop: 'acme-shop', secret: TEST_OWNER_SECRET },
    });
    assert.equal(signIn.statusCode, 403);
    const own = await server.inject({
      method: 'GET',
      url: `${ADMIN}/stores`,
      headers: { ...owner.headers, origin: new URL(server.ctx.publicUrl).origin, 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(own.statusCode, 200, own.body);
  });

  test('signing out ends the session', async () => {
    const owner = await signInOwner(server.app);
    const out = await server.inject({ method: 'DELETE', url: `${ADMIN}/session`, headers: owner.headers });
    assert.equal(out.statusCode, 204, out.body);
    assert.match(String(out.headers['set-cookie']), /ds_owner=; Max-Age=0/);
    assert.equal(
      (await server.inject({ method: 'GET', url: `${ADMIN}/stores`, headers: owner.headers })).statusCode,
      401,
    );
  });
});

describe('item 1: OAuth consent needs the store owner', () => {
  let server: SandboxTestServer;
  before(async () => {
    server = await startSandboxServer();
  });
  after(() => server.dispose());

  const consentPage = async (clientId: string, shop = 'acme-shop') =>
    parseConsentPage(await server.inject({ method: 'GET', url: authorizeUrl({ clientId, shop }) }));

  test('naming a shop is not enough: approving without the owner secret, or with another store’s, is refused', async () => {
    const client = await registerTestClient(server);
    const page = await consentPage(client.clientId);
    const form = await server.inject({ method: 'GET', url: authorizeUrl({ clientId: client.clientId }) });
    assert.match(form.body, /name="owner_secret" type="password"/, 'the page asks for the owner secret');

    const anonymous = await submitConsent(server, page, 'approve', { ownerSecret: null });
    assert.equal(anonymous.statusCode, 403);
    assert.match(anonymous.body, /Only the store owner can approve/);
    assert.equal(anonymous.headers.location, undefined, 'no code is issued');

    const other = await createStore(server, 'Mine', 'mine');
    const wrongStore = await submitConsent(server, page, 'approve', { ownerSecret: other.ownerSecret });
    assert.equal(wrongStore.statusCode, 403);

    // The request stays open for the real owner.
    const owner = redirectTarget(await submitConsent(server, page, 'approve'));
    assert.ok(owner.searchParams.get('code'));
  });

  test('a browser signed in to the store dashboard approves without typing the secret; anyone may deny', async () => {
    const client = await registerTestClient(server);
    const owner = await signInOwner(server.app);
    const page = await consentPage(client.clientId);
    const approved = await server.inject({
      method: 'POST',
      url: '/sandbox/demo-store/oauth/consent',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${page.cookie}; ${owner.cookie}` },
      payload: new URLSearchParams({
        request_id: page.requestId,
        csrf_token: page.csrfToken,
        decision: 'approve',
      }).toString(),
    });
    assert.ok(redirectTarget(approved).searchParams.get('code'));

    const denied = redirectTarget(
      await submitConsent(server, await consentPage(client.clientId), 'deny', { ownerSecret: null }),
    );
    assert.equal(denied.searchParams.get('error'), 'access_denied');
  });
});

describe('item 2: store webhooks go through the guarded client (no SSRF with ALLOY_ALLOW_PRIVATE_TARGETS=none)', () => {
  let server: SandboxTestServer;
  let receiver: TestReceiver;
  before(async () => {
    receiver = await TestReceiver.start();
    server = await startSandboxServer({
      listen: true,
      allowPrivateTargets: 'none',
      sandboxTuning: { webhookDelivery: { retryDelaysMs: [10, 10], timeoutMs: 2_000 } },
    });
  });
  after(async () => {
    await server.dispose();
    await receiver.close();
  });

  test('a webhook to 127.0.0.1 is refused before connecting; the delivery list is no port/status oracle', async () => {
    const { apiKey } = await storeCredentialOf(server);
    const subscribed = await server.inject({
      method: 'POST',
      url: `${API}/stores/acme-shop/webhooks`,
      headers: keyHeaders(apiKey),
      payload: { url: receiver.url('/anything'), topic: 'order.created' },
    });
    assert.equal(subscribed.statusCode, 201, subscribed.body);
    const order = await server.inject({
      method: 'POST',
      url: `${API}/stores/acme-shop/orders`,
      headers: keyHeaders(apiKey),
      payload: {
        customer: { email: 'ssrf@example.com', name: 'S' },
        items: [{ name: 'x', quantity: 1, unitPrice: 1 }],
      },
    });
    assert.equal(order.statusCode, 201, order.body);
    const owner = await signInOwner(server.app);
    const delivery = await waitFor('the delivery to finish', async () => {
      const list = (
        await server.inject({
          method: 'GET',
          url: `${ADMIN}/stores/acme-shop/webhook-deliveries`,
          headers: owner.headers,
        })
      ).json().data as { status: string; attempts: number; responseStatus: number | null; lastError: string }[];
      return list.find((d) => d.status !== 'pending');
    });
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.responseStatus, null);
    assert.equal(delivery.attempts, 1, 'a refused address is not retried');
    assert.equal(delivery.lastError, 'The webhook URL is not an allowed address.');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(receiver.requests.length, 0, 'nothing reached the local port');
  });

  test('calls to this server stay limited to the paths their caller names', () => {
    const http = new OutboundHttp('none', { ownBaseUrl: () => 'http://localhost:4000' });
    try {
      const api = ['/sandbox/demo-store/api/v1/'];
      assert.equal(http.isOwnPath('http://localhost:4000/sandbox/demo-store/api/v1/stores/a/orders', api), true);
      for (const url of [
        'http://localhost:4000/sandbox/demo-store/api/v1/../admin/api/stores',
        'http://localhost:4000/sandbox/demo-store/api/v1/%2e%2e/admin/api/stores',
        'http://localhost:4000/sandbox/demo-store/api/v1/stores%2F..%2F..%2Fadmin',
        'http://localhost:4000/sandbox/demo-store/api/v1\\..\\admin',
        'http://localhost:4000/sandbox/demo-store/admin/api/stores',
        'http://127.0.0.1:4000/sandbox/demo-store/api/v1/stores',
        'http://localhost:4001/sandbox/demo-store/api/v1/stores',
        'http://user:pw@localhost:4000/sandbox/demo-store/api/v1/stores',
      ]) {
        assert.equal(http.isOwnPath(url, api), false, url);
      }
      assert.equal(http.isOwnPath('http://localhost:4000/sandbox/demo-store/api/v1/stores', []), false);
    } finally {
      http.close();
    }
  });
});

describe('item 2: connectors and the OAuth token exchange use the guarded client, and still reach the sandbox', () => {
  let api: Api;
  before(async () => {
    api = await startApi({ server: { allowPrivateTargets: 'none' } });
  });
  after(() => api.server.dispose());

  test('with private targets refused, a Demo Store credential is still tested against the sandbox API', async () => {
    const userId = await api.createUser('fenced-connector');
    // createCredential fails unless the connector reached the store (a wrong key is refused).
    assert.ok(await api.createCredential(userId));
    const wrong = await api.call('POST', '/headless/credentials', {
      body: { userId, credential: { type: 'demoStore', data: { apiKey: 'dsk_wrong', storeId: 'acme-shop' } } },
    });
    assert.equal(wrong.statusCode, 400, wrong.body);
    assert.equal(wrong.json().error.code, 'credential_invalid', 'the store itself answered');
  });
});

const SELF_INTEGRATION_ID = '65a1c0de0000000000000013';
const SELF_EVENT = 'Self Call';
const AUTHORED_WORKFLOW_ID = '65a1c0de0000000000001301';
const CONFIGURED_WORKFLOW_ID = '65a1c0de0000000000001302';

/** Two workflows on one custom event: a relative URL the ISV wrote, and a URL field the user fills. */
function selfCallIntegration(): Record<string, unknown> {
  const workflow = (workflowId: string, name: string, url: Record<string, unknown>) => ({
    workflowId,
    name,
    versions: [
      {
        version: 1,
        trigger: { type: 'customEvent', id: 'go', name: 'Go', event: SELF_EVENT, schema: {} },
        blocks: [
          {
            type: 'streamData',
            id: 'send',
            name: 'Stream Data',
            fields: [{ name: 'url', displayName: 'URL', type: 'text', ...url }],
          },
        ],
      },
    ],
  });
  return {
    integrationId: SELF_INTEGRATION_ID,
    name: 'Self calls',
    app: 'demoStore',
    icon: '/static/icons/webhook.svg',
    workflows: [
      workflow(AUTHORED_WORKFLOW_ID, 'ISV-authored path outside the allow-list', {
        value: '/sandbox/demo-store/admin/api/stores/acme-shop/rotate-key',
      }),
      workflow(CONFIGURED_WORKFLOW_ID, 'User-configured URL', { userConfigurable: true }),
    ],
  };
}

describe('item 3: relative URLs are ISV-authored only and allow-listed', () => {
  let api: Api;
  let dir: string;
  before(async () => {
    dir = definitionsDir({ 'self.integration.json': selfCallIntegration() });
    api = await startApi({ server: { definitionsDir: dir, allowPrivateTargets: 'none' } });
  });
  after(async () => {
    await api.server.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('an end user’s "/…" URL and an ISV path outside the prefixes never reach this server', async () => {
    const keyBefore = (await api.storeCredential()).apiKey;
    const userId = await api.createUser('self-caller');
    const install = await api.call('POST', '/widget/installations', {
      token: await api.token(userId),
      body: {
        integrationId: SELF_INTEGRATION_ID,
        values: [
          {
            workflowId: CONFIGURED_WORKFLOW_ID,
            blockId: 'send',
            name: 'url',
            value: '/sandbox/demo-store/admin/api/stores/acme-shop/rotate-key',
          },
        ],
      },
    });
    assert.equal(install.statusCode, 201, install.body);
    const fired = await api.call('POST', '/run/event', { body: { event: SELF_EVENT, userId, data: {} } });
    assert.equal(fired.statusCode, 200, fired.body);
    await waitFor(
      'the run',
      async () => (await api.server.ctx.runtime.queue.get(fired.json().eventId))?.status === 'failed',
    );

    const errorOf = async (workflowId: string) =>
      (await api.call('GET', `/workflows/${workflowId}/errors?userId=${userId}`)).json().data[0]?.message as string;
    assert.match(await errorOf(CONFIGURED_WORKFLOW_ID), /allowed only as written in the workflow definition/);
    assert.match(await errorOf(AUTHORED_WORKFLOW_ID), /outside the allowed prefixes \(\/demo\/api\/inbox\/\)/);
    assert.equal((await api.storeCredential()).apiKey, keyBefore, 'the store key was not rotated');
  });

  test('definitions: a configurable URL field cannot default to a path on this server, nor a path be templated', () => {
    const validateDefinitions = (definition: unknown, file: string) =>
      parseDefinitionFile(file, JSON.stringify(definition));
    const base = selfCallIntegration();
    const withUrl = (url: Record<string, unknown>) => {
      const copy = JSON.parse(JSON.stringify(base)) as {
        workflows: { versions: { blocks: { fields: unknown[] }[] }[] }[];
      };
      copy.workflows[1]!.versions[0]!.blocks[0]!.fields = [{ name: 'url', displayName: 'URL', type: 'text', ...url }];
      return copy;
    };
    assert.throws(
      () => validateDefinitions(withUrl({ userConfigurable: true, value: '/demo/api/inbox/x' }), 'x.json'),
      /a "url" the user can configure must be an http\(s\) URL/,
    );
    assert.throws(
      () => validateDefinitions(withUrl({ value: '/demo/api/inbox/{{trigger.id}}' }), 'x.json'),
      /cannot contain templates/,
    );
    assert.doesNotThrow(() => validateDefinitions(withUrl({ value: '/demo/api/inbox/x' }), 'x.json'));
  });

  test('configuration: ALLOY_RELATIVE_URL_PREFIXES is a list of paths ending in /, empty by default', () => {
    assert.deepEqual(configFromEnv({}, '/srv').relativeUrlPrefixes, []);
    assert.deepEqual(
      configFromEnv({ ALLOY_RELATIVE_URL_PREFIXES: '/isv/inbox/, /hooks/' }, '/srv').relativeUrlPrefixes,
      ['/isv/inbox/', '/hooks/'],
    );
    for (const bad of ['/isv/inbox', 'isv/', '/a/../b/', '//evil/', '/a%2f/']) {
      assert.throws(
        () => configFromEnv({ ALLOY_RELATIVE_URL_PREFIXES: bad }, '/srv'),
        /ALLOY_RELATIVE_URL_PREFIXES/,
        bad,
      );
    }
  });
});
