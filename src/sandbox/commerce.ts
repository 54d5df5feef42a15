import type { Db } from '../server/platform/db/sqlite.js';
import { DomainError } from '../server/platform/errors.js';
import { randomId } from './crypto.js';
import type { CreateOrderRequest, CustomerInput, OrderStatus } from './schemas.js';
import type { WebhookService } from './webhooks.js';

export interface Customer {
  id: string;
  email: string;
  name: string;
  createdAt: string;
}

export interface OrderItem {
  name: string;
  sku: string | null;
  quantity: number;
  /** Minor units (cents). */
  unitPrice: number;
}

export interface Order {
  id: string;
  storeId: string;
  /** Human-facing order number, per store, from 1001. */
  number: number;
  status: OrderStatus;
  customer: Customer;
  items: OrderItem[];
  currency: string;
  /** Minor units (cents): the sum of quantity × unitPrice. */
  totalAmount: number;
  note: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Page<T> {
  data: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

interface CustomerRow {
  id: string;
  store_id: string;
  email: string;
  name: string;
  created_at: string;
}

interface OrderRow {
  id: string;
  store_id: string;
  number: number;
  status: OrderStatus;
  currency: string;
  total_amount: number;
  items: string;
  note: string | null;
  created_at: string;
  updated_at: string;
  customer_id: string;
  customer_email: string;
  customer_name: string;
  customer_created_at: string;
}

const toCustomer = (row: CustomerRow): Customer => ({
  id: row.id,
  email: row.email,
  name: row.name,
  createdAt: row.created_at,
});

const toOrder = (row: OrderRow): Order => ({
  id: row.id,
  storeId: row.store_id,
  number: row.number,
  status: row.status,
  customer: {
    id: row.customer_id,
    email: row.customer_email,
    name: row.customer_name,
    createdAt: row.customer_created_at,
  },
  items: JSON.parse(row.items) as OrderItem[],
  currency: row.currency,
  totalAmount: row.total_amount,
  note: row.note,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const ORDER_SELECT = `
  SELECT o.*, c.email AS customer_email, c.name AS customer_name, c.created_at AS customer_created_at
  FROM sandbox_orders o JOIN sandbox_customers c ON c.id = o.customer_id`;

/** Forward steps; an order may skip steps but never go back. */
const STATUS_RANK: Record<Exclude<OrderStatus, 'cancelled'>, number> = {
  pending: 0,
  paid: 1,
  fulfilled: 2,
  shipped: 3,
};

export function canChangeStatus(from: OrderStatus, to: OrderStatus): boolean {
  if (from === to) return true;
  if (from === 'cancelled' || from === 'shipped') return false;
  return to === 'cancelled' || STATUS_RANK[to] > STATUS_RANK[from];
}

const badCursor = (): DomainError => new DomainError('validation_failed', 'The cursor is not valid for this list.');

function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeCursor<T>(cursor: string, check: (value: unknown) => value is T): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (check(value)) return value;
  } catch {
    // falls through to the error below
  }
  throw badCursor();
}

const isOrderCursor = (value: unknown): value is { n: number } =>
  typeof value === 'object' && value !== null && Number.isSafeInteger((value as { n: unknown }).n);
const isCustomerCursor = (value: unknown): value is { t: string; id: string } =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { t: unknown }).t === 'string' &&
  typeof (value as { id: unknown }).id === 'string';

/** Customers and orders of the sandbox stores. Every method takes the store id the caller may act on. */
export class CommerceService {
  constructor(
    private readonly db: Db,
    private readonly webhooks: WebhookService,
  ) {}

  listCustomers(storeId: string, options: { limit: number; cursor?: string; email?: string }): Page<Customer> {
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, isCustomerCursor);
    const rows = this.db
      .prepare(
        `SELECT * FROM sandbox_customers
         WHERE store_id = @storeId
           AND (@email IS NULL OR email = @email)
           AND (@t IS NULL OR created_at < @t OR (created_at = @t AND id < @id))
         ORDER BY created_at DESC, id DESC LIMIT @limit`,
      )
      .all({
        storeId,
        email: options.email ?? null,
        t: after?.t ?? null,
        id: after?.id ?? null,
        limit: options.limit + 1,
      }) as CustomerRow[];
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return {
      data: page.map(toCustomer),
      nextCursor: rows.length > options.limit && last ? encodeCursor({ t: last.created_at, id: last.id }) : null,
    };
  }

  requireCustomer(storeId: string, customerId: string): Customer {
    const row = this.db
      .prepare('SELECT * FROM sandbox_customers WHERE store_id = ? AND id = ?')
      .get(storeId, customerId) as CustomerRow | undefined;
    if (!row) throw new DomainError('not_found', `Customer ${customerId} was not found.`);
    return toCustomer(row);
  }

  createCustomer(storeId: string, input: CustomerInput): Customer {
    const row: CustomerRow = {
      id: randomId('cus'),
      store_id: storeId,
      email: input.email,
      name: input.name,
      created_at: new Date().toISOString(),
    };
    const inserted = this.db
      .prepare(
        `INSERT INTO sandbox_customers (id, store_id, email, name, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (store_id, email) DO NOTHING`,
      )
      .run(row.id, storeId, row.email, row.name, row.created_at);
    if (inserted.changes === 0) {
      throw new DomainError('conflict', `A customer with the email ${input.email} already exists in this store.`);
    }
    return toCustomer(row);
  }

  listOrders(storeId: string, options: { limit: number; cursor?: string; status?: OrderStatus }): Page<Order> {
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, isOrderCursor);
    const rows = this.db
      .prepare(
        `${ORDER_SELECT}
         WHERE o.store_id = @storeId AND (@status IS NULL OR o.status = @status) AND (@n IS NULL OR o.number < @n)
         ORDER BY o.number DESC LIMIT @limit`,
      )
      .all({ storeId, status: options.status ?? null, n: after?.n ?? null, limit: options.limit + 1 }) as OrderRow[];
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return {
      data: page.map(toOrder),
      nextCursor: rows.length > options.limit && last ? encodeCursor({ n: last.number }) : null,
    };
  }

  requireOrder(storeId: string, orderId: string): Order {
    const row = this.db.prepare(`${ORDER_SELECT} WHERE o.store_id = ? AND o.id = ?`).get(storeId, orderId) as
      OrderRow | undefined;
    if (!row) throw new DomainError('not_found', `Order ${orderId} was not found.`);
    return toOrder(row);
  }

  /**
   * Creates the order (and its customer when given by email) and records an `order.created`
   * delivery for each subscription, all in one transaction; deliveries start after the commit.
   */
  createOrder(storeId: string, input: CreateOrderRequest): Order {
    const { order, deliveries } = this.db.transaction(() => {
      const customer = input.customerId
        ? this.requireCustomer(storeId, input.customerId)
        : this.findOrCreateCustomer(storeId, input.customer!);
      const { next_order_number: number } = this.db
        .prepare(
          'UPDATE sandbox_stores SET next_order_number = next_order_number + 1 WHERE id = ? RETURNING next_order_number - 1 AS next_order_number',
        )
        .get(storeId) as { next_order_number: number };
      const items: OrderItem[] = input.items.map((item) => ({
        name: item.name,
        sku: item.sku || null,
        quantity: item.quantity,
        unitPrice: item.unitPrice,
      }));
      const now = new Date().toISOString();
      const id = randomId('ord');
      this.db
        .prepare(
          `INSERT INTO sandbox_orders
             (id, store_id, number, customer_id, status, currency, total_amount, items, note, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          storeId,
          number,
          customer.id,
          input.currency,
          items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0),
          JSON.stringify(items),
          input.note || null,
          now,
          now,
        );
      const created = this.requireOrder(storeId, id);
      const ids = this.webhooks.enqueue(storeId, 'order.created', { topic: 'order.created', storeId, order: created });
      return { order: created, deliveries: ids };
    })();
    this.webhooks.dispatch(deliveries);
    return order;
  }

  /** Moves an order to `status`; setting the status it already has changes nothing. */
  updateOrderStatus(storeId: string, orderId: string, status: OrderStatus): Order {
    const { order, deliveries } = this.db.transaction(() => {
      const current = this.requireOrder(storeId, orderId);
      if (current.status === status) return { order: current, deliveries: [] };
      if (!canChangeStatus(current.status, status)) {
        throw new DomainError('conflict',
          `Order #${current.number} is ${current.status}; it cannot become ${status}. Orders move forward ` +
            '(pending → paid → fulfilled → shipped) and can be cancelled until they ship.',
        );
      }
      this.db
        .prepare('UPDATE sandbox_orders SET status = ?, updated_at = ? WHERE id = ?')
        .run(status, new Date().toISOString(), orderId);
      const updated = this.requireOrder(storeId, orderId);
      const ids = this.webhooks.enqueue(storeId, 'order.updated', { topic: 'order.updated', storeId, order: updated });
      return { order: updated, deliveries: ids };
    })();
    this.webhooks.dispatch(deliveries);
    return order;
  }

  private findOrCreateCustomer(storeId: string, input: CustomerInput): Customer {
    const existing = this.db
      .prepare('SELECT * FROM sandbox_customers WHERE store_id = ? AND email = ?')
      .get(storeId, input.email) as CustomerRow | undefined;
    return existing ? toCustomer(existing) : this.createCustomer(storeId, input);
  }
}
