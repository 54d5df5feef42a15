import type { Db } from '../db.js';
import { nowIso } from '../db.js';
import { newId } from '../ids.js';
import type { Environment } from '../secrets.js';

/**
 * What starts a run: a custom event (fans out to every listening workflow of the user), or one
 * workflow by its webhook trigger, an app event, an installation, or a rerun.
 */
export type RunKind = 'event' | 'workflow' | 'appEvent' | 'installation' | 'rerun';

export interface NewRun {
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

export interface RunRow {
  id: string;
  env: Environment;
  user_id: string;
  kind: RunKind;
  event_name: string | null;
  workflow_id: string | null;
  payload: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  available_at: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  last_error: string | null;
  dedupe_key: string | null;
  rerun_of: string | null;
  created_at: string;
  updated_at: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The durable run queue (`run_queue`). Rows are written before the API answers; a worker claims
 * them with a lease it renews while running, so a crashed worker's rows are claimed again once
 * their lease expires. Every state change checks the lease owner, so a worker that lost its lease
 * cannot overwrite the new owner's work.
 */
export class RunQueue {
  /** Called after a row is queued (after the caller's transaction, since the worker runs later). */
  onEnqueued: () => void = () => undefined;

  /**
   * `tenantLimit`: the most rows one tenant (environment + user) may have leased at once, across
   * every worker; the rest of a worker's slots stay free for other tenants.
   */
  constructor(
    private readonly db: Db,
    private readonly tenantLimit = Number.MAX_SAFE_INTEGER,
  ) {}

  /** Queues a run; returns its id (the existing one's for a duplicate `dedupeKey`). */
  enqueue(run: NewRun): { id: string; created: boolean } {
    const id = newId();
    const now = nowIso();
    const inserted = this.db
      .prepare(
        `INSERT INTO run_queue (id, env, user_id, kind, event_name, workflow_id, payload, available_at, dedupe_key, rerun_of, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (user_id, workflow_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING`,
      )
      .run(
        id,
        run.env,
        run.userId,
        run.kind,
        run.kind === 'event' ? (run.eventName ?? null) : null,
        run.kind === 'event' ? null : (run.workflowId ?? null),
        JSON.stringify(run.data ?? {}),
        now,
        run.dedupeKey ?? null,
        run.rerunOf ?? null,
        now,
        now,
      );
    if (inserted.changes === 0) {
      const existing = this.db
        .prepare('SELECT id FROM run_queue WHERE user_id = ? AND workflow_id = ? AND dedupe_key = ?')
        .get(run.userId, run.workflowId, run.dedupeKey) as { id: string };
      return { id: existing.id, created: false };
    }
    setImmediate(() => this.onEnqueued());
    return { id, created: true };
  }

  get(id: string): RunRow | undefined {
    return this.db.prepare('SELECT * FROM run_queue WHERE id = ?').get(id) as RunRow | undefined;
  }

  /**
   * Leases up to `limit` due rows (queued ones whose time has come, running ones whose lease
   * expired), fairly between tenants (environment + user): a tenant never holds more than
   * `tenantLimit` live leases, whoever's worker holds them, so one whose receiver hangs can tie
   * up at most that many slots; and rows are taken round-robin (each tenant's oldest first, then
   * each one's second...), fresh work before retries, oldest first. One statement, so two
   * workers (or nodes) cannot lease the same row or read a count the other is changing.
   */
  claim(owner: string, limit: number, leaseMs: number, now = Date.now()): RunRow[] {
    const rows = this.db
      .prepare(
        `UPDATE run_queue SET status = 'running', lease_owner = @owner, lease_expires_at = @until, updated_at = @now
         WHERE id IN (
           SELECT due.id FROM (
             SELECT id, env, user_id, attempts, due_at, ROW_NUMBER() OVER (PARTITION BY env, user_id ORDER BY due_at, seq) AS turn, seq
             FROM (
               SELECT id, env, user_id, attempts, rowid AS seq,
                 CASE status WHEN 'queued' THEN available_at ELSE lease_expires_at END AS due_at
               FROM run_queue
               WHERE (status = 'queued' AND available_at <= @now) OR (status = 'running' AND lease_expires_at <= @now)
             )
           ) AS due
           LEFT JOIN (
             SELECT env, user_id, COUNT(*) AS held FROM run_queue
             WHERE status = 'running' AND lease_expires_at > @now GROUP BY env, user_id
           ) AS leased USING (env, user_id)
           WHERE due.turn + COALESCE(leased.held, 0) <= @tenantLimit
           ORDER BY due.turn + COALESCE(leased.held, 0), due.attempts > 0, due.due_at, due.seq
           LIMIT @limit
         )
         AND ((status = 'queued' AND available_at <= @now) OR (status = 'running' AND lease_expires_at <= @now))
         RETURNING *`,
      )
      .all({ owner, until: iso(now + leaseMs), now: iso(now), tenantLimit: this.tenantLimit, limit }) as RunRow[];
    // RETURNING has no order; start the oldest first.
    return rows.sort((a, b) => a.available_at.localeCompare(b.available_at));
  }

  /** Extends a lease; false when the row is no longer ours. */
  renew(id: string, owner: string, leaseMs: number): boolean {
    return (
      this.db
        .prepare("UPDATE run_queue SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND status = 'running'")
        .run(iso(Date.now() + leaseMs), id, owner).changes === 1
    );
  }

  /** The run is over: every workflow it started finished (`failed` when one of them failed). */
  complete(id: string, owner: string, status: 'done' | 'failed', lastError: string | null = null): boolean {
    return (
      this.db
        .prepare(
          `UPDATE run_queue SET status = ?, lease_owner = NULL, lease_expires_at = NULL, last_error = COALESCE(?, last_error), updated_at = ?
           WHERE id = ? AND lease_owner = ?`,
        )
        .run(status, lastError, nowIso(), id, owner).changes === 1
    );
  }

  /** A transient failure: back in the queue after `delayMs`, one more failed attempt counted. */
  reschedule(id: string, owner: string, delayMs: number, error: string): boolean {
    const now = Date.now();
    return (
      this.db
        .prepare(
          `UPDATE run_queue SET status = 'queued', attempts = attempts + 1, available_at = ?, last_error = ?,
             lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
           WHERE id = ? AND lease_owner = ?`,
        )
        .run(iso(now + delayMs), error, iso(now), id, owner).changes === 1
    );
  }

  /**
   * The run could not start its next request because the target already has its share of the
   * worker (see TargetBudget): back in the queue after `delayMs`, no attempt counted, so it
   * waits for the slow target without holding a slot that other tenants' work could use.
   */
  defer(id: string, owner: string, delayMs: number): boolean {
    const now = Date.now();
    return (
      this.db
        .prepare(
          `UPDATE run_queue SET status = 'queued', available_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
           WHERE id = ? AND lease_owner = ?`,
        )
        .run(iso(now + delayMs), iso(now), id, owner).changes === 1
    );
  }

  /** Shutting down mid-run: the row goes back as it was, due at once, no attempt counted. */
  release(id: string, owner: string): void {
    this.db
      .prepare(
        `UPDATE run_queue SET status = 'queued', available_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
         WHERE id = ? AND lease_owner = ?`,
      )
      .run(nowIso(), nowIso(), id, owner);
  }

  /** Rows left running by a process that died; their leases have expired, so they are queued again. */
  recoverExpired(now = Date.now()): number {
    return this.db
      .prepare(
        `UPDATE run_queue SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
         WHERE status = 'running' AND lease_expires_at <= ?`,
      )
      .run(iso(now), iso(now)).changes;
  }

  /** When the next row becomes due (ms since the epoch), if any is waiting. */
  nextDueAt(): number | undefined {
    const row = this.db
      .prepare(
        `SELECT MIN(t) AS t FROM (
           SELECT MIN(available_at) AS t FROM run_queue WHERE status = 'queued'
           UNION ALL SELECT MIN(lease_expires_at) FROM run_queue WHERE status = 'running')`,
      )
      .get() as { t: string | null };
    return row.t === null ? undefined : Date.parse(row.t);
  }
}
