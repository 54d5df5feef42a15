import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { startDemoHarness, type DemoHarness } from '../helpers/demo-harness.js';
import { seededStoreCredentialOverHttp, TEST_OWNER_SECRET } from '../helpers/sandbox-owner.js';

/**
 * The modal's auth step against the real server and the Demo Store sandbox: connect with an API key,
 * with OAuth in a popup (approve, deny), and on a host page that sends Cross-Origin-Opener-Policy,
 * where the popup cannot reach its opener and completion comes from polling the server.
 */

let demo: DemoHarness;
let browser: Browser;
let base: string;

before(async () => {
  demo = await startDemoHarness();
  ({ browser, base } = demo);
});
after(() => demo?.close());

const isv = <T>(apiPath: string): Promise<T> => demo.isv<T>('GET', apiPath);

async function openInstall(page: Page, username: string): Promise<Locator> {
  await page.goto(`${base}/demo/?user=${username}`);
  await page.getByRole('button', { name: 'Install' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('heading', { name: 'Connect Demo Store' }).waitFor();
  return dialog;
}

async function finishSettings(page: Page, dialog: Locator): Promise<void> {
  await dialog.getByLabel('Order reference prefix').fill('DS-');
  await dialog.getByRole('button', { name: 'Finish Installation' }).click();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.locator('#status', { hasText: 'Demo Store is installed.' }).waitFor();
}

async function assertInstalledWithOneConnection(username: string): Promise<void> {
  const integrations = await isv<{ data: { installed: boolean }[] }>(`/integrations?userId=${username}`);
  assert.equal(integrations.data[0]?.installed, true);
  const credentials = await isv<{ data: unknown[] }>(`/users/${username}/credentials`);
  assert.equal(credentials.data.length, 1);
}

test('a new user connects Demo Store with its API key in the modal, then installs', async () => {
  const page = await browser.newPage();
  const dialog = await openInstall(page, 'apikey-user');
  const credential = await seededStoreCredentialOverHttp(base);
  const store = { id: credential.storeId, apiKey: credential.apiKey };

  // A wrong key is refused by the store, and the message sits by the field.
  await dialog.getByLabel('API key').fill('dsk_wrong_key_0000000000000000');
  await dialog.getByLabel('Store ID').fill(store.id);
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await dialog.locator('[aria-invalid="true"]').first().waitFor();

  await dialog.getByLabel('API key').fill(store.apiKey);
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await dialog.getByLabel('Order reference prefix').waitFor();
  await finishSettings(page, dialog);
  await assertInstalledWithOneConnection('apikey-user');
  await page.close();
});

async function connectWithOAuth(page: Page, dialog: Locator, decision: 'Approve' | 'Deny'): Promise<void> {
  await dialog.getByLabel('Shop subdomain').fill('acme-shop');
  const popupOpened = page.waitForEvent('popup');
  await dialog.getByRole('button', { name: 'Connect Demo Store' }).click();
  const popup = await popupOpened;
  // Approving is the store owner's call: the consent page asks for the owner secret.
  if (decision === 'Approve') await popup.getByLabel('Store owner secret').fill(TEST_OWNER_SECRET);
  await popup.getByRole('button', { name: decision }).click();
}

test('OAuth: approving in the popup connects the store and the install completes', async () => {
  const page = await browser.newPage();
  const dialog = await openInstall(page, 'oauth-user');
  await connectWithOAuth(page, dialog, 'Approve');
  await dialog.getByText('Connected as Demo Store acme-shop').first().waitFor({ timeout: 15_000 });
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await finishSettings(page, dialog);
  await assertInstalledWithOneConnection('oauth-user');
  await page.close();
});

test('OAuth: denying in the popup brings the user back to the step with a message', async () => {
  const page = await browser.newPage();
  const dialog = await openInstall(page, 'deny-user');
  await connectWithOAuth(page, dialog, 'Deny');
  await dialog.getByText('Access was not granted. Try again when you are ready.').first().waitFor({ timeout: 15_000 });
  const credentials = await isv<{ data: unknown[] }>('/users/deny-user/credentials');
  assert.equal(credentials.data.length, 0);
  await page.close();
});

test('OAuth on a host page with Cross-Origin-Opener-Policy: same-origin completes by polling', async () => {
  const page = await browser.newPage();
  // The host page sends COOP, which severs window.opener: the popup's message cannot arrive.
  await page.route(`${base}/demo/?user=coop-user`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'cross-origin-opener-policy': 'same-origin' } });
  });
  const dialog = await openInstall(page, 'coop-user');
  await connectWithOAuth(page, dialog, 'Approve');
  await dialog.getByText('Connected as Demo Store acme-shop').first().waitFor({ timeout: 20_000 });
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await finishSettings(page, dialog);
  await assertInstalledWithOneConnection('coop-user');
  await page.close();
});
