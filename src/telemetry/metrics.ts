/**
 * The gateway's Prometheus metrics, on a registry of their own (never prom-client's global one, so
 * several gateways can share a process). Callers record through typed methods with times in ms;
 * this module owns metric names, label sets and buckets. It never labels by request id, key or
 * anything else unbounded, and never decides what an outcome is.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { LimitUnit } from '../core/limits.js';
import { BoundedLabels } from './bounded-labels.js';
import { PlainCounter, PlainHistogram } from './plain-series.js';
import { seriesMemo } from './series-memo.js';

export type BreakerState = 'closed' | 'half-open' | 'open';
export type Priority = 'high' | 'normal' | 'low';
export type CacheTier = 'memory' | 'sqlite' | 'redis';
export type CacheEvent = 'hit' | 'miss' | 'store' | 'evict' | 'join' | 'bypass' | 'error';

export interface MetricsOptions {
  /** Distinct values kept per label of each metric before the rest read "other"; default 200. */
  maxLabelValues?: number;
  /** Also collect Node's process metrics (CPU, memory, event loop) into this registry. */
  processMetrics?: boolean;
}

export interface Metrics {
  readonly registry: Registry;
  /** The Content-Type of `render()`'s text. */
  readonly contentType: string;
  /** One client request answered; `route` is the route template (`/v1/chat/completions`), not the URL. */
  requestCompleted(event: { route: string; model: string; outcome: string; durationMs: number }): void;
  /** One upstream call finished; `firstTokenMs` when any content arrived. */
  upstreamCall(event: {
    provider: string;
    model: string;
    outcome: string;
    totalMs: number;
    firstTokenMs?: number;
  }): void;
  tokensUsed(event: { provider: string; model: string; promptTokens?: number; completionTokens?: number }): void;
  /** What a quota bucket has left in one window (`window`: minute, day, 10s, …). */
  quotaRemaining(event: { bucket: string; unit: LimitUnit; window: string; remaining: number }): void;
  quotaParked(event: { bucket: string; parked: number }): void;
  queueDepth(event: { priority: Priority; depth: number }): void;
  breakerState(event: { deployment: string; state: BreakerState }): void;
  cacheEvent(event: { tier: CacheTier; event: CacheEvent }): void;
  retry(event: { provider: string; reason: string }): void;
  /** A shared store (Redis) failed and the local fallback answered. */
  storeFallback(event: { store: string }): void;
  /** Prometheus text format. */
  render(): Promise<string>;
}

const breakerValue: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

// Seconds: from a cache hit (ms) to a long generation (minutes).
const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const labels = new BoundedLabels(options.maxLabelValues ?? 200);
  if (options.processMetrics === true) collectDefaultMetrics({ register: registry, prefix: 'freeway_' });
  const registers = [registry];

  // The per-request families are plain series (plain-series.ts); the rest change rarely and stay prom-client's.
  const requests = new PlainCounter({
    name: 'freeway_requests_total',
    help: 'Client requests answered, by route, requested model and outcome',
    labelNames: ['route', 'model', 'outcome'] as const,
    registers,
  });
  const requestDuration = new PlainHistogram({
    name: 'freeway_request_duration_seconds',
    help: 'Time to answer a client request',
    labelNames: ['route', 'outcome'] as const,
    buckets: latencyBuckets,
    registers,
  });
  const upstreamCalls = new PlainCounter({
    name: 'freeway_upstream_calls_total',
    help: 'Calls made to providers',
    labelNames: ['provider', 'model', 'outcome'] as const,
    registers,
  });
  const upstreamLatency = new PlainHistogram({
    name: 'freeway_upstream_latency_seconds',
    help: 'Provider latency: phase first_token (time to first content) or total',
    labelNames: ['provider', 'model', 'outcome', 'phase'] as const,
    buckets: latencyBuckets,
    registers,
  });
  const tokens = new PlainCounter({
    name: 'freeway_tokens_total',
    help: 'Tokens reported by providers',
    labelNames: ['provider', 'model', 'kind'] as const,
    registers,
  });
  const quotaRemaining = new Gauge({
    name: 'freeway_quota_remaining',
    help: 'What a quota bucket has left in a window',
    labelNames: ['bucket', 'unit', 'window'] as const,
    registers,
  });
  const quotaParked = new Gauge({
    name: 'freeway_quota_parked',
    help: 'Requests parked waiting for a bucket',
    labelNames: ['bucket'] as const,
    registers,
  });
  const queueDepth = new Gauge({
    name: 'freeway_queue_depth',
    help: 'Requests waiting for quota, by priority',
    labelNames: ['priority'] as const,
    registers,
  });
  const breaker = new Gauge({
    name: 'freeway_breaker_state',
    help: 'Circuit breaker per deployment: 0 closed, 1 half-open, 2 open',
    labelNames: ['deployment'] as const,
    registers,
  });
  const cacheEvents = new Counter({
    name: 'freeway_cache_events_total',
    help: 'Cache events by tier',
    labelNames: ['tier', 'event'] as const,
    registers,
  });
  const retries = new Counter({
    name: 'freeway_retries_total',
    help: 'Upstream retries and failovers, by reason',
    labelNames: ['provider', 'reason'] as const,
    registers,
  });
  const storeFallbacks = new Counter({
    name: 'freeway_store_fallback_total',
    help: 'Times a shared store failed and local state answered',
    labelNames: ['store'] as const,
    registers,
  });

  const seconds = (ms: number) => Math.max(0, ms) / 1000;

  // The per-request series, memoised (series-memo.ts): admitting and spreading labels on every
  // request cost more than the prom-client updates themselves.
  const requestSeries = seriesMemo(({ route = '', model = '', outcome = '' }) => {
    const count = labels.admit('requests', { route, model, outcome });
    const duration = labels.admit('request_duration', { route, outcome });
    return { value: { count: requests.series(count), duration: requestDuration.series(duration) }, admitted: [count, duration] };
  });
  const upstreamSeries = seriesMemo(({ provider = '', model = '', outcome = '' }) => {
    const calls = labels.admit('upstream', { provider, model, outcome });
    const value = {
      calls: upstreamCalls.series(calls),
      total: upstreamLatency.series({ ...calls, phase: 'total' }),
      firstToken: upstreamLatency.series({ ...calls, phase: 'first_token' }),
    };
    return { value, admitted: [calls] };
  });
  const tokenSeries = seriesMemo(({ provider = '', model = '' }) => {
    const admitted = labels.admit('upstream', { provider, model });
    const value = { prompt: tokens.series({ ...admitted, kind: 'prompt' }), completion: tokens.series({ ...admitted, kind: 'completion' }) };
    return { value, admitted: [admitted] };
  });

  return {
    registry,
    contentType: registry.contentType,
    requestCompleted({ route, model, outcome, durationMs }) {
      const series = requestSeries({ route, model, outcome });
      series.count.value += 1;
      requestDuration.observe(series.duration, seconds(durationMs));
    },
    upstreamCall({ provider, model, outcome, totalMs, firstTokenMs }) {
      const series = upstreamSeries({ provider, model, outcome });
      series.calls.value += 1;
      upstreamLatency.observe(series.total, seconds(totalMs));
      if (firstTokenMs !== undefined) upstreamLatency.observe(series.firstToken, seconds(firstTokenMs));
    },
    tokensUsed({ provider, model, promptTokens, completionTokens }) {
      const series = tokenSeries({ provider, model });
      // Finite and positive only, as prom-client's inc insists.
      if (promptTokens !== undefined && promptTokens > 0 && Number.isFinite(promptTokens)) series.prompt.value += promptTokens;
      if (completionTokens !== undefined && completionTokens > 0 && Number.isFinite(completionTokens)) series.completion.value += completionTokens;
    },
    quotaRemaining({ bucket, unit, window, remaining }) {
      quotaRemaining.set(labels.admit('quota', { bucket, unit, window }), remaining);
    },
    quotaParked({ bucket, parked }) {
      quotaParked.set(labels.admit('quota', { bucket }), parked);
    },
    queueDepth({ priority, depth }) {
      queueDepth.set({ priority }, depth);
    },
    breakerState({ deployment, state }) {
      breaker.set(labels.admit('breaker', { deployment }), breakerValue[state]);
    },
    cacheEvent({ tier, event }) {
      cacheEvents.inc({ tier, event });
    },
    retry({ provider, reason }) {
      retries.inc(labels.admit('retries', { provider, reason }));
    },
    storeFallback({ store }) {
      storeFallbacks.inc(labels.admit('store', { store }));
    },
    render: () => registry.metrics(),
  };
}
