/** The CDN runtime chunk: the SDK (zod/mini); it loads the modal chunk (Lit included) itself. */
export { createAlloy } from './alloy.js';
export { SDK_VERSION } from './version.js';
