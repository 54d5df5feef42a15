/**
 * Security audit, issue 13 item 17c: the Demo Store's `GET /oauth/authorize` needs no sign-in and
 * stored a consent request per call, without bound.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { OAuthClientCredentials } from '../../src/sandbox/index.js';
import { MAX_AUTHORIZATION_REQUESTS_PER_STORE } from '../../src/sandbox/oauth.js';
import {
  TEST_REDIRECT_URI,
  authorizeUrl,
  parseConsentPage,
  redirectTarget,
  registerTestClient,
  sandboxDb,
  startSandboxServer,
  submitConsent,
  type SandboxTestServer,
} from './sandbox-helpers.js';

let server: SandboxTestServer;
let client: OAuthClientCredentials;

before(async () => {
  server = await startSandboxServer();
  client = await registerTestClient(server, [TEST_REDIRECT_URI]);
});
after(async () => {
  await server.dispose();
});

test('unanswered consent requests are capped per store; the newest can still be approved', async () => {
  const first = parseConsentPage(
    await server.inject({ method: 'GET', url: authorizeUrl({ clientId: client.clientId }) }),
  );
  let last = first;
  for (let i = 0; i < 250; i++) {
    last = parseConsentPage(await server.inject({ method: 'GET', url: authorizeUrl({ clientId: client.clientId }) }));
  }
  const { count } = await sandboxDb(server)
    .selectFrom('sandbox_oauth_requests')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('store_id', '=', 'acme-shop')
    .executeTakeFirstOrThrow();
  assert.ok(count <= MAX_AUTHORIZATION_REQUESTS_PER_STORE, `${count} stored consent requests`);
  assert.equal(MAX_AUTHORIZATION_REQUESTS_PER_STORE, 100);

  // The newest request works; the oldest gave way and is refused like an expired one.
  assert.ok(redirectTarget(await submitConsent(server, last, 'approve')).searchParams.get('code'));
  const evicted = await submitConsent(server, first, 'approve');
  assert.notEqual(evicted.statusCode, 303);
});
