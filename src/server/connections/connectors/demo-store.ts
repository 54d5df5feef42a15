import {
  DEMO_STORE_PATH,
  DEMO_STORE_SIGNATURE_HEADER,
  EMBEDDED_CLIENT_ID,
  OAUTH_SCOPES,
  verifyDemoStoreWebhook,
} from '../../../sandbox/index.js';
import { callApp } from './http.js';
import {
  ConnectorError,
  type Connector,
  type ConnectorContext,
  type ConnectorEvent,
  type CredentialData,
} from './types.js';

/**
 * The sandbox commerce app ("Demo Store"), called over its public HTTP API like any third-party
 * app. It is the model for every connector: auth schema, credential test, triggers that
 * subscribe a webhook, actions, and option loaders, all running with the user's credential.
 */

const API_PATH = `${DEMO_STORE_PATH}/api/v1`;
const apiBase = (ctx: ConnectorContext): string => `${ctx.publicUrl}${API_PATH}`;
/** The sandbox is served by this server: calls may reach its public API there, and nothing else. */
const OWN_PATHS = [`${API_PATH}/`];

/** An API-key credential sends `x-store-api-key`; an OAuth one (`accessToken`) a bearer token. */
function authHeaders(credential: CredentialData): Record<string, string> {
  if (credential.accessToken) return { authorization: `Bearer ${credential.accessToken}` };
  if (credential.apiKey) return { 'x-store-api-key': credential.apiKey };
  throw new ConnectorError('credential_invalid', 'The Demo Store credential has neither an API key nor a token.');
}

function storePath(credential: CredentialData, rest = ''): string {
  const storeId = credential.storeId;
  if (!storeId) throw new ConnectorError('credential_invalid', 'The Demo Store credential names no store.');
  return `/stores/${encodeURIComponent(storeId)}${rest}`;
}

const call = (
  ctx: ConnectorContext,
  credential: CredentialData,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  accept: number[] = [],
) =>
  callApp(
    ctx,
    { method, url: `${apiBase(ctx)}${path}`, headers: authHeaders(credential), body, ownPathPrefixes: OWN_PATHS },
    accept,
  );

const text = (input: Readonly<Record<string, unknown>>, name: string): string => {
  const value = input[name];
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConnectorError(
      'rejected',
      `${name} is empty: the block's mapping gave ${JSON.stringify(value ?? null)}.`,
    );
  }
  return value.trim();
};

const header = (headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The store's order as its webhooks carry it (`{topic, storeId, order}`: `order` is the trigger's data). */
export const DEMO_STORE_ORDER_SCHEMA: Record<string, unknown> = {
  id: 'String',
  storeId: 'String',
  number: 'Number',
  status: 'String',
  customer: { id: 'String', email: 'String', name: 'String', createdAt: 'String' },
  items: [{ name: 'String', sku: 'String?', quantity: 'Number', unitPrice: 'Number' }],
  currency: 'String',
  totalAmount: 'Number',
  note: 'String?',
  createdAt: 'String',
  updatedAt: 'String',
};

/** `order.created` (and friends): a store webhook to our receiver, signed with its own secret. */
function orderEvent(name: 'order.created' | 'order.updated', description: string): ConnectorEvent {
  return {
    name,
    description,
    schema: DEMO_STORE_ORDER_SCHEMA,
    async subscribe(ctx, credential, url) {
      const created = await call(
        ctx,
        credential,
        'POST',
        storePath(credential, '/webhooks'),
        { url, topic: name },
        [409],
      );
      let subscription = created.json as { id?: string; secret?: string };
      if (created.status === 409) {
        // Already subscribed (we crashed after subscribing, before recording it): adopt it.
        const list = await call(ctx, credential, 'GET', storePath(credential, '/webhooks'));
        const existing = (list.json as { data: { id: string; url: string; topic: string }[] }).data.find(
          (w) => w.url === url && w.topic === name,
        );
        if (!existing) throw new ConnectorError('rejected', 'The store refused the webhook subscription.', 409);
        subscription = (await call(ctx, credential, 'GET', storePath(credential, `/webhooks/${existing.id}`)))
          .json as typeof subscription;
      }
      if (typeof subscription.id !== 'string' || typeof subscription.secret !== 'string') {
        throw new ConnectorError('unreachable', 'The store answered the subscription without an id and secret.');
      }
      return { externalId: subscription.id, secret: subscription.secret };
    },
    async unsubscribe(ctx, credential, externalId) {
      await call(
        ctx,
        credential,
        'DELETE',
        storePath(credential, `/webhooks/${encodeURIComponent(externalId)}`),
        undefined,
        [404],
      );
    },
    verify({ headers, rawBody, secret }) {
      return verifyDemoStoreWebhook({
        secret,
        signatureHeader: header(headers, DEMO_STORE_SIGNATURE_HEADER),
        body: rawBody,
      });
    },
    parse({ headers, body }) {
      const deliveryId = header(headers, 'x-demo-store-delivery-id');
      if (!deliveryId) return 'The delivery has no x-demo-store-delivery-id header.';
      const payload = body as { topic?: unknown; order?: unknown } | null;
      if (!payload || typeof payload.topic !== 'string' || !payload.order || typeof payload.order !== 'object') {
        return 'The delivery is not a Demo Store event ({topic, storeId, order}).';
      }
      return { event: payload.topic, deliveryId, data: payload.order as Record<string, unknown> };
    },
  };
}

export const demoStore: Connector = {
  id: 'demoStore',
  displayName: 'Demo Store',
  icon: '/static/icons/demo-store.svg',
  auth: {
    type: 'apiKey',
    properties: [
      {
        name: 'apiKey',
        displayName: 'API key',
        description: 'Copy it from the API key panel at the top of your Demo Store admin dashboard (Show, then Copy).',
        type: 'secret',
        required: true,
        rules: { minLength: 8, maxLength: 200 },
      },
      {
        name: 'storeId',
        displayName: 'Store ID',
        description: 'Shown under the store name in your Demo Store admin (“Store id …”), e.g. acme-shop.',
        type: 'text',
        required: true,
        rules: {
          maxLength: 64,
          pattern: '[a-z0-9][a-z0-9_-]*',
          patternMessage: 'Use lowercase letters, digits, - and _ only.',
        },
      },
    ],
  },
  oauth: {
    type: 'oauth2',
    properties: [
      {
        name: 'shop',
        displayName: 'Shop subdomain',
        description: 'Shown under the store name in your Demo Store admin (“shop subdomain …”), e.g. acme-shop.',
        type: 'text',
        required: true,
        rules: {
          maxLength: 63,
          pattern: '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?',
          patternMessage: 'Use lowercase letters, digits and - only.',
        },
      },
    ],
    authorizePath: `${DEMO_STORE_PATH}/oauth/authorize`,
    tokenPath: `${DEMO_STORE_PATH}/oauth/token`,
    revokePath: `${DEMO_STORE_PATH}/oauth/revoke`,
    clientId: EMBEDDED_CLIENT_ID,
    scopes: [...OAUTH_SCOPES],
  },
  async testCredential(ctx, credential) {
    const response = await call(ctx, credential, 'GET', storePath(credential), undefined, [403, 404]);
    if (response.status === 403) {
      throw new ConnectorError(
        'credential_invalid',
        `This API key belongs to another store than ${credential.storeId}.`,
        403,
        undefined,
        'apiKey',
      );
    }
    if (response.status === 404) {
      throw new ConnectorError(
        'credential_invalid',
        `There is no Demo Store with the id ${credential.storeId}.`,
        404,
        undefined,
        'storeId',
      );
    }
  },
  events: [
    orderEvent('order.created', 'A new order was placed in the store.'),
    orderEvent('order.updated', "An order's status changed."),
  ],
  actions: [
    {
      name: 'updateOrderStatus',
      description: "Sets an order's status (pending, paid, fulfilled, shipped or cancelled; any case).",
      inputs: [
        { name: 'orderId', required: true, description: 'The store’s order id (ord_...).' },
        { name: 'status', required: true, description: 'The new status.' },
      ],
      async run(ctx, credential, input) {
        const orderId = text(input, 'orderId');
        // The store's statuses are lowercase slugs; events often carry FULFILLED or Shipped.
        const status = text(input, 'status').toLowerCase();
        const response = await call(
          ctx,
          credential,
          'PATCH',
          storePath(credential, `/orders/${encodeURIComponent(orderId)}`),
          { status },
        );
        return response.json;
      },
    },
    {
      name: 'createCustomer',
      description: 'Adds a customer; if one with that email exists, returns it (so a retry creates no duplicate).',
      inputs: [
        { name: 'email', required: true, description: 'The customer’s email address.' },
        { name: 'name', required: true, description: 'The customer’s full name.' },
      ],
      async run(ctx, credential, input) {
        const email = text(input, 'email');
        const name = text(input, 'name');
        const created = await call(
          ctx,
          credential,
          'POST',
          storePath(credential, '/customers'),
          { email, name },
          [409],
        );
        if (created.status !== 409) return { ...(created.json as object), existing: false };
        const found = await call(
          ctx,
          credential,
          'GET',
          storePath(credential, `/customers?email=${encodeURIComponent(email)}&limit=1`),
        );
        const customer = (found.json as { data: unknown[] }).data[0];
        if (!customer) throw new ConnectorError('rejected', `The store refused the customer ${email}.`, 409);
        return { ...(customer as object), existing: true };
      },
    },
  ],
  optionLoaders: [
    {
      name: 'orderStatuses',
      description: "The store's order statuses.",
      async load(ctx, credential) {
        const response = await call(ctx, credential, 'GET', storePath(credential, '/order-statuses'));
        return (response.json as { data: { value: string; label: string }[] }).data.map((o) => ({
          value: o.value,
          label: o.label,
        }));
      },
    },
  ],
  credentialLabel: (data) => `Demo Store ${data.storeId ?? ''}`.trim(),
};
