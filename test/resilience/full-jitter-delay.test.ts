import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from '../../src/resilience/index.js';
import { seededRandom } from './support.js';

describe('fullJitterDelay', () => {
  const base = { baseMs: 100, capMs: 1_000 };

  it('spans [0, base·2^(n-1)) and stops growing at the cap', () => {
    expect(fullJitterDelay(1, { ...base, random: () => 0 })).toBe(0);
    expect(fullJitterDelay(1, { ...base, random: () => 0.999999 })).toBe(99);
    expect(fullJitterDelay(3, { ...base, random: () => 0.5 })).toBe(200);
    expect(fullJitterDelay(10, { ...base, random: () => 0.999999 })).toBe(999);
    expect(fullJitterDelay(1_000, { ...base, random: () => 0.5 })).toBe(500);
  });

  it('stays within bounds for any random draw and spreads over the range', () => {
    const random = seededRandom(7);
    for (let attempt = 1; attempt <= 8; attempt += 1) {
      const ceiling = Math.min(1_000, 100 * 2 ** (attempt - 1));
      const draws = Array.from({ length: 500 }, () => fullJitterDelay(attempt, { ...base, random }));
      expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...draws)).toBeLessThan(ceiling);
      // Full jitter, not a constant: the draws cover most of the range.
      expect(Math.max(...draws) - Math.min(...draws)).toBeGreaterThan(ceiling * 0.8);
    }
  });

  it('never waits less than Retry-After, and still jitters above it', () => {
    const random = seededRandom(3);
    const draws = Array.from({ length: 200 }, () => fullJitterDelay(2, { ...base, random, retryAfterMs: 5_000 }));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(5_000);
    expect(Math.max(...draws)).toBeLessThan(5_200);
    expect(new Set(draws).size).toBeGreaterThan(50);
  });

  it('tolerates out-of-range random values and a zero attempt', () => {
    expect(fullJitterDelay(0, { ...base, random: () => 1 })).toBe(99);
    expect(fullJitterDelay(1, { ...base, random: () => -1 })).toBe(0);
  });
});
