/** Gemini's 429 over a limit, as the real provider sends it (facts page §1.1). */
import { type RateLimitInput, type SimResponse, geminiQuotaId, json } from './shared.js';

export function geminiRateLimit({ model, view, retryMs }: RateLimitInput): SimResponse {
  const quotaId = geminiQuotaId(view);
  const metric =
    view.limit.unit === 'requests'
      ? 'generate_content_free_tier_requests'
      : 'generate_content_free_tier_input_token_count';
  const seconds = Math.max(1, Math.ceil(retryMs / 1000));
  // Google's OpenAI-compatible endpoint answers with a one-element array.
  return json(429, [
    {
      error: {
        code: 429,
        message:
          `You exceeded your current quota, please check your plan and billing details. ` +
          `* Quota exceeded for metric: generativelanguage.googleapis.com/${metric}, limit: ${view.amount}, model: ${model.upstreamId}. Please retry in ${seconds}s.`,
        status: 'RESOURCE_EXHAUSTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [
              {
                quotaMetric: `generativelanguage.googleapis.com/${metric}`,
                quotaId,
                quotaDimensions: { location: 'global', model: model.upstreamId },
                quotaValue: String(view.amount),
              },
            ],
          },
          {
            '@type': 'type.googleapis.com/google.rpc.Help',
            links: [
              {
                description: 'Learn more about Gemini API quotas',
                url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
              },
            ],
          },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` },
        ],
      },
    },
  ]);
}
