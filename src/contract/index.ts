export * from './errors.js';
export * from './ids.js';
export * from './users.js';
export * from './integrations.js';
export * from './workflows.js';
export type { WidgetApi } from './widget-api.js';
