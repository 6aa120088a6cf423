/** Together's 429 over a limit, as the real provider sends it (facts page §1.1). */
import { type RateLimitInput, type SimResponse, json } from './shared.js';

export function togetherRateLimit({ view, headers }: RateLimitInput): SimResponse {
  return json(
    429,
    {
      error: {
        message: `You have exceeded your dynamic ${view.limit.unit === 'tokens' ? 'token' : 'request'} rate limit. Please slow down.`,
        type: view.limit.unit === 'tokens' ? 'dynamic_token_limited' : 'dynamic_request_limited',
        param: null,
        code: 'rate_limit_exceeded',
      },
    },
    headers,
  );
}
