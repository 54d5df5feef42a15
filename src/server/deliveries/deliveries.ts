import { randomBytes } from 'node:crypto';
import type {
  ErrorStreamPayload,
  InstallationWebhookPayload,
  WebhookDelivery,
  DELIVERY_KINDS,
  DELIVERY_STATUSES,
} from '../../contract/index.js';
import { afterCommit, nowIso, type Conn, type Database } from '../platform/db/index.js';
import { DomainError, notFound } from '../platform/errors.js';
import type { Environment } from '../users/index.js';
import type { SettingsService } from './settings.js';
import type { LeasedSource } from '../platform/lease-worker.js';
import { retryDelay, type RetryPolicy } from '../platform/retry.js';
import type { SignedSender } from './signed-sender.js';
import {
  anyDue,
  claimDue,
  deleteFinishedBefore,
  findDelivery,
  insertDelivery,
  listDeliveries,
  nextDueAt,
  recordAttempt,
  releaseExpired,
  renewLease,
  requeueDelivery,
  type OutboundDelivery,
} from './repository.js';

export type { OutboundDelivery } from './repository.js';

type DeliveryKind = (typeof DELIVERY_KINDS)[number];
type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const iso = (ms: number): string => new Date(ms).toISOString();

/** Per process: a random tag and a counter, so ids made in one millisecond still sort in order. */
const processTag = randomBytes(2).toString('hex');
let counter = randomBytes(4).readUInt32BE(0);

/**
 * A Standard Webhooks message id: `msg_` and 24 hex characters, time-ordered: the millisecond
 * (12), this process's tag (4) and a counter (8). The outbox breaks ties between rows due at the
 * same moment by id, so deliveries from one process go out (and are listed) in the order made.
 */
export const newMessageId = (): string => {
  counter = (counter + 1) >>> 0;
  return `msg_${Date.now().toString(16).padStart(12, '0')}${processTag}${counter.toString(16).padStart(8, '0')}`;
};

/**
 * The outbox of outgoing installation webhooks and error-stream posts. A delivery is written in
 * the transaction that causes it (the install, the failed execution: callers pass their `trx`),
 * so it cannot be lost; the delivery worker, woken once that transaction commits, sends it,
 * signed, and retries failures with capped full-jitter backoff, keeping its id (`webhook-id`)
 * and signing each attempt afresh. Exhausted deliveries stay as `failed` with their last error
 * (`GET /webhook-deliveries?status=failed`) and can be retried.
 */
export class DeliveryOutbox implements LeasedSource<OutboundDelivery> {
  onEnqueued: () => void = () => undefined;
  /** Tells the workers a delivery is due once `conn` commits (the runtime makes this reach every node). */
  announce: (conn: Conn) => Promise<void> | void = (conn) => {
    afterCommit(conn, () => this.onEnqueued());
  };

  constructor(
    private readonly database: Database,
    private readonly settings: SettingsService,
    private readonly retry: RetryPolicy,
    /** The most deliveries to one URL being sent at once, across every worker. */
    private readonly targetLimit = Number.MAX_SAFE_INTEGER,
    /**
     * Paths of this server a delivery may reach (the entry point's own receivers, e.g. the demo's
     * inbox); none by default. The URLs are the ISV's settings (API key), never an end user's.
     */
    private readonly ownPathPrefixes: readonly string[] = [],
  ) {}

  /** Queues the installation webhook (in `conn`'s transaction) when the environment has one set; returns its id. */
  async enqueueInstallationWebhook(
    conn: Conn,
    env: Environment,
    payload: Omit<InstallationWebhookPayload, 'environment'>,
  ): Promise<string | null> {
    const url = (await this.settings.get(env, conn)).installationWebhookUrl;
    return url ? this.enqueue(conn, env, 'installationWebhook', url, {}, { environment: env, ...payload }) : null;
  }

  /** Queues a failed execution for the error stream (in `conn`'s transaction) when the environment has one set. */
  async enqueueErrorStream(
    conn: Conn,
    env: Environment,
    payload: Omit<ErrorStreamPayload, 'environment'>,
  ): Promise<string | null> {
    const url = (await this.settings.get(env, conn)).errorStreamUrl;
    if (!url) return null;
    const headers = {
      'x-alloy-workflowid': payload.workflowId,
      'x-alloy-userid': payload.userId,
      // Header values are latin-1; a block name with other characters is percent-encoded.
      'x-alloy-blockname': /^[\x20-\x7e]*$/.test(payload.block.name)
        ? payload.block.name
        : encodeURIComponent(payload.block.name),
      'x-alloy-blocktype': payload.block.type,
      'x-alloy-executionuuid': payload.executionId,
    };
    return this.enqueue(conn, env, 'errorStream', url, headers, { environment: env, ...payload });
  }

  private async enqueue(
    conn: Conn,
    env: Environment,
    kind: DeliveryKind,
    url: string,
    headers: Record<string, string>,
    payload: unknown,
  ): Promise<string> {
    const id = newMessageId();
    await insertDelivery(conn, {
      id,
      env,
      kind,
      url,
      headers: JSON.stringify(headers),
      body: JSON.stringify(payload),
      now: nowIso(),
    });
    // The worker looks once the row is committed (at once outside a transaction).
    await this.announce(conn);
    return id;
  }

  /**
   * Leases up to `limit` due deliveries, fairly between receivers: no URL has more than
   * `targetLimit` deliveries being sent at once, by any worker (so an error stream that hangs
   * cannot hold up the other environment's installation webhooks, or the other kind), and URLs
   * are served round-robin, fresh deliveries before retries, oldest first. One statement
   * (repository.claimDue), and its cost does not grow with the backlog (one index seek per URL
   * with due rows). A cheap look first: most wake-ups (a slot freed, nothing waiting) find
   * nothing; a row that becomes due just after is claimed at the next wake-up.
   */
  async claim(owner: string, limit: number, leaseMs: number, now?: number): Promise<OutboundDelivery[]> {
    if (!(await anyDue(this.database, now))) return [];
    const rows = await claimDue(this.database, { owner, limit, targetLimit: this.targetLimit, leaseMs, now });
    return rows.sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt));
  }

  renew(id: string, owner: string, leaseMs: number): Promise<boolean> {
    return renewLease(this.database, id, owner, leaseMs);
  }

  recoverExpired(): Promise<number> {
    return releaseExpired(this.database);
  }

  nextDueAt(after?: number): Promise<number | undefined> {
    return nextDueAt(this.database, after);
  }

  /** Sends one attempt of a claimed delivery and records the outcome (if the lease is still this owner's). */
  async attempt(row: OutboundDelivery, owner: string, sender: SignedSender, signal: AbortSignal): Promise<void> {
    const result = await sender.send({
      id: row.id,
      env: row.env,
      method: 'POST',
      url: row.url,
      body: row.body,
      headers: JSON.parse(row.headers) as Record<string, string>,
      signal,
      ownPathPrefixes: this.ownPathPrefixes,
    });
    const now = Date.now();
    if (result.ok) {
      await recordAttempt(this.database, row.id, owner, {
        status: 'delivered',
        responseStatus: result.status,
        now: iso(now),
      });
      return;
    }
    if (result.aborted) {
      await recordAttempt(this.database, row.id, owner, { status: 'released', now: iso(now) });
      return;
    }
    const attempts = row.attempts + 1;
    const giveUp = !result.retryable || attempts >= this.retry.maxAttempts;
    await recordAttempt(this.database, row.id, owner, {
      status: giveUp ? 'failed' : 'pending',
      attempts,
      responseStatus: result.status,
      error: giveUp && result.retryable ? `${result.error} Gave up after ${attempts} attempts.` : result.error,
      nextAttemptAt: iso(now + (giveUp ? 0 : retryDelay(this.retry, attempts, result.retryAfterMs))),
      now: iso(now),
    });
  }

  async list(
    env: Environment,
    filter: { status?: DeliveryStatus | undefined; kind?: DeliveryKind | undefined; limit: number },
  ): Promise<WebhookDelivery[]> {
    return (await listDeliveries(this.database, env, filter)).map(toWebhookDelivery);
  }

  async get(env: Environment, id: string): Promise<WebhookDelivery> {
    const row = await findDelivery(this.database, env, id);
    if (!row) throw notFound('The delivery');
    return toWebhookDelivery(row);
  }

  /**
   * Sends a delivery again, with the same id and a full set of attempts (e.g. after fixing the
   * receiver). One conditional statement: a delivery being sent right now is a conflict.
   */
  async retryNow(env: Environment, id: string, conn: Conn = this.database): Promise<WebhookDelivery> {
    const row = await requeueDelivery(conn, env, id, nowIso());
    if (row) {
      await this.announce(conn);
      return toWebhookDelivery(row);
    }
    const current = await findDelivery(conn, env, id);
    if (!current) throw notFound('The delivery');
    throw new DomainError('conflict', 'This delivery is being sent right now.');
  }

  /** Log retention: deletes at most `limit` delivered and failed deliveries last touched before `before`. */
  pruneFinished(before: string, limit: number, conn: Conn = this.database): Promise<number> {
    return deleteFinishedBefore(conn, before, limit);
  }
}

function toWebhookDelivery(row: OutboundDelivery): WebhookDelivery {
  return {
    deliveryId: row.id,
    kind: row.kind,
    url: row.url,
    status: row.status,
    attempts: row.attempts,
    responseStatus: row.responseStatus,
    lastError: row.lastError,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt : null,
    createdAt: row.createdAt,
    deliveredAt: row.deliveredAt,
    payload: JSON.parse(row.body) as unknown,
  };
}
