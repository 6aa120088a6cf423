import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createDistributedSingleFlight, createResponseCache, createSingleFlight, type CachedResponse, type DistributedSingleFlight } from '../../src/cache/index.js';
import { completion, configWith } from './fixtures.js';
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

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One gateway instance: its own memory tier, the shared Redis tier, its own coalescer. */
function instance(clock: ManualClock, options: { waitTimeoutMs?: number } = {}): DistributedSingleFlight {
  const shared = redis as Redis;
  const cache = createResponseCache({ config: configWith({ redis: true }), redis: shared, redisPrefix: prefix, clock });
  const flight = createDistributedSingleFlight({ redis: shared, prefix, cache, clock, ...options });
  cleanups.push(() => cache.close(), () => flight.close());
  return flight;
}

/** Waits (without a wall-clock timer) until `count` followers are subscribed for `key`. */
async function followersWaiting(key: string, count: number): Promise<void> {
  for (;;) {
    const [, subscribers] = (await (redis as Redis).pubsub('NUMSUB', `${prefix}done:${key}`)) as [string, number];
    if (subscribers >= count) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe.skipIf(!redis)('createDistributedSingleFlight (needs Redis at 127.0.0.1:6379)', () => {
  it('20 identical requests on two instances make one upstream call', async () => {
    const clock = new ManualClock();
    const [a, b] = [instance(clock), instance(clock)];
    const upstream = deferred<CachedResponse>();
    const started = deferred<void>();
    let calls = 0;
    const fn = () => {
      calls++;
      started.resolve();
      return upstream.promise;
    };
    // In process, a single-flight in front of the cross-instance one, as the gateway would compose them.
    const localA = createSingleFlight<{ value: CachedResponse; role: string }>();
    const localB = createSingleFlight<{ value: CachedResponse; role: string }>();
    const onA = Array.from({ length: 10 }, () => localA.run('q1', () => a.run('q1', 'chat', fn)));
    await started.promise;
    const onB = Array.from({ length: 10 }, () => localB.run('q1', () => b.run('q1', 'chat', fn)));
    await followersWaiting('q1', 1);
    upstream.resolve(completion('once'));
    const answers = await Promise.all([...onA, ...onB]);
    expect(calls).toBe(1);
    expect(answers.every((answer) => JSON.stringify(answer.value) === JSON.stringify(completion('once')))).toBe(true);
    expect(answers.slice(0, 10).every((answer) => answer.role === 'leader')).toBe(true);
    expect(answers.slice(10).every((answer) => answer.role === 'follower')).toBe(true);
  });

  it('a follower calls upstream itself when the leader fails', async () => {
    const clock = new ManualClock();
    const [a, b] = [instance(clock), instance(clock)];
    const upstream = deferred<CachedResponse>();
    const started = deferred<void>();
    const leader = a.run('q2', 'chat', () => {
      started.resolve();
      return upstream.promise;
    });
    await started.promise;
    const follower = b.run('q2', 'chat', async () => completion('by myself'));
    await followersWaiting('q2', 1);
    upstream.reject(new Error('upstream 503'));
    await expect(leader).rejects.toThrow('upstream 503');
    expect(await follower).toEqual({ value: completion('by myself'), role: 'local' });
  });

  it('a leader whose answer may not be cached sends its followers upstream', async () => {
    const clock = new ManualClock();
    const [a, b] = [instance(clock), instance(clock)];
    const upstream = deferred<CachedResponse>();
    const started = deferred<void>();
    const leader = a.run('q5', 'chat', () => {
      started.resolve();
      return upstream.promise;
    });
    await started.promise;
    const follower = b.run('q5', 'chat', async () => completion('complete'));
    await followersWaiting('q5', 1);
    const truncated = completion('cut', { choices: [{ index: 0, message: { role: 'assistant', content: 'cut' }, finish_reason: null }] });
    upstream.resolve(truncated);
    expect(await leader).toEqual({ value: truncated, role: 'leader' });
    expect(await follower).toEqual({ value: completion('complete'), role: 'local' });
  });

  it('a follower stops waiting at its timeout and calls upstream itself', async () => {
    const clock = new ManualClock();
    const [a, b] = [instance(clock), instance(clock, { waitTimeoutMs: 5_000 })];
    const upstream = deferred<CachedResponse>();
    const started = deferred<void>();
    const leader = a.run('q3', 'chat', () => {
      started.resolve();
      return upstream.promise;
    });
    await started.promise;
    let settled = false;
    const follower = b.run('q3', 'chat', async () => completion('gave up waiting')).finally(() => (settled = true));
    await followersWaiting('q3', 1);
    while (!settled) await clock.advance(1_000);
    expect(await follower).toEqual({ value: completion('gave up waiting'), role: 'local' });
    upstream.resolve(completion('late'));
    expect((await leader).role).toBe('leader');
  });

  it('runs locally when Redis is not ready', async () => {
    const dead = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, retryStrategy: () => null });
    dead.on('error', () => {});
    const clock = new ManualClock();
    const cache = createResponseCache({ config: configWith(), clock });
    const flight = createDistributedSingleFlight({ redis: dead, subscriber: dead, prefix, cache, clock });
    expect(await flight.run('q4', 'chat', async () => completion('alone'))).toEqual({ value: completion('alone'), role: 'local' });
    await cache.close();
    dead.disconnect();
  });
});
