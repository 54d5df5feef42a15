/**
 * What the endpoint fuzzer aims at: every operation of the OpenAPI document plus the HTTP surfaces
 * it does not describe (OAuth popup pages, Embedded Link, the app-webhook receiver, the sandbox
 * app), the real data that takes generated requests past lookups, and the request generator.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { loadEncryptionKey, SecretBox } from '../../src/server/platform/encryption.js';
import { jsonSchema, type OpenApiDocument } from '../../src/server/http/openapi.js';
import { EMBEDDED_CLIENT_ID } from '../../src/sandbox/index.js';
import {
  CreateOrderRequest,
  CreateStoreRequest,
  CreateWebhookRequest,
  CustomerInput,
  ListCustomersQuery,
  ListDeliveriesQuery,
  ListOrdersQuery,
  OwnerSignInRequest,
  UpdateOrderRequest,
} from '../../src/sandbox/schemas.js';
import { signInOwner, TEST_OWNER_SECRET } from '../helpers/sandbox-owner.js';
import {
  type Api,
  INTEGRATION_ID,
  PREFIX_FIELD,
  STREAM_WORKFLOW_ID,
  EVENT_WORKFLOW_ID,
  waitFor,
  OPS_INTEGRATION_ID,
  SETTINGS_WORKFLOW_ID,
  WEBHOOK_WORKFLOW_ID,
} from '../server/support.js';
import {
  asQueryValue,
  keepOnLoopback,
  mutateJson,
  nastyValue,
  NASTY_STRINGS,
  PATH_JUNK,
  pct,
  queryString,
  schemaArb,
  wrongBody,
  type ErrorShape,
  type FuzzRequest,
  type Hints,
  type JsonSchema,
} from './fuzz-support.js';

type Auth =
  | 'apiKey'
  | 'userToken'
  | 'apiKeyOrUserToken'
  | 'storeKey'
  | 'storeOwner'
  | 'oauthClient'
  | 'linkSession'
  | 'receiverSignature'
  | 'none';

export interface Target {
  name: string;
  method: string;
  /** `{name}` marks a path parameter. */
  path: string;
  /** Whether the path goes through the API's dated prefix. */
  versioned: boolean;
  params: Record<string, JsonSchema>;
  query?: JsonSchema;
  /** Header parameters (Idempotency-Key). */
  headerParams?: Record<string, JsonSchema>;
  body?: JsonSchema;
  encoding: 'json' | 'form';
  auth: Auth;
  shape: ErrorShape;
  /** Changes or deletes what other targets use: run after the others. */
  destructive?: boolean;
  /** Replaces hints for this target (e.g. only sacrificial users for DELETE /users). */
  hints?: Hints;
  /** Known-good requests: about a third of the payloads start from one (valid-then-mutated). */
  examples?: Example[];
}

export interface Example {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

/** Real data (plain, so it can be posted to the client's worker): users, tokens, an installation, a connection, an execution, a delivery, a store, a link. */
export interface Fixture {
  port: number;
  origin: string;
  apiKey: string;
  prodKey: string;
  userId: string;
  username: string;
  token: string;
  victims: string[];
  victimTokens: string[];
  /** Tokens that must fail: expired, another key, the deleted user's, alg none. */
  badTokens: string[];
  credentialId: string;
  executionId: string;
  deliveryId: string;
  sessionId: string;
  linkToken: string;
  linkCookie: string;
  /** The sandbox store owner's session (acme-shop's owner, who also created the fuzz store). */
  storeOwner: { cookie: string; csrfToken: string };
  store: { id: string; subdomain: string; apiKey: string; orderId: string; customerId: string; webhookId: string };
  oauthClient: { clientId: string; clientSecret: string };
  receiver: { workflowId: string; userId: string; secret: string } | undefined;
  hints: Hints;
  /** Known-good requests by operationId (the ones random data rarely gets right). */
  examples: Record<string, Example[]>;
}

export async function buildFixture(api: Api): Promise<Fixture> {
  const server = api.server;
  const port = (server.app.server.address() as { port: number }).port;
  const origin = `http://localhost:${port}`;
  const ok = async (response: { statusCode: number; body: string }, status = 200) => {
    assert.equal(response.statusCode, status, response.body);
    return JSON.parse(response.body || '{}') as Record<string, unknown>;
  };
  // Outgoing installation webhooks go to a closed loopback port: a delivery row, never the internet.
  await ok(await api.call('PUT', '/settings', { body: { installationWebhookUrl: 'http://127.0.0.1:9/installed' } }));

  const username = 'fuzz-main';
  const userId = await api.createUser(username);
  const token = await api.token(userId);
  const credentialId = await api.createCredential(userId);
  await api.installWithWidget(userId);
  // The second test integration: a webhook-trigger workflow with a data schema (for /run/workflow).
  const ops = await api.call('POST', '/widget/installations', {
    token,
    body: {
      integrationId: OPS_INTEGRATION_ID,
      values: [{ workflowId: SETTINGS_WORKFLOW_ID, blockId: 'send', name: 'channel', value: 'email' }],
    },
  });
  assert.equal(ops.statusCode, 201, ops.body);
  const victims: string[] = [];
  const victimCredentials: string[] = [];
  for (let i = 0; i < 4; i++) {
    const victim = await api.createUser(`fuzz-victim-${i}`);
    victims.push(victim);
    victimCredentials.push(await api.createCredential(victim));
    await api.installWithWidget(victim);
  }
  const victimTokens = await Promise.all(victims.map((v) => api.token(v)));

  const deleted = await api.createUser('fuzz-deleted');
  const deletedToken = await api.token(deleted);
  await ok(await api.call('DELETE', `/users/${deleted}`));
  const now = Math.floor(Date.now() / 1000);
  const expired = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuer('alloy-embedded')
    .setAudience('alloy-embedded-widget:development')
    .setIssuedAt(now - 7200)
    .setExpirationTime(now - 3600)
    .sign(server.ctx.secrets.jwtSecret);
  const forged = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuer('alloy-embedded')
    .setAudience('alloy-embedded-widget:development')
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new Uint8Array(32).fill(7));
  const algNone = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: userId, iat: now, exp: now + 600 })).toString('base64url')}.`;

  // One run of the custom-event workflow makes an execution (its action fails against the store: fine).
  await ok(
    await api.call('POST', '/run/event', {
      body: { event: 'Fulfillment Updated', userId, data: { orderId: 'ord_missing', status: 'paid' } },
    }),
  );
  const executionId = await waitFor('an execution', () => {
    const row = server.db.prepare('SELECT id FROM executions WHERE workflow_id = ? LIMIT 1').get(EVENT_WORKFLOW_ID) as
      { id: string } | undefined;
    return row?.id;
  });
  const deliveryId = await waitFor('an installation webhook delivery', () => {
    const row = server.db.prepare('SELECT id FROM outbound_deliveries LIMIT 1').get() as { id: string } | undefined;
    return row?.id;
  });

  const session = await ok(
    await api.call('POST', '/widget/oauth/sessions', {
      token,
      body: { app: 'demoStore', origin, fields: { shop: 'acme' } },
    }),
    201,
  ).catch(() => ({ sessionId: 'oauth_session_missing' }));

  const { linkToken, linkCookie } = await openLink(api, userId);

  const storeOwner = await signInOwner(server.app);
  const created = await ok(
    await server.app.inject({
      method: 'POST',
      url: '/sandbox/demo-store/admin/api/stores',
      headers: storeOwner.headers,
      payload: { name: 'Fuzz Shop', subdomain: 'fuzz-shop' },
    }),
    201,
  );
  const storeId = String(created.id);
  const storeKey = String(created.apiKey);
  const storeCall = (method: 'POST' | 'GET', url: string, payload?: object) =>
    server.app.inject({
      method,
      url: `/sandbox/demo-store/api/v1/stores/${storeId}${url}`,
      headers: { 'x-store-api-key': storeKey },
      ...(payload ? { payload } : {}),
    });
  const customer = await ok(await storeCall('POST', '/customers', { email: 'f@example.com', name: 'F' }), 201);
  const order = await ok(
    await storeCall('POST', '/orders', {
      customerId: customer.id,
      items: [{ name: 'Tea', quantity: 1, unitPrice: 300 }],
    }),
    201,
  );
  const webhook = await ok(
    await storeCall('POST', '/webhooks', { url: 'http://127.0.0.1:9/store-hook', topic: 'order.updated' }),
    201,
  ).catch(() => ({ id: 'wh_missing' }));

  const receiver = receiverOf(api, userId);

  const oauthClient = await server.sandbox!.embeddedClient();
  const started = await ok(
    await api.call('POST', '/headless/startInstallation', { body: { userId, integrationId: INTEGRATION_ID } }),
  ).catch(() => ({ installationId: 'ffffffffffffffffffffffff' }));
  const acme = await api.storeCredential();
  const prefix = [{ name: PREFIX_FIELD.name, value: 'DS-' }];
  const examples: Record<string, Example[]> = {
    runEvent: [{ body: { event: 'Fulfillment Updated', userId, data: { orderId: String(order.id), status: 'paid' } } }],
    runWorkflow: [
      { body: { workflowId: WEBHOOK_WORKFLOW_ID, userId, data: { ticketId: 'T-1', priority: 2, tags: ['a', 'b'] } } },
      { body: { workflowName: 'Ticket webhook', userId, data: { ticketId: 'T-2', tags: [] } } },
    ],
    createCredential: [{ body: { userId, credential: { type: 'demoStore', data: acme } } }],
    getOAuthUrl: [{ query: { userId, app: 'demoStore', shop: 'acme' } }],
    getLegacyOAuthRedirect: [{ params: { userId, credentialName: 'demoStore' }, query: { shop: 'acme' } }],
    completeInstallation: [
      {
        body: {
          installationId: String(started.installationId),
          data: [{ workflowId: STREAM_WORKFLOW_ID, blockId: PREFIX_FIELD.blockId, fields: prefix }],
        },
      },
    ],
    rerunExecution: [{ params: { workflowId: EVENT_WORKFLOW_ID, executionId }, query: { userId }, body: {} }],
    widgetCreateInstallation: [
      { body: { integrationId: INTEGRATION_ID, values: [{ ...PREFIX_FIELD, value: 'DS-' }] } },
      {
        body: {
          integrationId: OPS_INTEGRATION_ID,
          values: [{ workflowId: SETTINGS_WORKFLOW_ID, blockId: 'send', name: 'channel', value: 'slack' }],
        },
      },
    ],
    widgetCreateCredential: [{ body: { app: 'demoStore', fields: acme } }],
    widgetStartOAuth: [{ body: { app: 'demoStore', origin, fields: { shop: 'acme' } } }],
    widgetGetOAuthSession: [{ params: { sessionId: String(session.sessionId) } }],
    widgetFieldOptions: [
      {
        params: {
          integrationId: INTEGRATION_ID,
          workflowId: EVENT_WORKFLOW_ID,
          blockId: 'update-order-status',
          fieldName: 'status',
        },
      },
    ],
    deactivateUserWorkflows: victims.map((victim) => ({ params: { userId: victim }, body: {} })),
    deleteUserWorkflow: victims.map((victim) => ({
      params: { workflowId: STREAM_WORKFLOW_ID },
      query: { userId: victim },
    })),
    deleteUserLogs: victims.map((victim) => ({ params: { userId: victim } })),
    deleteUserCredential: victims.map((victim, i) => ({
      params: { userId: victim, credentialId: victimCredentials[i]! },
    })),
  };
  const hints: Hints = {
    userId: [userId, username, victims[0]!],
    associatedUserId: [userId],
    username: ['fuzz-new', username],
    integrationId: [INTEGRATION_ID, OPS_INTEGRATION_ID],
    workflowId: [STREAM_WORKFLOW_ID, EVENT_WORKFLOW_ID, WEBHOOK_WORKFLOW_ID],
    parentWorkflowId: [STREAM_WORKFLOW_ID, EVENT_WORKFLOW_ID, WEBHOOK_WORKFLOW_ID],
    workflowName: ['When a new order is created in Demo Store, stream it to AcmeCo'],
    executionId: [executionId],
    credentialId: [credentialId],
    deliveryId: [deliveryId],
    sessionId: [String(session.sessionId)],
    credentialName: ['demoStore', 'demo-store'],
    app: ['demoStore'],
    type: ['demoStore'],
    event: ['Fulfillment Updated'],
    blockId: [PREFIX_FIELD.blockId],
    fieldName: ['referencePrefix', 'status'],
    name: [PREFIX_FIELD.name],
    value: ['DS-'],
    origin: [origin],
    token: [linkToken],
    reason: ['used', 'expired'],
    storeId: [storeId],
    orderId: [String(order.id)],
    customerId: [String(customer.id)],
    webhookId: [String(webhook.id)],
    client_id: [EMBEDDED_CLIENT_ID],
    redirect_uri: [`${origin}/oauth/callback`],
    shop: ['fuzz-shop'],
    subdomain: ['fuzz-new-shop'],
    url: ['http://127.0.0.1:9/hook'],
    installationWebhookUrl: ['http://127.0.0.1:9/installed'],
    errorStreamUrl: ['http://127.0.0.1:9/errors'],
  };
  return {
    port,
    origin,
    apiKey: api.headersFor('dev').authorization!.slice('Bearer '.length),
    prodKey: server.ctx.secrets.apiKeys.production,
    userId,
    username,
    token,
    victims,
    victimTokens,
    badTokens: [expired, forged, algNone, deletedToken, 'not-a-jwt', token.slice(0, -2)],
    credentialId,
    executionId,
    deliveryId,
    sessionId: String(session.sessionId),
    linkToken,
    linkCookie,
    storeOwner: { cookie: storeOwner.cookie, csrfToken: storeOwner.csrfToken },
    store: {
      id: storeId,
      subdomain: 'fuzz-shop',
      apiKey: storeKey,
      orderId: String(order.id),
      customerId: String(customer.id),
      webhookId: String(webhook.id),
    },
    oauthClient,
    receiver,
    hints,
    examples,
  };
}

/** The app-event subscription of the user (address and secret), to sign receiver payloads as the store does. */
function receiverOf(api: Api, userId: string): Fixture['receiver'] {
  const server = api.server;
  const subscription = server.db.prepare('SELECT * FROM app_subscriptions WHERE user_id = ? LIMIT 1').get(userId) as
    | { workflow_id: string; user_id: string; key_id: string; iv: Buffer; ciphertext: Buffer; auth_tag: Buffer }
    | undefined;
  return (
    subscription && {
      workflowId: subscription.workflow_id,
      userId: subscription.user_id,
      secret: new SecretBox(loadEncryptionKey(server.dataDir, undefined)).open(
        {
          keyId: subscription.key_id,
          iv: subscription.iv,
          ciphertext: subscription.ciphertext,
          authTag: subscription.auth_tag,
        },
        `subscription:${subscription.user_id}:${subscription.workflow_id}`,
      ),
    }
  );
}

/** A fresh install link, opened: its token and the link page's session cookie. */
async function openLink(api: Api, userId: string): Promise<{ linkToken: string; linkCookie: string }> {
  const link = await api.call('GET', `/users/${userId}/integrations/${INTEGRATION_ID}/install-url`);
  assert.equal(link.statusCode, 200, link.body);
  const linkToken = String(link.json().url).split('/link/')[1]!;
  const opened = await api.server.app.inject({ method: 'GET', url: `/link/${linkToken}` });
  return { linkToken, linkCookie: String(opened.headers['set-cookie'] ?? '').split(';')[0]! };
}

/**
 * After the documented operations ran (they deactivate workflows, uninstall and install with the
 * link's user), the surfaces get live data again: the integration installed, the stream workflow
 * active (so its store subscription exists), a new open link.
 */
export async function refreshForSurfaces(api: Api, fixture: Fixture): Promise<void> {
  await api.installWithWidget(fixture.userId);
  const activate = await api.call('PUT', '/workflows/activate', {
    body: { userId: fixture.userId, workflowId: STREAM_WORKFLOW_ID },
  });
  assert.equal(activate.statusCode, 200, activate.body);
  await waitFor('the store subscription', () => receiverOf(api, fixture.userId));
  fixture.receiver = receiverOf(api, fixture.userId);
  Object.assign(fixture, await openLink(api, fixture.userId));
  fixture.hints = { ...fixture.hints, token: [fixture.linkToken] };
}

/** The store's current API key (a fuzzed rotate-key changes it). */
export async function refreshStoreKey(api: Api, fixture: Fixture): Promise<void> {
  const row = await api.server
    .sandbox!.database.selectFrom('sandbox_stores')
    .select('api_key')
    .where('id', '=', fixture.store.id)
    .executeTakeFirst();
  if (row) fixture.store.apiKey = row.api_key;
}

// ---------------------------------------------------------------------------------------------
// Targets

const DESTRUCTIVE = new Set([
  'deactivateWorkflow',
  'deleteUser',
  'deleteUserWorkflow',
  'deleteUserCredential',
  'deleteUserLogs',
  'deactivateUserWorkflows',
]);

/** One target per operation of the OpenAPI document. */
export function documentedTargets(doc: OpenApiDocument, fixture: Fixture): Target[] {
  const targets: Target[] = [];
  const paths = (doc as unknown as { paths: Record<string, Record<string, OpenApiOp>> }).paths;
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      const params: Record<string, JsonSchema> = {};
      const queryProps: Record<string, JsonSchema> = {};
      const required: string[] = [];
      const headerParams: Record<string, JsonSchema> = {};
      for (const p of op.parameters ?? []) {
        if (p.in === 'path') params[p.name] = p.schema;
        else if (p.in === 'query') {
          queryProps[p.name] = p.schema;
          if (p.required) required.push(p.name);
        } else if (p.in === 'header') headerParams[p.name.toLowerCase()] = p.schema;
      }
      const security = (op.security ?? []).map((s) => Object.keys(s)[0]);
      const auth: Auth =
        security.includes('apiKey') && security.includes('userToken')
          ? 'apiKeyOrUserToken'
          : security.includes('userToken')
            ? 'userToken'
            : 'apiKey';
      const destructive = DESTRUCTIVE.has(op.operationId);
      targets.push({
        name: `${op.operationId} ${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        versioned: true,
        params,
        query: Object.keys(queryProps).length > 0 ? { type: 'object', properties: queryProps, required } : undefined,
        headerParams,
        body: op.requestBody?.content['application/json']?.schema,
        encoding: 'json',
        auth,
        shape: 'api',
        destructive,
        hints: destructive ? { ...fixture.hints, userId: fixture.victims } : undefined,
        examples: fixture.examples[op.operationId],
      });
    }
  }
  return targets;
}

interface OpenApiOp {
  operationId: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

const str = (extra: JsonSchema = {}): JsonSchema => ({ type: 'string', maxLength: 80, ...extra });
const obj = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  required,
});
const objectId = str({ pattern: '^[0-9a-f]{24}$' });
const storeParam = { storeId: str({ pattern: '^[a-z0-9][a-z0-9_-]{0,20}$' }) };
const SANDBOX = '/sandbox/demo-store';

/** The surfaces the OpenAPI document does not describe. */
export function undocumentedTargets(fixture: Fixture): Target[] {
  const page = (name: string, path: string, params: Record<string, JsonSchema>, query?: JsonSchema): Target => ({
    name,
    method: 'GET',
    path,
    versioned: false,
    params,
    query,
    encoding: 'json',
    auth: 'none',
    shape: 'page',
  });
  const storeApi = (
    method: string,
    path: string,
    params: Record<string, JsonSchema>,
    extra: Partial<Target> = {},
  ): Target => ({
    name: `sandbox API ${method} ${path}`,
    method,
    path: `${SANDBOX}/api/v1${path}`,
    versioned: false,
    params,
    encoding: 'json',
    auth: 'storeKey',
    shape: 'api',
    ...extra,
  });
  const resource = (name: string) => ({ ...storeParam, [name]: str({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
  const targets: Target[] = [
    page('OAuth popup start GET /oauth/start/{sessionId}', '/oauth/start/{sessionId}', { sessionId: str() }),
    page(
      'OAuth callback GET /oauth/callback',
      '/oauth/callback',
      {},
      obj({ state: str(), code: str(), error: str(), error_description: str() }),
    ),
    page('Embedded Link GET /link/{token}', '/link/{token}', { token: str() }),
    page('Embedded Link ended page GET /link/ended/{reason}', '/link/ended/{reason}', { reason: str() }),
    page('Embedded Link page GET /link', '/link', {}, obj({ x: str() })),
    {
      name: 'Embedded Link session POST /link/session',
      method: 'POST',
      path: '/link/session',
      versioned: false,
      params: {},
      body: obj({}),
      encoding: 'json',
      auth: 'linkSession',
      shape: 'api',
    },
    {
      name: 'app webhook receiver POST /webhooks/{parentWorkflowId}/{userId}',
      method: 'POST',
      path: '/webhooks/{parentWorkflowId}/{userId}',
      versioned: false,
      params: { parentWorkflowId: objectId, userId: objectId },
      body: obj(
        {
          topic: { enum: ['order.created', 'order.updated'] },
          storeId: str(),
          order: obj({ id: str(), status: { enum: ['pending', 'paid', 'shipped'] }, total: { type: 'integer' } }, [
            'id',
          ]),
        },
        ['topic', 'storeId', 'order'],
      ),
      encoding: 'json',
      auth: 'receiverSignature',
      shape: 'api',
      hints: {
        ...fixture.hints,
        parentWorkflowId: fixture.receiver ? [fixture.receiver.workflowId] : [],
        userId: fixture.receiver ? [fixture.receiver.userId] : [],
      },
    },
    page('health GET /health', '/health', {}, obj({ x: str() })),
    page('RSA public key GET /security/alloy_public_key.pem', '/security/alloy_public_key.pem', {}, obj({ x: str() })),
    page('static files GET /static/{file}', '/static/{file}', {
      file: { enum: ['icons/demo-store.svg', 'nope.js', 'icons'] },
    }),
    page('SDK scripts GET /scripts/{file}', '/scripts/{file}', { file: { enum: ['embedded.js', 'nope.js', '..'] } }),
    page('not-found handler GET /{anything}', '/{anything}', { anything: str() }),
    page('sandbox dashboard GET /sandbox/demo-store/', `${SANDBOX}/`, {}, obj({ x: str() })),
    page('sandbox assets GET /sandbox/demo-store/assets/{file}', `${SANDBOX}/assets/{file}`, {
      file: { enum: ['admin.html', 'admin.js', 'page.css', 'nope'] },
    }),
    page('sandbox OAuth metadata', `/.well-known/oauth-authorization-server${SANDBOX}`, {}, obj({ x: str() })),
    {
      ...page(
        'sandbox OAuth GET /oauth/authorize',
        `${SANDBOX}/oauth/authorize`,
        {},
        obj(
          {
            client_id: str(),
            redirect_uri: str(),
            response_type: { enum: ['code', 'token'] },
            state: str({ minLength: 1 }),
            code_challenge_method: { enum: ['S256', 'plain'] },
            code_challenge: str({ pattern: '^[A-Za-z0-9_-]{43}$' }),
            scope: { enum: ['orders:read', 'orders:read webhooks:write', 'admin'] },
            shop: str(),
          },
          ['client_id', 'redirect_uri', 'response_type', 'state', 'code_challenge_method', 'code_challenge', 'shop'],
        ),
      ),
    },
    {
      name: 'sandbox OAuth POST /oauth/consent',
      method: 'POST',
      path: `${SANDBOX}/oauth/consent`,
      versioned: false,
      params: {},
      body: obj(
        {
          request_id: str({ pattern: '^authreq_[0-9a-f]{24}$' }),
          csrf_token: str({ minLength: 1 }),
          decision: { enum: ['approve', 'deny'] },
          owner_secret: str({ maxLength: 200 }),
        },
        ['request_id', 'csrf_token', 'decision'],
      ),
      encoding: 'form',
      auth: 'none',
      shape: 'page',
    },
    ...(['token', 'revoke'] as const).map((endpoint): Target => ({
      name: `sandbox OAuth POST /oauth/${endpoint}`,
      method: 'POST',
      path: `${SANDBOX}/oauth/${endpoint}`,
      versioned: false,
      params: {},
      body: obj(
        endpoint === 'token'
          ? {
              grant_type: { enum: ['authorization_code', 'refresh_token', 'client_credentials'] },
              code: str(),
              redirect_uri: str(),
              code_verifier: str({ minLength: 43 }),
              refresh_token: str(),
              scope: str(),
            }
          : { token: str(), token_type_hint: { enum: ['access_token', 'refresh_token'] } },
        endpoint === 'token' ? ['grant_type'] : ['token'],
      ),
      encoding: 'form',
      auth: 'oauthClient',
      shape: 'oauth',
    })),
    {
      name: 'sandbox admin POST /admin/api/session',
      method: 'POST',
      path: `${SANDBOX}/admin/api/session`,
      versioned: false,
      params: {},
      body: jsonSchema(OwnerSignInRequest),
      encoding: 'json',
      auth: 'none',
      shape: 'api',
      examples: [{ body: { shop: 'acme-shop', secret: TEST_OWNER_SECRET } }],
    },
    {
      name: 'sandbox admin GET /admin/api/session',
      method: 'GET',
      path: `${SANDBOX}/admin/api/session`,
      versioned: false,
      params: {},
      query: obj({ x: str() }),
      encoding: 'json',
      auth: 'storeOwner',
      shape: 'api',
    },
    {
      name: 'sandbox admin GET /admin/api/stores',
      method: 'GET',
      path: `${SANDBOX}/admin/api/stores`,
      versioned: false,
      params: {},
      query: obj({ x: str() }),
      encoding: 'json',
      auth: 'storeOwner',
      shape: 'api',
    },
    {
      name: 'sandbox admin POST /admin/api/stores',
      method: 'POST',
      path: `${SANDBOX}/admin/api/stores`,
      versioned: false,
      params: {},
      body: jsonSchema(CreateStoreRequest),
      encoding: 'json',
      auth: 'storeOwner',
      shape: 'api',
    },
    {
      name: 'sandbox admin GET /admin/api/stores/{storeId}/webhook-deliveries',
      method: 'GET',
      path: `${SANDBOX}/admin/api/stores/{storeId}/webhook-deliveries`,
      versioned: false,
      params: storeParam,
      query: jsonSchema(ListDeliveriesQuery),
      encoding: 'json',
      auth: 'storeOwner',
      shape: 'api',
    },
    storeApi('GET', '/store', {}),
    storeApi('GET', '/stores/{storeId}', storeParam),
    storeApi('GET', '/stores/{storeId}/order-statuses', storeParam),
    storeApi('GET', '/stores/{storeId}/orders', storeParam, { query: jsonSchema(ListOrdersQuery) }),
    storeApi('POST', '/stores/{storeId}/orders', storeParam, { body: jsonSchema(CreateOrderRequest) }),
    storeApi('GET', '/stores/{storeId}/orders/{orderId}', resource('orderId')),
    storeApi('PATCH', '/stores/{storeId}/orders/{orderId}', resource('orderId'), {
      body: jsonSchema(UpdateOrderRequest),
    }),
    storeApi('GET', '/stores/{storeId}/customers', storeParam, { query: jsonSchema(ListCustomersQuery) }),
    storeApi('POST', '/stores/{storeId}/customers', storeParam, { body: jsonSchema(CustomerInput) }),
    storeApi('GET', '/stores/{storeId}/customers/{customerId}', resource('customerId')),
    storeApi('GET', '/stores/{storeId}/webhooks', storeParam),
    storeApi('POST', '/stores/{storeId}/webhooks', storeParam, { body: jsonSchema(CreateWebhookRequest) }),
    storeApi('GET', '/stores/{storeId}/webhooks/{webhookId}', resource('webhookId')),
    storeApi('DELETE', '/stores/{storeId}/webhooks/{webhookId}', resource('webhookId'), { destructive: true }),
    {
      name: 'sandbox admin POST /admin/api/stores/{storeId}/rotate-key',
      method: 'POST',
      path: `${SANDBOX}/admin/api/stores/{storeId}/rotate-key`,
      versioned: false,
      params: storeParam,
      encoding: 'json',
      auth: 'storeOwner',
      shape: 'api',
      destructive: true,
    },
  ];
  return targets;
}

/** Non-destructive targets first, so deletions cannot starve the others of real data; deleting users last of all. */
export const ordered = (targets: Target[]): Target[] => {
  const rank = (t: Target) => (!t.destructive ? 0 : t.name.startsWith('deleteUser ') ? 2 : 1);
  return [...targets].sort((a, b) => rank(a) - rank(b));
};

// ---------------------------------------------------------------------------------------------
// The request generator

interface Parts {
  params: Record<string, string>;
  /** Raw (already encoded) path segments replacing a parameter. */
  rawParams: Record<string, string>;
  query: Record<string, string | string[]> | undefined;
  body: unknown;
}

const VERSIONS = ['/2024-03', '/2023-12', '/2025-09', '/2022-09'];

/** Headers that are legal on the wire (Node refuses to send others). */
const headerSafe = (value: string): string => value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');

function validAuth(target: Target, fixture: Fixture, pick: number): Record<string, string> {
  switch (target.auth) {
    case 'apiKey':
      return { authorization: `Bearer ${fixture.apiKey}` };
    case 'userToken':
      return { 'x-alloy-user-token': fixture.token };
    case 'apiKeyOrUserToken':
      return pick % 2 === 0 ? { authorization: `Bearer ${fixture.apiKey}` } : { 'x-alloy-user-token': fixture.token };
    case 'storeKey':
      return { 'x-store-api-key': fixture.store.apiKey };
    case 'storeOwner':
      return { cookie: fixture.storeOwner.cookie, 'x-csrf-token': fixture.storeOwner.csrfToken };
    case 'oauthClient':
      return {
        authorization: `Basic ${Buffer.from(`${fixture.oauthClient.clientId}:${fixture.oauthClient.clientSecret}`).toString('base64')}`,
      };
    case 'linkSession':
      return { origin: fixture.origin, cookie: fixture.linkCookie };
    case 'receiverSignature':
    case 'none':
      return {};
  }
}

/** Credentials that must not work, and headers that are odd on their own. */
function hostileHeaders(fixture: Fixture): fc.Arbitrary<{ headers: Record<string, string | string[]>; note: string }> {
  const bearer = (value: string) => ({ authorization: value });
  return fc.oneof(
    fc.constant({ headers: {} as Record<string, string | string[]>, note: 'no credentials' }),
    fc
      .constantFrom(
        'Bearer',
        'Bearer ',
        'Bearer  x y',
        `Basic ${fixture.apiKey}`,
        `Bearer ${fixture.prodKey}`,
        `Bearer ${fixture.apiKey}x`,
        `bearer\t${fixture.apiKey}`,
        `Bearer ${'a'.repeat(8000)}`,
        'Bearer \x80\xff',
        'Digest username="x"',
      )
      .map((value) => ({ headers: bearer(value), note: `authorization ${value.slice(0, 30)}` })),
    fc
      .constantFrom(...fixture.badTokens, ...fixture.victimTokens.slice(0, 1), '', ' ', 'a.b.c', '..', 'e30.e30.')
      .map((token) => ({
        headers: { 'x-alloy-user-token': token },
        note: 'another or a broken user token',
      })),
    fc.constant({
      headers: { 'x-alloy-user-token': [fixture.token, 'junk'], authorization: `Bearer ${fixture.apiKey}` } as Record<
        string,
        string | string[]
      >,
      note: 'duplicated token header plus a key',
    }),
    fc
      .string({ maxLength: 300 })
      .map((s) => ({ headers: { 'idempotency-key': headerSafe(s) }, note: 'odd Idempotency-Key' })),
    fc.constant({
      headers: { 'idempotency-key': ['a', 'b'] } as Record<string, string | string[]>,
      note: 'two Idempotency-Keys',
    }),
    fc
      .constantFrom('2024-13', '0000-00', 'latest', '2024-03; x', '')
      .map((v) => ({ headers: { 'x-api-version': v }, note: `x-api-version ${v}` })),
    fc.constant({ headers: { 'x-big': 'h'.repeat(20_000) }, note: 'a 20 KB header' }),
    fc
      .constantFrom('null', 'https://evil.example', fixture.origin.replace('localhost', '127.0.0.1'), '\xff')
      .map((o) => ({
        headers: { origin: o, cookie: `${fixture.linkCookie}x; alloy_link_session=%00; a` },
        note: `origin ${o}`,
      })),
    fc
      .constantFrom('cross-site', 'same-site', 'nonsense')
      .map((s) => ({ headers: { 'sec-fetch-site': s }, note: `sec-fetch-site ${s}` })),
    fc.constant({
      headers: { 'x-store-api-key': [fixture.store.apiKey, 'x'], authorization: 'Bearer x' } as Record<
        string,
        string | string[]
      >,
      note: 'store key twice plus a bearer',
    }),
    fc
      .constantFrom('gzip', 'br', 'identity, gzip', 'x')
      .map((e) => ({ headers: { 'content-encoding': e }, note: `content-encoding ${e}` })),
  );
}

function partsArb(target: Target, hints: Hints): fc.Arbitrary<Parts> {
  const params = fc.record(
    Object.fromEntries(
      Object.entries(target.params).map(([name, schema]) => [name, schemaArb(schema, hints, name).map(asQueryValue)]),
    ),
  ) as fc.Arbitrary<Record<string, string>>;
  const query = target.query
    ? (schemaArb(target.query, hints).map((q) =>
        Object.fromEntries(Object.entries(q as Record<string, unknown>).map(([k, v]) => [k, asQueryValue(v)])),
      ) as fc.Arbitrary<Record<string, string>>)
    : fc.constant(undefined);
  const body = target.body ? schemaArb(target.body, hints).map(keepOnLoopback) : fc.constant(undefined);
  return fc.record({ params, query, body }).map((p) => ({ ...p, rawParams: {} }));
}

function buildPath(target: Target, parts: Parts, version: string | undefined): string {
  const path = target.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    name in parts.rawParams ? parts.rawParams[name]! : pct(parts.params[name] ?? ''),
  );
  return `${target.versioned ? (version ?? VERSIONS[0]) : ''}${path}${queryString(parts.query)}`;
}

function encodeBody(target: Target, body: unknown): { text: string; contentType: string } | undefined {
  if (body === undefined) return undefined;
  if (target.encoding === 'form') {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) form.append(k, asQueryValue(v));
    return { text: form.toString(), contentType: 'application/x-www-form-urlencoded' };
  }
  return { text: JSON.stringify(body), contentType: 'application/json' };
}

function signReceiver(fixture: Fixture, request: FuzzRequest, mode: 'valid' | 'stale' | 'garbage'): void {
  if (!fixture.receiver) return;
  const body = request.body?.toString() ?? '';
  const t = Math.floor(Date.now() / 1000) - (mode === 'stale' ? 3600 : 0);
  const v1 = createHmac('sha256', fixture.receiver.secret).update(`${t}.${body}`, 'utf8').digest('hex');
  request.headers['x-demo-store-signature'] = mode === 'garbage' ? `t=${t},v1=${'0'.repeat(64)}` : `t=${t},v1=${v1}`;
  request.headers['x-demo-store-delivery-id'] = `dlv_${t}_${body.length}`;
}

/**
 * Requests for one target: schema-guided with valid credentials (about half), the same with one
 * mutation of body, query or path, bodies that are not JSON, and hostile credentials or headers.
 */
export function requestArb(target: Target, fixture: Fixture): fc.Arbitrary<FuzzRequest> {
  const hints = target.hints ?? fixture.hints;
  const hasBody = target.body !== undefined;
  const examples = target.examples ?? [];
  const parts =
    examples.length === 0
      ? partsArb(target, hints)
      : fc.oneof(
          { weight: 2, arbitrary: partsArb(target, hints) },
          {
            weight: 1,
            arbitrary: fc.constantFrom(...examples).map((e): Parts => ({
              params: { ...e.params },
              rawParams: {},
              query: e.query && { ...e.query },
              body: e.body,
            })),
          },
        );
  const base = fc.tuple(parts, fc.nat(), fc.constantFrom(...VERSIONS));

  const finish = (
    parts: Parts,
    pick: number,
    version: string,
    kind: string,
    overrides: {
      body?: { text: string | Buffer; contentType?: string };
      headers?: Record<string, string | string[]>;
      auth?: boolean;
    } = {},
  ): FuzzRequest => {
    const encoded = overrides.body ?? encodeBody(target, parts.body);
    const headers: Record<string, string | string[]> = {
      ...(overrides.auth === false ? {} : validAuth(target, fixture, pick)),
      ...(encoded?.contentType ? { 'content-type': encoded.contentType } : {}),
    };
    // A key on a third of the requests; a few repeat, so stored answers are replayed (and compared) too.
    for (const name of Object.keys(target.headerParams ?? {})) {
      if (pick % 3 === 0) headers[name] = `fuzz-${pick % 30}`;
    }
    Object.assign(headers, overrides.headers);
    const request: FuzzRequest = { method: target.method, path: buildPath(target, parts, version), headers, kind };
    if (encoded) request.body = encoded.text;
    if (target.auth === 'receiverSignature' && overrides.auth !== false) {
      signReceiver(fixture, request, pick % 10 === 0 ? 'stale' : pick % 10 === 1 ? 'garbage' : 'valid');
    }
    return request;
  };

  const guided = base.map(([parts, pick, version]) => finish(parts, pick, version, 'schema-guided'));

  const mutatedBody = base.chain(([parts, pick, version]) =>
    mutateJson(parts.body ?? {}).map(({ text, note }) =>
      finish(parts, pick, version, `mutated body: ${note}`, {
        body: {
          text,
          contentType:
            target.encoding === 'form' && pick % 2 === 0 ? 'application/x-www-form-urlencoded' : 'application/json',
        },
      }),
    ),
  );

  const queryKeys = Object.keys((target.query?.properties as Record<string, unknown> | undefined) ?? {});
  const mutatedQuery = base.chain(([parts, pick, version]) =>
    fc
      .oneof(
        fc.tuple(fc.constantFrom(...(queryKeys.length > 0 ? queryKeys : ['userId'])), nastyValue).map(([k, v]) => ({
          query: { ...parts.query, [k]: asQueryValue(v) },
          note: `query ${k} hostile`,
        })),
        fc.constantFrom(...(queryKeys.length > 0 ? queryKeys : ['userId'])).map((k) => ({
          query: { ...parts.query, [k]: [parts.query?.[k] === undefined ? 'a' : String(parts.query[k]), 'b'] },
          note: `query ${k} duplicated`,
        })),
        fc.constantFrom('__proto__', 'constructor', '__proto__[polluted]', 'a[b]', '', 'x'.repeat(5000)).map((k) => ({
          query: { ...parts.query, [k]: '1' },
          note: `query key ${k.slice(0, 20)}`,
        })),
      )
      .map(({ query, note }) =>
        finish(
          { ...parts, query: query as Record<string, string | string[]> },
          pick,
          version,
          `mutated query: ${note}`,
        ),
      ),
  );

  const paramNames = Object.keys(target.params);
  const mutatedPath = base.chain(([parts, pick, version]) =>
    fc
      .oneof(
        ...(paramNames.length > 0
          ? [
              fc.tuple(fc.constantFrom(...paramNames), fc.constantFrom(...PATH_JUNK)).map(([name, junk]) => ({
                parts: { ...parts, rawParams: { [name]: junk } },
                note: `path ${name} = ${junk.slice(0, 20)}`,
              })),
              fc
                .tuple(fc.constantFrom(...paramNames), fc.constantFrom(...NASTY_STRINGS.slice(0, 40)))
                .map(([name, v]) => ({
                  parts: { ...parts, params: { ...parts.params, [name]: v } },
                  note: `path ${name} hostile`,
                })),
            ]
          : []),
        fc.constantFrom('%', '%zz', '//', '/.', '/%2e%2e', ';x', '%00').map((junk) => ({
          parts: {
            ...parts,
            rawParams: Object.fromEntries(paramNames.map((n) => [n, pct(parts.params[n] ?? '') + junk])),
          },
          note: `path suffix ${junk}`,
          suffix: paramNames.length === 0 ? junk : undefined,
        })),
      )
      .map(({ parts: p, note, ...rest }) => {
        const request = finish(p, pick, version, `mutated path: ${note}`);
        const suffix = 'suffix' in rest ? rest.suffix : undefined;
        if (suffix !== undefined) {
          const at = request.path.indexOf('?');
          request.path = at < 0 ? request.path + suffix : request.path.slice(0, at) + suffix + request.path.slice(at);
        }
        return request;
      }),
  );

  const wrong = fc
    .tuple(base, wrongBody)
    .map(([[parts, pick, version], w]) =>
      finish(parts, pick, version, `wrong body: ${w.note}`, { body: { text: w.body, contentType: w.contentType } }),
    );

  const hostile = fc.tuple(base, hostileHeaders(fixture)).map(([[parts, pick, version], h]) => {
    const replacesAuth =
      'authorization' in h.headers || 'x-alloy-user-token' in h.headers || h.note === 'no credentials';
    const request = finish(parts, pick, version, `headers: ${h.note}`, { headers: h.headers, auth: !replacesAuth });
    if (h.headers['x-api-version'] !== undefined && target.versioned)
      request.path = request.path.replace(/^\/\d{4}-\d{2}/, '');
    return request;
  });

  return fc.oneof(
    { weight: 10, arbitrary: guided },
    { weight: hasBody ? 5 : 1, arbitrary: mutatedBody },
    { weight: 2, arbitrary: mutatedQuery },
    { weight: 2, arbitrary: mutatedPath },
    { weight: 2, arbitrary: wrong },
    { weight: 3, arbitrary: hostile },
  );
}
