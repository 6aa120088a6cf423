/**
 * Retries through the running gateway: a 5xx is retried on the same deployment after a full-jitter
 * backoff, a 429's Retry-After is waited out rather than hammered, and the per-provider retry
 * budget keeps an outage from multiplying the load. The fleet and the gateway share a ManualClock,
 * so every wait is on fake time and nothing sleeps on the wall clock.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { drive, startFaultStack, type FaultStack } from './support.js';

let stack: FaultStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

// The sim answers at once (no latency to sleep through) and the gateway's timeouts stay out of the way of fake time.
const instant = { ttftMs: 0, tokensPerSecond: 0, jitter: 0 };
const patientTimeouts = { firstTokenTimeoutMs: { min: 3_600_000, max: 3_600_000 }, idleTimeoutMs: 3_600_000, totalTimeoutMs: 3_600_000 };

const clientOf = (s: FaultStack) => new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'unused', maxRetries: 0 });
const ask = (s: FaultStack, content = 'Say hello') =>
  clientOf(s)
    .chat.completions.create(
      { model: 'alpha/m', messages: [{ role: 'user', content }], max_tokens: 8 },
      { headers: { 'x-freeway-max-wait-ms': '600000' } },
    )
    .withResponse();

describe('retries through the running gateway', () => {
  it('retries a 5xx on the same deployment after a backoff and succeeds', async () => {
    const clock = new ManualClock();
    stack = await startFaultStack({
      clock,
      fleet: [{ id: 'alpha', models: ['m'], latency: instant, faults: [{ kind: 'server-error', status: 500, at: [1] }] }],
      overrides: { resilience: patientTimeouts },
    });
    const started = clock.now();
    const { response } = await drive(ask(stack), clock, 10);
    expect(response.headers.get('x-freeway-provider')).toBe('alpha');
    expect(response.headers.get('x-freeway-attempts')).toBe('2');
    expect(stack.callsAt('alpha')).toBe(2);
    // Full jitter: somewhere in [0, 2 × 250 ms) of fake time passed before the retry.
    expect(clock.now() - started).toBeLessThan(2_000);
  });

  it("waits out a 429's Retry-After instead of calling again before it", async () => {
    const clock = new ManualClock();
    stack = await startFaultStack({
      clock,
      fleet: [
        {
          id: 'alpha',
          dialect: 'openrouter',
          models: [{ id: 'm', limits: [{ requests: 2, per: 'minute' }] }],
          latency: instant,
          // The provider enforces half of what it advertises: the gateway learns it from the 429.
          faults: [{ kind: 'lower-limits', factor: 0.5 }],
        },
      ],
      overrides: { resilience: patientTimeouts },
    });
    await drive(ask(stack, 'first'), clock, 10);
    const before = clock.now();
    const { response } = await drive(ask(stack, 'second'), clock, 100);
    const waited = clock.now() - before;
    expect(response.headers.get('x-freeway-attempts')).toBe('2');
    expect(stack.fleet.stats().providers['alpha']?.rejected).toBe(1);
    expect(stack.callsAt('alpha')).toBe(3);
    // One request per minute is what the provider really allows: the retry came after its Retry-After.
    expect(waited).toBeGreaterThanOrEqual(55_000);
  });

  it('keeps retries within the provider budget during an outage instead of doubling the load', async () => {
    const clock = new ManualClock();
    stack = await startFaultStack({
      clock,
      fleet: [{ id: 'alpha', models: ['m'], latency: instant, faults: [{ kind: 'server-error', status: 500, every: 1 }] }],
      overrides: { resilience: { ...patientTimeouts, breaker: { failureThreshold: 10_000 } } },
    });
    const requests = 60;
    let failed = 0;
    for (let i = 0; i < requests; i++) {
      const error = await drive(ask(stack, `question ${i}`), clock, 10).catch((e: unknown) => e);
      if (error instanceof OpenAI.APIError && error.status === 502) failed += 1;
    }
    expect(failed).toBe(requests);
    const calls = stack.callsAt('alpha');
    // One retry per request would be 2 × 60 = 120 calls; the budget allows ~20% plus a small floor.
    expect(calls).toBeGreaterThan(requests);
    expect(calls).toBeLessThanOrEqual(requests * 1.2 + 10);
  });
});
