// Must stay the first import: zod probes `new Function` when its first object schema is built,
// which a strict CSP reports as a violation even though zod catches it.
import './zod-jitless.js';

/** The CDN runtime chunk: the SDK and the modal (Lit included), loaded by `embedded.js`. */
export { createAlloy } from './alloy.js';
export { SDK_VERSION } from './version.js';
