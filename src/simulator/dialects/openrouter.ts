/** OpenRouter's 429 over a limit, as the real provider sends it (facts page §1.1). */
import { type RateLimitInput, type SimResponse, json } from './shared.js';

export function openrouterRateLimit({ view, retryMs, period, now }: RateLimitInput): SimResponse {
  const daily = period === 'day';
  const resetAt = daily && view.limit.calendar ? now + view.resetMs : now + retryMs;
  const limitHeaders = {
    'X-RateLimit-Limit': String(view.amount),
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-Reset': String(Math.ceil(resetAt)),
  };
  const name = daily ? 'free-models-per-day' : 'free-models-per-min';
  return json(
    429,
    {
      error: {
        code: 429,
        message:
          `Rate limit exceeded: ${name}. ${daily ? 'Add 10 credits to unlock 1000 free model requests per day' : ''}`.trim(),
        metadata: {
          headers: limitHeaders,
          limit_source: daily ? 'openrouter_free_tier_daily' : 'openrouter_free_tier_minute',
        },
      },
      user_id: 'user_sim',
    },
    limitHeaders,
  );
}
