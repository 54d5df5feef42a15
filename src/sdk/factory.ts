import { createAlloy, type AlloyInstance, type CreateAlloyOptions } from './alloy.js';
import { ALLOY_ERROR_CODES, AlloyError, isAlloyError } from './errors.js';

/**
 * alloy-frontend's CommonJS shape is a factory (`const alloy = Alloy()`) while the CDN global is an
 * instance (`Alloy.install(...)`): this is both, so every documented call shape works unchanged.
 */
export interface AlloyFactory extends AlloyInstance {
  (options?: CreateAlloyOptions): AlloyInstance;
  createAlloy: typeof createAlloy;
  AlloyError: typeof AlloyError;
  isAlloyError: typeof isAlloyError;
  ALLOY_ERROR_CODES: typeof ALLOY_ERROR_CODES;
}

/**
 * What `window.Alloy` holds: the CDN loader's stand-in, or the npm factory from
 * `alloy-embedded-kit/global`. Both are an instance and a factory: `Alloy()` makes an independent one.
 */
export type AlloyGlobal = AlloyInstance & {
  (options?: Pick<CreateAlloyOptions, 'baseUrl' | 'timeoutMs'>): AlloyInstance;
  AlloyError: typeof AlloyError;
};

declare global {
  interface Window {
    Alloy?: AlloyGlobal;
  }
}

/** Creating it touches nothing global, so importing the package during SSR has no side effects. */
export function createAlloyFactory(): AlloyFactory {
  const instance = createAlloy();
  const factory = (options?: CreateAlloyOptions): AlloyInstance => createAlloy(options);
  return Object.assign(factory, instance, { createAlloy, AlloyError, isAlloyError, ALLOY_ERROR_CODES });
}
