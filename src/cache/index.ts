/**
 * The response cache and request coalescing (src/cache): generic, no HTTP. It owns cache keys,
 * the cache policy, the tiers (memory → SQLite → Redis), early refresh, single-flight and stream
 * replay; it must never call an upstream or shape an HTTP answer itself.
 *
 * Keys and policy
 *   computeCacheKey(body, resolvedModel, kind: 'chat' | 'embedding'): string   SHA-256 hex
 *   decideCachePolicy(body, { 'cache-control'? }, config): { lookup, store, status: 'miss' | 'bypass' }
 *   CacheConfig, defaultCacheConfig, CacheKind = 'chat' | 'embedding' | 'models' | 'discovery'
 *
 * Tiers
 *   createResponseCache({ config, redis?, redisPrefix?, clock, onEvent?, random?, earlyRefreshBeta?, redisTimeoutMs? })
 *     .get(key, kind) → { value, tier, refreshEarly, storedAt, expiresAt, origin? } | undefined   (promotes lower-tier hits)
 *     .set(key, kind, value, { computeMs?, origin? })   refuses errors, truncated and empty answers
 *     .tiers: the tier names in lookup order
 *     .delete(key) · .noteBypass() · .noteCoalesced(n?) · .stats() · .close()
 *   shouldRefreshEarly(entry, now, random, beta?) · warmUp(requests, run, { concurrency? })
 *
 * Coalescing
 *   createSingleFlight<T>().run(key, fn): Promise<T>
 *   createStreamFanout<Chunk>().join(key, start: signal => Promise<{ chunks, ...meta }>)
 *     → Promise<{ ...meta, chunks: FanoutStream<Chunk>, isLeader }>
 *   createDistributedSingleFlight({ redis, prefix, cache, clock, ... }).run(key, kind, fn, { origin? }) → { value, role, origin? }
 *
 * Streams
 *   completionToChunks(completion, { includeUsage? }) → chunk objects (the server adds `data:` and [DONE])
 *   chunksToCompletion(chunks) → the completion to store · collectStream(source, onComplete)
 */
export { defaultCacheConfig, ttlMsFor, type CacheConfig, type CacheKind, type CacheMode } from './cache-config.js';
export { canonicalJson, computeCacheKey } from './cache-key.js';
export { decideCachePolicy, isDeterministic, type CachePolicy } from './cache-policy.js';
export type { TierName } from './cache-tier.js';
export { whyNotStorable, type CacheEntry, type CachedResponse, type CacheOrigin } from './cached-response.js';
export { createDistributedSingleFlight, type DistributedSingleFlight, type DistributedSingleFlightOptions, type FlightOptions, type FlightRole } from './distributed-single-flight.js';
export { shouldRefreshEarly, warmUp, type WarmUpResult } from './early-refresh.js';
export {
  createResponseCache,
  type CacheEvent,
  type CacheHit,
  type CacheStats,
  type ResponseCache,
  type ResponseCacheOptions,
} from './response-cache.js';
export { createSingleFlight, type SingleFlight } from './single-flight.js';
export { createStreamFanout, type FanoutStream, type JoinedStream, type OpenedStream, type StreamFanout } from './stream-fanout.js';
export { chunksToCompletion, collectStream, completionToChunks, type ChatCompletion, type ChatCompletionChunk } from './stream-replay.js';
