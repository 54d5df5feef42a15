import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { toSettingsStep } from '../helpers/e2e-modal.js';
import { apiKeyHeaders, startTestServer, type TestServer } from '../helpers/server.js';
import { storeCredentialOf } from '../server/support.js';

const INTEGRATION_ID = '65a1c0de0000000000000001';
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

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.ctx.publicUrl}/2024-03${path}`, {
    method,
    headers: { ...apiKeyHeaders(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
}

test('a generated Embedded Link opens the install modal and installs; the link then ends', async () => {
  const created = await call('POST', '/users', { username: 'link-e2e' });
  const { userId } = (await created.json()) as { userId: string };
  // A user who already connected the store, so the modal shows its configuration step.
  const credential = await call('POST', '/headless/credentials', {
    userId,
    credential: { type: 'demoStore', data: await storeCredentialOf(server) },
  });
  assert.equal(credential.status, 200);
  const link = (await (await call('GET', `/users/${userId}/integrations/${INTEGRATION_ID}/install-url`)).json()) as {
    url: string;
  };
  const token = new URL(link.url).pathname.split('/').pop()!;

  const page = await browser.newPage();
  const leaks: string[] = [];
  page.on('request', (request) => {
    const referer = request.headers()['referer'] ?? '';
    if (referer.includes(token)) leaks.push(`${request.url()} (referer)`);
    if (request.url().includes(token) && request.url() !== link.url) leaks.push(request.url());
  });
  await page.goto(link.url);
  assert.equal(page.url(), `${server.ctx.publicUrl}/link`, 'the token left the address bar');

  const dialog = page.getByRole('dialog', { name: 'Demo Store' });
  await toSettingsStep(dialog);
  await dialog.getByLabel('Order reference prefix').fill('LK-');
  await dialog.getByRole('button', { name: 'Finish Installation' }).click();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByText('The integration is installed.').waitFor();
  assert.deepEqual(leaks, [], 'the token is sent nowhere else, not even as a referrer');

  const installations = (await (await call('GET', `/integrations?userId=${userId}`)).json()) as {
    data: { installed: boolean }[];
  };
  assert.equal(installations.data[0]?.installed, true);

  // The same link again: a clear page asking for a new one.
  await page.goto(link.url);
  assert.equal(page.url(), `${server.ctx.publicUrl}/link/ended/used`);
  await page.getByText('This install link was already used.').waitFor();
  await page.getByText('Ask the app that sent it for a new install link.').waitFor();
  await page.close();
});
