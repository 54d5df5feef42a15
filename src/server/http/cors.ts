import type { FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { USER_TOKEN_HEADER } from './auth.js';
import { REQUEST_ID_HEADER } from './request-id.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false` leaves the route out of CORS whatever the policy says (registerCors reads it). */
    cors?: boolean;
  }
  interface FastifyRequest {
    /** Set by registerCors on a preflight it answered for the widget policy. */
    widgetPreflight: boolean;
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
  // Not CORS-safelisted: without this the browser SDK on another origin could not read how long to
  // wait, nor the request id its errors carry (what an end user copies for support).
  exposedHeaders: ['retry-after', REQUEST_ID_HEADER],
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

/** WIDGET_CORS's headers, written out once (@fastify/cors normalized the options on every request). */
const WIDGET_HEADERS = {
  exposed: (WIDGET_CORS.exposedHeaders as string[]).join(', '),
  methods: (WIDGET_CORS.methods as string[]).join(', '),
  allowed: (WIDGET_CORS.allowedHeaders as string[]).join(', '),
  maxAge: String(WIDGET_CORS.maxAge),
};

/** Adds `Origin` to the Vary header as @fastify/cors did: set when absent, appended unless listed or `*`. */
function varyOnOrigin(reply: FastifyReply): void {
  const current = reply.getHeader('vary');
  if (!current) {
    reply.header('vary', 'Origin');
    return;
  }
  const header = Array.isArray(current) ? current.join(', ') : String(current);
  if (header === '*') return;
  const names = header
    .toLowerCase()
    .split(',')
    .map((name) => name.trim());
  if (names.includes('*')) reply.header('vary', '*');
  else if (!names.includes('origin')) reply.header('vary', `${header}, Origin`);
}

/**
 * CORS as @fastify/cors did it with `corsPolicy` as its delegator (test/server/cors-parity.test.ts
 * holds the two side by side), the two policies' headers computed once: an onRequest hook on
 * every route answering `Vary: Origin`, and for a widget request the allowed origin (the
 * request's), the exposed headers and, on a preflight, the 204 answer; `OPTIONS *` answers 404
 * to any other preflight.
 */
export function registerCors(app: FastifyInstance): void {
  app.decorateRequest('widgetPreflight', false);
  app.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.config?.cors === false) return done();
    varyOnOrigin(reply);
    if (!isWidgetRequest(request)) return done();
    const origin = request.headers.origin;
    if (origin) reply.header('Access-Control-Allow-Origin', origin);
    reply.header('Access-Control-Expose-Headers', WIDGET_HEADERS.exposed);
    if (request.raw.method !== 'OPTIONS') return done();
    if (!origin || !request.headers['access-control-request-method']) {
      void reply.status(400).type('text/plain').send('Invalid Preflight Request');
      return;
    }
    request.widgetPreflight = true;
    reply.header('Access-Control-Allow-Methods', WIDGET_HEADERS.methods);
    reply.header('Access-Control-Allow-Headers', WIDGET_HEADERS.allowed);
    reply.header('Access-Control-Max-Age', WIDGET_HEADERS.maxAge);
    // Safari waits for a body on a 204 without a length.
    void reply.code(204).header('Content-Length', '0').send();
  });
  app.options('*', (request, reply) => {
    if (!request.widgetPreflight) {
      reply.callNotFound();
      return;
    }
    void reply.send();
  });
}
