import { createAlloy, type AlloyInstance } from './alloy.js';

declare global {
  interface Window {
    Alloy?: AlloyInstance;
  }
}

/**
 * The CDN entry: the one module with a side effect. It defines `window.Alloy`, talking to the
 * server that served this script (so a self-hosted `/scripts/embedded.js` needs no configuration).
 */
function scriptOrigin(): string | undefined {
  const script = document.currentScript;
  if (script instanceof HTMLScriptElement && script.src) return new URL(script.src).origin;
  return undefined;
}

if (!window.Alloy) {
  const origin = scriptOrigin();
  window.Alloy = createAlloy(origin ? { baseUrl: origin } : {});
}
