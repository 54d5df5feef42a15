import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { OAuthClientCredentials } from '../../src/sandbox/index.js';
import {
  API,
  STORE_PATH,
  TEST_REDIRECT_URI,
  authorizeUrl,
  basicAuth,
  bearer,
  connect,
  createStore,
  obtainCode,
  parseConsentPage,
  pkcePair,
  redirectTarget,
  registerTestClient,
  sandboxDb,
  startSandboxServer,
  submitConsent,
  tokenRequest,
  type SandboxTestServer,
} from './sandbox-helpers.js';

let server: SandboxTestServer;
let client: OAuthClientCredentials;

before(async () => {
  server = await startSandboxServer();
  client = await registerTestClient(server, [TEST_REDIRECT_URI, 'http://localhost:5173/cb']);
});
after(async () => {
  await server.dispose();
});

const authorize = (params: Parameters<typeof authorizeUrl>[0]) =>
  server.inject({ method: 'GET', url: authorizeUrl(params) });

const exchange = (code: string, verifier: string | undefined, redirectUri = TEST_REDIRECT_URI, who = client) =>
  tokenRequest(
    server,
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      ...(verifier === undefined ? {} : { code_verifier: verifier }),
    },
    basicAuth(who),
  );

const listOrders = (token: string, storeId = 'acme-shop') =>
  server.inject({ method: 'GET', url: `${API}/stores/${storeId}/orders`, headers: bearer(token) });

describe('authorize: the consent page', () => {
  test('renders an escaped, script-free page with a strict CSP, no referrer and a browser-bound cookie', async () => {
    const hostile = await registerTestClient(server, [TEST_REDIRECT_URI], '<script>alert(1)</script> & "Co"');
    const response = await authorize({ clientId: hostile.clientId });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    const csp = String(response.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    // The POST's redirect goes to the client's origin, which form-action must allow.
    assert.match(csp, /form-action 'self' https:\/\/isv\.example/);
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
    assert.equal(response.headers['x-frame-options'], 'DENY');
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.doesNotMatch(response.body, /<script/i);
    assert.ok(response.body.includes('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;Co&#34;'));
    assert.match(response.body, /Acme Shop/);
    assert.match(response.body, /name="decision" value="approve"/);
    assert.match(response.body, /name="decision" value="deny"/);
    const cookie = String(response.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\/sandbox\/demo-store\/oauth/);
  });

  test('lists only the requested scopes, and defaults to all of them', async () => {
    const narrow = await authorize({ clientId: client.clientId, scope: 'orders:read' });
    assert.match(narrow.body, /orders:read/);
    assert.doesNotMatch(narrow.body, /orders:write|customers:|webhooks:/);
    const all = await authorize({ clientId: client.clientId });
    for (const scope of ['orders:read', 'orders:write', 'customers:write', 'webhooks:write']) {
      assert.ok(all.body.includes(scope), scope);
    }
  });

  test('an unknown client or an unregistered redirect_uri is an error page, never a redirect', async () => {
    const cases = [
      authorizeUrl({ clientId: 'nobody' }),
      authorizeUrl({ clientId: client.clientId, redirectUri: 'https://evil.example/oauth/callback' }),
      authorizeUrl({ clientId: client.clientId, redirectUri: `${TEST_REDIRECT_URI}/` }),
      authorizeUrl({ clientId: client.clientId, redirectUri: `${TEST_REDIRECT_URI}?next=x` }),
      authorizeUrl({ clientId: client.clientId, redirectUri: 'https://ISV.example/oauth/callback' }),
      authorizeUrl({ clientId: client.clientId, redirectUri: 'http://localhost:5174/cb' }),
      authorizeUrl({ clientId: client.clientId, omit: ['redirect_uri'] }),
      authorizeUrl({ clientId: client.clientId, omit: ['client_id'] }),
      `${authorizeUrl({ clientId: client.clientId })}&redirect_uri=${encodeURIComponent(TEST_REDIRECT_URI)}`,
    ];
    for (const url of cases) {
      const response = await server.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 400, url);
      assert.equal(response.headers.location, undefined, url);
      assert.match(response.body, /<h1 id="error-title">/, url);
      assert.equal(response.headers['set-cookie'], undefined, url);
    }
  });

  test('other bad requests go back to the client with an error and the state', async () => {
    const cases: [Parameters<typeof authorizeUrl>[0], string, string | null][] = [
      [{ clientId: client.clientId, omit: ['code_challenge'] }, 'invalid_request', 'state-123'],
      [{ clientId: client.clientId, extra: { code_challenge_method: 'plain' } }, 'invalid_request', 'state-123'],
      [{ clientId: client.clientId, challenge: 'too-short' }, 'invalid_request', 'state-123'],
      [{ clientId: client.clientId, omit: ['state'] }, 'invalid_request', null],
      [{ clientId: client.clientId, state: '' }, 'invalid_request', null],
      [{ clientId: client.clientId, extra: { response_type: 'token' } }, 'unsupported_response_type', 'state-123'],
      [{ clientId: client.clientId, omit: ['response_type'] }, 'invalid_request', 'state-123'],
      [{ clientId: client.clientId, scope: 'orders:read admin' }, 'invalid_scope', 'state-123'],
      [{ clientId: client.clientId, scope: ' ' }, 'invalid_scope', 'state-123'],
      [{ clientId: client.clientId, shop: 'no-such-shop' }, 'invalid_request', 'state-123'],
      [{ clientId: client.clientId, omit: ['shop'] }, 'invalid_request', 'state-123'],
    ];
    for (const [params, error, state] of cases) {
      const target = redirectTarget(await authorize(params));
      assert.equal(target.origin + target.pathname, TEST_REDIRECT_URI, JSON.stringify(params));
      assert.equal(target.searchParams.get('error'), error, JSON.stringify(params));
      assert.equal(target.searchParams.get('state'), state, JSON.stringify(params));
      assert.equal(target.searchParams.get('code'), null);
      assert.ok(target.searchParams.get('error_description'));
    }
    const repeated = redirectTarget(
      await server.inject({ method: 'GET', url: `${authorizeUrl({ clientId: client.clientId })}&scope=a&scope=b` }),
    );
    assert.equal(repeated.searchParams.get('error'), 'invalid_request');
  });

  test("the Embedded server's client accepts its own callback at the server's public URL", async () => {
    const embedded = await server.sandbox!.embeddedClient();
    assert.equal(embedded.clientId, 'alloy-embedded');
    assert.match(embedded.clientSecret, /^dscs_[\w-]{40,}$/);
    const callback = `${server.ctx.publicUrl}/oauth/callback`;
    const page = parseConsentPage(await authorize({ clientId: embedded.clientId, redirectUri: callback }));
    const target = redirectTarget(await submitConsent(server, page, 'approve'));
    assert.equal(`${target.origin}${target.pathname}`, callback);
    assert.ok(target.searchParams.get('code'));
    const elsewhere = await authorize({
      clientId: embedded.clientId,
      redirectUri: 'https://isv.example/oauth/callback',
    });
    assert.equal(elsewhere.statusCode, 400);
  });
});

describe('consent answers', () => {
  test('approve → code + the exact state → token → the API answers for that store', async () => {
    const state = 'a b&c=d/é?#x';
    const { verifier, challenge } = pkcePair();
    const page = parseConsentPage(await authorize({ clientId: client.clientId, state, challenge }));
    const answer = await submitConsent(server, page, 'approve');
    assert.equal(answer.headers['referrer-policy'], 'no-referrer');
    assert.match(String(answer.headers['set-cookie']), /Max-Age=0/);
    const target = redirectTarget(answer);
    assert.equal(`${target.origin}${target.pathname}`, TEST_REDIRECT_URI);
    assert.equal(target.searchParams.get('state'), state);
    const code = target.searchParams.get('code');
    assert.match(String(code), /^dsac_[\w-]{40,}$/);

    const response = await exchange(String(code), verifier);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers.pragma, 'no-cache');
    const tokens = response.json();
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, 3600);
    assert.equal(tokens.store_id, 'acme-shop');
    assert.equal(tokens.scope, 'orders:read orders:write customers:read customers:write webhooks:read webhooks:write');
    assert.match(tokens.access_token, /^dsat_/);
    assert.match(tokens.refresh_token, /^dsrt_/);

    const orders = await listOrders(tokens.access_token);
    assert.equal(orders.statusCode, 200, orders.body);
    assert.deepEqual(orders.json().data, []);
    const store = await server.inject({ method: 'GET', url: `${API}/store`, headers: bearer(tokens.access_token) });
    assert.equal(store.json().id, 'acme-shop');
  });

  test('tokens are stored hashed: no raw token or code in the database', async () => {
    const tokens = await connect(server, client);
    const rows = await sandboxDb(server).selectFrom('sandbox_oauth_tokens').select('token_hash').execute();
    assert.ok(rows.length >= 2);
    const dump = JSON.stringify(rows);
    assert.ok(!dump.includes(tokens.access_token) && !dump.includes(tokens.refresh_token));
    assert.ok(rows.every((row) => /^[0-9a-f]{64}$/.test(row.token_hash)));
  });

  test('deny → error=access_denied with the state, no code', async () => {
    const page = parseConsentPage(await authorize({ clientId: client.clientId, state: 'deny-state' }));
    const target = redirectTarget(await submitConsent(server, page, 'deny'));
    assert.equal(target.searchParams.get('error'), 'access_denied');
    assert.equal(target.searchParams.get('state'), 'deny-state');
    assert.equal(target.searchParams.get('code'), null);
  });

  test('the CSRF token works once, only with the cookie of the browser that loaded the page', async () => {
    const page = parseConsentPage(await authorize({ clientId: client.clientId }));
    const wrongToken = await submitConsent(server, page, 'approve', { csrfToken: 'csrf_forged' });
    assert.equal(wrongToken.statusCode, 403);
    assert.equal(wrongToken.headers.location, undefined);
    const noCookie = await submitConsent(server, page, 'approve', { cookie: null });
    assert.equal(noCookie.statusCode, 403);
    const otherPage = parseConsentPage(await authorize({ clientId: client.clientId }));
    const otherCookie = await submitConsent(server, page, 'approve', {
      cookie: `${page.cookie.split('=')[0]}=${otherPage.cookie.split('=')[1]}`,
    });
    assert.equal(otherCookie.statusCode, 403);

    // Forged attempts do not use the request up; the real one works, once.
    redirectTarget(await submitConsent(server, page, 'approve'));
    const replay = await submitConsent(server, page, 'approve');
    assert.equal(replay.statusCode, 400);
    assert.equal(replay.headers.location, undefined);
    assert.match(replay.body, /already answered/i);
    const denyAfter = await submitConsent(server, page, 'deny');
    assert.equal(denyAfter.statusCode, 400);
  });

  test('an expired consent request cannot be answered', async () => {
    const page = parseConsentPage(await authorize({ clientId: client.clientId }));
    await sandboxDb(server)
      .updateTable('sandbox_oauth_requests')
      .set({ expires_at: Date.now() - 1 })
      .where('id', '=', page.requestId)
      .execute();
    const response = await submitConsent(server, page, 'approve');
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /expired/i);
  });

  test('a malformed consent form is a 400 page', async () => {
    for (const payload of ['decision=approve', 'request_id=authreq_x&csrf_token=a&decision=maybe', 'a=1&a=2']) {
      const response = await server.inject({
        method: 'POST',
        url: `${STORE_PATH}/oauth/consent`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload,
      });
      assert.equal(response.statusCode, 400, payload);
    }
  });
});

describe('token endpoint: authorization_code', () => {
  test('a missing or wrong PKCE verifier fails, and burns the code', async () => {
    const first = await obtainCode(server, { clientId: client.clientId });
    const missing = await exchange(first.code, undefined);
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().error, 'invalid_grant');
    assert.match(missing.json().error_description, /code_verifier/);
    assert.equal((await exchange(first.code, first.verifier)).json().error, 'invalid_grant');

    const second = await obtainCode(server, { clientId: client.clientId });
    const wrong = await exchange(second.code, pkcePair().verifier);
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error, 'invalid_grant');
    assert.equal((await exchange(second.code, second.verifier)).statusCode, 400);

    const third = await obtainCode(server, { clientId: client.clientId });
    const malformed = await exchange(third.code, 'short');
    assert.equal(malformed.json().error, 'invalid_grant');
  });

  test('a reused code fails and revokes the tokens the first use produced', async () => {
    const { code, verifier } = await obtainCode(server, { clientId: client.clientId });
    const first = await exchange(code, verifier);
    assert.equal(first.statusCode, 200);
    const tokens = first.json();
    assert.equal((await listOrders(tokens.access_token)).statusCode, 200);

    const replay = await exchange(code, verifier);
    assert.equal(replay.statusCode, 400);
    assert.equal(replay.json().error, 'invalid_grant');
    assert.match(replay.json().error_description, /already used/);
    const after = await listOrders(tokens.access_token);
    assert.equal(after.statusCode, 401);
    assert.equal(after.json().error.code, 'token_invalid');
    const refresh = await tokenRequest(
      server,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      basicAuth(client),
    );
    assert.equal(refresh.json().error, 'invalid_grant');
  });

  test('an expired code (older than 60 s) fails', async () => {
    const { code, verifier } = await obtainCode(server, { clientId: client.clientId });
    const row = await sandboxDb(server)
      .selectFrom('sandbox_oauth_codes')
      .select('expires_at')
      .orderBy('expires_at', 'desc')
      .executeTakeFirstOrThrow();
    assert.ok(row.expires_at - Date.now() <= 60_000 && row.expires_at > Date.now());
    await sandboxDb(server)
      .updateTable('sandbox_oauth_codes')
      .set({ expires_at: Date.now() - 1 })
      .execute();
    const response = await exchange(code, verifier);
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_grant');
    assert.match(response.json().error_description, /expired/);
  });

  test('the redirect_uri must be the one the code was issued for', async () => {
    const { code, verifier } = await obtainCode(server, {
      clientId: client.clientId,
      redirectUri: 'http://localhost:5173/cb',
    });
    const wrong = await exchange(code, verifier, TEST_REDIRECT_URI);
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error, 'invalid_grant');

    const again = await obtainCode(server, { clientId: client.clientId });
    const missing = await tokenRequest(
      server,
      { grant_type: 'authorization_code', code: again.code, code_verifier: again.verifier },
      basicAuth(client),
    );
    assert.equal(missing.json().error, 'invalid_grant');
  });

  test('a code issued to one client is useless to another', async () => {
    const other = await registerTestClient(server);
    const { code, verifier } = await obtainCode(server, { clientId: client.clientId });
    const response = await exchange(code, verifier, TEST_REDIRECT_URI, other);
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_grant');
  });

  test('JSON bodies and client_secret_post work too', async () => {
    const { code, verifier } = await obtainCode(server, { clientId: client.clientId });
    const response = await server.inject({
      method: 'POST',
      url: `${STORE_PATH}/oauth/token`,
      payload: {
        grant_type: 'authorization_code',
        code,
        redirect_uri: TEST_REDIRECT_URI,
        code_verifier: verifier,
        client_id: client.clientId,
        client_secret: client.clientSecret,
      },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().token_type, 'Bearer');
  });

  test('client authentication failures are 401 invalid_client', async () => {
    const { code, verifier } = await obtainCode(server, { clientId: client.clientId });
    const fields = { grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI, code_verifier: verifier };
    const wrongSecret = await tokenRequest(server, fields, basicAuth({ ...client, clientSecret: 'dscs_wrong' }));
    assert.equal(wrongSecret.statusCode, 401);
    assert.equal(wrongSecret.json().error, 'invalid_client');
    assert.equal(wrongSecret.headers['www-authenticate'], 'Basic realm="Demo Store"');
    const none = await tokenRequest(server, fields);
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error, 'invalid_client');
    const postWrong = await tokenRequest(server, { ...fields, client_id: client.clientId, client_secret: 'nope' });
    assert.equal(postWrong.statusCode, 401);
    const bearerHeader = await tokenRequest(server, fields, { authorization: 'Bearer abc' });
    assert.equal(bearerHeader.statusCode, 401);
    const both = await tokenRequest(server, { ...fields, client_secret: client.clientSecret }, basicAuth(client));
    assert.equal(both.statusCode, 400);
    assert.equal(both.json().error, 'invalid_request');
    // None of these used the code up.
    assert.equal((await tokenRequest(server, fields, basicAuth(client))).statusCode, 200);
  });

  test('bad requests are RFC 6749 errors', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'invalid_request'],
      [{ grant_type: 'password', username: 'a', password: 'b' }, 'unsupported_grant_type'],
      [{ grant_type: 'client_credentials' }, 'unsupported_grant_type'],
      [{ grant_type: 'authorization_code' }, 'invalid_request'],
      [{ grant_type: 'refresh_token' }, 'invalid_request'],
      [{ grant_type: 'authorization_code', code: 'dsac_nope', code_verifier: pkcePair().verifier }, 'invalid_grant'],
    ];
    for (const [fields, error] of cases) {
      const response = await tokenRequest(server, fields, basicAuth(client));
      assert.equal(response.statusCode, 400, JSON.stringify(fields));
      assert.equal(response.json().error, error, JSON.stringify(fields));
      assert.equal(typeof response.json().error_description, 'string');
    }
    const text = await server.inject({
      method: 'POST',
      url: `${STORE_PATH}/oauth/token`,
      headers: { 'content-type': 'text/plain', ...basicAuth(client) },
      payload: 'grant_type=authorization_code',
    });
    assert.equal(text.statusCode, 400);
    assert.equal(text.json().error, 'invalid_request');
    // Found by the hardening suite: an oversize body was a 400; it is a 413, still in the RFC shape.
    const huge = await server.inject({
      method: 'POST',
      url: `${STORE_PATH}/oauth/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...basicAuth(client) },
      payload: `grant_type=authorization_code&code=${'x'.repeat(20 * 1024)}`,
    });
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().error, 'invalid_request');
    const nonString = await server.inject({
      method: 'POST',
      url: `${STORE_PATH}/oauth/token`,
      headers: basicAuth(client),
      payload: { grant_type: ['authorization_code'] },
    });
    assert.equal(nonString.json().error, 'invalid_request');
    const repeated = await server.inject({
      method: 'POST',
      url: `${STORE_PATH}/oauth/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...basicAuth(client) },
      payload: 'grant_type=refresh_token&grant_type=authorization_code',
    });
    assert.equal(repeated.json().error, 'invalid_request');
  });
});

describe('token endpoint: refresh_token', () => {
  const refresh = (token: string, extra: Record<string, string> = {}) =>
    tokenRequest(server, { grant_type: 'refresh_token', refresh_token: token, ...extra }, basicAuth(client));

  test('rotates: a new pair each time, and the old refresh token is rejected after use', async () => {
    const first = await connect(server, client);
    const response = await refresh(first.refresh_token);
    assert.equal(response.statusCode, 200, response.body);
    const second = response.json();
    assert.notEqual(second.access_token, first.access_token);
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal(second.expires_in, 3600);
    assert.equal((await listOrders(second.access_token)).statusCode, 200);

    const third = (await refresh(second.refresh_token)).json();
    assert.equal((await listOrders(third.access_token)).statusCode, 200);

    const reuse = await refresh(first.refresh_token);
    assert.equal(reuse.statusCode, 400);
    assert.equal(reuse.json().error, 'invalid_grant');
    // Reuse means a leak: the whole authorization is revoked, newest tokens included.
    assert.equal((await refresh(third.refresh_token)).json().error, 'invalid_grant');
    assert.equal((await listOrders(third.access_token)).statusCode, 401);
  });

  test('may narrow the scope but never widen it', async () => {
    const tokens = await connect(server, client, { scope: 'orders:read orders:write' });
    const narrowed = await refresh(tokens.refresh_token, { scope: 'orders:read' });
    assert.equal(narrowed.statusCode, 200, narrowed.body);
    assert.equal(narrowed.json().scope, 'orders:read');
    const widened = await refresh(narrowed.json().refresh_token, { scope: 'orders:read customers:write' });
    assert.equal(widened.statusCode, 400);
    assert.equal(widened.json().error, 'invalid_scope');
  });

  test('an expired refresh token or one of another client fails', async () => {
    const tokens = await connect(server, client);
    const other = await registerTestClient(server);
    const foreign = await tokenRequest(
      server,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      basicAuth(other),
    );
    assert.equal(foreign.json().error, 'invalid_grant');
    await sandboxDb(server)
      .updateTable('sandbox_oauth_tokens')
      .set({ expires_at: Date.now() - 1 })
      .where('kind', '=', 'refresh')
      .execute();
    const expired = await refresh(tokens.refresh_token);
    assert.equal(expired.json().error, 'invalid_grant');
    assert.match(expired.json().error_description, /expired/);
  });
});

describe('access tokens on the API', () => {
  test('are scoped to one store and to their scopes', async () => {
    const other = await createStore(server, 'Other Shop', 'other-shop');
    const readOnly = await connect(server, client, { scope: 'orders:read' });
    assert.equal((await listOrders(readOnly.access_token, other.id)).statusCode, 403);
    const create = await server.inject({
      method: 'POST',
      url: `${API}/stores/acme-shop/orders`,
      headers: bearer(readOnly.access_token),
      payload: { customer: { email: 'a@b.co', name: 'A' }, items: [{ name: 'x', quantity: 1, unitPrice: 1 }] },
    });
    assert.equal(create.statusCode, 403);
    assert.equal(create.json().error.code, 'forbidden');
    assert.match(String(create.headers['www-authenticate']), /insufficient_scope/);
    assert.equal(
      (
        await server.inject({
          method: 'GET',
          url: `${API}/stores/acme-shop/customers`,
          headers: bearer(readOnly.access_token),
        })
      ).statusCode,
      403,
    );

    const otherShop = await connect(server, client, { shop: 'other-shop', ownerSecret: other.ownerSecret });
    assert.equal(otherShop.store_id, other.id);
    assert.equal((await listOrders(otherShop.access_token, other.id)).statusCode, 200);
    assert.equal((await listOrders(otherShop.access_token, 'acme-shop')).statusCode, 403);
  });

  test('expire after their lifetime with 401 token_expired', async () => {
    const tokens = await connect(server, client);
    await sandboxDb(server)
      .updateTable('sandbox_oauth_tokens')
      .set({ expires_at: Date.now() - 1 })
      .where('kind', '=', 'access')
      .execute();
    const response = await listOrders(tokens.access_token);
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error.code, 'token_expired');
    assert.match(String(response.headers['www-authenticate']), /error="invalid_token"/);
  });

  test('an unknown token is 401 token_invalid', async () => {
    const response = await listOrders('dsat_not-a-token');
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error.code, 'token_invalid');
  });
});

describe('revocation and metadata', () => {
  test('revoking the refresh token ends the access token too', async () => {
    const tokens = await connect(server, client);
    const revoke = (token: string, who = client) =>
      server.inject({
        method: 'POST',
        url: `${STORE_PATH}/oauth/revoke`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...basicAuth(who) },
        payload: new URLSearchParams({ token }).toString(),
      });
    // Another client cannot revoke it.
    assert.equal((await revoke(tokens.refresh_token, await registerTestClient(server))).statusCode, 200);
    assert.equal((await listOrders(tokens.access_token)).statusCode, 200);

    const response = await revoke(tokens.refresh_token);
    assert.equal(response.statusCode, 200);
    assert.equal((await listOrders(tokens.access_token)).statusCode, 401);
    const refresh = await tokenRequest(
      server,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      basicAuth(client),
    );
    assert.equal(refresh.json().error, 'invalid_grant');
    assert.equal((await revoke('dsat_unknown')).statusCode, 200);
    const unauthenticated = await server.inject({
      method: 'POST',
      url: `${STORE_PATH}/oauth/revoke`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'token=x',
    });
    assert.equal(unauthenticated.statusCode, 401);
  });

  test('RFC 8414 metadata names the endpoints', async () => {
    const response = await server.inject({
      method: 'GET',
      url: `/.well-known/oauth-authorization-server${STORE_PATH}`,
    });
    assert.equal(response.statusCode, 200);
    const metadata = response.json();
    assert.equal(metadata.issuer, `${server.ctx.publicUrl}${STORE_PATH}`);
    assert.equal(metadata.token_endpoint, `${server.ctx.publicUrl}${STORE_PATH}/oauth/token`);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
  });
});

describe('client registration', () => {
  test('refuses http redirect URIs off loopback, fragments and empty lists', async () => {
    for (const uris of [['http://isv.example/cb'], ['https://isv.example/cb#x'], ['not a url'], []]) {
      await assert.rejects(() => registerTestClient(server, uris), JSON.stringify(uris));
    }
    await assert.doesNotReject(() => registerTestClient(server, ['http://127.0.0.1:9999/cb', 'http://[::1]:9/cb']));
  });

  test('the Embedded client secret survives a restart', async () => {
    const before = await server.sandbox!.embeddedClient();
    server = await server.restart();
    assert.deepEqual(await server.sandbox!.embeddedClient(), before);
  });
});

describe('the consent page names the ISV (ALLOY_BRAND_NAME)', () => {
  test("the Embedded server's client shows as the brand; other clients keep their own names", async () => {
    const branded = await startSandboxServer({ brand: { name: 'AcmeCo <Inc>', logoUrl: undefined } });
    try {
      const embedded = await branded.sandbox!.embeddedClient();
      const callback = `${branded.ctx.publicUrl}/oauth/callback`;
      const consent = await branded.inject({
        method: 'GET',
        url: authorizeUrl({ clientId: embedded.clientId, redirectUri: callback }),
      });
      assert.equal(consent.statusCode, 200, consent.body);
      assert.match(consent.body, /<title>Connect AcmeCo &#60;Inc&#62; to Acme Shop · Demo Store<\/title>/);
      assert.match(consent.body, /<strong>AcmeCo &#60;Inc&#62;<\/strong> wants to access your store/);
      assert.doesNotMatch(consent.body, /Alloy Embedded/);
      const other = await registerTestClient(branded, [TEST_REDIRECT_URI], 'Globex Sync');
      const page = await branded.inject({ method: 'GET', url: authorizeUrl({ clientId: other.clientId }) });
      assert.match(page.body, /<strong>Globex Sync<\/strong> wants to access/);
    } finally {
      await branded.dispose();
    }
  });

  test('without a brand the registered name stays', async () => {
    const embedded = await server.sandbox!.embeddedClient();
    const consent = await authorize({
      clientId: embedded.clientId,
      redirectUri: `${server.ctx.publicUrl}/oauth/callback`,
    });
    assert.match(consent.body, /<strong>Alloy Embedded<\/strong> wants to access/);
  });
});
