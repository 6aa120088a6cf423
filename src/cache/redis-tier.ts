/**
 * The shared tier: entries in Redis, seen by every instance. Redis is optional and may vanish at any
 * time, so this tier answers "absent" while the client is not ready and bounds every command with a
 * timeout; it must never make a request wait on a dead Redis or crash the process.
 */
import type { Redis } from 'ioredis';
import type { Clock } from '../core/clock.js';
import type { CacheEntry } from './cached-response.js';
import type { CacheTier } from './cache-tier.js';

export interface RedisTierOptions {
  redis: Redis;
  /** Prepended to every key, so instances of different deployments (or test runs) never collide. */
  prefix: string;
  clock: Clock;
  /** Longest a command may take before the tier gives up on it (ms of the clock). */
  timeoutMs: number;
}

export function createRedisTier(options: RedisTierOptions): CacheTier {
  const { redis, prefix, clock, timeoutMs } = options;
  const isReady = () => redis.status === 'ready';
  return {
    name: 'redis',
    async get(key, now) {
      if (!isReady()) return undefined;
      const text = await withTimeout(redis.get(prefix + key), clock, timeoutMs);
      if (text === null) return undefined;
      const entry = JSON.parse(text) as CacheEntry;
      return entry.expiresAt > now ? entry : undefined;
    },
    async set(key, entry, now) {
      const ttlMs = Math.ceil(entry.expiresAt - now);
      if (!isReady() || ttlMs <= 0) return;
      await withTimeout(redis.set(prefix + key, JSON.stringify(entry), 'PX', ttlMs), clock, timeoutMs);
    },
    async delete(key) {
      if (!isReady()) return;
      await withTimeout(redis.del(prefix + key), clock, timeoutMs);
    },
    size: () => undefined,
    // The client belongs to the caller, who may share it with the quota ledger: never quit it here.
    close() {},
  };
}

/** Resolves like `work`, or rejects once `ms` of the clock have passed. */
export async function withTimeout<T>(work: Promise<T>, clock: Clock, ms: number): Promise<T> {
  const timer = new AbortController();
  const expired = clock.sleep(ms, timer.signal).then(() => {
    throw new Error(`Redis command timed out after ${ms} ms`);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    timer.abort();
    expired.catch(() => undefined);
  }
}
