import type { WidgetIntegration } from '../../src/contract/index.js';

export const INTEGRATION_ID = '65a1c0de0000000000000001';
export const WORKFLOW_ID = '65a1c0de0000000000000101';

const base64url = (value: unknown): string =>
  btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** An unsigned JWT-shaped token (the SDK only reads `exp`; the server is what verifies). */
export function fakeJwt(claims: { exp?: number; sub?: string } = {}): string {
  const exp = claims.exp ?? Math.floor(Date.now() / 1000) + 3600;
  return `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ sub: claims.sub ?? 'user-1', exp })}.c2lnbmF0dXJl`;
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export const WIDGET_INTEGRATION: WidgetIntegration = {
  integrationId: INTEGRATION_ID,
  name: 'Demo Store',
  app: 'demoStore',
  description: 'Stream orders.',
  icon: 'http://localhost/static/icons/demo-store.svg',
  workflows: [{ workflowId: WORKFLOW_ID, name: 'Stream orders', version: 1 }],
  fields: [
    {
      workflowId: WORKFLOW_ID,
      blockId: 'stream-to-acmeco',
      name: 'referencePrefix',
      displayName: 'Order reference prefix',
      type: 'text',
      required: true,
    },
  ],
  installation: null,
};

export const INTEGRATION_LIST = {
  data: [
    {
      integrationId: INTEGRATION_ID,
      name: 'Demo Store',
      app: 'demoStore',
      description: 'Stream orders.',
      installed: false,
      icon: 'http://localhost/static/icons/demo-store.svg',
      workflows: [
        {
          workflowId: WORKFLOW_ID,
          name: 'Stream orders',
          installed: false,
          version: 1,
          installedVersion: null,
          active: false,
          blocks: [],
        },
      ],
    },
  ],
};

export interface RecordedCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Replaces window.fetch until restore(); records every call (unit tests may stub fetch, e2e may not). */
export function stubFetch(handler: (call: RecordedCall, init: RequestInit) => Response | Promise<Response>) {
  const original = window.fetch;
  const calls: RecordedCall[] = [];
  window.fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const call: RecordedCall = {
      url: String(input),
      method: init.method ?? 'GET',
      headers: { ...(init.headers as Record<string, string>) },
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    return handler(call, init);
  }) as typeof fetch;
  return { calls, restore: () => (window.fetch = original) };
}

/** A handler that serves the widget API for the Demo Store integration. */
export function widgetServer(call: RecordedCall): Response {
  if (call.url.endsWith(`/widget/integrations/${INTEGRATION_ID}`)) return json(200, WIDGET_INTEGRATION);
  // Demo Store here needs no connection: the modal's auth step has nothing to ask.
  if (call.url.endsWith(`/widget/integrations/${INTEGRATION_ID}/apps`)) return json(200, { data: [] });
  if (call.url.endsWith('/widget/installations') && call.method === 'POST') {
    return json(201, {
      installationId: 'bbbbbbbbbbbbbbbbbbbbbbbb',
      integrationId: INTEGRATION_ID,
      workflowIds: [WORKFLOW_ID],
    });
  }
  if (call.url.endsWith('/integrations')) return json(200, INTEGRATION_LIST);
  return json(404, { error: { code: 'not_found', message: 'Not found.' } });
}

/** Never answers; rejects on abort like fetch does (also when the signal is already aborted). */
export const hang = (_call: RecordedCall, init: RequestInit): Promise<Response> =>
  new Promise((_resolve, reject) => {
    if (init.signal?.aborted) reject(init.signal.reason);
    init.signal?.addEventListener('abort', () => reject(init.signal!.reason));
  });

/** Captures console.warn for one test. */
export function captureWarnings() {
  const original = console.warn;
  const messages: string[] = [];
  console.warn = (...args: unknown[]) => messages.push(args.map(String).join(' '));
  return { messages, restore: () => (console.warn = original) };
}
