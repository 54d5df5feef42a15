import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseInput } from '../server/http/errors.js';
import { DomainError } from '../server/platform/errors.js';
import type { CommerceService } from './commerce.js';
import type { OAuthService } from './oauth.js';
import {
  CreateOrderRequest,
  CreateWebhookRequest,
  CustomerInput,
  CustomerParams,
  ListCustomersQuery,
  ListOrdersQuery,
  ORDER_STATUSES,
  ORDER_STATUS_LABELS,
  OrderParams,
  StoreParams,
  UpdateOrderRequest,
  WebhookParams,
  type OAuthScope,
} from './schemas.js';
import type { Store, StoreService } from './stores.js';
import type { WebhookService } from './webhooks.js';

export const STORE_API_KEY_HEADER = 'x-store-api-key';
const DEFAULT_PAGE_SIZE = 25;
const BEARER = /^bearer\s+(\S+)\s*$/i;
const REALM = 'Bearer realm="Demo Store"';

export interface ApiRouteOptions {
  stores: StoreService;
  commerce: CommerceService;
  webhooks: WebhookService;
  oauth: OAuthService;
}

interface Credential {
  storeId: string;
  /** Undefined for the store API key, which may do everything. */
  scopes?: ReadonlySet<OAuthScope>;
}

/** The store's public commerce API, `/api/v1`, authenticated by store API key or OAuth access token. */
export function apiRoutes(app: FastifyInstance, options: ApiRouteOptions): void {
  const { stores, commerce, webhooks, oauth } = options;

  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Credential> {
    const apiKey = request.headers[STORE_API_KEY_HEADER];
    const authorization = request.headers.authorization;
    if (apiKey !== undefined && authorization !== undefined) {
      throw new DomainError('bad_request', `Send either ${STORE_API_KEY_HEADER} or an Authorization header, not both.`);
    }
    if (typeof apiKey === 'string') {
      const store = await stores.findByApiKey(apiKey);
      if (!store) throw new DomainError('unauthorized', 'The store API key is not valid.');
      return { storeId: store.id };
    }
    const bearer = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
    if (bearer === undefined) {
      reply.header('www-authenticate', REALM);
      throw new DomainError(
        'unauthorized',
        `Send the store API key in the ${STORE_API_KEY_HEADER} header or an OAuth access token as "Authorization: Bearer <token>".`,
      );
    }
    const token = await oauth.authenticateAccessToken(bearer);
    if (token === 'expired') {
      reply.header('www-authenticate', `${REALM}, error="invalid_token", error_description="The access token expired"`);
      throw new DomainError('token_expired', 'The access token has expired; refresh it.');
    }
    if (!token) {
      reply.header('www-authenticate', `${REALM}, error="invalid_token"`);
      throw new DomainError('token_invalid', 'The access token is not valid or was revoked.');
    }
    return { storeId: token.storeId, scopes: token.scopes };
  }

  /** Authenticates, then checks the credential may act on the store in the path with `scope`. */
  async function authorize<P extends { storeId: string }>(
    request: FastifyRequest,
    reply: FastifyReply,
    paramsSchema: Parameters<typeof parseInput<P>>[0],
    scope: OAuthScope | undefined,
  ): Promise<{ params: P; store: Store }> {
    const credential = await authenticate(request, reply);
    const params = parseInput(paramsSchema, request.params, 'params');
    const store = await stores.require(params.storeId);
    if (credential.storeId !== store.id) {
      throw new DomainError('forbidden', 'This credential belongs to another store.');
    }
    if (scope !== undefined && credential.scopes !== undefined && !credential.scopes.has(scope)) {
      reply.header('www-authenticate', `${REALM}, error="insufficient_scope", scope="${scope}"`);
      throw new DomainError('forbidden', `This access token lacks the ${scope} scope.`);
    }
    return { params, store };
  }

  const limitOf = (limit: string | undefined): number => (limit === undefined ? DEFAULT_PAGE_SIZE : Number(limit));

  app.get('/store', async (request, reply) => {
    return stores.require((await authenticate(request, reply)).storeId);
  });

  app.get('/stores/:storeId', async (request, reply) => {
    return (await authorize(request, reply, StoreParams, undefined)).store;
  });

  app.get('/stores/:storeId/order-statuses', async (request, reply) => {
    await authorize(request, reply, StoreParams, 'orders:read');
    return { data: ORDER_STATUSES.map((value) => ({ value, label: ORDER_STATUS_LABELS[value] })) };
  });

  app.get('/stores/:storeId/orders', async (request, reply) => {
    const { store } = await authorize(request, reply, StoreParams, 'orders:read');
    const query = parseInput(ListOrdersQuery, request.query, 'query');
    return commerce.listOrders(store.id, { limit: limitOf(query.limit), cursor: query.cursor, status: query.status });
  });

  app.post('/stores/:storeId/orders', async (request, reply) => {
    const { store } = await authorize(request, reply, StoreParams, 'orders:write');
    const body = parseInput(CreateOrderRequest, request.body, 'body');
    return reply.status(201).send(await commerce.createOrder(store.id, body));
  });

  app.get('/stores/:storeId/orders/:orderId', async (request, reply) => {
    const { store, params } = await authorize(request, reply, OrderParams, 'orders:read');
    return commerce.requireOrder(store.id, params.orderId);
  });

  app.patch('/stores/:storeId/orders/:orderId', async (request, reply) => {
    const { store, params } = await authorize(request, reply, OrderParams, 'orders:write');
    const body = parseInput(UpdateOrderRequest, request.body, 'body');
    return commerce.updateOrderStatus(store.id, params.orderId, body.status);
  });

  app.get('/stores/:storeId/customers', async (request, reply) => {
    const { store } = await authorize(request, reply, StoreParams, 'customers:read');
    const query = parseInput(ListCustomersQuery, request.query, 'query');
    return commerce.listCustomers(store.id, { limit: limitOf(query.limit), cursor: query.cursor, email: query.email });
  });

  app.post('/stores/:storeId/customers', async (request, reply) => {
    const { store } = await authorize(request, reply, StoreParams, 'customers:write');
    const body = parseInput(CustomerInput, request.body, 'body');
    return reply.status(201).send(await commerce.createCustomer(store.id, body));
  });

  app.get('/stores/:storeId/customers/:customerId', async (request, reply) => {
    const { store, params } = await authorize(request, reply, CustomerParams, 'customers:read');
    return commerce.requireCustomer(store.id, params.customerId);
  });

  app.get('/stores/:storeId/webhooks', async (request, reply) => {
    const { store } = await authorize(request, reply, StoreParams, 'webhooks:read');
    return { data: await webhooks.list(store.id) };
  });

  app.post('/stores/:storeId/webhooks', async (request, reply) => {
    const { store } = await authorize(request, reply, StoreParams, 'webhooks:write');
    const body = parseInput(CreateWebhookRequest, request.body, 'body');
    return reply.status(201).send(await webhooks.create(store.id, body.url, body.topic));
  });

  app.get('/stores/:storeId/webhooks/:webhookId', async (request, reply) => {
    const { store, params } = await authorize(request, reply, WebhookParams, 'webhooks:read');
    return webhooks.require(store.id, params.webhookId);
  });

  app.delete('/stores/:storeId/webhooks/:webhookId', async (request, reply) => {
    const { store, params } = await authorize(request, reply, WebhookParams, 'webhooks:write');
    await webhooks.delete(store.id, params.webhookId);
    return reply.status(204).send();
  });
}
