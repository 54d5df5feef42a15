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

  constructor(private readonly db: Db) {}

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

  /** Leases up to `limit` due rows: queued ones whose time has come, and running ones whose lease expired. */
  claim(owner: string, limit: number, leaseMs: number, now = Date.now()): RunRow[] {
    return this.db.transaction(() => {
      const at = iso(now);
      const due = this.db
        .prepare(
          `SELECT id FROM run_queue WHERE status = 'queued' AND available_at <= ?
           ORDER BY available_at, rowid LIMIT ?`,
        )
        .all(at, limit) as { id: string }[];
      const expired =
        due.length < limit
          ? (this.db
              .prepare(
                `SELECT id FROM run_queue WHERE status = 'running' AND lease_expires_at <= ?
                 ORDER BY lease_expires_at LIMIT ?`,
              )
              .all(at, limit - due.length) as { id: string }[])
          : [];
      const lease = this.db.prepare(
        `UPDATE run_queue SET status = 'running', lease_owner = ?, lease_expires_at = ?, updated_at = ?
         WHERE id = ? RETURNING *`,
      );
      return [...due, ...expired].map((row) => lease.get(owner, iso(now + leaseMs), at, row.id) as RunRow);
    })();
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
