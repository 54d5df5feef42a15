import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { TEST_OWNER_SECRET } from '../helpers/sandbox-owner.js';
import { apiKeyHeaders, startTestServer, type TestServer } from '../helpers/server.js';

/** A host page on another origin than the server, as an ISV's app would be. */
const HOST_ORIGIN = 'http://isv-host.test';
const HOST_PAGE = `<!doctype html><title>ISV</title><button id="connect">Connect</button><script>
window.messages = [];
addEventListener('message', (event) => window.messages.push({ origin: event.origin, data: event.data }));
document.getElementById('connect').addEventListener('click', () => { window.popup = window.open(window.authorizeUrl, 'alloy-oauth'); });
</script>`;

let server: TestServer;
let browser: Browser;

before(async () => {
  server = await startTestServer({ listen: true, server: { allowPrivateTargets: 'loopback' } });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

async function userToken(username: string): Promise<string> {
  const base = `${server.ctx.publicUrl}/2024-03`;
  const created = await fetch(`${base}/users`, {
    method: 'POST',
    headers: { ...apiKeyHeaders(), 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
  });
  const { userId } = (await created.json()) as { userId: string };
  const token = await fetch(`${base}/users/${userId}/token`, { headers: apiKeyHeaders() });
  return ((await token.json()) as { token: string }).token;
}

async function startSession(token: string, origin: string) {
  const response = await fetch(`${server.ctx.publicUrl}/2024-03/widget/oauth/sessions`, {
    method: 'POST',
    headers: { 'x-alloy-user-token': token, 'content-type': 'application/json' },
    body: JSON.stringify({ app: 'demoStore', fields: { shop: 'acme-shop' }, origin }),
  });
  assert.equal(response.status, 201);
  return (await response.json()) as { sessionId: string; authorizeUrl: string; state: string };
}

for (const decision of ['Approve', 'Deny'] as const) {
  test(`the OAuth popup (${decision}) posts its outcome to the opener at its exact origin, then closes`, async () => {
    const token = await userToken(`popup-${decision.toLowerCase()}`);
    const session = await startSession(token, HOST_ORIGIN);
    const context = await browser.newContext();
    await context.route(`${HOST_ORIGIN}/**`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: HOST_PAGE }),
    );
    const host = await context.newPage();
    await host.goto(`${HOST_ORIGIN}/app`);
    await host.evaluate(
      (url) => ((window as unknown as { authorizeUrl: string }).authorizeUrl = url),
      session.authorizeUrl,
    );
    const [popup] = await Promise.all([context.waitForEvent('page'), host.click('#connect')]);
    // Approving is the store owner's call: the consent page asks for the owner secret.
    if (decision === 'Approve') await popup.getByLabel('Store owner secret').fill(TEST_OWNER_SECRET);
    await popup.getByRole('button', { name: decision }).click();
    await popup.waitForEvent('close');

    const messages = (await host.evaluate(() => (window as unknown as { messages: unknown[] }).messages)) as {
      origin: string;
      data: unknown;
    }[];
    assert.deepEqual(messages, [
      {
        origin: new URL(server.ctx.publicUrl).origin,
        data: {
          type: 'alloy:oauth-complete',
          sessionId: session.sessionId,
          state: session.state,
          status: decision === 'Approve' ? 'succeeded' : 'cancelled',
        },
      },
    ]);
    await context.close();
  });
}
