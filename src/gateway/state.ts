/**
 * GET /v1/freeway/state: every provider and deployment with its limits, what is left now, the
 * next reset, parking, breaker state and recent latency; the queue by priority. No key ever appears.
 */
import type { Deployment } from '../core/deployment.js';
import { describeLimit } from '../core/limits.js';
import type { BucketState } from '../quota/index.js';
import type { BreakerSnapshot } from '../resilience/index.js';
import { describeQuota } from './quota-state.js';
import type { GatewayServices } from './services.js';
import type { JsonBody } from './types.js';

/** A key's identity for state and disabling: its provider and its non-secret label. */
export const keyIdOf = (deployment: Deployment): string => `${deployment.providerId}:${deployment.keyLabel}`;

export async function describeState(services: GatewayServices, extra: { disabledKeys: ReadonlyMap<string, string> }): Promise<JsonBody> {
  const snapshot = await services.quota.ledger.snapshot();
  const buckets = new Map(snapshot.buckets.map((b) => [b.key, b]));
  const now = services.clock.now();
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

  const breakerShots = new Map(services.resilience.breakers.snapshot().map((b) => [b.id, b]));
  const deployments = services.deployments.map((d) => {
    const scope = buckets.get(d.scopeKey);
    const model = buckets.get(d.modelScopeKey);
    const parked = [scope, model].find((b) => b?.parkedUntil !== undefined && b.parkedUntil > now);
    const prediction = services.predictor.predict(d.id, { promptTokens: 100, maxTokens: 100 });
    const concurrency = services.quota.concurrencyFor(d)?.snapshot();
    return {
      id: d.id,
      provider: d.providerId,
      model: d.model.id,
      upstreamModel: d.model.upstreamId,
      key: d.keyLabel,
      dialect: d.dialect,
      breaker: services.resilience.breakers.state(d.id),
      lastFailure: describeFailure(breakerShots.get(d.id)?.lastFailure),
      firstTokenTimeoutMs: services.timeoutsFor(d).firstByteTimeoutMs ?? null,
      keyDisabled: extra.disabledKeys.get(keyIdOf(d)) ?? null,
      parked: parked ? { until: new Date(parked.parkedUntil!).toISOString(), reason: parked.parkReason ?? null } : null,
      limits: [...limitsOf(scope, 'key'), ...limitsOf(model, 'model')],
      ...(concurrency ? { concurrency } : {}),
      latency: prediction ? { ttftMs: Math.round(prediction.ttftMs), tokensPerSecond: Math.round(prediction.tokensPerSecond), samples: prediction.samples } : null,
    };
  });

  const providers = [...new Set(services.deployments.map((d) => d.providerId))].map((id) => ({
    id,
    deployments: deployments.filter((d) => d.provider === id).length,
    dialect: services.deployments.find((d) => d.providerId === id)?.dialect,
  }));
  return { at: new Date(now).toISOString(), store: snapshot.store, queue: services.quota.queue.depth(), quota: describeQuota(snapshot), providers, deployments };
}

function describeFailure(failure: BreakerSnapshot['lastFailure']): { code: string; at: string } | null {
  return failure ? { code: failure.code, at: new Date(failure.at).toISOString() } : null;
}
