import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { issueUserToken } from '../../src/server/users/user-token.js';
import {
  INTEGRATION_ID,
  ROOT,
  cdnHostPage,
  cdnManifest,
  finishInstall,
  fixture,
  fixtureFile,
  isInstalled,
  openApp,
  startHarness,
  userToken,
  type Harness,
} from './sdk-harness.js';

let harness: Harness;

before(async () => {
  harness = await startHarness();
});
after(async () => harness?.close());

const loaderUrl = () => `${harness.apiUrl}/scripts/${cdnManifest().loader.file}`;

test('CDN script tag: the versioned loader with SRI installs Demo Store; the token is never leaked', async () => {
  const token = await userToken(harness.apiUrl, 'cdn-user');
  const app = await openApp(harness, cdnHostPage(harness), { token });
  try {
    await app.page.goto(app.url);
    assert.equal(await app.page.evaluate(() => window.Alloy?.version), cdnManifest().version);
    // Listeners on window and document before the first modal, to compare after it closed.
    const cdp = await app.page.context().newCDPSession(app.page);
    const listenerCount = async () => {
      let total = 0;
      for (const expression of ['window', 'document', 'document.documentElement']) {
        const { result } = await cdp.send('Runtime.evaluate', { expression });
        const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId! });
        total += listeners.length;
      }
      return total;
    };
    await app.page.evaluate(() => window.Alloy!.getIntegrations()); // the runtime is in
    const listenersBefore = await listenerCount();
    await app.page.getByRole('button', { name: 'Install Demo Store' }).click();
    await finishInstall(app.page);
    await app.page.getByText('installed', { exact: true }).waitFor();

    const results = await app.page.evaluate(() => (window as unknown as { results: { success: boolean }[] }).results);
    assert.equal(results.length, 1);
    assert.equal(results[0]!.success, true);
    const events = await app.page.evaluate(() => (window as unknown as { events: string[] }).events);
    assert.deepEqual([events[0], events.at(-2), events.at(-1)], ['open', 'installed', 'close']);
    assert.equal(await app.page.locator('alloy-install-modal').count(), 0);
    assert.equal(await app.page.evaluate(() => document.documentElement.getAttribute('style')), null);
    assert.equal(await listenerCount(), listenersBefore, 'listeners back to where they were');
    assert.equal(await isInstalled(harness.apiUrl, 'cdn-user'), true);
    // The runtime, the modal, the auth step and (warmed up on idle) the error Details view came from
    // the CDN, each once, after the loader; the other languages' tables did not (the page is in English).
    const chunks = app.requests.filter((url) => url.includes('/scripts/alloy-'));
    assert.deepEqual(
      chunks.sort(),
      cdnManifest()
        .chunks.filter((c) => !/^alloy-(es|fr|de)-/.test(c.file))
        .map((c) => `${harness.apiUrl}/scripts/${c.file}`)
        .sort(),
    );
    assert.equal(chunks.length, 4);
    assert.deepEqual(app.pageErrors, []);
    await app.assertTokenNeverLeaked(token);
  } finally {
    await app.close();
  }
});

test('token expiry mid-flow: refreshed through the provider, retried once, the typed value kept', async () => {
  const fresh = await userToken(harness.apiUrl, 'expiry-user');
  const userId = JSON.parse(Buffer.from(fresh.split('.')[1]!, 'base64url').toString()).sub as string;
  // A genuinely expired token for the same user, signed by the server's key two hours ago.
  const expired = await issueUserToken(
    harness.server.ctx.secrets.jwtSecret,
    { userId, env: 'development' },
    Date.now() - 2 * 3600_000,
  );
  const handedOut: string[] = [];
  const app = await openApp(harness, cdnHostPage(harness), {
    token: () => (handedOut.push(handedOut.length === 0 ? expired : fresh), handedOut.at(-1)!),
  });
  try {
    // The first install POST is answered token_expired, as if the token died while the user typed.
    let postsSeen = 0;
    await app.page.route(`${harness.apiUrl}/2024-03/widget/installations`, async (route) => {
      if (route.request().method() === 'POST' && ++postsSeen === 1) {
        return route.fulfill({
          status: 401,
          contentType: 'application/json',
          headers: { 'access-control-allow-origin': '*' },
          body: JSON.stringify({
            error: { code: 'token_expired', message: 'The user token has expired; request a new one.' },
          }),
        });
      }
      return route.continue();
    });
    await app.page.goto(app.url);
    await app.page.getByRole('button', { name: 'Install Demo Store' }).click();
    await finishInstall(app.page); // the GET went out with the expired token first: a real 401 from the server
    await app.page.getByText('installed', { exact: true }).waitFor();
    // Compared by name: a failing assertion must not print tokens into the test log.
    const label = (t: string) => (t === expired ? 'expired' : t === fresh ? 'fresh' : 'other');
    assert.deepEqual(handedOut.map(label), ['expired', 'fresh', 'fresh']);
    assert.equal(postsSeen, 2);
    const events = await app.page.evaluate(() => (window as unknown as { events: string[] }).events);
    assert.ok(!events.includes('error'), events.join());
    const installations = app.requests.filter((url) => url.endsWith('/widget/installations'));
    assert.equal(installations.length, 2);
    assert.equal(await isInstalled(harness.apiUrl, 'expiry-user'), true);
    // What the user typed before the expiry is what was stored.
    const view = (await (
      await fetch(`${harness.apiUrl}/2024-03/widget/integrations/${INTEGRATION_ID}`, {
        headers: { 'x-alloy-user-token': fresh },
      })
    ).json()) as { installation: { values: { name: string; value: unknown }[] } };
    assert.deepEqual(
      view.installation.values.map((v) => [v.name, v.value]),
      [['referencePrefix', 'AC-']],
    );
    await app.assertTokenNeverLeaked(fresh);
    await app.assertTokenNeverLeaked(expired);
  } finally {
    await app.close();
  }
});

test('called from <head> before DOMContentLoaded: waits for <body>, then opens', async () => {
  const token = await userToken(harness.apiUrl, 'early-user');
  const app = await openApp(
    harness,
    { '/': { body: fixture('early.html', { LOADER_URL: loaderUrl() }) }, '/early.js': fixtureFile('early.js') },
    { token },
  );
  try {
    await app.page.goto(app.url);
    assert.equal(await app.page.evaluate(() => (window as unknown as { bodyAtCall: boolean }).bodyAtCall), true);
    await app.page.getByRole('dialog', { name: 'Demo Store' }).waitFor();
    await app.page.evaluate(() => window.Alloy!.close());
    const outcome = await app.page.evaluate(
      () => (window as unknown as { earlyOutcome: Promise<unknown> }).earlyOutcome,
    );
    assert.deepEqual(outcome, { success: false, reason: 'api' });
    assert.deepEqual(app.pageErrors, []);
    await app.assertTokenNeverLeaked(token);
  } finally {
    await app.close();
  }
});

test('the script included twice: window.Alloy is kept, one warning names both versions, one modal', async () => {
  const token = await userToken(harness.apiUrl, 'twice-user');
  const app = await openApp(
    harness,
    {
      '/': {
        body: fixture('two-copies.html', {
          ALIAS_URL: `${harness.apiUrl}/scripts/embedded.js`,
          LOADER_URL: loaderUrl(),
        }),
      },
      '/app.js': fixtureFile('app.js'),
    },
    { token },
  );
  try {
    await app.page.goto(app.url);
    const warnings = app.console.filter((line) => line.includes('Two copies of the Alloy SDK'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /0\.1\.0 \(window\.Alloy, kept\) and 0\.1\.0/);
    // A double click: two install() calls in one tick.
    await app.page.evaluate(() => {
      const w = window as unknown as { install(): Promise<unknown>; pending: Promise<unknown>[] };
      w.pending = [w.install(), w.install()];
    });
    await app.page.getByRole('dialog', { name: 'Demo Store' }).waitFor();
    assert.equal(await app.page.locator('alloy-install-modal').count(), 1);
    assert.equal(
      app.requests.filter((url) => url.includes('/widget/integrations/') && !url.endsWith('/apps')).length,
      1,
    );
    assert.ok(!app.pageErrors.some((e) => /NotSupportedError/.test(e)), app.pageErrors.join('\n'));
    await app.page.evaluate(() => window.Alloy!.close());
    const outcomes = await app.page.evaluate(() =>
      Promise.all((window as unknown as { pending: Promise<unknown>[] }).pending),
    );
    assert.deepEqual(outcomes, [
      { success: false, reason: 'api' },
      { success: false, reason: 'api' },
    ]);
    assert.equal(await app.page.locator('alloy-install-modal').count(), 0);
  } finally {
    await app.close();
  }
});

test('a tampered runtime chunk is refused (LOAD_FAILED, no modal), and a later call loads the real one', async () => {
  const token = await userToken(harness.apiUrl, 'sri-user');
  const manifest = cdnManifest();
  const app = await openApp(harness, cdnHostPage(harness), { token });
  try {
    const runtimeUrl = `${harness.apiUrl}/scripts/${manifest.runtimeEntry}`;
    let tamper = true;
    await app.page.route(runtimeUrl, async (route) => {
      const real = fs.readFileSync(path.join(ROOT, 'dist/cdn', manifest.runtimeEntry), 'utf8');
      await route.fulfill({
        status: 200,
        contentType: 'text/javascript',
        headers: { 'access-control-allow-origin': '*' },
        body: tamper ? `${real}\nwindow.__pwned = true;` : real,
      });
    });
    await app.page.goto(app.url);
    const failure = await app.page.evaluate(() =>
      (window as unknown as { install(): Promise<unknown> }).install().then(
        () => null,
        (error: { code: string; message: string }) => ({ code: error.code, message: error.message }),
      ),
    );
    assert.equal(failure?.code, 'LOAD_FAILED');
    assert.match(failure!.message, /integrity/);
    assert.equal(await app.page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned), undefined);
    assert.equal(await app.page.locator('alloy-install-modal').count(), 0);
    const results = await app.page.evaluate(() => (window as unknown as { results: { reason: string }[] }).results);
    assert.equal(results[0]?.reason, 'error');

    tamper = false;
    await app.page.getByRole('button', { name: 'Install Demo Store' }).click();
    await app.page.getByRole('dialog', { name: 'Demo Store' }).waitFor();
    await app.page.evaluate(() => window.Alloy!.close());
  } finally {
    await app.close();
  }
});

test('a later chunk (the auth step) is fetched only when the modal needs it, with its SRI hash: a tampered one is refused, then Try again loads the real one', async () => {
  const token = await userToken(harness.apiUrl, 'sri-lazy-user');
  const manifest = cdnManifest();
  const lazy = manifest.chunks.find((chunk) => chunk.file.startsWith('alloy-lazy-steps-'));
  assert.ok(lazy, 'the build splits the auth step off');
  const app = await openApp(harness, cdnHostPage(harness), { token });
  try {
    const lazyUrl = `${harness.apiUrl}/scripts/${lazy.file}`;
    let tamper = true;
    await app.page.route(lazyUrl, async (route) => {
      const real = fs.readFileSync(path.join(ROOT, 'dist/cdn', lazy.file), 'utf8');
      await route.fulfill({
        status: 200,
        contentType: 'text/javascript',
        headers: { 'access-control-allow-origin': '*' },
        body: tamper ? `${real}\nwindow.__pwned = true;` : real,
      });
    });
    // No idle time on this page: the loader's warm-up (which also fetches later chunks) never runs.
    await app.page.addInitScript({ content: 'window.requestIdleCallback = () => 0;' });
    await app.page.goto(app.url);
    await app.page.evaluate(() => window.Alloy!.getIntegrations()); // the runtime and the modal are in
    assert.ok(!app.requests.includes(lazyUrl), 'the auth step is not fetched before the modal needs it');

    await app.page.getByRole('button', { name: 'Install Demo Store' }).click();
    const dialog = app.page.getByRole('dialog');
    // The refused chunk's message (the integrity hash) is in the Details; the user reads a sentence.
    await dialog
      .getByText(/integrity hash/)
      .first()
      .waitFor({ state: 'attached' });
    await dialog
      .locator('#alloy-error-text')
      .getByText(/Something unexpected happened/)
      .waitFor();
    assert.equal(await app.page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned), undefined);

    tamper = false;
    await dialog.getByRole('button', { name: 'Try again' }).click();
    await dialog.getByRole('heading', { name: 'Connect Demo Store' }).waitFor();
    assert.equal(await app.page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned), undefined);
    assert.equal(app.requests.filter((url) => url === lazyUrl).length, 2, 'fetched once per attempt');
    await app.page.evaluate(() => window.Alloy!.close());
  } finally {
    await app.close();
  }
});

test('a language table is fetched for a modal in that language, with its SRI hash: a tampered one is refused and the modal speaks English', async () => {
  const token = await userToken(harness.apiUrl, 'fr-user');
  const fr = cdnManifest().chunks.find((chunk) => chunk.file.startsWith('alloy-fr-'));
  assert.ok(fr, 'the build splits the French table off');
  const files = cdnHostPage(harness);
  const body = String(files['/']!.body).replace('<html lang="en">', '<html lang="fr">');
  assert.match(body, /<html lang="fr">/);
  files['/'] = { body };
  for (const tamper of [true, false]) {
    const app = await openApp(harness, files, { token });
    try {
      const frUrl = `${harness.apiUrl}/scripts/${fr.file}`;
      await app.page.route(frUrl, async (route) => {
        const real = fs.readFileSync(path.join(ROOT, 'dist/cdn', fr.file), 'utf8');
        await route.fulfill({
          status: 200,
          contentType: 'text/javascript',
          headers: { 'access-control-allow-origin': '*' },
          body: tamper ? `${real}\nwindow.__pwned = true;` : real,
        });
      });
      await app.page.goto(app.url);
      await app.page.getByRole('button', { name: 'Install Demo Store' }).click();
      const dialog = app.page.getByRole('dialog');
      await dialog.getByRole('button', { name: tamper ? 'Continue' : 'Continuer', exact: true }).waitFor();
      assert.equal(await app.page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned), undefined);
      assert.ok(app.requests.includes(frUrl));
      await app.page.evaluate(() => window.Alloy!.close());
    } finally {
      await app.close();
    }
  }
});

test('API down: NETWORK_ERROR at once for data calls, the modal shows the error, no unhandled rejection', async () => {
  const token = await userToken(harness.apiUrl, 'down-user');
  const closedPort = await freePort();
  const app = await openApp(harness, cdnHostPage(harness), { token });
  try {
    await app.page.goto(app.url);
    await app.page.evaluate(() => {
      (window as unknown as { unhandled: unknown[] }).unhandled = [];
      window.addEventListener('unhandledrejection', (e) =>
        (window as unknown as { unhandled: unknown[] }).unhandled.push(String(e.reason)),
      );
    });
    await app.page.evaluate((url) => window.Alloy!.configure({ baseUrl: url }), `http://127.0.0.1:${closedPort}`);
    const code = await app.page.evaluate(() =>
      window.Alloy!.getIntegrations().then(
        () => 'ok',
        (error: { code: string }) => error.code,
      ),
    );
    assert.equal(code, 'NETWORK_ERROR');
    await app.page.getByRole('button', { name: 'Install Demo Store' }).click();
    const dialog = app.page.getByRole('dialog');
    // The user reads a sentence; the developer's hint (CORS, base URL) waits behind Details.
    await dialog
      .locator('#alloy-error-text')
      .getByText(/We couldn’t reach the service\. Check your connection and try again\./)
      .waitFor();
    assert.equal(await dialog.getByText(/Could not reach the Alloy API/).isVisible(), false);
    await dialog.getByText('Details', { exact: true }).click();
    await dialog.getByText(/Could not reach the Alloy API.*\(CORS\)/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    // Closed from its error state, the modal reports reason 'error'.
    await app.page.getByText('not installed: error').waitFor();
    assert.deepEqual(await app.page.evaluate(() => (window as unknown as { unhandled: unknown[] }).unhandled), []);
    await app.assertTokenNeverLeaked(token);
  } finally {
    await app.close();
  }
});

test('API hanging: TIMEOUT after the configured timeout, never a spinner forever', async () => {
  const token = await userToken(harness.apiUrl, 'hang-user');
  const sockets = new Set<net.Socket>();
  const hanging = net.createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const port = (hanging.address() as net.AddressInfo).port;
  const app = await openApp(harness, cdnHostPage(harness), { token });
  try {
    await app.page.goto(app.url);
    await app.page.evaluate(
      (url) => window.Alloy!.configure({ baseUrl: url, timeoutMs: 1500 }),
      `http://127.0.0.1:${port}`,
    );
    const error = await app.page.evaluate(() =>
      window.Alloy!.getIntegrations().then(
        () => null,
        (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
      ),
    );
    assert.equal(error?.code, 'TIMEOUT');
    assert.match(error!.message, /within 1\.5 s/);
    await app.page.getByRole('button', { name: 'Install Demo Store' }).click();
    await app.page
      .getByRole('dialog')
      .locator('#alloy-error-text')
      .getByText(/The service took too long to answer\. Try again in a minute\./)
      .waitFor();
    assert.equal(
      await app.page
        .getByRole('dialog')
        .getByText(/did not answer/)
        .isVisible(),
      false,
    );
    await app.page.evaluate(() => window.Alloy!.close());
    await app.assertTokenNeverLeaked(token);
  } finally {
    await app.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => hanging.close(resolve));
  }
});

test('a bad setting queued before the runtime loaded is reported, and the calls after it still run', async () => {
  const token = await userToken(harness.apiUrl, 'queue-user');
  const app = await openApp(
    harness,
    { '/': { body: fixture('early.html', { LOADER_URL: loaderUrl() }) }, '/early.js': fixtureFile('early.js') },
    { token },
  );
  try {
    await app.page.addInitScript(() => {
      document.addEventListener('DOMContentLoaded', () => {
        // Runs after early.js queued install(); the runtime is not loaded yet.
        window.Alloy!.configure({ baseUrl: 'not a url' });
      });
    });
    await app.page.goto(app.url);
    await app.page.getByRole('dialog', { name: 'Demo Store' }).waitFor();
    assert.ok(
      app.pageErrors.some((e) => e.includes('baseUrl must be an absolute http(s) URL')),
      app.pageErrors.join('\n'),
    );
    await app.page.evaluate(() => window.Alloy!.close());
    assert.deepEqual(
      await app.page.evaluate(() => (window as unknown as { earlyOutcome: Promise<unknown> }).earlyOutcome),
      {
        success: false,
        reason: 'api',
      },
    );
  } finally {
    await app.close();
  }
});

test('the CDN serves the loader, the chunks and the alias with CORS', async () => {
  const manifest = cdnManifest();
  for (const name of [manifest.loader.file, 'embedded.js', ...manifest.chunks.map((c) => c.file)]) {
    const response = await fetch(`${harness.apiUrl}/scripts/${name}`);
    assert.equal(response.status, 200, name);
    assert.equal(response.headers.get('access-control-allow-origin'), '*', name);
    assert.match(response.headers.get('content-type') ?? '', /javascript/, name);
  }
  assert.equal(INTEGRATION_ID.length, 24);
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
