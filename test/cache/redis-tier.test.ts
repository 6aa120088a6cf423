import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createResponseCache, type CacheEvent, type ResponseCache } from '../../src/cache/index.js';
import { completion, configWith, tempDir } from './fixtures.js';
import { connectRedis, deletePrefix, runPrefix } from './redis-connection.js';

const redis = await connectRedis();
const prefix = runPrefix();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  if (!redis) return;
  await deletePrefix(redis, prefix);
  redis.disconnect();
});
function track(cache: ResponseCache): ResponseCache {
  cleanups.push(() => cache.close());
  return cache;
}

describe.skipIf(!redis)('redis tier (needs Redis at 127.0.0.1:6379)', () => {
  const shared = () => redis as Redis;

  it('is shared by two cache instances, and a redis hit is promoted', async () => {
    const clock = new ManualClock();
    const config = configWith({ redis: true });
    const a = track(createResponseCache({ config, redis: shared(), redisPrefix: prefix, clock }));
    const b = track(createResponseCache({ config, redis: shared(), redisPrefix: prefix, clock }));
    await a.set('shared-1', 'chat', completion('from A'));
    expect(await b.get('shared-1', 'chat')).toMatchObject({ tier: 'redis', value: completion('from A') });
    expect((await b.get('shared-1', 'chat'))?.tier).toBe('memory');
    expect(b.stats().hits).toEqual({ memory: 1, disk: 0, redis: 1 });
  });

  it('promotes a redis hit to the disk tier as well', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const clock = new ManualClock();
    const writer = track(createResponseCache({ config: configWith({ redis: true }), redis: shared(), redisPrefix: prefix, clock }));
    await writer.set('shared-2', 'chat', completion('deep'));
    const path = join(dir.path, 'cache.sqlite');
    const reader = createResponseCache({ config: configWith({ redis: true, sqlitePath: path }), redis: shared(), redisPrefix: prefix, clock });
    expect((await reader.get('shared-2', 'chat'))?.tier).toBe('redis');
    await reader.close();
    const diskOnly = track(createResponseCache({ config: configWith({ sqlitePath: path }), clock }));
    expect((await diskOnly.get('shared-2', 'chat'))?.tier).toBe('disk');
  });

  it('sets a Redis TTL and never serves an entry past its expiry on the clock', async () => {
    const clock = new ManualClock();
    const config = configWith({ redis: true, ttlSeconds: { completion: 30, embedding: 30, models: 30, discovery: 30 } });
    const cache = track(createResponseCache({ config, redis: shared(), redisPrefix: prefix, clock }));
    await cache.set('ttl-1', 'chat', completion('brief'));
    const ttlMs = await shared().pttl(`${prefix}ttl-1`);
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(30_000);
    const other = track(createResponseCache({ config, redis: shared(), redisPrefix: prefix, clock }));
    await clock.advance(30_000);
    expect(await other.get('ttl-1', 'chat')).toBeUndefined();
  });

  it('config redis: false leaves the tier out even with a client', async () => {
    const clock = new ManualClock();
    const a = track(createResponseCache({ config: configWith({ redis: true }), redis: shared(), redisPrefix: prefix, clock }));
    const b = track(createResponseCache({ config: configWith({ redis: false }), redis: shared(), redisPrefix: prefix, clock }));
    await a.set('off-1', 'chat', completion('x'));
    expect(await b.get('off-1', 'chat')).toBeUndefined();
  });
});

describe('redis tier when Redis is unreachable or stuck', () => {
  it('degrades to the other tiers when nothing listens', async () => {
    const dead = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    dead.on('error', () => {});
    await dead.connect().catch(() => undefined);
    const cache = track(createResponseCache({ config: configWith({ redis: true }), redis: dead, redisPrefix: prefix, clock: new ManualClock() }));
    await cache.set('k', 'chat', completion('local'));
    expect((await cache.get('k', 'chat'))?.tier).toBe('memory');
    expect(await cache.get('absent', 'chat')).toBeUndefined();
    dead.disconnect();
  });

  it('gives up on a command that never answers, after its timeout on the clock', async () => {
    // A server that accepts connections and never replies: Redis "up" but hung.
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => void sockets.push(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const stuck = new Redis({ host: '127.0.0.1', port, enableReadyCheck: false, disableClientInfo: true, retryStrategy: () => null });
    stuck.on('error', () => {});
    await once(stuck, 'ready');
    cleanups.push(() => new Promise((resolve) => server.close(resolve)), () => sockets.forEach((s) => s.destroy()), () => stuck.disconnect());

    const clock = new ManualClock();
    const events: CacheEvent[] = [];
    const cache = track(
      createResponseCache({ config: configWith({ redis: true }), redis: stuck, redisPrefix: prefix, clock, redisTimeoutMs: 200, onEvent: (e) => events.push(e) }),
    );
    const pending = cache.get('k', 'chat');
    await new Promise((resolve) => setImmediate(resolve));
    await clock.advance(200);
    expect(await pending).toBeUndefined();
    expect(cache.stats().tierErrors.redis).toBe(1);
    expect(events).toContainEqual(expect.objectContaining({ type: 'tier-error', tier: 'redis', operation: 'get' }));
  });
});
