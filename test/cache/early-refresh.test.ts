import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createResponseCache, shouldRefreshEarly, warmUp } from '../../src/cache/index.js';
import { completion, configWith } from './fixtures.js';

describe('shouldRefreshEarly (XFetch)', () => {
  const entry = { expiresAt: 100_000, computeMs: 1_000 };

  it('never refreshes far from expiry, always once expired', () => {
    expect(shouldRefreshEarly(entry, 0, () => 0.999)).toBe(false);
    expect(shouldRefreshEarly(entry, 100_000, () => 0)).toBe(true);
  });

  it('refreshes when the draw gives a head start past expiry: −δ·β·ln(1−r) ≥ time left', () => {
    // 1 s left, δ = 1 s: refresh iff −ln(1−r) ≥ 1, that is r ≥ 1 − 1/e ≈ 0.632.
    expect(shouldRefreshEarly(entry, 99_000, () => 0.6)).toBe(false);
    expect(shouldRefreshEarly(entry, 99_000, () => 0.65)).toBe(true);
    // β = 2 doubles the head start: 0.4 gives −2·ln(0.6) ≈ 1.02 ≥ 1.
    expect(shouldRefreshEarly(entry, 99_000, () => 0.4, 2)).toBe(true);
  });

  it('grows more likely as expiry nears', () => {
    const draws = Array.from({ length: 1000 }, (_, i) => (i + 0.5) / 1000);
    const rate = (now: number) => draws.filter((r) => shouldRefreshEarly(entry, now, () => r)).length / draws.length;
    expect(rate(90_000)).toBeLessThan(rate(97_000));
    expect(rate(97_000)).toBeLessThan(rate(99_500));
  });

  it('never refreshes an entry whose compute time is unknown before it expires', () => {
    expect(shouldRefreshEarly({ expiresAt: 100, computeMs: 0 }, 99, () => 0.99999)).toBe(false);
  });

  it('is reported by get, with the injected dice', async () => {
    const clock = new ManualClock();
    let dice = 0;
    const config = configWith({ ttlSeconds: { completion: 60, embedding: 60, models: 60, discovery: 60 } });
    const cache = createResponseCache({ config, clock, random: () => dice });
    await cache.set('k', 'chat', completion('4'), { computeMs: 2_000 });
    await clock.advance(58_000);
    expect((await cache.get('k', 'chat'))?.refreshEarly).toBe(false);
    dice = 0.9; // −2000·ln(0.1) ≈ 4605 ms ≥ 2000 ms left
    expect((await cache.get('k', 'chat'))?.refreshEarly).toBe(true);
    await cache.close();
  });
});

describe('warmUp', () => {
  it('runs every request once, one at a time by default, and reports failures', async () => {
    let running = 0;
    let peak = 0;
    const ran: number[] = [];
    const result = await warmUp([1, 2, 3, 4], async (n) => {
      running++;
      peak = Math.max(peak, running);
      await Promise.resolve();
      running--;
      if (n === 3) throw new Error('no quota');
      ran.push(n);
    });
    expect(ran).toEqual([1, 2, 4]);
    expect(peak).toBe(1);
    expect(result.succeeded).toBe(3);
    expect(result.failed.map((f) => f.index)).toEqual([2]);
  });

  it('honours a concurrency limit', async () => {
    let running = 0;
    let peak = 0;
    const gate: Array<() => void> = [];
    const done = warmUp(
      [1, 2, 3, 4, 5],
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => gate.push(resolve));
        running--;
      },
      { concurrency: 2 },
    );
    while (gate.length > 0 || running > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      gate.shift()?.();
    }
    await done;
    expect(peak).toBe(2);
  });
});
