/** Mistral's 429 over a limit, as the real provider sends it (facts page §1.1). */
import { type RateLimitInput, type SimResponse, json } from './shared.js';

export function mistralRateLimit({ headers }: RateLimitInput): SimResponse {
  return json(
    429,
    { object: 'error', message: 'Requests rate limit exceeded', type: 'rate_limited', param: null, code: '1300' },
    headers,
  );
}
