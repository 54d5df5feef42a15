import { DomainError, notFound } from '../server/platform/errors.js';
import * as repo from './commerce-repository.js';
import type { CustomerRow, OrderRow } from './commerce-repository.js';
import { randomId } from './crypto.js';
import { inSandboxTransaction, type SandboxConn, type SandboxDatabase } from './db.js';
import { ORDER_STATUSES, type CreateOrderRequest, type CustomerInput, type OrderStatus } from './schemas.js';
import { takeOrderNumber } from './store-repository.js';
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
    private readonly database: SandboxDatabase,
    private readonly webhooks: WebhookService,
  ) {}

  async listCustomers(
    storeId: string,
    options: { limit: number; cursor?: string; email?: string },
  ): Promise<Page<Customer>> {
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, isCustomerCursor);
    const rows = await repo.listCustomers(this.database, storeId, {
      limit: options.limit + 1,
      ...(options.email !== undefined ? { email: options.email } : {}),
      ...(after ? { after } : {}),
    });
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return {
      data: page.map(toCustomer),
      nextCursor: rows.length > options.limit && last ? encodeCursor({ t: last.created_at, id: last.id }) : null,
    };
  }

  async requireCustomer(storeId: string, customerId: string, conn: SandboxConn = this.database): Promise<Customer> {
    const row = await repo.findCustomer(conn, storeId, { id: customerId });
    if (!row) throw notFound(`Customer ${customerId}`);
    return toCustomer(row);
  }

  async createCustomer(storeId: string, input: CustomerInput): Promise<Customer> {
    const row = newCustomerRow(storeId, input);
    if (!(await repo.insertCustomerIfAbsent(this.database, row))) {
      throw new DomainError('conflict', `A customer with the email ${input.email} already exists in this store.`);
    }
    return toCustomer(row);
  }

  async listOrders(
    storeId: string,
    options: { limit: number; cursor?: string; status?: OrderStatus },
  ): Promise<Page<Order>> {
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, isOrderCursor);
    const rows = await repo.listOrders(this.database, storeId, {
      limit: options.limit + 1,
      ...(options.status !== undefined ? { status: options.status } : {}),
      ...(after ? { beforeNumber: after.n } : {}),
    });
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return {
      data: page.map(toOrder),
      nextCursor: rows.length > options.limit && last ? encodeCursor({ n: last.number }) : null,
    };
  }

  async requireOrder(storeId: string, orderId: string, conn: SandboxConn = this.database): Promise<Order> {
    const row = await repo.findOrder(conn, storeId, orderId);
    if (!row) throw notFound(`Order ${orderId}`);
    return toOrder(row);
  }

  /**
   * Creates the order (and its customer when given by email) and records an `order.created`
   * delivery for each subscription, all in one transaction; deliveries start after the commit.
   */
  async createOrder(storeId: string, input: CreateOrderRequest): Promise<Order> {
    const { order, deliveries } = await inSandboxTransaction(this.database, async (trx) => {
      const customer = input.customerId
        ? await this.requireCustomer(storeId, input.customerId, trx)
        : await this.findOrCreateCustomer(trx, storeId, input.customer!);
      const number = await takeOrderNumber(trx, storeId);
      if (number === undefined) throw notFound(`Store ${storeId}`);
      const items: OrderItem[] = input.items.map((item) => ({
        name: item.name,
        sku: item.sku || null,
        quantity: item.quantity,
        unitPrice: item.unitPrice,
      }));
      const now = new Date().toISOString();
      const id = randomId('ord');
      await repo.insertOrder(trx, {
        id,
        store_id: storeId,
        number,
        customer_id: customer.id,
        status: 'pending',
        currency: input.currency,
        total_amount: items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0),
        items: JSON.stringify(items),
        note: input.note || null,
        created_at: now,
        updated_at: now,
      });
      const created = await this.requireOrder(storeId, id, trx);
      const ids = await this.webhooks.enqueue(trx, storeId, 'order.created', {
        topic: 'order.created',
        storeId,
        order: created,
      });
      return { order: created, deliveries: ids };
    });
    this.webhooks.dispatch(deliveries);
    return order;
  }

  /**
   * Moves an order to `status`; setting the status it already has changes nothing. The move is one
   * conditional UPDATE (only from the statuses that may become `status`), so two changes at once
   * cannot both pass the check against the same old status.
   */
  async updateOrderStatus(storeId: string, orderId: string, status: OrderStatus): Promise<Order> {
    const { order, deliveries } = await inSandboxTransaction(this.database, async (trx) => {
      const from = ORDER_STATUSES.filter((current) => current !== status && canChangeStatus(current, status));
      const moved = await repo.moveOrderStatus(trx, storeId, orderId, from, status, new Date().toISOString());
      const current = await this.requireOrder(storeId, orderId, trx);
      if (!moved) {
        if (current.status === status) return { order: current, deliveries: [] };
        throw new DomainError(
          'conflict',
          `Order #${current.number} is ${current.status}; it cannot become ${status}. Orders move forward ` +
            '(pending → paid → fulfilled → shipped) and can be cancelled until they ship.',
        );
      }
      const ids = await this.webhooks.enqueue(trx, storeId, 'order.updated', {
        topic: 'order.updated',
        storeId,
        order: current,
      });
      return { order: current, deliveries: ids };
    });
    this.webhooks.dispatch(deliveries);
    return order;
  }

  /** Insert-if-absent, then read: two orders naming one new email make one customer. */
  private async findOrCreateCustomer(trx: SandboxConn, storeId: string, input: CustomerInput): Promise<Customer> {
    await repo.insertCustomerIfAbsent(trx, newCustomerRow(storeId, input));
    const row = await repo.findCustomer(trx, storeId, { email: input.email });
    return toCustomer(row!);
  }
}

const newCustomerRow = (storeId: string, input: CustomerInput): CustomerRow => ({
  id: randomId('cus'),
  store_id: storeId,
  email: input.email,
  name: input.name,
  created_at: new Date().toISOString(),
});
