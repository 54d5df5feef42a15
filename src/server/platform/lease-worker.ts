import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';

type MaybePromise<T> = T | Promise<T>;

/** A table of leased work items, as the worker sees it (synchronous or async storage). */
export interface LeasedSource<T extends { id: string }> {
  claim(owner: string, limit: number, leaseMs: number): MaybePromise<T[]>;
  renew(id: string, owner: string, leaseMs: number): MaybePromise<boolean>;
  recoverExpired(): MaybePromise<number>;
  /** When the next item becomes due, in ms since the epoch; with `after`, the first due later than that. */
  nextDueAt(after?: number): MaybePromise<number | undefined>;
}

export interface LeaseWorkerOptions {
  concurrency: number;
  leaseMs: number;
  /** The longest the worker sleeps without looking at the table (another process may have written). */
  pollIntervalMs: number;
}

/**
 * Runs leased items from a durable table in process: claims up to `concurrency` due items,
 * renews their leases while they run, and sleeps until the next one is due (or `wake()`).
 * `close()` stops claiming, waits for running items up to a grace period, then aborts the rest,
 * which give their items back.
 */
export class LeaseWorker<T extends { id: string }> {
  readonly owner = `${process.pid}-${randomBytes(6).toString('hex')}`;
  private readonly running = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  private timer: NodeJS.Timeout | undefined;
  /** The running look at the table (claims, then the next timer), if any; close() waits for it. */
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private started = false;
  private closed = false;
  /**
   * The last look left work it could not take: the worker was full, or what is due belongs to
   * tenants (targets) at their cap. Waking again before a slot frees (which wakes it) or new
   * work is due would only find the same, so the next timer skips what is already due.
   */
  private waitingForSlots = false;
  /** When the last claim looked: everything due by then was seen. */
  private lookedAt = 0;

  constructor(
    private readonly name: string,
    private readonly source: LeasedSource<T>,
    private readonly handle: (item: T, signal: AbortSignal) => Promise<void>,
    private readonly options: LeaseWorkerOptions,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    // The first look waits for the recovery (as a pump would: wake() only notes that it is wanted).
    this.pumping = (async () => {
      try {
        const recovered = await this.source.recoverExpired();
        if (recovered > 0) this.log.warn({ worker: this.name, recovered }, 'resuming work left by a stopped process');
      } catch (error) {
        this.log.error({ err: error, worker: this.name }, 'recovering expired leases failed');
      }
      await this.pumpLoop();
    })();
  }

  /** Looks for due work now (called after something was queued). */
  wake(): void {
    if (!this.started || this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pumpLoop();
  }

  /** Claims until nothing more is wanted, then sets the timer; one loop at a time (`pumping`). */
  private async pumpLoop(): Promise<void> {
    try {
      do {
        this.pumpAgain = false;
        await this.pump();
        if (!this.pumpAgain) await this.scheduleNext();
      } while (this.pumpAgain && !this.closed);
    } finally {
      this.pumping = undefined;
    }
  }

  get inFlight(): number {
    return this.running.size;
  }

  private async pump(): Promise<void> {
    if (this.closed) return;
    const room = this.options.concurrency - this.running.size;
    this.waitingForSlots = room <= 0;
    if (room <= 0) return;
    let items: T[];
    this.lookedAt = Date.now();
    try {
      items = await this.source.claim(this.owner, room, this.options.leaseMs);
    } catch (error) {
      this.log.error({ err: error, worker: this.name }, 'claiming work failed');
      return;
    }
    // Fewer than asked for: either nothing more is due, or what is due is held back by a cap.
    this.waitingForSlots = items.length < room;
    for (const item of items) this.run(item);
  }

  private run(item: T): void {
    const abort = new AbortController();
    const heartbeat = setInterval(
      () => {
        Promise.resolve()
          .then(() => this.source.renew(item.id, this.owner, this.options.leaseMs))
          .then(
            (held) => {
              if (!held) abort.abort();
            },
            (error: unknown) => {
              this.log.error({ err: error, worker: this.name, id: item.id }, 'renewing a lease failed');
            },
          );
      },
      Math.max(10, Math.floor(this.options.leaseMs / 3)),
    );
    heartbeat.unref();
    const promise = this.handle(item, abort.signal)
      .catch((error: unknown) => {
        this.log.error({ err: error, worker: this.name, id: item.id }, 'work item failed unexpectedly');
      })
      .finally(() => {
        clearInterval(heartbeat);
        this.running.delete(item.id);
        if (!this.closed) this.wake();
      });
    this.running.set(item.id, { promise, abort });
  }

  private async scheduleNext(): Promise<void> {
    if (this.closed) return;
    let delay = this.options.pollIntervalMs;
    try {
      const now = Date.now();
      const due = await this.source.nextDueAt(this.waitingForSlots ? this.lookedAt : undefined);
      if (due !== undefined) delay = Math.min(delay, Math.max(0, due - now));
    } catch (error) {
      this.log.error({ err: error, worker: this.name }, 'reading the next due time failed');
    }
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    // A full (or capped) worker is woken by its own items finishing; the poll covers other processes'.
    this.timer = setTimeout(() => this.wake(), Math.max(delay, 5));
    this.timer.unref();
  }

  /** Stops claiming; running items get `graceMs` to finish, then are aborted and give their rows back. */
  async close(graceMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    // A claim under way finishes first: what it leased is running, and waited for below.
    await this.pumping;
    const all = () => Promise.all([...this.running.values()].map((r) => r.promise));
    if (this.running.size === 0) return;
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      graceTimer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([all().then(() => 'done' as const), graceOver]);
    clearTimeout(graceTimer);
    if (outcome === 'timeout') {
      for (const { abort } of this.running.values()) abort.abort();
      await all();
    }
  }
}
