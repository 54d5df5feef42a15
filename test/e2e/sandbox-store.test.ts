import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { OAuthClientCredentials } from '../../src/sandbox/index.js';
import { launchChromium } from '../helpers/chromium.js';
import { seededStoreCredentialOverHttp, signInOwnerOverHttp, TEST_OWNER_SECRET } from '../helpers/sandbox-owner.js';
import { startSandboxServer, type SandboxTestServer } from '../server/sandbox-helpers.js';

const SCREENSHOTS = path.resolve('screenshots');

let server: SandboxTestServer;
let browser: Browser;
let base: string;
/** The ISV-side callback: records what the browser brings back. */
let callback: http.Server;
let callbackUrl: string;
const callbackHits: { url: URL; referer: string | undefined }[] = [];
let client: OAuthClientCredentials;

before(async () => {
  server = await startSandboxServer({ listen: true });
  base = server.ctx.publicUrl;
  callback = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // The browser also asks this origin for /favicon.ico.
    if (url.pathname === '/oauth/callback') callbackHits.push({ url, referer: req.headers.referer });
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Connected</title><p>Done</p>');
  });
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/oauth/callback`;
  client = await server.sandbox!.registerOAuthClient({ name: 'AcmeCo Integrations', redirectUris: [callbackUrl] });
  browser = await launchChromium();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => callback?.close(() => resolve()));
  await server?.dispose();
});

/** A page that records CSP violations and script errors. */
async function watchedPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return { page, problems };
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(state: string, challenge: string): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: callbackUrl,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    shop: 'acme-shop',
    scope: 'orders:read orders:write webhooks:write',
  });
  return `${base}/sandbox/demo-store/oauth/authorize?${query}`;
}

test('a store owner creates an order by hand and moves it along from the dashboard', async () => {
  // A subscription so the webhooks section has something to show.
  const { apiKey } = await seededStoreCredentialOverHttp(base);
  const subscribed = await fetch(`${base}/sandbox/demo-store/api/v1/stores/acme-shop/webhooks`, {
    method: 'POST',
    headers: { 'x-store-api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ url: callbackUrl.replace('/oauth/callback', '/webhooks/wf/user'), topic: 'order.created' }),
  });
  assert.equal(subscribed.status, 201);

  const { page, problems } = await watchedPage();
  await page.goto(`${base}/sandbox/demo-store/`);
  // Signed out, the page asks for the owner secret; a wrong one is refused.
  await page.getByRole('heading', { name: 'Store owner sign-in' }).waitFor();
  assert.equal(await page.locator('#sign-in-form').getByLabel('Shop subdomain').inputValue(), 'acme-shop');
  await page.getByLabel('Owner secret').fill('dsown_not_the_secret_000000000000');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('That shop and owner secret do not match.').waitFor();
  // The refused sign-in's 401 is the one expected console error.
  assert.ok(problems.splice(0).every((p) => /status of 401/.test(p)));
  await page.getByLabel('Owner secret').fill(TEST_OWNER_SECRET);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Acme Shop' }).waitFor();
  assert.match((await page.locator('#api-key').textContent()) ?? '', /^dsk_/);
  assert.ok(!((await page.locator('#api-key').textContent()) ?? '').includes(apiKey), 'the key is masked by default');
  await page.getByRole('button', { name: 'Show' }).click();
  assert.equal(await page.locator('#api-key').textContent(), apiKey);

  await page.getByLabel('Email').fill('grace@example.com');
  await page.getByLabel('Name', { exact: true }).fill('Grace <b>Hopper</b>');
  await page.getByLabel('Item', { exact: true }).fill('Compiler manual');
  await page.getByLabel('Qty').fill('2');
  await page.getByLabel('Unit price').fill('19.99');
  await page.getByRole('button', { name: 'Add item' }).click();
  await page.getByLabel('Item', { exact: true }).nth(1).fill('Bookmark');
  await page.getByLabel('Unit price').nth(1).fill('1.5');
  assert.equal(await page.locator('#order-total').textContent(), '$41.48');
  await page.getByRole('button', { name: 'Create order' }).click();
  // The message and the row show the number people use and the id APIs and events need.
  const created = page.getByText(/^Order #1001 \(ord_[0-9a-f]{24}\) created\.$/);
  await created.waitFor();
  const orderId = /ord_[0-9a-f]{24}/.exec((await created.textContent())!)![0];

  const row = page.locator('#orders-body tr', { hasText: '#1001' });
  await row.waitFor();
  assert.equal(await row.locator('code.order-id').textContent(), orderId);
  // Data is text, never markup.
  assert.equal(await row.locator('b').count(), 0);
  assert.match((await row.textContent()) ?? '', /Grace <b>Hopper<\/b>/);
  assert.match((await row.textContent()) ?? '', /\$41\.48/);

  await row.getByLabel('Status of order #1001').selectOption('paid');
  await page
    .locator('#orders-body tr', { hasText: '#1001' })
    .getByLabel('Status of order #1001')
    .and(page.locator('.status-paid'))
    .waitFor();
  const order = (await (
    await fetch(`${base}/sandbox/demo-store/api/v1/stores/acme-shop/orders?limit=1`, {
      headers: { 'x-store-api-key': apiKey },
    })
  ).json()) as { data: { status: string; totalAmount: number; items: unknown[] }[] };
  assert.equal(order.data[0]?.status, 'paid');
  assert.equal(order.data[0]?.totalAmount, 4148);
  assert.equal(order.data[0]?.items.length, 2);

  // The delivery to the subscription shows up in the dashboard.
  await page.locator('#deliveries-body tr', { hasText: 'Delivered' }).waitFor();
  await page.getByRole('button', { name: 'Hide' }).click();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'sandbox-dashboard.png'), fullPage: true });

  // Bad input is explained, and nothing is lost from the form.
  await page.getByLabel('Item', { exact: true }).fill('Pen');
  await page.getByLabel('Unit price').fill('abc');
  await page.getByRole('button', { name: 'Create order' }).click();
  await page.getByText('Prices look like 12 or 12.50.').waitFor();
  assert.equal(await page.getByLabel('Item', { exact: true }).inputValue(), 'Pen');

  // A second store, created from the dialog, starts empty.
  await page.getByRole('button', { name: 'New store' }).click();
  const dialog = page.getByRole('dialog', { name: 'New store' });
  await dialog.getByLabel('Store name').fill('Corner Shop');
  await dialog.getByLabel('Shop subdomain').fill('corner-shop');
  await dialog.getByRole('button', { name: 'Create store' }).click();
  await page.getByRole('heading', { name: 'Corner Shop' }).waitFor();
  await page.getByText('No orders yet.').waitFor();
  // Its owner secret is shown once, and it signs in to that store.
  const banner = (await page.locator('#owner-secret-banner').textContent()) ?? '';
  const cornerSecret = /(dsown_[\w-]+)/.exec(banner)?.[1];
  assert.ok(cornerSecret, banner);
  const corner = await signInOwnerOverHttp(base, 'corner-shop', cornerSecret);
  assert.ok(corner.csrfToken);

  // Signing out ends the session: the page asks to sign in again and the API answers 401.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Store owner sign-in' }).waitFor();
  assert.equal(await page.evaluate(async () => (await fetch('/sandbox/demo-store/admin/api/stores')).status), 401);
  assert.ok(problems.splice(0).every((p) => /status of 401/.test(p)));

  assert.deepEqual(problems, []);
  await page.close();
});

test('OAuth in a real browser: consent page → Approve → the callback gets code and state, without a Referer', async () => {
  const { page, problems } = await watchedPage();
  const { verifier, challenge } = pkce();
  const state = `st-${randomBytes(8).toString('hex')}`;
  await page.goto(authorizeUrl(state, challenge));
  await page.getByRole('heading', { name: /AcmeCo Integrations wants to access your store Acme Shop/ }).waitFor();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'sandbox-consent.png'), fullPage: true });

  // Naming the shop is not enough: approving without the owner secret is refused.
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('heading', { name: 'Only the store owner can approve' }).waitFor();
  assert.ok(problems.splice(0).every((p) => /status of 403/.test(p)));
  await page.goBack();
  await page.getByLabel('Store owner secret').fill(TEST_OWNER_SECRET);
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.waitForURL((url) => url.href.startsWith(callbackUrl));
  const hit = callbackHits.at(-1)!;
  assert.equal(hit.url.searchParams.get('state'), state);
  assert.equal(hit.referer, undefined, 'no Referer reaches the client');
  const code = hit.url.searchParams.get('code');
  assert.ok(code);

  const token = await fetch(`${base}/sandbox/demo-store/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: callbackUrl,
      code_verifier: verifier,
      client_id: client.clientId,
      client_secret: client.clientSecret,
    }),
  });
  assert.equal(token.status, 200);
  const { access_token: accessToken } = (await token.json()) as { access_token: string };
  const orders = await fetch(`${base}/sandbox/demo-store/api/v1/stores/acme-shop/orders`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  assert.equal(orders.status, 200);

  assert.deepEqual(problems, []);
  await page.close();
});

test('OAuth in a real browser: Deny returns access_denied with the state', async () => {
  const { page, problems } = await watchedPage();
  const state = 'deny-me';
  await page.goto(authorizeUrl(state, pkce().challenge));
  await page.getByRole('button', { name: 'Deny' }).click();
  await page.waitForURL((url) => url.href.startsWith(callbackUrl));
  const hit = callbackHits.at(-1)!;
  assert.equal(hit.url.searchParams.get('error'), 'access_denied');
  assert.equal(hit.url.searchParams.get('state'), state);
  assert.equal(hit.url.searchParams.get('code'), null);
  assert.deepEqual(problems, []);
  await page.close();
});
