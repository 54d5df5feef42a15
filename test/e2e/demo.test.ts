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

  // Deactivating asks first; Cancel changes nothing.
  await page.getByRole('button', { name: 'Deactivate', exact: true }).click();
  await page.getByText('Deactivate Demo Store? Its 2 workflows stop running').waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByText('Active · v1').waitFor();
  await page.getByRole('button', { name: 'Deactivate', exact: true }).click();
  await page.getByRole('button', { name: 'Deactivate Demo Store' }).click();
  await page.getByText('Deactivated · v1').waitFor();
  await page.locator('#status', { hasText: 'Demo Store deactivated.' }).waitFor();
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

  // Installing sent the installation webhook to the demo's inbox (configured by default), for this user only.
  await page.goto(`${base}/demo/inbox.html?user=gregg`);
  const installation = page.locator('.inbox li', { hasText: 'Installation webhook' });
  await installation.first().waitFor({ timeout: 15_000 });
  assert.match((await installation.first().textContent())!, /X-Alloy-Signature verified/);
  const other = await browser.newPage();
  await other.goto(`${base}/demo/inbox.html?user=someone-else`);
  await other.getByText('Nothing received for "someone-else" yet').waitFor();
  assert.equal(await other.locator('.inbox li', { hasText: 'Installation webhook' }).count(), 0);
  await other.close();

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
  const order = (await created.json()) as { id: string; number: number; status: string };
  assert.equal(created.status, 201, JSON.stringify(order));
  await page.goto(`${base}/demo/inbox.html?user=gregg`);
  await page.getByText('X-Alloy-Signature verified').first().waitFor({ timeout: 15_000 });
  await page.getByText('webhook-signature verified').first().waitFor();
  assert.ok((await page.locator('.inbox pre').first().textContent())!.includes(order.id));

  // Workflow 2: the event console's order picker lists the streamed order by number and id, and
  // its default payload fires "Fulfillment Updated": the store's order changes.
  await page.goto(`${base}/demo/events.html?user=gregg`);
  const picker = page.getByLabel('Order', { exact: true });
  await picker.locator('option', { hasText: `#${order.number} · ${order.id}` }).waitFor({ state: 'attached' });
  assert.equal(await picker.inputValue(), order.id, 'the newest order is picked');
  const editor = page.getByLabel('Data (JSON, must match the event schema)');
  assert.deepEqual(JSON.parse(await editor.inputValue()), { orderId: order.id, status: 'fulfilled' });

  // The store's number instead of the id is refused before anything is fired, naming the id.
  await editor.fill(JSON.stringify({ orderId: String(order.number), status: 'paid' }));
  await page.getByRole('button', { name: 'Fire event' }).click();
  await page.locator('#status', { hasText: `the event needs the order's id, ${order.id}` }).waitFor();

  await picker.selectOption(order.id);
  assert.deepEqual(JSON.parse(await editor.inputValue()), { orderId: order.id, status: 'fulfilled' });
  await page.getByRole('button', { name: 'Fire event' }).click();
  await page.getByText('Event accepted and its run succeeded.').waitFor({ timeout: 20_000 });
  let status = order.status;
  for (let i = 0; i < 50 && status !== 'fulfilled'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const current = await fetch(`${base}${STORE}/api/v1/stores/${storeId}/orders/${order.id}`, {
      headers: { 'x-store-api-key': apiKey },
    });
    status = ((await current.json()) as { status: string }).status;
  }
  assert.equal(status, 'fulfilled');

  // The run opens in Logs & errors with its blocks by name, input, output, timing and status.
  await page.getByRole('link', { name: 'Open the run in Logs & errors' }).click();
  const detail = page.getByRole('region', { name: 'Run details' });
  await detail.getByRole('heading', { name: 'Demo Store: Update Order Status' }).waitFor();
  const shown = (await detail.textContent())!;
  assert.match(shown, /Custom Event/);
  assert.match(shown, /Status\s*success/);
  assert.ok(shown.includes(order.id), 'the input names the order');
  assert.match(shown, /"status": "fulfilled"/, 'the output is the updated order');
  assert.ok(!shown.includes(apiKey), 'no store key in the log');
  assert.equal(
    await page.locator('table.table tbody tr').first().locator('td').nth(3).textContent(),
    'Custom Event → Demo Store: Update Order Status',
  );
  await page.close();
});

test('the Embedded Link page generates a single-use link with the chosen expiry, and copies it', async () => {
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await page.goto(`${base}/demo/link.html?user=link-user`);
  await page.getByRole('option', { name: 'Demo Store' }).waitFor({ state: 'attached' });
  const expiry = page.getByLabel('Expires after');
  assert.equal(await expiry.locator('option:checked').textContent(), '7 days');
  await expiry.selectOption({ label: '1 day' });
  await page.getByRole('button', { name: 'Generate link' }).click();
  const link = page.locator('a[href*="/link/"]');
  await link.waitFor();
  const href = (await link.getAttribute('href'))!;
  assert.match(href, new RegExp(`^${base}/link/[\\w-]+$`));
  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.getByRole('button', { name: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), href);
  await context.close();
});

const DEMO_PAGES = ['', 'react/', 'events.html', 'inbox.html', 'logs.html', 'link.html'];

test('every demo page fits 320 px without horizontal scroll, with a usable menu; at 1280 px the nav is one row', async () => {
  const page = await browser.newPage({ viewport: { width: 320, height: 640 } });
  for (const path of DEMO_PAGES) {
    await page.goto(`${base}/demo/${path}?user=narrow-user`);
    await page.locator('.status').waitFor({ state: 'attached' });
    await page.waitForLoadState('networkidle');
    const overflow = () =>
      page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: window.innerWidth }));
    let { scroll, inner } = await overflow();
    assert.ok(scroll <= inner, `/demo/${path}: ${scroll} > ${inner}`);
    // The links fold behind Menu; opened, each is reachable and the page still fits.
    const menu = page.getByRole('button', { name: 'Menu' });
    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    await page.getByRole('navigation', { name: 'AcmeCo' }).getByRole('link', { name: 'Logs & errors' }).waitFor();
    ({ scroll, inner } = await overflow());
    assert.ok(scroll <= inner, `/demo/${path} with the menu open: ${scroll} > ${inner}`);
    const switchBox = (await page.getByRole('button', { name: 'Switch' }).boundingBox())!;
    assert.ok(switchBox.x + switchBox.width <= inner, `/demo/${path}: Switch is clipped`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${base}/demo/?user=narrow-user`);
  const tops = await page
    .getByRole('navigation', { name: 'AcmeCo' })
    .getByRole('link')
    .evaluateAll((links) => links.map((link) => Math.round(link.getBoundingClientRect().top)));
  assert.equal(new Set(tops).size, 1, `one row at 1280 px: ${tops.join(', ')}`);
  const header = (await page.locator('header.topbar').boundingBox())!;
  assert.ok(header.height < 70, `the top bar is one row (${header.height} px)`);
  assert.equal(await page.getByRole('button', { name: 'Menu' }).isVisible(), false);
  await page.close();
});
