import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../server/platform/db/sqlite.js';
import { DomainError } from '../server/platform/errors.js';
import { OutboundError, type OutboundHttp } from '../server/platform/outbound-http.js';
import { randomCredential, randomId } from './crypto.js';
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

interface SubscriptionRow {
  id: string;
  store_id: string;
  url: string;
  topic: WebhookTopic;
  secret: string;
  created_at: string;
}

interface DeliveryRow {
  id: string;
  webhook_id: string | null;
  store_id: string;
  topic: WebhookTopic;
  url: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  response_status: number | null;
  last_error: string | null;
  next_attempt_at: number | null;
  created_at: string;
  updated_at: string;
}

const toSubscription = (row: SubscriptionRow): WebhookSubscription => ({
  id: row.id,
  storeId: row.store_id,
  url: row.url,
  topic: row.topic,
  createdAt: row.created_at,
});

const toDelivery = (row: DeliveryRow): WebhookDelivery => ({
  id: row.id,
  webhookId: row.webhook_id,
  topic: row.topic,
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
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly options: WebhookDeliveryOptions,
    /** The process's guarded client: a subscription's URL is whatever an API client registered. */
    private readonly http: OutboundHttp,
    private readonly log: FastifyBaseLogger,
  ) {}

  create(storeId: string, url: string, topic: WebhookTopic): WebhookSubscriptionWithSecret {
    const row: SubscriptionRow = {
      id: randomId('wh'),
      store_id: storeId,
      url,
      topic,
      secret: randomCredential('dswhsec'),
      created_at: new Date().toISOString(),
    };
    const inserted = this.db
      .prepare(
        `INSERT INTO sandbox_webhooks (id, store_id, url, topic, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (store_id, topic, url) DO NOTHING`,
      )
      .run(row.id, storeId, url, topic, row.secret, row.created_at);
    if (inserted.changes === 0) {
      throw new DomainError('conflict', `This store already sends ${topic} to that URL.`);
    }
    return { ...toSubscription(row), secret: row.secret };
  }

  list(storeId: string): WebhookSubscription[] {
    const rows = this.db
      .prepare('SELECT * FROM sandbox_webhooks WHERE store_id = ? ORDER BY created_at, id')
      .all(storeId) as SubscriptionRow[];
    return rows.map(toSubscription);
  }

  require(storeId: string, webhookId: string): WebhookSubscriptionWithSecret {
    const row = this.db
      .prepare('SELECT * FROM sandbox_webhooks WHERE store_id = ? AND id = ?')
      .get(storeId, webhookId) as SubscriptionRow | undefined;
    if (!row) throw new DomainError('not_found', `Webhook subscription ${webhookId} was not found.`);
    return { ...toSubscription(row), secret: row.secret };
  }

  delete(storeId: string, webhookId: string): void {
    const deleted = this.db
      .prepare('DELETE FROM sandbox_webhooks WHERE store_id = ? AND id = ?')
      .run(storeId, webhookId);
    if (deleted.changes === 0) throw new DomainError('not_found', `Webhook subscription ${webhookId} was not found.`);
  }

  recentDeliveries(storeId: string, limit: number): WebhookDelivery[] {
    const rows = this.db
      .prepare(
        'SELECT * FROM sandbox_webhook_deliveries WHERE store_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
      )
      .all(storeId, limit) as DeliveryRow[];
    return rows.map(toDelivery);
  }

  /**
   * Records one pending delivery per subscription to `topic`. Call inside the transaction that
   * makes the change, then hand the ids to `dispatch` after it commits.
   */
  enqueue(storeId: string, topic: WebhookTopic, payload: unknown): string[] {
    const subscriptions = this.db
      .prepare('SELECT id, url FROM sandbox_webhooks WHERE store_id = ? AND topic = ?')
      .all(storeId, topic) as { id: string; url: string }[];
    const body = JSON.stringify(payload);
    const now = new Date().toISOString();
    this.db
      .prepare("DELETE FROM sandbox_webhook_deliveries WHERE status != 'pending' AND created_at < ?")
      .run(new Date(Date.now() - DELIVERY_HISTORY_MS).toISOString());
    const insert = this.db.prepare(
      `INSERT INTO sandbox_webhook_deliveries
         (id, webhook_id, store_id, topic, url, payload, status, attempts, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
    );
    return subscriptions.map((subscription) => {
      const id = randomId('whd');
      insert.run(id, subscription.id, storeId, topic, subscription.url, body, Date.now(), now, now);
      return id;
    });
  }

  dispatch(deliveryIds: readonly string[]): void {
    for (const id of deliveryIds) this.schedule(id, 0);
  }

  /** Picks up deliveries left pending by a previous run. */
  resumePending(): void {
    const rows = this.db
      .prepare("SELECT id, next_attempt_at FROM sandbox_webhook_deliveries WHERE status = 'pending'")
      .all() as { id: string; next_attempt_at: number | null }[];
    const now = Date.now();
    for (const row of rows) this.schedule(row.id, Math.max(0, (row.next_attempt_at ?? now) - now));
  }

  /** Stops scheduling and aborts attempts in flight; unfinished deliveries stay pending in the database. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight.values()) controller.abort();
  }

  private schedule(id: string, delayMs: number): void {
    if (this.closed || this.timers.has(id) || this.inFlight.has(id)) return;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      void this.attempt(id).catch((error: unknown) =>
        this.log.error({ err: error, deliveryId: id }, 'webhook attempt'),
      );
    }, delayMs);
    timer.unref();
    this.timers.set(id, timer);
  }

  private async attempt(id: string): Promise<void> {
    if (this.closed) return;
    const row = this.db
      .prepare(
        `SELECT d.*, w.secret AS secret FROM sandbox_webhook_deliveries d
         LEFT JOIN sandbox_webhooks w ON w.id = d.webhook_id
         WHERE d.id = ? AND d.status = 'pending'`,
      )
      .get(id) as (DeliveryRow & { secret: string | null }) | undefined;
    if (!row) return;
    if (row.secret === null) {
      this.finish(id, row.attempts, 'failed', null, 'The subscription was deleted before delivery.');
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
      this.finish(id, attempts, 'succeeded', responseStatus, null);
      return;
    }
    const retryDelay = this.options.retryDelaysMs[attempts - 1];
    // A refused address stays refused: no retries.
    if (retryDelay === undefined || refused) {
      this.finish(id, attempts, 'failed', responseStatus, error);
      return;
    }
    // Jitter spreads retries of a burst of deliveries to a receiver that just came back.
    const delay = Math.round(retryDelay * (0.5 + Math.random() * 0.5));
    this.db
      .prepare(
        `UPDATE sandbox_webhook_deliveries
         SET attempts = ?, response_status = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?`,
      )
      .run(attempts, responseStatus, error, Date.now() + delay, new Date().toISOString(), id);
    this.schedule(id, delay);
  }

  private finish(
    id: string,
    attempts: number,
    status: 'succeeded' | 'failed',
    responseStatus: number | null,
    error: string | null,
  ): void {
    this.db
      .prepare(
        `UPDATE sandbox_webhook_deliveries
         SET status = ?, attempts = ?, response_status = ?, last_error = ?, next_attempt_at = NULL, updated_at = ?
         WHERE id = ?`,
      )
      .run(status, attempts, responseStatus, error, new Date().toISOString(), id);
  }
}
