import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import type { Page, Route } from 'playwright-core';
import { toSettingsStep } from '../helpers/e2e-modal.js';
import {
  INTEGRATION_ID,
  cdnHostPage,
  openApp,
  startHarness,
  userToken,
  type AppPage,
  type Harness,
} from '../e2e/sdk-harness.js';

/**
 * S4–S8 / reliability bar (c) "SDK resilience", on the real CDN build against the real server:
 * each fault → the typed `AlloyError` code within its bound, `Retry-After` respected, 0
 * `unhandledrejection` / `pageerror` over the whole file, and the settings the user typed survive a
 * failed Finish until Retry succeeds. test/e2e/sdk-cdn.test.ts already checks the modal's wording
 * for a refused and a hanging API; this file measures codes, bounds and attempts for every fault.
 *
 * Bounds come from src/sdk: RETRY_POLICY (3 retries of GET/PUT/keyed POST, full jitter ≤ 100·2^n
 * ms, Retry-After honoured up to 10 s), the per-request timeout (configured to 1 s here) and
 * PROVIDER_TIMEOUT_MS (10 s). The only timed assertions are those bounds, with a wide margin.
 */

let harness: Harness;
/** Every page of the file: unhandled rejections and page errors, read at the end. */
const pages: AppPage[] = [];
const pageFailures: string[] = [];

before(async () => {
  harness = await startHarness();
});
after(async () => {
  for (const app of pages) await app.close();
  await harness?.close();
});

const TIMEOUT_MS = 1000;
/** Most a refused GET can wait between its 4 attempts: full jitter caps of 100 + 200 + 400 ms. */
const RETRY_JITTER_BUDGET_MS = 700;
const PROVIDER_TIMEOUT_MS = 10_000;
/** Margin for a loaded 2-core machine; the bounds asserted are generous on purpose. */
const SLACK_MS = 2500;

const UNHANDLED_PROBE = `
window.__unhandled = [];
window.addEventListener('unhandledrejection', (e) => window.__unhandled.push('unhandledrejection: ' + String(e.reason && e.reason.code || e.reason)));
window.addEventListener('error', (e) => window.__unhandled.push('error: ' + e.message));
`;

async function openHost(username: string, token?: string | (() => string)): Promise<AppPage> {
  const app = await openApp(harness, cdnHostPage(harness), {
    token: token ?? (await userToken(harness.apiUrl, username)),
  });
  pages.push(app);
  app.page.on('pageerror', (error) => pageFailures.push(`${username}: ${String(error)}`));
  await app.page.addInitScript(UNHANDLED_PROBE);
  await app.page.goto(app.url);
  await app.page.evaluate(() => {
    const w = window as unknown as { errorCodes: string[] };
    w.errorCodes = [];
    window.Alloy!.on('error', (event) => w.errorCodes.push(event.error.code));
  });
  return app;
}

interface Settled {
  code: string | null;
  elapsedMs: number;
  retryAfterMs?: number | undefined;
}

/** Runs `call` in the page and times it there: the typed code it settles with, or null. */
function settle(page: Page, call: 'getIntegrations' | 'install' | 'getWorkflows'): Promise<Settled> {
  return page.evaluate(async (call) => {
    const started = performance.now();
    const alloy = window.Alloy!;
    const run =
      call === 'install' ? () => (window as unknown as { install(): Promise<unknown> }).install() : () => alloy[call]();
    try {
      await run();
      return { code: null, elapsedMs: Math.round(performance.now() - started) };
    } catch (error) {
      const e = error as { code?: string; retryAfterMs?: number; name?: string };
      assertAlloyError(e);
      return {
        code: e.code ?? 'untyped',
        elapsedMs: Math.round(performance.now() - started),
        retryAfterMs: e.retryAfterMs,
      };
    }
    function assertAlloyError(e: { name?: string }) {
      if (e.name !== 'AlloyError') throw new Error(`not an AlloyError: ${String(e)}`);
    }
  }, call);
}

type Fault =
  | { kind: 'html' | 'malformed' | 'shape' | 'hang' | 'refused' }
  | { kind: 'status'; status: number; retryAfter?: string; times?: number };

/** Answers requests to `url` with `fault`; returns the arrival times (ms) of the requests it saw. */
async function routeFault(page: Page, url: string, fault: () => Fault | undefined): Promise<number[]> {
  const arrivals: number[] = [];
  await page.route(url, async (route: Route) => {
    if (route.request().method() === 'OPTIONS') return route.continue();
    arrivals.push(performance.now());
    const current = fault();
    if (!current) return route.continue();
    if (current.kind === 'refused') return route.abort('connectionrefused');
    if (current.kind === 'hang') return; // never fulfilled: the SDK's timeout has to end it
    // The faulty answer carries the CORS headers the real server sends for this request, so what the
    // SDK may read (Retry-After included) is what it could read in production.
    const cors = await realCorsHeaders(route);
    switch (current.kind) {
      case 'html':
        return route.fulfill({
          status: 200,
          contentType: 'text/html',
          headers: cors,
          body: '<!doctype html><title>Wi-Fi login</title><h1>Sign in to continue</h1>',
        });
      case 'malformed':
        return route.fulfill({
          status: 200,
          contentType: 'application/json',
          headers: cors,
          body: '{"data": [{"integ',
        });
      case 'shape':
        return route.fulfill({
          status: 200,
          contentType: 'application/json',
          headers: cors,
          body: JSON.stringify({ data: { integrationId: 42, installed: 'yes' }, installationId: null }),
        });
      case 'status':
        return route.fulfill({
          status: current.status,
          contentType: 'application/json',
          headers: { ...cors, ...(current.retryAfter ? { 'retry-after': current.retryAfter } : {}) },
          body: JSON.stringify({ error: { code: 'unavailable', message: `Fault ${current.status}, try later.` } }),
        });
    }
  });
  return arrivals;
}

/** A GET to the same URL from the same origin (a GET changes nothing, even where the request was a POST). */
async function realCorsHeaders(route: Route): Promise<Record<string, string>> {
  const origin = (await route.request().headerValue('origin')) ?? '';
  const response = await fetch(route.request().url(), { headers: { origin } });
  await response.arrayBuffer();
  return Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));
}

const gapsOf = (times: number[]) => times.slice(1).map((t, i) => Math.round(t - times[i]!));

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function unhandledOf(app: AppPage): Promise<string[]> {
  return app.page.evaluate(() => (window as unknown as { __unhandled: string[] }).__unhandled);
}

test('every fault settles with its typed AlloyError code within its bound; Retry-After is respected', async (t) => {
  const rows: string[] = [];
  const record = (fault: string, call: string, result: Settled, attempts: number | string, note = '') =>
    rows.push(
      `${fault} | ${call} | ${result.code ?? 'ok'} | ${result.elapsedMs} ms | ${attempts}${note ? ` | ${note}` : ''}`,
    );

  // The token provider that never answers costs PROVIDER_TIMEOUT_MS: it runs on its own page meanwhile.
  const hangingProviderPage = await openHost('fault-provider-hang', () => 'unused');
  await hangingProviderPage.page.evaluate(() => window.Alloy!.setToken(() => new Promise<string>(() => {})));
  const hangingProvider = settle(hangingProviderPage.page, 'getIntegrations');

  const app = await openHost('fault-user');
  const api = `${harness.apiUrl}/2024-03/integrations`;
  let fault: Fault | undefined;
  let served = 0;
  const arrivals = await routeFault(app.page, api, () => {
    if (fault?.kind === 'status' && fault.times !== undefined && served >= fault.times) return undefined;
    served += 1;
    return fault;
  });
  await app.page.evaluate((timeoutMs) => window.Alloy!.configure({ timeoutMs }), TIMEOUT_MS);
  const run = async (next: Fault) => {
    fault = next;
    served = 0;
    arrivals.length = 0;
    const result = await settle(app.page, 'getIntegrations');
    fault = undefined;
    return result;
  };

  // Refused: a closed port, no route involved.
  const port = await closedPort();
  await app.page.evaluate((url) => window.Alloy!.configure({ baseUrl: url }), `http://127.0.0.1:${port}`);
  const refused = await settle(app.page, 'getIntegrations');
  await app.page.evaluate((url) => window.Alloy!.configure({ baseUrl: url }), harness.apiUrl);
  record('connection refused (closed port)', 'getIntegrations', refused, '4 (3 retries)');
  assert.equal(refused.code, 'NETWORK_ERROR');
  assert.ok(refused.elapsedMs <= 1000 + RETRY_JITTER_BUDGET_MS + SLACK_MS, `refused took ${refused.elapsedMs} ms`);

  const refusedRoute = await run({ kind: 'refused' });
  record('connection refused (route)', 'getIntegrations', refusedRoute, arrivals.length);
  assert.equal(refusedRoute.code, 'NETWORK_ERROR');
  assert.equal(arrivals.length, 4, 'a GET is retried 3 times');

  const hang = await run({ kind: 'hang' });
  record(`hang (timeout ${TIMEOUT_MS} ms)`, 'getIntegrations', hang, arrivals.length);
  assert.equal(hang.code, 'TIMEOUT');
  assert.ok(hang.elapsedMs >= TIMEOUT_MS - 50, `timed out early: ${hang.elapsedMs} ms`);
  assert.ok(hang.elapsedMs <= TIMEOUT_MS + 1000 + SLACK_MS, `hang took ${hang.elapsedMs} ms`);

  for (const kind of ['html', 'malformed', 'shape'] as const) {
    const result = await run({ kind });
    const label = {
      html: '200 text/html (captive portal)',
      malformed: '200 truncated JSON',
      shape: '200 JSON of the wrong shape',
    }[kind];
    record(label, 'getIntegrations', result, arrivals.length);
    assert.equal(result.code, 'BAD_RESPONSE', kind);
    assert.equal(arrivals.length, 1, `${kind} is not retried`);
  }

  const serverError = await run({ kind: 'status', status: 500, retryAfter: '1' });
  const serverGaps = gapsOf(arrivals);
  record(
    '500 Retry-After: 1 (always)',
    'getIntegrations',
    serverError,
    arrivals.length,
    `gaps ${serverGaps.join('/')} ms`,
  );
  assert.equal(serverError.code, 'SERVER_ERROR');
  assert.equal(arrivals.length, 4);
  for (const gap of serverGaps) assert.ok(gap >= 950, `retried ${gap} ms after a Retry-After of 1 s`);

  const recovered = await run({ kind: 'status', status: 503, retryAfter: '1', times: 1 });
  record(
    '503 Retry-After: 1, then up',
    'getIntegrations',
    recovered,
    arrivals.length,
    `gap ${gapsOf(arrivals).join('/')} ms`,
  );
  assert.equal(recovered.code, null, 'the retry after the wait succeeds');
  assert.equal(arrivals.length, 2);
  assert.ok(gapsOf(arrivals)[0]! >= 950);
  assert.ok(recovered.elapsedMs >= 950);

  const tooLong = await run({ kind: 'status', status: 500, retryAfter: '120' });
  record('500 Retry-After: 120 (over the 10 s cap)', 'getIntegrations', tooLong, arrivals.length);
  assert.equal(tooLong.code, 'SERVER_ERROR');
  assert.equal(tooLong.retryAfterMs, 120_000, 'the wait the server asked for is on the error');
  assert.equal(arrivals.length, 1, 'not waited for, not retried');

  const rateLimited = await run({ kind: 'status', status: 429, retryAfter: '1', times: 1 });
  record(
    '429 Retry-After: 1, then up',
    'getIntegrations',
    rateLimited,
    arrivals.length,
    `gap ${gapsOf(arrivals).join('/')} ms`,
  );
  assert.equal(rateLimited.code, null);
  assert.equal(arrivals.length, 2);
  assert.ok(gapsOf(arrivals)[0]! >= 950);

  const limitedLong = await run({ kind: 'status', status: 429, retryAfter: '60' });
  record('429 Retry-After: 60', 'getIntegrations', limitedLong, arrivals.length);
  assert.equal(limitedLong.code, 'RATE_LIMITED');
  assert.equal(limitedLong.retryAfterMs, 60_000);

  const notFound = await run({ kind: 'status', status: 404 });
  record('404', 'getIntegrations', notFound, arrivals.length);
  assert.equal(notFound.code, 'NOT_FOUND');
  assert.equal(arrivals.length, 1, '4xx is never retried');

  // Token providers that fail: install() rejects with the typed code and opens nothing.
  await app.page.evaluate(() => window.Alloy!.setToken(() => Promise.reject(new Error('backend down'))));
  const rejects = await settle(app.page, 'install');
  record('token provider rejects', 'install', rejects, 0);
  assert.equal(rejects.code, 'TOKEN_REFRESH_FAILED');
  await app.page.evaluate(() => window.Alloy!.setToken(() => ({ token: 'not a string' }) as unknown as string));
  const notString = await settle(app.page, 'getWorkflows');
  record('token provider resolves a non-string', 'getWorkflows', notString, 0);
  assert.equal(notString.code, 'TOKEN_REFRESH_FAILED');
  assert.equal(await app.page.locator('alloy-install-modal').count(), 0);

  const hung = await hangingProvider;
  record('token provider never settles', 'getIntegrations', hung, 0);
  assert.equal(hung.code, 'TOKEN_REFRESH_FAILED');
  assert.ok(hung.elapsedMs >= PROVIDER_TIMEOUT_MS - 50 && hung.elapsedMs <= PROVIDER_TIMEOUT_MS + 1000 + SLACK_MS);

  t.diagnostic(`FIGURE sdk-faults | fault | call | code | elapsed | attempts: ${rows.join(' ; ')}`);
  for (const page of [app, hangingProviderPage]) assert.deepEqual(await unhandledOf(page), []);
});

test('a failed Finish keeps what the user typed, for every fault; Retry succeeds once the API is back', async (t) => {
  const app = await openHost('fault-input-user');
  let fault: Fault | undefined;
  const arrivals = await routeFault(app.page, `${harness.apiUrl}/2024-03/widget/installations`, () => fault);
  await app.page.evaluate((timeoutMs) => window.Alloy!.configure({ timeoutMs: timeoutMs * 2 }), TIMEOUT_MS);
  await app.page.getByRole('button', { name: 'Install Demo Store' }).click();
  const dialog = app.page.getByRole('dialog', { name: 'Demo Store' });
  await toSettingsStep(dialog);
  const field = dialog.getByLabel('Order reference prefix');
  const typed = 'AC-kept_1';
  await field.fill(typed);

  const faults: [string, Fault, string][] = [
    ['connection refused', { kind: 'refused' }, 'NETWORK_ERROR'],
    ['hang', { kind: 'hang' }, 'TIMEOUT'],
    ['200 text/html', { kind: 'html' }, 'BAD_RESPONSE'],
    ['200 truncated JSON', { kind: 'malformed' }, 'BAD_RESPONSE'],
    ['200 wrong shape', { kind: 'shape' }, 'BAD_RESPONSE'],
    ['500 Retry-After: 120', { kind: 'status', status: 500, retryAfter: '120' }, 'SERVER_ERROR'],
    ['429 Retry-After: 120', { kind: 'status', status: 429, retryAfter: '120' }, 'RATE_LIMITED'],
  ];
  const rows: string[] = [];
  for (const [index, [label, next, code]] of faults.entries()) {
    fault = next;
    await dialog.getByRole('button', { name: 'Finish Installation' }).click();
    await dialog
      // What failed, then why in the user's terms (one sentence per fault kind).
      .getByText(/^The installation did not complete\. /)
      .waitFor({ timeout: 8000 })
      .catch(async (error: unknown) => {
        const text = await app.page.evaluate(
          () => document.querySelector('alloy-install-modal')?.shadowRoot?.textContent,
        );
        throw new Error(`${label}: ${String(error)}\n${text}`);
      });
    const codes = await app.page.evaluate(() => (window as unknown as { errorCodes: string[] }).errorCodes);
    assert.equal(codes.at(-1), code, label);
    assert.equal(codes.length, index + 1);
    if (index < faults.length - 1) {
      // Back to the form: the value is as typed.
      await dialog.getByRole('button', { name: 'Back' }).click();
      assert.equal(await field.inputValue(), typed, `${label}: the typed value survives`);
    }
    rows.push(`${label} → ${code}, input kept`);
  }
  // The API is back: Retry (from the error state) stores exactly what was typed.
  fault = undefined;
  await dialog.getByRole('button', { name: 'Try again' }).click();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await app.page.getByText('installed', { exact: true }).waitFor();
  const token = await userToken(harness.apiUrl, 'fault-input-user');
  const view = (await (
    await fetch(`${harness.apiUrl}/2024-03/widget/integrations/${INTEGRATION_ID}`, {
      headers: { 'x-alloy-user-token': token },
    })
  ).json()) as { installation: { values: { name: string; value: unknown }[] } };
  assert.deepEqual(
    view.installation.values.map((v) => [v.name, v.value]),
    [['referencePrefix', typed]],
  );
  assert.ok(arrivals.length >= faults.length);
  assert.deepEqual(await unhandledOf(app), []);
  t.diagnostic(
    `FIGURE sdk-faults-input | ${faults.length} Finish faults: input kept ${faults.length}/${faults.length}, Retry stored it (${rows.join('; ')})`,
  );
});

test('no unhandled rejection or page error on any page of the fault suite', async () => {
  assert.ok(pages.length >= 3);
  for (const app of pages) assert.deepEqual(await unhandledOf(app), []);
  assert.deepEqual(pageFailures, []);
});
