/**
 * Evidence for the secret-hygiene scan (test/hardening/zz-secret-hygiene.test.ts). When
 * ALLOY_TEST_CAPTURE_DIR is set (`npm test` sets it), every test server logs at `info` (each
 * request with its URL, through the server's own redacting logger) to a file in that directory,
 * and every Chromium opened through launchChromium records its pages' console messages, page
 * errors, request URLs and, when a page or context closes, its storage. Unset, nothing is captured.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { CreateServerOptions } from '../../src/server/app.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CAPTURE_ENV = 'ALLOY_TEST_CAPTURE_DIR';

/** The capture directory (absolute), or undefined when this run captures nothing. */
export function captureDir(): string | undefined {
  const dir = process.env[CAPTURE_ENV];
  return dir ? path.resolve(ROOT, dir) : undefined;
}

let fileCounter = 0;

/** A fresh file name in the capture directory: `<kind>-<label>-<pid>-<n>.<ext>`. */
function captureFile(kind: 'server' | 'browser', label: string, ext: string): string | undefined {
  const dir = captureDir();
  if (!dir) return undefined;
  fs.mkdirSync(dir, { recursive: true });
  const safeLabel = label.replace(/[^\w-]+/g, '_').slice(0, 40);
  return path.join(dir, `${kind}-${safeLabel}-${process.pid}-${++fileCounter}.${ext}`);
}

/** Which test file is running, for readable capture names. */
function currentTestFile(): string {
  const entry = process.argv.find((arg) => /\.test\.ts$/.test(arg));
  return entry ? path.basename(entry, '.test.ts') : path.basename(process.argv[1] ?? 'process');
}

/** createServer options that log every request at `info` into the capture directory (none when off). */
export function captureServerOptions(label = currentTestFile()): Partial<CreateServerOptions> {
  const logFile = captureFile('server', label, 'log');
  return logFile ? { logger: true, logLevel: 'info', logFile } : {};
}

/** The same for servers configured from the environment (startDemoServer, child processes). */
export function captureServerEnv(label = currentTestFile()): Record<string, string> {
  const logFile = captureFile('server', label, 'log');
  return logFile ? { ALLOY_LOG_LEVEL: 'info', ALLOY_LOG_FILE: logFile } : {};
}

/** One line of a browser capture file. */
export interface BrowserRecord {
  kind: 'console' | 'pageerror' | 'request' | 'storage' | 'cookie';
  page: number;
  text: string;
}

/**
 * Records everything the browser's pages show or store; the records are written when a context
 * or the browser closes (and at exit, for a test that forgets to), so capture costs no I/O per event.
 */
export function recordBrowser(browser: Browser, label = currentTestFile()): Browser {
  const file = captureFile('browser', label, 'jsonl');
  if (!file) return browser;
  let pending: BrowserRecord[] = [];
  let pageCounter = 0;
  const flush = () => {
    if (pending.length === 0) return;
    fs.appendFileSync(file, pending.map((r) => `${JSON.stringify(r)}\n`).join(''));
    pending = [];
  };
  // Written at least once, so the scan can count a browser that opened no page.
  fs.appendFileSync(file, '');
  process.once('exit', flush);

  const pageIds = new WeakMap<Page, number>();
  const dumped = new WeakSet<Page>();
  const watchPage = (page: Page) => {
    if (pageIds.has(page)) return;
    const id = ++pageCounter;
    pageIds.set(page, id);
    page.on('console', (message) => pending.push({ kind: 'console', page: id, text: message.text() }));
    page.on('pageerror', (error) => pending.push({ kind: 'pageerror', page: id, text: String(error.stack ?? error) }));
    page.on('request', (request) => pending.push({ kind: 'request', page: id, text: request.url() }));
    const close = page.close.bind(page);
    page.close = async (options) => {
      await dumpPageStorage(page);
      return close(options);
    };
  };
  const dumpPageStorage = async (page: Page) => {
    if (page.isClosed() || dumped.has(page)) return;
    dumped.add(page);
    const stored = await withBound(page.evaluate<string[]>(STORAGE_DUMP));
    for (const text of stored ?? []) pending.push({ kind: 'storage', page: pageIds.get(page) ?? 0, text });
  };
  const dumpContext = async (context: BrowserContext) => {
    for (const page of context.pages()) await dumpPageStorage(page);
    const state = await withBound(context.storageState({ indexedDB: true }));
    for (const cookie of state?.cookies ?? []) {
      pending.push({ kind: 'cookie', page: 0, text: `${cookie.domain} ${cookie.name}=${cookie.value}` });
    }
    for (const origin of state?.origins ?? []) {
      for (const item of origin.localStorage) {
        pending.push({ kind: 'storage', page: 0, text: `${origin.origin} ${item.name}=${item.value}` });
      }
      // IndexedDB contents, when any: names and records, as JSON.
      const extra = origin as { indexedDB?: unknown[] };
      for (const db of extra.indexedDB ?? []) {
        pending.push({ kind: 'storage', page: 0, text: `${origin.origin} indexedDB ${JSON.stringify(db)}` });
      }
    }
    flush();
  };
  const watchContext = (context: BrowserContext) => {
    for (const page of context.pages()) watchPage(page);
    context.on('page', watchPage);
    const close = context.close.bind(context);
    context.close = async (options) => {
      await dumpContext(context);
      return close(options);
    };
    return context;
  };

  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => watchContext(await newContext(options));
  // browser.newPage makes its own context, which closes with the page.
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (options) => {
    const page = await newPage(options);
    watchContext(page.context());
    watchPage(page);
    const close = page.close.bind(page);
    page.close = async (closeOptions) => {
      await dumpContext(page.context());
      return close(closeOptions);
    };
    return page;
  };
  const closeBrowser = browser.close.bind(browser);
  browser.close = async (options) => {
    for (const context of browser.contexts()) await dumpContext(context);
    flush();
    return closeBrowser(options);
  };
  return browser;
}

/**
 * The page's storage as lines. A string, not a function: tsx would wrap a function's inner
 * functions in `__name()`, which the page does not define.
 */
const STORAGE_DUMP = `(async () => {
  const dump = (storage) => Object.keys(storage).map((k) => k + '=' + storage.getItem(k));
  const databases = indexedDB.databases ? (await indexedDB.databases()).map((d) => 'indexedDB ' + d.name) : [];
  return [...dump(localStorage), ...dump(sessionStorage), 'document.cookie=' + document.cookie, ...databases];
})()`;

/** A dump must not keep a test from closing: a page stuck in an alert() gives up after 5 s. */
async function withBound<T>(work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work.catch(() => undefined),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), 5_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
