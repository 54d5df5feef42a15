import type { Browser, Page } from 'playwright-core';
import { measureOpenCloseCycles, type MemoryResult } from '../hardening/browser-memory-probe.js';

export type { MemoryResult };

export const DEMO_INTEGRATION_ID = '65a1c0de0000000000000001';

type WaitForInput = (doc: Document, start: number) => Promise<number>;

/** The part of window.Alloy the page-side bench code uses. */
interface PageAlloy {
  setToken(token: string): void;
  install(options: { integrationId: string }): Promise<unknown>;
  close(): void;
}

/** Milliseconds, summarised. */
export interface Timing {
  runs: number;
  cold: number;
  median: number;
  p95: number;
}

export function summarise(samples: number[], cold: number): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { runs: samples.length, cold: round(cold), median: round(at(0.5)), p95: round(at(0.95)) };
}

const round = (n: number) => Math.round(n * 10) / 10;

const HOST_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench host</title>
<script src="/scripts/embedded.js"></script></head><body><button id="opener">Open</button></body></html>`;

const FRAME_HOST_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench iframe host</title></head>
<body><button id="opener">Open</button></body></html>`;

/** The same modal as a page of its own, as the iframe-based peers load their UI. */
const FRAME_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench frame</title>
<script src="/scripts/embedded.js"></script></head><body></body></html>`;

/** Serves the bench pages from the server's own origin, so the SDK talks to it as on a real page. */
async function routeBenchPages(page: Page, origin: string): Promise<void> {
  const pages: Record<string, string> = {
    '/bench/host.html': HOST_PAGE,
    '/bench/frame-host.html': FRAME_HOST_PAGE,
    '/bench/frame.html': FRAME_PAGE,
  };
  // tsx compiles with keepNames, which wraps functions in `__name(...)`; functions passed to
  // page.evaluate run in the page, where that helper does not exist.
  await page.addInitScript('window.__name = (fn) => fn;');
  await page.addInitScript(WAIT_FOR_INPUT);
  await page.route(`${origin}/bench/**`, (route) => {
    const body = pages[new URL(route.request().url()).pathname];
    return body ? route.fulfill({ contentType: 'text/html', body }) : route.fulfill({ status: 404 });
  });
}

/**
 * Page-side helper, installed by an init script: resolves with the time from `start` until the
 * modal's first input is focusable (connected, enabled, laid out). Mutation observers on the page
 * and on the modal's shadow root check at each change, so nothing polls and no timer clamps it.
 */
const WAIT_FOR_INPUT = `
window.__firstInputFocusable = (doc, start) => new Promise((resolve) => {
  const observed = new WeakSet();
  const finish = (elapsed) => { pageObserver.disconnect(); shadowObserver.disconnect(); resolve(elapsed); };
  const check = () => {
    const modal = doc.querySelector('alloy-install-modal');
    const root = modal && modal.shadowRoot;
    if (!root) return;
    if (!observed.has(root)) {
      observed.add(root);
      shadowObserver.observe(root, { childList: true, subtree: true, attributes: true });
    }
    const input = root.querySelector('input:not([disabled]), textarea:not([disabled]), select:not([disabled])');
    if (input && input.isConnected && input.getClientRects().length > 0) finish(performance.now() - start);
  };
  const pageObserver = new MutationObserver(check);
  const shadowObserver = new MutationObserver(check);
  pageObserver.observe(doc.documentElement, { childList: true, subtree: true });
  check();
});`;

/** In-page: `Alloy.install()` → the first input of the modal is focusable. */
export async function measureInPage(browser: Browser, origin: string, token: string, runs: number): Promise<Timing> {
  const page = await browser.newPage();
  await routeBenchPages(page, origin);
  await page.goto(`${origin}/bench/host.html`);
  const samples = await page.evaluate(
    async ({ token, runs, integrationId }) => {
      const alloy = (window as unknown as { Alloy: PageAlloy }).Alloy;
      const wait = (window as unknown as { __firstInputFocusable: WaitForInput }).__firstInputFocusable;
      alloy.setToken(token);
      const results: number[] = [];
      for (let i = 0; i <= runs; i++) {
        const start = performance.now();
        const outcome = alloy.install({ integrationId });
        results.push(await wait(document, start));
        alloy.close();
        await outcome;
      }
      return results;
    },
    { token, runs, integrationId: DEMO_INTEGRATION_ID },
  );
  await page.close();
  return summarise(samples.slice(1), samples[0]!);
}

/** The peers' architecture: each open creates an iframe that loads the UI as a page of its own. */
export async function measureIframe(browser: Browser, origin: string, token: string, runs: number): Promise<Timing> {
  const page = await browser.newPage();
  await routeBenchPages(page, origin);
  await page.goto(`${origin}/bench/frame-host.html`);
  const samples = await page.evaluate(
    async ({ token, runs, integrationId }) => {
      const wait = (window as unknown as { __firstInputFocusable: WaitForInput }).__firstInputFocusable;
      const once = () =>
        new Promise<number>((resolve) => {
          const start = performance.now();
          const frame = document.createElement('iframe');
          frame.style.cssText = 'position:fixed;inset:0;width:100%;height:100%;border:0';
          frame.addEventListener('load', () => {
            const inner = frame.contentWindow as unknown as Window & { Alloy: PageAlloy };
            inner.Alloy.setToken(token);
            void inner.Alloy.install({ integrationId });
            void wait(inner.document, start).then((elapsed) => {
              frame.remove();
              resolve(elapsed);
            });
          });
          frame.src = '/bench/frame.html';
          document.body.append(frame);
        });
      const results: number[] = [];
      for (let i = 0; i <= runs; i++) results.push(await once());
      return results;
    },
    { token, runs, integrationId: DEMO_INTEGRATION_ID },
  );
  await page.close();
  return summarise(samples.slice(1), samples[0]!);
}

/** Cold first installs: in-page and in an iframe, each run in a fresh browser context. */
export interface ColdInstall {
  inPage: Timing;
  iframe: Timing;
  /** iframe median / in-page median. */
  ratio: number;
}

/**
 * Click → first input focusable on a COLD page: every run is a fresh browser context (empty HTTP
 * cache, nothing preloaded), and the click comes at DOMContentLoaded, before the loader's idle
 * warm-up (which waits for `load`), so the runtime and the modal load because of the click. In-page,
 * the click calls `Alloy.install()`; for the iframe (the peers' architecture) it creates an iframe
 * whose page (the same loader and modal, as a hosted page) installs once loaded. Runs alternate
 * between the two so drift on a shared machine hits both alike. The real server serves everything.
 */
export async function measureColdInstall(
  browser: Browser,
  origin: string,
  token: string,
  runs: number,
): Promise<ColdInstall> {
  const inPage: number[] = [];
  const iframe: number[] = [];
  for (let i = 0; i < runs; i++) {
    inPage.push(await coldRun(browser, origin, token, 'host'));
    iframe.push(await coldRun(browser, origin, token, 'frame-host'));
  }
  const inPageTiming = summarise(inPage, inPage[0]!);
  const iframeTiming = summarise(iframe, iframe[0]!);
  return {
    inPage: inPageTiming,
    iframe: iframeTiming,
    ratio: Math.round((iframeTiming.median / inPageTiming.median) * 10) / 10,
  };
}

/** One cold click in a fresh context; resolves with click → first input focusable, in ms. */
async function coldRun(browser: Browser, origin: string, token: string, host: 'host' | 'frame-host'): Promise<number> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await routeBenchPages(page, origin);
    // Runs in the top page only: clicks the opener at DOMContentLoaded, which opens the modal.
    await page.addInitScript(COLD_CLICK, { token, integrationId: DEMO_INTEGRATION_ID });
    await page.goto(`${origin}/bench/${host}.html`, { waitUntil: 'commit' });
    return await page
      .waitForFunction(() => (window as unknown as { __coldResult?: number }).__coldResult, null, {
        polling: 50,
        timeout: 30_000,
      })
      .then((handle) => handle.jsonValue() as Promise<number>);
  } finally {
    await context.close();
  }
}

/**
 * Page-side, as an init script: at DOMContentLoaded the opener gets its click handler and is
 * clicked. The click opens the modal in-page (`Alloy.install`) when the loader is on the page,
 * otherwise in an iframe loading the hosted page; `__coldResult` gets the elapsed time.
 */
function COLD_CLICK({ token, integrationId }: { token: string; integrationId: string }): void {
  if (window.top !== window) return;
  document.addEventListener('DOMContentLoaded', () => {
    const wait = (window as unknown as { __firstInputFocusable: WaitForInput }).__firstInputFocusable;
    const record = (elapsed: number) => ((window as unknown as { __coldResult?: number }).__coldResult = elapsed);
    const opener = document.getElementById('opener')!;
    opener.addEventListener('click', () => {
      const start = performance.now();
      const alloy = (window as unknown as { Alloy?: PageAlloy }).Alloy;
      if (alloy) {
        alloy.setToken(token);
        void alloy.install({ integrationId });
        void wait(document, start).then(record);
        return;
      }
      const frame = document.createElement('iframe');
      frame.style.cssText = 'position:fixed;inset:0;width:100%;height:100%;border:0';
      frame.addEventListener('load', () => {
        const inner = frame.contentWindow as unknown as Window & { Alloy: PageAlloy };
        inner.Alloy.setToken(token);
        void inner.Alloy.install({ integrationId });
        void wait(inner.document, start).then(record);
      });
      frame.src = '/bench/frame.html';
      document.body.append(frame);
    });
    opener.click();
  });
}

/** Opens and closes the modal many times, then compares heap, DOM nodes and listeners after a GC. */
export async function measureMemory(
  browser: Browser,
  origin: string,
  token: string,
  cycles: number,
): Promise<MemoryResult> {
  const page = await browser.newPage();
  await routeBenchPages(page, origin);
  await page.goto(`${origin}/bench/host.html`);
  await page.evaluate((token) => (window as unknown as { Alloy: PageAlloy }).Alloy.setToken(token), token);
  const result = await measureOpenCloseCycles(page, { cycles, integrationId: DEMO_INTEGRATION_ID });
  await page.close();
  return result;
}
