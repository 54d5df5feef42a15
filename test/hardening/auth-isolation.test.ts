/**
 * Tenant isolation, generated from the OpenAPI document so new routes are covered without editing
 * this file. Users A and B (development) and P (production) each have an installation, a
 * credential, an execution, an OAuth session and a webhook delivery. Every request that names
 * another tenant's resource must be answered exactly as the same request naming an unknown id
 * (same status, same body once the ids are swapped), and lists must not contain it:
 *   - A's user token on B's resources (every route that takes a user token),
 *   - the development API key on production's resources and the production key on development's
 *     (every API-key route that takes an id in its path, its query or its body).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import type { OpenApiDocument } from '../../src/server/http/openapi.js';
import { LAB_INTEGRATION_ID, STATUS_WORKFLOW_ID, labIntegration } from '../server/lab-integration.js';
import { TestReceiver } from '../server/receiver.js';
import {
  type Api,
  EVENT_WORKFLOW_ID,
  INTEGRATION_ID,
  PREFIX_FIELD,
  STREAM_WORKFLOW_ID,
  type Key,
  definitionsDir,
  startApi,
  waitFor,
} from '../server/support.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface Tenant {
  key: Key;
  userId: string;
  username: string;
  credentialId: string;
  executionId: string;
  sessionId: string;
  deliveryId: string;
  installationId: string;
  /** A headless installation in progress (POST /headless/startInstallation). */
  headlessId: string;
}

let api: Api;
let doc: OpenApiDocument;
let receiver: TestReceiver;
let definitions: string;
let a: Tenant;
let b: Tenant;
let p: Tenant;

/** An id of the same shape that nothing has: every hex digit an `f`, with a different username. */
const unknownLike = (id: string): string => id.replace(/[0-9a-e]/g, 'f');

async function tenant(username: string, key: Key): Promise<Tenant> {
  const userId = await api.createUser(username, key);
  const credentialId = await (async () => {
    const response = await api.call('POST', '/headless/credentials', {
      key,
      body: { userId, credential: { type: 'demoStore', data: await api.storeCredential() } },
    });
    assert.equal(response.statusCode, 200, response.body);
    return response.json().credentialId as string;
  })();
  const installationId = await api.installWithWidget(userId, 'IS-', key);
  const token = await api.token(userId, key);
  const session = await api.call('POST', '/widget/oauth/sessions', {
    token,
    body: { app: 'demoStore', fields: { shop: 'acme-shop' }, origin: 'http://isv.test' },
  });
  assert.equal(session.statusCode, 201, session.body);
  const run = await api.call('POST', '/run/event', {
    key,
    body: { event: 'Fulfillment Updated', userId, data: { orderId: '1001', status: 'shipped' } },
    headers: { 'idempotency-key': `isolation-${username}` },
  });
  assert.ok(run.statusCode < 300, run.body);
  const executionId = await waitFor(`an execution of ${username}`, async () => {
    const logs = await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs?userId=${userId}`, { key });
    return (logs.json() as { data: { executionId: string }[] }).data[0]?.executionId;
  });
  const deliveryId = await waitFor(`a webhook delivery of ${username}`, async () => {
    const list = await api.call('GET', '/webhook-deliveries', { key });
    const deliveries = (list.json() as { data: { deliveryId: string; userId?: string; payload?: unknown }[] }).data;
    return deliveries.find((d) => JSON.stringify(d).includes(userId))?.deliveryId;
  });
  const headless = await api.call('POST', '/headless/startInstallation', {
    key,
    body: { userId, integrationId: INTEGRATION_ID },
  });
  assert.equal(headless.statusCode, 200, headless.body);
  return {
    key,
    userId,
    username,
    headlessId: headless.json().installationId,
    credentialId,
    executionId,
    sessionId: session.json().sessionId,
    deliveryId,
    installationId,
  };
}

before(async () => {
  receiver = await TestReceiver.start();
  definitions = definitionsDir({
    'lab.integration.json': labIntegration((path) => `http://127.0.0.1:9${path}`),
  });
  api = await startApi({ server: { definitionsDir: definitions } });
  doc = api.server.openApi();
  for (const key of ['dev', 'prod'] as const) {
    const settings = await api.call('PUT', '/settings', {
      key,
      body: { installationWebhookUrl: receiver.url(`/installations/${key}`) },
    });
    assert.equal(settings.statusCode, 200, settings.body);
  }
  a = await tenant('tenant-a', 'dev');
  b = await tenant('tenant-b', 'dev');
  p = await tenant('tenant-p', 'prod');
});
after(async () => {
  await api.server.dispose();
  await receiver.close();
  fs.rmSync(definitions, { recursive: true, force: true });
});

/** Path parameters that name something every tenant shares (the catalogue), not a tenant's data. */
const SHARED_PARAMS: Record<string, string> = {
  integrationId: INTEGRATION_ID,
  workflowId: STREAM_WORKFLOW_ID,
  credentialName: 'demoStore',
  app: 'demoStore',
  blockId: 'stream-to-acmeco',
  fieldName: 'referencePrefix',
};
const EXAMPLE: Tenant = {
  key: 'dev',
  userId: 'u',
  username: 'u',
  credentialId: 'c',
  executionId: 'e',
  sessionId: 's',
  deliveryId: 'd',
  installationId: 'i',
  headlessId: 'h',
};
const tenantParam = (t: Tenant, name: string): string | undefined =>
  ({
    userId: t.userId,
    credentialId: t.credentialId,
    executionId: t.executionId,
    deliveryId: t.deliveryId,
    sessionId: t.sessionId,
  })[name];
/** Per operation: shared values that make the request reach the tenant check (a dynamic select). */
const SHARED_OVERRIDES: Record<string, Record<string, string>> = {
  widgetFieldOptions: {
    integrationId: LAB_INTEGRATION_ID,
    workflowId: STATUS_WORKFLOW_ID,
    blockId: 'set-status',
    fieldName: 'status',
  },
};
/** Query parameters that name a tenant's resource: its ids, and the logs search's user filter. */
const isTenantQuery = (name: string) => name === 'associatedUserId' || tenantParam(EXAMPLE, name) !== undefined;

/** Bodies that name a tenant's user or resources, by operation. */
const BODIES: Record<string, (t: Tenant) => unknown> = {
  activateWorkflow: (t) => ({ userId: t.userId, workflowId: STREAM_WORKFLOW_ID }),
  deactivateWorkflow: (t) => ({ userId: t.userId, workflowId: STREAM_WORKFLOW_ID }),
  runEvent: (t) => ({ event: 'Fulfillment Updated', userId: t.userId, data: { orderId: '1', status: 'x' } }),
  runWorkflow: (t) => ({ workflowId: STREAM_WORKFLOW_ID, userId: t.userId, data: {} }),
  createCredential: (t) => ({
    userId: t.userId,
    credential: { type: 'demoStore', data: { apiKey: 'not-a-store-key-000000', storeId: 'acme-shop' } },
  }),
  startInstallation: (t) => ({ userId: t.userId, integrationId: INTEGRATION_ID }),
  completeInstallation: (t) => ({ installationId: t.headlessId, data: [] }),
  updateUser: () => ({ fullName: 'Renamed By Another Tenant' }),
  widgetCreateInstallation: (t) => ({
    integrationId: INTEGRATION_ID,
    values: [{ ...PREFIX_FIELD, value: 'X-' }],
    credentialIds: { demoStore: t.credentialId },
  }),
};

interface Probe {
  operationId: string;
  method: Method;
  /** The request naming `owner`'s resources, or (`unknown`) the same request with ids nothing has. */
  request(owner: Tenant, unknown: boolean): { url: string; body?: unknown };
}

const TENANT_IDS = [
  'userId',
  'credentialId',
  'executionId',
  'deliveryId',
  'sessionId',
  'installationId',
  'headlessId',
] as const;
const unknownTenant = (t: Tenant): Tenant => ({
  ...t,
  ...Object.fromEntries(TENANT_IDS.map((name) => [name, unknownLike(t[name])])),
});

/** Every operation of the document that names a tenant's resource, as a probe; `fits` picks the caller. */
function probes(fits: (security: Record<string, string[]>[]) => boolean): Probe[] {
  const out: Probe[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!fits(op.security)) continue;
      const pathParams = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const tenantParams = pathParams.filter((name) => !(name in SHARED_PARAMS));
      for (const name of tenantParams) {
        assert.ok(tenantParam(a, name) !== undefined, `${op.operationId}: no tenant value for {${name}}`);
      }
      const queryNames = op.parameters.filter((q) => q.in === 'query').map((q) => q.name);
      const tenantQuery = queryNames.filter(isTenantQuery);
      const shared = { ...SHARED_PARAMS, ...SHARED_OVERRIDES[op.operationId] };
      const body = BODIES[op.operationId];
      if (tenantParams.length === 0 && tenantQuery.length === 0 && !body) continue;
      const requiredQuery = op.parameters.filter((q) => q.in === 'query' && q.required && !isTenantQuery(q.name));
      for (const q of requiredQuery) assert.ok(q.name === 'app', `${op.operationId}: no value for ?${q.name}`);
      out.push({
        operationId: op.operationId,
        method: method.toUpperCase() as Method,
        request(owner, unknown) {
          const who = unknown ? unknownTenant(owner) : owner;
          const value = (name: string) => shared[name] ?? tenantParam(who, name)!;
          const path = template.replace(/\{(\w+)\}/g, (_, name: string) => value(name));
          const query = [
            ...tenantQuery.map((n) => `${n}=${tenantParam(who, n === 'associatedUserId' ? 'userId' : n)!}`),
            ...requiredQuery.map((q) => `${q.name}=demoStore`),
          ];
          return {
            url: `${path}${query.length ? `?${query.join('&')}` : ''}`,
            ...(body ? { body: body(who) } : {}),
          };
        },
      });
    }
  }
  return out;
}

let idempotencyCounter = 0;
/** Status and code of every cross-tenant answer, for the figure. */
const answers = new Map<string, number>();
const withoutTimes = (body: string) => body.replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, '"<time>"');
const answerSummary = () => [...answers].map(([answer, count]) => `${count}x ${answer}`).join(', ');

/** Same status and body for `owner`'s resource as for an unknown id (ids swapped), never a success. */
async function compare(
  probe: Probe,
  owner: Tenant,
  caller: { key?: Key; token?: string },
): Promise<string | undefined> {
  const theirs = probe.request(owner, false);
  const unknown = probe.request(owner, true);
  const key = () => ({ 'idempotency-key': `isolation-${probe.operationId}-${++idempotencyCounter}` });
  const got = await api.call(probe.method, theirs.url, { ...caller, body: theirs.body, headers: key() });
  const expected = await api.call(probe.method, unknown.url, { ...caller, body: unknown.body, headers: key() });
  let normalized = got.body;
  for (const name of TENANT_IDS) normalized = normalized.replaceAll(owner[name], unknownLike(owner[name]));
  const expectedBody = expected.body;
  const name = `${probe.method} ${theirs.url}`;
  answers.set(
    `${got.statusCode} ${got.json().error?.code ?? 'ok'}`,
    (answers.get(`${got.statusCode} ${got.json().error?.code ?? 'ok'}`) ?? 0) + 1,
  );
  if (got.statusCode < 400) {
    // A search filter (GET /logs?associatedUserId=) may answer 200 with nothing, exactly as for an unknown user.
    const leaked = TENANT_IDS.filter((id) => id !== 'userId' && got.body.includes(owner[id]));
    if (
      expected.statusCode === got.statusCode &&
      withoutTimes(normalized) === withoutTimes(expectedBody) &&
      leaked.length === 0
    ) {
      return undefined;
    }
    return `${name}: ${got.statusCode} (reached it) ${got.body.slice(0, 100)}`;
  }
  if (got.statusCode !== expected.statusCode) return `${name}: ${got.statusCode}, unknown id ${expected.statusCode}`;
  if (
    JSON.stringify(Object.keys(got.json().error).sort()) !== JSON.stringify(Object.keys(expected.json().error).sort())
  ) {
    return `${name}: error shape differs from an unknown id's`;
  }
  if (got.json().error.code !== expected.json().error.code)
    return `${name}: code ${got.json().error.code} vs ${expected.json().error.code}`;
  if (normalized !== expectedBody)
    return `${name}: body differs: ${normalized.slice(0, 120)} | ${expectedBody.slice(0, 120)}`;
  return undefined;
}

test('a user token reaches none of another user’s resources; its lists hold none of them', async (t) => {
  const tokenA = await api.token(a.userId);
  const tokenProbes = probes((security) => security.some((s) => 'userToken' in s));
  const failures: string[] = [];
  for (const probe of tokenProbes) {
    for (const owner of [b, p]) {
      const failure = await compare(probe, owner, { token: tokenA });
      if (failure) failures.push(`A's token on ${owner.username}: ${failure}`);
    }
  }
  // Control: with A's own credential the same route answers, so the refusals above are the tenant check.
  const own = await api.call(
    'GET',
    `/widget/integrations/${LAB_INTEGRATION_ID}/fields/${STATUS_WORKFLOW_ID}/set-status/status/options?credentialId=${a.credentialId}`,
    { token: tokenA },
  );
  assert.equal(own.statusCode, 200, own.body);
  // Every list a user token can read, with nothing of B's or P's in it.
  const lists = ['/integrations', `/integrations/${INTEGRATION_ID}`, '/workflows', `/workflows/${STREAM_WORKFLOW_ID}`];
  const widgetLists = [`/widget/integrations/${INTEGRATION_ID}`, `/widget/integrations/${INTEGRATION_ID}/apps`];
  let listsClean = 0;
  for (const path of [...lists, ...widgetLists]) {
    const response = await api.call('GET', path, { token: tokenA });
    assert.equal(response.statusCode, 200, `${path}: ${response.body}`);
    const foreign = [b, p]
      .flatMap((o) => [o.userId, o.credentialId, o.installationId, o.sessionId])
      .filter((id) => response.body.includes(id));
    if (foreign.length === 0) listsClean += 1;
    else failures.push(`${path} lists another tenant's ids`);
  }
  t.diagnostic(
    `FIGURE isolation-user-token | ${tokenProbes.length} user-token operations x 2 other tenants = ${tokenProbes.length * 2} requests: ${tokenProbes.length * 2 - failures.filter((f) => f.startsWith('A')).length} answered as an unknown id (${answerSummary()}); ${listsClean}/${lists.length + widgetLists.length} lists free of other tenants' ids`,
  );
  assert.ok(tokenProbes.length >= 8, `user-token probes: ${tokenProbes.length}`);
  assert.deepEqual(failures, []);
});

test('the development key reaches none of production’s data and the production key none of development’s', async (t) => {
  const keyProbes = probes((security) => security.some((s) => 'apiKey' in s));
  answers.clear();
  const failures: string[] = [];
  for (const probe of keyProbes) {
    for (const [caller, owner] of [
      ['dev', p],
      ['prod', b],
    ] as const) {
      const failure = await compare(probe, owner, { key: caller });
      if (failure) failures.push(`${caller} key on ${owner.username}: ${failure}`);
    }
  }
  // Lists of one environment hold nothing of the other.
  const lists = ['/users', '/webhook-deliveries', '/logs', `/workflows/${STREAM_WORKFLOW_ID}/users`];
  let listsClean = 0;
  for (const path of lists) {
    for (const [caller, other] of [
      ['dev', p],
      ['prod', b],
    ] as const) {
      const response = await api.call('GET', path, { key: caller });
      assert.equal(response.statusCode, 200, `${path}: ${response.body}`);
      const foreign = [other.userId, other.username, other.credentialId, other.executionId, other.deliveryId].filter(
        (id) => response.body.includes(id),
      );
      if (foreign.length === 0) listsClean += 1;
      else failures.push(`${caller} ${path} lists the other environment's ${foreign.join(', ')}`);
    }
  }
  // Nothing above changed the tenants it could not see.
  for (const owner of [a, b, p]) {
    const user = await api.call('GET', `/users/${owner.userId}`, { key: owner.key });
    assert.equal(user.statusCode, 200, `${owner.username} still exists`);
    const credentials = await api.call('GET', `/users/${owner.userId}/credentials`, { key: owner.key });
    assert.ok(credentials.body.includes(owner.credentialId), `${owner.username} keeps its credential`);
  }
  const requests = keyProbes.length * 2;
  const failed = failures.filter((f) => !f.includes(' lists ')).length;
  t.diagnostic(
    `FIGURE isolation-api-key | ${keyProbes.length} API-key operations taking an id x 2 directions = ${requests} requests: ${requests - failed} answered exactly as an unknown id (${answerSummary()}); ${listsClean}/${lists.length * 2} lists free of the other environment`,
  );
  assert.ok(keyProbes.length >= 25, `API-key probes: ${keyProbes.length}`);
  assert.deepEqual(failures, []);
});
