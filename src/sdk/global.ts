import Alloy from './index.js';

/**
 * `import 'alloy-embedded-kit/global'`: an opt-in side effect for code written against the CDN
 * global (`window.Alloy.install(...)`, as the docs show for React) in an app that bundles the npm
 * package. An `Alloy` already on the page (the CDN script) is kept.
 */
if (typeof window !== 'undefined') {
  const existing = window.Alloy;
  if (!existing) window.Alloy = Alloy;
  else if (existing !== Alloy) {
    console.warn(
      `[Alloy] Two copies of the Alloy SDK are on this page: ${String(existing.version)} (window.Alloy, kept) and ${Alloy.version} (npm, alloy-embedded-kit/global). Load the SDK once.`,
    );
  }
}

export default Alloy;
