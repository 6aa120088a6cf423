/**
 * The quota part of GET /v1/freeway/state, scope by scope: every bucket's limits (configured or
 * learned), what is left, the next reset, and which buckets are parked, until when and why. Bucket
 * keys name a provider, a scope kind or key label and a model; never a key itself.
 */
import { describeLimit } from '../core/limits.js';
import type { QuotaSnapshot } from '../quota/index.js';
import type { JsonBody } from './types.js';

const iso = (epochMs: number): string => new Date(epochMs).toISOString();

export function describeQuota(snapshot: QuotaSnapshot): JsonBody {
  const now = snapshot.at;
  const scopes = snapshot.buckets.map((bucket) => ({
    scope: bucket.key,
    limits: bucket.limits.map((limit) => ({
      label: describeLimit(limit),
      unit: limit.unit,
      limit: limit.amount,
      windowMs: limit.windowMs,
      ...(limit.calendar ? { calendar: limit.calendar, timeZone: limit.timeZone ?? 'UTC' } : {}),
      remaining: limit.remaining,
      resetAt: iso(limit.resetAt),
      resetInMs: Math.max(0, limit.resetAt - now),
      learned: limit.isLearned,
    })),
    parked: bucket.parkedUntil !== undefined ? { until: iso(bucket.parkedUntil), reason: bucket.parkReason ?? null } : null,
  }));
  const parked = scopes.filter((s) => s.parked !== null).map((s) => ({ scope: s.scope, ...s.parked }));
  return { store: snapshot.store, scopes, parked };
}
