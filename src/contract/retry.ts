/**
 * Retry timing shared by the browser SDK, the Node client and the server: capped exponential
 * backoff with full jitter (AWS "Exponential Backoff and Jitter": a wait uniform in
 * [0, min(cap, base·2^n)], so a burst of failures does not retry in lockstep) and the other
 * side's `Retry-After`. Pure: no DOM, no Node API, no clock except through arguments.
 *
 * Each caller keeps its own numbers (they suit different jobs); what differs is an option here:
 * - the SDK (a user waits): 100 ms base, 2 s cap, `Retry-After` + jitter, none longer than 10 s;
 * - the Node client (a backend waits): 250 ms base, 8 s cap, `Retry-After` exactly, none over 60 s;
 * - the server's background work (runs, deliveries, app triggers): 1 s base, up to 1 h cap,
 *   `Retry-After` as a minimum within the cap.
 */

/** How a `Retry-After` the other side sent combines with the backoff. */
export type RetryAfterUse =
  /** Wait the longer of the jittered backoff and `Retry-After` (capped at `maxDelayMs`). */
  | 'atLeast'
  /** Wait `Retry-After` plus the jittered backoff (so clients told the same time spread out). */
  | 'plusJitter'
  /** Wait exactly what `Retry-After` asks. */
  | 'exact';

export interface BackoffPolicy {
  /** The ceiling of the first wait. */
  baseDelayMs: number;
  /** No jittered wait is longer than this. */
  maxDelayMs: number;
  /** How a `Retry-After` is honoured; `atLeast` when absent. */
  retryAfter?: RetryAfterUse;
  /** A longer `Retry-After` is not waited out: `backoffDelay` answers undefined (give up). */
  maxRetryAfterMs?: number;
}

/** The ceiling of the wait before retry number `retry` (0 for the first retry). */
export function backoffCeiling(policy: BackoffPolicy, retry: number): number {
  const exponent = Math.min(Math.max(retry, 0), 40);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

/**
 * The wait before retry number `retry` (0 for the first retry, i.e. after the first failure):
 * full jitter, combined with `retryAfterMs` as the policy says. Undefined when `Retry-After` asks
 * for longer than `maxRetryAfterMs`: the caller gives up (and reports the wait it was asked for).
 */
export function backoffDelay(
  policy: BackoffPolicy,
  retry: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterMs !== undefined && policy.maxRetryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) {
    return undefined;
  }
  const use = policy.retryAfter ?? 'atLeast';
  if (retryAfterMs !== undefined && use === 'exact') return retryAfterMs;
  const jittered = Math.floor(random() * backoffCeiling(policy, retry));
  if (retryAfterMs === undefined) return jittered;
  if (use === 'plusJitter') return retryAfterMs + jittered;
  return Math.max(jittered, Math.min(retryAfterMs, policy.maxDelayMs));
}

/**
 * `Retry-After` as delay-seconds or an HTTP date, in ms from `now`; undefined when absent or
 * unreadable. A date must name its day (every HTTP date format does): without that check
 * `Date.parse` reads "-1" or "2025" as a year. A past date means now.
 */
export function parseRetryAfter(
  value: string | readonly string[] | null | undefined,
  now = Date.now(),
): number | undefined {
  const raw = typeof value === 'string' || value == null ? value : value[0];
  const text = raw?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** HTTP answers worth retrying for the server's outbound calls: overloaded, restarting or briefly broken. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
