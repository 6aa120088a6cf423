/**
 * A synchronous view of the ledger for ranking: how much room each bucket has relative to its
 * reset. The ledger answers asynchronously (it may live in Redis), so the view refreshes from a
 * snapshot at most every `maxAgeMs` and routing reads the last one — a little stale, never blocking.
 */
import type { Clock } from '../core/clock.js';
import type { Deployment } from '../core/deployment.js';
import type { BucketState, QuotaLedger } from '../quota/index.js';

/** Below this share of its window left, a limit is judged on remaining room alone (it resets soon). */
const MIN_TIME_SHARE = 0.05;

export interface QuotaView {
  /** 0..1: the tightest limit's room, relative to how much of its window is left. */
  headroom(deployment: Deployment): number;
  refresh(): Promise<void>;
}

export function createQuotaView(ledger: QuotaLedger, clock: Clock, maxAgeMs = 250): QuotaView {
  let buckets = new Map<string, BucketState>();
  let refreshedAt = Number.NEGATIVE_INFINITY;
  let refreshing: Promise<void> | undefined;

  const refresh = async () => {
    const snapshot = await ledger.snapshot();
    buckets = new Map(snapshot.buckets.map((b) => [b.key, b]));
    refreshedAt = clock.now();
  };

  const bucketHeadroom = (key: string, now: number): number => {
    const bucket = buckets.get(key);
    if (!bucket) return 1;
    if (bucket.parkedUntil !== undefined && bucket.parkedUntil > now) return 0;
    let headroom = 1;
    for (const limit of bucket.limits) {
      const share = limit.amount > 0 ? limit.remaining / limit.amount : 0;
      const timeShare = Math.max(MIN_TIME_SHARE, Math.min(1, (limit.resetAt - now) / limit.windowMs));
      // A daily quota half spent with half the day left is on pace (1); spent faster, it should be spared.
      headroom = Math.min(headroom, limit.calendar ? Math.min(1, share / timeShare) : share);
    }
    return Math.max(0, headroom);
  };

  return {
    headroom(deployment) {
      const now = clock.now();
      if (now - refreshedAt > maxAgeMs && !refreshing) {
        refreshing = refresh().finally(() => (refreshing = undefined));
        refreshing.catch(() => {}); // a failed snapshot leaves the previous view in place
      }
      return Math.min(bucketHeadroom(deployment.scopeKey, now), bucketHeadroom(deployment.modelScopeKey, now));
    },
    refresh,
  };
}
