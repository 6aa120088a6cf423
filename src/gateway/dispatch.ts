/**
 * Dispatch: pick the first candidate that has quota and is healthy (waiting for one in the priority
 * queue when none has), run one attempt on it (upstream-attempt.ts: the call, maybe hedged), and fail
 * over to the next candidate on a retryable error — all before the first byte reaches the client. It
 * owns the order of those steps, not their rules: quota, resilience and upstream do, and the call
 * lease does every attempt's bookkeeping.
 */
import type { Clock } from '../core/clock.js';
import type { Deployment } from '../core/deployment.js';
import { FreewayError, isFreewayError } from '../core/errors.js';
import type { AdmissionQueue } from '../quota/index.js';
import { mostInformativeError, type RetryBudget } from '../resilience/index.js';
import type { CallLease } from './call-lease.js';
import { preferSameModel, tooSmallAfterOverflow } from './failover-order.js';
import { reserveFirst, type AdmissionDeps, type AdmissionRequest } from './reserve-first.js';
import type { Priority } from './types.js';
import { runAttempt, type UpstreamAnswer, type UpstreamCall } from './upstream-attempt.js';

export type { UpstreamAnswer, UpstreamCall } from './upstream-attempt.js';

export interface DispatchRequest extends AdmissionRequest {
  candidates: Deployment[];
  priority: Priority;
  /** Clock ms after which the request gives up waiting for quota. */
  deadline: number;
  signal: AbortSignal;
}

export interface Dispatched<T> {
  value: T;
  /** The lease of the call that answered: the caller ends it with `succeed` (or `fail`, `abandon`). */
  lease: CallLease;
  attempts: number;
}

/**
 * Calls `call` on admitted candidates until one answers. `call` must resolve only when the answer
 * is safe to start sending (for streams: the first content chunk is in hand).
 */
export type Dispatch = <T extends UpstreamAnswer>(request: DispatchRequest, call: UpstreamCall<T>) => Promise<Dispatched<T>>;

export interface DispatchDeps {
  clock: Clock;
  queue: AdmissionQueue;
  admission: AdmissionDeps;
  retryBudget: RetryBudget;
  /** Delay before retry number `attempt` on the same deployment, at least what the provider asked. */
  backoff(attempt: number, retryAfterMs: number | undefined): number;
  /** When to hedge a call on `deployment`; undefined: do not hedge. */
  hedgeDelayMs(deployment: Deployment): number | undefined;
  /** Counts a retry or hedge in metrics. */
  retried(deployment: Deployment, reason: string): void;
  maxAttempts: number;
}

export function createDispatch(deps: DispatchDeps): Dispatch {
  const { admission, retryBudget, clock } = deps;
  const attemptDeps = {
    clock,
    retryBudget,
    hedgeDelayMs: (d: Deployment) => deps.hedgeDelayMs(d),
    retried: (d: Deployment, reason: string) => deps.retried(d, reason),
    reserve: (eligible: readonly Deployment[], request: AdmissionRequest) => reserveFirst(admission, eligible, request),
  };

  return async function dispatch<T extends UpstreamAnswer>(request: DispatchRequest, call: UpstreamCall<T>): Promise<Dispatched<T>> {
    const excluded = new Set<string>();
    // Providers this request has called: every further call to one of them is a retry and pays from its budget.
    const called = new Set<string>();
    let order: Deployment[] = [...request.candidates];
    let attempts = 0;
    let sameRetries = 0;
    let lastError: FreewayError | undefined;

    for (;;) {
      const eligible = order.filter(
        (d) =>
          !excluded.has(d.id) &&
          admission.isAvailable(d) &&
          (sameRetries > 0 || !called.has(d.providerId) || retryBudget.available(d.providerId) >= 1),
      );
      if (eligible.length === 0) {
        throw withAttempts(lastError ?? new FreewayError('no_healthy_provider', 'No provider can serve this model right now'), attempts);
      }

      const primary = await admit(deps, request, eligible, lastError).catch((error: unknown) => {
        throw isFreewayError(error) ? withAttempts(error, attempts) : error;
      });
      const { providerId } = primary.deployment;
      if (!called.has(providerId)) retryBudget.recordRequest(providerId);
      else if (sameRetries === 0) retryBudget.tryRetry(providerId);
      called.add(providerId);

      const outcome = await runAttempt(attemptDeps, request, { primary, eligible, call });
      attempts += outcome.attempts;
      if (outcome.kind === 'answered') return { value: outcome.value, lease: outcome.lease, attempts };
      if (outcome.kind === 'client_gone') throw new FreewayError('client_closed', 'The client closed the connection');

      const { failure, deployment } = outcome;
      lastError = mostInformativeError(lastError ? [lastError, failure] : [failure]);
      if (failure.retry === 'never' || attempts >= deps.maxAttempts) throw withAttempts(failure, attempts);
      const canRetrySame = failure.retry === 'same' && sameRetries < 1 && retryBudget.tryRetry(deployment.providerId);
      if (canRetrySame) {
        sameRetries += 1;
        deps.retried(deployment, failure.code);
        const delay = deps.backoff(sameRetries, failure.retryAfterMs);
        if (clock.now() + delay >= request.deadline) throw withAttempts(failure, attempts);
        await clock.sleep(delay, request.signal);
      } else {
        // A rate-limited deployment stays a candidate: the ledger has parked it until its limit returns.
        if (!isQuotaRefusal(failure.code)) excluded.add(deployment.id);
        sameRetries = 0;
        order = preferSameModel(order, deployment);
      }
      if (failure.code === 'context_length_exceeded') {
        for (const d of tooSmallAfterOverflow(request.candidates, deployment)) excluded.add(d.id);
      }
    }
  };
}

/** Reserves quota on the first eligible candidate with room, waiting in the priority queue otherwise. */
async function admit(deps: DispatchDeps, request: DispatchRequest, eligible: Deployment[], lastError: FreewayError | undefined): Promise<CallLease> {
  // While it waits, the request claims its place on the limits that refused it (served in order, not starved).
  const claimant = {};
  try {
    return await deps.queue.admit<CallLease>(
      async () => {
        const reserved = await reserveFirst(deps.admission, eligible, request, claimant);
        if (!reserved.ok && reserved.neverFits) throw reserved.neverFits;
        return reserved;
      },
      { priority: request.priority, deadline: request.deadline, signal: request.signal },
    );
  } catch (error) {
    // A quota error says more than an earlier rate-limit failure; anything else keeps the earlier cause.
    if (isFreewayError(error) && (error.code === 'quota_exhausted' || error.code === 'request_too_large')) throw error;
    throw lastError ?? error;
  } finally {
    deps.admission.ledger.release?.(claimant);
  }
}

const isQuotaRefusal = (code: string): boolean => code === 'upstream_rate_limited' || code === 'upstream_quota_exhausted';

/** The same error, saying how many upstream calls were made before it (for x-freeway-attempts). */
function withAttempts(error: FreewayError, attempts: number): FreewayError {
  if (error.attempts === attempts) return error;
  return new FreewayError(error.code, error.message, {
    param: error.param,
    headers: error.headers,
    attempts,
    cause: error.cause,
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
  });
}
