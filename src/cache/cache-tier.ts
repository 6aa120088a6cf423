/**
 * The contract every storage tier meets, so the response cache can walk them in order. A tier keeps
 * entries as given and must never decide what is storable or which TTL applies: the cache does.
 */
import type { CacheEntry } from './cached-response.js';

export type TierName = 'memory' | 'disk' | 'redis';

export interface CacheTier {
  readonly name: TierName;
  /** The live entry, or undefined when absent or expired at `now`. */
  get(key: string, now: number): CacheEntry | undefined | Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry, now: number): void | Promise<void>;
  delete(key: string): void | Promise<void>;
  /** What the tier holds now; undefined when it cannot tell cheaply (Redis). */
  size(): { entries: number; bytes: number } | undefined;
  close(): void | Promise<void>;
}
