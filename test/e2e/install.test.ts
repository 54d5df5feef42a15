import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startDemoServer } from '../../demo/server.js';
import type { EmbeddedServer } from '../../src/server/app.js';
import { launchChromium } from '../helpers/chromium.js';
import { connectDemoStore, toSettingsStep } from '../helpers/e2e-modal.js';

const API_KEY = 'ak_dev_e2e_key_0123456789abcdef';
let server: EmbeddedServer;
let browser: Browser;
let dataDir: string;

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-e2e-'));
  server = await startDemoServer({ PORT: '0', ALLOY_DATA_DIR: dataDir, ALLOY_API_KEY: API_KEY });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a person installs the Demo Store integration from the demo page', async () => {
  const page = await browser.newPage();
  const requestedUrls: string[] = [];
  page.on('request', (request) => requestedUrls.push(request.url()));
  // The user connected their store before (the auth step itself is covered by modal-auth.test.ts).
  await fetch(`${server.ctx.publicUrl}/2024-03/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'e2e-user' }),
  });
  await connectDemoStore(server.ctx.publicUrl, API_KEY, 'e2e-user');
  await page.goto(`${server.ctx.publicUrl}/demo/?user=e2e-user`);

  const installButton = page.getByRole('button', { name: 'Install' });
  await installButton.click();

  const dialog = page.getByRole('dialog', { name: 'Demo Store' });
  await toSettingsStep(dialog);
  const field = dialog.getByLabel('Order reference prefix');
  await field.fill('DS-');
  await dialog.getByRole('button', { name: 'Finish Installation' }).click();

  await dialog.waitFor({ state: 'hidden' });
  await page.locator('#status', { hasText: 'Demo Store is installed.' }).waitFor();
  // The modal element is gone from the page once it closes.
  assert.equal(await page.locator('alloy-install-modal').count(), 0);

  // The ISV API (API key + userId) sees the installation.
  const response = await fetch(`${server.ctx.publicUrl}/2024-03/integrations?userId=e2e-user`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  const body = (await response.json()) as { data: { installed: boolean; workflows: { installedVersion: number }[] }[] };
  assert.equal(body.data[0]?.installed, true);
  assert.equal(body.data[0]?.workflows[0]?.installedVersion, 1);

  // The user token never travels in a URL.
  assert.ok(requestedUrls.length > 0);
  assert.ok(
    requestedUrls.every((url) => !/eyJ[\w-]+\.[\w-]+\./.test(url)),
    'no JWT in any requested URL',
  );
  await page.close();
});
