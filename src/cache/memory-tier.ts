/**
 * The in-process tier: an LRU bounded by entry count and by serialized size. Entries are kept as
 * JSON text so no caller can mutate what another caller will be served. Expiry follows the injected
 * clock (lru-cache's own TTL would read the wall clock), so this tier must never set an lru-cache ttl.
 */
import { LRUCache } from 'lru-cache';
import type { CacheEntry } from './cached-response.js';
import type { CacheTier } from './cache-tier.js';

interface StoredEntry {
  meta: Omit<CacheEntry, 'value'>;
  json: string;
}

export function createMemoryTier(options: { maxEntries: number; maxBytes: number; onEvict: () => void }): CacheTier {
  const lru = new LRUCache<string, StoredEntry>({
    max: options.maxEntries,
    maxSize: options.maxBytes,
    sizeCalculation: (stored) => Math.max(1, stored.json.length),
    dispose: (_stored, _key, reason) => {
      if (reason === 'evict') options.onEvict();
    },
  });
  return {
    name: 'memory',
    get(key, now) {
      const stored = lru.get(key);
      if (!stored) return undefined;
      if (stored.meta.expiresAt <= now) {
        lru.delete(key);
        return undefined;
      }
      return { ...stored.meta, value: JSON.parse(stored.json) as CacheEntry['value'] };
    },
    set(key, entry) {
      const { value, ...meta } = entry;
      const json = JSON.stringify(value);
      // lru-cache would refuse an entry larger than the whole tier anyway; skip it quietly.
      if (json.length > options.maxBytes) return;
      lru.set(key, { meta, json });
    },
    delete(key) {
      lru.delete(key);
    },
    size: () => ({ entries: lru.size, bytes: lru.calculatedSize }),
    close() {
      lru.clear();
    },
  };
}
