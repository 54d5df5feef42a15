import { sql } from 'kysely';
import { changed, type Conn, type Database } from '../platform/db/index.js';
import { pruneExecutions, pruneFinishedRuns } from './repository.js';

export const DEFAULT_LOG_RETENTION_DAYS = 60;
/** Idempotency keys protect retries; a day covers any sane retry policy. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Rows one delete removes: each batch is its own short statement, so requests go on in between. */
export const PRUNE_BATCH = 500;

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
 * installations, and idempotency keys older than a day. Runs at start and then on an interval that
 * does not keep the process up. Each table is pruned in batches of PRUNE_BATCH rows, each batch
 * one statement (its own transaction), with the event loop free between them: no transaction is
 * held across a timer or a large delete.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  /** The pass under way, if any: passes do not overlap, and stop() waits for it. */
  private running: Promise<PruneResult> | undefined;

  constructor(
    private readonly database: Database,
    readonly retentionDays: number,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly batch = PRUNE_BATCH,
  ) {}

  /** Prunes now (resolves once this first pass is done), then on the interval. */
  start(): Promise<void> {
    const first = this.runOnce().then(() => undefined, this.onError);
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    return first;
  }

  /** Stops the interval; resolves once a pass under way has finished. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private tick(): void {
    if (this.running) return;
    this.runOnce().catch(this.onError);
  }

  runOnce(now = Date.now()): Promise<PruneResult> {
    const pass = this.prune(now).finally(() => {
      if (this.running === pass) this.running = undefined;
    });
    this.running = pass;
    return pass;
  }

  private async prune(now: number): Promise<PruneResult> {
    const logCutoff = new Date(now - this.retentionDays * DAY_MS).toISOString();
    const keyCutoff = new Date(now - IDEMPOTENCY_KEY_TTL_MS).toISOString();
    const nowIso = new Date(now).toISOString();
    const batch = this.batch;
    return {
      executions: await this.inBatches((conn) => pruneExecutions(conn, logCutoff, batch)),
      runs: await this.inBatches((conn) => pruneFinishedRuns(conn, logCutoff, batch)),
      // TODO(i15): http — idempotency_keys belongs to the http module; move this delete into its repository.
      idempotencyKeys: await this.inBatches(async (conn) =>
        changed(
          await sql`DELETE FROM idempotency_keys WHERE (scope, key) IN (
            SELECT scope, key FROM idempotency_keys WHERE created_at < ${keyCutoff} LIMIT ${batch})`.execute(conn),
        ),
      ),
      // TODO(i15): installs — link_tokens, link_sessions and pending_installations belong to the installs module.
      linkTokens: await this.inBatches(async (conn) =>
        changed(
          await conn
            .deleteFrom('link_tokens')
            .where('token_hash', 'in', (eb) =>
              eb.selectFrom('link_tokens').select('token_hash').where('expires_at', '<', logCutoff).limit(batch),
            )
            .executeTakeFirst(),
        ),
      ),
      // TODO(i15): connections — oauth_sessions belongs to the connections module.
      oauthSessions: await this.inBatches(async (conn) =>
        changed(
          await conn
            .deleteFrom('oauth_sessions')
            .where('id', 'in', (eb) =>
              eb.selectFrom('oauth_sessions').select('id').where('expires_at', '<', keyCutoff).limit(batch),
            )
            .executeTakeFirst(),
        ),
      ),
      linkSessions: await this.inBatches(async (conn) =>
        changed(
          await conn
            .deleteFrom('link_sessions')
            .where('id_hash', 'in', (eb) =>
              eb.selectFrom('link_sessions').select('id_hash').where('expires_at', '<', nowIso).limit(batch),
            )
            .executeTakeFirst(),
        ),
      ),
      pendingInstallations: await this.inBatches(async (conn) =>
        changed(
          await conn
            .deleteFrom('pending_installations')
            .where('id', 'in', (eb) =>
              eb.selectFrom('pending_installations').select('id').where('expires_at', '<', nowIso).limit(batch),
            )
            .executeTakeFirst(),
        ),
      ),
      // TODO(i15): deliveries — outbound_deliveries belongs to the deliveries module.
      deliveries: await this.inBatches(async (conn) =>
        changed(
          await conn
            .deleteFrom('outbound_deliveries')
            .where('id', 'in', (eb) =>
              eb
                .selectFrom('outbound_deliveries')
                .select('id')
                .where('status', 'in', ['delivered', 'failed'])
                .where('updated_at', '<', logCutoff)
                .limit(batch),
            )
            .executeTakeFirst(),
        ),
      ),
    };
  }

  /** Runs `deleteBatch` until it deletes less than a full batch; returns the rows deleted. */
  private async inBatches(deleteBatch: (conn: Conn) => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await deleteBatch(this.database);
      total += deleted;
      if (deleted < this.batch) return total;
      // Let requests and workers in between two batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
