/**
 * The quota gauges /metrics needs beyond what telemetry refreshes (remaining, parked, queue depth):
 * each limit's amount and time to its next reset, how long a parked bucket stays parked, whether
 * the shared store is degraded, and adaptive concurrency per scope. Values are read from the
 * ledger when scraped, never on the request path. Labels are bucket keys, bounded by the config.
 */
import { Gauge, type Registry } from 'prom-client';
import { describeLimit, type Limit } from '../core/limits.js';
import type { ConcurrencyLimiter, QuotaLedger, QuotaSnapshot } from '../quota/index.js';

/** 'minute', 'day', '90000ms': the window part of a limit's label, as telemetry names it. */
const windowLabel = (limit: Limit): string => describeLimit(limit).split('/')[1] ?? `${limit.windowMs}ms`;

export function registerQuotaMetrics(
  registry: Registry,
  sources: { ledger: QuotaLedger; limiters: ReadonlyMap<string, ConcurrencyLimiter> },
): void {
  // A scrape collects every gauge at once: they share one ledger snapshot.
  let pending: Promise<QuotaSnapshot> | undefined;
  const snapshot = (): Promise<QuotaSnapshot> => {
    if (!pending) {
      pending = sources.ledger.snapshot();
      void pending.finally(() => setImmediate(() => (pending = undefined))).catch(() => {});
    }
    return pending;
  };
  const limitLabels = (bucket: string, limit: Limit) => ({ bucket, unit: limit.unit, window: windowLabel(limit) });
  const registers = [registry];

  new Gauge({
    name: 'freeway_quota_limit',
    help: 'The amount of a limit (configured, or learned from provider headers)',
    labelNames: ['bucket', 'unit', 'window', 'learned'] as const,
    registers,
    async collect() {
      this.reset();
      for (const bucket of (await snapshot()).buckets) {
        for (const limit of bucket.limits) this.set({ ...limitLabels(bucket.key, limit), learned: limit.isLearned ? 'true' : 'false' }, limit.amount);
      }
    },
  });
  new Gauge({
    name: 'freeway_quota_reset_seconds',
    help: 'Seconds until a limit is next reset (calendar) or full again (refilling)',
    labelNames: ['bucket', 'unit', 'window'] as const,
    registers,
    async collect() {
      this.reset();
      const { at, buckets } = await snapshot();
      for (const bucket of buckets) for (const limit of bucket.limits) this.set(limitLabels(bucket.key, limit), Math.max(0, (limit.resetAt - at) / 1000));
    },
  });
  new Gauge({
    name: 'freeway_quota_parked_seconds',
    help: 'Seconds a parked bucket stays parked (0 when not parked)',
    labelNames: ['bucket'] as const,
    registers,
    async collect() {
      this.reset();
      const { at, buckets } = await snapshot();
      for (const bucket of buckets) this.set({ bucket: bucket.key }, Math.max(0, ((bucket.parkedUntil ?? at) - at) / 1000));
    },
  });
  new Gauge({
    name: 'freeway_quota_store_degraded',
    help: '1 while the shared quota store is unreachable and local limits answer',
    registers,
    async collect() {
      this.set((await snapshot()).store.isDegraded ? 1 : 0);
    },
  });
  new Gauge({
    name: 'freeway_quota_concurrency',
    help: 'Adaptive concurrency of providers without published limits: the limit and what is in flight',
    labelNames: ['scope', 'kind'] as const,
    registers,
    collect() {
      for (const [scope, limiter] of sources.limiters) {
        const state = limiter.snapshot();
        this.set({ scope, kind: 'limit' }, state.limit);
        this.set({ scope, kind: 'in_flight' }, state.inFlight);
      }
    },
  });
}
