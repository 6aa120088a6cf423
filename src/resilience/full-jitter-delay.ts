/**
 * Backoff before retrying on the same deployment: full jitter (`random(0, min(cap, base·2^(n-1)))`),
 * which Brooker's measurements show does the least total work, added on top of the wait the
 * provider asked for, so a herd told "retry in 2 s" does not return in the same millisecond.
 * It only computes a delay; it never sleeps and never reads the clock or Math.random itself.
 *
 *   fullJitterDelay(attempt, { baseMs, capMs, random, retryAfterMs? }): number   // attempt 1 = first retry
 */
export interface JitterOptions {
  baseMs: number;
  capMs: number;
  /** Uniform in [0, 1), injected so tests choose it. */
  random: () => number;
  /** The provider's Retry-After: the delay never goes below it. */
  retryAfterMs?: number;
}

export function fullJitterDelay(attempt: number, options: JitterOptions): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(exponent, 30));
  const jitter = Math.floor(Math.min(Math.max(options.random(), 0), 1 - Number.EPSILON) * ceiling);
  const floor = options.retryAfterMs !== undefined && options.retryAfterMs > 0 ? options.retryAfterMs : 0;
  return floor + jitter;
}
