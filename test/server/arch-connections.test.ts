import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CredentialService, findConnector, oauthOf } from '../../src/server/connections/index.js';
import { bindBrowser, claimCallback, findSession } from '../../src/server/connections/oauth-repository.js';
import { readCookie } from '../../src/server/http/cookies.js';
import {
  createDatabase,
  inTransaction,
  openDatabase,
  type Database,
  type Db,
} from '../../src/server/platform/db/index.js';
import { pkceChallenge, sha256Hex, timingSafeEqualText } from '../../src/server/platform/crypto.js';
import { SecretBox } from '../../src/server/platform/encryption.js';
import { TEST_OWNER_SECRET } from '../helpers/sandbox-owner.js';
import { STREAM_WORKFLOW_ID, startApi, waitFor, type Api } from './support.js';

// Issue 15, the connections module on the storage seam: each read-then-write is one conditional
// statement (two racers: one wins, the other gets the defined answer, never a 500), and the work
// after a connection change runs after the commit, outside any transaction.

let api: Api;

before(async () => {
  api = await startApi();
});

after(async () => {
  await api.server.dispose();
});

const HOST_ORIGIN = 'http://host.example:8080';

interface Session {
  sessionId: string;
  authorizeUrl: string;
  state: string;
}

async function newSession(name: string): Promise<{ token: string; userId: string; session: Session }> {
  const userId = await api.createUser(name);
  const token = await api.token(userId);
  const response = await api.call('POST', '/widget/oauth/sessions', {
    token,
    body: { app: 'demoStore', fields: { shop: 'acme-shop' }, origin: HOST_ORIGIN },
  });
  assert.equal(response.statusCode, 201, response.body);
  return { token, userId, session: response.json() as Session };
}

/** One browser's cookie jar for our origin. */
class Browser {
  readonly cookies = new Map<string, string>();

  async get(url: string | URL): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      if (/Max-Age=0/.test(line)) this.cookies.delete(name!);
      else this.cookies.set(name!, value.join('='));
    }
    return response;
  }
}

/** The provider's consent page, approved: the callback URL it sends the browser to. */
async function consent(providerUrl: URL): Promise<URL> {
  const page = await fetch(providerUrl);
  const html = await page.text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)![1]!;
  const csrfToken = /name="csrf_token" value="([^"]+)"/.exec(html)![1]!;
  const answer = await fetch(api.url('/sandbox/demo-store/oauth/consent'), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: page.headers.get('set-cookie')!.split(';')[0]!,
    },
    body: new URLSearchParams({
      request_id: requestId,
      csrf_token: csrfToken,
      decision: 'approve',
      owner_secret: TEST_OWNER_SECRET,
    }).toString(),
  });
  assert.equal(answer.status, 303);
  return new URL(answer.headers.get('location')!);
}

const credentialsOf = async (userId: string) =>
  (await api.call('GET', `/users/${userId}/credentials`)).json().data as { credentialId: string }[];

describe('the OAuth callback claim (state → session) is one conditional UPDATE', () => {
  test('two concurrent callbacks with one state: one connects, the other is refused (400), one credential', async () => {
    const { token, userId, session } = await newSession('arch-two-callbacks');
    const browser = new Browser();
    const start = await browser.get(session.authorizeUrl);
    assert.equal(start.status, 303);
    const callback = await consent(new URL(start.headers.get('location')!));

    const answers = await Promise.all([browser.get(callback), browser.get(callback)]);
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [200, 400], 'one callback wins, the other gets the defined refusal, no 500');
    await Promise.all(answers.map((a) => a.text()));

    assert.equal((await credentialsOf(userId)).length, 1, 'never two credentials');
    const view = (await api.call('GET', `/widget/oauth/sessions/${session.sessionId}`, { token })).json();
    assert.equal(view.status, 'succeeded');
  });

  test('two completions of one state racing inside the service: one finishes the session, the other is unknown', async () => {
    const { token, session } = await newSession('arch-two-completions');
    const browser = new Browser();
    assert.equal((await browser.get(session.authorizeUrl)).status, 303);
    const proof = browser.cookies.get(`alloy_oauth_${session.sessionId}`);
    assert.ok(proof);
    const { ctx } = api.server;
    const complete = () =>
      ctx.oauth.complete(
        {
          state: session.state,
          error: 'access_denied',
          browserProof: (sessionId) => (sessionId === session.sessionId ? proof : undefined),
        },
        (id) => oauthOf(findConnector(id)!),
        async () => {},
      );
    // Both look the state up before either claims it; the conditional UPDATE lets one through.
    const results = await Promise.all([complete(), complete()]);
    assert.equal(results.filter((r) => r.ok).length, 1);
    assert.deepEqual(
      results.find((r) => !r.ok),
      { ok: false, reason: 'unknown' },
    );
    const view = (await api.call('GET', `/widget/oauth/sessions/${session.sessionId}`, { token })).json();
    assert.equal(view.status, 'cancelled');
  });

  test('the repository claim: of two claims on one session exactly one gets the row', async () => {
    const { session } = await newSession('arch-claim-repository');
    const database = api.server.ctx.database;
    const proofHash = sha256Hex('browser-proof');
    const bound = await bindBrowser(database, {
      sessionId: session.sessionId,
      browserHash: proofHash,
      now: new Date().toISOString(),
      openedAfter: new Date(Date.now() - 60_000).toISOString(),
    });
    assert.ok(bound);
    const claim = () =>
      claimCallback(database, { sessionId: session.sessionId, state: session.state, browserHash: proofHash });
    const [first, second] = await Promise.all([claim(), claim()]);
    assert.equal([first, second].filter(Boolean).length, 1);
    // Another browser's hash never claims, even with the right state.
    const other = await claimCallback(database, {
      sessionId: session.sessionId,
      state: session.state,
      browserHash: sha256Hex('another-browser'),
    });
    assert.equal(other, undefined);
    assert.match((await findSession(database, session.sessionId))!.state, /^used:/);
  });
});

describe('the start-URL claim (first navigation binds the browser) is one conditional UPDATE', () => {
  test('two browsers opening one start URL at once: one is redirected with a cookie, the other refused (403)', async () => {
    const { session } = await newSession('arch-two-starts');
    const [a, b] = [new Browser(), new Browser()];
    const answers = await Promise.all([a.get(session.authorizeUrl), b.get(session.authorizeUrl)]);
    assert.deepEqual(answers.map((r) => r.status).sort(), [303, 403]);
    await Promise.all(answers.map((r) => r.text()));
    assert.equal(a.cookies.size + b.cookies.size, 1, 'exactly one browser holds the binding');
  });

  test('the repository: of two binds exactly one gets the row; an expired session binds nothing', async () => {
    const { session } = await newSession('arch-bind-repository');
    const database = api.server.ctx.database;
    const now = new Date().toISOString();
    const openedAfter = new Date(Date.now() - 60_000).toISOString();
    const bind = (hash: string) =>
      bindBrowser(database, { sessionId: session.sessionId, browserHash: hash, now, openedAfter });
    const results = await Promise.all([bind(sha256Hex('one')), bind(sha256Hex('two'))]);
    assert.equal(results.filter(Boolean).length, 1);

    const late = await newSession('arch-bind-late');
    const tooLate = await bindBrowser(database, {
      sessionId: late.session.sessionId,
      browserHash: sha256Hex('late'),
      now,
      // Created before this cutoff: the start URL was not opened in time.
      openedAfter: new Date(Date.now() + 60_000).toISOString(),
    });
    assert.equal(tooLate, undefined);
  });
});

describe('deleting a credential', () => {
  test('two concurrent deletes: one succeeds, the other is a 404, never a 500', async () => {
    const userId = await api.createUser('arch-double-delete');
    const credentialId = await api.createCredential(userId);
    const remove = () => api.call('DELETE', `/users/${userId}/credentials/${credentialId}`);
    const answers = await Promise.all([remove(), remove()]);
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 404]);
    assert.equal((await credentialsOf(userId)).length, 0);
  });
});

describe('the work after a connection change runs after the commit (afterCommit)', () => {
  let dir: string;
  let db: Db;
  let database: Database;
  const box = new SecretBox(randomBytes(32));

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-arch-connections-'));
    db = openDatabase(dir);
    database = createDatabase(db, { guardTransactions: true });
    db.prepare(
      "INSERT INTO users (id, env, username, full_name, created_at) VALUES ('u1', 'development', 'u1', NULL, ?)",
    ).run(new Date().toISOString());
  });

  after(async () => {
    await database.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const service = async () => {
    const settled: string[] = [];
    const credentials = await CredentialService.open(database, box, {
      owe: async () => {},
      settle: async (userId) => {
        settled.push(userId);
      },
      releaseCredential: async () => {},
    });
    return { credentials, settled };
  };
  const prepared = (credentials: CredentialService) =>
    credentials.validate('demoStore', { apiKey: 'sk_test_arch', storeId: 'arch-shop' });

  test('outside a transaction the save settles before it returns', async () => {
    const { credentials, settled } = await service();
    await credentials.save('u1', prepared(credentials));
    assert.deepEqual(settled, ['u1']);
  });

  test('inside a transaction it settles once the outermost transaction commits, never after a rollback', async () => {
    const { credentials, settled } = await service();
    await inTransaction(database, async (trx) => {
      await credentials.save('u1', prepared(credentials), trx);
      await inTransaction(trx, async (inner) => {
        await credentials.save('u1', prepared(credentials), inner);
      });
      assert.deepEqual(settled, [], 'nothing runs while the transaction is open');
    });
    assert.deepEqual(settled, ['u1', 'u1']);

    settled.length = 0;
    await assert.rejects(
      inTransaction(database, async (trx) => {
        await credentials.save('u1', prepared(credentials), trx);
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    assert.deepEqual(settled, []);
  });

  test('the server: a credential saved in a transaction subscribes the app trigger after the commit', async () => {
    // The user installs without a connection, so the store webhook cannot be subscribed yet.
    const userId = await api.createUser('arch-settle-after-commit');
    await api.installWithWidget(userId);
    const { ctx } = api.server;
    const receiverUrl = api.url(`/webhooks/${STREAM_WORKFLOW_ID}/${userId}`);
    const { apiKey } = await api.storeCredential();
    const subscribed = async () => {
      const response = await fetch(api.url('/sandbox/demo-store/api/v1/stores/acme-shop/webhooks'), {
        headers: { 'x-store-api-key': apiKey },
      });
      return ((await response.json()) as { data: { url: string }[] }).data.some((h) => h.url === receiverUrl);
    };
    assert.equal(await subscribed(), false);
    // The subscription calls the store over HTTP; the test guard fails a transaction held across it.
    const prepared = ctx.credentials.validate('demoStore', await api.storeCredential());
    await inTransaction(ctx.database, (trx) => ctx.credentials.save(userId, prepared, trx));
    await waitFor('the subscription after the commit', subscribed);
  });
});

describe('shared helpers', () => {
  test('readCookie finds one cookie among several; crypto helpers', () => {
    const request = { headers: { cookie: 'a=1; alloy_oauth_x=abc=def ;b=2' } };
    assert.equal(readCookie(request, 'alloy_oauth_x'), 'abc=def');
    assert.equal(readCookie(request, 'b'), '2');
    assert.equal(readCookie(request, 'missing'), undefined);
    assert.equal(readCookie({ headers: {} }, 'a'), undefined);
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(timingSafeEqualText('same', 'same'), true);
    assert.equal(timingSafeEqualText('same', 'different length'), false);
    // RFC 7636 appendix B.
    assert.equal(
      pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });
});
