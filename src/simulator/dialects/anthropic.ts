/** Anthropic's 429 over a limit, as the real provider sends it (facts page §1.1). */
import { type RateLimitInput, type SimResponse, json } from './shared.js';

export function anthropicRateLimit({ view, headers, retryAfter, period }: RateLimitInput): SimResponse {
  return json(
    429,
    {
      type: 'error',
      error: {
        type: 'rate_limit_error',
        message: `This request would exceed the rate limit for your organization of ${view.amount} ${view.limit.unit} per ${period}.`,
      },
    },
    { ...headers, 'retry-after': retryAfter },
  );
}
