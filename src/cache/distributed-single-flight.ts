/**
 * Request coalescing across instances through Redis: the first instance to take a `SET NX PX` lock
 * on a key calls upstream, stores the answer in the shared cache and announces it on a pub/sub
 * channel; the others wait for that announcement (bounded by a timeout), read the answer from the
 * cache, and call upstream themselves if it never comes. Only cacheable answers can be shared this
 * way. It must never block a request on a dead Redis: without a ready connection it just runs `fn`.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../core/clock.js';
import type { CacheKind } from './cache-config.js';
import { whyNotStorable, type CachedResponse, type CacheOrigin } from './cached-response.js';
import type { CacheHit, ResponseCache } from './response-cache.js';

/** leader: called upstream; follower: served the leader's answer; local: called upstream itself. */
export type FlightRole = 'leader' | 'follower' | 'local';

export interface FlightOptions {
  /** Read once `fn` has resolved: who produced the answer, stored beside it for the followers. */
  origin?: () => CacheOrigin | undefined;
}

export interface DistributedSingleFlight {
  /** A follower's `origin` is the leader's, read from the shared cache. */
  run(key: string, kind: CacheKind, fn: () => Promise<CachedResponse>, options?: FlightOptions): Promise<{ value: CachedResponse; role: FlightRole; origin?: CacheOrigin }>;
  close(): Promise<void>;
}

export interface DistributedSingleFlightOptions {
  redis: Redis;
  /** A connection for pub/sub (one in subscriber mode can run no other command); default: a duplicate. */
  subscriber?: Redis;
  prefix: string;
  /** The cache whose Redis tier carries the leader's answer to the followers. */
  cache: ResponseCache;
  clock: Clock;
  /** How long a lock lives if its leader dies without releasing it (ms). */
  lockTtlMs?: number;
  /** How long a follower waits for the leader before calling upstream itself (ms). */
  waitTimeoutMs?: number;
}

// Deletes the lock only if this instance still holds it: after a TTL expiry another may own it.
const RELEASE_SCRIPT = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export function createDistributedSingleFlight(options: DistributedSingleFlightOptions): DistributedSingleFlight {
  const { redis, prefix, cache, clock } = options;
  const lockTtlMs = options.lockTtlMs ?? 60_000;
  const waitTimeoutMs = options.waitTimeoutMs ?? 30_000;
  const ownsSubscriber = options.subscriber === undefined;
  const subscriber = options.subscriber ?? redis.duplicate();
  const listeners = new Map<string, Set<(message: string) => void>>();
  subscriber.on('message', (channel: string, message: string) => {
    for (const listener of listeners.get(channel) ?? []) listener(message);
  });

  const lockKey = (key: string) => `${prefix}lock:${key}`;
  const channelOf = (key: string) => `${prefix}done:${key}`;

  const listen = async (channel: string, listener: (message: string) => void): Promise<() => Promise<void>> => {
    let set = listeners.get(channel);
    if (!set) {
      set = new Set();
      listeners.set(channel, set);
      await subscriber.subscribe(channel);
    }
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (set.size === 0 && listeners.get(channel) === set) {
        listeners.delete(channel);
        await subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
  };

  const lead = async (key: string, kind: CacheKind, token: string, fn: () => Promise<CachedResponse>, flight: FlightOptions) => {
    let outcome = 'failed';
    try {
      const started = clock.now();
      const value = await fn();
      const origin = flight.origin?.();
      await cache.set(key, kind, value, { computeMs: clock.now() - started, ...(origin ? { origin } : {}) });
      // A refused answer is not in the cache: followers must call upstream themselves.
      outcome = whyNotStorable(kind, value) === undefined ? 'done' : 'failed';
      return value;
    } finally {
      // Best effort: a follower that misses this message still wakes at its timeout.
      await redis.eval(RELEASE_SCRIPT, 1, lockKey(key), token).catch(() => undefined);
      await redis.publish(channelOf(key), outcome).catch(() => undefined);
    }
  };

  const follow = async (key: string, kind: CacheKind): Promise<CacheHit | undefined> => {
    const wait = new AbortController();
    let announced: (message: string) => void = () => {};
    const announcement = new Promise<string>((resolve) => (announced = resolve));
    const stop = await listen(channelOf(key), (message) => announced(message));
    try {
      // The leader may have finished before we subscribed; the cache then already has the answer.
      const early = await cache.get(key, kind);
      if (early) return early;
      if ((await redis.exists(lockKey(key))) === 0) return undefined;
      const timeout = clock.sleep(waitTimeoutMs, wait.signal).then(
        () => 'timeout',
        () => 'aborted',
      );
      const message = await Promise.race([announcement, timeout]);
      if (message !== 'done') return undefined;
      return await cache.get(key, kind);
    } finally {
      wait.abort();
      await stop();
    }
  };

  return {
    async run(key, kind, fn, flight = {}) {
      if (redis.status !== 'ready' || subscriber.status === 'end') return { value: await fn(), role: 'local' };
      const token = randomUUID();
      let acquired: string | null;
      try {
        acquired = await redis.set(lockKey(key), token, 'PX', lockTtlMs, 'NX');
      } catch {
        return { value: await fn(), role: 'local' };
      }
      if (acquired === 'OK') return { value: await lead(key, kind, token, fn, flight), role: 'leader' };
      const shared = await follow(key, kind).catch(() => undefined);
      if (shared !== undefined) {
        cache.noteCoalesced();
        return { value: shared.value, role: 'follower', ...(shared.origin ? { origin: shared.origin } : {}) };
      }
      return { value: await fn(), role: 'local' };
    },
    async close() {
      if (ownsSubscriber) subscriber.disconnect();
    },
  };
}
