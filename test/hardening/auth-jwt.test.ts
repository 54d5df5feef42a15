/**
 * JWT attack corpus against every route that takes a user token, enumerated from the OpenAPI
 * document (so a new widget or SDK route is attacked without editing this file). Every attack must
 * be a 401 with `token_expired` (only an otherwise valid token past its `exp`: the SDK refreshes
 * on that code alone) or `token_invalid`; a valid control set must pass on every route.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { USER_TOKEN_ISSUER, userTokenAudience } from '../../src/server/users/user-token.js';
import type { OpenApiDocument } from '../../src/server/http/openapi.js';
import { PUBLIC_KEY_PATH } from '../../src/server/deliveries/security-routes.js';
import { LAB_INTEGRATION_ID, STATUS_WORKFLOW_ID, labIntegration } from '../server/lab-integration.js';
import {
  type Api,
  definitionsDir,
  EVENT_WORKFLOW_ID,
  INTEGRATION_ID,
  PREFIX_FIELD,
  STREAM_WORKFLOW_ID,
  startApi,
  storeCredentialOf,
} from '../server/support.js';

/** The server's clock tolerance on exp/iat/nbf (src/server/users/user-token.ts). */
const TOLERANCE_S = 5;

let api: Api;
let doc: OpenApiDocument;
let userA: string;
let userB: string;
let prodUser: string;
let sessionOfB: string;
let credentialOfB: string;
let secret: Uint8Array;
let definitions: string;

before(async () => {
  // The lab integration has a dynamic select, so the field-options route has a valid request too.
  definitions = definitionsDir({
    'lab.integration.json': labIntegration((path) => `http://127.0.0.1:9${path}`),
  });
  api = await startApi({ server: { definitionsDir: definitions } });
  doc = api.server.openApi();
  secret = api.server.ctx.secrets.jwtSecret;
  userA = await api.createUser('jwt-victim-a');
  userB = await api.createUser('jwt-other-b');
  prodUser = await api.createUser('jwt-prod-user', 'prod');
  await api.installWithWidget(userA);
  await api.createCredential(userA);
  const tokenB = await api.token(userB);
  const session = await api.call('POST', '/widget/oauth/sessions', {
    token: tokenB,
    body: { app: 'demoStore', fields: { shop: 'acme-shop' }, origin: 'http://isv.test' },
  });
  assert.equal(session.statusCode, 201, session.body);
  sessionOfB = session.json().sessionId;
  credentialOfB = await api.createCredential(userB);
});
after(async () => {
  await api.server.dispose();
  fs.rmSync(definitions, { recursive: true, force: true });
});

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
interface RouteRequest {
  operationId: string;
  method: Method;
  path: string;
  body?: () => Promise<unknown> | unknown;
  /** Also admits the API key (alloy-frontend's data calls); only user-token routes otherwise. */
  either: boolean;
}

/** A valid request for each user-token operation, so the control set shows the token is all that differs. */
const VALID_REQUESTS: Record<string, { path: string; body?: () => Promise<unknown> | unknown }> = {
  listIntegrations: { path: '/integrations' },
  widgetGetRegions: { path: '/widget/regions' },
  getIntegration: { path: `/integrations/${INTEGRATION_ID}` },
  listUserWorkflows: { path: '/workflows' },
  getUserWorkflow: { path: `/workflows/${STREAM_WORKFLOW_ID}` },
  activateWorkflow: { path: '/workflows/activate', body: () => ({ workflowId: STREAM_WORKFLOW_ID }) },
  deactivateWorkflow: { path: '/workflows/deactivate', body: () => ({ workflowId: EVENT_WORKFLOW_ID }) },
  widgetGetIntegration: { path: `/widget/integrations/${INTEGRATION_ID}` },
  widgetListApps: { path: `/widget/integrations/${INTEGRATION_ID}/apps` },
  widgetFieldOptions: {
    path: `/widget/integrations/${LAB_INTEGRATION_ID}/fields/${STATUS_WORKFLOW_ID}/set-status/status/options`,
  },
  widgetCreateInstallation: {
    path: '/widget/installations',
    body: () => ({ integrationId: INTEGRATION_ID, values: [{ ...PREFIX_FIELD, value: 'JW-' }] }),
  },
  widgetCreateCredential: {
    path: '/widget/credentials',
    body: async () => ({ app: 'demoStore', fields: await storeCredentialOf(api.server) }),
  },
  widgetStartOAuth: {
    path: '/widget/oauth/sessions',
    body: () => ({ app: 'demoStore', fields: { shop: 'acme-shop' }, origin: 'http://isv.test' }),
  },
  widgetGetOAuthSession: { path: '/widget/oauth/sessions/:ownSession' },
  // Uninstalls A's installation: tokenRoutes() puts it last and the install first, so each pass of
  // the control set installs, uses and then removes it.
  widgetDeleteInstallation: { path: `/widget/integrations/${INTEGRATION_ID}/installation` },
};

/** Where a route goes in a pass: the install first, the uninstall last, the rest in document order. */
const passOrder = (operationId: string) =>
  operationId === 'widgetCreateInstallation' ? 0 : operationId === 'widgetDeleteInstallation' ? 2 : 1;

function tokenRoutes(): RouteRequest[] {
  return Object.entries(doc.paths)
    .flatMap(([, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => op.security.some((s) => 'userToken' in s))
        .map(([method, op]) => {
          const valid = VALID_REQUESTS[op.operationId];
          assert.ok(valid, `${op.operationId} takes a user token: add a valid request for it to VALID_REQUESTS`);
          return {
            operationId: op.operationId,
            method: method.toUpperCase() as Method,
            path: valid.path,
            either: op.security.some((s) => 'apiKey' in s),
            ...(valid.body ? { body: valid.body } : {}),
          };
        }),
    )
    .sort((a, b) => passOrder(a.operationId) - passOrder(b.operationId));
}

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const nowS = () => Math.floor(Date.now() / 1000);
const claimsFor = (userId: string, env: 'development' | 'production' = 'development') => ({
  sub: userId,
  iss: USER_TOKEN_ISSUER,
  aud: userTokenAudience(env),
  iat: nowS(),
  exp: nowS() + 3600,
});
const hs256 = (payload: Record<string, unknown>, key: Uint8Array = secret, header: Record<string, unknown> = {}) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header }).sign(key);
const without = (claim: string) => {
  const claims: Record<string, unknown> = claimsFor(userA);
  delete claims[claim];
  return claims;
};
const unsigned = (alg: string, payload: Record<string, unknown>, signature = '') =>
  `${b64({ alg, typ: 'JWT' })}.${b64(payload)}.${signature}`;
const te = new TextEncoder();
/** HS256 by hand, for headers and keys jose refuses to produce (an RS256 header, an empty key). */
const hmacToken = (header: Record<string, unknown>, payload: Record<string, unknown>, key: Uint8Array | string) => {
  const signingInput = `${b64(header)}.${b64(payload)}`;
  return `${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`;
};

interface Attack {
  name: string;
  /** Built just before each request, so time-relative claims are fresh. */
  token: () => Promise<string>;
  code: 'token_expired' | 'token_invalid';
}

/** The corpus; `publicKeyPem` is the server's published RSA key, used as an HMAC secret. */
async function attacks(publicKeyPem: string): Promise<Attack[]> {
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const ec = await generateKeyPair('ES256', { extractable: true });
  const rsaJwk = await exportJWK(rsa.publicKey);
  const validA = () => hs256(claimsFor(userA));
  const invalid = (name: string, token: () => Promise<string> | string): Attack => ({
    name,
    token: async () => token(),
    code: 'token_invalid',
  });
  const parts = async () => (await validA()).split('.') as [string, string, string];
  return [
    ...['none', 'None', 'NONE', 'nOnE'].map((alg) =>
      invalid(`alg:${alg}, empty signature`, () => unsigned(alg, claimsFor(userA))),
    ),
    invalid('alg:none with the real signature kept', async () => {
      const [, payload, signature] = await parts();
      return `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.${signature}`;
    }),
    invalid('HS256 header, empty signature', async () => {
      const [header, payload] = await parts();
      return `${header}.${payload}.`;
    }),
    invalid('HS256 signed with the server’s public key (PEM) as the secret', () =>
      hs256(claimsFor(userA), te.encode(publicKeyPem)),
    ),
    invalid('HS256 signed with the development API key as the secret', () =>
      hs256(claimsFor(userA), te.encode(api.server.ctx.secrets.apiKeys.development)),
    ),
    invalid('HS256 signed with the production API key as the secret', () =>
      hs256(claimsFor(userA), te.encode(api.server.ctx.secrets.apiKeys.production)),
    ),
    invalid('HS256 signed with an empty secret', () => hmacToken({ alg: 'HS256', typ: 'JWT' }, claimsFor(userA), '')),
    invalid('HS512 with the real secret (algorithm not pinned)', () =>
      new SignJWT(claimsFor(userA)).setProtectedHeader({ alg: 'HS512' }).sign(secret),
    ),
    invalid('HS384 with the real secret', () =>
      new SignJWT(claimsFor(userA)).setProtectedHeader({ alg: 'HS384' }).sign(secret),
    ),
    invalid('RS256 with a fresh key', () =>
      new SignJWT(claimsFor(userA)).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey),
    ),
    invalid('RS256 header, HMAC signature with the real secret (RS→HS)', () =>
      hmacToken({ alg: 'RS256', typ: 'JWT' }, claimsFor(userA), secret),
    ),
    invalid('ES256 with a fresh key', () =>
      new SignJWT(claimsFor(userA)).setProtectedHeader({ alg: 'ES256' }).sign(ec.privateKey),
    ),
    invalid('jwk header injection (RS256, attacker key embedded)', () =>
      new SignJWT(claimsFor(userA)).setProtectedHeader({ alg: 'RS256', jwk: rsaJwk }).sign(rsa.privateKey),
    ),
    invalid('jku header injection', () =>
      new SignJWT(claimsFor(userA))
        .setProtectedHeader({ alg: 'RS256', jku: 'http://127.0.0.1:9/jwks.json', kid: 'attacker' })
        .sign(rsa.privateKey),
    ),
    invalid('x5u header injection', () =>
      new SignJWT(claimsFor(userA))
        .setProtectedHeader({ alg: 'RS256', x5u: 'http://127.0.0.1:9/cert.pem' })
        .sign(rsa.privateKey),
    ),
    invalid('kid path traversal, HS256 with an empty-file key', () =>
      hmacToken({ alg: 'HS256', typ: 'JWT', kid: '../../../../dev/null' }, claimsFor(userA), ''),
    ),
    invalid('crit header with an unknown extension', () =>
      hmacToken({ alg: 'HS256', crit: ['x-attack'], 'x-attack': true }, claimsFor(userA), secret),
    ),
    invalid('b64:false (unencoded payload) header', () =>
      hmacToken({ alg: 'HS256', b64: false, crit: ['b64'] }, claimsFor(userA), secret),
    ),
    invalid('no exp', () => hs256(without('exp'))),
    invalid('no iat', () => hs256(without('iat'))),
    invalid('no sub', () => hs256(without('sub'))),
    invalid('empty sub', () => hs256({ ...claimsFor(userA), sub: '' })),
    invalid('no aud', () => hs256(without('aud'))),
    invalid('wrong aud', () => hs256({ ...claimsFor(userA), aud: 'alloy-embedded-widget:staging' })),
    invalid('no iss', () => hs256(without('iss'))),
    invalid('wrong iss', () => hs256({ ...claimsFor(userA), iss: 'attacker' })),
    {
      name: `expired by tolerance + 1 s (${TOLERANCE_S + 1} s ago)`,
      token: () => hs256({ ...claimsFor(userA), iat: nowS() - 3600, exp: nowS() - TOLERANCE_S - 1 }),
      code: 'token_expired',
    },
    {
      name: 'expired an hour ago',
      token: () => hs256({ ...claimsFor(userA), iat: nowS() - 7200, exp: nowS() - 3600 }),
      code: 'token_expired',
    },
    // +3 rather than +1: the token is built a moment before the server reads its clock.
    invalid(`iat in the future beyond tolerance (+${TOLERANCE_S + 3} s)`, () =>
      hs256({ ...claimsFor(userA), iat: nowS() + TOLERANCE_S + 3 }),
    ),
    invalid(`nbf in the future beyond tolerance (+${TOLERANCE_S + 3} s)`, () =>
      hs256({ ...claimsFor(userA), nbf: nowS() + TOLERANCE_S + 3 }),
    ),
    invalid('exp not a number', () => hs256({ ...claimsFor(userA), exp: 'never' })),
    invalid('tampered payload: sub changed to user B, signature kept', async () => {
      const [header, , signature] = await parts();
      return `${header}.${b64(claimsFor(userB))}.${signature}`;
    }),
    invalid('tampered payload: exp extended, signature kept', async () => {
      const [header, , signature] = await parts();
      return `${header}.${b64({ ...claimsFor(userA), exp: nowS() + 10 * 365 * 86400 })}.${signature}`;
    }),
    invalid('truncated signature', async () => {
      const [header, payload, signature] = await parts();
      return `${header}.${payload}.${signature.slice(0, -4)}`;
    }),
    invalid('one signature bit flipped', async () => {
      const [header, payload, signature] = await parts();
      const bytes = Buffer.from(signature, 'base64url');
      bytes[0]! ^= 1;
      return `${header}.${payload}.${bytes.toString('base64url')}`;
    }),
    invalid('garbage: not-a-jwt', () => 'not-a-jwt'),
    invalid('garbage: a.b.c', () => 'a.b.c'),
    invalid('garbage: ..', () => '..'),
    invalid('garbage: four segments', async () => `${await validA()}.extra`),
    invalid('garbage: header not JSON', async () => {
      const [, payload, signature] = await parts();
      return `${b64('{not json')}.${payload}.${signature}`;
    }),
    invalid('garbage: 10 KB of base64', () => `${'A'.repeat(5000)}.${'B'.repeat(5000)}.${'C'.repeat(43)}`),
    invalid('"Bearer " prefix inside the token header', async () => `Bearer ${await validA()}`),
    invalid('the development API key as the user token', () => api.server.ctx.secrets.apiKeys.development),
    invalid('the production API key as the user token', () => api.server.ctx.secrets.apiKeys.production),
  ];
}

async function send(route: RouteRequest, headers: Record<string, string>, query = '') {
  const body = route.body ? await route.body() : undefined;
  const path = route.path.replace(':ownSession', sessionOfB);
  return api.server.app.inject({
    method: route.method,
    url: `/2024-03${path}${query}`,
    headers,
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

test('JWT attack corpus: every attack on every user-token route is a 401 with the right code', async (t) => {
  const publicKeyPem = (await api.server.app.inject({ method: 'GET', url: PUBLIC_KEY_PATH })).body;
  assert.match(publicKeyPem, /BEGIN PUBLIC KEY/);
  const corpus = await attacks(publicKeyPem);
  const routes = tokenRoutes();
  assert.ok(routes.length >= 13, `user-token routes: ${routes.length}`);
  let accepted = 0;
  let codesRight = 0;
  const wrong: string[] = [];
  for (const attack of corpus) {
    for (const route of routes) {
      const response = await send(route, { 'x-alloy-user-token': await attack.token() });
      if (response.statusCode < 400) accepted += 1;
      const code = response.statusCode === 401 ? response.json().error?.code : `${response.statusCode}`;
      if (code === attack.code) codesRight += 1;
      else wrong.push(`${attack.name} on ${route.operationId}: ${response.statusCode} ${code}`);
    }
  }
  const total = corpus.length * routes.length;

  // The valid control set: the ISV's token endpoints (both paths) and the Embedded Link page, on every route.
  const controls: [string, () => Promise<string>][] = [
    ['GET /users/:id/token', () => api.token(userA)],
    ['GET /user/:id/token', async () => (await api.call('GET', `/user/${userA}/token`)).json().token],
    ['signed here, exp in 2 s', () => hs256({ ...claimsFor(userA), exp: nowS() + 2 })],
    ['signed here, iat at the tolerance edge (+3 s)', () => hs256({ ...claimsFor(userA), iat: nowS() + 3 })],
  ];
  let controlAccepted = 0;
  const refused: string[] = [];
  for (const [name, token] of controls) {
    for (const route of routes) {
      const response = await send(
        route.operationId === 'widgetGetOAuthSession'
          ? { ...route, path: '/widget/oauth/sessions/:ownSession' }
          : route,
        { 'x-alloy-user-token': await (route.operationId === 'widgetGetOAuthSession' ? tokenOfB() : token()) },
      );
      if (response.statusCode >= 200 && response.statusCode < 300) controlAccepted += 1;
      else refused.push(`${name} on ${route.operationId}: ${response.statusCode} ${response.body.slice(0, 120)}`);
    }
  }
  const controlTotal = controls.length * routes.length;
  t.diagnostic(
    `FIGURE jwt | ${corpus.length} attack tokens x ${routes.length} routes: ${accepted} accepted, codes right ${codesRight}/${total}; valid control ${controlAccepted}/${controlTotal}`,
  );
  assert.deepEqual(wrong, []);
  assert.equal(accepted, 0);
  assert.deepEqual(refused, []);
});

/** The OAuth session in the control set is B's own, so its control token is B's. */
const tokenOfB = () => hs256(claimsFor(userB));

test('wrong place, wrong holder: query-string tokens, swapped credentials, other environment, other user', async (t) => {
  const routes = tokenRoutes();
  const validA = await api.token(userA);
  const cases: {
    name: string;
    route: RouteRequest;
    headers: Record<string, string>;
    query?: string;
    status: number;
    code: string;
  }[] = [];
  for (const route of routes) {
    const missing = route.either ? 'unauthorized' : 'token_invalid';
    for (const name of ['token', 'x-alloy-user-token', 'access_token']) {
      cases.push({
        name: `valid token in ?${name}=`,
        route,
        headers: {},
        query: `?${name}=${validA}`,
        status: 401,
        code: missing,
      });
    }
    cases.push({
      name: 'valid user token as Authorization: Bearer',
      route,
      headers: { authorization: `Bearer ${validA}` },
      status: 401,
      code: route.either ? 'unauthorized' : 'token_invalid',
    });
    cases.push({
      name: 'two user-token headers, one forged',
      route,
      headers: { 'x-alloy-user-token': `${validA}, ${unsigned('none', claimsFor(userB))}` },
      status: 401,
      code: 'token_invalid',
    });
  }
  // A user token where the ISV's API key is required: every API-key-only route refuses it.
  const keyOnly = Object.entries(doc.paths).flatMap(([template, methods]) =>
    Object.entries(methods)
      .filter(([, op]) => op.security.every((s) => 'apiKey' in s))
      .map(([method]) => ({ method: method.toUpperCase() as Method, template })),
  );
  let keyOnlyRefused = 0;
  for (const { method, template } of keyOnly) {
    const response = await api.server.app.inject({
      method,
      url: `/2024-03${template.replace(/\{userId\}/g, userA).replace(/\{\w+\}/g, 'ffffffffffffffffffffffff')}`,
      headers: { authorization: `Bearer ${validA}`, 'x-alloy-user-token': validA },
      ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }),
    });
    if (response.statusCode === 401 && response.json().error.code === 'unauthorized') keyOnlyRefused += 1;
  }
  const failures: string[] = [];
  for (const c of cases) {
    const response = await send(c.route, c.headers, c.query ?? '');
    const code = response.json().error?.code;
    if (response.statusCode !== c.status || code !== c.code) {
      failures.push(`${c.name} on ${c.route.operationId}: ${response.statusCode} ${code}`);
    }
  }

  // Another holder: each answer must be exactly what the same request with an unknown id (or an
  // unknown user) gets, so nothing tells a stranger that the resource exists.
  const UNKNOWN = 'ffffffffffffffffffffffff';
  const prodToken = await api.token(prodUser, 'prod');
  const install = (token: string, credentialId: string) =>
    api.call('POST', '/widget/installations', {
      token,
      body: {
        integrationId: INTEGRATION_ID,
        values: [{ ...PREFIX_FIELD, value: 'X-' }],
        credentialIds: { demoStore: credentialId },
      },
    });
  const pairs: [string, () => ReturnType<Api['call']>, () => ReturnType<Api['call']>, string][] = [
    [
      'A’s token on B’s OAuth session',
      () => api.call('GET', `/widget/oauth/sessions/${sessionOfB}`, { token: validA }),
      () => api.call('GET', `/widget/oauth/sessions/${UNKNOWN}`, { token: validA }),
      sessionOfB,
    ],
    [
      'A’s token installing with B’s credential',
      () => install(validA, credentialOfB),
      () => install(validA, UNKNOWN),
      credentialOfB,
    ],
    [
      'a production user’s token on B’s OAuth session',
      () => api.call('GET', `/widget/oauth/sessions/${sessionOfB}`, { token: prodToken }),
      () => api.call('GET', `/widget/oauth/sessions/${UNKNOWN}`, { token: prodToken }),
      sessionOfB,
    ],
    [
      'a production-audience token for a development user id',
      async () =>
        api.call('GET', `/widget/integrations/${INTEGRATION_ID}`, {
          token: await hs256(claimsFor(userA, 'production')),
        }),
      async () =>
        api.call('GET', `/widget/integrations/${INTEGRATION_ID}`, {
          token: await hs256(claimsFor(UNKNOWN, 'production')),
        }),
      userA,
    ],
    [
      'a development-audience token for a production user id',
      async () => api.call('GET', '/workflows', { token: await hs256(claimsFor(prodUser, 'development')) }),
      async () => api.call('GET', '/workflows', { token: await hs256(claimsFor(UNKNOWN, 'development')) }),
      prodUser,
    ],
  ];
  const isolationFailures: string[] = [];
  for (const [name, theirs, unknown, id] of pairs) {
    const a = await theirs();
    const b = await unknown();
    if (a.statusCode < 400 || a.statusCode !== b.statusCode || a.body.replaceAll(id, UNKNOWN) !== b.body) {
      isolationFailures.push(
        `${name}: ${a.statusCode} ${a.body.slice(0, 100)} vs unknown ${b.statusCode} ${b.body.slice(0, 100)}`,
      );
    }
  }
  t.diagnostic(
    `FIGURE jwt-placement | ${cases.length} misplaced/swapped tokens x route: ${cases.length - failures.length}/${cases.length} refused with the right code; user token on ${keyOnly.length} API-key routes: ${keyOnlyRefused}/${keyOnly.length} 401; ${pairs.length} other-user/other-environment cases: ${pairs.length - isolationFailures.length} answered exactly as an unknown id`,
  );
  assert.deepEqual(failures, []);
  assert.equal(keyOnlyRefused, keyOnly.length);
  assert.deepEqual(isolationFailures, []);
});
