import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startDemoServer } from '../../demo/server.js';
import type { EmbeddedServer } from '../../src/server/app.js';
import { connectDemoStore, toSettingsStep } from '../helpers/e2e-modal.js';
import { captureServerEnv } from '../helpers/capture.js';
import { launchChromium } from '../helpers/chromium.js';
import { TEST_OWNER_SECRET } from '../helpers/sandbox-owner.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(ROOT, 'test/e2e/fixtures/sdk');
export const API_KEY = 'ak_dev_sdk_l_LnLnTeMD7EQnckr7vQtN4h5haWxuL4';
export const INTEGRATION_ID = '65a1c0de0000000000000001';

export interface Harness {
  server: EmbeddedServer;
  browser: Browser;
  /** The API and the CDN (`/scripts/`), e.g. http://localhost:41234 */
  apiUrl: string;
  /** The ISV's app, another origin on loopback (http://127.0.0.1:PORT), serving each test's pages. */
  appOrigin: string;
  sites: Map<string, Site>;
  close(): Promise<void>;
}

interface Site {
  files: Record<string, AppFile>;
  /** What the ISV backend's `token` endpoint answers: one token, or the next of a sequence. */
  token?: string | (() => string);
  mounts: Record<string, string>;
}

/**
 * The real server (with the demo backend) on a temp SQLite file, and one Chromium for the whole
 * file. `env` adds server settings (e.g. `ALLOY_REGION_URLS`).
 */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-sdk-e2e-'));
  const server = await startDemoServer({
    PORT: '0',
    ALLOY_DATA_DIR: dataDir,
    ALLOY_API_KEY: API_KEY,
    ALLOY_LOG_LEVEL: 'error',
    // The modal flows connect the seeded store, whose admin needs its owner.
    ALLOY_SANDBOX_OWNER_SECRET: TEST_OWNER_SECRET,
    ...captureServerEnv(),
    ...env,
  });
  const browser = await launchChromium();
  const sites = new Map<string, Site>();
  const appServer = http.createServer((request, response) => serveSite(sites, request, response));
  await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
  return {
    server,
    browser,
    apiUrl: server.ctx.publicUrl,
    appOrigin: `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`,
    sites,
    async close() {
      await browser.close();
      appServer.closeAllConnections();
      await new Promise((resolve) => appServer.close(resolve));
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What an ISV backend does: create the user once, then mint a user token with the API key. */
export async function userToken(apiUrl: string, username: string): Promise<string> {
  const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
  const created = await fetch(`${apiUrl}/2024-03/users`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ username }),
  });
  // A user who has connected their store already, so the modal's auth step offers that connection.
  if (created.status === 200) await connectDemoStore(apiUrl, API_KEY, username);
  const response = await fetch(`${apiUrl}/2024-03/users/${encodeURIComponent(username)}/token`, { headers });
  assert.equal(response.status, 200);
  return ((await response.json()) as { token: string }).token;
}

export async function isInstalled(apiUrl: string, username: string): Promise<boolean> {
  const response = await fetch(`${apiUrl}/2024-03/integrations?userId=${encodeURIComponent(username)}`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  const body = (await response.json()) as { data: { integrationId: string; installed: boolean }[] };
  return body.data.find((i) => i.integrationId === INTEGRATION_ID)?.installed ?? false;
}

export interface AppFile {
  body: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

/** The CDN files the build wrote, as `dist/cdn/manifest.json` lists them. */
export function cdnManifest(): {
  version: string;
  loader: { file: string; integrity: string };
  runtimeEntry: string;
  chunks: { file: string; integrity: string }[];
} {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'dist/cdn/manifest.json'), 'utf8'));
}

/** Fills a fixture's `{{NAME}}` placeholders. */
export function fixture(name: string, values: Record<string, string>): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8').replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    assert.ok(key in values, `fixture ${name} needs ${key}`);
    return values[key]!;
  });
}

export interface AppPage {
  page: Page;
  /** Where this page's files are served, ending in `/`. */
  url: string;
  requests: string[];
  console: string[];
  pageErrors: string[];
  /** `securitypolicyviolation` events the page recorded (see the fixtures' csp-probe.js). */
  violations(): Promise<string[]>;
  /** Asserts the token appears in no URL, console line, Storage, cookie or IndexedDB name. */
  assertTokenNeverLeaked(token: string): Promise<void>;
  close(): Promise<void>;
}

/** A fixture file as it is, for `openApp`. */
export const fixtureFile = (name: string): AppFile => ({ body: fs.readFileSync(path.join(FIXTURES, name), 'utf8') });

/**
 * The ISV page most SDK tests use: the versioned loader by script tag with its SRI hash
 * (fixtures/sdk/cdn.html), the host's app.js and the CSP probe.
 */
export function cdnHostPage(harness: Pick<Harness, 'apiUrl'>): Record<string, AppFile> {
  const { loader } = cdnManifest();
  return {
    '/': {
      body: fixture('cdn.html', {
        LOADER_URL: `${harness.apiUrl}/scripts/${loader.file}`,
        LOADER_INTEGRITY: loader.integrity,
      }),
    },
    '/app.js': fixtureFile('app.js'),
    '/csp-probe.js': fixtureFile('csp-probe.js'),
  };
}

let siteCounter = 0;

/** Serves `/<site>/<path>` from that site's files (with their headers) or mounts; `token` plays the ISV backend. */
function serveSite(sites: Map<string, Site>, request: http.IncomingMessage, response: http.ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://app');
  const [, siteId = '', ...rest] = url.pathname.split('/');
  const site = sites.get(siteId);
  const pathname = `/${rest.join('/')}`;
  const send = (status: number, body: string | Buffer, type = 'text/plain', headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
    response.end(body);
  };
  if (!site) return send(404, 'no such site');
  if (pathname === '/token' && site.token)
    return send(200, typeof site.token === 'function' ? site.token() : site.token);
  const mount = Object.entries(site.mounts).find(([prefix]) => pathname.startsWith(prefix));
  if (mount) {
    const filePath = path.join(mount[1], decodeURIComponent(pathname.slice(mount[0].length)));
    if (!filePath.startsWith(mount[1]) || !fs.existsSync(filePath) || !fs.statSync(filePath).isFile()) {
      return send(404, 'not found');
    }
    return send(200, fs.readFileSync(filePath), contentTypeOf(filePath));
  }
  const file = site.files[pathname];
  if (!file) return send(404, 'not found');
  return send(200, file.body, file.contentType ?? contentTypeOf(pathname), file.headers);
}

/**
 * A fresh browser context on a fresh site of the app server: `files` (with any headers, e.g. a
 * CSP) at `/<site>/...`, plus `mounts` (URL prefix → directory). Everything is recorded for the scans.
 */
export async function openApp(
  harness: Harness,
  files: Record<string, AppFile>,
  options: { token?: string | (() => string); mounts?: Record<string, string> } = {},
): Promise<AppPage> {
  const siteId = `site${++siteCounter}`;
  harness.sites.set(siteId, {
    files,
    mounts: options.mounts ?? {},
    ...(options.token ? { token: options.token } : {}),
  });
  const context = await harness.browser.newContext();
  // tsx (esbuild keepNames) wraps functions given to page.evaluate in __name(); define it in the page.
  await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  const page = await context.newPage();
  const requests: string[] = [];
  const consoleLines: string[] = [];
  const pageErrors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  return {
    page,
    url: `${harness.appOrigin}/${siteId}/`,
    requests,
    console: consoleLines,
    pageErrors,
    violations: () => page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? []),
    async assertTokenNeverLeaked(token: string) {
      assert.ok(token.length > 20);
      for (const url of requests) assert.ok(!url.includes(token), `token in a requested URL: ${url.slice(0, 80)}`);
      for (const line of consoleLines) assert.ok(!line.includes(token), 'token in console output');
      assert.ok(!pageErrors.some((e) => e.includes(token)), 'token in a page error');
      const stored = await page.evaluate(async () => {
        const dump = (storage: Storage) => Object.keys(storage).map((k) => `${k}=${storage.getItem(k)}`);
        const databases = indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name ?? '') : [];
        return [...dump(localStorage), ...dump(sessionStorage), document.cookie, ...databases].join('\n');
      });
      assert.ok(!stored.includes(token), 'token in Storage, cookies or IndexedDB');
      const cookies = await page.context().cookies();
      assert.ok(!cookies.some((c) => c.value.includes(token)), 'token in a cookie');
    },
    async close() {
      await context.close();
      harness.sites.delete(siteId);
    },
  };
}

function contentTypeOf(pathname: string): string {
  if (pathname.endsWith('.js') || pathname.endsWith('.mjs')) return 'text/javascript';
  if (pathname.endsWith('.css')) return 'text/css';
  if (pathname.endsWith('.json')) return 'application/json';
  return 'text/html';
}

/** Fills the Demo Store field, presses Finish Installation in the open modal, then Done on its success step. */
export async function finishInstall(page: Page): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Demo Store' });
  await toSettingsStep(dialog);
  await dialog.getByLabel('Order reference prefix').fill('AC-');
  await dialog.getByRole('button', { name: 'Finish Installation' }).click();
  // Success stays until Done.
  await dialog.getByRole('button', { name: 'Done' }).click();
}
