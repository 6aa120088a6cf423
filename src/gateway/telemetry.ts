/**
 * The gateway's side of telemetry: turns pipeline events into metric updates, and refreshes the
 * gauges (quota, queue, breakers) from live state when /metrics is scraped rather than on every request.
 */
import type { Deployment } from '../core/deployment.js';
import { describeLimit, type Limit } from '../core/limits.js';
import { isFreewayError, type FreewayError } from '../core/errors.js';
import type { CacheEvent, Metrics } from '../telemetry/index.js';
import type { AdmissionQueue, QuotaLedger } from '../quota/index.js';
import type { BreakerRegistry } from '../resilience/index.js';
import type { CallObservation } from './call-lease.js';
import type { GatewayResult } from './types.js';

export interface GatewayTelemetry {
  timeRequest(route: string, body: unknown, run: () => Promise<GatewayResult>): Promise<GatewayResult>;
  upstreamSucceeded(deployment: Deployment, observation: CallObservation): void;
  upstreamFailed(deployment: Deployment, error: FreewayError, elapsedMs: number): void;
  retried(deployment: Deployment, reason: string): void;
  cacheEvent(tier: 'memory' | 'disk' | 'redis', event: CacheEvent): void;
  storeFallback(store: string): void;
  refreshGauges(sources: GaugeSources): Promise<void>;
}

/** What the gauges are read from at scrape time. */
export interface GaugeSources {
  ledger: QuotaLedger;
  queue: AdmissionQueue;
  breakers: BreakerRegistry;
  deployments: readonly Deployment[];
}

/** 'minute', 'day', '90000ms': the window part of a limit's label. */
const windowLabel = (limit: Limit): string => describeLimit(limit).split('/')[1] ?? `${limit.windowMs}ms`;

const requestedModel = (body: unknown): string => {
  const model = (body as { model?: unknown } | null)?.model;
  return typeof model === 'string' ? model : 'invalid';
};

export function createGatewayTelemetry(metrics: Metrics, now: () => number): GatewayTelemetry {
  return {
    async timeRequest(route, body, run) {
      const started = now();
      const model = requestedModel(body);
      try {
        const result = await run();
        metrics.requestCompleted({ route, model, outcome: result.meta.cache === 'hit' ? 'cache_hit' : 'ok', durationMs: now() - started });
        return result;
      } catch (error) {
        const outcome = isFreewayError(error) ? error.code : 'internal_error';
        metrics.requestCompleted({ route, model, outcome, durationMs: now() - started });
        throw error;
      }
    },
    upstreamSucceeded(deployment, observation) {
      // Plain literals, no spreads: this runs once per request (see series-memo.ts).
      const provider = deployment.providerId;
      const model = deployment.model.id;
      metrics.upstreamCall({ provider, model, outcome: 'ok', totalMs: observation.totalMs, firstTokenMs: observation.ttftMs });
      metrics.tokensUsed({ provider, model, promptTokens: observation.promptTokens, completionTokens: observation.outputTokens });
    },
    upstreamFailed(deployment, error, elapsedMs) {
      metrics.upstreamCall({ provider: deployment.providerId, model: deployment.model.id, outcome: error.code, totalMs: elapsedMs });
    },
    retried(deployment, reason) {
      metrics.retry({ provider: deployment.providerId, reason });
    },
    cacheEvent(tier, event) {
      metrics.cacheEvent({ tier: tier === 'disk' ? 'sqlite' : tier, event });
    },
    storeFallback(store) {
      metrics.storeFallback({ store });
    },
    async refreshGauges(sources) {
      const snapshot = await sources.ledger.snapshot();
      for (const bucket of snapshot.buckets) {
        for (const limit of bucket.limits) {
          metrics.quotaRemaining({ bucket: bucket.key, unit: limit.unit, window: windowLabel(limit), remaining: limit.remaining });
        }
        metrics.quotaParked({ bucket: bucket.key, parked: bucket.parkedUntil ? 1 : 0 });
      }
      for (const [priority, depth] of Object.entries(sources.queue.depth())) {
        metrics.queueDepth({ priority: priority as 'high' | 'normal' | 'low', depth });
      }
      for (const deployment of sources.deployments) {
        metrics.breakerState({ deployment: deployment.id, state: sources.breakers.state(deployment.id) });
      }
    },
  };
}
