import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import { ApiError, parseInput } from '../http-errors.js';
import { setPageHeaders } from './html.js';
import { CreateStoreRequest, ListDeliveriesQuery, StoreParams } from './schemas.js';
import type { StoreService } from './stores.js';
import type { WebhookService } from './webhooks.js';

export interface AdminRouteOptions {
  stores: StoreService;
  webhooks: WebhookService;
  publicDir: string;
  publicUrl: () => string;
}

const NoQuery = z.strictObject({});

/**
 * The store owner's dashboard: a static page plus a small JSON API that shows API keys. That API
 * answers only same-origin requests (Sec-Fetch-Site / Origin), so another site open in the same
 * browser cannot read the keys or create stores through it.
 */
export async function adminRoutes(app: FastifyInstance, options: AdminRouteOptions): Promise<void> {
  const { stores, webhooks } = options;
  const indexHtml = fs.readFileSync(path.join(options.publicDir, 'admin.html'), 'utf8');

  await app.register(fastifyStatic, {
    root: options.publicDir,
    prefix: '/assets/',
    decorateReply: false,
    allowedPath: (pathName) => pathName !== '/admin.html',
    setHeaders(reply) {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('cache-control', 'no-cache');
    },
  });

  app.get('/', { config: { cors: false } }, async (_request, reply) => {
    setPageHeaders(reply, { scripts: true });
    return reply.send(indexHtml);
  });

  const sameOrigin = async (request: FastifyRequest): Promise<void> => {
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      throw new ApiError(403, 'forbidden', 'The store dashboard API only answers the dashboard itself.');
    }
    const origin = request.headers.origin;
    if (origin !== undefined) {
      const allowed = new Set([`${request.protocol}://${request.host}`, new URL(options.publicUrl()).origin]);
      if (!allowed.has(origin))
        throw new ApiError(403, 'forbidden', 'The store dashboard API only answers the dashboard itself.');
    }
  };
  const admin = { config: { cors: false }, preHandler: sameOrigin };

  app.get('/admin/api/stores', admin, async (request) => {
    parseInput(NoQuery, request.query, 'query');
    return { data: stores.list() };
  });

  app.post('/admin/api/stores', admin, async (request, reply) => {
    const body = parseInput(CreateStoreRequest, request.body, 'body');
    return reply.status(201).send(stores.create(body.name, body.subdomain));
  });

  app.post('/admin/api/stores/:storeId/rotate-key', admin, async (request) => {
    const { storeId } = parseInput(StoreParams, request.params, 'params');
    return stores.rotateApiKey(storeId);
  });

  app.get('/admin/api/stores/:storeId/webhook-deliveries', admin, async (request) => {
    const { storeId } = parseInput(StoreParams, request.params, 'params');
    const query = parseInput(ListDeliveriesQuery, request.query, 'query');
    stores.require(storeId);
    return { data: webhooks.recentDeliveries(storeId, query.limit === undefined ? 20 : Number(query.limit)) };
  });
}
