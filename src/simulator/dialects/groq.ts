/** Groq's 429 over a limit, as the real provider sends it (facts page §1.1). */
import { type RateLimitInput, type SimResponse, json, openAiMessage } from './shared.js';

export function groqRateLimit({ model, view, retryMs, requested, headers, retryAfter }: RateLimitInput): SimResponse {
  return json(
    429,
    {
      error: {
        message: openAiMessage(model, view, requested, retryMs),
        type: view.limit.unit,
        code: 'rate_limit_exceeded',
      },
    },
    { ...headers, 'retry-after': retryAfter },
  );
}
