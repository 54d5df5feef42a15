import { afterCommit, commitGrouped, nowIso, type Conn, type Database } from '../platform/db/index.js';
import { newId } from '../platform/ids.js';
import {
  anyLeaseDue,
  claimLeases,
  nextLeaseDueAt,
  recoverExpiredLeases,
  renewLease,
  type LeasedSource,
} from '../platform/lease-worker.js';
import type { Environment } from '../users/index.js';
import { dedupedRunId, findRun, insertRun, RUN_QUEUE, settleRun, type RunRow } from './repository.js';

/**
 * What starts a run: a custom event (fans out to every listening workflow of the user), or one
 * workflow by its webhook trigger, an app event, an installation, or a rerun.
 */
export type RunKind = 'event' | 'workflow' | 'appEvent' | 'installation' | 'rerun';

export interface NewRun {
  /** Chosen by the caller when its answer already names the run (idempotent intake); new otherwise. */
  id?: string;
  env: Environment;
  userId: string;
  kind: RunKind;
  /** For `event` runs only. */
  eventName?: string;
  /** For every kind but `event`. */
  workflowId?: string;
  /** The trigger's data. */
  data: unknown;
  /** A third party's delivery id: a second run with the same key for the same workflow is not queued. */
  dedupeKey?: string;
  /** For reruns: the execution being rerun. */
  rerunOf?: string;
}

export type { RunRow };

/** How many tenants below their cap one claim looks at (its cost is about one index seek each). */
const TENANTS_PER_CLAIM = 64;

/**
 * The durable run queue (`run_queue`). Rows are written before the API answers; a worker claims
 * them with a lease it renews while running, so a crashed worker's rows are claimed again once
 * their lease expires. Every state change checks the lease owner, so a worker that lost its lease
 * cannot overwrite the new owner's work.
 */
export class RunQueue implements LeasedSource<RunRow> {
  /** Called after a row is queued, once the caller's transaction committed (the worker runs later). */
  onEnqueued: () => void = () => undefined;
  /**
   * Tells the workers a row was queued in `conn`'s transaction, once it commits. The runtime
   * replaces this with the storage's notification, which reaches every node's worker.
   */
  announce: (conn: Conn) => Promise<void> | void = (conn) => {
    afterCommit(conn, () => setImmediate(() => this.onEnqueued()));
  };

  /** The tenant the last claim served last: the next claim's walk starts after it. */
  private cursor = '';

  constructor(
    private readonly database: Database,
    /**
     * The most rows one tenant (a user; user ids are unique across environments) may have leased
     * at once, across every worker; the rest of a worker's slots stay free for other tenants.
     */
    private readonly tenantLimit = Number.MAX_SAFE_INTEGER,
  ) {}

  /**
   * Queues a run, in the caller's transaction when `conn` is one; returns its id (the existing
   * one's for a duplicate `dedupeKey`). The worker is woken after the commit.
   */
  async enqueue(run: NewRun, conn: Conn = this.database): Promise<{ id: string; created: boolean }> {
    const id = run.id ?? newId();
    const workflowId = run.kind === 'event' ? null : (run.workflowId ?? null);
    const created = await insertRun(conn, {
      id,
      env: run.env,
      userId: run.userId,
      kind: run.kind,
      eventName: run.kind === 'event' ? (run.eventName ?? null) : null,
      workflowId,
      payload: JSON.stringify(run.data ?? {}),
      dedupeKey: run.dedupeKey ?? null,
      rerunOf: run.rerunOf ?? null,
      now: nowIso(),
    });
    if (!created) {
      const existing = await dedupedRunId(conn, run.userId, workflowId, run.dedupeKey!);
      return { id: existing!, created: false };
    }
    await this.announce(conn);
    return { id, created: true };
  }

  async get(id: string): Promise<RunRow | undefined> {
    return findRun(this.database, id);
  }

  /**
   * Leases up to `limit` due rows (queued ones whose time has come, running ones whose lease
   * expired), fairly between tenants: a tenant (a user, so one environment's) never holds more
   * than `tenantLimit` live leases, whoever's worker holds them, so one whose receiver hangs ties
   * up at most that many slots; and rows are taken round-robin (each tenant's oldest, then each
   * one's second...), fresh work before retries, oldest first. One statement (claimLeases), so
   * two workers (or nodes) cannot lease the same row or act on a count the other is changing.
   *
   * The cost does not grow with the backlog: it looks at TENANTS_PER_CLAIM tenants below their
   * cap with due rows at most (one index seek each, plus one for each tenant at its cap passed on
   * the way) and at `limit` rows of each, so a tenant with thousands of rows queued costs what one
   * with a single row does. With more tenants than that waiting, each claim starts after the last
   * tenant served (`cursor`), so all of them get their turn.
   */
  async claim(owner: string, limit: number, leaseMs: number, now?: number): Promise<RunRow[]> {
    if (!(await anyLeaseDue(this.database, RUN_QUEUE, now))) return [];
    const rows = await commitGrouped(this.database, (conn) =>
      claimLeases<RunRow>(conn, RUN_QUEUE, {
        owner,
        limit,
        leaseMs,
        now,
        tenantLimit: this.tenantLimit,
        after: this.cursor,
        // Enough tenants below their cap to fill the claim, each giving at least its oldest row.
        walk: Math.max(TENANTS_PER_CLAIM, limit),
      }),
    );
    // Next time, start after the last tenant served in walking order (those after the cursor first).
    const served = rows.map((row) => row.user_id).sort();
    const onward = served.filter((userId) => userId > this.cursor);
    this.cursor = onward.at(-1) ?? served.at(-1) ?? this.cursor;
    return rows;
  }

  /** Extends a lease; false when the row is no longer ours. */
  renew(id: string, owner: string, leaseMs: number): Promise<boolean> {
    return commitGrouped(this.database, (conn) => renewLease(conn, RUN_QUEUE, id, owner, leaseMs));
  }

  /** The run is over: every workflow it started finished (`failed` when one of them failed). */
  complete(id: string, owner: string, status: 'done' | 'failed', lastError: string | null = null): Promise<boolean> {
    return commitGrouped(this.database, (conn) => settleRun(conn, id, owner, { status, lastError }));
  }

  /** A transient failure: back in the queue after `delayMs`, one more failed attempt counted. */
  reschedule(id: string, owner: string, delayMs: number, error: string): Promise<boolean> {
    const now = Date.now();
    return commitGrouped(this.database, (conn) =>
      settleRun(conn, id, owner, {
        status: 'queued',
        availableAt: now + delayMs,
        countAttempt: true,
        lastError: error,
        replaceError: true,
        now,
      }),
    );
  }

  /**
   * The run could not start its next request because the target already has its share of the
   * worker (see TargetBudget): back in the queue after `delayMs`, no attempt counted, so it
   * waits for the slow target without holding a slot that other tenants' work could use.
   */
  defer(id: string, owner: string, delayMs: number): Promise<boolean> {
    const now = Date.now();
    return commitGrouped(this.database, (conn) =>
      settleRun(conn, id, owner, { status: 'queued', availableAt: now + delayMs, now }),
    );
  }

  /** Shutting down mid-run: the row goes back as it was, due at once, no attempt counted. */
  async release(id: string, owner: string): Promise<void> {
    const now = Date.now();
    await commitGrouped(this.database, (conn) =>
      settleRun(conn, id, owner, { status: 'queued', availableAt: now, now }),
    );
  }

  /** Rows left running by a process that died; their leases have expired, so they are queued again. */
  recoverExpired(now?: number): Promise<number> {
    return commitGrouped(this.database, (conn) => recoverExpiredLeases(conn, RUN_QUEUE, now));
  }

  /** When the next row becomes due (ms since the epoch), if any is waiting. */
  nextDueAt(after?: number): Promise<number | undefined> {
    return nextLeaseDueAt(this.database, RUN_QUEUE, after);
  }
}
