/**
 * GET /v1/freeway/state: every provider and deployment with its limits, what is left now, the
 * next reset, parking, breaker state and recent latency; the queue by priority. No key ever appears.
 */
import type { Clock } from '../core/clock.js';
import type { Deployment } from '../core/deployment.js';
import { describeLimit } from '../core/limits.js';
import type { AdmissionQueue, BucketState, ConcurrencyLimiter, QuotaLedger } from '../quota/index.js';
import type { BreakerRegistry, BreakerSnapshot, DisabledKeys } from '../resilience/index.js';
import type { LatencyPredictor } from '../routing/index.js';
import type { CallOptions } from '../upstream/index.js';
import { describeQuota } from './quota-state.js';
import type { JsonBody } from './types.js';

/** Everything the state page reads; it changes none of it. */
export interface StateSources {
  clock: Clock;
  deployments: readonly Deployment[];
  ledger: QuotaLedger;
  queue: AdmissionQueue;
  breakers: BreakerRegistry;
  disabledKeys: DisabledKeys;
  predictor: LatencyPredictor;
  concurrencyFor(deployment: Deployment): ConcurrencyLimiter | undefined;
  timeoutsFor(deployment: Deployment): Omit<CallOptions, 'signal'>;
}

export async function describeState(sources: StateSources): Promise<JsonBody> {
  const snapshot = await sources.ledger.snapshot();
  const buckets = new Map(snapshot.buckets.map((b) => [b.key, b]));
  const now = sources.clock.now();
  const limitsOf = (bucket: BucketState | undefined, scope: 'key' | 'model') =>
    (bucket?.limits ?? []).map((l) => ({
      scope,
      label: describeLimit(l),
      unit: l.unit,
      limit: l.amount,
      remaining: Math.floor(l.remaining),
      resetAt: new Date(l.resetAt).toISOString(),
      learned: l.isLearned,
      ...(bucket?.parkedUntil && bucket.parkedUntil > now ? { parkedUntil: new Date(bucket.parkedUntil).toISOString() } : {}),
    }));

  const breakerShots = new Map(sources.breakers.snapshot().map((b) => [b.id, b]));
  const deployments = sources.deployments.map((d) => {
    const scope = buckets.get(d.scopeKey);
    const model = buckets.get(d.modelScopeKey);
    const parked = [scope, model].find((b) => b?.parkedUntil !== undefined && b.parkedUntil > now);
    const prediction = sources.predictor.predict(d.id, { promptTokens: 100, maxTokens: 100 });
    const concurrency = sources.concurrencyFor(d)?.snapshot();
    return {
      id: d.id,
      provider: d.providerId,
      model: d.model.id,
      upstreamModel: d.model.upstreamId,
      key: d.keyLabel,
      dialect: d.dialect,
      breaker: sources.breakers.state(d.id),
      lastFailure: describeFailure(breakerShots.get(d.id)?.lastFailure),
      firstTokenTimeoutMs: sources.timeoutsFor(d).firstByteTimeoutMs ?? null,
      keyDisabled: sources.disabledKeys.reasonFor(d) ?? null,
      parked: parked ? { until: new Date(parked.parkedUntil!).toISOString(), reason: parked.parkReason ?? null } : null,
      limits: [...limitsOf(scope, 'key'), ...limitsOf(model, 'model')],
      ...(concurrency ? { concurrency } : {}),
      latency: prediction ? { ttftMs: Math.round(prediction.ttftMs), tokensPerSecond: Math.round(prediction.tokensPerSecond), samples: prediction.samples } : null,
    };
  });

  const providers = [...new Set(sources.deployments.map((d) => d.providerId))].map((id) => ({
    id,
    deployments: deployments.filter((d) => d.provider === id).length,
    dialect: sources.deployments.find((d) => d.providerId === id)?.dialect,
  }));
  return { at: new Date(now).toISOString(), store: snapshot.store, queue: sources.queue.depth(), quota: describeQuota(snapshot), providers, deployments };
}

function describeFailure(failure: BreakerSnapshot['lastFailure']): { code: string; at: string } | null {
  return failure ? { code: failure.code, at: new Date(failure.at).toISOString() } : null;
}
