import * as z from 'zod/mini';

/** Order lifecycle. Orders move forward (steps may be skipped) or are cancelled before shipping. */
export const ORDER_STATUSES = ['pending', 'paid', 'fulfilled', 'shipped', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const ORDER_STATUS_LABELS: Record<OrderStatus, string> = {
  pending: 'Pending',
  paid: 'Paid',
  fulfilled: 'Fulfilled',
  shipped: 'Shipped',
  cancelled: 'Cancelled',
};

export const WEBHOOK_TOPICS = ['order.created', 'order.updated'] as const;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];

export const OAUTH_SCOPES = [
  'orders:read',
  'orders:write',
  'customers:read',
  'customers:write',
  'webhooks:read',
  'webhooks:write',
] as const;
export type OAuthScope = (typeof OAUTH_SCOPES)[number];
export const SCOPE_DESCRIPTIONS: Record<OAuthScope, string> = {
  'orders:read': 'See your orders and their statuses',
  'orders:write': 'Create orders and change their status',
  'customers:read': 'See your customers',
  'customers:write': 'Add customers',
  'webhooks:read': 'See its notification subscriptions',
  'webhooks:write': 'Subscribe to and unsubscribe from notifications about new orders',
};

export const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD'] as const;

const MAX_PAGE = 100;

const trimmed = (max: number, label: string) =>
  z.string().check(z.trim(), z.minLength(1, `${label} is required`), z.maxLength(max, `${label} is too long`));

export const StoreIdParam = z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'not a valid store id'));
const ResourceIdParam = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a valid id'));

export const StoreParams = z.strictObject({ storeId: StoreIdParam });
export const OrderParams = z.strictObject({ storeId: StoreIdParam, orderId: ResourceIdParam });
export const CustomerParams = z.strictObject({ storeId: StoreIdParam, customerId: ResourceIdParam });
export const WebhookParams = z.strictObject({ storeId: StoreIdParam, webhookId: ResourceIdParam });

const Limit = z.optional(
  z.string().check(
    z.regex(/^\d{1,3}$/, 'limit must be a whole number'),
    z.refine((v) => Number(v) >= 1 && Number(v) <= MAX_PAGE, `limit must be between 1 and ${MAX_PAGE}`),
  ),
);
const Cursor = z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,200}$/, 'cursor is not valid')));

export const ListOrdersQuery = z.strictObject({
  limit: Limit,
  cursor: Cursor,
  status: z.optional(z.enum(ORDER_STATUSES)),
});
export const ListCustomersQuery = z.strictObject({
  limit: Limit,
  cursor: Cursor,
  email: z.optional(z.string().check(z.trim(), z.maxLength(320))),
});
export const ListDeliveriesQuery = z.strictObject({ limit: Limit });

export const Email = z.email('email must be an email address').check(z.maxLength(320));
export const CustomerInput = z.strictObject({
  email: Email,
  name: trimmed(200, 'name'),
});
export type CustomerInput = z.infer<typeof CustomerInput>;

export const OrderItemInput = z.strictObject({
  name: trimmed(200, 'item name'),
  sku: z.optional(z.string().check(z.trim(), z.maxLength(64))),
  quantity: z.int('quantity must be a whole number').check(z.minimum(1), z.maximum(1000)),
  /** Minor units (cents), so totals are exact. */
  unitPrice: z.int('unitPrice must be a whole number of cents').check(z.minimum(0), z.maximum(100_000_000)),
});
export type OrderItemInput = z.infer<typeof OrderItemInput>;

export const CreateOrderRequest = z
  .strictObject({
    customerId: z.optional(ResourceIdParam),
    customer: z.optional(CustomerInput),
    items: z.array(OrderItemInput).check(z.minLength(1, 'an order needs at least one item'), z.maxLength(50)),
    currency: z._default(z.enum(CURRENCIES), 'USD'),
    note: z.optional(z.string().check(z.trim(), z.maxLength(500))),
  })
  .check(
    z.refine((order) => (order.customerId === undefined) !== (order.customer === undefined), {
      message: 'give either customerId or customer {email, name}, not both',
      path: ['customer'],
    }),
  );
export type CreateOrderRequest = z.infer<typeof CreateOrderRequest>;

export const UpdateOrderRequest = z.strictObject({
  status: z.enum(ORDER_STATUSES, `status must be one of ${ORDER_STATUSES.join(', ')}`),
});

const parseUrl = (value: string): URL | undefined => {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
};

/** Only web URLs, with no embedded credentials: the store posts order data to them. */
export const WebhookUrl = z.string().check(
  z.maxLength(2048, 'url is too long'),
  z.refine((value) => {
    const url = parseUrl(value);
    return /^https?:\/\/[^/]/i.test(value) && url !== undefined && url.hostname !== '';
  }, 'url must be an absolute http(s) URL'),
  z.refine((value) => {
    const url = parseUrl(value);
    return url === undefined || (url.username === '' && url.password === '' && url.hash === '');
  }, 'url must not contain credentials or a fragment'),
);

export const CreateWebhookRequest = z.strictObject({
  url: WebhookUrl,
  topic: z.enum(WEBHOOK_TOPICS, `topic must be one of ${WEBHOOK_TOPICS.join(', ')}`),
});

export const CreateStoreRequest = z.strictObject({
  name: trimmed(100, 'name'),
  subdomain: z
    .string()
    .check(
      z.trim(),
      z.toLowerCase(),
      z.regex(
        /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
        'subdomain must be lowercase letters, digits and hyphens, not starting or ending with a hyphen',
      ),
    ),
});

/** The dashboard's sign-in: the shop subdomain and that store's owner secret. */
export const OwnerSignInRequest = z.strictObject({
  shop: z.string().check(z.trim(), z.toLowerCase(), z.minLength(1, 'shop is required'), z.maxLength(63)),
  secret: z.string().check(z.minLength(1, 'secret is required'), z.maxLength(200)),
});
