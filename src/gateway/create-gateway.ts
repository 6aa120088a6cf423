/**
 * `createGateway(config, deps)`: assembles the pipeline's parts from config and injected dependencies
 * (each step gets only the parts it uses) and exposes the pipeline's entry points. Every side effect (clock, Redis, dispatcher, random)
 * comes in through `deps`, so tests drive the whole gateway with real HTTP and fake time.
 */
import { Redis } from 'ioredis';
import type { Dispatcher } from 'undici';
import { createStreamFanout } from '../cache/index.js';
import type { FreewayConfig } from '../config/index.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Deployment } from '../core/deployment.js';
import { AdaptiveTimeouts, classifyFailure, createBreakerRegistry, createDisabledKeys, fullJitterDelay, RetryBudget } from '../resilience/index.js';
import { createLatencyPredictor, createRouter } from '../routing/index.js';
import { createMetrics } from '../telemetry/index.js';
import { createTracing, otlpEndpointFrom, type Tracing } from '../telemetry/tracing.js';
import { createUpstreamClient } from '../upstream/index.js';
import { createCaching } from './cache-setup.js';
import { startCacheWarmUp } from './cache-warmup.js';
import { handleChat } from './chat.js';
import { buildDeployments } from './deployments.js';
import { handleEmbeddings } from './embeddings.js';
import { createCallLeases } from './call-lease.js';
import { createDispatch } from './dispatch.js';
import type { ChatDeps } from './endpoint-deps.js';
import { describeState } from './state.js';
import { createGatewayTelemetry } from './telemetry.js';
import { createQuotaView } from './quota-view.js';
import { awaitRedisReady, createQuotaServices } from './quota-services.js';
import { explainRoute } from './explain-route.js';
import { DEFAULT_PREDICTOR_PATH, persistPredictor } from './predictor-persistence.js';
import { createShaping, shapingMemory, shapingPath, withLongEmbeddings, withLongInput } from '../shaping/index.js';
import type { Gateway } from './types.js';

export interface GatewayDeps {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  random?: () => number;
  dispatcher?: Dispatcher;
  /** A Redis connection to use instead of opening `state.redis`. */
  redis?: Redis;
  log?: (line: string) => void;
  /** How much later than its reservation a call may reach a provider, in clock ms; default 250. */
  quotaDeliveryGuardMs?: number;
  /** Traces (tests inject one with an in-memory exporter); from config.telemetry by default, off when no endpoint. */
  tracing?: Tracing;
}

export async function createGateway(config: FreewayConfig, deps: GatewayDeps = {}): Promise<Gateway> {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const log = deps.log ?? (() => {});
  const deployments = buildDeployments(config, deps.env ?? process.env);
  const redis = deps.redis ?? (config.state.redis ? new Redis(config.state.redis, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false }) : undefined);
  redis?.on('error', () => {}); // outages are handled by the stores' fallbacks; ioredis reconnects by itself.
  const ownsRedis = !deps.redis && redis !== undefined;
  await awaitRedisReady(redis);

  const tracing = deps.tracing ?? createTracing({ endpoint: otlpEndpointFrom(config.telemetry.otlp.endpoint, deps.env ?? process.env), headers: config.telemetry.otlp.headers });
  const metrics = createMetrics();
  const telemetry = createGatewayTelemetry(metrics, () => clock.now());
  const { store: quotaStore, ledger, queue, concurrencyFor } = createQuotaServices({ deployments, redis, clock, log, deliveryGuardMs: deps.quotaDeliveryGuardMs, interactiveReserve: config.quota.interactiveReserve, onStoreFallback: () => telemetry.storeFallback('redis'), registry: metrics.registry });
  const quotaView = createQuotaView(ledger, clock);

  const breakers = createBreakerRegistry({ clock, failureThreshold: config.resilience.breaker.failureThreshold, halfOpenAfterMs: config.resilience.breaker.halfOpenAfterMs });
  const retryBudget = new RetryBudget({ clock, ratio: config.resilience.retryBudgetRatio });
  const timeouts = new AdaptiveTimeouts({ minMs: config.resilience.firstTokenTimeoutMs.min, maxMs: config.resilience.firstTokenTimeoutMs.max });
  const predictor = createLatencyPredictor({ clock });
  const persistence = await persistPredictor(predictor, config.routing.predictorPath, { clock, log });
  const shaping = createShaping(config.shaping, clock);
  const shapingPersistence = await persistPredictor(shapingMemory(shaping.profiles, shaping.lengths), shapingPath(config.shaping.statePath, config.routing.predictorPath, DEFAULT_PREDICTOR_PATH), { clock, log });
  shaping.onLearned = () => shapingPersistence.touch();
  const disabledKeys = createDisabledKeys({ log });
  const isAvailable = (d: Deployment) => !disabledKeys.isDisabled(d) && !breakers.isOpen(d.id);
  const timeoutsFor = (d: Deployment) => ({ firstByteTimeoutMs: timeouts.firstTokenTimeoutMs(d.id), idleTimeoutMs: config.resilience.idleTimeoutMs, totalTimeoutMs: config.resilience.totalTimeoutMs });

  const router = createRouter({
    deployments,
    rules: config.routing,
    predictor,
    health: { isAvailable, headroom: (d) => quotaView.headroom(d) },
    tokenMargin: config.quota.tokenMargin,
  });
  for (const warning of router.warnings) log(`warning: routing: ${warning}`);

  const openLease = createCallLeases({
    clock,
    ledger,
    queue,
    breakers,
    disabledKeys,
    classify: (failure, d) => classifyFailure(failure, { deploymentId: d.id, secrets: [d.apiKey], now: clock.now() }),
    observeLatency: (d, observation) => {
      predictor.observe(d.id, observation);
      if (observation.taskKind !== undefined) shaping.observeOutput(d, observation.taskKind, observation.outputTokens);
      persistence.touch();
      timeouts.observe(d.id, observation.ttftMs);
    },
    observeTimeout: (d, waitedMs) => timeouts.observeTimeout(d.id, waitedMs),
    telemetry,
  });
  const dispatch = createDispatch({
    clock,
    queue,
    admission: { clock, ledger, breakers, concurrencyFor, isAvailable, headroom: (d) => quotaView.headroom(d), openLease },
    retryBudget,
    backoff: (attempt, retryAfterMs) => fullJitterDelay(attempt, { baseMs: 250, capMs: 8000, random, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }),
    hedgeDelayMs: (d) => (config.resilience.hedging.enabled ? timeouts.percentileMs(d.id, 0.95) : undefined),
    retried: (d, reason) => telemetry.retried(d, reason),
    maxAttempts: config.resilience.maxAttempts,
  });

  const { cache, caching } = createCaching(config.cache, { redis, clock, random, metrics, record: (tier, event) => telemetry.cacheEvent(tier, event), log });
  const upstream = tracing.traceUpstream(createUpstreamClient({ ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}), clock }));
  const endpoints: ChatDeps = {
    clock,
    router,
    upstream,
    timeoutsFor,
    dispatch,
    caching,
    cacheConfig: config.cache,
    tokenMargin: config.quota.tokenMargin,
    streamFanout: createStreamFanout(),
    shaping,
  };
  const longInput = { router, tokenMargin: config.quota.tokenMargin };
  const chat: Gateway['chat'] = (body, context) => withLongInput(longInput, body, context, (b, c) => handleChat(endpoints, b, c));
  const embeddings: Gateway['embeddings'] = (body, context) => withLongEmbeddings(longInput, body, context, (b, c) => handleEmbeddings(endpoints, b, c));

  startCacheWarmUp({ chat, embeddings, background: (label, work) => caching.background(label, work) }, config.cache.warmup, { maxWaitMs: config.quota.defaultMaxWaitMs, log });

  return {
    chat: (body, context) => tracing.traceRequest('chat', body, context.requestId, () => telemetry.timeRequest('/v1/chat/completions', body, () => chat(body, context)), (r) => r.meta),
    embeddings: (body, context) =>
      tracing.traceRequest('embeddings', body, context.requestId, () => telemetry.timeRequest('/v1/embeddings', body, () => embeddings(body, context)), (r) => r.meta),
    listModels: () => ({ object: 'list', data: router.listModels().map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: m.owned_by })) }),
    explainRoute: (body) => explainRoute(router, body),
    state: async () => ({ ...(await describeState({ clock, deployments, ledger, queue, breakers, disabledKeys, predictor, concurrencyFor, timeoutsFor })), shaping: shaping.describe(deployments) }),
    renderMetrics: async () => {
      await telemetry.refreshGauges({ ledger, queue, breakers, deployments });
      return { contentType: metrics.contentType, text: await metrics.render() };
    },
    close: async () => {
      await caching.close();
      await upstream.close();
      await persistence.close();
      await shapingPersistence.close();
      await cache.close();
      await quotaStore.close(); // its pub/sub connection for returned capacity, even on a shared Redis
      if (ownsRedis) redis?.disconnect();
      await tracing.shutdown();
    },
  };
}
