/**
 * `createGateway(config, deps)`: assembles the services from config and injected dependencies
 * and exposes the pipeline's entry points. Every side effect (clock, Redis, dispatcher, random)
 * comes in through `deps`, so tests drive the whole gateway with real HTTP and fake time.
 */
import { Redis } from 'ioredis';
import type { Dispatcher } from 'undici';
import { createStreamFanout } from '../cache/index.js';
import type { FreewayConfig } from '../config/index.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Deployment } from '../core/deployment.js';
import { AdaptiveTimeouts, classifyFailure, createBreakerRegistry, fullJitterDelay, RetryBudget } from '../resilience/index.js';
import { createLatencyPredictor, createRouter } from '../routing/index.js';
import { createMetrics } from '../telemetry/index.js';
import { createUpstreamClient } from '../upstream/index.js';
import { createCaching } from './cache-setup.js';
import { startCacheWarmUp } from './cache-warmup.js';
import { handleChat } from './chat.js';
import { buildDeployments } from './deployments.js';
import { handleEmbeddings } from './embeddings.js';
import type { GatewayServices } from './services.js';
import { describeState } from './state.js';
import { createGatewayTelemetry } from './telemetry.js';
import { createQuotaView } from './quota-view.js';
import { awaitRedisReady, createQuotaServices } from './quota-services.js';
import { explainRoute } from './explain-route.js';
import { DEFAULT_PREDICTOR_PATH, persistPredictor } from './predictor-persistence.js';
import { createShaping, shapingMemory, shapingPath, withLongEmbeddings, withLongInput } from '../shaping/index.js';
import type { Gateway } from './types.js';
import { keyIdOf } from './state.js';

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

  const metrics = createMetrics();
  const telemetry = createGatewayTelemetry(metrics, () => clock.now());
  const { ledger, queue, concurrencyFor } = createQuotaServices({ deployments, redis, clock, log, deliveryGuardMs: deps.quotaDeliveryGuardMs, onStoreFallback: () => telemetry.storeFallback('redis'), registry: metrics.registry });
  const quotaView = createQuotaView(ledger, clock);

  const breakers = createBreakerRegistry({ clock, failureThreshold: config.resilience.breaker.failureThreshold, halfOpenAfterMs: config.resilience.breaker.halfOpenAfterMs });
  const retryBudget = new RetryBudget({ clock, ratio: config.resilience.retryBudgetRatio });
  const timeouts = new AdaptiveTimeouts({ minMs: config.resilience.firstTokenTimeoutMs.min, maxMs: config.resilience.firstTokenTimeoutMs.max });
  const predictor = createLatencyPredictor({ clock });
  const persistence = await persistPredictor(predictor, config.routing.predictorPath, { clock, log });
  const shaping = createShaping(config.shaping, clock);
  const shapingPersistence = await persistPredictor(shapingMemory(shaping.profiles, shaping.lengths), shapingPath(config.shaping.statePath, config.routing.predictorPath, DEFAULT_PREDICTOR_PATH), { clock, log });
  shaping.onLearned = () => shapingPersistence.touch();
  // Keyed by provider and key, not scope: one bad key in an organisation leaves its other keys serving.
  const disabledKeys = new Map<string, string>();
  const isAvailable = (d: Deployment) => !disabledKeys.has(keyIdOf(d)) && !breakers.isOpen(d.id);

  const router = createRouter({
    deployments,
    rules: config.routing,
    predictor,
    health: { isAvailable, headroom: (d) => quotaView.headroom(d) },
  });
  for (const warning of router.warnings) log(`warning: routing: ${warning}`);

  const { cache, caching } = createCaching(config.cache, { redis, clock, random, metrics, record: (tier, event) => telemetry.cacheEvent(tier, event), log });
  const services: GatewayServices = {
    clock,
    deployments,
    router,
    upstream: createUpstreamClient({ ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}), clock }),
    quota: { ledger, queue, concurrencyFor },
    resilience: {
      classify: (failure, d) => classifyFailure(failure, { deploymentId: d.id, secrets: [d.apiKey], now: clock.now() }),
      breakers,
      retryBudget,
      backoff: (attempt, retryAfterMs) => fullJitterDelay(attempt, { baseMs: 250, capMs: 8000, random, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }),
      hedgeDelayMs: (d) => (config.resilience.hedging.enabled ? timeouts.percentileMs(d.id, 0.95) : undefined),
    },
    predictor,
    cache,
    caching,
    streamFanout: createStreamFanout(),
    telemetry,
    shaping,
    settings: { maxAttempts: config.resilience.maxAttempts, tokenMargin: config.quota.tokenMargin, cache: config.cache },
    isAvailable,
    disableKey: (d, reason) => {
      if (disabledKeys.has(keyIdOf(d))) return;
      disabledKeys.set(keyIdOf(d), reason);
      log(`warning: ${d.providerId} ${d.keyLabel} rejected by the provider and taken out of service: ${reason}`);
    },
    timeoutsFor: (d) => ({ firstByteTimeoutMs: timeouts.firstTokenTimeoutMs(d.id), idleTimeoutMs: config.resilience.idleTimeoutMs, totalTimeoutMs: config.resilience.totalTimeoutMs }),
    observeCall: (d, observation) => {
      predictor.observe(d.id, observation);
      if (observation.taskKind !== undefined) shaping.observeOutput(d, observation.taskKind, observation.outputTokens);
      persistence.touch();
      timeouts.observe(d.id, observation.ttftMs);
      telemetry.upstreamSucceeded(d, observation);
    },
  };

  const longInput = { router, tokenMargin: config.quota.tokenMargin };
  startCacheWarmUp(services, config.cache.warmup, { maxWaitMs: config.quota.defaultMaxWaitMs, log });

  return {
    chat: (body, context) => telemetry.timeRequest('/v1/chat/completions', body, () => withLongInput(longInput, body, context, (b, c) => handleChat(services, b, c))),
    embeddings: (body, context) => telemetry.timeRequest('/v1/embeddings', body, () => withLongEmbeddings(longInput, body, context, (b, c) => handleEmbeddings(services, b, c))),
    listModels: () => ({ object: 'list', data: router.listModels().map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: m.owned_by })) }),
    explainRoute: (body) => explainRoute(router, body),
    state: async () => ({ ...(await describeState(services, { disabledKeys })), shaping: shaping.describe(deployments) }),
    renderMetrics: async () => {
      await telemetry.refreshGauges(services);
      return { contentType: metrics.contentType, text: await metrics.render() };
    },
    close: async () => {
      await caching.close();
      await services.upstream.close();
      await persistence.close();
      await shapingPersistence.close();
      await cache.close();
      if (ownsRedis) redis?.disconnect();
    },
  };
}
