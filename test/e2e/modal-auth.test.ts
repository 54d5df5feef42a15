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

  // Signing in leads; the API key is behind a disclosure that moves focus into its fields.
  const disclosure = dialog.getByRole('button', { name: 'Use an API key instead' });
  assert.equal(await disclosure.getAttribute('aria-expanded'), 'false');
  await disclosure.click();
  await dialog.getByRole('button', { name: 'Sign in with Demo Store instead', expanded: true }).waitFor();
  assert.equal(
    await dialog.getByLabel('API key').evaluate((input) => input === (input.getRootNode() as ShadowRoot).activeElement),
    true,
  );
  // The help names what the Demo Store admin really shows.
  await dialog.getByText('Copy it from the API key panel at the top of your Demo Store admin dashboard').waitFor();
  assert.equal(await dialog.getByLabel('Store ID').getAttribute('maxlength'), '64');

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
  // The footer's primary button is the step's one Connect.
  await dialog.locator('footer').getByRole('button', { name: 'Connect Demo Store' }).click();
  const popup = await popupOpened;
  // Approving is the store owner's call: the consent page asks for the owner secret.
  if (decision === 'Approve') await popup.getByLabel('Store owner secret').fill(TEST_OWNER_SECRET);
  await popup.getByRole('button', { name: decision }).click();
}

test('OAuth: approving in the popup connects the store and the install completes', async () => {
  const page = await browser.newPage();
  const dialog = await openInstall(page, 'oauth-user');
  await connectWithOAuth(page, dialog, 'Approve');
  // Signed in, the modal moves on to the settings by itself.
  await dialog.getByLabel('Order reference prefix').waitFor({ timeout: 15_000 });
  await finishSettings(page, dialog);
  await assertInstalledWithOneConnection('oauth-user');
  await page.close();
});

test('OAuth: denying in the popup brings the user back to the step with a message', async () => {
  const page = await browser.newPage();
  const dialog = await openInstall(page, 'deny-user');
  await connectWithOAuth(page, dialog, 'Deny');
  await dialog.getByText('Access was not granted. Try again when you are ready.').first().waitFor({ timeout: 15_000 });
  // The same one button tries again.
  await dialog.locator('footer').getByRole('button', { name: 'Connect Demo Store' }).waitFor();
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
  await dialog.getByLabel('Order reference prefix').waitFor({ timeout: 20_000 });
  await finishSettings(page, dialog);
  await assertInstalledWithOneConnection('coop-user');
  await page.close();
});

/** Waits until the modal has put focus in one of its inputs (it does so after each step renders). */
const inputFocused = (page: Page) =>
  page.waitForFunction(
    () => document.querySelector('alloy-install-modal')?.shadowRoot?.activeElement?.tagName === 'INPUT',
  );

test('keyboard only: a new user opens the API-key disclosure, connects and installs without the mouse', async () => {
  const page = await browser.newPage();
  const credential = await seededStoreCredentialOverHttp(base);
  await page.goto(`${base}/demo/?user=keyboard-user`);
  await page.getByRole('button', { name: 'Install' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  const focused = (locator: Locator) =>
    locator.evaluate((node) => node === (node.getRootNode() as ShadowRoot).activeElement);
  // Focus starts in the shop subdomain; the disclosure is the next stop.
  const shop = dialog.getByLabel('Shop subdomain');
  await shop.waitFor();
  await inputFocused(page);
  assert.equal(await focused(shop), true);
  await page.keyboard.press('Tab');
  const disclosure = dialog.getByRole('button', { name: 'Use an API key instead' });
  assert.equal(await focused(disclosure), true);
  await page.keyboard.press('Enter');
  const apiKey = dialog.getByLabel('API key');
  await apiKey.waitFor();
  assert.equal(await focused(apiKey), true);
  await page.keyboard.type(credential.apiKey);
  await page.keyboard.press('Tab'); // Show
  await page.keyboard.press('Tab'); // Store ID
  assert.equal(await focused(dialog.getByLabel('Store ID')), true);
  await page.keyboard.type(credential.storeId);
  await page.keyboard.press('Enter');
  const prefix = dialog.getByLabel('Order reference prefix');
  await prefix.waitFor();
  await inputFocused(page);
  assert.equal(await focused(prefix), true);
  await page.keyboard.type('DS-');
  await page.keyboard.press('Enter');
  // Success stays until Done: reach it with Tab and press it.
  const done = dialog.getByRole('button', { name: 'Done' });
  await done.waitFor();
  for (let i = 0; i < 6 && !(await focused(done)); i++) await page.keyboard.press('Tab');
  assert.equal(await focused(done), true);
  await page.keyboard.press('Enter');
  await page.locator('#status', { hasText: 'Demo Store is installed.' }).waitFor();
  await assertInstalledWithOneConnection('keyboard-user');
  await page.close();
});
