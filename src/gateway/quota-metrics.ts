/**
 * The quota gauges /metrics needs beyond what telemetry refreshes (remaining, parked, queue depth):
 * each limit's amount and time to its next reset, how long a parked bucket stays parked, whether
 * the shared store is degraded, and adaptive concurrency per scope. Values are read from the
 * ledger when scraped, never on the request path. Labels are bucket keys, bounded by the config.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import { describeLimit, type Limit } from '../core/limits.js';
import type { ConcurrencyLimiter, QuotaLedger } from '../quota/index.js';

/** 'minute', 'day', '90000ms': the window part of a limit's label, as telemetry names it. */
const windowLabel = (limit: Limit): string => describeLimit(limit).split('/')[1] ?? `${limit.windowMs}ms`;

export function registerQuotaMetrics(
  registry: Registry,
  sources: { ledger: QuotaLedger; clock: Clock; limiters: ReadonlyMap<string, ConcurrencyLimiter> },
): void {
  const registers = [registry];
  const reset = new Gauge({
    name: 'freeway_quota_reset_seconds',
    help: 'Seconds until a limit is next reset (calendar) or full again (refilling)',
    labelNames: ['bucket', 'unit', 'window'] as const,
    registers: [],
  });
  const parkedFor = new Gauge({
    name: 'freeway_quota_parked_seconds',
    help: 'Seconds a parked bucket stays parked (0 when not parked)',
    labelNames: ['bucket'] as const,
    registers: [],
  });
  const degraded = new Gauge({
    name: 'freeway_quota_store_degraded',
    help: '1 while the shared quota store is unreachable and local limits answer',
    registers: [],
  });
  const concurrency = new Gauge({
    name: 'freeway_quota_concurrency',
    help: 'Adaptive concurrency of providers without published limits: the limit and what is in flight',
    labelNames: ['scope', 'kind'] as const,
    registers: [],
  });

  // Registered first and filled by the limit gauge's collect: one ledger snapshot per scrape.
  new Gauge({
    name: 'freeway_quota_limit',
    help: 'The amount of a limit (configured, or learned from provider headers)',
    labelNames: ['bucket', 'unit', 'window', 'learned'] as const,
    registers,
    async collect() {
      const snapshot = await sources.ledger.snapshot();
      const now = sources.clock.now();
      this.reset();
      reset.reset();
      parkedFor.reset();
      for (const bucket of snapshot.buckets) {
        for (const limit of bucket.limits) {
          const labels = { bucket: bucket.key, unit: limit.unit, window: windowLabel(limit) };
          this.set({ ...labels, learned: limit.isLearned ? 'true' : 'false' }, limit.amount);
          reset.set(labels, Math.max(0, (limit.resetAt - now) / 1000));
        }
        parkedFor.set({ bucket: bucket.key }, Math.max(0, ((bucket.parkedUntil ?? now) - now) / 1000));
      }
      degraded.set(snapshot.store.isDegraded ? 1 : 0);
      for (const [scope, limiter] of sources.limiters) {
        const state = limiter.snapshot();
        concurrency.set({ scope, kind: 'limit' }, state.limit);
        concurrency.set({ scope, kind: 'in_flight' }, state.inFlight);
      }
    },
  });
  for (const gauge of [reset, parkedFor, degraded, concurrency]) registry.registerMetric(gauge);
}
