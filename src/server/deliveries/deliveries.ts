import { randomBytes } from 'node:crypto';
import type {
  ErrorStreamPayload,
  InstallationWebhookPayload,
  WebhookDelivery,
  DELIVERY_KINDS,
  DELIVERY_STATUSES,
} from '../../contract/index.js';
import type { Db } from '../platform/db/sqlite.js';
import { nowIso } from '../platform/db/sqlite.js';
import { notFound } from '../platform/errors.js';
import type { Environment } from '../users/index.js';
import type { SettingsService } from './settings.js';
import type { LeasedSource } from '../platform/lease-worker.js';
import { retryDelay, type RetryPolicy } from '../platform/retry.js';
import type { SignedSender } from './signed-sender.js';

type DeliveryKind = (typeof DELIVERY_KINDS)[number];
type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryRow {
  id: string;
  env: Environment;
  kind: DeliveryKind;
  url: string;
  headers: string;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  response_status: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * See DeliveryOutbox.claim. `target` steps through the URLs with due deliveries, one index seek
 * each (outbound_deliveries_target_due); there are a handful (an installation webhook and an
 * error stream per environment, and any earlier ones with deliveries left).
 */
const CLAIM_SQL = `
UPDATE outbound_deliveries SET status = 'sending', lease_owner = @owner, lease_expires_at = @until, updated_at = @now
WHERE id IN (
  WITH RECURSIVE
  target (url) AS (
    SELECT (SELECT url FROM outbound_deliveries WHERE status = 'pending' AND next_attempt_at <= @now ORDER BY url LIMIT 1)
    UNION ALL
    SELECT (SELECT url FROM outbound_deliveries WHERE status = 'pending' AND url > target.url AND next_attempt_at <= @now
            ORDER BY url LIMIT 1)
    FROM target WHERE target.url IS NOT NULL
  ),
  candidate AS (
    SELECT d.id, d.url, d.attempts, d.next_attempt_at AS due_at, d.rowid AS seq
    FROM target JOIN outbound_deliveries AS d ON d.id IN (
      SELECT id FROM outbound_deliveries WHERE status = 'pending' AND url = target.url AND next_attempt_at <= @now
      ORDER BY next_attempt_at, rowid LIMIT @perTarget)
    UNION ALL
    SELECT id, url, attempts, lease_expires_at, rowid FROM outbound_deliveries
    WHERE status = 'sending' AND lease_expires_at <= @now
  ),
  held AS (
    SELECT url, COUNT(*) AS leases FROM outbound_deliveries
    WHERE status = 'sending' AND lease_expires_at > @now GROUP BY url
  ),
  ranked AS (
    SELECT candidate.*, ROW_NUMBER() OVER (PARTITION BY url ORDER BY due_at, seq) + COALESCE(held.leases, 0) AS turn
    FROM candidate LEFT JOIN held USING (url)
  )
  SELECT id FROM ranked WHERE turn <= @targetLimit
  ORDER BY turn, attempts > 0, due_at, seq
  LIMIT @limit
)
-- Checked again on the row itself; the unary + keeps the planner on the primary key.
AND ((+status = 'pending' AND next_attempt_at <= @now) OR (+status = 'sending' AND lease_expires_at <= @now))
RETURNING *`;

/** A Standard Webhooks message id: `msg_` and 24 hex characters. */
export const newMessageId = (): string => `msg_${randomBytes(12).toString('hex')}`;

/**
 * The outbox of outgoing installation webhooks and error-stream posts. A delivery is written in
 * the transaction that causes it (the install, the failed execution), so it cannot be lost;
 * the delivery worker sends it, signed, and retries failures with capped full-jitter backoff,
 * keeping its id (`webhook-id`) and signing each attempt afresh. Exhausted deliveries stay as
 * `failed` with their last error (`GET /webhook-deliveries?status=failed`) and can be retried.
 */
export class DeliveryOutbox implements LeasedSource<DeliveryRow> {
  onEnqueued: () => void = () => undefined;
  private readonly claimStatement: ReturnType<Db['prepare']>;
  /**
   * Whether anything is due: a few microseconds against the claim's fraction of a millisecond,
   * and most wake-ups (a slot freed, nothing waiting) find nothing. Only a hint: a row that
   * becomes due just after is claimed at the next wake-up, as if this claim had run earlier.
   */
  private readonly anyDueStatement: ReturnType<Db['prepare']>;

  constructor(
    private readonly db: Db,
    private readonly settings: SettingsService,
    private readonly retry: RetryPolicy,
    /** The most deliveries to one URL being sent at once, across every worker. */
    private readonly targetLimit = Number.MAX_SAFE_INTEGER,
  ) {
    this.claimStatement = db.prepare(CLAIM_SQL);
    this.anyDueStatement = db.prepare(
      `SELECT 1 FROM outbound_deliveries WHERE (status = 'pending' AND next_attempt_at <= @now) OR (status = 'sending' AND lease_expires_at <= @now) LIMIT 1`,
    );
  }

  /** Queues the installation webhook when the environment has one set; returns its id. */
  enqueueInstallationWebhook(
    env: Environment,
    payload: Omit<InstallationWebhookPayload, 'environment'>,
  ): string | null {
    const url = this.settings.get(env).installationWebhookUrl;
    return url ? this.enqueue(env, 'installationWebhook', url, {}, { environment: env, ...payload }) : null;
  }

  /** Queues a failed execution for the error stream when the environment has one set. */
  enqueueErrorStream(env: Environment, payload: Omit<ErrorStreamPayload, 'environment'>): string | null {
    const url = this.settings.get(env).errorStreamUrl;
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
    return this.enqueue(env, 'errorStream', url, headers, { environment: env, ...payload });
  }

  private enqueue(
    env: Environment,
    kind: DeliveryKind,
    url: string,
    headers: Record<string, string>,
    payload: unknown,
  ): string {
    const id = newMessageId();
    const now = nowIso();
    this.db
      .prepare(
        `INSERT INTO outbound_deliveries (id, env, kind, url, headers, body, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, env, kind, url, JSON.stringify(headers), JSON.stringify(payload), now, now, now);
    setImmediate(() => this.onEnqueued());
    return id;
  }

  /**
   * Leases up to `limit` due deliveries, fairly between receivers: no URL has more than
   * `targetLimit` deliveries being sent at once, by any worker (so an error stream that hangs
   * cannot hold up the other environment's installation webhooks, or the other kind), and URLs
   * are served round-robin, fresh deliveries before retries, oldest first. One statement, as for
   * runs, and its cost does not grow with the backlog (one index seek per URL with due rows).
   */
  claim(owner: string, limit: number, leaseMs: number, now = Date.now()): DeliveryRow[] {
    if (this.anyDueStatement.get({ now: iso(now) }) === undefined) return [];
    const rows = this.claimStatement.all({
      owner,
      until: iso(now + leaseMs),
      now: iso(now),
      targetLimit: this.targetLimit,
      perTarget: Math.min(this.targetLimit, limit),
      limit,
    }) as DeliveryRow[];
    return rows.sort((a, b) => a.next_attempt_at.localeCompare(b.next_attempt_at));
  }

  renew(id: string, owner: string, leaseMs: number): boolean {
    return (
      this.db
        .prepare(
          "UPDATE outbound_deliveries SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND status = 'sending'",
        )
        .run(iso(Date.now() + leaseMs), id, owner).changes === 1
    );
  }

  recoverExpired(): number {
    const now = nowIso();
    return this.db
      .prepare(
        `UPDATE outbound_deliveries SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
         WHERE status = 'sending' AND lease_expires_at <= ?`,
      )
      .run(now, now).changes;
  }

  nextDueAt(after?: number): number | undefined {
    const row = this.db
      .prepare(
        `SELECT MIN(t) AS t FROM (
           SELECT MIN(next_attempt_at) AS t FROM outbound_deliveries WHERE status = 'pending' AND next_attempt_at > @after
           UNION ALL SELECT MIN(lease_expires_at) FROM outbound_deliveries
             WHERE status = 'sending' AND lease_expires_at > @after)`,
      )
      .get({ after: after === undefined ? '' : iso(after) }) as { t: string | null };
    return row.t === null ? undefined : Date.parse(row.t);
  }

  /** Sends one attempt of a claimed delivery and records the outcome. */
  async attempt(row: DeliveryRow, owner: string, sender: SignedSender, signal: AbortSignal): Promise<void> {
    const result = await sender.send({
      id: row.id,
      env: row.env,
      method: 'POST',
      url: row.url,
      body: row.body,
      headers: JSON.parse(row.headers) as Record<string, string>,
      signal,
    });
    const now = Date.now();
    const mine = 'WHERE id = @id AND lease_owner = @owner';
    if (result.ok) {
      this.db
        .prepare(
          `UPDATE outbound_deliveries SET status = 'delivered', attempts = attempts + 1, response_status = @status,
             last_error = NULL, delivered_at = @now, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now ${mine}`,
        )
        .run({ id: row.id, owner, status: result.status, now: iso(now) });
      return;
    }
    if (result.aborted) {
      this.db
        .prepare(
          `UPDATE outbound_deliveries SET status = 'pending', next_attempt_at = @now, lease_owner = NULL,
             lease_expires_at = NULL, updated_at = @now ${mine}`,
        )
        .run({ id: row.id, owner, now: iso(now) });
      return;
    }
    const attempts = row.attempts + 1;
    const giveUp = !result.retryable || attempts >= this.retry.maxAttempts;
    const error = giveUp && result.retryable ? `${result.error} Gave up after ${attempts} attempts.` : result.error;
    this.db
      .prepare(
        `UPDATE outbound_deliveries SET status = @status, attempts = @attempts, response_status = @responseStatus,
           last_error = @error, next_attempt_at = @next, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now ${mine}`,
      )
      .run({
        id: row.id,
        owner,
        status: giveUp ? 'failed' : 'pending',
        attempts,
        responseStatus: result.status,
        error,
        next: iso(now + (giveUp ? 0 : retryDelay(this.retry, attempts, result.retryAfterMs))),
        now: iso(now),
      });
  }

  list(
    env: Environment,
    filter: { status?: DeliveryStatus | undefined; kind?: DeliveryKind | undefined; limit: number },
  ): WebhookDelivery[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM outbound_deliveries WHERE env = @env AND (@status IS NULL OR status = @status)
           AND (@kind IS NULL OR kind = @kind) ORDER BY created_at DESC, rowid DESC LIMIT @limit`,
      )
      .all({ env, status: filter.status ?? null, kind: filter.kind ?? null, limit: filter.limit }) as DeliveryRow[];
    return rows.map(toDelivery);
  }

  get(env: Environment, id: string): WebhookDelivery {
    const row = this.db.prepare('SELECT * FROM outbound_deliveries WHERE env = ? AND id = ?').get(env, id) as
      DeliveryRow | undefined;
    if (!row) throw notFound('The delivery');
    return toDelivery(row);
  }

  /** Sends a delivery again, with the same id and a full set of attempts (e.g. after fixing the receiver). */
  retryNow(env: Environment, id: string): WebhookDelivery {
    const now = nowIso();
    const changed = this.db
      .prepare(
        `UPDATE outbound_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?
         WHERE env = ? AND id = ? AND status IN ('failed', 'delivered', 'pending')`,
      )
      .run(now, now, env, id).changes;
    if (changed === 1) setImmediate(() => this.onEnqueued());
    return this.get(env, id);
  }
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    deliveryId: row.id,
    kind: row.kind,
    url: row.url,
    status: row.status,
    attempts: row.attempts,
    responseStatus: row.response_status,
    lastError: row.last_error,
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    payload: JSON.parse(row.body) as unknown,
  };
}
