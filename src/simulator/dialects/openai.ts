/** OpenAI's 429 over a limit, as the real provider sends it (facts page §1.1). */
import { type RateLimitInput, type SimResponse, json, openAiMessage } from './shared.js';

export function openaiRateLimit({ model, view, retryMs, requested, headers }: RateLimitInput): SimResponse {
  return json(
    429,
    {
      error: {
        message: openAiMessage(model, view, requested, retryMs),
        type: view.limit.unit,
        param: null,
        code: 'rate_limit_exceeded',
      },
    },
    headers,
  );
}
