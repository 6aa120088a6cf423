import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createConcurrencyLimiter } from '../../src/quota/index.js';

describe('adaptive concurrency (AIMD)', () => {
  it('starts at 10 and refuses the eleventh call in flight', () => {
    const limiter = createConcurrencyLimiter({ clock: new ManualClock() });
    const taken = Array.from({ length: 11 }, () => limiter.tryAcquire());
    expect(taken.filter(Boolean)).toHaveLength(10);
    expect(limiter.snapshot()).toMatchObject({ limit: 10, inFlight: 10 });
  });

  it('cuts the limit on a drop: max(1, min(limit − 1, ⌊limit × 0.9⌋))', () => {
    const limiter = createConcurrencyLimiter({ clock: new ManualClock(), initialLimit: 30 });
    const limits: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      limiter.tryAcquire();
      limiter.release('drop');
      limits.push(limiter.snapshot().limit);
    }
    expect(limits).toEqual([27, 24, 21, 18, 16, 14, 12, 10, 9, 8, 7, 6]);
    for (let i = 0; i < 10; i += 1) limiter.recordDrop('upstream_rate_limited');
    expect(limiter.snapshot()).toMatchObject({ limit: 1, inFlight: 0, drops: 22 });
  });

  it('counts only load-shedding failures as drops', () => {
    const limiter = createConcurrencyLimiter({ clock: new ManualClock() });
    limiter.recordDrop('upstream_server_error');
    limiter.recordDrop('upstream_bad_request');
    expect(limiter.snapshot().limit).toBe(10);
    limiter.recordDrop('upstream_overloaded'); // 503
    limiter.recordDrop('upstream_first_byte_timeout');
    expect(limiter.snapshot().limit).toBe(8);
  });

  it('grows by one on success only when at least half the limit was in flight', () => {
    const clock = new ManualClock();
    const limiter = createConcurrencyLimiter({ clock });
    limiter.tryAcquire();
    limiter.release('success'); // 1 in flight of 10: no evidence that more would work
    expect(limiter.snapshot().limit).toBe(10);
    for (let i = 0; i < 5; i += 1) limiter.tryAcquire();
    clock.set(clock.now() + 1000);
    limiter.release('success'); // it ran as the 1st of 5 in flight
    expect(limiter.snapshot().limit).toBe(10);
    for (let i = 0; i < 4; i += 1) limiter.release('success'); // the 5th ran with 5 in flight
    expect(limiter.snapshot()).toMatchObject({ limit: 11, inFlight: 0, changedAt: clock.now() });
  });

  it('tells the queue when a slot frees, and ignores stray releases', () => {
    let notices = 0;
    const limiter = createConcurrencyLimiter({ clock: new ManualClock(), initialLimit: 1, onCapacity: () => (notices += 1) });
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
    limiter.release('ignore');
    limiter.release();
    expect(notices).toBe(1);
    expect(limiter.snapshot()).toMatchObject({ limit: 1, inFlight: 0 });
  });
});
