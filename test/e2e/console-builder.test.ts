/**
 * The product docs' Quick Start done in the browser, console included: the demo starts with NO
 * integration files; in the console's builder we make the Demo Store integration from the connector
 * catalogue with its two workflows (an app event streamed to AcmeCo's inbox with one field the user
 * fills in, and the "Fulfillment Updated" custom event mapped to the store's update-order-status
 * action with the variable picker), release both, install it from AcmeCo's page through the modal,
 * create a store order, fire the event from the demo's event console, and see both runs in the
 * console's logs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { DEMO_API_KEY, startDemoHarness, type DemoHarness } from '../helpers/demo-harness.js';
import { connectDemoStore, toSettingsStep } from '../helpers/e2e-modal.js';
import { seededStoreCredentialOverHttp } from '../helpers/sandbox-owner.js';

const PASSWORD = 'console builder e2e password';
const STREAM_WORKFLOW = 'When a new order is created in Demo Store, stream it to AcmeCo';
const EVENT_WORKFLOW = 'When a fulfillment is updated in AcmeCo, update the order status in Demo Store';
const STORE = '/sandbox/demo-store';

let demo: DemoHarness;
let emptyDefinitions: string;

before(async () => {
  emptyDefinitions = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-no-definitions-'));
  demo = await startDemoHarness({ ALLOY_DEFINITIONS_DIR: emptyDefinitions, ALLOY_CONSOLE_PASSWORD: PASSWORD });
});

after(async () => {
  await demo?.close();
  fs.rmSync(emptyDefinitions, { recursive: true, force: true });
});

/** The open block panel (trigger or block). */
const panelOf = (page: Page): Locator => page.locator('alloy-console-block-panel');

/** Waits until the builder's autosave has stored the last edit and the server reports no issue. */
async function savedWithoutIssues(page: Page): Promise<void> {
  await page.getByText('Saved', { exact: true }).waitFor();
  await page.getByRole('heading', { name: /issues? to fix before releasing/ }).waitFor({ state: 'detached' });
}

async function release(page: Page, version: number): Promise<void> {
  await savedWithoutIssues(page);
  await page.getByRole('button', { name: 'Release this Version' }).click();
  const confirm = page.getByRole('dialog', { name: `Release version ${version}?` });
  await confirm.getByRole('button', { name: 'Release', exact: true }).click();
  await page.getByText(`Version ${version} released.`).waitFor();
}

async function newWorkflow(page: Page, name: string): Promise<void> {
  await page.getByLabel('Workflow name').fill(name);
  await page.getByRole('button', { name: 'New workflow' }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}

test('the Quick Start built in the console: two workflows released, installed through the modal, both run, both in the logs', async () => {
  const page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const base = demo.base;

  await page.goto(`${base}/console`);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();

  // New integration from the connector catalogue.
  await page.getByRole('button', { name: 'New integration' }).click();
  const create = page.getByRole('dialog', { name: 'New integration' });
  await create.locator('#app').selectOption({ label: 'Demo Store' });
  await create.getByLabel('Name').fill('Demo Store');
  await create.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name: 'Demo Store', level: 1 }).waitFor();
  await page.getByText('Made in the console').waitFor();
  const integrationUrl = page.url();

  // Workflow 1: Demo Store's order.created → Stream Data to AcmeCo's inbox, one field for the user.
  await newWorkflow(page, STREAM_WORKFLOW);
  await page.getByRole('button', { name: 'Choose a trigger' }).click();
  await panelOf(page).locator('#type').first().selectOption({ label: 'App event' });
  await panelOf(page).locator('#event').selectOption('order.created');
  await page.getByRole('button', { name: 'Add block after the trigger' }).click();
  const streamFields = panelOf(page).locator('alloy-console-field-editor');
  await streamFields.first().getByLabel('Value').fill('/demo/api/inbox/orders');
  await panelOf(page).getByRole('button', { name: 'Add field' }).click();
  const prefix = streamFields.nth(1);
  await prefix.getByLabel('Key').fill('referencePrefix');
  await prefix.getByLabel('Display name').fill('Order reference prefix');
  await prefix.getByLabel('The user fills it in when installing').check();
  await release(page, 1);
  await page.getByRole('region', { name: 'Versions' }).getByRole('rowheader', { name: '1', exact: true }).waitFor();

  // Workflow 2: the "Fulfillment Updated" custom event → the store's updateOrderStatus, mapped.
  await page.goto(integrationUrl);
  await newWorkflow(page, EVENT_WORKFLOW);
  await page.getByRole('button', { name: 'Choose a trigger' }).click();
  await panelOf(page).locator('#type').first().selectOption({ label: 'Custom event' });
  await panelOf(page).locator('#event-name').fill('Fulfillment Updated');
  for (const [index, name] of ['orderId', 'status'].entries()) {
    await panelOf(page).getByRole('button', { name: 'Add a data field' }).click();
    const field = panelOf(page).locator(`#schema-name-${index}`);
    await field.fill(name);
    await field.press('Tab');
  }
  await page.getByRole('button', { name: 'Add block after the trigger' }).click();
  await panelOf(page).locator('#type').first().selectOption({ label: 'App action' });
  await panelOf(page).locator('#name').first().fill('Demo Store: Update Order Status');
  await panelOf(page).locator('#action').selectOption('updateOrderStatus');
  const actionFields = panelOf(page).locator('alloy-console-field-editor');
  for (const [index, name] of ['orderId', 'status'].entries()) {
    const field = actionFields.nth(index);
    await field.getByRole('button', { name: /^Insert a variable into/ }).click();
    await field.getByRole('button', { name: `{{trigger.${name}}}` }).click();
    assert.equal(await field.getByLabel('Value').inputValue(), `{{trigger.${name}}}`);
  }
  await release(page, 1);

  // Both listed with version 1 on the integration's page.
  await page.goto(integrationUrl);
  await page.getByText(STREAM_WORKFLOW).waitFor();
  await page.getByText(EVENT_WORKFLOW).waitFor();
  assert.equal(await page.getByText('Version 1', { exact: true }).count(), 2);

  // AcmeCo's page lists the new integration; the user installs it through the modal.
  await demo.isv('POST', '/users', { username: 'builder-user' });
  await connectDemoStore(base, DEMO_API_KEY, 'builder-user');
  const acme = await demo.browser.newPage();
  await acme.goto(`${base}/demo/?user=builder-user`);
  await acme.getByRole('button', { name: 'Install' }).click();
  const modal = acme.getByRole('dialog');
  await toSettingsStep(modal);
  await modal.getByLabel('Order reference prefix').fill('DS-');
  await modal.getByRole('button', { name: 'Finish Installation' }).click();
  await modal.getByRole('button', { name: 'Done' }).click();
  await acme.locator('#status', { hasText: 'Demo Store is installed.' }).waitFor();

  // A store order streams into the inbox (workflow 1).
  const { apiKey, storeId } = await seededStoreCredentialOverHttp(base);
  const created = await fetch(`${base}${STORE}/api/v1/stores/${storeId}/orders`, {
    method: 'POST',
    headers: { 'x-store-api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({
      customer: { email: 'pat@example.com', name: 'Pat Doe' },
      items: [{ name: 'Mug', quantity: 1, unitPrice: 4200 }],
    }),
  });
  const order = (await created.json()) as { id: string; number: number };
  assert.equal(created.status, 201, JSON.stringify(order));
  await acme.goto(`${base}/demo/inbox.html?user=builder-user`);
  await acme.locator('.inbox pre', { hasText: order.id }).first().waitFor({ timeout: 20_000 });

  // The event console fires "Fulfillment Updated" for it (workflow 2): the store's order changes.
  await acme.goto(`${base}/demo/events.html?user=builder-user`);
  const picker = acme.getByLabel('Order', { exact: true });
  await picker.locator('option', { hasText: order.id }).waitFor({ state: 'attached' });
  await picker.selectOption(order.id);
  await acme.getByRole('button', { name: 'Fire event' }).click();
  await acme.getByText('Event accepted and its run succeeded.').waitFor({ timeout: 20_000 });
  const stored = await fetch(`${base}${STORE}/api/v1/stores/${storeId}/orders/${order.id}`, {
    headers: { 'x-store-api-key': apiKey },
  });
  assert.equal(((await stored.json()) as { status: string }).status, 'fulfilled');
  await acme.close();

  // Both runs in the console's logs, succeeded.
  await page.getByRole('navigation').getByRole('link', { name: 'Logs' }).click();
  for (const name of [STREAM_WORKFLOW, EVENT_WORKFLOW]) {
    const row = page.locator('tr', { has: page.getByRole('link', { name }) });
    await row.first().waitFor();
    assert.match((await row.first().textContent())!, /Succeeded|Success/);
  }
  assert.deepEqual(errors, []);
  await page.close();
});
