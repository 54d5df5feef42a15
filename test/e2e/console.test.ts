/**
 * The ISV console in Chromium against the real server and the built console (dist/console): sign in,
 * see the integrations, share one as an Embedded Link for a new user and install through that link,
 * find the installation on the user's page, rotate the development API key (the old one is refused
 * at once, the new one works), sign out.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { connectDemoStore, toSettingsStep } from '../helpers/e2e-modal.js';
import { apiKeyHeaders, startTestServer, TEST_API_KEY, type TestServer } from '../helpers/server.js';

const USERNAME = 'admin';
const PASSWORD = 'console e2e password';
const NEW_USER = 'console-e2e@acme.test';

let server: TestServer;
let browser: Browser;
let page: Page;

before(async () => {
  server = await startTestServer({
    listen: true,
    server: {
      allowPrivateTargets: 'loopback',
      consolePassword: PASSWORD,
      // The real cost makes each sign-in take ~100 ms of CPU; the cost itself is tested on the server.
      consoleScryptCost: { N: 2 ** 12, r: 8, p: 1 },
    },
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

const apiStatus = async (key: string): Promise<number> =>
  (await fetch(`${server.ctx.publicUrl}/2024-03/users`, { headers: apiKeyHeaders(key) })).status;

test('sign in, share an integration with a new user, install through the link, see it, rotate the API key, sign out', async () => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));

  // Sign in: a wrong password is refused with a message, the right one opens the integrations.
  await page.goto(`${server.ctx.publicUrl}/console`);
  await page.getByLabel('Username').fill(USERNAME);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Wrong username or password.').waitFor();
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
  await page.getByRole('heading', { name: 'Demo Store', level: 2 }).waitFor();

  // Share → a new user by email → a link, which the user opens and installs through.
  await page.getByRole('button', { name: 'Share Demo Store' }).click();
  const share = page.getByRole('dialog');
  await share.getByLabel('A new user').check();
  await share.getByLabel('Email or username').fill(NEW_USER);
  await share.getByRole('button', { name: 'Create link' }).click();
  const linkField = share.getByLabel('Install link');
  await linkField.waitFor();
  const link = await linkField.inputValue();
  assert.ok(link.startsWith(`${server.ctx.publicUrl}/link/`), link);
  await share.getByRole('button', { name: 'Close' }).click();

  await connectDemoStore(server.ctx.publicUrl, TEST_API_KEY, NEW_USER);
  const endUser = await browser.newPage();
  try {
    await endUser.goto(link);
    const modal = endUser.getByRole('dialog', { name: 'Demo Store' });
    await toSettingsStep(modal);
    await modal.getByLabel('Order reference prefix').fill('CE-');
    await modal.getByRole('button', { name: 'Finish Installation' }).click();
    await modal.getByRole('button', { name: 'Done' }).click();
    await modal.waitFor({ state: 'hidden' });
  } finally {
    await endUser.close();
  }

  // The integrations count the installation; the user's page lists it.
  await page.reload();
  await page.getByText('1 installation').waitFor();
  await page.getByRole('navigation').getByRole('link', { name: 'Users' }).click();
  await page.getByRole('link', { name: NEW_USER }).click();
  await page.getByRole('heading', { name: 'Installations' }).waitFor();
  await page.getByText('Demo Store').first().waitFor();

  // Rotate the development key: shown once; the old key is refused, the new one works.
  assert.equal(await apiStatus(TEST_API_KEY), 200);
  await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Rotate: Development' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Rotate' }).click();
  const keyField = page.getByRole('dialog').getByLabel('API key');
  await keyField.waitFor();
  const newKey = await keyField.inputValue();
  assert.notEqual(newKey, TEST_API_KEY);
  assert.equal(await apiStatus(TEST_API_KEY), 401, 'the old key is refused at once');
  assert.equal(await apiStatus(newKey), 200, 'the new key works');
  await page.getByRole('dialog').getByRole('button', { name: 'Done' }).click();

  // Sign out: back to the sign-in form, and the console's API refuses the old session.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  const session = await page.evaluate(async () => (await fetch('/console/api/session')).json());
  assert.deepEqual(session, { state: 'signed-out' });
  assert.deepEqual(errors, []);
});
