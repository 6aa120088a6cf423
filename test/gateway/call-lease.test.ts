// The call lease ends exactly once, and each ending settles the reservation the way its case demands:
// real usage on success, a refund for a call the provider never counted, the reserve for a client gone.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { Deployment } from '../../src/core/deployment.js';
import { emptySignal } from '../../src/core/rate-limit-signal.js';
import { UpstreamFailureError } from '../../src/core/upstream-failure.js';
import { createCallLeases, type CallObservation } from '../../src/gateway/call-lease.js';
import { bucketsFor } from '../../src/gateway/buckets.js';
import { createAdmissionQueue, createMemoryQuotaStore, createQuotaLedger } from '../../src/quota/index.js';
import { classifyFailure, createBreakerRegistry, createDisabledKeys } from '../../src/resilience/index.js';

const deployment: Deployment = {
  id: 'p/m',
  providerId: 'p',
  keyLabel: 'key1',
  baseUrl: 'http://127.0.0.1:1/v1',
  apiKey: 'sk-secret',
  dialect: 'openai',
  model: { id: 'm', upstreamId: 'm', tags: [] },
  scopeKey: 'p:key1',
  modelScopeKey: 'p:key1:m',
  scopeLimits: [
    { unit: 'requests', amount: 100, windowMs: 86_400_000, calendar: 'day' },
    { unit: 'tokens', amount: 10_000, windowMs: 86_400_000, calendar: 'day' },
  ],
  modelLimits: [],
  quirks: {},
  headers: {},
};

function setUp() {
  const clock = new ManualClock(Date.UTC(2026, 0, 14, 12));
  const ledger = createQuotaLedger({ store: createMemoryQuotaStore(), clock });
  const breakers = createBreakerRegistry({ clock, failureThreshold: 1 });
  const disabledKeys = createDisabledKeys();
  const succeeded: CallObservation[] = [];
  const failed: string[] = [];
  const latencies: CallObservation[] = [];
  const events: string[] = [];
  const openLease = createCallLeases({
    clock,
    ledger,
    queue: createAdmissionQueue({ clock }),
    breakers,
    disabledKeys,
    classify: (failure, d) => classifyFailure(failure, { deploymentId: d.id, secrets: [d.apiKey], now: clock.now() }),
    observeLatency: (_d, observation) => latencies.push(observation),
    observeTimeout: () => {},
    listener: { opened: () => events.push('opened'), ended: (_lease, ending) => events.push(ending) },
    telemetry: { upstreamSucceeded: (_d, o) => succeeded.push(o), upstreamFailed: (_d, error) => failed.push(error.code) },
  });
  const open = async () => {
    const reserved = await ledger.tryReserve({ buckets: bucketsFor(deployment), tokens: 500 });
    if (!reserved.ok) throw new Error('the reservation must fit');
    return openLease({ deployment, reservation: reserved.reservation, concurrency: undefined, promptTokens: 400 });
  };
  const left = async () => {
    const limits = (await ledger.snapshot()).buckets.find((b) => b.key === 'p:key1')?.limits ?? [];
    return { requests: limits.find((l) => l.unit === 'requests')?.remaining, tokens: limits.find((l) => l.unit === 'tokens')?.remaining };
  };
  return { open, left, breakers, disabledKeys, succeeded, failed, latencies, events };
}

describe('a call lease', () => {
  it('settles on the reported usage once, and a second ending is a programming error', async () => {
    const { open, left, succeeded, latencies, events } = setUp();
    const lease = await open();
    await lease.answered(emptySignal());
    await lease.succeed({ usage: { prompt_tokens: 380, completion_tokens: 20, total_tokens: 400 }, ttftMs: 30, totalMs: 90 });
    expect(await left()).toEqual({ requests: 99, tokens: 9_600 });
    expect(succeeded).toEqual([{ promptTokens: 380, outputTokens: 20, ttftMs: 30, totalMs: 90 }]);
    expect(latencies).toEqual(succeeded);

    await expect(lease.succeed({ usage: undefined, ttftMs: 1, totalMs: 1 })).rejects.toThrow(/succeeded already/);
    await expect(lease.fail(new Error('late'))).rejects.toThrow(/succeeded already/);
    await expect(lease.abandon()).rejects.toThrow(/succeeded already/);
    expect(await left()).toEqual({ requests: 99, tokens: 9_600 });
    expect(events).toEqual(['opened', 'succeeded']);
  });

  it('falls back to the estimates when usage is not sound', async () => {
    const { open, left, succeeded } = setUp();
    await (await open()).succeed({ usage: { total_tokens: 'NaN', prompt_tokens: -1 }, ttftMs: 5, totalMs: 8, outputTokensEstimate: 3 });
    expect(await left()).toEqual({ requests: 99, tokens: 9_500 });
    expect(succeeded).toEqual([{ promptTokens: 400, outputTokens: 3, ttftMs: 5, totalMs: 8 }]);
  });

  it('refunds a call the provider turned away at the door, and takes a refused key out of service', async () => {
    const { open, left, failed, disabledKeys, breakers } = setUp();
    const refused = await (await open()).fail(new UpstreamFailureError({ kind: 'network', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, deployment.id));
    expect(refused.code).toBe('upstream_connect_failed');
    expect(await left()).toEqual({ requests: 100, tokens: 10_000 });

    const signal = emptySignal();
    const auth = await (await open()).fail(
      new UpstreamFailureError({ kind: 'http', status: 401, bodyText: '{"error":{"message":"bad key sk-secret"}}', headers: {}, signal }, deployment.id),
    );
    expect(auth.code).toBe('upstream_auth_failed');
    expect(auth.message).not.toContain('sk-secret');
    expect(disabledKeys.reasonFor(deployment)).toBe(auth.message);
    expect(failed).toEqual(['upstream_connect_failed', 'upstream_auth_failed']);
    expect(breakers.state(deployment.id)).toBe('open');
  });

  it('keeps a client-gone call charged and refunds a hedge loser', async () => {
    const { open, left } = setUp();
    await (await open()).abandon();
    expect(await left()).toEqual({ requests: 99, tokens: 9_500 });
    const loser = await open();
    expect(await left()).toEqual({ requests: 98, tokens: 9_000 });
    await loser.abandon({ refund: true });
    expect(await left()).toEqual({ requests: 99, tokens: 9_500 });
  });
});
