/** The CDN runtime chunk: the SDK (zod/mini); it loads the modal chunk (Lit included) itself. */
export { createAlloy } from './alloy.js';
export { SDK_VERSION } from './version.js';
/** The loader hands over how later chunks are fetched with their SRI hashes. */
export { setChunkPreloader } from '../modal/internal/lazy-chunk.js';
