import type { FastifyBaseLogger } from 'fastify';
import type { OutboundHttp } from '../platform/outbound-http.js';
import { ConnectorError, findConnector, type Connector, type ConnectorEvent } from './connectors/index.js';
import { nowIso, type Database } from '../platform/db/index.js';
import { findVersion, type DefinitionSet } from '../definitions/index.js';
import type { SecretBox } from '../platform/encryption.js';
import type { Environment } from '../users/index.js';
import type { CredentialService } from './credentials.js';
import { MissingConnectionError, type Connections } from './connections.js';
import type { RunQueue } from '../runs/index.js';
import { retryDelay, type RetryPolicy } from '../platform/retry.js';
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
  usersWithActiveWorkflows(): Promise<string[]>;
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
 */
export class AppTriggers {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly retryTimers = new Map<string, { timer: NodeJS.Timeout; attempt: number }>();
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
  ) {}

  receiverUrl(workflowId: string, userId: string): string {
    return `${this.publicUrl()}/webhooks/${workflowId}/${userId}`;
  }

  /**
   * Brings the user's subscriptions in line with their active app-event workflows. Never throws:
   * an app that cannot be reached is tried again later with backoff; the result is logged.
   */
  sync(userId: string): Promise<void> {
    return this.serially(userId, () => this.syncNow(userId));
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

  /** At start-up: every user with a subscription or an active app-event workflow. */
  async syncAll(): Promise<void> {
    const users = new Set([
      ...(await usersWithSubscriptions(this.database)),
      ...(await this.installs.usersWithActiveWorkflows()),
    ]);
    for (const userId of [...users].sort()) await this.sync(userId);
  }

  /** Stops retrying and waits for changes under way (each is bounded by the request timeout). */
  async close(): Promise<void> {
    this.closed = true;
    for (const { timer } of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    await Promise.all([...this.chains.values()]);
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

  private async syncNow(userId: string): Promise<void> {
    if (this.closed) return;
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
    if (failed === undefined) {
      const pending = this.retryTimers.get(userId);
      if (pending) clearTimeout(pending.timer);
      this.retryTimers.delete(userId);
      return;
    }
    this.log.warn({ err: failed, userId }, 'app trigger subscriptions are out of date; retrying');
    this.scheduleRetry(userId);
  }

  private scheduleRetry(userId: string): void {
    if (this.closed) return;
    const attempt = (this.retryTimers.get(userId)?.attempt ?? 0) + 1;
    if (attempt >= SYNC_RETRY.maxAttempts) {
      this.log.error({ userId }, 'gave up syncing app trigger subscriptions until the next change or restart');
      this.retryTimers.delete(userId);
      return;
    }
    const previous = this.retryTimers.get(userId);
    if (previous) clearTimeout(previous.timer);
    const timer = setTimeout(() => void this.sync(userId), retryDelay(SYNC_RETRY, attempt));
    timer.unref();
    this.retryTimers.set(userId, { timer, attempt });
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
