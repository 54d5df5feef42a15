import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';

/**
 * The seeded sandbox store's (acme-shop) owner secret in tests: test servers pin it
 * (`sandboxOwnerSecret`, or ALLOY_SANDBOX_OWNER_SECRET for the demo server and child processes).
 */
export const TEST_OWNER_SECRET = 'dsown_test_owner_secret_0123456789abcdef';
export const SEEDED_SHOP = 'acme-shop';
const ADMIN = '/sandbox/demo-store/admin/api';

/** createServer options that mount the sandbox with the test owner secret. */
export const SANDBOX_SERVER_OPTIONS = { sandbox: true, sandboxOwnerSecret: TEST_OWNER_SECRET } as const;

/** A signed-in store owner: the session cookie and the CSRF token changes need. */
export interface OwnerSession {
  cookie: string;
  csrfToken: string;
  /** Headers for a dashboard API call (the cookie, plus the CSRF token for changes). */
  headers: Record<string, string>;
}

function sessionFrom(setCookie: string | string[] | null | undefined, body: { csrfToken: string }): OwnerSession {
  const header = Array.isArray(setCookie) ? setCookie.find((c) => c.startsWith('ds_owner=')) : setCookie;
  const cookie = header?.split(';')[0] ?? '';
  assert.ok(cookie.startsWith('ds_owner='), 'signing in sets the owner cookie');
  return { cookie, csrfToken: body.csrfToken, headers: { cookie, 'x-csrf-token': body.csrfToken } };
}

/** Signs in to the store dashboard API through `inject` (no socket needed). */
export async function signInOwner(
  app: Pick<FastifyInstance, 'inject'>,
  shop = SEEDED_SHOP,
  secret = TEST_OWNER_SECRET,
  session?: OwnerSession,
): Promise<OwnerSession> {
  const response = await app.inject({
    method: 'POST',
    url: `${ADMIN}/session`,
    headers: session ? { cookie: session.cookie } : {},
    payload: { shop, secret },
  });
  assert.equal(response.statusCode, 200, response.body);
  return sessionFrom(response.headers['set-cookie'], response.json());
}

/** The same over HTTP, for servers in another process or tests that use fetch. */
export async function signInOwnerOverHttp(
  baseUrl: string,
  shop = SEEDED_SHOP,
  secret = TEST_OWNER_SECRET,
): Promise<OwnerSession> {
  const response = await fetch(`${baseUrl}${ADMIN}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ shop, secret }),
  });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return sessionFrom(response.headers.getSetCookie(), JSON.parse(text) as { csrfToken: string });
}

/** The stores a session owns, with their API keys, over HTTP. */
export async function ownedStoresOverHttp(
  baseUrl: string,
  session?: OwnerSession,
): Promise<{ id: string; name: string; subdomain: string; apiKey: string }[]> {
  const owner = session ?? (await signInOwnerOverHttp(baseUrl));
  const response = await fetch(`${baseUrl}${ADMIN}/stores`, { headers: owner.headers });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return (JSON.parse(text) as { data: { id: string; name: string; subdomain: string; apiKey: string }[] }).data;
}

/** The seeded store's credential (`{apiKey, storeId}`) over HTTP, read as its owner. */
export async function seededStoreCredentialOverHttp(baseUrl: string): Promise<{ apiKey: string; storeId: string }> {
  const store = (await ownedStoresOverHttp(baseUrl)).find((s) => s.id === SEEDED_SHOP);
  assert.ok(store, 'the seeded sandbox store exists');
  return { apiKey: store.apiKey, storeId: store.id };
}
