import net from 'node:net';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { DAY, MINUTE } from '../../src/core/limits.js';
import { createQuotaLedger, createRedisQuotaStore, type BucketSpec } from '../../src/quota/index.js';
import { ledgerContract } from './ledger-contract.js';
import { connect, isRedisRequired, isRedisUp, removePrefix, uniquePrefix } from './redis-test-support.js';

const isSkipped = !isRedisUp && !isRedisRequired;
const admin = isRedisUp ? connect() : undefined;
const prefixes: string[] = [];
const newPrefix = (label: string) => {
  const prefix = uniquePrefix(label);
  prefixes.push(prefix);
  return prefix;
};

afterAll(async () => {
  if (!admin) return;
  for (const prefix of prefixes) await removePrefix(admin, prefix);
  admin.disconnect();
});

describe.runIf(isRedisRequired)('redis in CI', () => {
  it('is reachable at 127.0.0.1:6379', () => expect(isRedisUp).toBe(true));
});

ledgerContract(
  'redis',
  async (clock) => {
    const redis = connect();
    const store = createRedisQuotaStore({ redis, prefix: newPrefix('contract'), clock });
    await redis.ping();
    return { store, cleanup: async () => redis.disconnect() };
  },
  isSkipped,
);

/** A TCP relay in front of Redis that can be cut and restored, to stage an outage on a live connection. */
async function createRelay(): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = async () => {
    server = net.createServer((client) => {
      const upstream = net.connect(6379, '127.0.0.1');
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => sockets.delete(socket));
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as net.AddressInfo).port;
  };
  const cut = async () => {
    const closing = server ? new Promise((resolve) => server?.close(resolve)) : Promise.resolve();
    for (const socket of sockets) socket.destroy();
    await closing;
    server = undefined;
  };
  await listen();
  return { port, cut, restore: listen, close: cut };
}

describe.skipIf(isSkipped)('redis quota store', () => {
  it('never lets three gateway instances together exceed a shared limit', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
    const prefix = newPrefix('fleet');
    const clients = [connect(), connect(), connect()];
    const ledgers = clients.map((redis) => createQuotaLedger({ store: createRedisQuotaStore({ redis, prefix, clock }), clock }));
    const shared: BucketSpec = { key: 'groq:org', limits: [{ unit: 'requests', amount: 50, windowMs: MINUTE }, { unit: 'tokens', amount: 10_000, windowMs: MINUTE }] };
    const perModel = (model: string): BucketSpec => ({ key: `groq:org:${model}`, limits: [{ unit: 'requests', amount: 1000, windowMs: DAY, calendar: 'day' }] });
    try {
      await Promise.all(clients.map((client) => client.ping()));
      const attempts = Array.from({ length: 300 }, (_, index) =>
        ledgers[index % 3]!.tryReserve({ buckets: [shared, perModel(index % 2 ? 'a' : 'b')], tokens: 150 }),
      );
      const results = await Promise.all(attempts);
      // 10,000 tokens / 150 = 66 would fit the tokens; the 50 requests bind first.
      expect(results.filter((r) => r.ok)).toHaveLength(50);
      const snapshot = await ledgers[0]!.snapshot();
      expect(snapshot.buckets.find((b) => b.key === 'groq:org')?.limits.map((l) => l.remaining)).toEqual([0, 10_000 - 50 * 150]);
      // Refunds from one instance are capacity for another.
      const first = results.find((r) => r.ok);
      if (!first?.ok) throw new Error('expected a reservation');
      const second = createQuotaLedger({ store: createRedisQuotaStore({ redis: clients[1]!, prefix, clock }), clock });
      expect((await second.tryReserve({ buckets: [shared], tokens: 1 })).ok).toBe(false);
      await ledgers[0]!.settle(first.reservation, { requestCharged: false });
      expect((await second.tryReserve({ buckets: [shared], tokens: 1 })).ok).toBe(true);
    } finally {
      for (const client of clients) client.disconnect();
    }
  });

  it('keeps each request all or nothing when concurrent requests share one script call', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
    const redis = connect();
    try {
      await redis.ping();
      const ledger = createQuotaLedger({ store: createRedisQuotaStore({ redis, prefix: newPrefix('batch'), clock }), clock });
      const org: BucketSpec = { key: 'p:org', limits: [{ unit: 'requests', amount: 100, windowMs: MINUTE }] };
      const model = (id: string, amount: number): BucketSpec => ({ key: `p:org:${id}`, limits: [{ unit: 'requests', amount, windowMs: MINUTE }] });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) => ledger.tryReserve({ buckets: [org, index % 2 ? model('a', 2) : model('b', 100)], tokens: 0 })),
      );
      expect(results.filter((r, index) => r.ok && index % 2 === 1)).toHaveLength(2);
      expect(results.filter((r, index) => r.ok && index % 2 === 0)).toHaveLength(10);
      // The eight requests denied on model a took nothing from the shared bucket.
      const snapshot = await ledger.snapshot();
      expect(snapshot.buckets.find((b) => b.key === 'p:org')?.limits[0]?.remaining).toBe(88);
    } finally {
      redis.disconnect();
    }
  });

  it('lets its keys expire once they no longer matter', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
    const prefix = newPrefix('ttl');
    const redis = connect();
    try {
      await redis.ping();
      const ledger = createQuotaLedger({ store: createRedisQuotaStore({ redis, prefix, clock }), clock });
      await ledger.tryReserve({ buckets: [{ key: 'k', limits: [{ unit: 'requests', amount: 10, windowMs: MINUTE }] }], tokens: 0 });
      await ledger.park('k', clock.now() + 5000, 'test');
      const ttls = await Promise.all([redis.pttl(`${prefix}s:k|requests|${MINUTE}`), redis.pttl(`${prefix}p:k`)]);
      for (const ttl of ttls) expect(ttl).toBeGreaterThan(0);
      // One request of ten per minute is gone from the bucket 6 s after it was taken (+1 s slack).
      expect(ttls[0]).toBeLessThanOrEqual(7000);
    } finally {
      redis.disconnect();
    }
  });

  it('falls back to local limits when Redis is unreachable, without throwing', async () => {
    const clock = new ManualClock();
    const reasons: string[] = [];
    const store = createRedisQuotaStore({
      url: 'redis://127.0.0.1:1', // nothing listens on port 1
      prefix: newPrefix('down'),
      clock,
      onFallback: (reason) => reasons.push(reason),
      redisOptions: { retryStrategy: () => 60_000 },
    });
    const ledger = createQuotaLedger({ store, clock });
    const buckets = [{ key: 'k', limits: [{ unit: 'requests' as const, amount: 2, windowMs: MINUTE }] }];
    const results = [];
    for (let i = 0; i < 3; i += 1) results.push(await ledger.tryReserve({ buckets, tokens: 0 }));
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    const first = results[0];
    if (first?.ok) await ledger.settle(first.reservation, { requestCharged: false });
    await ledger.observe(buckets, { observations: [], exhausted: { period: 'short' } });
    const snapshot = await ledger.snapshot();
    expect(snapshot.store).toMatchObject({ backend: 'redis', isDegraded: true, outages: 1 });
    expect(snapshot.store.fallbackOperations).toBeGreaterThanOrEqual(5);
    expect(reasons).toHaveLength(1); // one warning per outage, not per operation
    await store.close();
  });

  it('serves locally through an outage of a live connection and goes back to Redis when it returns', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
    const prefix = newPrefix('outage');
    const relay = await createRelay();
    const redis = new Redis({ host: '127.0.0.1', port: relay.port, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 20 });
    redis.on('error', () => {});
    const events: string[] = [];
    const store = createRedisQuotaStore({ redis, prefix, clock, onFallback: () => events.push('fallback'), onRecover: () => events.push('recover') });
    const ledger = createQuotaLedger({ store, clock });
    const buckets = [{ key: 'k', limits: [{ unit: 'requests' as const, amount: 100, windowMs: DAY, calendar: 'day' as const }] }];
    const slot = `${prefix}s:k|requests|day`;
    const usedInRedis = async () => (await admin!.get(slot))?.split(',')[0];
    try {
      await once(redis, 'ready');
      expect((await ledger.tryReserve({ buckets, tokens: 0 })).ok).toBe(true);
      expect(await usedInRedis()).toBe('1');

      await relay.cut();
      const duringOutage = await Promise.all([1, 2, 3].map(() => ledger.tryReserve({ buckets, tokens: 0 })));
      expect(duringOutage.every((r) => r.ok)).toBe(true);
      expect(await usedInRedis()).toBe('1'); // served locally
      expect((await ledger.snapshot()).store.isDegraded).toBe(true);

      await relay.restore();
      await once(redis, 'ready');
      expect((await ledger.tryReserve({ buckets, tokens: 0 })).ok).toBe(true);
      expect(await usedInRedis()).toBe('2');
      expect(events).toEqual(['fallback', 'recover']);
      expect((await ledger.snapshot()).store).toMatchObject({ isDegraded: false, outages: 1 });
    } finally {
      redis.disconnect();
      await relay.close();
    }
  });
});
