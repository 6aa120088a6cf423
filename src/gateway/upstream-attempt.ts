/**
 * One dispatch attempt: the single place an admitted call goes to a provider. It runs `call` on the
 * primary lease and, when hedging is on (config `resilience.hedging.enabled`) and the primary has not
 * produced its first content by its deployment's p95 time to first token, one hedge on a candidate
 * of another provider that has quota right now, paid from that provider's retry budget. The first
 * side to produce content wins; the other is cancelled and its lease abandoned with a refund.
 *
 * Every lease it starts is ended here, except the winner's, which it marks answered and hands back
 * for the caller to end once the answer is out (`succeed`, or `fail` if a stream breaks). It reports
 * what happened (answered, failed, client gone; how many upstream calls; whether a hedge went and
 * won) and never decides where a failed request goes next: dispatch does.
 */
import type { Clock } from '../core/clock.js';
import type { Deployment } from '../core/deployment.js';
import type { FreewayError } from '../core/errors.js';
import type { RateLimitSignal } from '../core/rate-limit-signal.js';
import { hedge, type RetryBudget } from '../resilience/index.js';
import type { CallLease } from './call-lease.js';
import type { AdmissionRequest, Reserved } from './reserve-first.js';

/** What every upstream answer carries: its rate-limit signal, and for streams a way to stop it. */
export interface UpstreamAnswer {
  signal: RateLimitSignal;
  cancel?: () => void;
}

/** Calls the provider behind `lease`; resolves only once the answer is safe to start sending. */
export type UpstreamCall<T extends UpstreamAnswer> = (lease: CallLease, signal: AbortSignal) => Promise<T>;

export type AttemptOutcome<T> =
  | {
      kind: 'answered';
      value: T;
      /** The side that answered, marked answered and still open: the caller ends it. */
      lease: CallLease;
      /** Upstream calls made: 2 when a hedge went, whatever the race's outcome. */
      attempts: number;
      hedge: 'none' | 'won' | 'lost';
    }
  /** The primary failed (its lease already ended with `fail`). */
  | { kind: 'failed'; failure: FreewayError; deployment: Deployment; attempts: number }
  /** The client left; every lease was abandoned. */
  | { kind: 'client_gone'; attempts: number };

export interface AttemptDeps {
  /** When to hedge a call on `deployment` (its p95 time to first token); undefined: do not hedge. */
  hedgeDelayMs(deployment: Deployment): number | undefined;
  retryBudget: RetryBudget;
  /** One admission pass without waiting, for the hedge. */
  reserve(eligible: readonly Deployment[], request: AdmissionRequest): Promise<Reserved>;
  /** Counts a retry (here: a hedge) in metrics. */
  retried(deployment: Deployment, reason: string): void;
  clock: Clock;
}

export interface AttemptRequest extends AdmissionRequest {
  /** The client's signal. */
  signal: AbortSignal;
}

/** This attempt's own parts, apart from the request so that no per-attempt copy of it is made. */
export interface Attempt<T extends UpstreamAnswer> {
  primary: CallLease;
  /** The candidates admission chose from: a hedge goes to one of another provider. */
  eligible: readonly Deployment[];
  call: UpstreamCall<T>;
}

/** Thrown by a hedge that never went (no quota, no budget): not a provider's failure. */
class HedgeNotSent extends Error {}

export async function runAttempt<T extends UpstreamAnswer>(deps: AttemptDeps, request: AttemptRequest, attempt: Attempt<T>): Promise<AttemptOutcome<T>> {
  const { primary } = attempt;
  const { signal } = request;
  const delayMs = deps.hedgeDelayMs(primary.deployment);
  const others = delayMs === undefined ? [] : attempt.eligible.filter((d) => d.providerId !== primary.deployment.providerId);
  if (delayMs === undefined || others.length === 0) {
    let value: T | undefined;
    try {
      value = await attempt.call(primary, signal);
      await primary.answered(value.signal);
      return { kind: 'answered', value, lease: primary, attempts: 1, hedge: 'none' };
    } catch (error) {
      value?.cancel?.();
      if (signal.aborted) {
        await primary.abandon();
        return { kind: 'client_gone', attempts: 1 };
      }
      return { kind: 'failed', failure: await primary.fail(error), deployment: primary.deployment, attempts: 1 };
    }
  }
  return hedged(deps, request, attempt, others, delayMs);
}

async function hedged<T extends UpstreamAnswer>(
  deps: AttemptDeps,
  request: AttemptRequest,
  attempt: Attempt<T>,
  others: readonly Deployment[],
  delayMs: number,
): Promise<AttemptOutcome<T>> {
  const { primary, call } = attempt;
  let secondary: CallLease | undefined;
  let secondaryEnded = false;
  let primaryError: { error: unknown } | undefined;
  const sent = () => (secondary ? 2 : 1);

  const runPrimary = async (signal: AbortSignal) => {
    try {
      return await call(primary, signal);
    } catch (error) {
      if (!signal.aborted) primaryError = { error };
      throw error;
    }
  };

  const runHedge = async (signal: AbortSignal) => {
    const reserved = await deps.reserve(others, request);
    if (!reserved.ok) throw new HedgeNotSent('no other provider has quota for a hedge');
    const lease = reserved.value;
    if (signal.aborted || !deps.retryBudget.tryRetry(lease.deployment.providerId)) {
      await lease.abandon({ refund: true });
      throw new HedgeNotSent('the hedge is not within the retry budget');
    }
    secondary = lease;
    deps.retried(lease.deployment, 'hedge');
    try {
      return await call(lease, signal);
    } catch (error) {
      // A hedge that fails while the primary runs on is recorded now; one cut off by the race is refunded after it.
      if (!signal.aborted) {
        secondaryEnded = true;
        await lease.fail(error);
      }
      throw error;
    }
  };

  // Each side's call promise, so a loser that still produced an answer (it raced the abort) can be closed.
  const calls: Promise<T>[] = [];
  const track = (run: (signal: AbortSignal) => Promise<T>) => (signal: AbortSignal) => {
    const value = run(signal);
    calls.push(value);
    return value;
  };

  let outcome;
  try {
    outcome = await hedge(track(runPrimary), track(runHedge), { delayMs, clock: deps.clock, signal: request.signal });
  } catch (error) {
    for (const value of calls) value.then((v) => v.cancel?.(), () => undefined);
    if (request.signal.aborted) {
      if (!primaryError) await primary.abandon();
      else await primary.fail(primaryError.error);
      if (secondary && !secondaryEnded) await secondary.abandon({ refund: true });
      return { kind: 'client_gone', attempts: sent() };
    }
    return { kind: 'failed', failure: await primary.fail(error), deployment: primary.deployment, attempts: sent() };
  }

  const { value, winner: side } = outcome;
  const winner = side === 'primary' ? primary : secondary;
  if (!winner) throw new Error('hedge: the winning side was never started');
  const loser = side === 'primary' ? (secondaryEnded ? undefined : secondary) : primary;
  for (const other of calls) other.then((v) => v !== value && v.cancel?.(), () => undefined);
  if (loser === primary && primaryError) await primary.fail(primaryError.error);
  else if (loser) await loser.abandon({ refund: true });
  try {
    await winner.answered(value.signal);
  } catch (error) {
    value.cancel?.();
    return { kind: 'failed', failure: await winner.fail(error), deployment: winner.deployment, attempts: sent() };
  }
  return { kind: 'answered', value, lease: winner, attempts: sent(), hedge: secondary ? (winner === secondary ? 'won' : 'lost') : 'none' };
}
