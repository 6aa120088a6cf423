/**
 * Capacity one instance gives back is seen by the others at once (issue 12: scale-out must not
 * waste quota). The clock never moves here, so a waiting request on the second instance can only
 * be admitted by the first instance's refund reaching it, never by its own timer.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { HOUR } from '../../src/core/limits.js';
import { createAdmissionQueue, createQuotaLedger, createRedisQuotaStore, type BucketSpec, type Reservation } from '../../src/quota/index.js';
import { connect, isRedisRequired, isRedisUp, removePrefix, uniquePrefix } from './redis-test-support.js';

const runs = isRedisUp || isRedisRequired;
const prefix = uniquePrefix('returns');

/** A long window: refill alone would take most of an hour to admit anyone. */
const bucket: BucketSpec = { key: 'prov:key', limits: [{ unit: 'tokens', amount: 1000, windowMs: HOUR }] };

describe.runIf(runs)('instances sharing one Redis', () => {
  const admin = connect();
  afterAll(async () => {
    await removePrefix(admin, prefix);
    admin.disconnect();
  });

  it('wake their waiting requests when another instance refunds', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
    const connections = [connect(), connect()];
    const stores = connections.map((redis) => createRedisQuotaStore({ redis, prefix, clock, }));
    const queues = stores.map(() => createAdmissionQueue({ clock }));
    const ledgers = stores.map((store, index) =>
      createQuotaLedger({ store, clock, refusalMemoMs: 60_000, onCapacityReturned: () => queues[index]!.notify() }),
    );
    try {
      await Promise.all(connections.map((redis) => redis.ping()));
      const first = await ledgers[0]!.tryReserve({ buckets: [bucket], tokens: 900 });
      if (!first.ok) throw new Error('the first reservation should fit');
      // Let the second instance's subscription settle before anything is published.
      await admin.ping();
      for (let i = 0; i < 50 && (await admin.pubsub('NUMSUB', `${prefix}returned`)).at(1) !== 1; i++) await admin.ping();

      let isAdmitted = false;
      const waiting = queues[1]!.admit<Reservation>(
        async () => {
          const result = await ledgers[1]!.tryReserve({ buckets: [bucket], tokens: 500 });
          return result.ok ? { ok: true, value: result.reservation } : { ok: false, retryAt: result.retryAt };
        },
        { priority: 'normal', deadline: clock.now() + 2 * HOUR },
      );
      void waiting.then(() => (isAdmitted = true));
      for (let i = 0; i < 200 && queues[1]!.depth().normal === 0; i++) await admin.ping(); // refused once, now queued
      expect(isAdmitted).toBe(false);
      expect(queues[1]!.depth().normal).toBe(1);

      // The call used 100 of its 900 tokens: 800 come back, on the other instance.
      await ledgers[0]!.settle(first.reservation, { tokens: 100 });
      const admitted = await waiting;
      expect(admitted.tokens).toBe(500);
      expect(queues[1]!.depth().normal).toBe(0);
    } finally {
      for (const store of stores) await store.close();
      for (const redis of connections) redis.disconnect();
    }
  });
});

describe.skipIf(runs)('instances sharing one Redis', () => {
  it.skip('needs Redis at 127.0.0.1:6379 (set CI=true to make its absence a failure)', () => {});
});
