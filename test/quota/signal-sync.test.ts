import { describe, expect, it } from 'vitest';
import { createCalendar } from '../../src/core/calendar-window.js';
import { DAY, MINUTE } from '../../src/core/limits.js';
import { correctionsFor, type ResolvedBucket } from '../../src/quota/signal-sync.js';

const now = Date.UTC(2026, 0, 15, 12);
const calendar = createCalendar();
const backoff = { baseMs: 1000, maxMs: 60_000 };
const configured = (limits: ResolvedBucket['limits'][number]['limit'][]): ResolvedBucket => ({
  key: 'p:key',
  limits: limits.map((limit) => ({ limit, id: `${limit.unit}|${limit.windowMs}`, isLearned: false, isConfigured: true })),
});

describe('provider signals against the limits we know', () => {
  it('take a stated amount as the configured limit of that amount, whatever window the dialect assumed', () => {
    const bucket = configured([{ unit: 'tokens', amount: 3000, windowMs: 10_000 }]);
    const corrections = correctionsFor([bucket], { observations: [{ unit: 'tokens', windowMs: MINUTE, limit: 3000, remaining: 1000, resetAt: now + 6000 }] }, now, calendar, backoff);
    expect(corrections.learned).toEqual([]);
    expect(corrections.floors).toEqual([expect.objectContaining({ id: 'p:key|tokens|10000', used: 2000 })]);
  });

  it('still learn a lower amount on the limit of the assumed window', () => {
    const bucket = configured([{ unit: 'requests', amount: 30, windowMs: MINUTE }]);
    const corrections = correctionsFor([bucket], { observations: [{ unit: 'requests', windowMs: MINUTE, limit: 20, remaining: 19 }] }, now, calendar, backoff);
    expect(corrections.learned).toEqual([{ bucketKey: 'p:key', limit: { unit: 'requests', amount: 20, windowMs: MINUTE } }]);
  });

  it('give a limit learned from headers the window its stated resets imply, not the assumed one', () => {
    // Half of 6000 used, full again in 5 s: a refilling limit of 6000 per 10 s, not per minute.
    const signal = { observations: [{ unit: 'tokens' as const, windowMs: MINUTE, limit: 6000, remaining: 3000, resetAt: now + 5000 }] };
    const corrections = correctionsFor([configured([])], signal, now, calendar, backoff);
    expect(corrections.learned).toEqual([{ bucketKey: 'p:key', limit: { unit: 'tokens', amount: 6000, windowMs: 10_000 } }]);
  });

  it('keep the assumed window when the resets agree with it, and for daily quotas', () => {
    const minute = { observations: [{ unit: 'requests' as const, windowMs: MINUTE, limit: 3, remaining: 2, resetAt: now + 20_000 }] };
    expect(correctionsFor([configured([])], minute, now, calendar, backoff).learned[0]?.limit.windowMs).toBe(MINUTE);
    const day = { observations: [{ unit: 'requests' as const, windowMs: DAY, limit: 1000, remaining: 999, resetAt: now + 60_000 }] };
    expect(correctionsFor([configured([])], day, now, calendar, backoff).learned[0]?.limit.windowMs).toBe(DAY);
  });

  it('park a spent refilling window until the stated Retry-After, not until its reset (when it is full again)', () => {
    // Groq's 429 on tokens per minute: reset-tokens says full again in 59 s, Retry-After says 3 s.
    const bucket = configured([{ unit: 'tokens', amount: 6000, windowMs: MINUTE }]);
    const signal = {
      observations: [{ unit: 'tokens' as const, windowMs: MINUTE, limit: 6000, remaining: 0, resetAt: now + 59_000 }],
      retryAfterMs: 3000,
      exhausted: { period: 'short' as const, resetAt: now + 59_000 },
    };
    const corrections = correctionsFor([bucket], signal, now, calendar, backoff);
    expect(corrections.parks).toEqual([{ key: 'p:key', kind: 'until', until: now + 3000, reason: 'short' }]);
    expect(corrections.floors).toEqual([expect.objectContaining({ id: 'p:key|tokens|60000', used: 6000 })]);
    // Without a Retry-After the stated reset is all there is.
    const { retryAfterMs: _, ...resetOnly } = signal;
    expect(correctionsFor([bucket], resetOnly, now, calendar, backoff).parks).toEqual([{ key: 'p:key', kind: 'until', until: now + 59_000, reason: 'short' }]);
  });
});
