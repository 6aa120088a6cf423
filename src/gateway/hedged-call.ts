/**
 * Hedging inside one dispatch attempt (config `resilience.hedging.enabled`, off by default): when
 * the primary has not produced its first content by its deployment's p95 time to first token, one
 * hedge goes to a candidate of a different provider that has quota right now, paid from that
 * provider's retry budget. The first side to produce content wins; the other is cancelled, its
 * breaker probe freed and its reservation refunded. It owns the bookkeeping of both sides except
 * a primary that fails the whole race, which the caller records like any failed attempt. Without
 * hedging, or without a p95 yet, it is a plain call.
 */
import type { Deployment } from '../core/deployment.js';
import { hedge, type HedgeSide } from '../resilience/index.js';
import { recordFailure } from './record-failure.js';
import { reserveFirst, type Admitted } from './reserve-first.js';
import type { GatewayServices } from './services.js';

export interface HedgeRequest {
  tokensFor: (deployment: Deployment) => number;
  /** The client's signal. */
  signal: AbortSignal;
}

export interface CallOutcome<T> {
  value: T;
  /** The side that answered: the primary, or the hedge's own admission. */
  admitted: Admitted;
}

/** Thrown by a hedge that never went (no quota, no budget): not a provider's failure. */
class HedgeNotSent extends Error {}

/**
 * Calls `call` on `primary`, hedged when configured. `onAttempt` runs for the hedge's upstream
 * call, so x-freeway-attempts counts it whatever the race's outcome.
 */
export async function callMaybeHedged<T>(
  services: GatewayServices,
  request: HedgeRequest,
  primary: Admitted,
  eligible: readonly Deployment[],
  call: (admitted: Admitted, signal: AbortSignal) => Promise<T>,
  onAttempt: () => void,
): Promise<CallOutcome<T>> {
  const { resilience, clock } = services;
  const delayMs = resilience.hedgeDelayMs(primary.deployment);
  const others = eligible.filter((d) => d.providerId !== primary.deployment.providerId);
  if (delayMs === undefined || others.length === 0) return { value: await call(primary, request.signal), admitted: primary };

  const sides = new Map<HedgeSide, { admitted: Admitted; value: Promise<T> }>();
  let primaryFailure: { error: unknown; elapsedMs: number } | undefined;
  const refund = (admitted: Admitted) => {
    resilience.breakers.recordAbandoned(admitted.deployment.id);
    void admitted.settle({ requestCharged: false, tokens: 0, concurrency: 'ignore' }).catch(() => undefined);
  };

  const runPrimary = (signal: AbortSignal) => {
    const started = clock.now();
    const value = call(primary, signal);
    sides.set('primary', { admitted: primary, value });
    return value.catch((error: unknown) => {
      if (!signal.aborted) primaryFailure = { error, elapsedMs: clock.now() - started };
      throw error;
    });
  };

  const runHedge = async (signal: AbortSignal) => {
    const reserved = await reserveFirst(services, others, request.tokensFor);
    if (!reserved.ok) throw new HedgeNotSent('no other provider has quota for a hedge');
    const admitted = reserved.value;
    if (signal.aborted || !resilience.retryBudget.tryRetry(admitted.deployment.providerId)) {
      refund(admitted);
      throw new HedgeNotSent('the hedge is not within the retry budget');
    }
    onAttempt();
    services.telemetry.retried(admitted.deployment, 'hedge');
    const started = clock.now();
    const value = call(admitted, signal);
    sides.set('secondary', { admitted, value });
    try {
      return await value;
    } catch (error) {
      if (signal.aborted) refund(admitted);
      else await recordFailure(services, admitted, error, clock.now() - started);
      throw error;
    }
  };

  const outcome = await hedge(runPrimary, runHedge, {
    delayMs,
    clock,
    signal: request.signal,
    onLoser: (loser) => {
      const side = sides.get(loser);
      if (side) refund(side.admitted);
    },
  });

  const winner = sides.get(outcome.winner);
  if (!winner) throw new Error('hedge: the winning side was never started');
  // A loser that still produced an answer (it raced the abort) must not keep a stream open.
  for (const [name, side] of sides) if (name !== outcome.winner) side.value.then(dispose, () => undefined);
  if (outcome.winner === 'secondary' && primaryFailure) {
    await recordFailure(services, primary, primaryFailure.error, primaryFailure.elapsedMs);
  }
  return { value: outcome.value, admitted: winner.admitted };
}

function dispose(value: unknown): void {
  const cancel = (value as { cancel?: unknown } | null)?.cancel;
  if (typeof cancel === 'function') (cancel as () => void).call(value);
}
