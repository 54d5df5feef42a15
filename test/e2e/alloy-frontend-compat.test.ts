import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { API_KEY, INTEGRATION_ID, cdnManifest, openApp, startHarness, userToken, type Harness } from './sdk-harness.js';

/**
 * alloy-frontend 2.1.1's README call shapes (`const alloy = Alloy(); alloy.setToken(jwt);
 * alloy.setRegion(...); alloy.getIntegrations() ...`) against our CDN loader, included by script
 * tag on the ISV's page (another origin than the API). The server declares an `eu` region
 * (`ALLOY_REGION_URLS`) at a second origin, a stand-in that records what reaches it; `us` is not
 * declared, so `setRegion('us')` must keep the SDK where it is. Nothing may reach *.runalloy.com.
 */

const STREAM_WORKFLOW_ID = '65a1c0de0000000000000101';
const EVENT_WORKFLOW_ID = '65a1c0de0000000000000102';

let harness: Harness;
let euServer: http.Server;
let euUrl: string;
/** What reached the EU stand-in: method, path and the user token header. */
const euRequests: { method: string; path: string; token: string | undefined }[] = [];

before(async () => {
  euServer = http.createServer((request, response) => {
    const cors = {
      'access-control-allow-origin': request.headers.origin ?? '*',
      'access-control-allow-headers': 'content-type, x-alloy-user-token',
      'access-control-allow-methods': 'GET, PUT, POST',
    };
    if (request.method === 'OPTIONS') {
      response.writeHead(204, cors).end();
      return;
    }
    const token = request.headers['x-alloy-user-token'];
    euRequests.push({ method: request.method ?? '', path: request.url ?? '', token: token as string | undefined });
    response.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ data: [] }));
  });
  await new Promise<void>((resolve) => euServer.listen(0, '127.0.0.1', resolve));
  euUrl = `http://127.0.0.1:${(euServer.address() as AddressInfo).port}`;
  harness = await startHarness({ ALLOY_REGION_URLS: `eu=${euUrl}` });
});
after(async () => {
  await harness?.close();
  euServer.closeAllConnections();
  await new Promise((resolve) => euServer.close(resolve));
});

/** The ISV's page: only the versioned loader by script tag, as the vendor's docs show it. */
function scriptTagPage(): Record<string, { body: string }> {
  const { loader } = cdnManifest();
  return {
    '/': {
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ISV</title>
<script src="${harness.apiUrl}/scripts/${loader.file}" integrity="${loader.integrity}" crossorigin="anonymous"></script>
</head><body><h1>Integrations</h1></body></html>`,
    },
  };
}

/** Installs the Demo Store integration for the token's user, as the modal does. */
async function installWithToken(token: string): Promise<void> {
  const response = await fetch(`${harness.apiUrl}/2024-03/widget/installations`, {
    method: 'POST',
    headers: { 'x-alloy-user-token': token, 'content-type': 'application/json' },
    body: JSON.stringify({
      integrationId: INTEGRATION_ID,
      values: [{ workflowId: STREAM_WORKFLOW_ID, blockId: 'stream-to-acmeco', name: 'referencePrefix', value: 'AC-' }],
    }),
  });
  assert.equal(response.status, 201, await response.text());
}

test('README shapes from the script tag: Alloy() is a factory of independent instances; the data calls answer', async () => {
  const token = await userToken(harness.apiUrl, 'frontend-user');
  await installWithToken(token);
  const app = await openApp(harness, scriptTagPage());
  try {
    await app.page.goto(app.url);
    const results = await app.page.evaluate(
      async ({ jwt, workflowId }) => {
        const Alloy = window.Alloy!;
        // alloy-frontend: `const alloy = Alloy(); alloy.setToken(token);`
        const alloy = Alloy();
        alloy.setToken(jwt);
        const integrations = await alloy.getIntegrations();
        const workflows = await alloy.getWorkflows();
        const deactivated = await alloy.deactivate({ workflowId });
        const reactivated = await alloy.reactivate({ workflowId });
        // Another instance has its own token: none set, so it refuses before sending anything.
        const other = Alloy();
        const otherError = await other.getIntegrations().then(
          () => 'resolved',
          (error: { code: string }) => error.code,
        );
        // The global itself is still the page's default instance (the CDN docs' `Alloy.getIntegrations()`).
        const globalError = await Alloy.getIntegrations().then(
          () => 'resolved',
          (error: { code: string }) => error.code,
        );
        Alloy.setToken(jwt);
        const globalIntegrations = await Alloy.getIntegrations();
        return {
          factoryIsInstance: typeof Alloy === 'function' && alloy !== Alloy && alloy !== other,
          integrations: integrations.data.map((i) => [i.integrationId, i.installed]),
          workflows: workflows.data.map((w) => [w.workflowId, w.active]).sort(),
          deactivated,
          reactivated,
          otherError,
          globalError,
          globalIntegrations: globalIntegrations.data.length,
        };
      },
      { jwt: token, workflowId: EVENT_WORKFLOW_ID },
    );
    assert.deepEqual(results, {
      factoryIsInstance: true,
      integrations: [[INTEGRATION_ID, true]],
      workflows: [
        [STREAM_WORKFLOW_ID, true],
        [EVENT_WORKFLOW_ID, true],
      ].sort(),
      deactivated: { deactivated: true },
      reactivated: { activated: true },
      otherError: 'TOKEN_MISSING',
      globalError: 'TOKEN_MISSING',
      globalIntegrations: 1,
    });
    assert.deepEqual(app.pageErrors, []);
    await app.assertTokenNeverLeaked(token);
  } finally {
    await app.close();
  }
});

test('setRegion: a declared region goes to its declared URL; an undeclared one stays on the origin and warns once', async () => {
  const token = await userToken(harness.apiUrl, 'region-user');
  const app = await openApp(harness, scriptTagPage());
  euRequests.length = 0;
  try {
    await app.page.goto(app.url);
    const outcome = await app.page.evaluate(async (jwt) => {
      const eu = window.Alloy!();
      eu.setToken(jwt);
      eu.setRegion('EU'); // case-insensitive, as alloy-frontend
      const fromEu = await eu.getIntegrations();
      const us = window.Alloy!();
      us.setToken(jwt);
      us.setRegion('us');
      const first = await us.getIntegrations();
      us.setRegion('us');
      const second = await us.getWorkflows();
      return { fromEu: fromEu.data.length, fromOrigin: [first.data.length, second.data.length] };
    }, token);
    assert.deepEqual(outcome, { fromEu: 0, fromOrigin: [1, 0] });
    // The EU instance asked the server it was loaded from where `eu` is, then called only there.
    assert.deepEqual(
      euRequests.map((r) => [r.method, r.path, r.token === token]),
      [['GET', '/2024-03/integrations', true]],
    );
    const apiCalls = app.requests.filter((url) => url.startsWith(`${harness.apiUrl}/2024-03/`));
    assert.ok(apiCalls.includes(`${harness.apiUrl}/2024-03/widget/regions`));
    assert.ok(apiCalls.includes(`${harness.apiUrl}/2024-03/integrations`), 'us stayed on the origin');
    assert.ok(!app.requests.some((url) => /runalloy\.com/.test(url)), 'nothing went to the hosted service');
    const warnings = app.console.filter((line) => line.includes('setRegion("us")'));
    assert.equal(warnings.length, 1, app.console.join('\n'));
    assert.match(warnings[0]!, new RegExp(`requests stay on ${harness.apiUrl.replace(/[.:/]/g, '\\$&')}`));
    await app.assertTokenNeverLeaked(token);
  } finally {
    await app.close();
  }
});

test('errors: AlloyError carries the server body (one-line migration from `if (r.error)`); a 404 is NOT_FOUND', async () => {
  const token = await userToken(harness.apiUrl, 'error-user');
  const app = await openApp(harness, scriptTagPage());
  try {
    await app.page.goto(app.url);
    const outcome = await app.page.evaluate(async (jwt) => {
      const alloy = window.Alloy!();
      alloy.setToken(jwt);
      const unknown = { workflowId: 'ffffffffffffffffffffffff' };
      // Before (alloy-frontend resolved with the body): const r = await alloy.deactivate(...); if (r.error) ...
      // After: the same code with `.catch((e) => e.body)`.
      const r = (await alloy.deactivate(unknown).catch((e: { body: unknown }) => e.body)) as {
        message: string;
        error: { code: string; message: string };
      };
      const error = (await alloy.deactivate(unknown).catch((e: unknown) => e)) as {
        code: string;
        status: number;
        serverCode: string;
        message: string;
        body: unknown;
      };
      return {
        r,
        code: error.code,
        status: error.status,
        serverCode: error.serverCode,
        sameText: error.message === r.message,
        isAlloyError: error instanceof window.Alloy!.AlloyError,
      };
    }, token);
    assert.equal(outcome.r.error.code, 'not_found');
    assert.equal(outcome.r.message, outcome.r.error.message);
    assert.deepEqual(
      [outcome.code, outcome.status, outcome.serverCode, outcome.sameText, outcome.isAlloyError],
      ['NOT_FOUND', 404, 'not_found', true, true],
    );
  } finally {
    await app.close();
  }
});

test('the server answers the region map only with a user token', async () => {
  const noToken = await fetch(`${harness.apiUrl}/2024-03/widget/regions`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  assert.equal(noToken.status, 401);
  const token = await userToken(harness.apiUrl, 'region-reader');
  const answer = await fetch(`${harness.apiUrl}/2024-03/widget/regions`, { headers: { 'x-alloy-user-token': token } });
  assert.deepEqual(await answer.json(), { regions: { eu: euUrl } });
});
