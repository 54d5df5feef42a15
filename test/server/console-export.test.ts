/**
 * The console's export and link status (issue 19): `GET /console/api/integrations/:id/export`
 * answers the integration's `*.integration.json` as loaded, which the real loader reads back as
 * the same definition with the same release fingerprints; `GET /console/api/links` lists the
 * environment's Embedded Links with their status (unused, used, expired), never their tokens.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadDefinitions, versionHash } from '../../src/server/definitions/definitions.js';
import { SEED_DEFINITIONS_DIR } from '../../src/server/app.js';
import { rawRows } from '../helpers/engine.js';
import {
  apiKeyHeaders,
  signInToConsole,
  startTestServer,
  TEST_PRODUCTION_API_KEY,
  type TestServer,
} from '../helpers/server.js';
import { INTEGRATION_ID, UNKNOWN_ID } from './support.js';

const CHEAP = { consoleScryptCost: { N: 2 ** 10, r: 8, p: 1 } };
const PASSWORD = 'correct horse battery staple';
const COOKIE = 'alloy_console_session';

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});
const tempDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-export-'));
  tempDirs.push(dir);
  return dir;
};

function assertError(response: LightMyRequestResponse, status: number, code: string, what: string): void {
  assert.equal(response.statusCode, status, `${what}: ${response.body}`);
  assert.equal(response.json().error.code, code, what);
  assert.equal(response.headers['cache-control'], 'no-store', `${what}: no-store`);
}

let server: TestServer;
let cookie: string;
const inject = (options: InjectOptions) => server.app.inject(options);
/** A GET as the console page makes it: the session cookie, and the environment. */
const get = (url: string, env?: string, withSession = true) =>
  inject({
    method: 'GET',
    url,
    headers: { ...(withSession ? { cookie: `${COOKIE}=${cookie}` } : {}), ...(env ? { 'x-alloy-env': env } : {}) },
  });

before(async () => {
  server = await startTestServer({ server: { sandbox: false, ...CHEAP, consolePassword: PASSWORD } });
  ({ cookie } = await signInToConsole(server, PASSWORD));
});
after(async () => {
  await server?.dispose();
});

describe('console: export an integration', () => {
  test('the catalogue says every integration is defined in code', async () => {
    const response = await get('/console/api/integrations');
    assert.equal(response.statusCode, 200, response.body);
    const data = response.json().data as { integrationId: string; source: string }[];
    assert.ok(data.length > 0);
    assert.ok(data.every((i) => i.source === 'code'));
  });

  test('the export is the file as loaded; it loads back as the same definition with the same fingerprints', async () => {
    const response = await get(`/console/api/integrations/${INTEGRATION_ID}/export`);
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /^application\/json\b/);
    assert.equal(response.headers['content-disposition'], 'attachment; filename="demo-store.integration.json"');
    assert.equal(response.headers['cache-control'], 'no-store');
    // Byte for byte the seed file the server loaded.
    assert.equal(
      response.body,
      fs.readFileSync(path.join(SEED_DEFINITIONS_DIR, 'demo-store.integration.json'), 'utf8'),
    );

    // Into a fresh definitions directory, read by the real loader.
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'demo-store.integration.json'), response.body);
    const loaded = loadDefinitions(dir);
    const running = server.ctx.definitions.current;
    assert.deepEqual(loaded.integrations, running.integrations);
    // The release fingerprint of every version is the one the server recorded.
    const released = await rawRows<{ workflow_id: string; version: number; content_hash: string }>(
      server,
      'SELECT workflow_id, version, content_hash FROM released_versions',
    );
    const versions = loaded.integrations.flatMap((i) =>
      i.workflows.flatMap((w) => w.versions.map((v) => ({ workflowId: w.workflowId, version: v }))),
    );
    assert.ok(versions.length > 0);
    for (const { workflowId, version } of versions) {
      const row = released.find((r) => r.workflow_id === workflowId && Number(r.version) === version.version);
      assert.ok(row, `${workflowId}@${version.version} released`);
      assert.equal(versionHash(version), row.content_hash, `${workflowId}@${version.version}: the same content hash`);
    }

    // A server on that directory runs the same set: the same definitions fingerprint.
    const other = await startTestServer({ server: { sandbox: false, ...CHEAP, definitionsDir: dir } });
    try {
      const [mine, theirs] = [await server.ctx.definitions.readiness(), await other.ctx.definitions.readiness()];
      assert.equal(theirs.fingerprint, mine.fingerprint);
      assert.deepEqual(other.ctx.definitions.current.integrations, running.integrations);
    } finally {
      await other.dispose();
    }
  });

  test('401 without a session, 404 for an unknown integration', async () => {
    assertError(
      await get(`/console/api/integrations/${INTEGRATION_ID}/export`, undefined, false),
      401,
      'unauthorized',
      'no session',
    );
    assertError(await get(`/console/api/integrations/${UNKNOWN_ID}/export`), 404, 'not_found', 'unknown id');
  });
});

describe("console: a shared link's status", () => {
  const createUser = async (username: string, key?: string): Promise<string> => {
    const response = await inject({
      method: 'POST',
      url: '/2024-03/users',
      headers: apiKeyHeaders(key),
      payload: { username },
    });
    assert.equal(response.statusCode, 200, response.body);
    return response.json().userId as string;
  };
  const makeLink = async (userId: string, key?: string): Promise<string> => {
    const response = await inject({
      method: 'GET',
      url: `/2024-03/users/${userId}/integrations/${INTEGRATION_ID}/install-url`,
      headers: apiKeyHeaders(key),
    });
    assert.equal(response.statusCode, 200, response.body);
    return response.json().url as string;
  };
  interface Listed {
    userId: string;
    integrationId: string;
    createdAt: string;
    expiresAt: string;
    status: string;
    usedAt?: string;
  }
  const list = async (query: string, env?: string): Promise<Listed[]> => {
    const response = await get(`/console/api/links${query}`, env);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    return response.json().data as Listed[];
  };

  test('a new link is unused; used once an install uses it; past its expiry, expired; newest first', async () => {
    const userId = await createUser('links-alice@example.com');
    const url = await makeLink(userId);
    const token = url.slice(url.lastIndexOf('/') + 1);
    let listed = await list(`?userId=${userId}&integrationId=${INTEGRATION_ID}`);
    assert.equal(listed.length, 1);
    assert.deepEqual(Object.keys(listed[0]!).sort(), ['createdAt', 'expiresAt', 'integrationId', 'status', 'userId']);
    assert.equal(listed[0]!.status, 'unused');
    assert.equal(listed[0]!.userId, userId);
    assert.equal(listed[0]!.integrationId, INTEGRATION_ID);
    // Never the token or its hash.
    const tokenHash = (await rawRows<{ token_hash: string }>(server, 'SELECT token_hash FROM link_tokens'))[0]!
      .token_hash;
    const raw = (await get(`/console/api/links?userId=${userId}`)).body;
    assert.ok(!raw.includes(token) && !raw.includes(tokenHash), 'no token, no hash');

    // The install through the link uses it up (the link service's redeem, as the link page's install does).
    const redeemed = await server.ctx.links.redeem(token);
    assert.equal(redeemed.ok, true);
    listed = await list(`?userId=${userId}`);
    assert.equal(listed[0]!.status, 'used');
    assert.ok(listed[0]!.usedAt && Date.parse(listed[0]!.usedAt) >= Date.parse(listed[0]!.createdAt));

    // One made two hours ago for an hour: expired (and, made earliest, listed last).
    await server.ctx.links.create(userId, INTEGRATION_ID, 3600, Date.now() - 2 * 3600_000);
    await makeLink(userId);
    listed = await list(`?userId=${userId}`);
    assert.deepEqual(
      listed.map((l) => l.status),
      ['unused', 'used', 'expired'],
      'newest first: the new link, the used one, the expired one (made two hours ago)',
    );
    assert.ok(listed.every((l, i) => i === 0 || l.createdAt <= listed[i - 1]!.createdAt));
    assert.equal(listed[2]!.usedAt, undefined);
  });

  test("per environment: another environment's links are not listed, its user is a 404", async () => {
    const devUser = await createUser('links-dev@example.com');
    const prodUser = await createUser('links-prod@example.com', TEST_PRODUCTION_API_KEY);
    await makeLink(devUser);
    await makeLink(prodUser, TEST_PRODUCTION_API_KEY);
    const development = await list('');
    assert.ok(development.some((l) => l.userId === devUser));
    assert.ok(!development.some((l) => l.userId === prodUser));
    const production = await list('', 'production');
    assert.deepEqual(
      production.map((l) => l.userId),
      [prodUser],
    );
    assertError(
      await get(`/console/api/links?userId=${prodUser}`),
      404,
      'not_found',
      'a production user in development',
    );
    // By integration only, and by username (as the ISV API accepts).
    assert.ok((await list(`?integrationId=${INTEGRATION_ID}`)).some((l) => l.userId === devUser));
    assert.equal((await list('?userId=links-dev@example.com')).length, 1);
    assert.deepEqual(await list(`?integrationId=${UNKNOWN_ID}`), []);
  });

  test('at most 50, newest first; 401 without a session; an unknown query parameter is a 400', async () => {
    const userId = await createUser('links-many@example.com');
    const base = Date.now() - 60_000;
    for (let i = 0; i < 55; i++) await server.ctx.links.create(userId, INTEGRATION_ID, 3600, base + i);
    const listed = await list(`?userId=${userId}`);
    assert.equal(listed.length, 50);
    assert.equal(listed[0]!.createdAt, new Date(base + 54).toISOString());
    assertError(await get('/console/api/links', undefined, false), 401, 'unauthorized', 'no session');
    assertError(await get('/console/api/links?token=x'), 400, 'validation_failed', 'unknown parameter');
  });
});
