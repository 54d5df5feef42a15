import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findConnector } from '../../src/server/connections/connectors/index.js';
import { rawRow, rawRun } from '../helpers/engine.js';
import { TEST_OWNER_SECRET } from '../helpers/sandbox-owner.js';
import { EVENT_WORKFLOW_ID, INTEGRATION_ID, PREFIX_FIELD, startApi, UNKNOWN_ID, waitFor, type Api } from './support.js';

let api: Api;

before(async () => {
  api = await startApi();
});

after(async () => {
  await api.server.dispose();
});

const HOST_ORIGIN = 'http://host.example:8080';

/** The consent form's hidden fields and the browser-binding cookie, as a browser would keep them. */
function consentForm(html: string, setCookie: string | null): { fields: URLSearchParams; cookie: string } {
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1];
  const csrfToken = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
  const cookie = setCookie?.split(';')[0];
  assert.ok(requestId && csrfToken && cookie, 'the consent page has request_id, csrf_token and its cookie');
  return { fields: new URLSearchParams({ request_id: requestId, csrf_token: csrfToken }), cookie };
}

const dataAttribute = (html: string, name: string): string | undefined =>
  new RegExp(`data-${name}="([^"]*)"`).exec(html)?.[1];

async function startSession(token: string, body: Record<string, unknown> = {}) {
  return api.call('POST', '/widget/oauth/sessions', {
    token,
    body: { app: 'demoStore', fields: { shop: 'acme-shop' }, origin: HOST_ORIGIN, ...body },
  });
}

/** The browser-binding cookie each session's start gave "the browser", by the session's state. */
const startCookies = new Map<string, string>();

/** Opens a start URL as the popup would, keeping the binding cookie it sets. */
async function openStart(authorizeUrl: string): Promise<Response> {
  const start = await fetch(authorizeUrl, { redirect: 'manual' });
  const cookie = start.headers.get('set-cookie')?.split(';')[0];
  const location = start.headers.get('location');
  if (cookie && location) startCookies.set(new URL(location).searchParams.get('state')!, cookie);
  return start;
}

/** Goes to a callback URL in the browser that opened the session's start URL (with its cookie). */
const inStartBrowser = (url: string | URL): Promise<Response> => {
  const cookie = startCookies.get(new URL(url).searchParams.get('state') ?? '');
  return fetch(url, cookie ? { headers: { cookie } } : {});
};

/** Over real HTTP: start → provider's authorize page → Approve/Deny (with its CSRF cookie) → where the provider sends the browser. */
async function throughConsent(authorizeUrl: string, decision: 'approve' | 'deny'): Promise<URL> {
  const start = await openStart(authorizeUrl);
  assert.equal(start.status, 303);
  assert.equal(start.headers.get('referrer-policy'), 'no-referrer');
  const providerUrl = new URL(start.headers.get('location')!);
  assert.equal(providerUrl.pathname, '/sandbox/demo-store/oauth/authorize');
  assert.equal(providerUrl.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(providerUrl.searchParams.get('shop'), 'acme-shop');
  assert.equal(providerUrl.searchParams.get('redirect_uri'), api.url('/oauth/callback'));
  const page = await fetch(providerUrl);
  assert.equal(page.status, 200);
  const form = consentForm(await page.text(), page.headers.get('set-cookie'));
  form.fields.set('decision', decision);
  // Approving is the store owner's call: the consent form asks for the owner secret.
  form.fields.set('owner_secret', TEST_OWNER_SECRET);
  const consent = await fetch(api.url('/sandbox/demo-store/oauth/consent'), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
    body: form.fields.toString(),
  });
  assert.equal(consent.status, 303);
  return new URL(consent.headers.get('location')!);
}

describe('GET /widget/integrations/:id/apps', () => {
  test('lists Demo Store with its API-key fields, its OAuth pre-field and the user’s connections, newest first', async () => {
    const userId = await api.createUser('apps-lister');
    const token = await api.token(userId);
    const empty = await api.call('GET', `/widget/integrations/${INTEGRATION_ID}/apps`, { token });
    assert.equal(empty.statusCode, 200, empty.body);
    const [app, ...others] = empty.json().data;
    assert.equal(others.length, 0);
    assert.equal(app.app, 'demoStore');
    assert.equal(app.name, 'Demo Store');
    assert.match(app.icon, /^http:\/\/localhost:\d+\/static\/icons\/demo-store\.svg$/);
    assert.deepEqual(
      app.fields.map((f: { name: string; type: string; required: boolean }) => [f.name, f.type, f.required]),
      [
        ['apiKey', 'secret', true],
        ['storeId', 'text', true],
      ],
    );
    assert.deepEqual(
      app.oauth.preOAuthFields.map((f: { name: string }) => f.name),
      ['shop'],
    );
    assert.deepEqual(app.connections, []);

    const first = await api.createCredential(userId);
    const second = await api.createCredential(userId);
    const listed = (await api.call('GET', `/widget/integrations/${INTEGRATION_ID}/apps`, { token })).json().data[0];
    assert.deepEqual(
      listed.connections.map((c: { credentialId: string }) => c.credentialId),
      [second, first],
    );
    assert.equal(listed.connections[0].name, 'Demo Store acme-shop');
  });

  test('an unknown integration is 404, a bad id 400, no token 401', async () => {
    const token = await api.token(await api.createUser('apps-bad'));
    assert.equal((await api.call('GET', `/widget/integrations/${UNKNOWN_ID}/apps`, { token })).statusCode, 404);
    assert.equal((await api.call('GET', '/widget/integrations/nope/apps', { token })).statusCode, 400);
    assert.equal(
      (await api.call('GET', `/widget/integrations/${INTEGRATION_ID}/apps`, { key: 'none' })).statusCode,
      401,
    );
  });
});

describe('POST /widget/credentials', () => {
  test('tests the connection, stores it and answers its id and name', async () => {
    const userId = await api.createUser('widget-connector');
    const token = await api.token(userId);
    const response = await api.call('POST', '/widget/credentials', {
      token,
      body: { app: 'demoStore', fields: await api.storeCredential() },
    });
    assert.equal(response.statusCode, 200, response.body);
    const { credentialId, name } = response.json();
    assert.equal(name, 'Demo Store acme-shop');
    assert.deepEqual(
      (await api.call('GET', `/users/${userId}/credentials`))
        .json()
        .data.map((c: { credentialId: string }) => c.credentialId),
      [credentialId],
    );
    assert.ok(!response.body.includes((await api.storeCredential()).apiKey), 'the key never comes back');
  });

  test('a key the store refuses is credential_invalid on the apiKey field; an unknown store on storeId', async () => {
    const token = await api.token(await api.createUser('widget-refused'));
    const { storeId } = await api.storeCredential();
    const wrongKey = await api.call('POST', '/widget/credentials', {
      token,
      body: { app: 'demoStore', fields: { apiKey: 'dsk_not_a_real_key_000000', storeId } },
    });
    assert.equal(wrongKey.statusCode, 400, wrongKey.body);
    assert.equal(wrongKey.json().error.code, 'credential_invalid');
    assert.deepEqual(wrongKey.json().error.issues[0].path, ['fields', 'apiKey']);

    const other = await api.createStore('Other Shop', 'other-shop');
    const otherStore = await api.call('POST', '/widget/credentials', {
      token,
      body: { app: 'demoStore', fields: { apiKey: other.apiKey, storeId: 'no-such-store' } },
    });
    assert.equal(otherStore.statusCode, 400, otherStore.body);
    assert.equal(otherStore.json().error.code, 'credential_invalid');
    assert.deepEqual(otherStore.json().error.issues[0].path, ['fields', 'storeId']);
  });

  test('missing and malformed fields are validation_failed per field; unknown apps 400; no token 401', async () => {
    const token = await api.token(await api.createUser('widget-invalid'));
    const response = await api.call('POST', '/widget/credentials', {
      token,
      body: { app: 'demoStore', fields: { storeId: 'Bad Store!', extra: 'x' } },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error.code, 'validation_failed');
    assert.deepEqual(
      response.json().error.issues.map((i: { path: string[] }) => i.path.join('.')),
      ['fields.extra', 'fields.apiKey', 'fields.storeId'],
    );
    const unknown = await api.call('POST', '/widget/credentials', { token, body: { app: 'shopify', fields: {} } });
    assert.equal(unknown.statusCode, 400);
    assert.deepEqual(unknown.json().error.issues[0].path, ['app']);
    assert.equal(
      (await api.call('POST', '/widget/credentials', { token, body: { app: 'demoStore' } })).statusCode,
      400,
    );
    assert.equal(
      (await api.call('POST', '/widget/credentials', { key: 'none', body: { app: 'demoStore', fields: {} } }))
        .statusCode,
      401,
    );
  });

  test('the app unreachable is 502 app_unreachable', async () => {
    const token = await api.token(await api.createUser('widget-unreachable'));
    // The connector calls the store at the server's public URL; point it at a closed port.
    const runtime = api.server.ctx.runtime as unknown as { deps: { publicUrl: () => string } };
    const original = runtime.deps.publicUrl;
    runtime.deps.publicUrl = () => 'http://127.0.0.1:9';
    try {
      const response = await api.call('POST', '/widget/credentials', {
        token,
        body: { app: 'demoStore', fields: await api.storeCredential() },
      });
      assert.equal(response.statusCode, 502, response.body);
      assert.equal(response.json().error.code, 'app_unreachable');
    } finally {
      runtime.deps.publicUrl = original;
    }
  });
});

describe('OAuth with the sandbox provider', () => {
  test('start → consent → callback: the session succeeds and the connection runs a workflow', async () => {
    const userId = await api.createUser('oauth-approver');
    const token = await api.token(userId);
    const started = await startSession(token);
    assert.equal(started.statusCode, 201, started.body);
    const session = started.json();
    assert.equal(session.authorizeUrl, api.url(`/oauth/start/${session.sessionId}`));
    assert.ok(Date.parse(session.expiresAt) > Date.now() + 9 * 60_000);
    const pending = await api.call('GET', `/widget/oauth/sessions/${session.sessionId}`, { token });
    assert.equal(pending.json().status, 'pending');

    const back = await throughConsent(session.authorizeUrl, 'approve');
    assert.equal(back.origin + back.pathname, api.url('/oauth/callback'));
    assert.equal(back.searchParams.get('state'), session.state);
    const callback = await inStartBrowser(back);
    assert.equal(callback.status, 200);
    const html = await callback.text();
    assert.equal(callback.headers.get('referrer-policy'), 'no-referrer');
    const csp = callback.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'[;]/);
    assert.doesNotMatch(html, /<script>(?!<\/script>)|<script(?![^>]*src=)/, 'no inline script');
    assert.equal(dataAttribute(html, 'origin'), HOST_ORIGIN);
    assert.equal(dataAttribute(html, 'session-id'), session.sessionId);
    assert.equal(dataAttribute(html, 'state'), session.state);
    assert.equal(dataAttribute(html, 'status'), 'succeeded');
    assert.doesNotMatch(html, /access_token|dsat_|Bearer/i, 'no token on the page');
    const script = await fetch(api.url('/oauth/callback.js'));
    assert.equal(script.status, 200);
    assert.match(await script.text(), /postMessage\([\s\S]*origin/);

    const done = (await api.call('GET', `/widget/oauth/sessions/${session.sessionId}`, { token })).json();
    assert.equal(done.status, 'succeeded');
    assert.equal(done.name, 'Demo Store acme-shop');
    const data = await api.server.ctx.credentials.reveal(userId, done.credentialId);
    assert.ok(data.accessToken && data.refreshToken && data.expiresAt);
    assert.equal(data.storeId, 'acme-shop');

    // The OAuth connection does real work: install, then Fulfillment Updated changes an order.
    await api.installWithWidget(userId);
    const order = await fetch(api.url('/sandbox/demo-store/api/v1/stores/acme-shop/orders'), {
      method: 'POST',
      headers: { authorization: `Bearer ${data.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        customer: { email: 'o@example.com', name: 'O Auth' },
        items: [{ name: 'Mug', quantity: 1, unitPrice: 900 }],
      }),
    });
    assert.equal(order.status, 201);
    const orderId = ((await order.json()) as { id: string }).id;
    const fired = await api.call('POST', '/run/event', {
      body: { event: 'Fulfillment Updated', userId, data: { orderId, status: 'fulfilled' } },
    });
    assert.equal(fired.statusCode, 200, fired.body);
    const row = await waitFor('the run', async () => {
      const queued = await api.server.ctx.runtime.queue.get(fired.json().eventId);
      return queued && (queued.status === 'done' || queued.status === 'failed') ? queued : undefined;
    });
    assert.equal(row.status, 'done');
    const stored = await fetch(api.url(`/sandbox/demo-store/api/v1/stores/acme-shop/orders/${orderId}`), {
      headers: { authorization: `Bearer ${data.accessToken}` },
    });
    assert.equal(((await stored.json()) as { status: string }).status, 'fulfilled');
    const logs = (await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs?userId=${userId}`)).json().data;
    assert.equal(logs[0].status, 'success');

    // An access token about to expire is refreshed before the run, and the rotated tokens stored.
    await api.server.ctx.credentials.replaceData(userId, done.credentialId, {
      ...data,
      expiresAt: new Date(Date.now() + 5_000).toISOString(),
    });
    const again = await api.call('POST', '/run/event', {
      body: { event: 'Fulfillment Updated', userId, data: { orderId, status: 'shipped' } },
    });
    const second = await waitFor('the second run', async () => {
      const queued = await api.server.ctx.runtime.queue.get(again.json().eventId);
      return queued && (queued.status === 'done' || queued.status === 'failed') ? queued : undefined;
    });
    assert.equal(
      second.status,
      'done',
      JSON.stringify((await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs?userId=${userId}`)).json().data[0]),
    );
    const refreshed = await api.server.ctx.credentials.reveal(userId, done.credentialId);
    assert.notEqual(refreshed.accessToken, data.accessToken);
    assert.notEqual(refreshed.refreshToken, data.refreshToken);
    assert.ok(Date.parse(refreshed.expiresAt!) > Date.now() + 30 * 60_000);

    // The callback cannot be replayed: the state was used.
    const replay = await inStartBrowser(back);
    assert.equal(replay.status, 400);
    assert.equal(dataAttribute(await replay.text(), 'origin'), undefined, 'nothing is posted on a replay');
    // And the start URL of a finished session ends.
    assert.equal((await fetch(session.authorizeUrl, { redirect: 'manual' })).status, 404);
  });

  test('concurrent refreshes make one token request; a revoked grant fails the run without retrying', async () => {
    const userId = await api.createUser('oauth-refresher');
    const token = await api.token(userId);
    const session = (await startSession(token)).json();
    await inStartBrowser(await throughConsent(session.authorizeUrl, 'approve'));
    const { credentialId } = (await api.call('GET', `/widget/oauth/sessions/${session.sessionId}`, { token })).json();
    const { ctx } = api.server;
    const connector = findConnector('demoStore')!;
    const data = await ctx.credentials.reveal(userId, credentialId);
    await ctx.credentials.replaceData(userId, credentialId, { ...data, expiresAt: new Date().toISOString() });
    const dying = await ctx.credentials.reveal(userId, credentialId);
    // Refresh tokens rotate: a second refresh with the old one would revoke the grant.
    const [a, b] = await Promise.all([
      ctx.oauth.fresh(userId, credentialId, connector, dying),
      ctx.oauth.fresh(userId, credentialId, connector, dying),
    ]);
    assert.equal(a.accessToken, b.accessToken);
    assert.notEqual(a.accessToken, data.accessToken);
    const status = await fetch(api.url('/sandbox/demo-store/api/v1/stores/acme-shop'), {
      headers: { authorization: `Bearer ${a.accessToken}` },
    });
    assert.equal(status.status, 200, 'the grant survived');

    // The user revokes the app's access: the next refresh is refused and the run fails for good.
    const client = await api.server.sandbox!.embeddedClient();
    const revoked = await fetch(api.url('/sandbox/demo-store/oauth/revoke'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: a.refreshToken!,
        client_id: client.clientId,
        client_secret: client.clientSecret,
      }).toString(),
    });
    assert.equal(revoked.status, 200);
    await ctx.credentials.replaceData(userId, credentialId, { ...a, expiresAt: new Date().toISOString() });
    await api.installWithWidget(userId);
    const fired = await api.call('POST', '/run/event', {
      body: { event: 'Fulfillment Updated', userId, data: { orderId: 'ord_any', status: 'paid' } },
    });
    const row = await waitFor('the run', async () => {
      const queued = await ctx.runtime.queue.get(fired.json().eventId);
      return queued && (queued.status === 'done' || queued.status === 'failed') ? queued : undefined;
    });
    assert.equal(row.status, 'failed');
    const logs = (await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs?userId=${userId}`)).json().data;
    assert.match(logs[0].results[1].error, /refused the connection: the access token could not be refreshed/);
  });

  test('Deny → the session is cancelled and no credential is stored', async () => {
    const userId = await api.createUser('oauth-denier');
    const token = await api.token(userId);
    const session = (await startSession(token)).json();
    const back = await throughConsent(session.authorizeUrl, 'deny');
    assert.equal(back.searchParams.get('error'), 'access_denied');
    const callback = await inStartBrowser(back);
    assert.equal(callback.status, 200);
    assert.equal(dataAttribute(await callback.text(), 'status'), 'cancelled');
    const view = (await api.call('GET', `/widget/oauth/sessions/${session.sessionId}`, { token })).json();
    assert.equal(view.status, 'cancelled');
    assert.equal(view.credentialId, undefined);
    assert.deepEqual((await api.call('GET', `/users/${userId}/credentials`)).json().data, []);
  });

  test('a state no session has is refused; a forged code fails the session it belongs to', async () => {
    const userId = await api.createUser('oauth-forger');
    const token = await api.token(userId);
    const session = (await startSession(token)).json();
    const forged = await fetch(api.url(`/oauth/callback?code=abc&state=not-the-state`));
    assert.equal(forged.status, 400);
    assert.equal(forged.headers.get('referrer-policy'), 'no-referrer');
    assert.equal((await fetch(api.url('/oauth/callback'))).status, 400);
    assert.equal(
      (await api.call('GET', `/widget/oauth/sessions/${session.sessionId}`, { token })).json().status,
      'pending',
      'a wrong state leaves the real session alone',
    );
    assert.equal((await openStart(session.authorizeUrl)).status, 303);
    const badCode = await inStartBrowser(api.url(`/oauth/callback?code=not-a-code&state=${session.state}`));
    assert.equal(dataAttribute(await badCode.text(), 'status'), 'failed');
    const view = (await api.call('GET', `/widget/oauth/sessions/${session.sessionId}`, { token })).json();
    assert.equal(view.status, 'failed');
    assert.match(view.message, /invalid_grant|code/i);
  });

  test('an expired session reads expired and its callback does not store anything', async () => {
    const userId = await api.createUser('oauth-late');
    const token = await api.token(userId);
    const session = (await startSession(token)).json();
    assert.equal((await openStart(session.authorizeUrl)).status, 303);
    await rawRun(
      api.server,
      'UPDATE oauth_sessions SET expires_at = ? WHERE id = ?',
      new Date(Date.now() - 1000).toISOString(),
      session.sessionId,
    );
    const view = (await api.call('GET', `/widget/oauth/sessions/${session.sessionId}`, { token })).json();
    assert.equal(view.status, 'expired');
    assert.equal((await fetch(session.authorizeUrl, { redirect: 'manual' })).status, 404);
    const late = await inStartBrowser(api.url(`/oauth/callback?code=whatever&state=${session.state}`));
    assert.equal(dataAttribute(await late.text(), 'status'), 'expired');
    assert.deepEqual((await api.call('GET', `/users/${userId}/credentials`)).json().data, []);
    // A day after it expired, the retention job removes the session.
    assert.ok((await api.server.ctx.retention.runOnce(Date.now() + 25 * 60 * 60 * 1000)).oauthSessions >= 1);
    assert.equal((await api.call('GET', `/widget/oauth/sessions/${session.sessionId}`, { token })).statusCode, 404);
  });

  test('bad input: origins that are not http(s) origins, missing pre-OAuth fields, API-key-only apps', async () => {
    const token = await api.token(await api.createUser('oauth-bad-input'));
    for (const origin of [
      'javascript:alert(1)',
      'https://host.example/path',
      'null',
      '*',
      'https://u:p@host.example',
    ]) {
      const response = await startSession(token, { origin });
      assert.equal(response.statusCode, 400, origin);
      assert.deepEqual(response.json().error.issues[0].path, ['origin']);
    }
    const noShop = await startSession(token, { fields: {} });
    assert.equal(noShop.statusCode, 400);
    assert.deepEqual(noShop.json().error.issues[0].path, ['fields', 'shop']);
    const badShop = await startSession(token, { fields: { shop: 'Not A Shop!' } });
    assert.equal(badShop.statusCode, 400);
    assert.equal((await startSession(token, { app: 'shopify' })).statusCode, 400);
    assert.equal((await api.call('POST', '/widget/oauth/sessions', { key: 'none', body: {} })).statusCode, 401);
  });

  test('another user’s session is a 404; unknown sessions too', async () => {
    const owner = await api.token(await api.createUser('oauth-owner'));
    const stranger = await api.token(await api.createUser('oauth-stranger'));
    const session = (await startSession(owner)).json();
    assert.equal(
      (await api.call('GET', `/widget/oauth/sessions/${session.sessionId}`, { token: stranger })).statusCode,
      404,
    );
    assert.equal((await api.call('GET', `/widget/oauth/sessions/${UNKNOWN_ID}`, { token: owner })).statusCode, 404);
  });
});

describe('widget installs record their connection', () => {
  test('the newest connection by default; credentialIds picks another; a stranger’s credential is refused', async () => {
    const userId = await api.createUser('chooser');
    const token = await api.token(userId);
    const older = await api.createCredential(userId);
    const newer = await api.createCredential(userId);
    const installationId = await api.installWithWidget(userId);
    const linked = async () =>
      (await rawRow<{ credential_id: string }>(
        api.server,
        'SELECT credential_id FROM installation_credentials WHERE installation_id = ?',
        installationId,
      ))!.credential_id;
    assert.equal(await linked(), newer);

    const install = (credentialIds: Record<string, string>) =>
      api.call('POST', '/widget/installations', {
        token,
        body: { integrationId: INTEGRATION_ID, values: [{ ...PREFIX_FIELD, value: 'DS-' }], credentialIds },
      });
    const picked = await install({ demoStore: older });
    assert.equal(picked.statusCode, 201, picked.body);
    assert.equal(picked.json().installationId, installationId);
    assert.equal(await linked(), older);

    const strangerCredential = await api.createCredential(await api.createUser('not-the-chooser'));
    const refused = await install({ demoStore: strangerCredential });
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(refused.json().error.issues[0].path, ['credentialIds', 'demoStore']);
    assert.equal((await install({ shopify: older })).statusCode, 400);
  });
});
