import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { INTEGRATION_ID, cdnHostPage, openApp, startHarness, userToken, type Harness } from '../e2e/sdk-harness.js';
import { measureOpenCloseCycles } from './browser-memory-probe.js';

/**
 * M16 / reliability bar (c) "Memory": 100 open/close cycles of the real modal (CDN build, real
 * server, Demo Store) → no modal element or instance left, listener and DOM node counts back to
 * the baseline, heap growth under 1 MB after forced GC.
 */

let harness: Harness;
before(async () => {
  harness = await startHarness();
});
after(async () => harness?.close());

const CYCLES = 100;

test('memory: 100 open/close cycles leave no modal, no listeners, < 1 MB of heap', async (t) => {
  const token = await userToken(harness.apiUrl, 'memory-user');
  const app = await openApp(harness, cdnHostPage(harness), { token });
  try {
    await app.page.goto(app.url);
    const result = await measureOpenCloseCycles(app.page, { cycles: CYCLES, integrationId: INTEGRATION_ID });
    t.diagnostic(
      `FIGURE memory | ${CYCLES} open/close cycles: ${result.modalElementsLeft} modal elements and ` +
        `${result.modalInstancesAlive} modal instances left, DOM nodes ${result.domNodesBefore} → ${result.domNodesAfter}, ` +
        `JS listeners ${result.listenersBefore} → ${result.listenersAfter}, window/document listeners ` +
        `${result.pageListenersBefore} → ${result.pageListenersAfter}, heap ${result.heapBeforeKb} KB → ` +
        `${result.heapAfterKb} KB (${result.heapGrowthKb >= 0 ? '+' : ''}${result.heapGrowthKb} KB)`,
    );
    assert.equal(result.modalElementsLeft, 0);
    assert.equal(result.modalInstancesAlive, 0, 'no AlloyInstallModal survives a GC after its close');
    assert.ok(
      result.domNodesAfter <= result.domNodesBefore,
      `DOM nodes ${result.domNodesBefore} → ${result.domNodesAfter}`,
    );
    assert.ok(
      result.listenersAfter <= result.listenersBefore,
      `listeners ${result.listenersBefore} → ${result.listenersAfter}`,
    );
    assert.equal(result.pageListenersAfter, result.pageListenersBefore);
    assert.ok(result.heapGrowthKb < 1024, `heap grew ${result.heapGrowthKb} KB`);
    // Every cycle really opened a modal: the install GET went out once per cycle (plus the warm-up).
    const opens = app.requests.filter((url) => url.endsWith(`/widget/integrations/${INTEGRATION_ID}`)).length;
    assert.equal(opens, CYCLES + 2);
    assert.deepEqual(app.pageErrors, []);
  } finally {
    await app.close();
  }
});
