/** Dialects that speak through error bodies: OpenRouter, Gemini, Cloudflare. Bodies as providers send them. */
import { describe, expect, it } from 'vitest';
import { DAY, MINUTE } from '../../src/core/limits.js';
import { parseRateLimitSignal } from '../../src/upstream/index.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('openrouter', () => {
  it('free-models-per-day: epoch-ms reset from the body metadata, daily exhaustion', () => {
    const bodyText = JSON.stringify({
      error: {
        message: 'Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day',
        code: 429,
        metadata: { headers: { 'X-RateLimit-Limit': '50', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1767312000000' } },
      },
      user_id: 'user_2abc',
    });
    const signal = parseRateLimitSignal('openrouter', { status: 429, headers: {}, bodyText }, NOW);
    expect(signal.observations).toEqual([{ unit: 'requests', windowMs: DAY, limit: 50, remaining: 0, resetAt: 1_767_312_000_000 }]);
    expect(signal.exhausted).toEqual({ period: 'day', resetAt: 1_767_312_000_000, name: 'free-models-per-day' });
  });

  it('limit_source naming a daily tier means day even without the reset', () => {
    const bodyText = JSON.stringify({
      error: { code: 429, message: 'Rate limit exceeded', metadata: { limit_source: 'openrouter_free_tier_daily' } },
    });
    const signal = parseRateLimitSignal('openrouter', { status: 429, headers: { 'retry-after': '120' }, bodyText }, NOW);
    expect(signal.retryAfterMs).toBe(120_000);
    // Daily counters reset at UTC midnight.
    expect(signal.exhausted).toEqual({ period: 'day', resetAt: Date.UTC(2026, 0, 2), name: 'openrouter_free_tier_daily' });
  });

  it('free-models-per-min is short, with the window known', () => {
    const bodyText = JSON.stringify({
      error: { message: 'Rate limit exceeded: free-models-per-min. ', code: 429, metadata: { headers: { 'X-RateLimit-Limit': '20', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1767268860000' } } },
    });
    const signal = parseRateLimitSignal('openrouter', { status: 429, headers: {}, bodyText }, NOW);
    expect(signal.observations[0]).toMatchObject({ windowMs: MINUTE, limit: 20, remaining: 0 });
    expect(signal.exhausted).toEqual({ period: 'short', resetAt: 1_767_268_860_000, name: 'free-models-per-min' });
  });

  it('a provider-side 429 names the provider and is short', () => {
    const bodyText = JSON.stringify({
      error: {
        message: 'Provider returned error',
        code: 429,
        metadata: { raw: 'google/gemini-2.0-flash-exp:free is temporarily rate-limited upstream. Please retry shortly.', provider_name: 'Google AI Studio' },
      },
      user_id: 'user_2abc',
    });
    const signal = parseRateLimitSignal('openrouter', { status: 429, headers: {}, bodyText }, NOW);
    expect(signal.exhausted).toEqual({ period: 'short', name: 'upstream:Google AI Studio' });
  });

  it('real headers are read too', () => {
    const signal = parseRateLimitSignal('openrouter', { status: 200, headers: { 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '19', 'x-ratelimit-reset': '1767268860000' } }, NOW);
    expect(signal).toEqual({ observations: [{ unit: 'requests', limit: 20, remaining: 19, resetAt: 1_767_268_860_000 }] });
  });
});

const geminiError = (quotaId: string, retryDelay: string) => ({
  error: {
    code: 429,
    message:
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
    status: 'RESOURCE_EXHAUSTED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
            quotaId,
            quotaDimensions: { location: 'global', model: 'gemini-2.5-flash' },
            quotaValue: quotaId.includes('PerDay') ? '20' : '5',
          },
        ],
      },
      { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay },
    ],
  },
});

describe('gemini', () => {
  it('a PerMinute quotaId is short; RetryInfo gives the wait', () => {
    const bodyText = JSON.stringify(geminiError('GenerateRequestsPerMinutePerProjectPerModel-FreeTier', '26s'));
    const signal = parseRateLimitSignal('gemini', { status: 429, headers: {}, bodyText }, NOW);
    expect(signal.retryAfterMs).toBe(26_000);
    expect(signal.observations).toEqual([{ unit: 'requests', windowMs: MINUTE, limit: 5, remaining: 0, resetAt: NOW + 26_000 }]);
    expect(signal.exhausted).toEqual({ period: 'short', resetAt: NOW + 26_000, name: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' });
  });

  it('a PerDay quotaId in the array-wrapped body of the OpenAI-compatible endpoint parks until midnight Pacific', () => {
    const bodyText = JSON.stringify([geminiError('GenerateRequestsPerDayPerProjectPerModel-FreeTier', '43.2s')]);
    const signal = parseRateLimitSignal('gemini', { status: 429, headers: {}, bodyText }, NOW);
    const midnightPacific = Date.UTC(2026, 0, 2, 8);
    expect(signal.observations).toEqual([{ unit: 'requests', windowMs: DAY, limit: 20, remaining: 0, resetAt: midnightPacific }]);
    expect(signal.exhausted).toEqual({ period: 'day', resetAt: midnightPacific, name: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier' });
  });

  it('token quotas are tokens', () => {
    const bodyText = JSON.stringify(geminiError('GenerateContentInputTokensPerModelPerMinute-FreeTier', '5.5s'));
    const signal = parseRateLimitSignal('gemini', { status: 429, headers: {}, bodyText }, NOW);
    expect(signal.observations[0]).toMatchObject({ unit: 'tokens', windowMs: MINUTE });
  });

  it('a message-only 429 still yields the spelled-out wait', () => {
    const bodyText = JSON.stringify([{ error: { code: 429, message: 'Quota exceeded for metric: generate_content_free_tier_requests, limit: 5. Please retry in 12.5s.', status: 'RESOURCE_EXHAUSTED' } }]);
    const signal = parseRateLimitSignal('gemini', { status: 429, headers: {}, bodyText }, NOW);
    expect(signal.retryAfterMs).toBe(12_500);
    expect(signal.exhausted).toEqual({ period: 'unknown', resetAt: NOW + 12_500 });
  });

  it('a success says nothing', () => {
    expect(parseRateLimitSignal('gemini', { status: 200, headers: {} }, NOW)).toEqual({ observations: [] });
  });
});

describe('cloudflare', () => {
  it('3036: the daily neurons are spent until 00:00 UTC', () => {
    const bodyText = JSON.stringify({
      errors: [{ message: 'AiError: AiError: you have used up your daily free allocation of 10,000 neurons, please upgrade to Cloudflare\'s Workers Paid plan if you would like to continue usage.', code: 3036 }],
      success: false,
      result: null,
      messages: [],
    });
    const signal = parseRateLimitSignal('cloudflare', { status: 429, headers: {}, bodyText }, NOW);
    expect(signal.exhausted).toEqual({ period: 'day', resetAt: Date.UTC(2026, 0, 2), name: 'daily-neurons' });
  });

  it('3040: out of capacity is a short cool-down, not a spent quota', () => {
    const bodyText = JSON.stringify({ errors: [{ message: 'No more data centers to forward the request to', code: 3040 }], success: false });
    const signal = parseRateLimitSignal('cloudflare', { status: 429, headers: {}, bodyText }, NOW);
    expect(signal.exhausted).toEqual({ period: 'short', name: 'capacity' });
  });

  it('the OpenAI-compatible envelope carries the code too', () => {
    const bodyText = JSON.stringify({ error: { code: 3036, message: 'daily free allocation used up' } });
    expect(parseRateLimitSignal('cloudflare', { status: 429, headers: {}, bodyText }, NOW).exhausted?.period).toBe('day');
  });

  it('a body that is not JSON is no crash', () => {
    expect(parseRateLimitSignal('cloudflare', { status: 429, headers: {}, bodyText: '<html>Too Many Requests</html>' }, NOW)).toEqual({
      observations: [],
      exhausted: { period: 'unknown' },
    });
  });
});
