import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { EmbeddedServer } from '../../src/server/app.js';
import { DEMO_API_KEY, startDemoHarness, type DemoHarness } from '../helpers/demo-harness.js';
import { connectDemoStore, toSettingsStep } from '../helpers/e2e-modal.js';

const API_KEY = DEMO_API_KEY;
let demo: DemoHarness;
let server: EmbeddedServer;
let browser: Browser;

before(async () => {
  demo = await startDemoHarness();
  ({ server, browser } = demo);
});
after(() => demo?.close());

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
  // Success stays until Done, saying what now happens.
  await dialog.getByText('New Demo Store orders will appear in AcmeCo.').waitFor();
  await dialog.getByRole('button', { name: 'Done' }).click();

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
