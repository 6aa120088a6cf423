/**
 * The ledger's behaviour, written once and run against every store (memory and Redis), so the
 * Lua scripts are held to exactly the arithmetic of the memory store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { DAY, MINUTE, SECOND, type Limit } from '../../src/core/limits.js';
import { createQuotaLedger, type BucketSpec, type QuotaLedger, type QuotaStore, type ReserveResult } from '../../src/quota/index.js';

export interface StoreFixture {
  store: QuotaStore;
  cleanup(): Promise<void>;
}

const rpm = (amount: number): Limit => ({ unit: 'requests', amount, windowMs: MINUTE });
const tpm = (amount: number): Limit => ({ unit: 'tokens', amount, windowMs: MINUTE });
const perDay = (amount: number, timeZone?: string): Limit => ({
  unit: 'requests',
  amount,
  windowMs: DAY,
  calendar: 'day',
  ...(timeZone ? { timeZone } : {}),
});

function denial(result: ReserveResult) {
  if (result.ok) throw new Error('expected a denial');
  return result;
}

async function remaining(ledger: QuotaLedger, key: string, unit: Limit['unit']) {
  const snapshot = await ledger.snapshot();
  return snapshot.buckets.find((b) => b.key === key)?.limits.find((l) => l.unit === unit)?.remaining;
}

export function ledgerContract(name: string, makeStore: (clock: ManualClock) => Promise<StoreFixture>, isSkipped = false): void {
  describe.skipIf(isSkipped)(`quota ledger on the ${name} store`, () => {
    let clock: ManualClock;
    let fixture: StoreFixture;
    let ledger: QuotaLedger;

    beforeEach(async () => {
      clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
      fixture = await makeStore(clock);
      ledger = createQuotaLedger({ store: fixture.store, clock });
    });
    afterEach(async () => fixture.cleanup());

    it('takes every limit of every bucket or none of them', async () => {
      const buckets: BucketSpec[] = [
        { key: 'p:org', limits: [rpm(5)] },
        { key: 'p:org:model', limits: [tpm(100)] },
      ];
      expect((await ledger.tryReserve({ buckets, tokens: 60 })).ok).toBe(true);
      const denied = denial(await ledger.tryReserve({ buckets, tokens: 60 }));
      expect(denied.blocking).toEqual({ key: 'p:org:model', limit: tpm(100) });
      // 120 of 100 tokens: 20 tokens must refill at 100 per minute.
      expect(denied.retryAt).toBe(clock.now() + 12 * SECOND);
      expect(await remaining(ledger, 'p:org', 'requests')).toBe(4);
      expect(await remaining(ledger, 'p:org:model', 'tokens')).toBe(40);
    });

    it('refills short windows continuously', async () => {
      const buckets = [{ key: 'p:k', limits: [rpm(2)] }];
      expect((await ledger.tryReserve({ buckets, tokens: 0 })).ok).toBe(true);
      expect((await ledger.tryReserve({ buckets, tokens: 0 })).ok).toBe(true);
      const denied = denial(await ledger.tryReserve({ buckets, tokens: 0 }));
      expect(denied.retryAt).toBe(clock.now() + 30 * SECOND);
      await clock.advance(30 * SECOND - 1);
      expect((await ledger.tryReserve({ buckets, tokens: 0 })).ok).toBe(false);
      await clock.advance(1);
      expect((await ledger.tryReserve({ buckets, tokens: 0 })).ok).toBe(true);
      expect((await ledger.tryReserve({ buckets, tokens: 0 })).ok).toBe(false);
    });

    it('keeps the interactive reserve of every limit free from low priority, not from normal or high', async () => {
      const reserving = createQuotaLedger({ store: fixture.store, clock, interactiveReserve: 0.2, refusalMemoMs: 60_000 });
      const buckets = [{ key: 'p:reserve', limits: [rpm(10), tpm(1000)] }];
      // Low may fill 8 of 10 requests and 800 of 1000 tokens.
      for (let i = 0; i < 8; i++) expect((await reserving.tryReserve({ buckets, tokens: 50, priority: 'low' })).ok).toBe(true);
      const denied = denial(await reserving.tryReserve({ buckets, tokens: 50, priority: 'low' }));
      expect(denied.blocking).toEqual({ key: 'p:reserve', limit: rpm(10) });
      // One request refills in 6 s: then the 9th fits under the low ceiling of 8.
      expect(denied.retryAt).toBe(clock.now() + 6 * SECOND);
      // The remembered low refusal does not hold back normal and high, which take the rest.
      expect((await reserving.tryReserve({ buckets, tokens: 50, priority: 'normal' })).ok).toBe(true);
      expect((await reserving.tryReserve({ buckets, tokens: 50, priority: 'high' })).ok).toBe(true);
      expect((await reserving.tryReserve({ buckets, tokens: 50 })).ok).toBe(false);
      // Tokens too: 700 used by low, a 150-token low request would pass 800.
      const tokens = [{ key: 'p:tokens', limits: [tpm(1000)] }];
      expect((await reserving.tryReserve({ buckets: tokens, tokens: 700, priority: 'low' })).ok).toBe(true);
      expect((await reserving.tryReserve({ buckets: tokens, tokens: 150, priority: 'low' })).ok).toBe(false);
      expect((await reserving.tryReserve({ buckets: tokens, tokens: 150, priority: 'normal' })).ok).toBe(true);
    });

    it('says never when a request is larger than a limit', async () => {
      const denied = denial(await ledger.tryReserve({ buckets: [{ key: 'p:k', limits: [tpm(100)] }], tokens: 101 }));
      expect(denied.retryAt).toBe(Infinity);
    });

    it('resets a daily limit at UTC midnight', async () => {
      clock.set(Date.UTC(2026, 0, 15, 23, 30));
      const buckets = [{ key: 'or:acct', limits: [perDay(2)] }];
      await ledger.tryReserve({ buckets, tokens: 0 });
      await ledger.tryReserve({ buckets, tokens: 0 });
      const denied = denial(await ledger.tryReserve({ buckets, tokens: 0 }));
      expect(denied.retryAt).toBe(Date.UTC(2026, 0, 16));
      clock.set(Date.UTC(2026, 0, 16) - 1);
      expect((await ledger.tryReserve({ buckets, tokens: 0 })).ok).toBe(false);
      clock.set(Date.UTC(2026, 0, 16));
      expect((await ledger.tryReserve({ buckets, tokens: 0 })).ok).toBe(true);
      expect(await remaining(ledger, 'or:acct', 'requests')).toBe(1);
    });

    it('resets a daily limit at Pacific midnight, across the spring DST change', async () => {
      // 2026-03-08 is 23 hours long in Los Angeles; at 12:00Z it is 05:00 PDT.
      clock.set(Date.UTC(2026, 2, 8, 12));
      const buckets = [{ key: 'gemini:proj', limits: [perDay(1, 'America/Los_Angeles')] }];
      expect((await ledger.tryReserve({ buckets, tokens: 0 })).ok).toBe(true);
      const denied = denial(await ledger.tryReserve({ buckets, tokens: 0 }));
      expect(denied.retryAt).toBe(Date.UTC(2026, 2, 9, 7));
      clock.set(Date.UTC(2026, 2, 9, 7));
      expect((await ledger.tryReserve({ buckets, tokens: 0 })).ok).toBe(true);
    });

    it('refunds and charges the difference on settle', async () => {
      const buckets = [{ key: 'p:k', limits: [rpm(10), tpm(1000)] }];
      const first = await ledger.tryReserve({ buckets, tokens: 600 });
      if (!first.ok) throw new Error('expected a reservation');
      await ledger.settle(first.reservation, { tokens: 100 });
      expect(await remaining(ledger, 'p:k', 'tokens')).toBe(900);
      const second = await ledger.tryReserve({ buckets, tokens: 600 });
      if (!second.ok) throw new Error('expected a reservation');
      await ledger.settle(second.reservation, { tokens: 800 });
      expect(await remaining(ledger, 'p:k', 'tokens')).toBe(100);
      await ledger.settle(second.reservation, { tokens: 0 }); // settling twice changes nothing
      expect(await remaining(ledger, 'p:k', 'tokens')).toBe(100);
      expect(await remaining(ledger, 'p:k', 'requests')).toBe(8);
    });

    it('refunds the request and its tokens when the call was never charged', async () => {
      const buckets = [{ key: 'p:k', limits: [perDay(5), tpm(1000)] }];
      const result = await ledger.tryReserve({ buckets, tokens: 400 });
      if (!result.ok) throw new Error('expected a reservation');
      await ledger.settle(result.reservation, { requestCharged: false });
      expect(await remaining(ledger, 'p:k', 'requests')).toBe(5);
      expect(await remaining(ledger, 'p:k', 'tokens')).toBe(1000);
    });

    it('takes a lower remaining count from the provider, on the most specific bucket', async () => {
      const buckets: BucketSpec[] = [
        { key: 'groq:org', limits: [tpm(10_000)] },
        { key: 'groq:org:llama', limits: [tpm(6000), perDay(1000)] },
      ];
      await ledger.observe(buckets, {
        observations: [
          { unit: 'tokens', windowMs: MINUTE, limit: 6000, remaining: 1500 },
          { unit: 'requests', windowMs: DAY, remaining: 999 }, // higher than ours would be: ignored
        ],
      });
      expect(await remaining(ledger, 'groq:org:llama', 'tokens')).toBe(1500);
      expect(await remaining(ledger, 'groq:org', 'tokens')).toBe(10_000);
      expect(denial(await ledger.tryReserve({ buckets, tokens: 2000 })).blocking.key).toBe('groq:org:llama');
      expect((await ledger.tryReserve({ buckets, tokens: 1500 })).ok).toBe(true);
      await ledger.observe(buckets, { observations: [{ unit: 'requests', windowMs: DAY, remaining: 990 }] });
      expect(await remaining(ledger, 'groq:org:llama', 'requests')).toBe(990);
      await ledger.observe(buckets, { observations: [{ unit: 'requests', windowMs: DAY, remaining: 995 }] });
      expect(await remaining(ledger, 'groq:org:llama', 'requests')).toBe(990);
    });

    it('learns limits that config does not know, and lower limits than config says', async () => {
      const buckets: BucketSpec[] = [{ key: 'x:k', limits: [tpm(5000)] }];
      await ledger.observe(buckets, {
        observations: [
          { unit: 'requests', windowMs: MINUTE, limit: 3, remaining: 2 },
          { unit: 'tokens', windowMs: MINUTE, limit: 4000, remaining: 4000 },
        ],
      });
      const bucket = (await ledger.snapshot()).buckets.find((b) => b.key === 'x:k');
      expect(bucket?.limits.map(({ unit, amount, remaining: left, isLearned }) => ({ unit, amount, left, isLearned }))).toEqual([
        { unit: 'tokens', amount: 4000, left: 4000, isLearned: true },
        { unit: 'requests', amount: 3, left: 2, isLearned: true },
      ]);
      expect((await ledger.tryReserve({ buckets, tokens: 10 })).ok).toBe(true);
      expect((await ledger.tryReserve({ buckets, tokens: 10 })).ok).toBe(true);
      const denied = denial(await ledger.tryReserve({ buckets, tokens: 10 }));
      expect(denied.blocking.limit).toEqual({ unit: 'requests', amount: 3, windowMs: MINUTE });
      expect(denial(await ledger.tryReserve({ buckets, tokens: 4001 })).retryAt).toBe(Infinity);
    });

    it('parks a daily exhaustion until the calendar reset in the limit’s time zone', async () => {
      clock.set(Date.UTC(2026, 0, 15, 20)); // 12:00 PST
      const buckets: BucketSpec[] = [
        { key: 'gemini:proj', limits: [rpm(15)] },
        { key: 'gemini:proj:flash', limits: [perDay(250, 'America/Los_Angeles')] },
      ];
      await ledger.observe(buckets, { observations: [], exhausted: { period: 'day', name: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier' } });
      const midnightPacific = Date.UTC(2026, 0, 16, 8);
      const denied = denial(await ledger.tryReserve({ buckets, tokens: 0 }));
      expect(denied).toMatchObject({ retryAt: midnightPacific, blocking: { key: 'gemini:proj:flash', limit: 'parked' } });
      expect(denied.blocking.reason).toContain('PerDay');
      const parked = (await ledger.snapshot()).buckets.find((b) => b.key === 'gemini:proj:flash');
      expect(parked).toMatchObject({ parkedUntil: midnightPacific });
      expect(parked?.limits[0]?.remaining).toBe(0);
      clock.set(midnightPacific);
      expect((await ledger.tryReserve({ buckets, tokens: 0 })).ok).toBe(true);
    });

    it('parks a short exhaustion until the stated reset or Retry-After', async () => {
      const buckets = [{ key: 'c:k', limits: [rpm(30)] }];
      await ledger.observe(buckets, { observations: [], retryAfterMs: 7000, exhausted: { period: 'short' } });
      expect(denial(await ledger.tryReserve({ buckets, tokens: 0 })).retryAt).toBe(clock.now() + 7000);
      await clock.advance(7000);
      expect((await ledger.tryReserve({ buckets, tokens: 0 })).ok).toBe(true);
    });

    it('backs off 1 s, 2 s, 4 s when no reset is stated, and starts over after a success', async () => {
      const buckets = [{ key: 'nim:acct', limits: [] }];
      const rejected = { observations: [], exhausted: { period: 'unknown' as const } };
      for (const waitMs of [1000, 2000, 4000]) {
        await ledger.observe(buckets, rejected);
        await ledger.observe(buckets, rejected); // a second 429 of the same burst does not grow it
        expect(denial(await ledger.tryReserve({ buckets, tokens: 0 })).retryAt).toBe(clock.now() + waitMs);
        await clock.advance(waitMs);
      }
      await ledger.observe(buckets, { observations: [] });
      await ledger.observe(buckets, rejected);
      expect(denial(await ledger.tryReserve({ buckets, tokens: 0 })).retryAt).toBe(clock.now() + 1000);
    });

    it('keeps the later of two parkings', async () => {
      const buckets = [{ key: 'p:k', limits: [] }];
      await ledger.park('p:k', clock.now() + 60_000, 'maintenance');
      await ledger.park('p:k', clock.now() + 1000, 'short');
      expect(denial(await ledger.tryReserve({ buckets, tokens: 0 }))).toMatchObject({
        retryAt: clock.now() + 60_000,
        blocking: { key: 'p:k', limit: 'parked', reason: 'maintenance' },
      });
    });

    it('gives a retryAt at which the request then fits', async () => {
      const buckets: BucketSpec[] = [
        { key: 'p:org', limits: [rpm(3), tpm(900)] },
        { key: 'p:org:m', limits: [{ unit: 'requests', amount: 1, windowMs: 2 * SECOND }] },
      ];
      let admitted = 0;
      while (admitted < 20) {
        const result = await ledger.tryReserve({ buckets, tokens: 250 });
        if (result.ok) {
          admitted += 1;
          continue;
        }
        // Exact both ways: one millisecond early is still a denial, on time is a reservation.
        clock.set(result.retryAt - 1);
        expect((await ledger.tryReserve({ buckets, tokens: 250 })).ok).toBe(false);
        clock.set(result.retryAt);
        expect((await ledger.tryReserve({ buckets, tokens: 250 })).ok).toBe(true);
        admitted += 1;
      }
      expect(admitted).toBe(20);
    });
  });
}
