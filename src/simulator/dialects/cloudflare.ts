/** Cloudflare's 429 over a limit, as the real provider sends it (facts page §1.1). */
import { type RateLimitInput, type SimResponse, json } from './shared.js';

export function cloudflareRateLimit({ period }: RateLimitInput): SimResponse {
  return json(429, {
    success: false,
    errors: [
      period === 'day'
        ? {
            code: 3036,
            message:
              "Account limited: you have used up your daily free allocation of 10,000 neurons, please upgrade to Cloudflare's Workers Paid plan.",
          }
        : { code: 3040, message: 'Capacity temporarily exceeded, please try again.' },
    ],
    messages: [],
    result: null,
  });
}
