import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { RetryBudget } from '../../src/resilience/index.js';

describe('RetryBudget', () => {
  it('caps retries during an outage at ratio × requests plus the floor', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ clock, ratio: 0.2, minRetries: 5, windowMs: 10_000 });
    // 1,000 requests over 10 s, every one failing and wanting up to 3 retries.
    let retries = 0;
    for (let i = 0; i < 1_000; i += 1) {
      budget.recordRequest('groq');
      for (let r = 0; r < 3; r += 1) if (budget.tryRetry('groq')) retries += 1;
      await clock.advance(9);
    }
    expect(retries).toBeLessThanOrEqual(0.2 * 1_000 + 5);
    expect(retries).toBeGreaterThanOrEqual(0.2 * 1_000 - 5);
    // Upstream load: 1,000 first calls plus retries, at most 1.2× plus the floor.
    expect((1_000 + retries) / 1_000).toBeLessThanOrEqual(1.21);
  });

  it('keeps a floor for a quiet provider, and providers do not share budgets', () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ clock, minRetries: 3 });
    expect([1, 2, 3, 4].map(() => budget.tryRetry('a'))).toEqual([true, true, true, false]);
    expect(budget.tryRetry('b')).toBe(true);
  });

  it('lets deposits and withdrawals expire after the window', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ clock, ratio: 0.5, minRetries: 0, windowMs: 10_000 });
    for (let i = 0; i < 10; i += 1) budget.recordRequest('p');
    expect(budget.available('p')).toBe(5);
    expect(budget.tryRetry('p')).toBe(true);
    expect(budget.available('p')).toBe(4);
    await clock.advance(11_000);
    expect(budget.available('p')).toBe(0);
    expect(budget.tryRetry('p')).toBe(false);
    budget.recordRequest('p');
    budget.recordRequest('p');
    expect(budget.available('p')).toBe(1);
    expect(budget.snapshot()).toEqual([{ providerId: 'p', requests: 2, retries: 0, available: 1 }]);
  });
});
