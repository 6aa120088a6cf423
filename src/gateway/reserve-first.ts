/**
 * One pass of admission, without waiting: reserve quota on the first candidate that is healthy,
 * has a concurrency slot and (when its breaker is half-open) wins the probe lease, and hand back a
 * call lease that owns the reservation from then on. Dispatch runs it inside the priority queue; a
 * hedge runs it once, since a hedge that must wait is not worth sending. It never calls a provider
 * and never waits for quota.
 */
import type { Clock } from '../core/clock.js';
import type { Deployment } from '../core/deployment.js';
import type { ConcurrencyLimiter, QuotaLedger } from '../quota/index.js';
import type { BreakerRegistry } from '../resilience/index.js';
import { createRefusals, type Refused } from './admission-refusals.js';
import { bucketsFor } from './buckets.js';
import type { CallLease, OpenLease } from './call-lease.js';

export interface AdmissionDeps {
  clock: Clock;
  ledger: QuotaLedger;
  breakers: BreakerRegistry;
  /** The adaptive concurrency limiter of a deployment whose provider publishes no limits. */
  concurrencyFor(deployment: Deployment): ConcurrencyLimiter | undefined;
  /** Breaker not open and key not disabled. */
  isAvailable(deployment: Deployment): boolean;
  /** 0..1 room left in the deployment's tightest limit (the router's quota view); absent: no preference. */
  headroom?(deployment: Deployment): number;
  openLease: OpenLease;
}

/**
 * At or above this headroom a deployment's limits are (nearly) full: every moment it goes unused,
 * its refill is thrown away. `low` priority tries those first.
 */
export const WASTING_HEADROOM = 0.9;

/**
 * The order a request tries its candidates in. Interactive requests keep the router's order (best
 * fit first). A `low` request (a batch line) cares for throughput more than for the best fit, and
 * the pool only reaches its capacity if no limit sits full while lines go elsewhere: so it tries
 * the candidates whose limits are nearly full first (router order among them), then the rest in
 * router order. Once every limit is being drawn down this is the router's order again.
 */
export function admissionOrder(deps: Pick<AdmissionDeps, 'headroom'>, eligible: readonly Deployment[], priority: AdmissionRequest['priority']): readonly Deployment[] {
  const { headroom } = deps;
  if (priority !== 'low' || !headroom || eligible.length < 2) return eligible;
  const wasting: Deployment[] = [];
  const rest: Deployment[] = [];
  for (const deployment of eligible) (headroom(deployment) >= WASTING_HEADROOM ? wasting : rest).push(deployment);
  return wasting.length === 0 || rest.length === 0 ? eligible : [...wasting, ...rest];
}

export interface AdmissionRequest {
  /** Tokens to reserve on a deployment (prompt estimate × margin + the output it may write there). */
  tokensFor: (deployment: Deployment) => number;
  /** Of those, the output a deployment's provider counts only once written: held, charged at settle. */
  deferredTokensFor?: (deployment: Deployment) => number;
  /** The prompt estimate, for the latency predictor when usage does not say. */
  promptTokens: number;
  /** Low priority leaves the interactive reserve of every limit free. */
  priority?: 'high' | 'normal' | 'low';
  /** The kind of task, passed to the lease for the output-length model. */
  taskKind?: string;
}

export type Reserved = { ok: true; value: CallLease } | Refused;

/** `claimant`: one waiting request across its passes, the ledger's claim (ReserveRequest.claimant); none for a hedge. */
export async function reserveFirst(deps: AdmissionDeps, eligible: readonly Deployment[], request: AdmissionRequest, claimant?: object): Promise<Reserved> {
  const { ledger, breakers } = deps;
  const refusals = createRefusals(deps.clock);
  for (const deployment of admissionOrder(deps, eligible, request.priority)) {
    if (!deps.isAvailable(deployment)) {
      refusals.unavailable();
      continue;
    }
    const concurrency = deps.concurrencyFor(deployment);
    if (concurrency && !concurrency.tryAcquire()) {
      refusals.concurrency();
      continue;
    }
    // A half-open breaker lets one probe through: take the probe lease before spending quota on it.
    if (!breakers.tryAcquire(deployment.id)) {
      concurrency?.release('ignore');
      refusals.unavailable();
      continue;
    }
    const tokens = request.tokensFor(deployment);
    const deferredTokens = request.deferredTokensFor?.(deployment) ?? 0;
    const result = await ledger.tryReserve({
      buckets: bucketsFor(deployment),
      tokens,
      ...(deferredTokens > 0 ? { deferredTokens } : {}),
      ...(claimant ? { claimant } : {}),
      ...(request.priority ? { priority: request.priority } : {}),
    });
    if (result.ok) {
      return { ok: true, value: deps.openLease({ deployment, reservation: result.reservation, concurrency, promptTokens: request.promptTokens, ...(request.taskKind !== undefined ? { taskKind: request.taskKind } : {}) }) };
    }
    concurrency?.release('ignore');
    breakers.recordAbandoned(deployment.id);
    refusals.ledger(deployment, result, tokens);
  }
  return refusals.verdict();
}
