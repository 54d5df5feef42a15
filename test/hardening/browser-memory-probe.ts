import type { CDPSession, Page } from 'playwright-core';

/**
 * Open/close cycles of the real modal through `window.Alloy`, measured after forced GCs through
 * CDP. Shared by the memory hardening test and the bench (test/bench/browser.ts), so both report
 * the same numbers the same way.
 */

export interface MemoryResult {
  cycles: number;
  heapBeforeKb: number;
  heapAfterKb: number;
  heapGrowthKb: number;
  domNodesBefore: number;
  domNodesAfter: number;
  /** All JS event listeners (Performance.getMetrics `JSEventListeners`). */
  listenersBefore: number;
  listenersAfter: number;
  /** Listeners on window, document and <html> (DOMDebugger.getEventListeners). */
  pageListenersBefore: number;
  pageListenersAfter: number;
  /** `<alloy-install-modal>` elements still in the document. */
  modalElementsLeft: number;
  /** `AlloyInstallModal` instances still alive anywhere in the heap (Runtime.queryObjects), detached included. */
  modalInstancesAlive: number;
}

/** The part of window.Alloy the page-side cycle uses. */
interface PageAlloy {
  install(options: { integrationId: string }): Promise<unknown>;
  close(): void;
  on(type: 'ready', listener: () => void): () => void;
}

interface Snapshot {
  heap: number;
  nodes: number;
  listeners: number;
  pageListeners: number;
}

/** Collections a snapshot may take while the node and listener counters still fall. */
const MAX_SETTLE_ROUNDS = 8;

async function snapshot(cdp: CDPSession): Promise<Snapshot> {
  // Blink frees DOM nodes when it sweeps, which may finish after the collection returns (lazily,
  // later still on a loaded machine), and the Nodes / JSEventListeners counters drop only then.
  // So collect (twice: the first can leave finalizer-held objects for the second), let the sweep
  // run, and read again until the counters stop falling; a real leak never falls.
  let metrics: { name: string; value: number }[] = [];
  let settled = { nodes: Infinity, listeners: Infinity };
  for (let round = 0; round < MAX_SETTLE_ROUNDS; round++) {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    await new Promise((resolve) => setTimeout(resolve, 100));
    ({ metrics } = await cdp.send('Performance.getMetrics'));
    const read = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
    const now = { nodes: read('Nodes'), listeners: read('JSEventListeners') };
    if (now.nodes >= settled.nodes && now.listeners >= settled.listeners) break;
    settled = now;
  }
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
  let pageListeners = 0;
  for (const expression of ['window', 'document', 'document.documentElement']) {
    const { result } = await cdp.send('Runtime.evaluate', { expression });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId! });
    pageListeners += listeners.length;
    await cdp.send('Runtime.releaseObject', { objectId: result.objectId! });
  }
  return {
    heap: metric('JSHeapUsedSize'),
    nodes: metric('Nodes'),
    listeners: metric('JSEventListeners'),
    pageListeners,
  };
}

/** How many instances of the registered modal class the heap still holds. */
async function modalInstances(cdp: CDPSession): Promise<number> {
  const { result: proto } = await cdp.send('Runtime.evaluate', {
    expression: "customElements.get('alloy-install-modal')?.prototype ?? null",
  });
  if (!proto.objectId) return 0;
  const { objects } = await cdp.send('Runtime.queryObjects', { prototypeObjectId: proto.objectId });
  const { result } = await cdp.send('Runtime.callFunctionOn', {
    objectId: objects.objectId!,
    functionDeclaration: 'function () { return this.length; }',
    returnByValue: true,
  });
  await cdp.send('Runtime.releaseObject', { objectId: objects.objectId! });
  await cdp.send('Runtime.releaseObject', { objectId: proto.objectId });
  return result.value as number;
}

/**
 * `page` shows a host page whose `window.Alloy` has a token. Each cycle: `install()`, wait for the
 * modal's `ready` (first step on screen) and a frame, `close()`, await the outcome. Two warm-up
 * cycles load the chunks and fill Lit's template caches before the baseline.
 */
export async function measureOpenCloseCycles(
  page: Page,
  options: { cycles: number; integrationId: string; warmUp?: number },
): Promise<MemoryResult> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const cycle = (count: number) =>
    page.evaluate(
      async ({ count, integrationId }) => {
        const alloy = (window as unknown as { Alloy: PageAlloy }).Alloy;
        for (let i = 0; i < count; i++) {
          let off = () => {};
          const ready = new Promise<void>((resolve) => (off = alloy.on('ready', () => resolve())));
          const outcome = alloy.install({ integrationId });
          await Promise.race([ready, outcome]);
          off();
          await new Promise((resolve) => requestAnimationFrame(resolve));
          alloy.close();
          await outcome;
        }
      },
      { count, integrationId: options.integrationId },
    );
  await cycle(options.warmUp ?? 2);
  const before = await snapshot(cdp);
  await cycle(options.cycles);
  const after = await snapshot(cdp);
  const modalElementsLeft = await page.evaluate(() => document.querySelectorAll('alloy-install-modal').length);
  const modalInstancesAlive = await modalInstances(cdp);
  await cdp.detach();
  return {
    cycles: options.cycles,
    heapBeforeKb: Math.round(before.heap / 1024),
    heapAfterKb: Math.round(after.heap / 1024),
    heapGrowthKb: Math.round((after.heap - before.heap) / 1024),
    domNodesBefore: before.nodes,
    domNodesAfter: after.nodes,
    listenersBefore: before.listeners,
    listenersAfter: after.listeners,
    pageListenersBefore: before.pageListeners,
    pageListenersAfter: after.pageListeners,
    modalElementsLeft,
    modalInstancesAlive,
  };
}
