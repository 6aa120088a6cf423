/** Cerebras's 429 over a limit, as the real provider sends it (facts page §1.1). */
import { type RateLimitInput, type SimResponse, capitalised, json } from './shared.js';

export function cerebrasRateLimit({ view, headers, period }: RateLimitInput): SimResponse {
  const tokens = view.limit.unit === 'tokens';
  return json(
    429,
    {
      message: `${capitalised(view.limit.unit)} per ${period} limit exceeded - too many ${tokens ? 'tokens processed' : 'requests sent'}.`,
      type: 'too_many_requests_error',
      param: 'quota',
      code: tokens ? 'token_quota_exceeded' : 'request_quota_exceeded',
    },
    headers,
  );
}
