import { CountBreaker } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { FreewayError } from '../../src/core/errors.js';
import { createBreakerRegistry } from '../../src/resilience/index.js';

const serverError = () => new FreewayError('upstream_server_error', 'p/m failed (HTTP 500)');

describe('createBreakerRegistry', () => {
  it('opens after the threshold, stays open, then lets exactly one probe through', async () => {
    const clock = new ManualClock();
    const breakers = createBreakerRegistry({ clock, failureThreshold: 3, halfOpenAfterMs: 10_000 });
    expect(breakers.state('d1')).toBe('closed');
    for (let i = 0; i < 2; i += 1) breakers.recordFailure('d1', serverError());
    expect(breakers.isOpen('d1')).toBe(false);
    breakers.recordFailure('d1', serverError());
    expect(breakers.state('d1')).toBe('open');
    expect(breakers.isOpen('d1')).toBe(true);
    expect(breakers.tryAcquire('d1')).toBe(false);
    expect(breakers.isOpen('d2')).toBe(false);

    await clock.advance(9_999);
    expect(breakers.isOpen('d1')).toBe(true);
    await clock.advance(1);
    expect(breakers.state('d1')).toBe('half-open');
    // Routing may look as often as it likes; only tryAcquire claims the probe.
    expect(breakers.isOpen('d1')).toBe(false);
    expect(breakers.isOpen('d1')).toBe(false);
    expect(breakers.tryAcquire('d1')).toBe(true);
    expect(breakers.tryAcquire('d1')).toBe(false);
    expect(breakers.isOpen('d1')).toBe(true);

    breakers.recordSuccess('d1');
    expect(breakers.state('d1')).toBe('closed');
    expect(breakers.tryAcquire('d1')).toBe(true);
    expect(breakers.tryAcquire('d1')).toBe(true);
  });

  it('a failed probe opens it again, for longer each time up to the maximum', async () => {
    const clock = new ManualClock();
    const breakers = createBreakerRegistry({
      clock,
      failureThreshold: 1,
      halfOpenAfterMs: 1_000,
      maxHalfOpenAfterMs: 3_000,
    });
    breakers.recordFailure('d', serverError());
    const waits: number[] = [];
    for (let round = 0; round < 4; round += 1) {
      const snapshot = breakers.snapshot()[0];
      waits.push((snapshot?.halfOpenAt ?? 0) - (snapshot?.openedAt ?? 0));
      await clock.advance(waits[round] ?? 0);
      expect(breakers.tryAcquire('d')).toBe(true);
      breakers.recordFailure('d', serverError());
      expect(breakers.state('d')).toBe('open');
    }
    expect(waits).toEqual([1_000, 2_000, 3_000, 3_000]);
    await clock.advance(3_000);
    expect(breakers.tryAcquire('d')).toBe(true);
    breakers.recordSuccess('d');
    // Closed resets the growth.
    breakers.recordFailure('d', serverError());
    const reopened = breakers.snapshot()[0];
    expect((reopened?.halfOpenAt ?? 0) - (reopened?.openedAt ?? 0)).toBe(1_000);
  });

  it('ignores the caller’s mistakes and quota exhaustion; an answer to a probe counts as life', async () => {
    const clock = new ManualClock();
    const breakers = createBreakerRegistry({ clock, failureThreshold: 2, halfOpenAfterMs: 1_000 });
    for (const code of [
      'upstream_bad_request',
      'context_length_exceeded',
      'upstream_rate_limited',
      'upstream_quota_exhausted',
      'content_filtered',
    ] as const) {
      for (let i = 0; i < 5; i += 1) breakers.recordFailure('d', new FreewayError(code, 'x'));
    }
    expect(breakers.state('d')).toBe('closed');
    breakers.recordFailure('d', serverError());
    breakers.recordFailure('d', new FreewayError('upstream_first_byte_timeout', 'slow'));
    expect(breakers.state('d')).toBe('open');
    await clock.advance(1_000);
    expect(breakers.tryAcquire('d')).toBe(true);
    breakers.recordFailure('d', new FreewayError('upstream_rate_limited', '429'));
    expect(breakers.state('d')).toBe('closed');
  });

  it('frees a probe that was abandoned or lost, so the breaker cannot wedge half-open', async () => {
    const clock = new ManualClock();
    const breakers = createBreakerRegistry({ clock, failureThreshold: 1, halfOpenAfterMs: 1_000, probeLeaseMs: 5_000 });
    breakers.recordFailure('d', serverError());
    await clock.advance(1_000);
    expect(breakers.tryAcquire('d')).toBe(true);
    breakers.recordAbandoned('d');
    expect(breakers.tryAcquire('d')).toBe(true);
    expect(breakers.tryAcquire('d')).toBe(false);
    await clock.advance(5_000);
    expect(breakers.tryAcquire('d')).toBe(true);
  });

  it('takes any clock-free cockatiel breaker, e.g. a failure-rate CountBreaker', () => {
    const clock = new ManualClock();
    const breakers = createBreakerRegistry({
      clock,
      breaker: () => new CountBreaker({ threshold: 0.5, size: 10, minimumNumberOfCalls: 6 }),
    });
    // 20% errors never open it.
    for (let i = 0; i < 50; i += 1) {
      if (i % 5 === 0) breakers.recordFailure('flaky', serverError());
      else breakers.recordSuccess('flaky');
    }
    expect(breakers.state('flaky')).toBe('closed');
    // A dead one opens as soon as the window has enough calls.
    for (let i = 0; i < 5; i += 1) breakers.recordFailure('dead', serverError());
    expect(breakers.state('dead')).toBe('closed');
    breakers.recordFailure('dead', serverError());
    expect(breakers.state('dead')).toBe('open');
  });

  it('reports a snapshot for state and metrics', () => {
    const clock = new ManualClock(1_000_000);
    const breakers = createBreakerRegistry({ clock, failureThreshold: 1, halfOpenAfterMs: 30_000 });
    breakers.recordSuccess('ok');
    breakers.recordFailure('bad', serverError());
    breakers.recordFailure('ok', new FreewayError('upstream_bad_request', 'x'));
    expect(breakers.snapshot()).toEqual([
      { id: 'ok', state: 'closed', timesOpened: 0 },
      {
        id: 'bad',
        state: 'open',
        openedAt: 1_000_000,
        halfOpenAt: 1_030_000,
        timesOpened: 1,
        lastFailure: { code: 'upstream_server_error', message: 'p/m failed (HTTP 500)', at: 1_000_000 },
      },
    ]);
  });
});
