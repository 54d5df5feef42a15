/**
 * Security audit (issue 13, item 6): the data dir and its files are private to the server's
 * user, API keys are kept as hashes (shown once, rotatable), and an older data dir's plaintext
 * secrets are hashed or sealed on start. The byte scan of the SQLite files is in
 * test/hardening/zz-secret-at-rest.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { DEMO_KEY_FILE, startDemoServer } from '../../demo/server.js';
import { createServer, type EmbeddedServer } from '../../src/server/app.js';
import { isSealedText, loadEncryptionKey, SecretBox } from '../../src/server/platform/encryption.js';
import { apiKeyLines, rotateFromCommandLine } from '../../src/server/rotate-api-key.js';
import { openConfig } from '../../src/server/installs/config-answers.js';
import { SIGNING_FILES } from '../../src/server/deliveries/webhook-signing.js';
import { rawRow, rawRows } from '../helpers/engine.js';
import { INTEGRATION_ID, STREAM_WORKFLOW_ID } from './support.js';

const tempDirs: string[] = [];
const tempDir = (name: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `alloy-at-rest-${name}-`));
  tempDirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

const mode = (file: string): number => fs.statSync(file).mode & 0o777;
const status = async (server: EmbeddedServer, key: string): Promise<number> =>
  (await server.app.inject({ method: 'GET', url: '/2024-03/settings', headers: { authorization: `Bearer ${key}` } }))
    .statusCode;
const keyFiles = (dataDir: string): string[] =>
  ['encryption.key', ...Object.values(SIGNING_FILES).flatMap((files) => [files.privateKey, files.webhookSecret])].map(
    (name) => path.join(dataDir, name),
  );
const dbBytes = (dataDir: string): Buffer =>
  Buffer.concat(
    fs
      .readdirSync(dataDir)
      .filter((name) => name.startsWith('alloy.db'))
      .map((name) => fs.readFileSync(path.join(dataDir, name))),
  );

describe('file modes', () => {
  test('a new data dir is 0700 and the database, WAL, shm and key files 0600, even with umask 000', async () => {
    const dataDir = path.join(tempDir('umask'), 'nested', 'data');
    const previous = process.umask(0);
    let server: EmbeddedServer;
    try {
      server = await createServer({ dataDir, pinnedDevApiKey: 'ak_dev_mode_R7qLx2VnK9pTzW4cYb8mHs3dGf6jQa1E' });
    } finally {
      process.umask(previous);
    }
    try {
      assert.equal((await server.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
      const modes = Object.fromEntries(
        ['alloy.db', 'alloy.db-wal', 'alloy.db-shm', ...keyFiles(dataDir).map((f) => path.basename(f))].map((name) => [
          name,
          mode(path.join(dataDir, name)).toString(8),
        ]),
      );
      assert.equal(mode(dataDir).toString(8), '700');
      assert.deepEqual(
        modes,
        Object.fromEntries(Object.keys(modes).map((name) => [name, '600'])),
        'every file is 0600',
      );
    } finally {
      await server.close();
    }
  });

  test('an existing data dir with 0755 and 0644 modes is narrowed on start', async () => {
    const dataDir = tempDir('widen');
    await (await createServer({ dataDir })).close();
    fs.chmodSync(dataDir, 0o755);
    const widened = [path.join(dataDir, 'alloy.db'), ...keyFiles(dataDir).slice(1)];
    for (const file of widened) fs.chmodSync(file, 0o644);
    const server = await createServer({ dataDir });
    try {
      assert.equal(mode(dataDir), 0o700);
      for (const file of widened) assert.equal(mode(file), 0o600, path.basename(file));
    } finally {
      await server.close();
    }
  });
});

describe('API keys are kept as hashes', () => {
  const dataDir = tempDir('keys');
  const pinnedDev = 'ak_dev_pinned_at_rest_0123456789';
  let productionKey = '';

  test('a generated key is shown at the start that made it and never again; a pinned key is hashed', async () => {
    const first = await createServer({ dataDir, pinnedDevApiKey: pinnedDev });
    try {
      assert.deepEqual(first.ctx.secrets.generatedApiKeys, ['production']);
      productionKey = first.ctx.secrets.apiKeys.production;
      const lines = apiKeyLines(first.ctx.secrets);
      assert.ok(
        lines.some((line) => line.includes(productionKey)),
        'the new production key is printed',
      );
      assert.ok(!lines.some((line) => line.includes(pinnedDev)), 'the pinned key is not printed');
      const settings = await rawRows<{ key: string; value: string }>(first, 'SELECT key, value FROM settings');
      const values = settings.map((row) => row.value).join('\n');
      assert.ok(!values.includes(pinnedDev) && !values.includes(productionKey), 'no plaintext key in settings');
      assert.deepEqual(
        settings
          .filter((row) => row.key.startsWith('api_key'))
          .map((row) => [row.key, /^sha256:[0-9a-f]{64}$/.test(row.value)]),
        [
          ['api_key_sha256_development', true],
          ['api_key_sha256_production', true],
        ],
      );
    } finally {
      await first.close();
    }
  });

  test('after a restart the keys still work but are not known in plaintext; rotation replaces one at once', async () => {
    const server = await createServer({ dataDir });
    try {
      assert.deepEqual(server.ctx.secrets.generatedApiKeys, []);
      assert.equal(server.ctx.secrets.knownApiKey('production'), undefined);
      assert.throws(() => server.ctx.secrets.apiKeys.production, /rotate-api-key -- production/);
      assert.ok(apiKeyLines(server.ctx.secrets).every((line) => !line.includes('ak_')));
      assert.equal(await status(server, pinnedDev), 200);
      assert.equal(await status(server, productionKey), 200);

      const out: string[] = [];
      const env = { ALLOY_DATA_DIR: dataDir };
      assert.equal(await rotateFromCommandLine(['staging'], env, '/', (l) => out.push(l)), 2);
      assert.equal(
        await rotateFromCommandLine(['production'], { ...env, ALLOY_PRODUCTION_API_KEY: 'x'.repeat(20) }, '/', (l) =>
          out.push(l),
        ),
        1,
        'a pinned key is changed where it is pinned',
      );
      assert.equal(await status(server, productionKey), 200);
      assert.equal(await rotateFromCommandLine(['production'], env, '/', (l) => out.push(l)), 0);
      const rotated = /(ak_prod_[\w-]+)/.exec(out.at(-1)!)?.[1];
      assert.ok(rotated, out.join('\n'));
      // The running server reads the digest at each check: the old key is refused, the new one admitted.
      assert.equal(await status(server, productionKey), 401);
      assert.equal(await status(server, rotated), 200);
      assert.equal(await status(server, pinnedDev), 200, 'the other environment is untouched');
    } finally {
      await server.close();
    }
  });
});

describe('a data dir from before hashing and sealing', () => {
  test('its plaintext keys, JWT secret, answers and PKCE verifier are hashed or sealed on start, and gone from the file', async () => {
    const dataDir = tempDir('legacy');
    await (await createServer({ dataDir })).close();
    const legacy = {
      devKey: 'ak_dev_legacy_plaintext_key_00000000',
      prodKey: 'ak_prod_legacy_plaintext_key_0000000',
      jwtHex: 'ab'.repeat(32),
      answer: 'legacy-secret-answer-5f1c2e9a7b',
      verifier: 'legacy-pkce-verifier-9d8c7b6a5f4e3d2c1b0a',
    };
    const now = new Date().toISOString();
    const raw = new Database(path.join(dataDir, 'alloy.db'));
    raw.exec(`DELETE FROM settings WHERE key LIKE 'api_key%' OR key LIKE 'jwt_secret%'`);
    const insert = raw.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
    insert.run('api_key_development', legacy.devKey);
    insert.run('api_key_production', legacy.prodKey);
    insert.run('jwt_secret', legacy.jwtHex);
    raw.prepare("INSERT INTO users (id, env, username, created_at) VALUES ('u1', 'development', 'old', ?)").run(now);
    raw
      .prepare(
        `INSERT INTO installations (id, user_id, integration_id, created_at, updated_at) VALUES ('i1', 'u1', '${INTEGRATION_ID}', ?, ?)`,
      )
      .run(now, now);
    const config = [{ blockId: 'b', name: 'token', value: legacy.answer }];
    raw
      .prepare(
        `INSERT INTO user_workflows (user_id, workflow_id, installation_id, version, config, installed_at) VALUES ('u1', '${STREAM_WORKFLOW_ID}', 'i1', 1, ?, ?)`,
      )
      .run(JSON.stringify(config), now);
    raw
      .prepare(
        `INSERT INTO oauth_sessions (id, user_id, connector, origin, state, code_verifier, fields, status, created_at, expires_at)
         VALUES ('s1', 'u1', 'demoStore', 'http://localhost', 'state-1', ?, '{}', 'pending', ?, ?)`,
      )
      .run(legacy.verifier, now, now);
    raw.close();
    const needles = Object.values(legacy);
    assert.equal(needles.filter((n) => dbBytes(dataDir).includes(n)).length, needles.length, 'positive control');

    const server = await createServer({ dataDir });
    try {
      assert.equal(server.ctx.secrets.knownApiKey('development'), legacy.devKey, 'read once while hashed');
      assert.deepEqual(server.ctx.secrets.generatedApiKeys, []);
      assert.equal(await status(server, legacy.devKey), 200);
      assert.equal(await status(server, legacy.prodKey), 200);
      assert.deepEqual(Buffer.from(server.ctx.secrets.jwtSecret), Buffer.from(legacy.jwtHex, 'hex'));
      const row = (await rawRow<{ config: string }>(server, "SELECT config FROM user_workflows WHERE user_id = 'u1'"))!;
      assert.ok(isSealedText(row.config));
      const box = new SecretBox(loadEncryptionKey(dataDir, undefined));
      assert.deepEqual(openConfig(box, 'u1', STREAM_WORKFLOW_ID, row.config), config);
      const session = (await rawRow<{ code_verifier: string }>(
        server,
        "SELECT code_verifier FROM oauth_sessions WHERE id = 's1'",
      ))!;
      assert.ok(isSealedText(session.code_verifier));
    } finally {
      await server.close();
    }
    assert.deepEqual(
      needles.filter((n) => dbBytes(dataDir).includes(n)),
      [],
      'no plaintext left in alloy.db or its WAL',
    );
  });
});

describe('the demo', () => {
  test('keeps its own 0600 copy of the development key, and rotates the key when it has none', async () => {
    const dataDir = tempDir('demo');
    const env = { PORT: '0', ALLOY_DATA_DIR: dataDir, ALLOY_LOG_LEVEL: 'silent' };
    const file = path.join(dataDir, DEMO_KEY_FILE);

    const first = await startDemoServer(env);
    const generated = first.ctx.secrets.apiKeys.development;
    await first.close();
    assert.equal(first.demoKey.key, generated);
    assert.equal(fs.readFileSync(file, 'utf8').trim(), generated);
    assert.equal(mode(file), 0o600);

    const second = await startDemoServer(env);
    try {
      assert.equal(second.ctx.secrets.knownApiKey('development'), undefined, 'the server itself no longer knows it');
      assert.deepEqual(second.demoKey, { key: generated, rotated: false });
      assert.equal(await status(second, second.demoKey.key), 200);
    } finally {
      await second.close();
    }

    fs.rmSync(file);
    const third = await startDemoServer(env);
    try {
      assert.equal(third.demoKey.rotated, true);
      assert.notEqual(third.demoKey.key, generated);
      assert.equal(await status(third, generated), 401);
      assert.equal(await status(third, third.demoKey.key), 200);
      assert.equal(fs.readFileSync(file, 'utf8').trim(), third.demoKey.key);
    } finally {
      await third.close();
    }
  });
});
