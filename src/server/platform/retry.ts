import { backoffDelay } from '../../contract/retry.js';

// The timing itself is shared with the SDK and the Node client (src/contract/retry.ts).
export { isRetryableStatus, parseRetryAfter } from '../../contract/retry.js';

/** How failed background work is retried: capped exponential backoff with full jitter. */
export interface RetryPolicy {
  /** The ceiling of the first wait. */
  baseDelayMs: number;
  /** No wait is longer than this. */
  maxDelayMs: number;
  /** Attempts in all, the first included; then the work is given up (and reported). */
  maxAttempts: number;
}

/**
 * Defaults: 20 attempts, waits up to 1 s, 2 s, 4 s ... capped at 1 h, so a receiver that is down
 * gets about 4–9 hours to come back before an event is given up.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 3_600_000, maxAttempts: 20 };

/**
 * The wait after the `failedAttempts`-th failure: uniform in [0, min(cap, base·2^(n-1))]. A
 * `Retry-After` the other side sent is honoured as a minimum, within the cap.
 */
export function retryDelay(
  policy: RetryPolicy,
  failedAttempts: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  // 'atLeast' without maxRetryAfterMs always answers a number.
  return backoffDelay({ ...policy, retryAfter: 'atLeast' }, failedAttempts - 1, retryAfterMs, random)!;
}
