import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InjectOptions } from 'fastify';
import { SEED_DEFINITIONS_DIR } from '../../src/server/app.js';
import { signInOwner, TEST_OWNER_SECRET } from '../helpers/sandbox-owner.js';
import { apiKeyHeaders, startTestServer, type TestServer } from '../helpers/server.js';

export const INTEGRATION_ID = '65a1c0de0000000000000001';
export const STREAM_WORKFLOW_ID = '65a1c0de0000000000000101';
export const EVENT_WORKFLOW_ID = '65a1c0de0000000000000102';
export const UNKNOWN_ID = 'ffffffffffffffffffffffff';
export const PREFIX_FIELD = { workflowId: STREAM_WORKFLOW_ID, blockId: 'stream-to-acmeco', name: 'referencePrefix' };
/** The seeded sandbox store every test user connects to unless a test makes another. */
export const STORE_ID = 'acme-shop';

/** Short retries, leases and polls so runtime tests are quick; real values are in RuntimeOptions. */
export const FAST_RUNTIME = {
  retry: { baseDelayMs: 10, maxDelayMs: 40, maxAttempts: 4 },
  deliveryRetry: { baseDelayMs: 10, maxDelayMs: 40, maxAttempts: 4 },
  leaseMs: 2_000,
  pollIntervalMs: 50,
  requestTimeoutMs: 3_000,
  shutdownGraceMs: 1_000,
};
/** The demo's Stream Data inbox: the one path of the server relative URLs in test definitions name. */
export const DEMO_RELATIVE_URL_PREFIXES = ['/demo/api/inbox/'];
export const FAST_SANDBOX = { webhookDelivery: { retryDelaysMs: [20, 50, 100], timeoutMs: 3_000 } };

export type Key = 'dev' | 'prod' | 'none' | 'wrong';

export interface CallOptions {
  body?: unknown;
  key?: Key;
  token?: string;
  headers?: Record<string, string>;
}

/** A thin client over `inject` for the versioned API, with the test's keys. */
export class Api {
  constructor(readonly server: TestServer) {}

  headersFor(key: Key): Record<string, string> {
    switch (key) {
      case 'dev':
        return apiKeyHeaders();
      case 'prod':
        return apiKeyHeaders(this.server.ctx.secrets.apiKeys.production);
      case 'wrong':
        return apiKeyHeaders('ak_dev_not_the_right_key_000000');
      case 'none':
        return {};
    }
  }

  /** `path` without a version gets `/2024-03` in front. */
  call(method: InjectOptions['method'], path: string, options: CallOptions = {}) {
    const url = /^\/\d{4}-\d{2}\//.test(path) || !path.startsWith('/') ? path : `/2024-03${path}`;
    const headers = {
      ...(options.token ? { 'x-alloy-user-token': options.token } : this.headersFor(options.key ?? 'dev')),
      ...options.headers,
    };
    return this.server.app.inject({
      method,
      url,
      headers,
      ...(options.body === undefined ? {} : { payload: options.body as InjectOptions['payload'] }),
    });
  }

  async createUser(username: string, key: Key = 'dev'): Promise<string> {
    const response = await this.call('POST', '/users', { body: { username }, key });
    assert.equal(response.statusCode, 200, response.body);
    return response.json().userId;
  }

  async token(userId: string, key: Key = 'dev'): Promise<string> {
    const response = await this.call('GET', `/users/${userId}/token`, { key });
    assert.equal(response.statusCode, 200, response.body);
    return response.json().token;
  }

  /** Installs the seeded integration as the modal does (user token, Finish Installation). */
  async installWithWidget(userId: string, prefix = 'DS-', key: Key = 'dev'): Promise<string> {
    const response = await this.call('POST', '/widget/installations', {
      token: await this.token(userId, key),
      body: { integrationId: INTEGRATION_ID, values: [{ ...PREFIX_FIELD, value: prefix }] },
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().installationId;
  }

  /** A sandbox store's credential: `{apiKey, storeId}` (the key read from the store's admin API). */
  async storeCredential(storeId = STORE_ID): Promise<{ apiKey: string; storeId: string }> {
    return storeCredentialOf(this.server, storeId);
  }

  /** A new sandbox store (made by the seeded store's owner, signed in); returns its credential. */
  async createStore(name: string, subdomain: string): Promise<{ apiKey: string; storeId: string }> {
    const owner = await signInOwner(this.server.app);
    const response = await this.server.app.inject({
      method: 'POST',
      url: '/sandbox/demo-store/admin/api/stores',
      headers: owner.headers,
      payload: { name, subdomain },
    });
    assert.equal(response.statusCode, 201, response.body);
    return { apiKey: response.json().apiKey, storeId: response.json().id };
  }

  /** Connects the user to a sandbox store through POST /headless/credentials (tested against the store). */
  async createCredential(userId: string, data?: Record<string, string>): Promise<string> {
    const response = await this.call('POST', '/headless/credentials', {
      body: { userId, credential: { type: 'demoStore', data: data ?? (await this.storeCredential()) } },
    });
    assert.equal(response.statusCode, 200, response.body);
    return response.json().credentialId;
  }

  /** A path on this server as an absolute URL. */
  url(path: string): string {
    return `${this.server.ctx.publicUrl}${path}`;
  }
}

/**
 * Starts a listening server (the runtime calls the sandbox over HTTP) with quick retries and
 * loopback targets allowed, and hands back the client; `dispose` in `after`.
 */
export async function startApi(options: Parameters<typeof startTestServer>[0] = {}): Promise<Api> {
  return new Api(
    await startTestServer({
      listen: true,
      ...options,
      server: {
        allowPrivateTargets: 'loopback',
        relativeUrlPrefixes: DEMO_RELATIVE_URL_PREFIXES,
        runtime: FAST_RUNTIME,
        sandboxTuning: FAST_SANDBOX,
        ...options.server,
      },
    }),
  );
}

/** Polls until `check` returns a value (not undefined/false); fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A fresh definitions directory holding copies of the seed plus `extra` files (name → JSON). */
export function definitionsDir(extra: Record<string, unknown> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-defs-'));
  for (const file of fs.readdirSync(SEED_DEFINITIONS_DIR)) {
    fs.copyFileSync(path.join(SEED_DEFINITIONS_DIR, file), path.join(dir, file));
  }
  for (const [name, content] of Object.entries(extra)) writeDefinition(dir, name, content);
  return dir;
}

/** A listening server on the seed plus the ops integration, in a definitions dir of its own that tests may rewrite. */
export interface OpsApi {
  api: Api;
  dir: string;
  /** Closes the server and deletes its data and definitions dirs. */
  dispose(): Promise<void>;
}

export async function startOpsApi(): Promise<OpsApi> {
  const dir = definitionsDir({ 'ops.integration.json': opsIntegration() });
  const api = await startApi({ server: { definitionsDir: dir } });
  return {
    api,
    dir,
    async dispose() {
      await api.server.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function writeDefinition(dir: string, name: string, content: unknown): void {
  fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

/** A deep copy of a JSON value, to derive test definitions from others. */
export const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The seed integration as JSON. */
export function seedDefinition(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(SEED_DEFINITIONS_DIR, 'demo-store.integration.json'), 'utf8'));
}

export const OPS_INTEGRATION_ID = '65a1c0de0000000000000002';
export const WEBHOOK_WORKFLOW_ID = '65a1c0de0000000000000201';
export const SETTINGS_WORKFLOW_ID = '65a1c0de0000000000000202';

/**
 * A second integration for tests: a webhook-trigger workflow (with a data schema) and a
 * workflow with a configurable select field, each at version 1.
 */
export function opsIntegration(): Record<string, unknown> {
  return {
    integrationId: OPS_INTEGRATION_ID,
    name: 'Ops Tools',
    app: 'demoStore',
    icon: '/static/icons/webhook.svg',
    workflows: [
      {
        workflowId: WEBHOOK_WORKFLOW_ID,
        name: 'Ticket webhook',
        versions: [
          {
            version: 1,
            trigger: {
              type: 'webhook',
              id: 'incoming',
              name: 'Webhook',
              schema: { ticketId: 'String', priority: 'Number?', tags: ['String'] },
            },
            blocks: [
              {
                type: 'streamData',
                id: 'forward',
                name: 'Stream Data',
                // Port 9 on this machine: nothing listens, and no test request leaves the machine.
                fields: [{ name: 'url', displayName: 'URL', type: 'text', value: 'http://127.0.0.1:9/tickets' }],
              },
            ],
          },
        ],
      },
      {
        workflowId: SETTINGS_WORKFLOW_ID,
        name: 'Nightly summary',
        versions: [
          {
            version: 1,
            trigger: { type: 'onInstallation', id: 'installed', name: 'On Installation' },
            blocks: [
              {
                type: 'streamData',
                id: 'send',
                name: 'Stream Data',
                fields: [
                  { name: 'url', displayName: 'URL', type: 'text', value: '/demo/api/inbox/summary' },
                  {
                    name: 'channel',
                    displayName: 'Channel',
                    type: 'select',
                    userConfigurable: true,
                    options: [
                      { value: 'email', label: 'Email' },
                      { value: 'slack', label: 'Slack' },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

/**
 * The seeded sandbox store's real credential (API key + store id), read from the sandbox admin API
 * signed in as its owner (`ownerSecret` for another store, named by its subdomain `shop`).
 */
export async function storeCredentialOf(
  server: Pick<TestServer, 'app'>,
  storeId = STORE_ID,
  owner: { shop: string; secret: string } = { shop: STORE_ID, secret: TEST_OWNER_SECRET },
): Promise<{ apiKey: string; storeId: string }> {
  const session = await signInOwner(server.app, owner.shop, owner.secret);
  const response = await server.app.inject({
    method: 'GET',
    url: '/sandbox/demo-store/admin/api/stores',
    headers: session.headers,
  });
  assert.equal(response.statusCode, 200, response.body);
  const store = (response.json().data as { id: string; apiKey: string }[]).find((s) => s.id === storeId);
  assert.ok(store, `store ${storeId} exists`);
  return { apiKey: store.apiKey, storeId: store.id };
}
