/**
 * Assembles the gateway's cache from config: the tiers (Redis only when the config allows it and a
 * connection is given), its metrics, cross-instance single-flight when Redis is there, and the
 * coordinator the pipeline uses. It builds; it must never serve a request itself.
 */
import type { Redis } from 'ioredis';
import { createDistributedSingleFlight, createResponseCache, type CacheConfig, type ResponseCache, type TierName } from '../cache/index.js';
import type { Clock } from '../core/clock.js';
import type { CacheEvent, Metrics } from '../telemetry/index.js';
import { createCacheCoordinator, type CacheCoordinator } from './cache-coordinator.js';
import { createCacheTelemetry } from './cache-telemetry.js';

export interface CachingDeps {
  redis: Redis | undefined;
  clock: Clock;
  /** XFetch's dice. */
  random: () => number;
  metrics: Metrics;
  /** Where per-tier cache events go (the gateway telemetry's `cacheEvent`). */
  record: (tier: TierName, event: CacheEvent) => void;
  log: (line: string) => void;
}

export function createCaching(config: CacheConfig, deps: CachingDeps): { cache: ResponseCache; caching: CacheCoordinator } {
  const { clock } = deps;
  const redis = deps.redis && config.redis !== false ? deps.redis : undefined;
  // The telemetry reads the cache lazily: the cache reports its events to the telemetry from birth.
  const holder: { cache?: ResponseCache } = {};
  const telemetry = createCacheTelemetry(deps.metrics, deps.record, () => holder.cache);
  const cache = (holder.cache = createResponseCache({ config, ...(redis ? { redis } : {}), clock, random: deps.random, onEvent: (event) => telemetry.onCacheEvent(event) }));
  // Without the shared tier a leader's answer could not reach the followers, so no cross-instance flights.
  const distributed = redis ? createDistributedSingleFlight({ redis, prefix: 'freeway:flight:', cache, clock }) : undefined;
  const caching = createCacheCoordinator({ cache, ...(distributed ? { distributed } : {}), telemetry, clock, log: deps.log });
  return { cache, caching };
}
