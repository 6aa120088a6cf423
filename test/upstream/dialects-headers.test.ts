/** Dialects that speak mostly through headers, fed captured-looking answers. */
import { describe, expect, it } from 'vitest';
import { DAY, MINUTE, MONTH, SECOND } from '../../src/core/limits.js';
import { parseRateLimitSignal } from '../../src/upstream/index.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('openai', () => {
  it('reads the x-ratelimit headers of a success with Go-duration resets and no stated window', () => {
    const signal = parseRateLimitSignal(
      'openai',
      {
        status: 200,
        headers: {
          'x-ratelimit-limit-requests': '5000',
          'x-ratelimit-limit-tokens': '800000',
          'x-ratelimit-remaining-requests': '4999',
          'x-ratelimit-remaining-tokens': '799975',
          'x-ratelimit-reset-requests': '12ms',
          'x-ratelimit-reset-tokens': '1ms',
          'openai-processing-ms': '412',
        },
      },
      NOW,
    );
    expect(signal).toEqual({
      observations: [
        { unit: 'requests', limit: 5000, remaining: 4999, resetAt: NOW + 12 },
        { unit: 'tokens', limit: 800_000, remaining: 799_975, resetAt: NOW + 1 },
      ],
    });
  });

  it('takes the wait from the 429 message and the quota from its wording', () => {
    const bodyText = JSON.stringify({
      error: {
        message:
          'Rate limit reached for gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, Used 28000, Requested 30601. Please try again in 18.642s. Visit https://platform.openai.com/account/rate-limits to learn more.',
        type: 'tokens',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
    const signal = parseRateLimitSignal(
      'openai',
      { status: 429, headers: { 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '1m26.4s' }, bodyText },
      NOW,
    );
    expect(signal.retryAfterMs).toBeCloseTo(18_642, 6);
    expect(signal.exhausted).toEqual({ period: 'short', resetAt: NOW + 86_400, name: 'rate_limit_exceeded' });
  });

  it('treats Azure-style -1 headers as unknown, and Retry-After beats the message', () => {
    const signal = parseRateLimitSignal(
      'openai',
      { status: 429, headers: { 'x-ratelimit-remaining-requests': '-1', 'x-ratelimit-limit-requests': '-1', 'retry-after': '7' }, bodyText: '{"error":{"message":"Please try again in 3s"}}' },
      NOW,
    );
    expect(signal.observations).toEqual([]);
    expect(signal.retryAfterMs).toBe(7_000);
    expect(signal.exhausted).toEqual({ period: 'unknown', resetAt: NOW + 7_000 });
  });
});

describe('groq', () => {
  const headers = {
    'x-ratelimit-limit-requests': '14400',
    'x-ratelimit-limit-tokens': '6000',
    'x-ratelimit-remaining-requests': '14370',
    'x-ratelimit-remaining-tokens': '5997',
    'x-ratelimit-reset-requests': '2m59.56s',
    'x-ratelimit-reset-tokens': '7.66s',
  };

  it('requests headers count per day, tokens headers per minute', () => {
    expect(parseRateLimitSignal('groq', { status: 200, headers }, NOW).observations).toEqual([
      { unit: 'requests', windowMs: DAY, limit: 14_400, remaining: 14_370, resetAt: NOW + 179_560 },
      { unit: 'tokens', windowMs: MINUTE, limit: 6000, remaining: 5997, resetAt: NOW + 7_660 },
    ]);
  });

  it('a 429 on requests per day parks until the RPD reset', () => {
    const signal = parseRateLimitSignal(
      'groq',
      {
        status: 429,
        headers: { ...headers, 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '6m0s', 'retry-after': '360' },
        bodyText: JSON.stringify({
          error: {
            message: 'Rate limit reached for model `llama-3.3-70b-versatile` in organization `org_01` service tier `on_demand` on requests per day (RPD): Limit 1000, Used 1000, Requested 1. Please try again in 6m0s.',
            type: 'requests',
            code: 'rate_limit_exceeded',
          },
        }),
      },
      NOW,
    );
    expect(signal.retryAfterMs).toBe(360_000);
    expect(signal.exhausted).toEqual({ period: 'day', resetAt: NOW + 360_000, name: 'rate_limit_exceeded' });
  });

  it('a bare 429 with tokens at zero is a short cool-down', () => {
    const signal = parseRateLimitSignal('groq', { status: 429, headers: { ...headers, 'x-ratelimit-remaining-tokens': '0' } }, NOW);
    expect(signal.exhausted).toEqual({ period: 'short', resetAt: NOW + 7_660 });
  });
});

describe('cerebras', () => {
  it('reads the window from the header names and float-second resets', () => {
    const signal = parseRateLimitSignal(
      'cerebras',
      {
        status: 200,
        headers: {
          'x-ratelimit-limit-requests-day': '14400',
          'x-ratelimit-limit-tokens-minute': '60000',
          'x-ratelimit-remaining-requests-day': '14399',
          'x-ratelimit-remaining-tokens-minute': '59000',
          'x-ratelimit-reset-requests-day': '33011.38',
          'x-ratelimit-reset-tokens-minute': '11.38',
        },
      },
      NOW,
    );
    expect(signal.observations).toHaveLength(2);
    expect(signal.observations[0]).toMatchObject({ unit: 'requests', windowMs: DAY, limit: 14_400, remaining: 14_399 });
    expect(signal.observations[0]?.resetAt).toBeCloseTo(NOW + 33_011_380, 3);
    expect(signal.observations[1]).toMatchObject({ unit: 'tokens', windowMs: MINUTE, limit: 60_000, remaining: 59_000 });
    expect(signal.observations[1]?.resetAt).toBeCloseTo(NOW + 11_380, 3);
  });

  it('a 429 with the daily requests spent says day', () => {
    const signal = parseRateLimitSignal(
      'cerebras',
      {
        status: 429,
        headers: { 'x-ratelimit-remaining-requests-day': '0', 'x-ratelimit-reset-requests-day': '3600' },
        bodyText: '{"message":"Requests per day limit exceeded - too many requests sent.","type":"too_many_requests_error","param":"quota","code":"request_quota_exceeded"}',
      },
      NOW,
    );
    expect(signal.exhausted).toEqual({ period: 'day', resetAt: NOW + 3_600_000, name: 'request_quota_exceeded' });
  });
});

describe('mistral', () => {
  it('reads ratelimitbysize and the minute/month variants', () => {
    const signal = parseRateLimitSignal(
      'mistral',
      {
        status: 200,
        headers: {
          'ratelimitbysize-limit': '500000',
          'ratelimitbysize-remaining': '499000',
          'ratelimitbysize-reset': '42',
          'x-ratelimitbysize-limit-minute': '500000',
          'x-ratelimitbysize-remaining-minute': '499000',
          'x-ratelimitbysize-limit-month': '1000000000',
          'x-ratelimitbysize-remaining-month': '999000000',
        },
      },
      NOW,
    );
    expect(signal.observations).toEqual([
      { unit: 'tokens', limit: 500_000, remaining: 499_000, resetAt: NOW + 42_000 },
      { unit: 'tokens', windowMs: MINUTE, limit: 500_000, remaining: 499_000 },
      { unit: 'tokens', windowMs: MONTH, limit: 1_000_000_000, remaining: 999_000_000 },
    ]);
  });

  it('a 429 with the month spent says month', () => {
    const signal = parseRateLimitSignal(
      'mistral',
      { status: 429, headers: { 'x-ratelimitbysize-remaining-month': '0', 'x-ratelimitbysize-limit-month': '1000000000' }, bodyText: '{"message":"Requests rate limit exceeded"}' },
      NOW,
    );
    expect(signal.exhausted?.period).toBe('month');
  });
});

describe('together', () => {
  it('per-second requests and tokens; a dynamic 429 is a short cool-down named by its error type', () => {
    const headers = {
      'x-ratelimit-limit': '10',
      'x-ratelimit-limit-dynamic': '12',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '2',
      'x-tokenlimit-limit': '200000',
      'x-tokenlimit-remaining': '150000',
    };
    const signal = parseRateLimitSignal(
      'together',
      { status: 429, headers, bodyText: '{"error":{"message":"You have been rate limited.","type":"dynamic_request_limited","param":null,"code":null}}' },
      NOW,
    );
    expect(signal.observations).toEqual([
      { unit: 'requests', windowMs: SECOND, limit: 12, remaining: 0, resetAt: NOW + 2_000 },
      { unit: 'tokens', windowMs: SECOND, limit: 200_000, remaining: 150_000 },
    ]);
    expect(signal.retryAfterMs).toBe(2_000);
    expect(signal.exhausted).toEqual({ period: 'short', resetAt: NOW + 2_000, name: 'dynamic_request_limited' });
  });

  it('a 503 (platform busy) spends no quota', () => {
    const signal = parseRateLimitSignal('together', { status: 503, headers: {}, bodyText: '{"error":{"message":"service unavailable","type":"server_error"}}' }, NOW);
    expect(signal.exhausted).toBeUndefined();
  });
});

describe('anthropic', () => {
  it('RFC 3339 resets for each family; retry-after-ms beats retry-after', () => {
    const signal = parseRateLimitSignal(
      'anthropic',
      {
        status: 429,
        headers: {
          'anthropic-ratelimit-requests-limit': '50',
          'anthropic-ratelimit-requests-remaining': '49',
          'anthropic-ratelimit-requests-reset': '2026-01-01T12:00:01Z',
          'anthropic-ratelimit-input-tokens-limit': '30000',
          'anthropic-ratelimit-input-tokens-remaining': '0',
          'anthropic-ratelimit-input-tokens-reset': '2026-01-01T12:00:30Z',
          'anthropic-ratelimit-output-tokens-limit': '8000',
          'anthropic-ratelimit-output-tokens-remaining': '8000',
          'anthropic-ratelimit-output-tokens-reset': 'garbage',
          'retry-after': '30',
          'retry-after-ms': '29500',
        },
        bodyText: '{"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed the rate limit for your organization of 30,000 input tokens per minute."}}',
      },
      NOW,
    );
    expect(signal.observations).toEqual([
      { unit: 'requests', limit: 50, remaining: 49, resetAt: NOW + 1_000 },
      { unit: 'tokens', limit: 30_000, remaining: 0, resetAt: NOW + 30_000 },
      { unit: 'tokens', limit: 8000, remaining: 8000 },
    ]);
    expect(signal.retryAfterMs).toBe(29_500);
    expect(signal.exhausted).toEqual({ period: 'unknown', resetAt: NOW + 30_000, name: 'rate_limit_error' });
  });
});

describe('ietf', () => {
  it('RateLimit-Policy and RateLimit structured fields, matched by name', () => {
    const signal = parseRateLimitSignal(
      'ietf',
      { status: 200, headers: { 'ratelimit-policy': '"burst";q=100;w=60, "daily";q=1000;w=86400', ratelimit: '"burst";r=50;t=30, "daily";r=999;t=3600' } },
      NOW,
    );
    expect(signal.observations).toEqual([
      { unit: 'requests', windowMs: MINUTE, limit: 100, remaining: 50, resetAt: NOW + 30_000 },
      { unit: 'requests', windowMs: DAY, limit: 1000, remaining: 999, resetAt: NOW + 3_600_000 },
    ]);
  });

  it('a lone state pairs with a lone policy; byte quotas are left out; Retry-After wins', () => {
    const signal = parseRateLimitSignal(
      'ietf',
      {
        status: 429,
        headers: { 'RateLimit-Policy': '"default";q=10;w=1, "bytes";q=1000;qu="content-bytes";w=1', RateLimit: '"default";r=0;t=1', 'Retry-After': '2' },
      },
      NOW,
    );
    expect(signal.observations).toEqual([{ unit: 'requests', windowMs: SECOND, limit: 10, remaining: 0, resetAt: NOW + 1_000 }]);
    expect(signal.retryAfterMs).toBe(2_000);
    expect(signal.exhausted).toEqual({ period: 'short', resetAt: NOW + 1_000 });
  });

  it('the older RateLimit-Limit/-Remaining/-Reset fields and the dictionary form', () => {
    expect(
      parseRateLimitSignal('ietf', { status: 200, headers: { 'ratelimit-limit': '100, 100;w=60', 'ratelimit-remaining': '42', 'ratelimit-reset': '17' } }, NOW).observations,
    ).toEqual([{ unit: 'requests', windowMs: MINUTE, limit: 100, remaining: 42, resetAt: NOW + 17_000 }]);
    expect(parseRateLimitSignal('ietf', { status: 200, headers: { ratelimit: 'limit=100, remaining=50, reset=30' } }, NOW).observations).toEqual([
      { unit: 'requests', limit: 100, remaining: 50, resetAt: NOW + 30_000 },
    ]);
  });
});

describe('none', () => {
  it('reports nothing but Retry-After, and an unknown quota on a 429', () => {
    expect(parseRateLimitSignal('none', { status: 200, headers: { 'x-ratelimit-remaining-requests': '5' } }, NOW)).toEqual({ observations: [] });
    expect(parseRateLimitSignal('none', { status: 429, headers: { 'retry-after': 'Thu, 01 Jan 2026 12:00:10 GMT' } }, NOW)).toEqual({
      observations: [],
      retryAfterMs: 10_000,
      exhausted: { period: 'unknown', resetAt: NOW + 10_000 },
    });
  });

  it('missing headers never read as zero', () => {
    const signal = parseRateLimitSignal('openai', { status: 200, headers: {} }, NOW);
    expect(signal).toEqual({ observations: [] });
  });
});
