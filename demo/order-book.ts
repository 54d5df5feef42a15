import * as z from 'zod/mini';

/**
 * The store orders AcmeCo knows of, per end user: the ones their Demo Store streamed to AcmeCo
 * (Stream Data, verified). The event console lists them, and an event naming an order is checked
 * against them before it is fired: an id AcmeCo never received is refused at once, instead of
 * being accepted and failing in the run. In memory, like the inbox (a restart forgets them).
 */

/** The part of a streamed Demo Store order AcmeCo keeps. */
const StreamedOrder = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(100)),
  number: z.optional(z.number()),
  status: z.optional(z.string()),
  customer: z.optional(z.object({ name: z.optional(z.string()) })),
  totalAmount: z.optional(z.number()),
  currency: z.optional(z.string()),
});

export interface KnownOrder {
  /** The store's order id (`ord_…`): what events name. */
  id: string;
  /** The number the store shows (`#1001`), when the store sent one. */
  number: number | null;
  /** The status AcmeCo last saw or set. */
  status: string | null;
  customerName: string | null;
  /** In minor units (cents). */
  totalAmount: number | null;
  currency: string | null;
  receivedAt: string;
}

/** Why an order reference does not name an order AcmeCo knows, in words for the person who typed it. */
export type OrderLookup = { order: KnownOrder } | { problem: string };

export class OrderBook {
  private readonly byUser = new Map<string, Map<string, KnownOrder>>();

  constructor(
    /** Orders kept per user (oldest dropped first). */
    private readonly perUser = 200,
    /** Users kept (least recently written dropped first): the map cannot grow without bound. */
    private readonly users = 10_000,
  ) {}

  /** Keeps the order in a verified Stream Data body (`{userId, data: order}`); ignores anything else. */
  record(userId: string, streamed: unknown, receivedAt: string): void {
    const parsed = StreamedOrder.safeParse(streamed);
    if (!parsed.success) return;
    const order = parsed.data;
    const orders = this.byUser.get(userId) ?? new Map<string, KnownOrder>();
    this.byUser.delete(userId);
    this.byUser.set(userId, orders);
    orders.delete(order.id);
    orders.set(order.id, {
      id: order.id,
      number: order.number ?? null,
      status: order.status ?? null,
      customerName: order.customer?.name ?? null,
      totalAmount: order.totalAmount ?? null,
      currency: order.currency ?? null,
      receivedAt,
    });
    while (orders.size > this.perUser) orders.delete(orders.keys().next().value!);
    while (this.byUser.size > this.users) this.byUser.delete(this.byUser.keys().next().value!);
  }

  /** The user's orders, newest first. */
  list(userId: string): KnownOrder[] {
    return [...(this.byUser.get(userId)?.values() ?? [])].reverse();
  }

  /** The order `reference` names: its id, or (to explain the mistake) its number. */
  lookup(userId: string, reference: string): OrderLookup {
    const orders = this.byUser.get(userId);
    const order = orders?.get(reference);
    if (order) return { order };
    const number = /^#?(\d+)$/.exec(reference.trim())?.[1];
    const byNumber = number === undefined ? undefined : this.list(userId).find((o) => String(o.number) === number);
    if (byNumber) {
      return {
        problem: `"${reference}" is the number of order #${byNumber.number}; the event needs the order's id, ${byNumber.id}. Pick the order from the list.`,
      };
    }
    return {
      problem:
        orders && orders.size > 0
          ? `AcmeCo has received no order "${reference}" from your Demo Store. Pick one of the ${orders.size} orders in the list.`
          : `AcmeCo has received no orders from your Demo Store yet: install Demo Store, create an order in the Demo Store admin, then pick it here.`,
    };
  }

  /** What AcmeCo last set an order's status to (its fulfilment event was accepted). */
  setStatus(userId: string, orderId: string, status: string): void {
    const order = this.byUser.get(userId)?.get(orderId);
    if (order) order.status = status;
  }
}
