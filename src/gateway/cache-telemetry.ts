/**
 * The cache's metrics, per request and per tier: a lookup that hit the disk tier counts a miss in
 * memory and a hit on disk; a bypass counts on every tier; a joined call counts a `join`. Upstream
 * calls saved and what each tier holds are exported beside them. It records what the coordinator
 * reports and must never read or change the cache's contents.
 */
import { Counter, Gauge } from 'prom-client';
import type { CacheEvent as CacheModuleEvent, CacheStats, TierName } from '../cache/index.js';
import type { CacheEvent, Metrics } from '../telemetry/index.js';

export interface CacheTelemetry {
  /** A lookup's outcome: the tier that answered, or undefined when every tier missed. */
  lookedUp(hitTier: TierName | undefined): void;
  /** A request the policy kept away from the cache (`bypass`), or one that skipped the lookup (`miss`, no-cache). */
  skipped(status: 'miss' | 'bypass'): void;
  /** A request answered by joining another's upstream call, in this process or through Redis. */
  joined(where: 'memory' | 'redis'): void;
  /** The response cache's own events (stores, evictions, tier errors). */
  onCacheEvent(event: CacheModuleEvent): void;
}

export function createCacheTelemetry(
  metrics: Metrics,
  record: (tier: TierName, event: CacheEvent) => void,
  cache: () => { readonly tiers: readonly TierName[]; stats(): CacheStats } | undefined,
): CacheTelemetry {
  const registers = [metrics.registry];
  const saved = new Counter({
    name: 'freeway_cache_upstream_calls_saved_total',
    help: 'Upstream calls never made: cache hits and requests that joined an identical call in flight',
    labelNames: ['reason'] as const,
    registers,
  });
  const sized = (name: string, help: string, field: 'entries' | 'bytes') =>
    new Gauge({
      name,
      help,
      labelNames: ['tier'] as const,
      registers,
      // Read at scrape time: the tiers already keep these numbers.
      collect() {
        const stats = cache()?.stats();
        if (!stats) return;
        if (stats.memory) this.set({ tier: 'memory' }, stats.memory[field]);
        if (stats.disk) this.set({ tier: 'sqlite' }, stats.disk[field]);
      },
    });
  sized('freeway_cache_entries', 'Entries held by a cache tier', 'entries');
  sized('freeway_cache_bytes', 'Bytes of answers held by a cache tier', 'bytes');

  const tiers = () => cache()?.tiers ?? [];
  return {
    lookedUp(hitTier) {
      for (const tier of tiers()) {
        if (tier === hitTier) {
          record(tier, 'hit');
          saved.inc({ reason: 'hit' });
          return;
        }
        record(tier, 'miss');
      }
    },
    skipped(status) {
      for (const tier of tiers()) record(tier, status);
    },
    joined(where) {
      record(where, 'join');
      saved.inc({ reason: 'coalesced' });
    },
    onCacheEvent(event) {
      if (event.type === 'store') for (const tier of tiers()) record(tier, 'store');
      else if (event.type === 'evict') record('memory', 'evict');
      else if (event.type === 'tier-error') record(event.tier, 'error');
    },
  };
}
