import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createServer, type CreateServerOptions, type EmbeddedServer } from '../../src/server/app.js';
import { captureServerOptions } from '../helpers/capture.js';
import type { OAuthClientCredentials, SandboxDatabase } from '../../src/sandbox/index.js';
import { TEST_API_KEY } from '../helpers/server.js';
import { SANDBOX_SERVER_OPTIONS, signInOwner, TEST_OWNER_SECRET, type OwnerSession } from '../helpers/sandbox-owner.js';

export const STORE_PATH = '/sandbox/demo-store';
export const API = `${STORE_PATH}/api/v1`;
export const ADMIN = `${STORE_PATH}/admin/api`;

export interface SandboxTestServer extends EmbeddedServer {
  dataDir: string;
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Closes and reopens the server on the same data directory. */
  restart(options?: Partial<CreateServerOptions>): Promise<SandboxTestServer>;
  dispose(): Promise<void>;
}

/**
 * A real server (same code path as production) on a fresh SQLite file, with the sandbox mounted
 * (seeded store owner secret: TEST_OWNER_SECRET) and loopback targets allowed, since the
 * tests' webhook receivers listen on this machine.
 */
export async function startSandboxServer(
  options: { listen?: boolean; dataDir?: string } & Partial<CreateServerOptions> = {},
): Promise<SandboxTestServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-sandbox-test-'));
  const { listen, ...serverOptions } = options;
  const server = await createServer({
    pinnedDevApiKey: TEST_API_KEY,
    allowPrivateTargets: 'loopback',
    ...SANDBOX_SERVER_OPTIONS,
    ...captureServerOptions(),
    ...serverOptions,
    dataDir,
  });
  if (listen) await server.app.listen({ port: 0, host: '127.0.0.1' });
  const self: SandboxTestServer = {
    ...server,
    dataDir,
    inject: (injectOptions) => server.app.inject(injectOptions),
    async restart(restartOptions = {}) {
      await server.close();
      return startSandboxServer({ ...options, ...restartOptions, dataDir });
    },
    async dispose() {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return self;
}

export interface StoreInfo {
  id: string;
  name: string;
  subdomain: string;
  apiKey: string;
}

/** A store made through the dashboard, with its owner secret (shown once). */
export interface CreatedStoreInfo extends StoreInfo {
  ownerSecret: string;
}

/** Signs in as the seeded store's owner (tests reuse one session per server). */
const sessions = new WeakMap<object, OwnerSession>();
export async function ownerSession(server: SandboxTestServer): Promise<OwnerSession> {
  let session = sessions.get(server.app);
  if (!session) {
    session = await signInOwner(server.app);
    sessions.set(server.app, session);
  }
  return session;
}

/** The stores the seeded store's owner session holds (acme-shop and the stores it created). */
export async function listStores(server: SandboxTestServer): Promise<StoreInfo[]> {
  const response = await server.inject({
    method: 'GET',
    url: `${ADMIN}/stores`,
    headers: (await ownerSession(server)).headers,
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.json().data;
}

export async function storeKey(server: SandboxTestServer, storeId = 'acme-shop'): Promise<string> {
  const store = (await listStores(server)).find((s) => s.id === storeId);
  assert.ok(store, `store ${storeId} exists`);
  return store.apiKey;
}

export async function createStore(
  server: SandboxTestServer,
  name: string,
  subdomain: string,
): Promise<CreatedStoreInfo> {
  const response = await server.inject({
    method: 'POST',
    url: `${ADMIN}/stores`,
    headers: (await ownerSession(server)).headers,
    payload: { name, subdomain },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json();
}

export const keyHeaders = (apiKey: string): Record<string, string> => ({ 'x-store-api-key': apiKey });
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export const SAMPLE_ORDER = {
  customer: { email: 'jane@example.com', name: 'Jane Doe' },
  items: [
    { name: 'Blue mug', sku: 'MUG-BLUE', quantity: 2, unitPrice: 1250 },
    { name: 'Tea', quantity: 1, unitPrice: 899 },
  ],
};

export async function createOrder(
  server: SandboxTestServer,
  headers: Record<string, string>,
  storeId = 'acme-shop',
  body: unknown = SAMPLE_ORDER,
): Promise<{ id: string; number: number; status: string; totalAmount: number }> {
  const response = await server.inject({
    method: 'POST',
    url: `${API}/stores/${storeId}/orders`,
    headers,
    payload: body as object,
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json();
}

// ---- OAuth --------------------------------------------------------------------------------

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const TEST_REDIRECT_URI = 'https://isv.example/oauth/callback';

export function registerTestClient(
  server: SandboxTestServer,
  redirectUris: string[] = [TEST_REDIRECT_URI],
  name = 'Test App',
): Promise<OAuthClientCredentials> {
  return server.sandbox!.registerOAuthClient({ name, redirectUris });
}

/** The sandbox's own database (its `sandbox.db`), for tests that inspect or age its rows. */
export const sandboxDb = (server: Pick<SandboxTestServer, 'sandbox'>): SandboxDatabase => server.sandbox!.database;

export interface AuthorizeParams {
  clientId: string;
  redirectUri?: string;
  state?: string;
  challenge?: string;
  shop?: string;
  scope?: string;
  extra?: Record<string, string>;
  omit?: string[];
}

export function authorizeUrl(params: AuthorizeParams): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: params.clientId,
    redirect_uri: params.redirectUri ?? TEST_REDIRECT_URI,
    state: params.state ?? 'state-123',
    code_challenge: params.challenge ?? pkcePair().challenge,
    code_challenge_method: 'S256',
    shop: params.shop ?? 'acme-shop',
    ...(params.scope === undefined ? {} : { scope: params.scope }),
    ...params.extra,
  });
  for (const name of params.omit ?? []) query.delete(name);
  return `${STORE_PATH}/oauth/authorize?${query}`;
}

export interface ConsentPage {
  requestId: string;
  csrfToken: string;
  cookie: string;
}

/** Reads what the consent form would post: the hidden fields and the browser cookie. */
export function parseConsentPage(response: LightMyRequestResponse): ConsentPage {
  assert.equal(response.statusCode, 200, response.body);
  const requestId = /name="request_id" value="([^"]+)"/.exec(response.body)?.[1];
  const csrfToken = /name="csrf_token" value="([^"]+)"/.exec(response.body)?.[1];
  const setCookie = response.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0];
  assert.ok(requestId && csrfToken && cookie, 'consent page has request_id, csrf_token and a cookie');
  return { requestId, csrfToken, cookie };
}

/**
 * Posts the consent form. Approving enters the owner secret (the seeded store's unless
 * `ownerSecret` says otherwise; `null` leaves the field out).
 */
export function submitConsent(
  server: SandboxTestServer,
  page: ConsentPage,
  decision: 'approve' | 'deny',
  overrides: { csrfToken?: string; cookie?: string | null; ownerSecret?: string | null } = {},
): Promise<LightMyRequestResponse> {
  const cookie = overrides.cookie === undefined ? page.cookie : overrides.cookie;
  const ownerSecret = overrides.ownerSecret === undefined ? TEST_OWNER_SECRET : overrides.ownerSecret;
  return server.inject({
    method: 'POST',
    url: `${STORE_PATH}/oauth/consent`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    payload: new URLSearchParams({
      request_id: page.requestId,
      csrf_token: overrides.csrfToken ?? page.csrfToken,
      decision,
      ...(ownerSecret === null ? {} : { owner_secret: ownerSecret }),
    }).toString(),
  });
}

/** Where a 303 sends the browser, parsed. */
export function redirectTarget(response: LightMyRequestResponse): URL {
  assert.equal(response.statusCode, 303, response.body);
  const location = response.headers.location;
  assert.equal(typeof location, 'string');
  return new URL(location as string);
}

/** Runs authorize + approve and returns the code with the verifier that goes with it. */
export async function obtainCode(
  server: SandboxTestServer,
  params: Omit<AuthorizeParams, 'challenge'> & { ownerSecret?: string },
): Promise<{ code: string; verifier: string; state: string }> {
  const { verifier, challenge } = pkcePair();
  const page = parseConsentPage(await server.inject({ method: 'GET', url: authorizeUrl({ ...params, challenge }) }));
  const target = redirectTarget(
    await submitConsent(
      server,
      page,
      'approve',
      params.ownerSecret === undefined ? {} : { ownerSecret: params.ownerSecret },
    ),
  );
  const code = target.searchParams.get('code');
  assert.ok(code);
  return { code, verifier, state: target.searchParams.get('state') ?? '' };
}

export function basicAuth(client: OAuthClientCredentials): Record<string, string> {
  const encode = (value: string) => encodeURIComponent(value);
  return {
    authorization: `Basic ${Buffer.from(`${encode(client.clientId)}:${encode(client.clientSecret)}`).toString('base64')}`,
  };
}

export function tokenRequest(
  server: SandboxTestServer,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return server.inject({
    method: 'POST',
    url: `${STORE_PATH}/oauth/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(fields).toString(),
  });
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  store_id: string;
}

/** The whole dance: consent, code, token. */
export async function connect(
  server: SandboxTestServer,
  client: OAuthClientCredentials,
  params: Partial<AuthorizeParams> & { ownerSecret?: string } = {},
): Promise<Tokens> {
  const redirectUri = params.redirectUri ?? TEST_REDIRECT_URI;
  const { code, verifier } = await obtainCode(server, { clientId: client.clientId, redirectUri, ...params });
  const response = await tokenRequest(
    server,
    { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier },
    basicAuth(client),
  );
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}
