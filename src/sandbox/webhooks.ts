import type { FastifyBaseLogger } from 'fastify';
import { DomainError, notFound } from '../server/platform/errors.js';
import { OutboundError, type OutboundHttp } from '../server/platform/outbound-http.js';
import { randomCredential, randomId } from './crypto.js';
import type { SandboxConn, SandboxDatabase } from './db.js';
import * as repo from './webhook-repository.js';
import type { DeliveryRow, SubscriptionRow } from './webhook-repository.js';
import type { WebhookTopic } from './schemas.js';
import { SIGNATURE_HEADER, signDemoStoreWebhook } from './webhook-signature.js';

export interface WebhookSubscription {
  id: string;
  storeId: string;
  url: string;
  topic: WebhookTopic;
  createdAt: string;
}

/** Returned when a subscription is created or read one by one: receivers need it to verify. */
export interface WebhookSubscriptionWithSecret extends WebhookSubscription {
  secret: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDelivery {
  id: string;
  webhookId: string | null;
  topic: WebhookTopic;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  responseStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookDeliveryOptions {
  /** Waits before each retry; its length is the number of retries after the first attempt. */
  retryDelaysMs: readonly number[];
  /** Per attempt; a receiver slower than this counts as failed. */
  timeoutMs: number;
}

export const DEFAULT_DELIVERY_OPTIONS: WebhookDeliveryOptions = {
  retryDelaysMs: [1_000, 5_000, 30_000],
  timeoutMs: 10_000,
};

/** Where this server receives app events (POST /webhooks/:workflowId/:userId). */
const RECEIVER_PATH_PREFIX = '/webhooks/';

/** Finished deliveries are kept this long for the dashboard, then pruned. */
const DELIVERY_HISTORY_MS = 7 * 24 * 3600_000;

const toSubscription = (row: SubscriptionRow): WebhookSubscription => ({
  id: row.id,
  storeId: row.store_id,
  url: row.url,
  topic: row.topic as WebhookTopic,
  createdAt: row.created_at,
});

const toDelivery = (row: DeliveryRow): WebhookDelivery => ({
  id: row.id,
  webhookId: row.webhook_id,
  topic: row.topic as WebhookTopic,
  url: row.url,
  status: row.status,
  attempts: row.attempts,
  responseStatus: row.response_status,
  lastError: row.last_error,
  nextAttemptAt: row.next_attempt_at === null ? null : new Date(row.next_attempt_at).toISOString(),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/**
 * Webhook subscriptions and their deliveries. Deliveries are written in the same transaction as
 * the change they announce (an outbox), then sent in the background: the API call that caused
 * them never waits for a receiver. A delivery still pending when the server stops is resumed on
 * the next start.
 */
export class WebhookService {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Map<string, AbortController>();
  /** Attempts running now, so closing can wait for them before the database goes away. */
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly database: SandboxDatabase,
    private readonly options: WebhookDeliveryOptions,
    /** The process's guarded client: a subscription's URL is whatever an API client registered. */
    private readonly http: OutboundHttp,
    private readonly log: FastifyBaseLogger,
  ) {}

  async create(storeId: string, url: string, topic: WebhookTopic): Promise<WebhookSubscriptionWithSecret> {
    const row: SubscriptionRow = {
      id: randomId('wh'),
      store_id: storeId,
      url,
      topic,
      secret: randomCredential('dswhsec'),
      created_at: new Date().toISOString(),
    };
    if (!(await repo.insertSubscriptionIfAbsent(this.database, row))) {
      throw new DomainError('conflict', `This store already sends ${topic} to that URL.`);
    }
    return { ...toSubscription(row), secret: row.secret };
  }

  async list(storeId: string): Promise<WebhookSubscription[]> {
    return (await repo.listSubscriptions(this.database, storeId)).map(toSubscription);
  }

  async require(storeId: string, webhookId: string): Promise<WebhookSubscriptionWithSecret> {
    const row = await repo.findSubscription(this.database, storeId, webhookId);
    if (!row) throw notFound(`Webhook subscription ${webhookId}`);
    return { ...toSubscription(row), secret: row.secret };
  }

  async delete(storeId: string, webhookId: string): Promise<void> {
    if (!(await repo.deleteSubscription(this.database, storeId, webhookId))) {
      throw notFound(`Webhook subscription ${webhookId}`);
    }
  }

  async recentDeliveries(storeId: string, limit: number): Promise<WebhookDelivery[]> {
    return (await repo.recentDeliveries(this.database, storeId, limit)).map(toDelivery);
  }

  /**
   * Records one pending delivery per subscription to `topic`. Call inside the transaction that
   * makes the change (`trx`), then hand the ids to `dispatch` after it commits.
   */
  async enqueue(trx: SandboxConn, storeId: string, topic: WebhookTopic, payload: unknown): Promise<string[]> {
    const subscriptions = await repo.listSubscriptions(trx, storeId, topic);
    const body = JSON.stringify(payload);
    const now = new Date().toISOString();
    await repo.pruneFinishedDeliveries(trx, new Date(Date.now() - DELIVERY_HISTORY_MS).toISOString());
    const rows: DeliveryRow[] = subscriptions.map((subscription) => ({
      id: randomId('whd'),
      webhook_id: subscription.id,
      store_id: storeId,
      topic,
      url: subscription.url,
      payload: body,
      status: 'pending',
      attempts: 0,
      response_status: null,
      last_error: null,
      next_attempt_at: Date.now(),
      created_at: now,
      updated_at: now,
    }));
    await repo.insertDeliveries(trx, rows);
    return rows.map((row) => row.id);
  }

  dispatch(deliveryIds: readonly string[]): void {
    for (const id of deliveryIds) this.schedule(id, 0);
  }

  /** Picks up deliveries left pending by a previous run. */
  async resumePending(): Promise<void> {
    const rows = await repo.pendingDeliveries(this.database);
    const now = Date.now();
    for (const row of rows) this.schedule(row.id, Math.max(0, (row.next_attempt_at ?? now) - now));
  }

  /** Stops scheduling and aborts attempts in flight; unfinished deliveries stay pending in the database. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight.values()) controller.abort();
    await Promise.allSettled([...this.running]);
  }

  private schedule(id: string, delayMs: number): void {
    if (this.closed || this.timers.has(id) || this.inFlight.has(id)) return;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      const run = this.attempt(id)
        .catch((error: unknown) => this.log.error({ err: error, deliveryId: id }, 'webhook attempt'))
        .finally(() => this.running.delete(run));
      this.running.add(run);
    }, delayMs);
    timer.unref();
    this.timers.set(id, timer);
  }

  private async attempt(id: string): Promise<void> {
    if (this.closed) return;
    const row = await repo.pendingDeliveryWithSecret(this.database, id);
    if (!row) return;
    if (row.secret === null) {
      await this.finish(id, row.attempts, 'failed', null, 'The subscription was deleted before delivery.');
      return;
    }

    const controller = new AbortController();
    this.inFlight.set(id, controller);
    let responseStatus: number | null = null;
    let error: string | null = null;
    let refused = false;
    try {
      // Redirects are not followed: that would post order data elsewhere. The only paths of this
      // server a subscription may reach are the app-event receivers, whatever the private-target
      // policy; any other address gets the policy, so a store webhook cannot probe the network.
      const response = await this.http.send(
        {
          method: 'POST',
          url: row.url,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'DemoStore-Webhooks/1.0',
            'x-demo-store-topic': row.topic,
            'x-demo-store-store-id': row.store_id,
            'x-demo-store-delivery-id': row.id,
            [SIGNATURE_HEADER]: signDemoStoreWebhook(row.secret, row.payload, Math.floor(Date.now() / 1000)),
          },
          body: row.payload,
          timeoutMs: this.options.timeoutMs,
          signal: controller.signal,
          maxResponseBytes: 1024,
        },
        { ownPathPrefixes: [RECEIVER_PATH_PREFIX] },
      );
      responseStatus = response.status;
      if (response.status < 200 || response.status >= 300) error = `The receiver answered ${response.status}.`;
    } catch (cause) {
      refused = cause instanceof OutboundError && (cause.failure === 'refused' || cause.failure === 'invalid_url');
      error =
        cause instanceof OutboundError && cause.failure === 'timeout'
          ? `No answer within ${this.options.timeoutMs} ms.`
          : cause instanceof OutboundError && cause.failure === 'refused'
            ? 'The webhook URL is not an allowed address.'
            : `Could not reach the receiver: ${cause instanceof Error ? cause.message : String(cause)}`;
    } finally {
      this.inFlight.delete(id);
    }
    // Shutting down: the attempt did not finish, so it is not counted and resumes on the next start.
    if (this.closed) return;

    const attempts = row.attempts + 1;
    if (error === null) {
      await this.finish(id, attempts, 'succeeded', responseStatus, null);
      return;
    }
    const retryDelay = this.options.retryDelaysMs[attempts - 1];
    // A refused address stays refused: no retries.
    if (retryDelay === undefined || refused) {
      await this.finish(id, attempts, 'failed', responseStatus, error);
      return;
    }
    // Jitter spreads retries of a burst of deliveries to a receiver that just came back.
    const delay = Math.round(retryDelay * (0.5 + Math.random() * 0.5));
    await repo.updatePendingDelivery(this.database, id, {
      attempts,
      response_status: responseStatus,
      last_error: error,
      next_attempt_at: Date.now() + delay,
      updated_at: new Date().toISOString(),
    });
    this.schedule(id, delay);
  }

  private async finish(
    id: string,
    attempts: number,
    status: 'succeeded' | 'failed',
    responseStatus: number | null,
    error: string | null,
  ): Promise<void> {
    await repo.updatePendingDelivery(this.database, id, {
      status,
      attempts,
      response_status: responseStatus,
      last_error: error,
      next_attempt_at: null,
      updated_at: new Date().toISOString(),
    });
  }
}
