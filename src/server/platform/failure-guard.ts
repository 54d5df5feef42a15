/**
 * Counts failed attempts at guessing a secret (an owner secret, a key) per client key, usually
 * the client IP, over a fixed window, and tells a client that has failed too often how long to
 * wait. In memory and per process, like the other in-process guards; no framework in it, so any
 * plugin (the sandbox's included) can use it.
 */
export interface FailureGuardOptions {
  /** Failures allowed per window; the next attempt is refused until the window ends. */
  maxFailures: number;
  windowMs: number;
  /** Keys remembered at most (oldest windows are dropped first); bounds memory under a spray. */
  maxKeys?: number;
  now?: () => number;
}

export class FailureGuard {
  private readonly windows = new Map<string, { failures: number; resetAt: number }>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly options: FailureGuardOptions) {
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Seconds `key` must wait before trying again; 0 while it is under the limit. */
  retryAfterSeconds(key: string): number {
    const window = this.current(key);
    if (!window || window.failures < this.options.maxFailures) return 0;
    return Math.max(1, Math.ceil((window.resetAt - this.now()) / 1000));
  }

  recordFailure(key: string): void {
    const window = this.current(key);
    if (window) {
      window.failures++;
      return;
    }
    if (this.windows.size >= this.maxKeys) this.evict();
    this.windows.set(key, { failures: 1, resetAt: this.now() + this.options.windowMs });
  }

  private current(key: string): { failures: number; resetAt: number } | undefined {
    const window = this.windows.get(key);
    if (window && window.resetAt <= this.now()) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    // Still full: drop the oldest (Map keeps insertion order, and windows are made in time order).
    while (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
  }
}
