import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { MINUTE, SECOND } from '../../src/core/limits.js';
import { emptySignal } from '../../src/core/rate-limit-signal.js';
import { createAdmissionQueue, createMemoryQuotaStore, createQuotaLedger, createRedisQuotaStore, type BucketSpec, type QuotaStore, type Reservation } from '../../src/quota/index.js';
import { connect, isRedisRequired, isRedisUp, removePrefix, uniquePrefix } from '../quota/redis-test-support.js';

const perSecond: BucketSpec = { key: 'mistral:org', limits: [{ unit: 'requests', amount: 1, windowMs: SECOND }] };
const perMinute: BucketSpec = { key: 'groq:org', limits: [{ unit: 'requests', amount: 30, windowMs: MINUTE }] };

/**
 * The same behaviour on the memory store and, when Redis is up (always in CI), through the Redis
 * store's scripts; `expected` is what both must see.
 */
function onBothStores(title: string, redisTitle: string, prefixName: string, behaviour: (store: QuotaStore, clock: ManualClock) => Promise<unknown>, expected: unknown) {
  it(title, async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 14, 12));
    expect(await behaviour(createMemoryQuotaStore(), clock)).toEqual(expected);
  });

  it.runIf(isRedisUp || isRedisRequired)(redisTitle, async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 14, 12));
    const redis = connect();
    const prefix = uniquePrefix(prefixName);
    try {
      // Connected first: until it is, the store serves from its local fallback, not the script.
      await redis.ping();
      expect(await behaviour(createRedisQuotaStore({ redis, prefix, clock }), clock)).toEqual(expected);
    } finally {
      await removePrefix(redis, prefix);
      redis.disconnect();
    }
  });
}

async function guardBehaviour(store: QuotaStore, clock: ManualClock) {
  const ledger = createQuotaLedger({ store, clock, deliveryGuardMs: 250 });
  const seen: (boolean | number)[] = [];
  const attempt = async (bucket: BucketSpec) => {
    const result = await ledger.tryReserve({ buckets: [bucket], tokens: 0 });
    seen.push(result.ok ? true : result.retryAt - clock.now());
  };
  // One a second: the next only once the previous one could have reached the provider 250 ms late.
  await attempt(perSecond);
  await clock.advance(1000);
  await attempt(perSecond);
  await clock.advance(250);
  await attempt(perSecond);
  // Thirty a minute: a full burst less what refills in 250 ms, then the steady rate is untouched.
  for (let i = 0; i < 30; i++) await attempt(perMinute);
  await clock.advance(2000);
  await attempt(perMinute);
  await clock.advance(2000);
  await attempt(perMinute);
  return seen;
}

// The 30th of a burst waits the guard's worth of refill; after that one every 2 s, the plain rate.
const expected = [true, 250, true, ...Array.from({ length: 29 }, () => true), 250, true, true];

describe('the delivery guard', () => {
  onBothStores('spaces a one-a-second limit by the guard and costs a busy minute limit only its burst', 'does the same arithmetic in the Redis script', 'guard', guardBehaviour, expected);
});

/**
 * A call reserved at 0 reaches the provider late (say its delivery stalled 800 ms) and is answered at
 * 900. The provider counted it on arrival, so one a second has room again a second after the answer
 * at the earliest (the guard counts from then too). Charged only at reservation, the ledger admitted
 * the next call at 1,250, which the provider refused.
 */
async function lateAnswerBehaviour(store: QuotaStore, clock: ManualClock) {
  const ledger = createQuotaLedger({ store, clock, deliveryGuardMs: 250 });
  const seen: (boolean | number)[] = [];
  const answer = async (bucket: BucketSpec, reservation: Reservation) => {
    await ledger.observe([bucket], emptySignal(), reservation);
    await ledger.settle(reservation, { requestCharged: true });
  };
  const first = await ledger.tryReserve({ buckets: [perSecond], tokens: 0 });
  if (!first.ok) throw new Error('expected room');
  await clock.advance(900);
  await answer(perSecond, first.reservation);
  for (const wait of [350, 900]) {
    await clock.advance(wait);
    const result = await ledger.tryReserve({ buckets: [perSecond], tokens: 0 });
    seen.push(result.ok ? true : Math.round(result.retryAt - clock.now()));
  }
  // Thirty a minute, half used: a late answer changes nothing, the refill never stopped.
  const busy = [];
  for (let i = 0; i < 15; i++) busy.push(await ledger.tryReserve({ buckets: [perMinute], tokens: 0 }));
  const last = busy.at(-1);
  await clock.advance(900);
  if (last?.ok) await answer(perMinute, last.reservation);
  const room = (await ledger.snapshot()).buckets.find((b) => b.key === perMinute.key)?.limits[0]?.remaining;
  return { seen, room };
}

const lateExpected = { seen: [900, true], room: 15 };

const fivePerMinute: BucketSpec = { key: 'gemini:project:flash', limits: [{ unit: 'requests', amount: 5, windowMs: MINUTE }] };

/**
 * Five a minute, idle, then a burst of five reserved at 0. The provider's refill starts when the
 * first of them arrives; that one is answered at 2,000, so it may have arrived that late, and the
 * sixth fits only 12 s after that. Charged at reservation alone, the ledger let the sixth go at
 * 12,000, where the provider refuses it. The rest of the burst found the limit busy: their answers
 * change nothing. (No delivery guard here: it would space the burst itself.)
 */
async function lateBurstBehaviour(store: QuotaStore, clock: ManualClock) {
  const ledger = createQuotaLedger({ store, clock });
  const burst = [];
  for (let i = 0; i < 5; i++) {
    const result = await ledger.tryReserve({ buckets: [fivePerMinute], tokens: 0 });
    if (!result.ok) throw new Error('expected room for the burst');
    burst.push(result.reservation);
  }
  await clock.advance(2000);
  for (const reservation of burst) {
    await ledger.observe([fivePerMinute], emptySignal(), reservation);
    await ledger.settle(reservation, { requestCharged: true });
  }
  const seen: (boolean | number)[] = [];
  await clock.advance(10_000);
  for (const wait of [0, 2000]) {
    await clock.advance(wait);
    const result = await ledger.tryReserve({ buckets: [fivePerMinute], tokens: 0 });
    // To the 100 ms: the refill arithmetic rounds up by a millisecond.
    seen.push(result.ok ? true : Math.round((result.retryAt - clock.now()) / 100) * 100);
  }
  return seen;
}

describe('a call answered late', () => {
  onBothStores('holds a one-a-second limit from its answer, not from its reservation', 'does the same through the Redis store', 'late-answer', lateAnswerBehaviour, lateExpected);
});

describe('a burst whose first call is answered late', () => {
  onBothStores('refills the limit from that answer, not from the reservations', 'does the same through the Redis store', 'late-burst', lateBurstBehaviour, [2000, true]);
});

/**
 * One a second with refill holds: a call reserved at 0 is still unanswered at 2,000 (its delivery
 * stalled; the provider may count it any moment), so the next one waits, where the guard alone let
 * it go at 1,250. Answered at 2,100, the limit refills from then: room again at 3,100 (the answer
 * ends the doubt the guard is for, and a limit of one call held nobody else's). A second call
 * that fails before any answer releases its hold when it settles; a third, never settled (its process
 * died), holds the limit no longer than refillHoldMs.
 */
async function refillHoldBehaviour(store: QuotaStore, clock: ManualClock) {
  const ledger = createQuotaLedger({ store, clock, deliveryGuardMs: 250, refillHoldMs: 30_000 });
  const seen: (boolean | number)[] = [];
  const attempt = async () => {
    const result = await ledger.tryReserve({ buckets: [perSecond], tokens: 0 });
    seen.push(result.ok ? true : Math.round(result.retryAt - clock.now()));
    return result.ok ? result.reservation : undefined;
  };
  const first = await attempt();
  await clock.advance(2000);
  await attempt();
  await clock.advance(100);
  if (first) {
    await ledger.observe([perSecond], emptySignal(), first);
    await ledger.settle(first, { requestCharged: true });
  }
  await clock.advance(900);
  await attempt();
  await clock.advance(100);
  const second = await attempt();
  await clock.advance(5000);
  await attempt();
  if (second) await ledger.settle(second, { requestCharged: true });
  await clock.advance(1250);
  await attempt();
  await clock.advance(29_000);
  await attempt();
  await clock.advance(2250);
  await attempt();
  return seen;
}

// A refusal on a held limit says to look again a guard and a refill on (answers come sooner than holds end, as a rule).
const holdExpected = [true, 1250, 100, true, 1250, true, 1250, true];

describe('refill holds', () => {
  onBothStores('keep a request limit from refilling until the call that started the refill is answered', 'do the same through the Redis store', 'refill-hold', refillHoldBehaviour, holdExpected);
});

describe('remembered refusals', () => {
  it('skip the store until the refusal could end, and a refund forgets them at once', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 14, 12));
    const inner = createMemoryQuotaStore();
    let reserves = 0;
    const store: QuotaStore = { ...inner, reserve: (request) => ((reserves += 1), inner.reserve(request)) };
    const ledger = createQuotaLedger({ store, clock, refusalMemoMs: 1000 });
    const bucket: BucketSpec = { key: 'k', limits: [{ unit: 'tokens', amount: 100, windowMs: MINUTE }] };
    const taken = await ledger.tryReserve({ buckets: [bucket], tokens: 100 });
    if (!taken.ok) throw new Error('expected room');
    for (let i = 0; i < 5; i++) expect((await ledger.tryReserve({ buckets: [bucket], tokens: 50 })).ok).toBe(false);
    expect(reserves).toBe(2);
    await ledger.settle(taken.reservation, { tokens: 10 });
    expect((await ledger.tryReserve({ buckets: [bucket], tokens: 50 })).ok).toBe(true);
    expect(reserves).toBe(3);
  });
});

describe('the admission queue under a crowd', () => {
  it('stops a pass after a few waiters in a row find no room, and still admits everyone in order as room returns', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 14, 12));
    const queue = createAdmissionQueue({ clock, maxFailuresPerPass: 2 });
    let room = 0;
    let tries = 0;
    const admitted: number[] = [];
    const waiters = Array.from({ length: 10 }, (_, i) =>
      queue.admit(
        async () => {
          tries += 1;
          if (room === 0) return { ok: false as const, retryAt: clock.now() + 1000 };
          room -= 1;
          return { ok: true as const, value: i };
        },
        { priority: 'normal', deadline: clock.now() + 60_000 },
      ).then((value) => admitted.push(value)),
    );
    await clock.advance(0);
    const afterArrival = tries;
    room = 1;
    queue.notify();
    await clock.advance(0);
    // One admitted, then two failures end the pass: far fewer tries than the crowd.
    expect(admitted).toEqual([0]);
    expect(tries - afterArrival).toBe(3);
    for (let second = 0; second < 20 && admitted.length < 10; second++) {
      room = 1;
      await clock.advance(1000);
    }
    await Promise.all(waiters);
    expect(admitted).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
