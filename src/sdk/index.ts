import { createAlloy, type AlloyInstance } from './alloy.js';

export { createAlloy, SDK_VERSION, REGION_BASE_URLS } from './alloy.js';
export type { AlloyInstance, CreateAlloyOptions, InstallOptions, InstallResult } from './alloy.js';
export { AlloyError, ALLOY_ERROR_CODES, isAlloyError, type AlloyErrorCode } from './errors.js';

/** A ready instance, so `Alloy.setToken(...)`, `Alloy.install(...)` work as with the CDN global. */
const Alloy: AlloyInstance = createAlloy();
export default Alloy;
