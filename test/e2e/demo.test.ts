import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEMO_API_KEY, startDemoHarness, type DemoHarness } from '../helpers/demo-harness.js';
import { connectDemoStore, toSettingsStep } from '../helpers/e2e-modal.js';
import { seededStoreCredentialOverHttp } from '../helpers/sandbox-owner.js';

/**
 * The AcmeCo demo walked through in Chromium against the real server: the React page, the
 * integrations page's Edit / Deactivate / Reactivate / Uninstall, and the Quick Start's two workflows seen
 * from the event console, the Demo Store, the webhook inbox and the logs page.
 */

const STORE = '/sandbox/demo-store';
const API_KEY = DEMO_API_KEY;
let demo: DemoHarness;
let browser: Browser;
let base: string;

before(async () => {
  demo = await startDemoHarness();
  ({ browser, base } = demo);
});
after(() => demo?.close());

const api = <T>(method: string, apiPath: string, body?: unknown): Promise<T> => demo.isv<T>(method, apiPath, body);

/** The seeded sandbox store's own API key, as its admin page shows its signed-in owner. */
async function storeKey(): Promise<{ apiKey: string; storeId: string }> {
  return seededStoreCredentialOverHttp(base);
}

/** A demo user who connected their store before (the auth step itself is covered by modal-auth.test.ts). */
async function connectedUser(username: string): Promise<void> {
  await api('POST', '/users', { username });
  await connectDemoStore(base, API_KEY, username);
}

async function installThroughModal(page: Page, trigger: string): Promise<void> {
  await page.getByRole('button', { name: trigger }).click();
  const dialog = page.getByRole('dialog');
  await toSettingsStep(dialog);
  await dialog.getByLabel('Order reference prefix').fill('DS-');
  await dialog.getByRole('button', { name: 'Finish Installation' }).click();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

test('the React page installs Demo Store with window.Alloy.install under StrictMode', async () => {
  await connectedUser('react-user');
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${base}/demo/react/?user=react-user`);
  await page.getByRole('heading', { name: 'Demo Store' }).waitFor();
  await installThroughModal(page, 'Connect Demo Store');
  await page.getByText('Demo Store is connected.').waitFor();
  await page.getByRole('button', { name: 'Edit Demo Store' }).waitFor();
  const { data } = await api<{ data: { installed: boolean }[] }>('GET', '/integrations?userId=react-user');
  assert.equal(data[0]?.installed, true);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the integrations page: install, edit keeps the saved value, deactivate and reactivate', async () => {
  await connectedUser('card-user');
  const page = await browser.newPage();
  await page.goto(`${base}/demo/?user=card-user`);
  await installThroughModal(page, 'Install');
  await page.locator('#status', { hasText: 'Demo Store is installed.' }).waitFor();
  await page.getByText('Active · v1').waitFor();

  await page.getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog');
  await toSettingsStep(dialog);
  assert.equal(await dialog.getByLabel('Order reference prefix').inputValue(), 'DS-');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });

  await page.getByRole('button', { name: 'Deactivate' }).click();
  await page.getByText('Paused · v1').waitFor();
  const paused = await api<{ data: { workflows: { active: boolean }[] }[] }>('GET', '/integrations?userId=card-user');
  assert.ok(paused.data[0]!.workflows.every((w) => !w.active));
  await page.getByRole('button', { name: 'Reactivate' }).click();
  await page.getByText('Active · v1').waitFor();
  await page.close();
});

test('uninstalling: from the card after its own confirmation, and from the edit modal after the modal’s', async () => {
  await connectedUser('uninstall-user');
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${base}/demo/?user=uninstall-user`);
  await installThroughModal(page, 'Install');
  await page.getByText('Active · v1').waitFor();
  const installed = async () =>
    (await api<{ data: { installed: boolean }[] }>('GET', '/integrations?userId=uninstall-user')).data[0]!.installed;

  // The card asks first; Cancel changes nothing.
  await page.getByRole('button', { name: 'Uninstall', exact: true }).click();
  const question = page.getByRole('group', { name: 'Confirm uninstalling Demo Store' });
  await question.getByText(/^Uninstall Demo Store\? Its 2 workflows stop running/).waitFor();
  await question.getByRole('button', { name: 'Cancel' }).click();
  await question.waitFor({ state: 'hidden' });
  assert.equal(await installed(), true);
  await page.getByRole('button', { name: 'Uninstall', exact: true }).click();
  await question.getByRole('button', { name: 'Uninstall Demo Store' }).click();
  await page.locator('#status', { hasText: 'Demo Store is uninstalled (2 workflows removed).' }).waitFor();
  await page.getByText('Not installed').waitFor();
  assert.equal(await installed(), false);

  // Installed again, then uninstalled from Edit: the modal starts on the connection and asks too.
  await installThroughModal(page, 'Install');
  await page.getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText(/^Connected to /).waitFor();
  await toSettingsStep(dialog);
  await dialog.getByRole('button', { name: 'Save changes' }).waitFor();
  await dialog.getByRole('button', { name: 'Uninstall Demo Store' }).click();
  await dialog.getByRole('heading', { name: 'Uninstall Demo Store?' }).waitFor();
  await dialog.getByRole('button', { name: 'Uninstall', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.locator('#status', { hasText: 'Demo Store is uninstalled.' }).waitFor();
  assert.equal(await installed(), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the Quick Start from the demo: an order streams into the inbox, signed; a fulfillment event updates the store', async () => {
  await connectedUser('gregg');
  const page = await browser.newPage();
  await page.goto(`${base}/demo/?user=gregg`);
  await installThroughModal(page, 'Install');
  await page.locator('#status', { hasText: 'Demo Store is installed.' }).waitFor();

  // Workflow 1: a new store order reaches AcmeCo's inbox with both signatures verified.
  const { apiKey, storeId } = await storeKey();
  const created = await fetch(`${base}${STORE}/api/v1/stores/${storeId}/orders`, {
    method: 'POST',
    headers: { 'x-store-api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({
      customer: { email: 'pat@example.com', name: 'Pat Doe' },
      items: [{ name: 'Mug', quantity: 1, unitPrice: 4200 }],
    }),
  });
  const order = (await created.json()) as { id: string; status: string };
  assert.equal(created.status, 201, JSON.stringify(order));
  await page.goto(`${base}/demo/inbox.html?user=gregg`);
  await page.getByText('X-Alloy-Signature verified').first().waitFor({ timeout: 15_000 });
  await page.getByText('webhook-signature verified').first().waitFor();
  assert.ok((await page.locator('.inbox pre').first().textContent())!.includes(order.id));

  // Workflow 2: the event console fires "Fulfillment Updated" and the store's order changes.
  await page.goto(`${base}/demo/events.html?user=gregg`);
  await page
    .getByLabel('Data (JSON, must match the event schema)')
    .fill(JSON.stringify({ orderId: order.id, status: 'paid' }));
  await page.getByRole('button', { name: 'Fire event' }).click();
  await page.getByText('Event accepted.').waitFor();
  let status = order.status;
  for (let i = 0; i < 50 && status !== 'paid'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const current = await fetch(`${base}${STORE}/api/v1/stores/${storeId}/orders/${order.id}`, {
      headers: { 'x-store-api-key': apiKey },
    });
    status = ((await current.json()) as { status: string }).status;
  }
  assert.equal(status, 'paid');

  // The logs page lists the runs of the selected workflow.
  await page.goto(`${base}/demo/logs.html?user=gregg`);
  await page.locator('table.table tbody tr').first().waitFor({ timeout: 10_000 });
  await page.close();
});

test('the Embedded Link page generates a single-use link', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/demo/link.html?user=link-user`);
  await page.getByRole('option', { name: 'Demo Store' }).waitFor({ state: 'attached' });
  await page.getByRole('button', { name: 'Generate link' }).click();
  const link = page.locator('a[href*="/link/"]');
  await link.waitFor();
  assert.match((await link.getAttribute('href'))!, new RegExp(`^${base}/link/[\\w-]+$`));
  await page.close();
});
