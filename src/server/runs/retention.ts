import type { Db } from '../platform/db/sqlite.js';

export const DEFAULT_LOG_RETENTION_DAYS = 60;
/** Idempotency keys protect retries; a day covers any sane retry policy. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PruneResult {
  executions: number;
  runs: number;
  idempotencyKeys: number;
  linkTokens: number;
  /** OAuth popup sessions, a day after they expired. */
  oauthSessions: number;
  /** Embedded Link page sessions, once expired. */
  linkSessions: number;
  pendingInstallations: number;
  deliveries: number;
}

/**
 * Deletes what is past its retention: executions (with their blocks), finished queue entries and
 * finished outgoing deliveries older than the log retention, expired link tokens and pending
 * installations, and idempotency keys older than a day. Runs at start and then on an interval that does not keep the process up.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    readonly retentionDays: number,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.runOnce();
    this.timer = setInterval(() => this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  runOnce(now = Date.now()): PruneResult {
    const logCutoff = new Date(now - this.retentionDays * DAY_MS).toISOString();
    const keyCutoff = new Date(now - IDEMPOTENCY_KEY_TTL_MS).toISOString();
    const nowIso = new Date(now).toISOString();
    return this.db.transaction(() => ({
      executions: this.db.prepare('DELETE FROM executions WHERE started_at < ?').run(logCutoff).changes,
      runs: this.db
        .prepare("DELETE FROM run_queue WHERE status IN ('done', 'failed') AND updated_at < ?")
        .run(logCutoff).changes,
      idempotencyKeys: this.db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?').run(keyCutoff).changes,
      // TODO(i15): the three installs tables below: installs' repository pruneExpired(conn, …) once this is async.
      linkTokens: this.db.prepare('DELETE FROM link_tokens WHERE expires_at < ?').run(logCutoff).changes,
      oauthSessions: this.db.prepare('DELETE FROM oauth_sessions WHERE expires_at < ?').run(keyCutoff).changes,
      linkSessions: this.db.prepare('DELETE FROM link_sessions WHERE expires_at < ?').run(nowIso).changes,
      pendingInstallations: this.db.prepare('DELETE FROM pending_installations WHERE expires_at < ?').run(nowIso)
        .changes,
      deliveries: this.db
        .prepare("DELETE FROM outbound_deliveries WHERE status IN ('delivered', 'failed') AND updated_at < ?")
        .run(logCutoff).changes,
    }))();
  }
}
