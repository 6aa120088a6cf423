/** A provider without a dialect: a bare 429, no headers, nothing to learn from. */
import { json, type RateLimitInput, type SimResponse } from './shared.js';

export function noneRateLimit(_input: RateLimitInput): SimResponse {
  return json(429, { error: { message: 'Too Many Requests' } });
}
