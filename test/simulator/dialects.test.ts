/**
 * Each dialect's success headers and 429 (status, headers, body) against provider-signals.md §1.1–1.2.
 * Fleet time starts at 2026-01-01T12:00:00Z on a ManualClock; the model allows 2 requests/minute,
 * 5/day and 1000 tokens/minute, so the third request in a row is refused by the per-minute limit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningFleet } from '../../src/simulator/index.js';
import { chat, dialectFleet, fleetFrom, type SimResult } from './sim-client.js';

const START = Date.UTC(2026, 0, 1, 12, 0, 0);
let fleet: RunningFleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

/** First success, then the 429 that follows two admitted requests. */
async function successThen429(dialect: string, extra = ''): Promise<{ ok: SimResult; limited: SimResult }> {
  ({ fleet } = await fleetFrom(dialectFleet(dialect, extra)));
  const body = { model: 'up-m1', max_tokens: 10 };
  const ok = await chat(fleet, 0, body);
  expect(ok.status).toBe(200);
  expect((await chat(fleet, 0, body)).status).toBe(200);
  const limited = await chat(fleet, 0, body);
  expect(limited.status).toBe(429);
  expect(fleet.stats().providers[`p-${dialect}`]?.rejectedByLimit).toEqual({ 'model:requests/minute': 1 });
  return { ok, limited };
}

/** A fleet whose provider-level daily limit (1/day) is spent by the first request. */
async function dailyLimited(dialect: string): Promise<SimResult> {
  ({ fleet } = await fleetFrom(dialectFleet(dialect, 'limits: [{ requests: 1, per: day }]')));
  expect((await chat(fleet, 0, { model: 'up-m1', max_tokens: 10 })).status).toBe(200);
  const limited = await chat(fleet, 0, { model: 'up-m1', max_tokens: 10 });
  expect(limited.status).toBe(429);
  return limited;
}

const rateHeaders = (headers: Record<string, string>) =>
  Object.keys(headers).filter((h) => /ratelimit|retry-after/.test(h));

describe('dialects', () => {
  it('openai: x-ratelimit-* with Go-duration resets, tokens reserved as prompt + max_tokens, no retry-after', async () => {
    const { ok, limited } = await successThen429('openai');
    expect(ok.headers).toMatchObject({
      'x-ratelimit-limit-requests': '2',
      'x-ratelimit-remaining-requests': '1',
      'x-ratelimit-reset-requests': '30s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': String(1000 - (9 + 10)),
    });
    expect(limited.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(limited.headers['retry-after']).toBeUndefined();
    expect(limited.json).toMatchObject({ error: { code: 'rate_limit_exceeded', type: 'requests' } });
    expect((limited.json as { error: { message: string } }).error.message).toMatch(
      /Limit 2, Used 2, Requested 1\. Please try again in 30\.000s/,
    );
  });

  it('groq: -requests are per day, -tokens per minute, retry-after in seconds only on the 429', async () => {
    const { ok, limited } = await successThen429('groq');
    expect(ok.headers).toMatchObject({
      'x-ratelimit-limit-requests': '5',
      'x-ratelimit-remaining-requests': '4',
      'x-ratelimit-reset-requests': '12h0m0s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': String(1000 - 9),
    });
    expect(ok.headers['retry-after']).toBeUndefined();
    expect(limited.headers['retry-after']).toBe('30');
    expect(limited.headers['x-ratelimit-remaining-requests']).toBe('3');
    expect(limited.json).toMatchObject({ error: { code: 'rate_limit_exceeded', type: 'requests' } });
  });

  it('cerebras: -day/-minute header names with float-second resets', async () => {
    const { ok, limited } = await successThen429('cerebras');
    expect(ok.headers).toMatchObject({
      'x-ratelimit-limit-requests-day': '5',
      'x-ratelimit-remaining-requests-day': '4',
      'x-ratelimit-reset-requests-day': '43200.00',
      'x-ratelimit-limit-tokens-minute': '1000',
      'x-ratelimit-remaining-tokens-minute': String(1000 - 19),
    });
    expect(ok.headers['x-ratelimit-reset-tokens-minute']).toMatch(/^\d+\.\d{2}$/);
    expect(ok.headers['x-ratelimit-limit-requests']).toBeUndefined();
    expect(limited.json).toMatchObject({ type: 'too_many_requests_error', code: 'request_quota_exceeded' });
  });

  it('openrouter: no headers on success; epoch-ms reset inside error.metadata.headers', async () => {
    const { ok, limited } = await successThen429('openrouter');
    expect(rateHeaders(ok.headers)).toEqual([]);
    const error = (
      limited.json as { error: { code: number; message: string; metadata: { headers: Record<string, string> } } }
    ).error;
    expect(error.code).toBe(429);
    expect(error.message).toContain('free-models-per-min');
    expect(error.metadata.headers['X-RateLimit-Reset']).toBe(String(START + 30_000));
    const daily = await dailyLimited('openrouter');
    const dailyError = (daily.json as { error: { message: string; metadata: { headers: Record<string, string> } } })
      .error;
    expect(dailyError.message).toContain('free-models-per-day');
    expect(dailyError.metadata.headers['X-RateLimit-Reset']).toBe(String(Date.UTC(2026, 0, 2)));
  });

  it('gemini: an array body with RESOURCE_EXHAUSTED, QuotaFailure and RetryInfo; PerDay quotaId for the daily quota', async () => {
    const { ok, limited } = await successThen429('gemini');
    expect(rateHeaders(ok.headers)).toEqual([]);
    expect(Array.isArray(limited.json)).toBe(true);
    const error = (limited.json as { error: { status: string; details: Record<string, unknown>[] } }[])[0]!.error;
    expect(error.status).toBe('RESOURCE_EXHAUSTED');
    expect(error.details).toContainEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '30s' });
    const failure = error.details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.QuotaFailure') as {
      violations: { quotaId: string }[];
    };
    expect(failure.violations[0]!.quotaId).toBe('GenerateRequestsPerMinutePerProjectPerModel-FreeTier');
    const daily = await dailyLimited('gemini');
    expect(daily.text).toContain('PerDay');
  });

  it('mistral: ratelimitbysize-* headers in whole seconds', async () => {
    const { ok, limited } = await successThen429('mistral');
    expect(ok.headers).toMatchObject({
      'ratelimitbysize-limit': '1000',
      'ratelimitbysize-remaining': '991',
      'x-ratelimitbysize-limit-minute': '1000',
    });
    expect(ok.headers['ratelimitbysize-reset']).toMatch(/^\d+$/);
    expect(limited.json).toMatchObject({ message: 'Requests rate limit exceeded' });
  });

  it('cloudflare: code 3036 when the daily allocation is spent, 3040 otherwise', async () => {
    const { ok, limited } = await successThen429('cloudflare');
    expect(rateHeaders(ok.headers)).toEqual([]);
    expect(limited.json).toMatchObject({ success: false, errors: [{ code: 3040 }] });
    const daily = await dailyLimited('cloudflare');
    expect(daily.json).toMatchObject({ success: false, errors: [{ code: 3036 }] });
  });

  it('together: 429 over your own limit, 503 when the platform is busy', async () => {
    const { ok, limited } = await successThen429('together');
    expect(ok.headers).toMatchObject({
      'x-ratelimit-limit': '2',
      'x-ratelimit-remaining': '1',
      'x-ratelimit-reset': '30',
      'x-tokenlimit-limit': '1000',
    });
    expect(limited.json).toMatchObject({ error: { type: 'dynamic_request_limited' } });
    await fleet?.close();
    ({ fleet } = await fleetFrom(dialectFleet('together', 'faults: [{ kind: busy, at: [1] }]')));
    const busy = await chat(fleet, 0, { model: 'up-m1' });
    expect(busy.status).toBe(503);
    expect(fleet.stats().providers['p-together']?.faults).toEqual({ busy: 1 });
  });

  it('anthropic: RFC 3339 resets and retry-after', async () => {
    const { ok, limited } = await successThen429('anthropic');
    expect(ok.headers).toMatchObject({
      'anthropic-ratelimit-requests-limit': '2',
      'anthropic-ratelimit-requests-remaining': '1',
      'anthropic-ratelimit-requests-reset': '2026-01-01T12:00:30Z',
    });
    expect(limited.headers['retry-after']).toBe('30');
    expect(limited.json).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('ietf: RateLimit-Policy and RateLimit, Retry-After on the 429', async () => {
    const { ok, limited } = await successThen429('ietf');
    expect(ok.headers['ratelimit-policy']).toContain('"model-requests-minute";q=2;w=60');
    expect(ok.headers['ratelimit-policy']).toContain('"model-requests-day";q=5;w=86400');
    expect(ok.headers['ratelimit']).toContain('"model-requests-minute";r=1;t=30');
    expect(limited.headers['ratelimit']).toContain('"model-requests-minute";r=0;t=60');
    expect(limited.headers['retry-after']).toBe('30');
  });

  it('none: a bare 429 with no signal at all', async () => {
    const { ok, limited } = await successThen429('none');
    expect(rateHeaders(ok.headers)).toEqual([]);
    expect(rateHeaders(limited.headers)).toEqual([]);
  });

  it.each([
    'openai',
    'groq',
    'cerebras',
    'openrouter',
    'gemini',
    'mistral',
    'cloudflare',
    'together',
    'anthropic',
    'ietf',
    'none',
  ])('%s: a wrong or missing key gets the provider 401, never echoing the key', async (dialect) => {
    ({ fleet } = await fleetFrom(dialectFleet(dialect)));
    const wrong = await chat(fleet, 0, { model: 'up-m1' }, 'sk-wrong-secret');
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('sk-wrong-secret');
    const provider = fleet.providers[0]!;
    const missing = await fetch(`${provider.baseUrl}/models`);
    expect(missing.status).toBe(401);
    expect(fleet.stats().providers[provider.id]?.unauthorized).toBe(2);
  });
});
