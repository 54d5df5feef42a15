import type { PayloadEnvironment } from '../../contract/index.js';

/** An API key's environment: users, installs, runs and settings of one never reach the other. */
export type Environment = PayloadEnvironment;
export const ENVIRONMENTS = ['development', 'production'] as const satisfies readonly Environment[];
