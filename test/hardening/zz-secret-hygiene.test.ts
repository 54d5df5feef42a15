/**
 * Secret hygiene. Named `zz-` so it runs last in `npm run test:hardening`: under `npm test`
 * (ALLOY_TEST_CAPTURE_DIR set) every server of the server, e2e and hardening suites logged its
 * requests into the capture directory and every Chromium page recorded its console, URLs and
 * storage there (test/helpers/capture.ts), and this file scans all of it. Run alone it captures
 * its own representative flow into a temp directory and scans that.
 *
 * Out of scope, by construction: the @web/test-runner browser suites (their own Chromium, mocked
 * APIs and synthetic tokens, never launchChromium) and servers a test builds with createServer
 * directly rather than through the shared helpers (test/server/modal-validation-parity.test.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { redactUrl, scrubSecrets } from '../../src/server/platform/log-redaction.js';
import { CAPTURE_ENV, captureDir } from '../helpers/capture.js';
import { launchChromium } from '../helpers/chromium.js';
import { toSettingsStep } from '../helpers/e2e-modal.js';
import { TEST_OWNER_SECRET } from '../helpers/sandbox-owner.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestReceiver } from '../server/receiver.js';
import { Api, EVENT_WORKFLOW_ID, FAST_RUNTIME, INTEGRATION_ID, waitFor } from '../server/support.js';
import { findSecrets, scanCaptureDir } from './auth-secret-scan.js';

const WHOLE_RUN = captureDir() !== undefined;
const dir = captureDir() ?? fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-capture-'));
// Standalone: the helpers capture this file's own servers and pages into the temp directory.
process.env[CAPTURE_ENV] = dir;

/**
 * What the capture must at least hold, so a broken capture cannot pass as a clean one. The server
 * and e2e suites alone leave ~53 server logs, 11 Chromium captures, ~5 900 log lines, ~3 700 URLs,
 * ~36 console messages and ~75 storage items; the floors sit well below that.
 */
const MINIMUM = WHOLE_RUN
  ? { serverFiles: 30, browserFiles: 6, logLines: 3_000, urls: 1_500, consoleMessages: 10, storageItems: 20 }
  : { serverFiles: 1, browserFiles: 1, logLines: 40, urls: 30, consoleMessages: 1, storageItems: 2 };
const CANARY = 'alloy-secret-hygiene-canary';

let server: TestServer;
let receiver: TestReceiver;
let browser: Browser;
let api: Api;
let userId: string;
/** Every third-party secret the flow put into the server: store key, OAuth access and refresh token. */
const thirdPartySecrets: string[] = [];
const maskedResponses: { name: string; body: string }[] = [];

before(async () => {
  receiver = await TestReceiver.start();
  server = await startTestServer({
    listen: true,
    server: {
      allowPrivateTargets: 'loopback',
      installationWebhookUrl: receiver.url('/installations'),
      runtime: FAST_RUNTIME,
    },
  });
  api = new Api(server);
  browser = await launchChromium();
  await representativeFlow();
});

after(async () => {
  await browser?.close();
  await receiver?.close();
  await server?.dispose();
  if (!WHOLE_RUN) fs.rmSync(dir, { recursive: true, force: true });
});

/** API-key and OAuth connections, an Embedded Link install, tokens, a run and the installation webhook. */
async function representativeFlow(): Promise<void> {
  userId = await api.createUser('hygiene-user');
  const storeCredentialId = await api.createCredential(userId);
  const token = await api.token(userId);
  // A client that puts the token in the query string is refused, and the log must not keep it.
  for (const name of ['token', 'x-alloy-user-token', 'jwt']) {
    const refused = await api.call('GET', `/widget/integrations/${INTEGRATION_ID}?${name}=${token}`, { key: 'none' });
    assert.equal(refused.statusCode, 401);
  }

  // OAuth through the Demo Store consent page in Chromium; the session reports the credential.
  const session = await api.call('POST', '/widget/oauth/sessions', {
    token,
    body: { app: 'demoStore', fields: { shop: 'acme-shop' }, origin: new URL(server.ctx.publicUrl).origin },
  });
  assert.equal(session.statusCode, 201, session.body);
  const { sessionId, authorizeUrl } = session.json() as { sessionId: string; authorizeUrl: string };
  const oauthContext = await browser.newContext();
  const consent = await oauthContext.newPage();
  // A page's script navigates the popup, as the modal does (a typed URL, Sec-Fetch-Site: none, is refused).
  await Promise.all([
    consent.waitForURL((url) => url.pathname.endsWith('/oauth/authorize')),
    consent.evaluate((url) => {
      location.href = url;
    }, authorizeUrl),
  ]);
  await consent.evaluate(`console.info(${JSON.stringify(CANARY)})`);
  await consent.getByLabel('Store owner secret').fill(TEST_OWNER_SECRET);
  await Promise.all([
    consent.waitForResponse((r) => r.url().includes('/oauth/callback')),
    consent.getByRole('button', { name: 'Approve' }).click(),
  ]);
  const oauthCredentialId = await waitFor('the OAuth session to succeed', async () => {
    const view = (await api.call('GET', `/widget/oauth/sessions/${sessionId}`, { token })).json() as {
      status: string;
      credentialId?: string;
    };
    return view.status === 'succeeded' ? view.credentialId : undefined;
  });
  await oauthContext.close();

  // The Embedded Link: its token is in the URL the user opens; the modal installs.
  const link = (await api.call('GET', `/users/${userId}/integrations/${INTEGRATION_ID}/install-url`)).json() as {
    url: string;
  };
  const page = await browser.newPage();
  await page.goto(link.url);
  await page.evaluate(`console.info(${JSON.stringify(CANARY)})`);
  const dialog = page.getByRole('dialog', { name: 'Demo Store' });
  await toSettingsStep(dialog);
  await dialog.getByLabel('Order reference prefix').fill('HY-');
  await dialog.getByRole('button', { name: 'Finish Installation' }).click();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.getByText('The integration is installed.').waitFor();
  await page.close();

  // A run of the event workflow (it calls the Demo Store with the user's credential), and the
  // signed installation webhook to the ISV.
  const run = await api.call('POST', '/run/event', {
    body: { event: 'Fulfillment Updated', userId, data: { orderId: '1001', status: 'shipped' } },
    headers: { 'idempotency-key': 'hygiene-run-1' },
  });
  assert.ok(run.statusCode < 300, run.body);
  await receiver.waitFor('/installations');
  await waitFor('the run to finish', async () => {
    const logs = await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs?userId=${userId}`);
    return logs.statusCode === 200 && (logs.json() as { data: unknown[] }).data.length > 0;
  });

  for (const credentialId of [storeCredentialId, oauthCredentialId]) {
    const data = await server.ctx.credentials.reveal(userId, credentialId);
    for (const value of Object.values(data)) if (value.length >= 16) thirdPartySecrets.push(value);
  }
  for (const [name, request] of [
    ['GET /users/:id/credentials', () => api.call('GET', `/users/${userId}/credentials`)],
    ['GET /credentials/users/:id', () => api.call('GET', `/credentials/users/${userId}`)],
    [
      'GET /widget/integrations/:id/apps',
      () => api.call('GET', `/widget/integrations/${INTEGRATION_ID}/apps`, { token }),
    ],
    ['GET /widget/integrations/:id', () => api.call('GET', `/widget/integrations/${INTEGRATION_ID}`, { token })],
    ['GET /widget/oauth/sessions/:id', () => api.call('GET', `/widget/oauth/sessions/${sessionId}`, { token })],
    ['GET /integrations/:id', () => api.call('GET', `/integrations/${INTEGRATION_ID}?userId=${userId}`)],
    ['GET /workflows/:id/logs', () => api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs?userId=${userId}`)],
  ] as const) {
    const response = await request();
    assert.equal(response.statusCode, 200, `${name}: ${response.body}`);
    maskedResponses.push({ name, body: response.body });
  }
}

test('third-party secrets are encrypted at rest: 0 plaintext hits in the SQLite files', async (t) => {
  // Store key + access token + refresh token, at least.
  assert.ok(thirdPartySecrets.length >= 3, `secrets collected: ${thirdPartySecrets.length}`);
  await server.close();
  // Only the SQLite files (alloy.db, -wal, -shm): the encryption and signing keys sit beside them by design.
  // The Demo Store is the third party: it keeps its own store keys and client secrets in its own
  // file (sandbox.db), which the grep first reads to prove it sees them.
  const filesOf = (prefix: string) =>
    fs
      .readdirSync(server.dataDir)
      .filter((name) => name.startsWith(prefix))
      .map((name) => path.join(server.dataDir, name));
  const hits = (files: string[]) =>
    files.reduce((count, file) => {
      const bytes = fs.readFileSync(file);
      return count + thirdPartySecrets.filter((secret) => bytes.includes(Buffer.from(secret, 'utf8'))).length;
    }, 0);
  assert.ok(
    hits(filesOf('sandbox.db')) >= 1,
    'positive control: the Demo Store’s own file holds its store key in plaintext',
  );
  const files = filesOf('alloy.db');
  const plaintextHits = hits(files);
  const patternHits = files.flatMap((file) =>
    findSecrets(fs.readFileSync(file).toString('latin1'), ['fixtureSecret']).map(
      (f) => `${path.basename(file)} ${f.kind}`,
    ),
  );
  t.diagnostic(
    `FIGURE secret-at-rest | ${thirdPartySecrets.length} third-party secrets (API key + OAuth) x ${files.length} SQLite files: ${plaintextHits} plaintext hits, ${patternHits.length} credential-shaped strings`,
  );
  assert.equal(plaintextHits, 0);
  assert.deepEqual(patternHits, []);
});

test('responses that describe credentials never carry their secrets', (t) => {
  const leaks = maskedResponses.flatMap(({ name, body }) => [
    ...thirdPartySecrets.filter((secret) => body.includes(secret)).map(() => `${name}: a secret value`),
    ...findSecrets(body, ['fixtureSecret', 'apiKey', 'jwt']).map((f) => `${name}: ${f.kind}`),
  ]);
  t.diagnostic(`FIGURE secret-masking | ${maskedResponses.length} credential responses: ${leaks.length} secrets shown`);
  assert.deepEqual(leaks, []);
});

test('the log redaction: capability URLs and credential-shaped strings', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
  assert.equal(redactUrl('/link/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd'), '/link/[redacted]');
  assert.equal(redactUrl('/link/link.js'), '/link/link.js');
  // Found by the fuzzer's captured log: a trailing slash, a doubled one or another case kept the token.
  assert.equal(redactUrl('/link/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd//'), '/link/[redacted]//');
  assert.equal(redactUrl('//LINK//AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd/x'), '//LINK//[redacted]/x');
  assert.equal(redactUrl('/oauth/start/session-id-1234/'), '/oauth/start/[redacted]/');
  assert.equal(redactUrl('/link/ended/used'), '/link/ended/used');
  assert.equal(
    redactUrl('/oauth/callback?code=abc&state=def&x=1'),
    '/oauth/callback?code=[redacted]&state=[redacted]&x=1',
  );
  assert.equal(redactUrl(`/w?Token=${jwt}`), '/w?Token=[redacted]');
  assert.equal(redactUrl(`/w?q=${jwt}`), '/w?q=[redacted]');
  assert.equal(scrubSecrets('key ak_dev_test_key_0123 and dsat_abcdefgh'), 'key [redacted] and [redacted]');
});

test('across the whole test run: 0 JWTs, 0 API keys, 0 fixture secrets in logs, URLs, storage, console', async (t) => {
  // Flush this file's own browser and server, then scan everything.
  await browser.close();
  const report = scanCaptureDir(dir);
  const canaries = fs
    .readdirSync(dir)
    .filter((n) => n.startsWith('browser-'))
    .some((n) => fs.readFileSync(path.join(dir, n), 'utf8').includes(CANARY));
  const count = (kind: string) => report.findings.filter((f) => f.kind === kind).length;
  t.diagnostic(
    `FIGURE secret-hygiene | ${WHOLE_RUN ? 'captured run (npm test)' : 'standalone flow'}: ${report.serverFiles + report.browserFiles} files (${report.serverFiles} server logs, ${report.browserFiles} Chromium captures), ${report.logLines} log lines, ${report.urls} URLs, ${report.consoleMessages} console messages, ${report.storageItems} storage items scanned: ${count('jwt')} JWTs, ${count('apiKey')} API keys, ${count('fixtureSecret')} fixture secrets, ${count('oneTimeSecret')} OAuth codes/link tokens outside their URL (web-test-runner suites out of scope)`,
  );
  assert.ok(canaries, 'the console canary was captured: browser capture works');
  for (const [name, minimum] of Object.entries(MINIMUM)) {
    const actual = report[name as keyof typeof MINIMUM];
    assert.ok(actual >= minimum, `capture too small: ${name} ${actual} < ${minimum}`);
  }
  assert.deepEqual(
    report.findings.slice(0, 20).map((f) => `${f.file} ${f.where}: ${f.kind} ${f.excerpt}`),
    [],
    `${report.findings.length} leaks`,
  );
});
