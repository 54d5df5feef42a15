import type { FastifyCorsOptions } from '@fastify/cors';
import type { FastifyRequest } from 'fastify';
import { USER_TOKEN_HEADER } from './auth.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false` leaves the route out of CORS whatever the policy says (@fastify/cors reads it). */
    cors?: boolean;
  }
}

/**
 * What other origins may send to the routes the browser SDK calls. No `authorization`: an API key
 * has no business in browser code, so a page on another origin cannot even send one.
 */
export const WIDGET_CORS: FastifyCorsOptions = {
  // Any origin: ISV apps live on their own origins. No credentials (cookies) are ever allowed.
  origin: true,
  credentials: false,
  methods: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
  allowedHeaders: ['content-type', USER_TOKEN_HEADER, 'idempotency-key', 'x-api-version'],
  // Not CORS-safelisted: without this the browser SDK on another origin cannot see how long to wait.
  exposedHeaders: ['retry-after'],
  maxAge: 600,
};

/** Everything else answers no CORS headers, and its preflights are refused (404). */
const NO_CORS: FastifyCorsOptions = { origin: false };

/** The ISV API routes `alloy-frontend` calls with the user token instead of the API key. */
const USER_TOKEN_DATA_ROUTES = new Set([
  'GET /integrations',
  'GET /workflows',
  'PUT /workflows/deactivate',
  'PUT /workflows/activate',
]);

/** Routes are matched after the version rewrite (`/_api/...`); a preflight of the header form is not rewritten. */
const API_PATH = /^(?:\/_api)?(\/[^?#]*)/;

function requestedHeaders(request: FastifyRequest): string[] {
  const header = request.headers['access-control-request-headers'];
  return (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * Whether a request (or its preflight) is one the browser SDK makes: any `/widget/*` route, and the
 * four `alloy-frontend` data routes when they carry the user token rather than an API key.
 */
export function isWidgetRequest(request: FastifyRequest): boolean {
  const path = API_PATH.exec(request.url)?.[1] ?? '/';
  const preflight = request.method === 'OPTIONS';
  const method = preflight
    ? String(request.headers['access-control-request-method'] ?? '').toUpperCase()
    : request.method;
  const asked = preflight ? requestedHeaders(request) : [];
  if (asked.includes('authorization')) return false;
  if (path.startsWith('/widget/')) return true;
  if (!USER_TOKEN_DATA_ROUTES.has(`${method === 'HEAD' ? 'GET' : method} ${path.replace(/\/$/, '')}`)) return false;
  // The SDK always sends the user token; an API key (a backend's call) gets no CORS headers.
  return preflight ? asked.includes(USER_TOKEN_HEADER) : request.headers.authorization === undefined;
}

/** @fastify/cors's per-request options: the widget policy or none. */
export function corsPolicy(
  request: FastifyRequest,
  callback: (error: Error | null, options: FastifyCorsOptions) => void,
) {
  callback(null, isWidgetRequest(request) ? WIDGET_CORS : NO_CORS);
}
