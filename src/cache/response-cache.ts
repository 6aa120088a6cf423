/**
 * The tiered response cache: memory → SQLite on disk → Redis, read in that order, a lower-tier hit
 * promoted upward, every write to all tiers. It owns the TTL per kind and the rule that only complete,
 * successful answers are stored. It must never throw because a tier failed (a broken tier only costs
 * hits) and never talk to an upstream itself.
 */
import type { Redis } from 'ioredis';
import type { Clock } from '../core/clock.js';
import { defaultCacheConfig, ttlMsFor, type CacheConfig, type CacheKind } from './cache-config.js';
import type { CacheTier, TierName } from './cache-tier.js';
import { whyNotStorable, type CacheEntry, type CachedResponse, type CacheOrigin } from './cached-response.js';
import { createDiskTier } from './disk-tier.js';
import { shouldRefreshEarly } from './early-refresh.js';
import { createMemoryTier } from './memory-tier.js';
import { createRedisTier } from './redis-tier.js';

export type CacheEvent =
  | { type: 'hit'; tier: TierName; kind: CacheKind; key: string }
  | { type: 'miss'; kind: CacheKind; key: string }
  | { type: 'store'; kind: CacheKind; key: string; bytes: number }
  | { type: 'reject'; kind: CacheKind; key: string; reason: string }
  | { type: 'evict'; tier: 'memory' }
  | { type: 'tier-error'; tier: TierName; operation: 'get' | 'set' | 'delete'; message: string };

export interface CacheHit {
  value: CachedResponse;
  tier: TierName;
  /** XFetch says: serve this, and refresh it in the background now. */
  refreshEarly: boolean;
  storedAt: number;
  expiresAt: number;
  origin?: CacheOrigin;
}

export interface CacheStats {
  hits: Record<TierName, number>;
  misses: number;
  bypasses: number;
  stores: number;
  /** Answers refused because they were errors or incomplete. */
  rejected: number;
  evictions: number;
  /** Requests that joined another's in-flight upstream call (reported by the gateway). */
  coalesced: number;
  /** Every hit plus every coalesced request: upstream calls that were never made. */
  upstreamCallsSaved: number;
  tierErrors: Record<TierName, number>;
  memory: { entries: number; bytes: number } | null;
  disk: { entries: number; bytes: number } | null;
}

export interface ResponseCache {
  /** The tiers in lookup order. */
  readonly tiers: readonly TierName[];
  get(key: string, kind: CacheKind): Promise<CacheHit | undefined>;
  /**
   * Stores a complete answer under the kind's TTL. An error or incomplete answer is refused (counted
   * in `rejected`, reported as a `reject` event; `whyNotStorable` tells beforehand).
   */
  set(key: string, kind: CacheKind, value: CachedResponse, options?: { computeMs?: number; origin?: CacheOrigin }): Promise<void>;
  delete(key: string): Promise<void>;
  /** Counts a request the policy kept away from the cache. */
  noteBypass(): void;
  /** Counts requests answered by joining an in-flight upstream call. */
  noteCoalesced(count?: number): void;
  stats(): CacheStats;
  close(): Promise<void>;
}

export interface ResponseCacheOptions {
  config: CacheConfig;
  redis?: Redis;
  redisPrefix?: string;
  clock: Clock;
  onEvent?: (event: CacheEvent) => void;
  /** XFetch's dice, like Math.random. */
  random?: () => number;
  /** XFetch β: above 1 refreshes earlier. */
  earlyRefreshBeta?: number;
  /** Longest a Redis command may take before the tier is skipped (ms). */
  redisTimeoutMs?: number;
}

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { config, clock } = options;
  const random = options.random ?? Math.random;
  const emit = options.onEvent ?? (() => {});
  const counters = { misses: 0, bypasses: 0, stores: 0, rejected: 0, evictions: 0, coalesced: 0 };
  const hits: Record<TierName, number> = { memory: 0, disk: 0, redis: 0 };
  const tierErrors: Record<TierName, number> = { memory: 0, disk: 0, redis: 0 };

  const tiers: CacheTier[] = [];
  if (config.memory.maxEntries > 0 && config.memory.maxBytes > 0) {
    const onEvict = () => {
      counters.evictions++;
      emit({ type: 'evict', tier: 'memory' });
    };
    tiers.push(createMemoryTier({ ...config.memory, onEvict }));
  }
  const sqlitePath = config.sqlitePath === undefined ? defaultCacheConfig.sqlitePath : config.sqlitePath;
  if (sqlitePath) tiers.push(createDiskTier(sqlitePath, clock.now()));
  if (options.redis && config.redis !== false) {
    const prefix = options.redisPrefix ?? 'freeway:cache:';
    tiers.push(createRedisTier({ redis: options.redis, prefix, clock, timeoutMs: options.redisTimeoutMs ?? 250 }));
  }

  const failed = (tier: CacheTier, operation: 'get' | 'set' | 'delete', error: unknown) => {
    tierErrors[tier.name]++;
    emit({ type: 'tier-error', tier: tier.name, operation, message: error instanceof Error ? error.message : String(error) });
  };
  const writeTo = async (targets: CacheTier[], key: string, entry: CacheEntry, now: number) => {
    await Promise.all(
      targets.map(async (tier) => {
        try {
          await tier.set(key, entry, now);
        } catch (error) {
          failed(tier, 'set', error);
        }
      }),
    );
  };

  return {
    tiers: tiers.map((tier) => tier.name),
    async get(key, kind) {
      const now = clock.now();
      for (const [index, tier] of tiers.entries()) {
        let entry: CacheEntry | undefined;
        try {
          entry = await tier.get(key, now);
        } catch (error) {
          failed(tier, 'get', error);
          continue;
        }
        if (!entry || entry.kind !== kind) continue;
        // Promotion keeps the entry's own expiry: a copy never outlives its original.
        if (index > 0) await writeTo(tiers.slice(0, index), key, entry, now);
        hits[tier.name]++;
        emit({ type: 'hit', tier: tier.name, kind, key });
        const refreshEarly = shouldRefreshEarly(entry, now, random, options.earlyRefreshBeta);
        const hit: CacheHit = { value: entry.value, tier: tier.name, refreshEarly, storedAt: entry.storedAt, expiresAt: entry.expiresAt };
        if (entry.origin) hit.origin = entry.origin;
        return hit;
      }
      counters.misses++;
      emit({ type: 'miss', kind, key });
      return undefined;
    },

    async set(key, kind, value, setOptions = {}) {
      const reason = whyNotStorable(kind, value);
      if (reason !== undefined) {
        counters.rejected++;
        emit({ type: 'reject', kind, key, reason });
        return;
      }
      const now = clock.now();
      const entry: CacheEntry = { kind, value, storedAt: now, expiresAt: now + ttlMsFor(config, kind), computeMs: setOptions.computeMs ?? 0 };
      if (setOptions.origin) entry.origin = setOptions.origin;
      await writeTo(tiers, key, entry, now);
      counters.stores++;
      emit({ type: 'store', kind, key, bytes: JSON.stringify(value).length });
    },

    async delete(key) {
      await Promise.all(
        tiers.map(async (tier) => {
          try {
            await tier.delete(key);
          } catch (error) {
            failed(tier, 'delete', error);
          }
        }),
      );
    },

    noteBypass() {
      counters.bypasses++;
    },
    noteCoalesced(count = 1) {
      counters.coalesced += count;
    },

    stats() {
      const sizeOf = (name: TierName) => tiers.find((tier) => tier.name === name)?.size() ?? null;
      const totalHits = hits.memory + hits.disk + hits.redis;
      return {
        hits: { ...hits },
        ...counters,
        upstreamCallsSaved: totalHits + counters.coalesced,
        tierErrors: { ...tierErrors },
        memory: sizeOf('memory'),
        disk: sizeOf('disk'),
      };
    },

    async close() {
      for (const tier of tiers) await tier.close();
    },
  };
}
