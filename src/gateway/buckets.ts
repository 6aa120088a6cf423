/**
 * Which ledger buckets a deployment draws on: the scope its key counts against (shared by the
 * provider's models) and that scope narrowed to the one model.
 */
import type { Deployment } from '../core/deployment.js';
import type { BucketSpec } from '../quota/index.js';

const cache = new WeakMap<Deployment, BucketSpec[]>();

export function bucketsFor(deployment: Deployment): BucketSpec[] {
  let buckets = cache.get(deployment);
  if (!buckets) {
    buckets = [
      { key: deployment.scopeKey, limits: deployment.scopeLimits },
      { key: deployment.modelScopeKey, limits: deployment.modelLimits },
    ];
    cache.set(deployment, buckets);
  }
  return buckets;
}
