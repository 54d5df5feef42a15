/**
 * Secrets at rest (issue 13, item 6), next to zz-secret-hygiene.test.ts: that file shows the
 * third-party credentials are sealed; this one scans the SQLite file and its WAL for the server's
 * own secrets and the users' secret answers: both API keys, the JWT secret, `secret` configuration
 * answers of a development and a production user, and a pending OAuth session's PKCE verifier.
 * The encryption and signing keys sit beside the database (0600) by design and are not scanned.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadEncryptionKey, openText, SecretBox } from '../../src/server/platform/encryption.js';
import { startTestServer, TEST_API_KEY, TEST_PRODUCTION_API_KEY, type TestServer } from '../helpers/server.js';
import { Api, definitionsDir, type Key } from '../server/support.js';

const VAULT_INTEGRATION_ID = '65a1c0de00000000000000f1';
const VAULT_WORKFLOW_ID = '65a1c0de00000000000000f2';
const SECRET_FIELD = { workflowId: VAULT_WORKFLOW_ID, blockId: 'forward', name: 'partnerToken' };
/** A username: plain data the scan must find, so a scan that sees nothing cannot pass. */
const CANARY = `at-rest-canary-${randomBytes(6).toString('hex')}`;

let server: TestServer;
let api: Api;
let dir: string;
const needles: { name: string; bytes: Buffer }[] = [];

/** A workflow whose Stream Data block asks each user for a secret (a partner token). */
const vaultIntegration = {
  integrationId: VAULT_INTEGRATION_ID,
  name: 'Partner Vault',
  app: 'demoStore',
  icon: '/static/icons/webhook.svg',
  workflows: [
    {
      workflowId: VAULT_WORKFLOW_ID,
      name: 'Forward with a partner token',
      versions: [
        {
          version: 1,
          trigger: { type: 'customEvent', id: 'ping', name: 'Ping', event: 'Vault Ping', schema: { n: 'Number' } },
          blocks: [
            {
              type: 'streamData',
              id: 'forward',
              name: 'Forward',
              fields: [
                { name: 'url', displayName: 'URL', type: 'text', value: 'http://127.0.0.1:9/vault' },
                { name: 'partnerToken', displayName: 'Partner token', type: 'secret', userConfigurable: true },
              ],
            },
          ],
        },
      ],
    },
  ],
};

before(async () => {
  dir = definitionsDir({ 'vault.integration.json': vaultIntegration });
  server = await startTestServer({ listen: true, server: { definitionsDir: dir } });
  api = new Api(server);
  needles.push(
    { name: 'development API key', bytes: Buffer.from(TEST_API_KEY) },
    { name: 'production API key', bytes: Buffer.from(TEST_PRODUCTION_API_KEY) },
    { name: 'JWT secret (hex)', bytes: Buffer.from(Buffer.from(server.ctx.secrets.jwtSecret).toString('hex')) },
    { name: 'JWT secret (bytes)', bytes: Buffer.from(server.ctx.secrets.jwtSecret) },
  );
  let token = '';
  for (const key of ['dev', 'prod'] as const satisfies readonly Key[]) {
    const userId = await api.createUser(key === 'dev' ? CANARY : `${CANARY}-prod`, key);
    token = await api.token(userId, key);
    const answer = `partner-token-${key}-${randomBytes(12).toString('hex')}`;
    const installed = await api.call('POST', '/widget/installations', {
      token,
      body: { integrationId: VAULT_INTEGRATION_ID, values: [{ ...SECRET_FIELD, value: answer }] },
    });
    assert.equal(installed.statusCode, 201, installed.body);
    needles.push({ name: `${key} user's secret answer`, bytes: Buffer.from(answer) });
  }
  // A pending OAuth session (the production user's): its PKCE verifier waits in the database.
  const session = await api.call('POST', '/widget/oauth/sessions', {
    token,
    body: { app: 'demoStore', fields: { shop: 'acme-shop' }, origin: new URL(server.ctx.publicUrl).origin },
  });
  assert.equal(session.statusCode, 201, session.body);
  const { sessionId, authorizeUrl } = session.json() as { sessionId: string; authorizeUrl: string };
  const row = server.db.prepare('SELECT code_verifier FROM oauth_sessions WHERE id = ?').get(sessionId) as {
    code_verifier: string;
  };
  const box = new SecretBox(loadEncryptionKey(server.dataDir, undefined));
  const verifier = openText(box, row.code_verifier, `oauth_sessions:${sessionId}:code_verifier`);
  // The popup's start page redirects with the challenge: it proves this is the session's real verifier.
  const start = await server.app.inject({ method: 'GET', url: new URL(authorizeUrl).pathname });
  assert.equal(start.statusCode, 303);
  const challenge = new URL(String(start.headers.location), server.ctx.publicUrl).searchParams.get('code_challenge');
  assert.equal(createHash('sha256').update(verifier).digest('base64url'), challenge);
  needles.push({ name: 'PKCE verifier', bytes: Buffer.from(verifier) });
});

after(async () => {
  await server?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every needle found in alloy.db, -wal and -shm, as "file: name". */
function scan(): { files: string[]; hits: string[]; canary: boolean } {
  const files = fs.readdirSync(server.dataDir).filter((name) => name.startsWith('alloy.db'));
  const hits: string[] = [];
  let canary = false;
  for (const name of files) {
    const bytes = fs.readFileSync(path.join(server.dataDir, name));
    canary ||= bytes.includes(CANARY);
    for (const needle of needles) if (bytes.includes(needle.bytes)) hits.push(`${name}: ${needle.name}`);
  }
  return { files, hits, canary };
}

test('the SQLite files hold 0 API keys, JWT secrets, secret answers or PKCE verifiers, running and after close', async (t) => {
  assert.equal(needles.length, 7);
  const running = scan();
  assert.ok(running.files.includes('alloy.db-wal'), 'the WAL is scanned while the server runs');
  assert.ok(running.canary, 'positive control: the scan sees the users written just now');
  await server.close();
  const closed = scan();
  assert.ok(closed.canary, 'positive control after close');
  t.diagnostic(
    `FIGURE secrets-at-rest | ${needles.length} secrets (2 API keys, JWT secret hex + bytes, 2 secret answers, 1 PKCE verifier) x SQLite files (${running.files.join(', ')} running; ${closed.files.join(', ')} closed): ${running.hits.length + closed.hits.length} plaintext hits`,
  );
  assert.deepEqual(running.hits, []);
  assert.deepEqual(closed.hits, []);
});
