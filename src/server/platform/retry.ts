/** How failed work is retried: capped exponential backoff with full jitter. */
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
 * The wait after the `failedAttempts`-th failure: uniform in [0, min(cap, base·2^(n-1))] ("full
 * jitter", so a burst of failures does not retry in lockstep). A `Retry-After` the other side
 * sent is honoured as a minimum, within the cap.
 */
export function retryDelay(
  policy: RetryPolicy,
  failedAttempts: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failedAttempts - 1, 0), 40);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs === undefined ? jittered : Math.max(jittered, Math.min(retryAfterMs, policy.maxDelayMs));
}

/** `Retry-After` in seconds or as an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d{1,9}$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** HTTP answers worth retrying: the receiver is overloaded, restarting or briefly broken. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
