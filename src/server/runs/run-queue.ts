import type { Db } from '../platform/db/sqlite.js';
import { nowIso } from '../platform/db/sqlite.js';
import { newId } from '../platform/ids.js';
import type { Environment } from '../users/index.js';

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

/** How many tenants below their cap one claim looks at (its cost is about one index seek each). */
const TENANTS_PER_CLAIM = 64;

/**
 * See RunQueue.claim. `held` is each tenant's live leases, by any worker. `onward` steps through
 * the tenants with due rows in user id order, one index seek each (run_queue_tenant_due), from
 * after @after, and `wrapped` round from the start, until @walk tenants below their cap have
 * been seen (tenants at their cap are stepped over without counting: there are few of them, at
 * most the leases in flight over the cap). `candidate` is up to @perTenant of each one's oldest
 * due rows, plus rows whose lease expired.
 */
const CLAIM_SQL = `
UPDATE run_queue SET status = 'running', lease_owner = @owner, lease_expires_at = @until, updated_at = @now
WHERE id IN (
  WITH RECURSIVE
  held AS (
    SELECT user_id, COUNT(*) AS leases FROM run_queue
    WHERE status = 'running' AND lease_expires_at > @now GROUP BY user_id
  ),
  capped AS (SELECT user_id FROM held WHERE leases >= @tenantLimit),
  onward (user_id, n) AS (
    SELECT (SELECT user_id FROM run_queue WHERE status = 'queued' AND user_id > @after AND available_at <= @now
            ORDER BY user_id LIMIT 1), 0
    UNION ALL
    SELECT (SELECT user_id FROM run_queue WHERE status = 'queued' AND user_id > onward.user_id AND available_at <= @now
            ORDER BY user_id LIMIT 1), n + (onward.user_id NOT IN (SELECT user_id FROM capped))
    FROM onward WHERE onward.user_id IS NOT NULL AND n < @walk
  ),
  wrapped (user_id, n) AS (
    SELECT (SELECT user_id FROM run_queue WHERE status = 'queued' AND user_id <= @after AND available_at <= @now
            ORDER BY user_id LIMIT 1),
      (SELECT COUNT(*) FROM onward WHERE user_id IS NOT NULL AND user_id NOT IN (SELECT user_id FROM capped))
    UNION ALL
    SELECT (SELECT user_id FROM run_queue WHERE status = 'queued' AND user_id > wrapped.user_id AND user_id <= @after
              AND available_at <= @now ORDER BY user_id LIMIT 1), n + (wrapped.user_id NOT IN (SELECT user_id FROM capped))
    FROM wrapped WHERE wrapped.user_id IS NOT NULL AND n < @walk
  ),
  walk (user_id) AS (
    SELECT user_id FROM onward WHERE user_id IS NOT NULL
    UNION SELECT user_id FROM wrapped WHERE user_id IS NOT NULL
  ),
  candidate AS (
    SELECT q.id, q.user_id, q.attempts, q.available_at AS due_at, q.rowid AS seq
    FROM walk JOIN run_queue AS q ON q.id IN (
      SELECT id FROM run_queue WHERE status = 'queued' AND user_id = walk.user_id AND available_at <= @now
      ORDER BY available_at, rowid LIMIT @perTenant)
    WHERE walk.user_id NOT IN (SELECT user_id FROM capped)
    UNION ALL
    SELECT id, user_id, attempts, lease_expires_at, rowid FROM run_queue WHERE status = 'running' AND lease_expires_at <= @now
  ),
  ranked AS (
    SELECT candidate.*,
      ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY due_at, seq) + COALESCE(held.leases, 0) AS turn
    FROM candidate LEFT JOIN held USING (user_id)
  )
  SELECT id FROM ranked WHERE turn <= @tenantLimit
  ORDER BY turn, attempts > 0, due_at, seq
  LIMIT @limit
)
-- Checked again on the row itself; the unary + keeps the planner on the primary key.
AND ((+status = 'queued' AND available_at <= @now) OR (+status = 'running' AND lease_expires_at <= @now))
RETURNING *`;

/**
 * The durable run queue (`run_queue`). Rows are written before the API answers; a worker claims
 * them with a lease it renews while running, so a crashed worker's rows are claimed again once
 * their lease expires. Every state change checks the lease owner, so a worker that lost its lease
 * cannot overwrite the new owner's work.
 */
export class RunQueue {
  /** Called after a row is queued (after the caller's transaction, since the worker runs later). */
  onEnqueued: () => void = () => undefined;

  /** Prepared once: the claim runs every time a slot frees up, and compiling it costs more than running it. */
  private readonly claimStatement: ReturnType<Db['prepare']>;
  /**
   * Whether anything is due: a few microseconds against the claim's fraction of a millisecond,
   * and most wake-ups (a slot freed, nothing waiting) find nothing. Only a hint: a row that
   * becomes due just after is claimed at the next wake-up, as if this claim had run earlier.
   */
  private readonly anyDueStatement: ReturnType<Db['prepare']>;
  /** The tenant the last claim served last: the next claim's walk starts after it. */
  private cursor = '';

  constructor(
    private readonly db: Db,
    /**
     * The most rows one tenant (a user; user ids are unique across environments) may have leased
     * at once, across every worker; the rest of a worker's slots stay free for other tenants.
     */
    private readonly tenantLimit = Number.MAX_SAFE_INTEGER,
  ) {
    this.claimStatement = db.prepare(CLAIM_SQL);
    this.anyDueStatement = db.prepare(
      `SELECT 1 FROM run_queue WHERE (status = 'queued' AND available_at <= @now) OR (status = 'running' AND lease_expires_at <= @now) LIMIT 1`,
    );
  }

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
   * expired), fairly between tenants: a tenant (a user, so one environment's) never holds more
   * than `tenantLimit` live leases, whoever's worker holds them, so one whose receiver hangs ties
   * up at most that many slots; and rows are taken round-robin (each tenant's oldest, then each
   * one's second...), fresh work before retries, oldest first. One statement, so two workers (or
   * nodes) cannot lease the same row or act on a count the other is changing.
   *
   * The cost does not grow with the backlog: it looks at TENANTS_PER_CLAIM tenants below their
   * cap with due rows at most (one index seek each, plus one for each tenant at its cap passed on
   * the way) and at `limit` rows of each, so a tenant with thousands of rows queued costs what one
   * with a single row does. With more tenants than that waiting, each claim starts after the last
   * tenant served (`cursor`), so all of them get their turn.
   */
  claim(owner: string, limit: number, leaseMs: number, now = Date.now()): RunRow[] {
    if (this.anyDueStatement.get({ now: iso(now) }) === undefined) return [];
    const rows = this.claimStatement.all({
      owner,
      until: iso(now + leaseMs),
      now: iso(now),
      after: this.cursor,
      // Enough tenants below their cap to fill the claim, each giving at least its oldest row.
      walk: Math.max(TENANTS_PER_CLAIM, limit),
      tenantLimit: this.tenantLimit,
      // No claim takes more than `limit` rows, from one tenant or any other.
      perTenant: Math.min(this.tenantLimit, limit),
      limit,
    }) as RunRow[];
    // Next time, start after the last tenant served in walking order (those after the cursor first).
    const served = rows.map((row) => row.user_id).sort();
    const onward = served.filter((userId) => userId > this.cursor);
    this.cursor = onward.at(-1) ?? served.at(-1) ?? this.cursor;
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
  nextDueAt(after?: number): number | undefined {
    const row = this.db
      .prepare(
        `SELECT MIN(t) AS t FROM (
           SELECT MIN(available_at) AS t FROM run_queue WHERE status = 'queued' AND available_at > @after
           UNION ALL SELECT MIN(lease_expires_at) FROM run_queue WHERE status = 'running' AND lease_expires_at > @after)`,
      )
      .get({ after: after === undefined ? '' : iso(after) }) as { t: string | null };
    return row.t === null ? undefined : Date.parse(row.t);
  }
}
