/** An IETF RateLimit-headers provider's 429 over a limit, as the real provider sends it (facts page §1.1). */
import { type RateLimitInput, type SimResponse, json } from './shared.js';

export function ietfRateLimit({ headers, retryAfter }: RateLimitInput): SimResponse {
  return json(
    429,
    { error: { message: 'Too many requests', type: 'rate_limit_error', code: 'rate_limit_exceeded' } },
    { ...headers, 'retry-after': retryAfter },
  );
}
