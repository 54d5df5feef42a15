import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createServer } from '../../src/server/app.js';
import { FailureGuard } from '../../src/server/platform/failure-guard.js';
import { REDACTED, scrubSecrets } from '../../src/server/platform/log-redaction.js';
import type { OAuthClientCredentials } from '../../src/sandbox/index.js';
import { tableNames, TEST_ENGINE } from '../helpers/engine.js';
import { TEST_API_KEY } from '../helpers/server.js';
import { TEST_OWNER_SECRET } from '../helpers/sandbox-owner.js';
import {
  ADMIN,
  API,
  authorizeUrl,
  basicAuth,
  connect,
  keyHeaders,
  obtainCode,
  parseConsentPage,
  registerTestClient,
  redirectTarget,
  sandboxDb,
  startSandboxServer,
  storeKey,
  submitConsent,
  TEST_REDIRECT_URI,
  tokenRequest,
  type SandboxTestServer,
} from './sandbox-helpers.js';

/**
 * Issue 15, the sandbox: a third party with its own database file, its reads-then-writes made
 * single conditional statements, and the owner secret guarded against guessing.
 */

let server: SandboxTestServer;
let client: OAuthClientCredentials;

before(async () => {
  server = await startSandboxServer();
  client = await registerTestClient(server);
});
after(async () => {
  await server.dispose();
});

describe('its own storage', () => {
  test('sandbox.db beside alloy.db, 0600, and no sandbox table in the server’s file', async () => {
    const file = path.join(server.dataDir, 'sandbox.db');
    assert.ok(fs.existsSync(file));
    if (process.platform !== 'win32') {
      for (const name of fs.readdirSync(server.dataDir).filter((n) => n.startsWith('sandbox.db'))) {
        assert.equal(fs.statSync(path.join(server.dataDir, name)).mode & 0o777, 0o600, name);
      }
    }
    assert.deepEqual(await tableNames(server, 'sandbox'), []);
    const stores = await sandboxDb(server).selectFrom('sandbox_stores').select('id').execute();
    assert.deepEqual(
      stores.map((s) => s.id),
      ['acme-shop'],
    );
  });

  test(
    'a data dir from before (sandbox tables in alloy.db) is copied over once',
    { skip: TEST_ENGINE === 'postgres' && 'the old layout is sandbox tables inside the SQLite alloy.db' },
    async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-sandbox-legacy-'));
      let legacy: SandboxTestServer | undefined;
      try {
        const first = await startSandboxServer({ dataDir });
        const key = await storeKey(first);
        const embedded = await first.sandbox!.embeddedClient();
        await first.app.close();
        // The old layout: the sandbox's tables (and rows) inside alloy.db, no sandbox.db.
        const db = new Database(path.join(dataDir, 'alloy.db'));
        db.pragma('foreign_keys = OFF');
        db.prepare('ATTACH DATABASE ? AS s').run(path.join(dataDir, 'sandbox.db'));
        const tables = db
          .prepare("SELECT name, sql FROM s.sqlite_master WHERE type = 'table' AND name LIKE 'sandbox%'")
          .all() as { name: string; sql: string }[];
        for (const table of tables) {
          db.exec(table.sql);
          db.exec(`INSERT INTO main.${table.name} SELECT * FROM s.${table.name}`);
        }
        db.exec('DETACH DATABASE s');
        db.close();
        for (const name of fs.readdirSync(dataDir).filter((n) => n.startsWith('sandbox.db'))) {
          fs.rmSync(path.join(dataDir, name));
        }

        legacy = await startSandboxServer({ dataDir });
        assert.equal(await storeKey(legacy), key, 'the store and its API key carried over');
        assert.deepEqual(await legacy.sandbox!.embeddedClient(), embedded, 'the Embedded client secret too');
        assert.ok(fs.existsSync(path.join(dataDir, 'sandbox.db')));
      } finally {
        await legacy?.app.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});

describe('conditional writes', () => {
  test('a code redeemed twice at once: one token, one invalid_grant', async () => {
    const { code, verifier } = await obtainCode(server, { clientId: client.clientId });
    const fields = { grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI, code_verifier: verifier };
    const answers = await Promise.all([
      tokenRequest(server, fields, basicAuth(client)),
      tokenRequest(server, fields, basicAuth(client)),
    ]);
    const statuses = answers.map((a) => a.statusCode).sort();
    assert.deepEqual(statuses, [200, 400], answers.map((a) => a.body).join('\n'));
    const refused = answers.find((a) => a.statusCode === 400)!;
    assert.equal(refused.json().error, 'invalid_grant');
    const grants = await sandboxDb(server)
      .selectFrom('sandbox_oauth_codes')
      .select('grant_id')
      .where('grant_id', 'is not', null)
      .execute();
    assert.equal(grants.length, 1, 'one grant for the code');
  });

  test('a refresh token used twice at once: one rotation, one invalid_grant', async () => {
    const tokens = await connect(server, client);
    const fields = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token };
    const answers = await Promise.all([
      tokenRequest(server, fields, basicAuth(client)),
      tokenRequest(server, fields, basicAuth(client)),
    ]);
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 400]);
    assert.equal(answers.find((a) => a.statusCode === 400)!.json().error, 'invalid_grant');
  });

  test('a consent answered twice at once: one code, one "already answered"', async () => {
    const page = parseConsentPage(
      await server.inject({ method: 'GET', url: authorizeUrl({ clientId: client.clientId }) }),
    );
    const answers = await Promise.all([submitConsent(server, page, 'approve'), submitConsent(server, page, 'approve')]);
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [303, 400]);
    assert.ok(redirectTarget(answers.find((a) => a.statusCode === 303)!).searchParams.get('code'));
    assert.match(answers.find((a) => a.statusCode === 400)!.body, /already answered/i);
  });

  test('two status changes at once that exclude each other: one wins, the other is a 409', async () => {
    const headers = keyHeaders(await storeKey(server));
    const created = await server.inject({
      method: 'POST',
      url: `${API}/stores/acme-shop/orders`,
      headers,
      payload: {
        customer: { email: 'race@example.com', name: 'Race' },
        items: [{ name: 'A', quantity: 1, unitPrice: 1 }],
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const url = `${API}/stores/acme-shop/orders/${created.json().id}`;
    const answers = await Promise.all(
      ['shipped', 'cancelled'].map((status) => server.inject({ method: 'PATCH', url, headers, payload: { status } })),
    );
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 409]);
    const winner = answers.find((a) => a.statusCode === 200)!.json().status;
    const final = await server.inject({ method: 'GET', url, headers });
    assert.equal(final.json().status, winner);
  });

  test('two orders naming one new customer email at once make one customer', async () => {
    const headers = keyHeaders(await storeKey(server));
    const body = {
      customer: { email: 'twin@example.com', name: 'Twin' },
      items: [{ name: 'A', quantity: 1, unitPrice: 1 }],
    };
    const answers = await Promise.all(
      [1, 2].map(() =>
        server.inject({ method: 'POST', url: `${API}/stores/acme-shop/orders`, headers, payload: body }),
      ),
    );
    assert.deepEqual(
      answers.map((a) => a.statusCode),
      [201, 201],
    );
    assert.equal(answers[0]!.json().customer.id, answers[1]!.json().customer.id);
    assert.notEqual(answers[0]!.json().number, answers[1]!.json().number);
  });
});

describe('owner secret', () => {
  test('wrong owner secrets are rate limited per address, at sign-in and at consent', async () => {
    const guarded = await startSandboxServer({ rateLimits: { authFailuresPerMinute: 3 } });
    try {
      const signIn = (secret: string) =>
        guarded.inject({ method: 'POST', url: `${ADMIN}/session`, payload: { shop: 'acme-shop', secret } });
      for (let i = 0; i < 3; i++) {
        assert.equal((await signIn(`dsown_wrong_${i}_0000000000000000000000`)).statusCode, 401);
      }
      const blocked = await signIn(TEST_OWNER_SECRET);
      assert.equal(blocked.statusCode, 429, 'even the right secret waits once the address is over its limit');
      assert.ok(Number(blocked.headers['retry-after']) >= 1);
      assert.equal(blocked.headers['set-cookie'], undefined);

      // The consent form's owner secret field counts against the same limit.
      const guardedClient = await registerTestClient(guarded);
      const page = parseConsentPage(
        await guarded.inject({ method: 'GET', url: authorizeUrl({ clientId: guardedClient.clientId }) }),
      );
      const consent = await submitConsent(guarded, page, 'approve');
      assert.equal(consent.statusCode, 429);
      assert.equal(consent.headers.location, undefined);
    } finally {
      await guarded.dispose();
    }
  });

  test('the guard counts per key and forgets after its window', () => {
    let now = 0;
    const guard = new FailureGuard({ maxFailures: 2, windowMs: 60_000, now: () => now });
    guard.recordFailure('a');
    assert.equal(guard.retryAfterSeconds('a'), 0);
    guard.recordFailure('a');
    assert.equal(guard.retryAfterSeconds('a'), 60);
    assert.equal(guard.retryAfterSeconds('b'), 0);
    now = 60_000;
    assert.equal(guard.retryAfterSeconds('a'), 0);
  });

  test('a weak pinned owner secret is refused', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-sandbox-weak-'));
    try {
      await assert.rejects(
        createServer({
          dataDir,
          pinnedDevApiKey: TEST_API_KEY,
          sandbox: true,
          sandboxOwnerSecret: 'dsown_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        }),
        /too guessable/,
      );
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

test('log redaction knows the Demo Store owner secret and owner session prefixes', () => {
  const secret = 'dsown_Zk3xY9qLw2Vb8NmR4tHs6PdJ';
  const session = 'dsos_Q7fK2mX9vL4pR8sT1wZ6yB3n';
  const line = `owner ${secret} signed in, session=${session}; webhook dswhsec_Ab3dE5gH7jK9`;
  const scrubbed = scrubSecrets(line);
  assert.ok(!scrubbed.includes(secret) && !scrubbed.includes(session) && !scrubbed.includes('dswhsec_Ab3'), scrubbed);
  assert.equal(scrubbed.split(REDACTED).length - 1, 3);
});
