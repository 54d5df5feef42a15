/** The widget module's public face: what other modules may import. */
export { widgetAuthRoutes } from './auth-routes.js';
export { regionRoutes } from './region-routes.js';
export { widgetRoutes } from './routes.js';
