/**
 * Issue 15: the users module's read-then-write sequences are single conditional statements, right
 * under concurrency on any engine. Concurrent updates of one user never fail with a 500; two
 * servers starting together on one data dir agree on the JWT secret, the API keys and the
 * released definitions.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TEST_ENGINE } from '../helpers/engine.js';
import { SEED_DEFINITIONS_DIR } from '../../src/server/app.js';
import { DefinitionRegistry } from '../../src/server/definitions/registry.js';
import { installedVersionCounts } from '../../src/server/installs/index.js';
import { createDatabase, openDatabase, type Database, type Db } from '../../src/server/platform/db/index.js';
import { loadEncryptionKey, SecretBox } from '../../src/server/platform/encryption.js';
import {
  DIGEST_REREAD_MS,
  environmentForApiKey,
  loadSecrets,
  rotateApiKey,
  UserService,
} from '../../src/server/users/index.js';
import {
  type Api,
  INTEGRATION_ID,
  clone,
  definitionsDir,
  seedDefinition,
  startApi,
  writeDefinition,
} from './support.js';

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Two handles on one fresh data dir, as two server processes would have. */
function twoNodes(): { dataDir: string; raw: Db[]; nodes: Database[]; box: SecretBox; close(): void } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-arch-users-'));
  tempDirs.push(dataDir);
  const raw = [openDatabase(dataDir), openDatabase(dataDir)];
  return {
    dataDir,
    raw,
    nodes: raw.map((db) => createDatabase(db, { guardTransactions: true })),
    box: new SecretBox(loadEncryptionKey(dataDir, undefined)),
    close: () => raw.forEach((db) => db.close()),
  };
}

describe('updating one user concurrently', () => {
  let api: Api;
  before(async () => {
    api = await startApi();
  });
  after(async () => {
    await api.server.dispose();
  });

  test('many updates of the same user at once all succeed, and the last write is what is stored', async () => {
    const userId = await api.createUser('arch-concurrent');
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.call('PUT', `/users/${userId}`, {
          body: i % 2 === 0 ? { fullName: `Name ${i}` } : { username: `arch-concurrent-${i}` },
        }),
      ),
    );
    for (const response of responses) assert.equal(response.statusCode, 200, response.body);
    const stored = (await api.call('GET', `/users/${userId}`)).json();
    if (TEST_ENGINE === 'sqlite') {
      // One writer, requests in arrival order: the last one sent is the last one written.
      assert.equal(stored.username, 'arch-concurrent-19');
      assert.equal(stored.fullName, 'Name 18');
    } else {
      // PostgreSQL runs them side by side, so any of them may commit last; what is stored is one
      // of the values sent, whole, never a mix or a lost row.
      const sentNames = Array.from({ length: 10 }, (_, i) => `arch-concurrent-${2 * i + 1}`);
      const sentFullNames = Array.from({ length: 10 }, (_, i) => `Name ${2 * i}`);
      assert.ok(sentNames.includes(stored.username), stored.username);
      assert.ok(sentFullNames.includes(stored.fullName), stored.fullName);
    }
  });

  test('two users renamed to one username at once: one wins, the other gets a 409, never a 500', async () => {
    const first = await api.createUser('arch-rename-a');
    const second = await api.createUser('arch-rename-b');
    const responses = await Promise.all(
      [first, second].map((userId) => api.call('PUT', `/users/${userId}`, { body: { username: 'arch-wanted' } })),
    );
    assert.deepEqual(responses.map((r) => r.statusCode).sort(), [200, 409], responses.map((r) => r.body).join('\n'));
    assert.equal(responses.find((r) => r.statusCode === 409)!.json().error.code, 'conflict');
    assert.equal((await api.call('GET', '/users/arch-wanted')).statusCode, 200);
  });

  test('an update of a user deleted meanwhile is a 404, by id or by username', async () => {
    const userId = await api.createUser('arch-deleted');
    const [removed, updated] = await Promise.all([
      api.call('DELETE', `/users/${userId}`),
      api.call('PUT', '/users/arch-deleted', { body: { fullName: 'Too late' } }),
    ]);
    assert.equal(removed.statusCode, 200, removed.body);
    assert.ok([200, 404].includes(updated.statusCode), updated.body);
    assert.equal((await api.call('PUT', `/users/${userId}`, { body: { fullName: 'Gone' } })).statusCode, 404);
  });

  test('a path naming one user by id and another by username updates the one with that id', async () => {
    const target = await api.createUser('arch-by-id');
    // A username that is another user's id: the id wins, as on GET.
    await api.createUser(target);
    const response = await api.call('PUT', `/users/${target}`, { body: { fullName: 'By id' } });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().username, 'arch-by-id');
    assert.equal((await api.call('GET', `/users/${target}`)).json().fullName, 'By id');
  });

  test('creating one username twice at once: one 200, one 409; batches racing for it report it taken', async () => {
    const created = await Promise.all(
      [1, 2].map(() => api.call('POST', '/users', { body: { username: 'arch-twice' } })),
    );
    assert.deepEqual(created.map((r) => r.statusCode).sort(), [200, 409]);
    const batches = await Promise.all(
      [1, 2].map(() => api.call('POST', '/users/batch', { body: { users: [{ username: 'arch-batch' }] } })),
    );
    for (const batch of batches) assert.equal(batch.statusCode, 200, batch.body);
    assert.deepEqual(batches.map((b) => b.json().users.length).sort(), [0, 1]);
  });

  test('the user of a token deleted since: the one token_invalid answer on every token route', async () => {
    const userId = await api.createUser('arch-token-gone');
    const token = await api.token(userId);
    assert.equal((await api.call('DELETE', `/users/${userId}`)).statusCode, 200);
    // A well-formed request each: the body is checked before the handler looks the user up.
    const credential = { app: 'demo-store', fields: { apiKey: 'k', storeId: 's' } };
    for (const [method, url, body] of [
      ['GET', `/widget/integrations/${INTEGRATION_ID}`, undefined],
      ['GET', `/widget/integrations/${INTEGRATION_ID}/apps`, undefined],
      ['POST', '/widget/credentials', credential],
      ['GET', '/widget/regions', undefined],
      ['GET', '/integrations', undefined],
    ] as const) {
      const response = await api.call(method, url, body === undefined ? { token } : { token, body });
      assert.equal(response.statusCode, 401, `${url}: ${response.body}`);
      assert.equal(response.json().error.code, 'token_invalid');
      assert.equal(response.json().error.message, 'The user of this token no longer exists.');
    }
  });
});

describe('two servers starting together on one data dir', () => {
  test('they sign with the same JWT secret and agree on the API keys', async () => {
    const { nodes, box, close } = twoNodes();
    try {
      const [a, b] = await Promise.all(nodes.map((node) => loadSecrets(node, box, undefined)));
      assert.ok(Buffer.from(a!.secrets.jwtSecret).equals(Buffer.from(b!.secrets.jwtSecret)));
      for (const env of ['development', 'production'] as const) {
        const generatedBy = [a!, b!].filter((loaded) => loaded.secrets.generatedApiKeys.includes(env));
        assert.equal(generatedBy.length, 1, `${env}: exactly one start generated the key`);
        const key = generatedBy[0]!.secrets.apiKeys[env];
        assert.equal(await environmentForApiKey(a!.secrets, key), env);
        assert.equal(await environmentForApiKey(b!.secrets, key), env);
      }
      // A third start reads what the first two stored.
      const again = await loadSecrets(nodes[0]!, box, undefined);
      assert.ok(Buffer.from(again.secrets.jwtSecret).equals(Buffer.from(a!.secrets.jwtSecret)));
      assert.deepEqual(again.secrets.generatedApiKeys, []);
    } finally {
      close();
    }
  });

  test('a rotation here applies at once; one by another process within DIGEST_REREAD_MS', async () => {
    const { nodes, raw, box, close } = twoNodes();
    try {
      const { secrets } = await loadSecrets(nodes[0]!, box, undefined);
      const oldKey = secrets.apiKeys.production;
      const rotated = await rotateApiKey(nodes[1]!, 'production');
      assert.equal(
        await environmentForApiKey(secrets, oldKey),
        undefined,
        'a rotation in this process applies at once',
      );
      assert.equal(await environmentForApiKey(secrets, rotated), 'production');
      // Another process writes the digest: this one is told nothing and re-reads within the period.
      raw[1]!
        .prepare("UPDATE settings SET value = 'sha256:' || hex(randomblob(32)) WHERE key = ?")
        .run('api_key_sha256_production');
      await new Promise((resolve) => setTimeout(resolve, DIGEST_REREAD_MS + 50));
      assert.equal(await environmentForApiKey(secrets, rotated), undefined);
    } finally {
      close();
    }
  });

  test('they release the same definitions together: one row per version, the same release time', async () => {
    const { nodes, raw, close } = twoNodes();
    try {
      const [a, b] = await Promise.all(
        nodes.map((node) => DefinitionRegistry.open(node, SEED_DEFINITIONS_DIR, () => installedVersionCounts(node))),
      );
      const versions = a!.current.integrations.flatMap((i) =>
        i.workflows.flatMap((w) => w.versions.map((v) => [w.workflowId, v.version] as const)),
      );
      const { n } = raw[0]!.prepare('SELECT COUNT(*) AS n FROM released_versions').get() as { n: number };
      assert.equal(n, versions.length);
      for (const [workflowId, version] of versions) {
        assert.ok(a!.releasedAt(workflowId, version));
        assert.equal(a!.releasedAt(workflowId, version), b!.releasedAt(workflowId, version));
      }
    } finally {
      close();
    }
  });

  test('releasing one version with two different contents together: one is accepted, the other refused', async () => {
    const edited = clone(seedDefinition()) as { workflows: { versions: { blocks: { name: string }[] }[] }[] };
    edited.workflows[0]!.versions[0]!.blocks[0]!.name = 'Changed while another node released it';
    const dir = definitionsDir();
    tempDirs.push(dir);
    writeDefinition(dir, 'demo-store.integration.json', edited);
    const { nodes, raw, close } = twoNodes();
    try {
      const results = await Promise.allSettled([
        DefinitionRegistry.open(nodes[0]!, SEED_DEFINITIONS_DIR, () => installedVersionCounts(nodes[0]!)),
        DefinitionRegistry.open(nodes[1]!, dir, () => installedVersionCounts(nodes[1]!)),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.match(String(refused.reason), /was released on .* and cannot change/);
      const { n } = raw[0]!.prepare('SELECT COUNT(DISTINCT content_hash) AS n FROM released_versions').get() as {
        n: number;
      };
      assert.ok(n > 0);
      // Later starts agree with whichever was recorded.
      const winner = results[0]!.status === 'fulfilled' ? SEED_DEFINITIONS_DIR : dir;
      await DefinitionRegistry.open(nodes[0]!, winner, () => installedVersionCounts(nodes[0]!));
    } finally {
      close();
    }
  });

  test('the users service updates in one statement: a rename to a taken username is a conflict', async () => {
    const { nodes, close } = twoNodes();
    try {
      const [a, b] = nodes.map((node) => new UserService(node));
      const ann = await a!.create('development', 'ann', undefined);
      await b!.create('development', 'bob', 'Bob');
      await assert.rejects(a!.update('development', ann.userId, { username: 'bob' }), { code: 'conflict' });
      assert.deepEqual(await b!.update('development', 'ann', { fullName: 'Ann' }), {
        userId: ann.userId,
        username: 'ann',
        fullName: 'Ann',
      });
      assert.deepEqual(await b!.update('development', 'ann', {}), {
        userId: ann.userId,
        username: 'ann',
        fullName: 'Ann',
      });
      await assert.rejects(b!.update('production', 'ann', { fullName: 'x' }), { code: 'not_found' });
    } finally {
      close();
    }
  });
});
