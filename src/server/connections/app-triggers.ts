import type { FastifyBaseLogger } from 'fastify';
import type { OutboundHttp } from '../platform/outbound-http.js';
import { ConnectorError, findConnector, type Connector, type ConnectorEvent } from './connectors/index.js';
import { nowIso, type Conn, type Database } from '../platform/db/index.js';
import { findVersion, type DefinitionSet } from '../definitions/index.js';
import type { SecretBox } from '../platform/encryption.js';
import type { Environment } from '../users/index.js';
import type { CredentialService } from './credentials.js';
import { MissingConnectionError, type Connections } from './connections.js';
import type { RunQueue } from '../runs/index.js';
import { retryDelay, type RetryPolicy } from '../platform/retry.js';
import {
  claimSyncRetry,
  clearSyncRetry,
  dueSyncRetries,
  findSyncRetry,
  oweSync,
  nextSyncRetryAt,
  recordSyncFailure,
  releaseSyncRetry,
} from './sync-retry-repository.js';
import {
  deleteSubscription,
  findSubscription,
  listSubscriptions,
  saveSubscription,
  usersWithSubscriptions,
  type SubscriptionRecord,
} from './subscription-repository.js';

interface Wanted {
  workflowId: string;
  env: Environment;
  connector: Connector;
  event: ConnectorEvent;
}

/** The users' active workflows (the installs module's WorkflowService). */
export interface ActiveWorkflows {
  activeWorkflows(userId: string): Promise<{ workflowId: string; version: number; env: Environment }[]>;
  usersWithActiveWorkflows(workflowIds: readonly string[]): Promise<string[]>;
  installedWorkflow(userId: string, workflowId: string): Promise<{ active: boolean } | undefined>;
}

/**
 * What a delivery from an app got: refused (no such subscription or a bad signature, told apart
 * from nothing), invalid (signed, but not a delivery this address takes), ignored (the workflow is
 * not active) or queued (one run per delivery id; a redelivery is a duplicate).
 */
export type ReceiverOutcome =
  | { kind: 'refused' }
  | { kind: 'invalid'; message: string }
  | { kind: 'ignored'; reason: string }
  | { kind: 'queued'; runId: string; duplicate: boolean };

/** Resync attempts after a failure (the app was down), with backoff, before waiting for the next change. */
const SYNC_RETRY: RetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 300_000, maxAttempts: 12 };

/** How the retries of failed syncs are swept from `app_subscription_retries`. */
export interface SyncRetrySweep {
  /** The longest a node goes without looking for due retries (another node may have recorded one). */
  pollIntervalMs: number;
  /**
   * How long a claimed retry is this node's before another node may take it (its process died
   * mid-sync). A sync that outlasts it is harmless: the per-user lock keeps the two apart.
   */
  claimMs: number;
  /** Users one node retries at the same time. */
  concurrency: number;
}

/** Users the start-up walk syncs between two turns of the event loop. */
const SYNC_ALL_TURN_EVERY = 16;

const DEFAULT_SWEEP: SyncRetrySweep = { pollIntervalMs: 1_000, claimMs: 30_000, concurrency: 4 };

/**
 * App-event triggers. For each active workflow of a user whose trigger is an app event, the
 * app holds a webhook subscription pointing at `${publicUrl}/webhooks/:workflowId/:userId`;
 * `sync` makes the app match (subscribe on install and activate, unsubscribe on deactivate,
 * delete and uninstall), and `receive` checks a delivery's signature with the subscription's
 * secret and queues one run per delivery id.
 *
 * It takes no transaction and opens none: subscribing and unsubscribing call the apps, so each
 * row is written by one statement of its own after the app answered (a transaction held across
 * those calls would stall every other query; the test guard fails it). Callers settle after
 * their commit (CredentialService and the installs module use `afterCommit`).
 *
 * One user's syncs never overlap, on any node (the per-user lock). A sync that fails is recorded
 * in `app_subscription_retries` and retried with backoff by whichever node claims the row first
 * (`start`), so a retry outlives the node that scheduled it.
 */
export class AppTriggers {
  private readonly chains = new Map<string, Promise<void>>();
  /** Retries this node claimed and is running, by user. */
  private readonly swept = new Map<string, Promise<void>>();
  private sweepTimer: NodeJS.Timeout | undefined;
  /** When the sweep timer fires (ms since the epoch). */
  private sweepAt = Number.POSITIVE_INFINITY;
  private sweeping: Promise<void> | undefined;
  private started = false;
  private closed = false;

  constructor(
    private readonly database: Database,
    private readonly definitions: () => DefinitionSet,
    private readonly connections: Connections,
    private readonly credentials: CredentialService,
    private readonly box: SecretBox,
    private readonly queue: RunQueue,
    private readonly publicUrl: () => string,
    private readonly http: OutboundHttp,
    private readonly timeoutMs: number,
    private readonly log: FastifyBaseLogger,
    private readonly installs: ActiveWorkflows,
    /** A lock every node honours (Storage.withLock): one user's subscription changes never overlap across nodes. */
    private readonly lock: (name: string, work: () => Promise<void>) => Promise<void> = (_name, work) => work(),
    private readonly sweep: SyncRetrySweep = DEFAULT_SWEEP,
  ) {}

  receiverUrl(workflowId: string, userId: string): string {
    return `${this.publicUrl()}/webhooks/${workflowId}/${userId}`;
  }

  /**
   * Brings the user's subscriptions in line with their active app-event workflows. Never throws:
   * a failure is recorded in `app_subscription_retries` and tried again later with backoff, by
   * this node or any other (see `start`); the result is logged.
   */
  sync(userId: string): Promise<void> {
    return this.serially(userId, () => this.syncNow(userId));
  }

  /**
   * In the transaction of a change to the user's installs or connections: records that their
   * subscriptions owe a sync, due once a claim's lease from now (by then the sync that follows
   * the commit has normally cleared it). A node that stops before that sync leaves the row, and
   * a sweep on any node takes it.
   */
  owe(conn: Conn, userId: string): Promise<void> {
    const now = Date.now();
    return oweSync(conn, userId, new Date(now + this.sweep.claimMs).toISOString(), new Date(now).toISOString());
  }

  /**
   * `sync`, waited for at most `maxWaitMs` (API answers should not hang on a slow app: what is
   * not done by then finishes in the background, and is retried if it fails).
   */
  async settle(userId: string, maxWaitMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.sync(userId),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, maxWaitMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Unsubscribes everything of a user (before the user is deleted, while the credentials exist). */
  releaseUser(userId: string): Promise<void> {
    return this.serially(userId, () => this.removeWhere(userId, () => true));
  }

  /** Unsubscribes what a credential is used for (before it is deleted); `sync` afterwards picks another. */
  releaseCredential(userId: string, credentialId: string): Promise<void> {
    return this.serially(userId, () => this.removeWhere(userId, (row) => row.credentialId === credentialId));
  }

  /** One user's changes run one after another, on every node, so two syncs never subscribe twice. */
  private serially(userId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.chains.get(userId) ?? Promise.resolve();
    const next = previous
      .then(() => this.lock(`app_triggers:${userId}`, work))
      .catch((cause: unknown) => {
        this.log.error({ err: cause, userId }, 'app trigger subscriptions');
      });
    this.chains.set(userId, next);
    void next.finally(() => {
      if (this.chains.get(userId) === next) this.chains.delete(userId);
    });
    return next;
  }

  /**
   * At start-up: every user with a subscription or an active workflow that has an app-event trigger
   * in some version (users who only run custom-event or webhook workflows have nothing to sync, and
   * a deployment may have 100,000 of them). The walk gives the event loop a turn every few users:
   * each sync is a chain of synchronous SQLite calls, and without the turn no request is answered
   * until the walk ends.
   */
  async syncAll(): Promise<void> {
    const users = new Set([
      ...(await usersWithSubscriptions(this.database)),
      ...(await this.installs.usersWithActiveWorkflows(this.definitions().appEventWorkflowIds())),
    ]);
    let synced = 0;
    for (const userId of [...users].sort()) {
      if (this.closed) return;
      await this.sync(userId);
      if (++synced % SYNC_ALL_TURN_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Starts sweeping the recorded retries: every node looks for due rows at least every
   * `pollIntervalMs` (and when a sync here schedules one sooner), claims each (one conditional
   * UPDATE, so one node gets it) and syncs the user under the per-user lock. A retry recorded by a
   * node that stopped is taken up by the others, or by the next start.
   */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.sweepIn(0);
  }

  /** Stops retrying and waits for changes under way (each is bounded by the request timeout). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    await this.sweeping;
    await Promise.all([...this.chains.values(), ...this.swept.values()]);
  }

  /** Sweeps in `delayMs`, unless a sweep is set for earlier already. */
  private sweepIn(delayMs: number): void {
    if (!this.started || this.closed) return;
    const at = Date.now() + Math.max(0, delayMs);
    if (this.sweepTimer && this.sweepAt <= at) return;
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepAt = at;
    this.sweepTimer = setTimeout(
      () => {
        this.sweepTimer = undefined;
        this.sweepAt = Number.POSITIVE_INFINITY;
        void this.sweepOnce();
      },
      Math.max(0, delayMs),
    );
    this.sweepTimer.unref();
  }

  /** One look at the due retries (one at a time in this process); then sets the next. */
  private async sweepOnce(): Promise<void> {
    if (this.closed) return;
    if (this.sweeping) {
      // A look is under way: it sets the next one when done; make that one soon.
      void this.sweeping.then(() => this.sweepIn(0));
      return;
    }
    let next = this.sweep.pollIntervalMs;
    this.sweeping = (async () => {
      try {
        const room = this.sweep.concurrency - this.swept.size;
        if (room <= 0) return;
        const now = Date.now();
        const due = await dueSyncRetries(this.database, new Date(now).toISOString(), room + this.swept.size);
        for (const userId of due) {
          if (this.closed || this.swept.size >= this.sweep.concurrency) break;
          if (this.swept.has(userId)) continue;
          const revision = await claimSyncRetry(
            this.database,
            userId,
            new Date(now).toISOString(),
            new Date(now + this.sweep.claimMs).toISOString(),
          );
          // Another node (or a sync here) took it first.
          if (revision !== undefined) this.retryClaimed(userId, revision);
        }
        if (this.swept.size >= this.sweep.concurrency) return;
        const at = await nextSyncRetryAt(this.database);
        if (at !== undefined) next = Math.min(next, Math.max(0, at - Date.now()));
      } catch (error) {
        this.log.error({ err: error }, 'sweeping app trigger retries failed');
      }
    })();
    try {
      await this.sweeping;
    } finally {
      this.sweeping = undefined;
    }
    // A floor, so that a row due now that this node cannot claim does not spin the loop.
    this.sweepIn(Math.max(next, 10));
  }

  /** Syncs a user whose retry this node claimed; a claim the sync did not use is given back. */
  private retryClaimed(userId: string, revision: number): void {
    const work = (async () => {
      await this.serially(userId, () => this.syncNow(userId, revision));
      // The sync deleted or rewrote the row (a new revision) unless it did not run: closing, or the
      // user's lock timed out. Then the row is due again at once, for this node or another.
      await releaseSyncRetry(this.database, userId, revision, nowIso()).catch((error: unknown) => {
        this.log.error({ err: error, userId }, 'giving back an app trigger retry failed');
      });
    })();
    this.swept.set(userId, work);
    void work.finally(() => {
      this.swept.delete(userId);
      // A slot is free: what was left due for lack of one is looked at now.
      this.sweepIn(0);
    });
  }

  private async wanted(userId: string): Promise<Map<string, Wanted>> {
    const rows = await this.installs.activeWorkflows(userId);
    const definitions = this.definitions();
    const wanted = new Map<string, Wanted>();
    for (const row of rows) {
      const entry = definitions.workflow(row.workflowId);
      const trigger = entry && findVersion(entry.workflow, row.version)?.trigger;
      if (trigger?.type !== 'appEvent') continue;
      const connector = findConnector(trigger.connector);
      const event = connector?.events.find((e) => e.name === trigger.event);
      if (connector && event)
        wanted.set(row.workflowId, { workflowId: row.workflowId, env: row.env, connector, event });
    }
    return wanted;
  }

  /**
   * Syncs, and records the outcome in `app_subscription_retries`: a success deletes the user's
   * row if it is still the one seen at the start (a failure recorded since stays); a failure
   * writes it with the next attempt's time. `claimed`: the revision this node's sweep claimed; if
   * the row moved on since (another sync handled it), nothing is done.
   */
  private async syncNow(userId: string, claimed?: number): Promise<void> {
    if (this.closed) return;
    const before = await findSyncRetry(this.database, userId);
    if (claimed !== undefined && before?.revision !== claimed) return;
    let failed: unknown;
    try {
      failed = await this.reconcile(userId);
    } catch (cause) {
      failed = cause;
    }
    if (failed === undefined) {
      if (before) await clearSyncRetry(this.database, userId, before.revision);
      return;
    }
    // A row given up on (no next attempt) starts over: this sync came from a change or a start.
    const attempts = before && before.nextAttemptAt !== null ? before.attempts + 1 : 1;
    const giveUp = attempts >= SYNC_RETRY.maxAttempts;
    const delay = retryDelay(SYNC_RETRY, attempts);
    const now = Date.now();
    await recordSyncFailure(
      this.database,
      {
        userId,
        attempts,
        nextAttemptAt: giveUp ? null : new Date(now + delay).toISOString(),
        lastError: errorText(failed),
      },
      new Date(now).toISOString(),
    );
    if (giveUp) {
      this.log.error(
        { err: failed, userId, attempts },
        'gave up syncing app trigger subscriptions until the next change or restart',
      );
      return;
    }
    this.log.warn({ err: failed, userId, attempts }, 'app trigger subscriptions are out of date; retrying');
    this.sweepIn(delay);
  }

  /** Subscribes and unsubscribes in the apps; the first failure (undefined: all went through). */
  private async reconcile(userId: string): Promise<unknown> {
    const wanted = await this.wanted(userId);
    let failed: unknown;
    for (const row of await listSubscriptions(this.database, userId)) {
      const want = wanted.get(row.workflowId);
      let credentialId: string | undefined;
      if (want) {
        try {
          credentialId = (await this.connections.resolve(userId, want.connector, { workflowId: row.workflowId }))
            .credentialId;
        } catch {
          credentialId = undefined;
        }
      }
      const keep =
        want &&
        want.connector.id === row.connector &&
        want.event.name === row.event &&
        credentialId === row.credentialId &&
        row.targetUrl === this.receiverUrl(row.workflowId, userId);
      if (keep) {
        wanted.delete(row.workflowId);
        continue;
      }
      try {
        await this.unsubscribe(row);
      } catch (cause) {
        failed ??= cause;
      }
    }
    for (const want of wanted.values()) {
      try {
        await this.subscribe(userId, want);
      } catch (cause) {
        if (cause instanceof MissingConnectionError) {
          this.log.warn({ userId, workflowId: want.workflowId }, `app trigger not subscribed: ${cause.message}`);
          continue;
        }
        failed ??= cause;
      }
    }
    return failed;
  }

  private context() {
    return { publicUrl: this.publicUrl(), http: this.http, timeoutMs: this.timeoutMs };
  }

  private async subscribe(userId: string, want: Wanted): Promise<void> {
    const credential = await this.connections.resolveFresh(userId, want.connector, { workflowId: want.workflowId });
    const url = this.receiverUrl(want.workflowId, userId);
    const { externalId, secret } = await want.event.subscribe(this.context(), credential.data, url);
    // The app has answered: the row is written now, in a statement of its own.
    await saveSubscription(
      this.database,
      {
        userId,
        workflowId: want.workflowId,
        env: want.env,
        connector: want.connector.id,
        event: want.event.name,
        credentialId: credential.credentialId,
        externalId,
        targetUrl: url,
        sealed: this.box.seal(secret, `subscription:${userId}:${want.workflowId}`),
      },
      nowIso(),
    );
  }

  private async unsubscribe(row: SubscriptionRecord): Promise<void> {
    const connector = findConnector(row.connector);
    const event = connector?.events.find((e) => e.name === row.event);
    const credential = await this.credentials.find(row.userId, row.credentialId);
    // Without the credential (deleted) the app cannot be told; its deliveries then get a 410.
    if (connector && event && credential) {
      try {
        // An OAuth token that expired since the subscription is refreshed first.
        const { data } = await this.connections.resolveFresh(row.userId, connector, {
          credentialId: row.credentialId,
        });
        await event.unsubscribe(this.context(), data, row.externalId);
      } catch (cause) {
        // A revoked credential cannot unsubscribe either; anything else is worth another try.
        if (!(cause instanceof ConnectorError && cause.kind === 'credential_invalid')) throw cause;
      }
    }
    await deleteSubscription(this.database, row.userId, row.workflowId);
  }

  private async removeWhere(userId: string, match: (row: SubscriptionRecord) => boolean): Promise<void> {
    for (const row of (await listSubscriptions(this.database, userId)).filter(match)) {
      try {
        await this.unsubscribe(row);
      } catch (cause) {
        this.log.warn({ err: cause, userId }, 'could not unsubscribe an app trigger; dropping it');
        await deleteSubscription(this.database, userId, row.workflowId);
      }
    }
  }

  /**
   * A delivery from the app: the signature is checked against the raw body with this
   * subscription's secret, then one run is queued per delivery id (redeliveries are accepted and
   * queue nothing). The run is on disk before this returns.
   */
  async receive(
    workflowId: string,
    userId: string,
    headers: Readonly<Record<string, string | string[] | undefined>>,
    rawBody: string,
  ): Promise<ReceiverOutcome> {
    const row = await findSubscription(this.database, userId, workflowId);
    // No subscription and a bad signature get the same answer: telling them apart told anyone
    // which users have subscriptions (audit issue 13 item 17d). Refused rather than gone for both,
    // so a real sender with a wrong secret is not told to stop for good; removing a subscription
    // deletes the app's webhook too, so nothing well-behaved keeps sending here.
    const event = row && findConnector(row.connector)?.events.find((e) => e.name === row.event);
    if (!row || !event) return { kind: 'refused' };
    const secret = this.box.open(row.sealed, `subscription:${userId}:${workflowId}`);
    if (!event.verify({ headers, rawBody, secret })) {
      this.log.warn({ workflowId, userId }, 'app webhook with a bad signature refused');
      return { kind: 'refused' };
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return { kind: 'invalid', message: 'The body is not valid JSON.' };
    }
    const delivery = event.parse({ headers, body });
    if (typeof delivery === 'string') return { kind: 'invalid', message: delivery };
    if (delivery.event !== row.event) {
      return { kind: 'invalid', message: `This address receives ${row.event}, not ${delivery.event}.` };
    }
    const installed = await this.installs.installedWorkflow(userId, workflowId);
    if (!installed?.active) return { kind: 'ignored', reason: 'The workflow is not active.' };
    const run = await this.queue.enqueue({
      env: row.env,
      userId,
      kind: 'appEvent',
      workflowId,
      data: delivery.data,
      dedupeKey: `${row.connector}:${delivery.deliveryId}`,
    });
    return { kind: 'queued', runId: run.id, duplicate: !run.created };
  }
}

/** What a failed sync is recorded with: the error's message, bounded. */
function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
