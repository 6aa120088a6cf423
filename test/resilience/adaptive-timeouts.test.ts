import { describe, expect, it } from 'vitest';
import { AdaptiveTimeouts } from '../../src/resilience/index.js';

describe('AdaptiveTimeouts', () => {
  it('uses the default until enough samples, then p99 × factor', () => {
    const timeouts = new AdaptiveTimeouts({
      minMs: 1_000,
      maxMs: 30_000,
      factor: 2,
      defaultMs: 10_000,
      minSamples: 10,
    });
    expect(timeouts.firstTokenTimeoutMs('a')).toBe(10_000);
    for (let i = 1; i <= 9; i += 1) timeouts.observe('a', 1_000);
    expect(timeouts.firstTokenTimeoutMs('a')).toBe(10_000);
    // One slow answer in 100 is the 1% that p99 leaves out; a second one is not.
    for (let i = 0; i < 90; i += 1) timeouts.observe('a', 1_000);
    timeouts.observe('a', 4_000);
    expect(timeouts.percentileMs('a', 0.99)).toBe(1_000);
    timeouts.observe('a', 4_000);
    expect(timeouts.percentileMs('a', 0.99)).toBe(4_000);
    expect(timeouts.firstTokenTimeoutMs('a')).toBe(8_000);
    expect(timeouts.firstTokenTimeoutMs('other')).toBe(10_000);
  });

  it('stays within [min, max]', () => {
    const timeouts = new AdaptiveTimeouts({ minMs: 2_000, maxMs: 20_000, factor: 3, minSamples: 5 });
    for (let i = 0; i < 5; i += 1) timeouts.observe('fast', 50);
    for (let i = 0; i < 5; i += 1) timeouts.observe('slow', 15_000);
    expect(timeouts.firstTokenTimeoutMs('fast')).toBe(2_000);
    expect(timeouts.firstTokenTimeoutMs('slow')).toBe(20_000);
  });

  it('follows recent latency: old samples leave the window', () => {
    const timeouts = new AdaptiveTimeouts({ minMs: 100, maxMs: 60_000, factor: 1, windowSize: 10, minSamples: 10 });
    for (let i = 0; i < 10; i += 1) timeouts.observe('a', 5_000);
    expect(timeouts.firstTokenTimeoutMs('a')).toBe(5_000);
    for (let i = 0; i < 10; i += 1) timeouts.observe('a', 500);
    expect(timeouts.firstTokenTimeoutMs('a')).toBe(500);
  });

  it('counts a timeout as a slow sample so the limit cannot ratchet down, and reports p95 for hedging', () => {
    const timeouts = new AdaptiveTimeouts({ minMs: 100, maxMs: 10_000, factor: 1, minSamples: 4, windowSize: 4 });
    for (const ms of [100, 200, 300]) timeouts.observe('a', ms);
    timeouts.observeTimeout('a', 2_000);
    expect(timeouts.firstTokenTimeoutMs('a')).toBe(2_000);
    expect(timeouts.percentileMs('a', 0.5)).toBe(200);
    timeouts.observe('a', Number.NaN);
    expect(timeouts.snapshot()).toEqual([
      { id: 'a', samples: 4, p50Ms: 200, p95Ms: 2_000, p99Ms: 2_000, firstTokenTimeoutMs: 2_000 },
    ]);
  });
});
