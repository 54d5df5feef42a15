import { ConsoleClient } from '../../../../src/console/api.js';

export interface Recorded {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Reply = { status?: number; body?: unknown; headers?: Record<string, string> } | Error;
export type Handler = (request: Recorded) => Reply | Promise<Reply>;

export const SIGNED_IN = {
  state: 'signed-in',
  username: 'admin',
  csrfToken: 'csrf-123',
  expiresAt: '2030-01-01T00:00:00.000Z',
} as const;

export const SETTINGS = {
  environment: 'development',
  installationWebhookUrl: 'https://example.com/installed',
  errorStreamUrl: null,
  webhookSecret: 'whsec_c2VjcmV0',
  publicKeyUrl: 'http://localhost:3000/2024-03/public-key',
} as const;

export const KEYS = {
  keys: [
    { env: 'development', active: true, hint: 'a1b2', createdAt: '2026-01-02T10:00:00.000Z' },
    { env: 'production', active: false },
  ],
};

/**
 * A fake `fetch` for the console API: `routes` maps `METHOD /path` (after `/console/api`, without
 * the query) to a reply; every request is recorded. An unknown route answers 404.
 */
export function fakeFetch(routes: Record<string, Reply | Handler>) {
  const requests: Recorded[] = [];
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), location.origin);
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>));
    const request: Recorded = {
      method: init.method ?? 'GET',
      path: url.pathname.replace(/^\/console\/api/, ''),
      search: url.search,
      headers,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    requests.push(request);
    const route = routes[`${request.method} ${request.path}`];
    const reply: Reply =
      route === undefined
        ? { status: 404, body: { message: 'Not found', error: { code: 'not_found', message: 'Not found' } } }
        : typeof route === 'function'
          ? await route(request)
          : route;
    if (reply instanceof Error) throw reply;
    const status = reply.status ?? 200;
    const text =
      reply.body === undefined ? null : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    return new Response(status === 204 ? null : text, {
      status,
      headers: { 'content-type': 'application/json', 'x-request-id': 'req_1', ...reply.headers },
    });
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

export function apiError(status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  return { status, body: { message, error: { code, message, requestId: 'req_err' } }, ...(headers ? { headers } : {}) };
}

export function client(routes: Record<string, Reply | Handler>) {
  const fake = fakeFetch(routes);
  return { client: new ConsoleClient({ fetch: fake.fetch }), requests: fake.requests };
}

/** The shadow root's element, or a failure naming the selector. */
export function $<E extends Element = HTMLElement>(root: Element, selector: string): E {
  const found = root.shadowRoot!.querySelector<E>(selector);
  if (!found) throw new Error(`${selector} not found`);
  return found;
}

export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
