/**
 * The dashboard's time series: one point per second for the last 15 minutes, in a fixed ring.
 * Each point is computed from the request log's tally, counter deltas read from /metrics and the
 * queue depth; the ring never grows past its capacity.
 */
import type { RequestTally } from './request-log.js';
import { parsePrometheusText, total, type Sample } from './prometheus-text.js';

export interface SeriesPoint {
  /** Epoch seconds. */
  t: number;
  /** Requests answered in this second, by outcome group. */
  requests: { ok: number; cache_hit: number; quota_exhausted: number; failed: number };
  upstreamCalls: number;
  /** Upstream answers that were rate-limit or quota refusals (429s): Freeway aims to keep this at zero. */
  upstream429: number;
  /** Freeway's own `quota_exhausted` answers. */
  quotaExhausted: number;
  /** Request latency of answered, non-cached requests over the last 10 s, per provider, in ms. */
  latency: Record<string, { p50: number; p95: number }>;
  /** Cache hits over answered requests in this second (null when nothing was answered). */
  cacheHitRatio: number | null;
  upstreamCallsSaved: number;
  queue: { high: number; normal: number; low: number };
}

export const SERIES_SECONDS = 15 * 60;
const LATENCY_WINDOW = 10;
const NAMES = new Set(['freeway_upstream_calls_total', 'freeway_cache_upstream_calls_saved_total']);
const RATE_LIMITED = new Set(['upstream_rate_limited', 'upstream_quota_exhausted']);

export class SeriesRing {
  private readonly points: SeriesPoint[] = [];
  private readonly recentLatencies: Record<string, number[]>[] = [];
  private previous: { calls: number; refused: number; saved: number } | undefined;

  constructor(private readonly capacity = SERIES_SECONDS) {}

  /**
   * Adds the point for second `t` from the tally since the last point and the current metrics text.
   * Counts are per second: a point that follows the last one by several seconds (the feed samples
   * less often while nobody watches) holds their average.
   */
  add(t: number, tally: RequestTally, metricsText: string, queue: Partial<SeriesPoint['queue']>): SeriesPoint {
    const samples = parsePrometheusText(metricsText, NAMES);
    const counters = readCounters(samples);
    // The gateway's counters start at zero with it: the first point counts everything before it.
    const before = this.previous ?? { calls: 0, refused: 0, saved: 0 };
    this.previous = counters;
    const last = this.points.at(-1);
    const span = last ? Math.max(1, t - last.t) : 1;
    const perSecond = (count: number) => (span === 1 ? count : Math.round((count / span) * 100) / 100);

    this.recentLatencies.push(tally.latencies);
    if (this.recentLatencies.length > LATENCY_WINDOW) this.recentLatencies.shift();
    const { ok = 0, cache_hit = 0, quota_exhausted = 0, ...others } = tally.outcomes;
    const point: SeriesPoint = {
      t,
      requests: {
        ok: perSecond(ok),
        cache_hit: perSecond(cache_hit),
        quota_exhausted: perSecond(quota_exhausted),
        failed: perSecond(Object.values(others).reduce((a, b) => a + b, 0)),
      },
      upstreamCalls: perSecond(Math.max(0, counters.calls - before.calls)),
      upstream429: perSecond(Math.max(0, counters.refused - before.refused)),
      quotaExhausted: perSecond(quota_exhausted),
      latency: percentilesByProvider(this.recentLatencies),
      cacheHitRatio: tally.answered > 0 ? tally.cacheHits / tally.answered : null,
      upstreamCallsSaved: perSecond(Math.max(0, counters.saved - before.saved)),
      queue: { high: queue.high ?? 0, normal: queue.normal ?? 0, low: queue.low ?? 0 },
    };
    this.points.push(point);
    if (this.points.length > this.capacity) this.points.shift();
    return point;
  }

  all(): SeriesPoint[] {
    return this.points.slice();
  }
}

function readCounters(samples: readonly Sample[]): { calls: number; refused: number; saved: number } {
  return {
    calls: total(samples, 'freeway_upstream_calls_total'),
    refused: total(samples, 'freeway_upstream_calls_total', (labels) => RATE_LIMITED.has(labels['outcome'] ?? '')),
    saved: total(samples, 'freeway_cache_upstream_calls_saved_total'),
  };
}

function percentilesByProvider(windows: readonly Record<string, number[]>[]): SeriesPoint['latency'] {
  const merged: Record<string, number[]> = {};
  for (const window of windows) for (const [provider, values] of Object.entries(window)) (merged[provider] ??= []).push(...values);
  const result: SeriesPoint['latency'] = {};
  for (const [provider, values] of Object.entries(merged)) {
    values.sort((a, b) => a - b);
    result[provider] = { p50: quantile(values, 0.5), p95: quantile(values, 0.95) };
  }
  return result;
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const rank = Math.max(0, Math.ceil(q * sorted.length) - 1);
  return Math.round(sorted[rank] ?? 0);
}
