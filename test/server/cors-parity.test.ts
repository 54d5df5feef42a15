/**
 * Issue 17: registerCors replaced @fastify/cors (with corsPolicy as its delegator), which
 * normalized its options again on every request. Both are run side by side here on the same
 * routes and requests: every status, body and header must be the same.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import cors from '@fastify/cors';
import Fastify, { type FastifyInstance } from 'fastify';
import { corsPolicy, registerCors } from '../../src/server/http/cors.js';

async function app(withPlugin: boolean): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  if (withPlugin) await app.register(cors, { delegator: corsPolicy });
  else registerCors(app);
  for (const url of ['/_api/integrations', '/_api/widget/integrations/:id', '/_api/users/:id/token', '/_api/workflows'])
    app.get(url, async () => ({ ok: true }));
  app.put('/_api/workflows/deactivate', async () => ({ ok: true }));
  app.get('/_api/no-cors', { config: { cors: false } }, async () => ({ ok: true }));
  app.get('/_api/varied', { onRequest: async (_request, reply) => void reply.header('vary', 'Accept') }, async () => ({
    ok: true,
  }));
  await app.ready();
  return app;
}

const ORIGIN = 'https://isv.example';
const paths = [
  '/_api/integrations',
  '/_api/integrations/',
  '/_api/integrations?userId=u1',
  '/_api/widget/integrations/i1',
  '/_api/users/u1/token',
  '/_api/workflows',
  '/_api/workflows/deactivate',
  '/_api/no-cors',
  '/_api/varied',
  '/_api/unknown',
  '/widget/integrations/i1',
];
const variants: { method: 'GET' | 'PUT' | 'OPTIONS'; headers: Record<string, string> }[] = [
  { method: 'GET', headers: {} },
  { method: 'GET', headers: { origin: ORIGIN } },
  { method: 'GET', headers: { origin: ORIGIN, authorization: 'Bearer k' } },
  { method: 'GET', headers: { origin: ORIGIN, 'x-alloy-user-token': 't' } },
  { method: 'PUT', headers: { origin: ORIGIN, 'x-alloy-user-token': 't' } },
  { method: 'OPTIONS', headers: {} },
  { method: 'OPTIONS', headers: { origin: ORIGIN } },
  { method: 'OPTIONS', headers: { 'access-control-request-method': 'GET' } },
  { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'GET' } },
  {
    method: 'OPTIONS',
    headers: {
      origin: ORIGIN,
      'access-control-request-method': 'get',
      'access-control-request-headers': 'x-alloy-user-token',
    },
  },
  {
    method: 'OPTIONS',
    headers: {
      origin: ORIGIN,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'Content-Type, X-Alloy-User-Token',
    },
  },
  {
    method: 'OPTIONS',
    headers: {
      origin: ORIGIN,
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization, x-alloy-user-token',
    },
  },
];

describe('registerCors answers as @fastify/cors with corsPolicy did', () => {
  let plugin: FastifyInstance;
  let ours: FastifyInstance;
  before(async () => {
    [plugin, ours] = await Promise.all([app(true), app(false)]);
  });
  after(async () => {
    await Promise.all([plugin.close(), ours.close()]);
  });

  test('every status, body and header, for every route and request', async () => {
    let widgetAnswers = 0;
    for (const url of paths) {
      for (const { method, headers } of variants) {
        const [expected, actual] = await Promise.all(
          [plugin, ours].map((server) => server.inject({ method, url, headers })),
        );
        const shape = (r: typeof expected) => {
          const headers = { ...r!.headers };
          delete headers.date;
          return { status: r!.statusCode, body: r!.body, headers };
        };
        assert.deepEqual(shape(actual), shape(expected), `${method} ${url} ${JSON.stringify(headers)}`);
        if (expected!.headers['access-control-allow-origin'] === ORIGIN) widgetAnswers += 1;
      }
    }
    // The matrix reaches the widget policy, preflights included, not only the refusals.
    assert.ok(widgetAnswers >= 10, `${widgetAnswers} widget answers`);
  });
});
