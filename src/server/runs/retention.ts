import type { Database } from '../platform/db/index.js';
import { pruneExecutions, pruneFinishedRuns } from './repository.js';

export const DEFAULT_LOG_RETENTION_DAYS = 60;
/** Idempotency keys protect retries; a day covers any sane retry policy. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Rows one delete removes: each batch is its own short statement, so requests go on in between. */
export const PRUNE_BATCH = 500;

/** A pass another node was running: this one deleted nothing. */
const NOTHING_PRUNED: PruneResult = {
  executions: 0,
  runs: 0,
  idempotencyKeys: 0,
  linkTokens: 0,
  oauthSessions: 0,
  linkSessions: 0,
  pendingInstallations: 0,
  deliveries: 0,
};

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
 * One batch of a table another module owns: deletes at most `limit` rows older than `cutoff` in one
 * statement and returns how many. The owning module's service provides it (wired in app.ts).
 */
export type PruneBatch = (cutoff: string, limit: number) => Promise<number>;

/** The other modules' prunes the retention job runs, each with its cutoff (see `prune`). */
export interface RetentionPruners {
  /** http: idempotency keys claimed before the cutoff (a day ago). */
  idempotencyKeys: PruneBatch;
  /** installs: links expired before the cutoff (the log retention). */
  linkTokens: PruneBatch;
  /** connections: OAuth sessions expired before the cutoff (a day ago). */
  oauthSessions: PruneBatch;
  /** installs: Embedded Link page sessions expired before the cutoff (now). */
  linkSessions: PruneBatch;
  /** installs: pending headless installations expired before the cutoff (now). */
  pendingInstallations: PruneBatch;
  /** deliveries: delivered or failed deliveries last touched before the cutoff (the log retention). */
  deliveries: PruneBatch;
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
    private readonly pruners: RetentionPruners,
    readonly retentionDays: number,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly batch = PRUNE_BATCH,
    /**
     * Runs a pass only where no other node is running one (Storage.exclusive): with several
     * nodes on one database, one prunes and the others skip that turn. Default: always runs.
     */
    private readonly exclusive: (work: () => Promise<PruneResult>) => Promise<PruneResult | undefined> = (work) =>
      work(),
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
    return (await this.exclusive(() => this.pruneAll(now))) ?? NOTHING_PRUNED;
  }

  private async pruneAll(now: number): Promise<PruneResult> {
    const logCutoff = new Date(now - this.retentionDays * DAY_MS).toISOString();
    const keyCutoff = new Date(now - IDEMPOTENCY_KEY_TTL_MS).toISOString();
    const nowIso = new Date(now).toISOString();
    const prune = this.pruners;
    return {
      executions: await this.inBatches((limit) => pruneExecutions(this.database, logCutoff, limit)),
      runs: await this.inBatches((limit) => pruneFinishedRuns(this.database, logCutoff, limit)),
      idempotencyKeys: await this.inBatches((limit) => prune.idempotencyKeys(keyCutoff, limit)),
      linkTokens: await this.inBatches((limit) => prune.linkTokens(logCutoff, limit)),
      oauthSessions: await this.inBatches((limit) => prune.oauthSessions(keyCutoff, limit)),
      linkSessions: await this.inBatches((limit) => prune.linkSessions(nowIso, limit)),
      pendingInstallations: await this.inBatches((limit) => prune.pendingInstallations(nowIso, limit)),
      deliveries: await this.inBatches((limit) => prune.deliveries(logCutoff, limit)),
    };
  }

  /** Runs `deleteBatch` until it deletes less than a full batch; returns the rows deleted. */
  private async inBatches(deleteBatch: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await deleteBatch(this.batch);
      total += deleted;
      if (deleted < this.batch) return total;
      // Let requests and workers in between two batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
