/**
 * The cache's settings and their defaults. The config module mirrors this shape in its zod schema;
 * this file owns the defaults and must never read files or the environment itself.
 */

/** What the cache may keep: deterministic requests only (the default), every request, or nothing. */
export type CacheMode = 'deterministic' | 'all' | 'off';

/** The kinds of data the cache keeps; each has its own TTL. */
export type CacheKind = 'chat' | 'embedding' | 'models' | 'discovery';

export interface CacheConfig {
  mode: CacheMode;
  /** The in-process tier. `maxEntries: 0` disables it. `maxBytes` counts serialized JSON characters. */
  memory: { maxEntries: number; maxBytes: number };
  /** The SQLite file of the disk tier; `null` disables it. */
  sqlitePath?: string | null;
  /** Use the Redis tier when a client is given (default true). */
  redis?: boolean;
  /** Seconds an entry lives, per kind of data (`completion` is the TTL of the `chat` kind). */
  ttlSeconds: { completion: number; embedding: number; models: number; discovery: number };
  /** Requests the gateway runs at start-up so their answers are cached before anyone asks. */
  warmup?: Array<Record<string, unknown>>;
}

export const defaultCacheConfig: CacheConfig = {
  mode: 'deterministic',
  memory: { maxEntries: 10_000, maxBytes: 64 * 1024 * 1024 },
  sqlitePath: '.freeway/cache.sqlite',
  redis: true,
  ttlSeconds: { completion: 24 * 3600, embedding: 7 * 24 * 3600, models: 3600, discovery: 6 * 3600 },
  warmup: [],
};

/** The TTL of a kind in milliseconds. */
export function ttlMsFor(config: CacheConfig, kind: CacheKind): number {
  const seconds = kind === 'chat' ? config.ttlSeconds.completion : config.ttlSeconds[kind];
  return seconds * 1000;
}
