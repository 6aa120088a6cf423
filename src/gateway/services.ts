/**
 * Everything the pipeline steps share, assembled once per gateway: the deployments, the router,
 * the quota ledger and queue, resilience policies, the upstream client, the cache and telemetry.
 * Steps receive this bundle; none of them builds its own parts.
 */
import type { Clock } from '../core/clock.js';
import type { Deployment } from '../core/deployment.js';
import type { FreewayError } from '../core/errors.js';
import type { UpstreamFailure } from '../core/upstream-failure.js';
import type { CacheConfig, ResponseCache, StreamFanout } from '../cache/index.js';
import type { AdmissionQueue, ConcurrencyLimiter, QuotaLedger } from '../quota/index.js';
import type { BreakerRegistry, RetryBudget } from '../resilience/index.js';
import type { LatencyPredictor, Router } from '../routing/index.js';
import type { CallOptions, UpstreamClient } from '../upstream/index.js';
import type { Shaping } from '../shaping/index.js';
import type { CacheCoordinator } from './cache-coordinator.js';
import type { GatewayTelemetry } from './telemetry.js';
import type { JsonBody } from './types.js';

export interface CallObservation {
  promptTokens: number;
  outputTokens: number;
  ttftMs: number;
  totalMs: number;
  /** The request's task kind, so output lengths are learned per (model, kind). */
  taskKind?: string;
}

export interface GatewayServices {
  clock: Clock;
  deployments: Deployment[];
  router: Router;
  upstream: UpstreamClient;
  quota: {
    ledger: QuotaLedger;
    queue: AdmissionQueue;
    /** The adaptive concurrency limiter of a deployment whose provider publishes no limits. */
    concurrencyFor(deployment: Deployment): ConcurrencyLimiter | undefined;
  };
  resilience: {
    /** Classifies a failed call on `deployment`, scrubbing its key from any message. */
    classify(failure: UpstreamFailure, deployment: Deployment): FreewayError;
    breakers: BreakerRegistry;
    retryBudget: RetryBudget;
    /** Delay before retry number `attempt` on the same deployment, at least what the provider asked. */
    backoff(attempt: number, retryAfterMs: number | undefined): number;
    /** When to hedge a call on `deployment` (its p95 time to first token); undefined: do not hedge. */
    hedgeDelayMs(deployment: Deployment): number | undefined;
  };
  predictor: LatencyPredictor;
  cache: ResponseCache;
  /** Lookup, coalescing, storing and background refresh around the cache. */
  caching: CacheCoordinator;
  /** Shares a stream's batches of chunks (one array per upstream read) between identical requests. */
  streamFanout: StreamFanout<JsonBody[]>;
  telemetry: GatewayTelemetry;
  /** Parameter profiles, output budgets and sampling defaults (src/shaping). */
  shaping: Shaping;
  settings: {
    maxAttempts: number;
    tokenMargin: number;
    cache: CacheConfig;
  };
  /** Breaker closed (or probing) and key not disabled. */
  isAvailable(deployment: Deployment): boolean;
  /** Takes a key out of service after the provider rejected it (401/403). */
  disableKey(deployment: Deployment, reason: string): void;
  timeoutsFor(deployment: Deployment): Omit<CallOptions, 'signal'>;
  /** Feeds a finished call's latency to the predictor, timeouts and metrics. */
  observeCall(deployment: Deployment, observation: CallObservation): void;
}
