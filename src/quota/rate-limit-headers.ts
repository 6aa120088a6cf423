/**
 * The gateway's own rate-limit headers, per the IETF draft (draft-ietf-httpapi-ratelimit-headers):
 * `RateLimit-Policy: "name";q=quota;w=window` and `RateLimit: "name";r=remaining;t=seconds`,
 * plus `Retry-After`. Formatting only: it never decides when capacity returns.
 */
import type { Limit } from '../core/limits.js';

export interface RateLimitHeaderInput {
  /** Whole milliseconds until capacity returns. */
  retryAfterMs: number;
  /** The limit that holds the request back, when one does (not for parking or concurrency). */
  limit?: Limit;
  /** Policy name shown to clients; must never be a provider key. */
  name?: string;
}

export function rateLimitHeaders(input: RateLimitHeaderInput): Record<string, string> {
  const seconds = Math.max(0, Math.ceil(input.retryAfterMs / 1000));
  const name = `"${(input.name ?? 'quota').replace(/["\\]/g, '')}"`;
  const headers: Record<string, string> = {
    'Retry-After': String(seconds),
    RateLimit: `${name};r=0;t=${seconds}`,
  };
  if (input.limit) {
    const window = Math.max(1, Math.round(input.limit.windowMs / 1000));
    const unit = input.limit.unit === 'requests' ? ';qu="requests"' : '';
    headers['RateLimit-Policy'] = `${name};q=${input.limit.amount};w=${window}${unit}`;
  } else {
    // Unknown quota (parked, concurrency): the policy still names the wait, so clients see one story.
    headers['RateLimit-Policy'] = `${name};q=0;w=${Math.max(1, seconds)}`;
  }
  return headers;
}
